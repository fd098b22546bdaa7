"""Taking back a change the tool made: a new commit that reverts it, never a rewrite of history.

    undone = undo(vault)               # the vault's last change
    undone = undo(vault, "abc1234")    # an older one
    for change in recent_changes(vault): ...

The tool knows its own commits by the ``Contacts-Change`` trailer every transaction adds
(store/git.py); a commit without it (a person's, a merge, one made before the trailer) is
refused. A change is taken back only while every file it touched is still as it left it, in
the last commit and in the working tree: then the revert puts each file back exactly as it was
before the change (a removed contact comes back, an added one goes), through a transaction like
any other change (the lock, the checks, auto_commit, atomic writes, the trailer), so an undo
is itself a change that can be taken back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vault_tool.errors import GitError, InvalidValueError, VaultError
from vault_tool.store import git as gitcli
from vault_tool.store.git import CommitResult, identity_hint, is_change_message
from vault_tool.store.transaction import IDENTITY_MARKER, transaction

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

BULK_AT = 200  # a revert of this many files or more is committed as the bulk import is (fast-import)
_FORMAT = "%H%x00%P%x00%as%x00%an%x00%s%x00%B"
_NO_CHANGE = "contacts undo --list shows the changes it can take back"


@dataclass(frozen=True)
class ToolChange:
    """A commit the tool made, and why it cannot be taken back now (None: it can)."""

    sha: str
    date: str  # YYYY-MM-DD, the author's
    author: str
    subject: str
    blocked: str | None = None


@dataclass
class Undone:
    """What :func:`undo` did: the change taken back, the new commit's message, the files put back."""

    reverted: ToolChange
    message: str
    paths: list[Path] = field(default_factory=list)
    commit: CommitResult | None = None  # None: not committed (--no-commit, auto_commit off)
    hint: str | None = None


@dataclass(frozen=True)
class _File:
    """One file a change touched: relative to the top, and its bytes before and after (None: absent)."""

    rel: str
    before: bytes | None
    after: bytes | None


def undo(vault: Vault, sha: str | None = None) -> Undone:
    """Take back the change ``sha`` names (default: the vault's last change) with a new commit."""
    top = _top(vault)
    with transaction(vault) as tx:
        commit = _resolve(top, vault, sha)
        files = _files(top, commit.sha)
        if not files:
            raise VaultError(f'{commit.sha[:7]} "{commit.subject}" changes no file, so there is nothing to take back')
        _refuse_edited_since(top, commit, files)
        tx.bulk = len(files) >= BULK_AT
        tx.message, tx.body = revert_subject(commit.subject), f"This reverts commit {commit.sha}."
        tx.write_many({top / f.rel: f.before for f in files if f.before is not None})
        tx.delete_many([top / f.rel for f in files if f.before is None])
    done = Undone(commit, tx.message, tx.paths)
    if tx.result.sha:
        done.commit = tx.result
        done.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return done


def revert_subject(subject: str) -> str:
    """The summary line of a revert: `Revert "X"`; of a revert's revert `Reapply "X"` (and back)."""
    for taken, made in (('Revert "', 'Reapply "'), ('Reapply "', 'Revert "')):
        if subject.startswith(taken) and subject.endswith('"') and len(subject) > len(taken):
            return f"{made}{subject[len(taken):-1]}\""
    return f'Revert "{subject}"'


def recent_changes(vault: Vault, limit: int = 10) -> list[ToolChange]:
    """The tool's newest changes to the vault (at most ``limit``, merges left out), newest first,
    each with why it cannot be taken back now (its files changed since, or not committed)."""
    top = _top(vault)
    if _head(top) is None:
        return []
    out = gitcli.run(top, ["log", "--no-merges", f"-{limit}", f"--format=%x1e{_FORMAT}",
                           f"--grep=^{gitcli.CHANGE_TRAILER}: ", "--", _pathspec(top, vault.root)])
    changes = [_parse(record) for record in out.decode("utf-8", "replace").split("\x1e")[1:]]
    dirty = _uncommitted(top)
    return [ToolChange(change.sha, change.date, change.author, change.subject, _blocked(top, change, dirty))
            for change, message, _ in changes if is_change_message(message)]


# Which change, and whether it is the tool's


def _top(vault: Vault) -> Path:
    top = gitcli.repo_root(vault.root)
    if top is None:
        raise GitError(f"{vault.root}: not in a git repository, so there are no commits to take back")
    return top


