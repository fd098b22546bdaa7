"""One change to many contacts at once: `tag --query`, `set --query` and the like, in one commit.

    change_many(vault, "tag:newsletter", matching, list_edit(vault, "tags", ["gdpr-2026"], [], strict=False))

The contacts are those a search query picks (``select`` is search's `run.matching`: the store does not
search). Under the vault's lock each picked file is read again and given the same edit the command makes
to one contact (mutations.Edit), so each file changes by exactly the bytes the single command would
write. A file that does not parse, holds conflict markers or cannot take the edit is skipped and named;
the others are written and committed as one transaction (all or nothing), with one message
(`Tag 412 contacts +gdpr-2026`). A dry run reads and plans the same way and writes nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vault_tool.errors import NotFoundError, ParseError, VaultError
from vault_tool.format.contact import CONFLICT_HELP, Contact, conflict_line, parse
from vault_tool.store.git import CommitResult, identity_hint
from vault_tool.store.mutations import Edit
from vault_tool.store.transaction import IDENTITY_MARKER, transaction
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

Select = Callable[["Vault", str], tuple[set[Path], list[ParseError]]]  # the files a query picks, those left out
BULK_COMMIT_FROM = 200  # changed files from which the commit is made by fast-import (transaction.bulk)


@dataclass(frozen=True)
class Target:
    """A contact the change is for: its handle, name and file."""

    handle: str
    name: str
    path: Path


@dataclass
class BulkChange:
    """What a change to many contacts did (or, in a dry run, would do)."""

    query: str
    message: str = ""  # the commit's message (also when nothing is committed)
    changed: list[Target] = field(default_factory=list)  # in path order
    unchanged: list[Target] = field(default_factory=list)  # picked, but already as asked
    skipped: list[ParseError] = field(default_factory=list)  # files that do not parse or take the edit
    warnings: list[str] = field(default_factory=list)  # written, but doubtful (each names its contact)
    dry_run: bool = False
    commit: CommitResult | None = None
    hint: str | None = None

    @property
    def matched(self) -> int:
        """How many contacts the query picked (that could be read)."""
        return len(self.changed) + len(self.unchanged)


@dataclass
class _Planned:
    target: Target
    after: bytes  # the file with the edit made


def change_many(
    vault: Vault, query: str, select: Select, edit: Edit, *, dry_run: bool = False,
    confirm: Callable[[BulkChange], None] | None = None,
) -> BulkChange:
    """``edit`` made to every contact ``query`` picks, as one commit (see the module).

    NotFoundError if the query picks no contact. ``confirm`` is called with the plan (what will
    change) before anything is written, under the vault's lock; it raises to write nothing.
    """
    if dry_run:
        result, _ = _plan(vault, query, select, edit)
        result.dry_run = True
        return result
    with transaction(vault) as tx:
        result, planned = _plan(vault, query, select, edit)
        if not planned:
            return result
        if confirm is not None:
            confirm(result)
        tx.message = result.message
        tx.bulk = len(planned) >= BULK_COMMIT_FROM
        tx.edit_many({item.target.path: (_again(edit, item.target), item.after) for item in planned})
    if tx.result.sha:
        result.commit = tx.result
        result.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return result


def _plan(vault: Vault, query: str, select: Select, edit: Edit) -> tuple[BulkChange, list[_Planned]]:
    """Read every picked file and make the edit to it: what changes, what is as asked, what is skipped."""
    paths, left_out = select(vault, query)
    result = BulkChange(query, skipped=list(left_out))
    planned: list[_Planned] = []
    for path in sorted(paths):
        try:
            contact, data = _read(path)
            after, _ = edit.make(contact)
        except VaultError as exc:  # this file alone: it does not parse, or cannot take the edit
            result.skipped.append(_problem(path, exc))
            continue
        target = Target(contact.handle, contact.name, path)
        if after is None or after == data:
            result.unchanged.append(target)
            continue
        result.changed.append(target)
        result.warnings += [f"{contact.name}: {warning}" for warning in edit.warn(contact)]
        planned.append(_Planned(target, after))
    if not paths:
        raise NotFoundError(f"no contact matches '{query}'{_left_out_note(left_out)}")
    if not result.matched:
        first = result.skipped[len(left_out)]
        more = len(paths) - 1
        raise VaultError(f"'{query}' picks {len(paths)} file{'s' if more else ''}, and none can be changed: "
                         f"{first}{f' (and {more} more)' if more else ''}")
    result.message = edit.summary(len(planned))
    return result, planned


def _read(path: Path) -> tuple[Contact, bytes]:
    """The contact in ``path`` and the file's bytes; a ParseError for a file that cannot be changed."""
    data = read_file(path)
    line = conflict_line(data)
    if line is not None:
        raise ParseError(path, CONFLICT_HELP, line)
    return parse(path, data), data


def _problem(path: Path, exc: VaultError) -> ParseError:
    if isinstance(exc, ParseError):
        return exc
    return ParseError(path, str(exc).removeprefix(f"{path}: "))


def _left_out_note(skipped: list[ParseError]) -> str:
    if not skipped:
        return ""
    files = f"{len(skipped)} file{'s' if len(skipped) > 1 else ''}"
    return f" ({files} that could not be read left out: contacts check names them)"


def _again(edit: Edit, target: Target) -> Callable[[bytes], bytes | None]:
    """The edit as the transaction applies it to another version of the file (as committed, as staged)."""
    return lambda blob: edit.make(parse(target.path, blob, target.handle))[0]
