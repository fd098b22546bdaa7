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
from typing import TYPE_CHECKING, cast

from vault_tool.errors import NotFoundError, ParseError, VaultError
from vault_tool.forked import ForkedJobFailed, can_fork, run_all
from vault_tool.format.contact import CONFLICT_HELP, Contact, conflict_line, parse
from vault_tool.store.git import CommitResult, identity_hint
from vault_tool.store.mutations import Edit
from vault_tool.store.transaction import IDENTITY_MARKER, transaction
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.forked import Advance
    from vault_tool.store.vault import Vault

Select = Callable[["Vault", str], tuple[set[Path], list[ParseError]]]  # the files a query picks, those left out
BULK_COMMIT_FROM = 200  # changed files from which the commit is made by fast-import (transaction.bulk)
FORK_FROM = 200  # picked files from which two forked processes read and edit them (see _outcomes)


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
    before: bytes  # the file as read under the lock
    after: bytes  # the file with the edit made


@dataclass(frozen=True)
class _Outcome:
    """What reading one picked file and making the edit to it gave: plain data, sent back from a forked child."""

    path: Path
    handle: str = ""
    name: str = ""
    before: bytes = b""  # the file as read
    after: bytes | None = None  # the file with the edit made; None: already as asked
    warnings: tuple[str, ...] = ()
    problem: tuple[Path, str, int | None] | None = None  # why it is skipped: a ParseError's path, message, line


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
        tx.edit_many({item.target.path: (_again(edit, item.target), item.after) for item in planned},
                     read={item.target.path: item.before for item in planned})
    if tx.result.sha:
        result.commit = tx.result
        result.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return result


def _plan(vault: Vault, query: str, select: Select, edit: Edit) -> tuple[BulkChange, list[_Planned]]:
    """Read every picked file and make the edit to it: what changes, what is as asked, what is skipped."""
    paths, left_out = select(vault, query)
    result = BulkChange(query, skipped=list(left_out))
    planned: list[_Planned] = []
    for outcome in _outcomes(sorted(paths), edit):
        if outcome.problem is not None:
            result.skipped.append(ParseError(*outcome.problem))
            continue
        target = Target(outcome.handle, outcome.name, outcome.path)
        if outcome.after is None:
            result.unchanged.append(target)
            continue
        result.changed.append(target)
        result.warnings += outcome.warnings
        planned.append(_Planned(target, outcome.before, outcome.after))
    if not paths:
        raise NotFoundError(f"no contact matches '{query}'{_left_out_note(left_out)}")
    if not result.matched:
        first = result.skipped[len(left_out)]
        more = len(paths) - 1
        raise VaultError(f"'{query}' picks {len(paths)} file{'s' if more else ''}, and none can be changed: "
                         f"{first}{f' (and {more} more)' if more else ''}")
    result.message = edit.summary(len(planned))
    return result, planned


def _outcomes(paths: list[Path], edit: Edit) -> list[_Outcome]:
    """Each file read and edited (:func:`_outcome`), in the order of ``paths``.

    From FORK_FROM files, by two forked processes, each taking every other file (forked.run_all):
    reading, parsing and editing a contact is CPU work in Python, about 0.3 ms a file, and a second
    core nearly halves it (`tag --query '*'` on bench/bench_bulk.py's 10,000 contacts: 2.9 s in one
    process, 1.7 s in two). If a child fails, the work is done again here, where whatever went
    wrong raises as itself.
    """
    if len(paths) < FORK_FROM or not can_fork():
        return [_outcome(path, edit) for path in paths]
    try:
        answers = run_all([_job(paths[0::2], edit), _job(paths[1::2], edit)])
    except ForkedJobFailed:
        return [_outcome(path, edit) for path in paths]
    merged: list[_Outcome] = [_Outcome(path) for path in paths]
    merged[0::2], merged[1::2] = (cast(list[_Outcome], answer) for answer in answers)
    return merged


def _job(share: list[Path], edit: Edit) -> Callable[[Advance], object]:
    return lambda _advance: [_outcome(path, edit) for path in share]


def _outcome(path: Path, edit: Edit) -> _Outcome:
    """``path`` read and given ``edit``: the file with the edit made, or already as asked, or why it is skipped."""
    try:
        contact, data = _read(path, edit.body)
        after, _ = edit.make(contact)
    except VaultError as exc:  # this file alone: it does not parse, or cannot take the edit
        problem = _problem(path, exc)
        return _Outcome(path, problem=(problem.path, problem.message, problem.line))
    if after is None or after == data:
        return _Outcome(path, contact.handle, contact.name)
    warnings = tuple(f"{contact.name}: {warning}" for warning in edit.warn(contact))
    return _Outcome(path, contact.handle, contact.name, data, after, warnings)


def _read(path: Path, body: bool) -> tuple[Contact, bytes]:
    """The contact in ``path`` (``body``: with its notes, interactions and tasks) and the file's bytes; a
    ParseError for a file that cannot be changed."""
    data = read_file(path)
    line = conflict_line(data)
    if line is not None:
        raise ParseError(path, CONFLICT_HELP, line)
    return parse(path, data, body=body), data


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