def _head(top: Path) -> str | None:
    found = gitcli.run_status(top, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
    return found.decode("ascii").strip() or None


def _pathspec(top: Path, path: Path) -> str:
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    return f":(literal){rel}" if rel != "." else "."


def _parse(record: str) -> tuple[ToolChange, str, bool]:
    """A commit as `_FORMAT` gives it: the change, its whole message, and whether it is a merge."""
    sha, parents, date, author, subject, message = record.strip("\n").split("\x00", 5)
    return ToolChange(sha, date, author, subject), message, len(parents.split()) > 1


def _resolve(top: Path, vault: Vault, sha: str | None) -> ToolChange:
    """The change to take back, refused unless it is the tool's and on this branch."""
    head = _head(top)
    if head is None:
        raise VaultError(f"{top}: no commits yet, so there is no change to take back")
    if sha is None:
        found = gitcli.run(top, ["log", "-1", "--first-parent", "--format=%H", "--",
                                 _pathspec(top, vault.root)]).decode("ascii").strip()
        if not found:
            raise VaultError(f"{vault.root}: no commit has changed the vault yet, so there is nothing to take back")
        sha = found
    full = gitcli.run_status(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{sha}^{{commit}}"])
    if not full.strip():
        raise InvalidValueError(f"'{sha}' is no commit of this repository; {_NO_CHANGE}")
    commit, message, merge = _parse(gitcli.run(top, ["log", "-1", f"--format={_FORMAT}", full.decode().strip()])
                                    .decode("utf-8", "replace"))
    where = f'{commit.sha[:7]} "{commit.subject}"'
    if merge:
        raise VaultError(f"{where} is a merge, not a change contacts made; {_NO_CHANGE} (git revert -m 1 "
                         f"{commit.sha[:7]} takes back a merge)")
    if not is_change_message(message):
        raise VaultError(f"{where} has no {gitcli.CHANGE_TRAILER} trailer, so it is not a change undo takes back "
                         f"(a commit made by hand, or by contacts init, check --fix or sync --commit); {_NO_CHANGE} "
                         f"(git revert {commit.sha[:7]} takes back any commit)")
    base = gitcli.run(top, ["merge-base", commit.sha, head]).decode("ascii").strip()
    if base != commit.sha:
        raise VaultError(f"{where} is not on this branch, so there is nothing here to take back; {_NO_CHANGE}")
    return commit


# The files a change touched, and whether they are still as it left them


def _files(top: Path, sha: str) -> list[_File]:
    """Every file commit ``sha`` added, changed or removed, with its bytes before and after it."""
    out = gitcli.run(top, ["-c", "core.quotePath=false", "diff-tree", "-r", "-z", "--no-renames", "--root",
                           "--no-commit-id", sha])
    fields = out.split(b"\0")
    rels = [fields[i + 1].decode("utf-8", "surrogateescape") for i in range(0, len(fields) - 1, 2)
            if fields[i].startswith(b":")]
    blobs = gitcli.cat_files(top, [spec for rel in rels for spec in (f"{sha}^:{rel}", f"{sha}:{rel}")])
    return [_File(rel, blobs[f"{sha}^:{rel}"], blobs[f"{sha}:{rel}"]) for rel in rels]


def _refuse_edited_since(top: Path, commit: ToolChange, files: list[_File]) -> None:
    """Refuse when a file the change touched is no longer as it left it: a later commit changed it,
    or it has changes not committed (in git's index or in the working tree)."""
    found = gitcli.cat_files(top, [spec for f in files for spec in (f"HEAD:{f.rel}", f":{f.rel}")])
    for item in files:
        if found[f"HEAD:{item.rel}"] != item.after:
            raise VaultError(_changed_since(top, commit, item.rel))
        work = _read(top / item.rel)
        if work != item.after or found[f":{item.rel}"] != item.after:
            raise VaultError(
                f"{item.rel}: has changes you have not committed, so undo would lose them; commit them or put "
                f"them aside (git diff HEAD -- {item.rel} shows them), then run contacts undo again"
            )


def _changed_since(top: Path, commit: ToolChange, rel: str) -> str:
    """Why a file ``commit`` touched stops its undo: the later commit that changed it, named."""
    out = gitcli.run(top, ["log", "-1", "--format=%h%x00%s", f"{commit.sha}..HEAD", "--", f":(literal){rel}"])
    sha, _, subject = out.decode("utf-8", "replace").strip().partition("\0")
    where = f'{commit.sha[:7]} "{commit.subject}"'
    if subject == revert_subject(commit.subject):
        return f"{where} is taken back already (by {sha}); contacts undo {sha} brings it back"
    later = f'{sha} "{subject}"' if sha else "a later commit"
    return (f"{rel}: changed since {where} (by {later}), so undo cannot take that change back; "
            f"take back the later change first, or edit the file")


def _read(path: Path) -> bytes | None:
    """The working file's bytes (None: absent); a symbolic link, never followed, is no file a change left."""
    if path.is_symlink():
        raise VaultError(f"{path}: is a symbolic link, so undo does not write through it; remove it first")
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None


def _uncommitted(top: Path) -> set[str]:
    """Paths (relative to the top) with changes git has not committed, or untracked."""
    out = gitcli.run(top, ["-c", "core.quotePath=false", "status", "--porcelain", "-z", "--untracked-files=all",
                           "--no-renames"])
    return {entry[3:].decode("utf-8", "surrogateescape") for entry in out.split(b"\0") if len(entry) > 3}


def _blocked(top: Path, change: ToolChange, dirty: set[str]) -> str | None:
    """Why ``change`` cannot be taken back now, in a few words; None if it can."""
    files = _files(top, change.sha)
    heads = gitcli.cat_files(top, [f"HEAD:{f.rel}" for f in files])
    changed = [f.rel for f in files if heads[f"HEAD:{f.rel}"] != f.after]
    if changed:
        return f"changed since: {_some(changed)}"
    waiting = [f.rel for f in files if f.rel in dirty]
    return f"not committed: {_some(waiting)}" if waiting else None


def _some(rels: list[str]) -> str:
    return ", ".join(rels[:2]) + (f" and {len(rels) - 2} more" if len(rels) > 2 else "")
