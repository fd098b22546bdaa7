"""One write transaction: every command that changes files goes through it.

    with transaction(vault, "Tag Ada Lovelace +vip") as tx:
        tx.edit(path, add_tag)          # bytes -> bytes (None: nothing to change)

Under the vault's lock it refuses what would lose or mix up a person's work
(a merge, rebase or cherry-pick in progress, conflict markers in a file, a
detached HEAD, a stale `.git/index.lock`), then writes each file atomically
and commits exactly the tool's change.

The commit holds the edit applied to the file *as committed*, not the file as
it is on disk: a hand edit the user has not committed (staged or not) stays
uncommitted, exactly as it was, while the working file gets the same edit on
top of it. The commit is made from a temporary index (`GIT_INDEX_FILE`) read
from HEAD, so nothing else the user staged is carried; the user's own index
then gets the edit for those paths alone. Where the edit cannot be applied to
the committed version (it names something only the hand edit has), the
transaction refuses before writing anything. The repository's own commit
hooks (pre-commit, prepare-commit-msg, commit-msg, post-commit) run as `git
commit` runs them, except around the bulk commit (fast-import), which reports
them as skipped. If the commit fails (a hook refusing it too), the files
written are put back as they were.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vault_tool.errors import GitError, VaultError
from vault_tool.fileio import atomic_write, atomic_write_many, locked
from vault_tool.format.contact import CONFLICT_HELP, conflict_line
from vault_tool.store import git as gitcli
from vault_tool.store.fastimport import BlobImport, Entry, commit_entries
from vault_tool.store.git import CommitResult, change_message

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

Edit = Callable[[bytes], "bytes | None"]  # a file's new bytes, or None: nothing to change
IDENTITY_MARKER = "identity-hint-shown"  # in .vault/: the git identity hint was shown once
LOCK_NAME = "lock"  # in .vault/
_TREE_FROM = 50  # paths from which their object ids are listed first, by one `ls-tree` and `ls-files` (_Git._ids)
_IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "finish it (fix the files, git add them, git merge --continue) or git merge --abort"),
    "rebase-merge": ("a rebase", "finish it (git rebase --continue) or git rebase --abort"),
    "rebase-apply": ("a rebase", "finish it (git rebase --continue) or git rebase --abort"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "finish it (git cherry-pick --continue) or git cherry-pick --abort"),
    "REVERT_HEAD": ("a revert", "finish it (git revert --continue) or git revert --abort"),
}


class UnsafeStateError(VaultError):
    """The repository or a file is in a state where writing could lose or mix up a person's work."""


@dataclass
class Committed(CommitResult):
    """What a transaction committed: the commit (None: nothing was committed) and the paths it holds."""

    paths: list[Path] = field(default_factory=list)


@dataclass
class _Versions:
    """One path as the user has it (work), in git's index, and at HEAD; None where it does not exist."""

    work: bytes | None
    index: bytes | None
    head: bytes | None

    @property
    def clean(self) -> bool:
        return self.work == self.index == self.head


@dataclass
class _Planned:
    path: Path
    before: _Versions
    work: bytes | None  # the new working file (None: removed)
    commit: bytes | None  # what the commit holds (None: absent)
    index: bytes | None  # the user's index entry afterwards (None: absent)


class Transaction:
    """The changes of one command; applied by :func:`transaction` when its block ends."""

    def __init__(self, vault: Vault, message: str, git: _Git | None) -> None:
        self.vault = vault
        self.message = message
        self.body = ""  # a paragraph under the message's summary line (`contacts undo` names the commit it reverts)
        self._git = git
        self._planned: dict[Path, _Planned] = {}
        self.result = Committed(None)
        self.bulk = False  # thousands of files: one sync for all writes, one fast-import for the commit

    def _versions(self, path: Path) -> _Versions:
        """``path`` as the user has it, in git's index and at HEAD."""
        return self._versions_many([path])[path]

    def _versions_many(self, paths: list[Path], read: dict[Path, bytes] | None = None) -> dict[Path, _Versions]:
        """:meth:`_versions` of each path, with one look at git for all of them (``read``: see :meth:`edit_many`)."""
        works = {path: read[path] if read is not None and path in read else _work(path) for path in paths}
        if self._git is None:
            return {path: _Versions(work, work, work) for path, work in works.items()}
        known = self._git.blobs(paths, works)
        return {path: _Versions(works[path], *known[path]) for path in paths}

    def edit(self, path: Path, change: Edit, work: bytes | None = None, absent: bytes | None = None) -> bool:
        """Apply ``change`` to ``path`` as the user has it and as committed; False if it changes nothing.

        ``work``: the change's result on the user's version, when the caller has computed it already.
        ``absent``: what ``change`` is applied to where git has no version of the file (None: refuse).
        """
        return self._edit(path, change, work, absent, self._versions(path))

    def _edit(self, path: Path, change: Edit, work: bytes | None, absent: bytes | None, before: _Versions) -> bool:
        if before.work is None:
            raise VaultError(f"{path}: no such file")
        new_work = change(before.work) if work is None else work
        if new_work is None or new_work == before.work:
            return False
        if before.clean or self._git is None:
            self._plan(path, before, new_work, new_work, new_work)
            return True
        head = absent if before.head is None else before.head
        staged = absent if before.index is None else before.index
        committed = self._apply(path, change, head, "committed")
        index = committed if staged == head else self._apply(path, change, staged, "staged")
        self._plan(path, before, new_work, committed, index)
        return True

    def edit_many(self, edits: dict[Path, tuple[Edit, bytes | None]], read: dict[Path, bytes] | None = None,
                  ) -> list[Path]:
        """:meth:`edit` for many files (each path's change, and its result on the user's version if known),
        with one look at git for all of them; the paths it changed.

        ``read``: files as the caller read them under this transaction's lock and found free of conflict
        markers (bulk.py), so that they are not read again.
        """
        before = self._versions_many(list(edits), read)
        return [path for path, (change, work) in edits.items() if self._edit(path, change, work, None, before[path])]

    def _apply(self, path: Path, change: Edit, data: bytes | None, which: str) -> bytes:
        rel = self._git.rel(path) if self._git else str(path)
        if data is None:
            raise UnsafeStateError(
                f"{path}: not committed yet, so this change cannot be committed on its own; commit the file first "
                f"(git add {rel} && git commit) or use --no-commit"
            )
        try:
            result = change(data)
        except VaultError as exc:
            raise UnsafeStateError(
                f"{path}: this change cannot be applied to the {which} version ({exc}); commit or undo your own "
                f"changes to the file first (git diff {rel} shows them), or use --no-commit"
            ) from None
        return data if result is None else result

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` as the whole of ``path``: a new file, or one with no changes of the user's."""
        self.write_many({path: data})

    def write_many(self, files: dict[Path, bytes]) -> None:
        """:meth:`write` for many files, with one look at git for all of them."""
        versions = self._versions_many(list(files))
        for path, data in files.items():
            before = versions[path]
            self._refuse_uncommitted(path, before, "be rewritten")
            if before.work != data:
                self._plan(path, before, data, data, data)

    def take(self, path: Path) -> None:
        """Commit ``path`` as the user has it: for a change that is wholly the user's (`contacts edit`)."""
        before = self._versions(path)
        self._plan(path, before, before.work, before.work, before.work)

    def delete(self, path: Path) -> None:
        """Remove ``path``: refused if it holds changes the user has not committed."""
        self.delete_many([path])

    def delete_many(self, paths: list[Path]) -> None:
        """:meth:`delete` for many files, with one look at git for all of them."""
        versions = self._versions_many(paths)
        for path in paths:
            before = versions[path]
            self._refuse_uncommitted(path, before, "be removed")
            self._plan(path, before, None, None, None)

    def move(self, old: Path, new: Path, change: Edit) -> None:
        """Move ``old`` to ``new`` (a free name) with ``change`` applied, as committed and as the user has it."""
        before = self._versions(old)
        if before.work is None:
            raise VaultError(f"{old}: no such file")
        work = change(before.work) or before.work
        if before.clean or self._git is None:
            commit = index = work
        else:
            commit = self._apply(old, change, before.head, "committed")
            index = commit if before.index == before.head else self._apply(old, change, before.index, "staged")
        self._plan(old, before, None, None, None)
        self._plan(new, self._versions(new), work, commit, index)

    def _refuse_uncommitted(self, path: Path, before: _Versions, what: str) -> None:
        if self._git is not None and not before.clean:
            rel = self._git.rel(path)
            raise UnsafeStateError(
                f"{path}: has changes you have not committed, so it cannot {what} by this command; commit or undo "
                f"them first (git diff HEAD -- {rel} shows them), or use --no-commit"
            )

    def _plan(self, path: Path, before: _Versions, work: bytes | None, commit: bytes | None,
              index: bytes | None) -> None:
        earlier = self._planned.get(path)
        self._planned[path] = _Planned(path, earlier.before if earlier else before, work, commit, index)

    @property
    def paths(self) -> list[Path]:
        return list(self._planned)

    def apply(self) -> Committed:
        """Write every planned file, then commit; if either fails or is interrupted, put the files back.

        Once the commit has begun, Ctrl-C and SIGTERM wait for it to end (a second at most), so the
        vault is left either as before or with the whole change committed.
        """
        planned = list(self._planned.values())
        written: list[_Planned] = []
        storing = self._git.storing(planned) if self.bulk and self._git is not None else contextlib.nullcontext()
        with storing as stored:  # a bulk commit's blobs, stored while the files are written
            try:
                if self.bulk:
                    written = list(planned)  # put back even if interrupted half way
                    _put_many(planned)
                else:
                    for item in planned:
                        written.append(item)  # first: put back even if interrupted while it is written
                        _put(item.path, item.work)
                if self._git is None:
                    return Committed(None)
                with signals_deferred():
                    try:
                        # the one place the trailer is added
                        message = change_message(one_line(self.message), self.body)
                        committed = self._git.commit(planned, message, self.bulk, stored)
                    except BaseException:
                        _restore(written)
                        raise
                    written.clear()  # committed: an interruption held until now leaves it so
                    self._git.update_index(planned)
                    return committed
            except BaseException:
                _restore(written)
                raise


def _restore(written: list[_Planned]) -> None:
    """Put back the files as they were before the transaction wrote them."""
    for item in reversed(written):
        with contextlib.suppress(OSError):
            _put(item.path, item.before.work)
    written.clear()


def _work(path: Path) -> bytes | None:
    """The file as the user has it (None: there is none); UnsafeStateError if it holds conflict markers."""
    work = _read(path)
    if work is not None:
        line = conflict_line(work)
        if line is not None:
            raise UnsafeStateError(f"{path}:{line}: {CONFLICT_HELP} (contacts check shows every one)")
    return work


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None


def _put(path: Path, data: bytes | None) -> None:
    if data is None:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise VaultError(f"{path}: cannot remove ({exc.strerror})") from None
        return
    _make_folders([path.parent])
    atomic_write(path, data)


def _make_folders(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VaultError(f"{folder}: cannot create ({exc.strerror}): check the permissions") from None


def _put_many(planned: list[_Planned]) -> None:
    """Every planned file written through fileio.atomic_write_many (one sync for all), removals after."""
    files: dict[Path, bytes] = {p.path: p.work for p in planned if p.work is not None}
    _make_folders(sorted({path.parent for path in files}))
    atomic_write_many(files)
    for item in planned:
        if item.work is None:
            _put(item.path, None)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends, then raise KeyboardInterrupt if one came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda got, _frame: received.append(got)) for number in wanted}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise KeyboardInterrupt


def one_line(message: str) -> str:
    """A commit message's summary: one line, whatever a name held."""
    return " ".join(message.split()) or "Change contacts"


def refuse_unsafe(vault: Vault) -> _Git | None:
    """The checks a transaction starts with (also for a command that asks a person something first)."""
    git = _Git.open(vault)
    if git is not None and vault.auto_commit:
        git.refuse_unsafe_commit()
    return git


@contextlib.contextmanager
def vault_lock(vault: Vault) -> Iterator[None]:
    """The vault's lock alone, for work that writes through a transaction of its own making."""
    with locked(vault.state_dir / LOCK_NAME):
        yield


@contextlib.contextmanager
def transaction(vault: Vault, message: str = "") -> Iterator[Transaction]:
    """Hold the vault's lock, collect the block's changes, then write and commit them (see the module)."""
    with vault_lock(vault):
        git = refuse_unsafe(vault)
        tx = Transaction(vault, message, git if git is not None and vault.auto_commit else None)
        yield tx
        if tx.paths:
            tx.result = tx.apply()


class _Git:
    """The git side of a transaction: checks before writing, the versions of a path, the commit."""

    def __init__(self, top: Path, git_dir: Path) -> None:
        self.top = top
        self.git_dir = git_dir
        self._prefix = os.path.join(str(top), "")  # `top/`: what every path in the working tree starts with

    @classmethod
    def open(cls, vault: Vault) -> _Git | None:
        """The repository holding the vault (None outside git), after refusing an operation in progress."""
        top = gitcli.repo_root(vault.root)
        if top is None:
            return None
        git_dir = Path(gitcli.run(top, ["rev-parse", "--absolute-git-dir"]).decode("utf-8").strip())
        repo = cls(top, git_dir)
        repo.refuse_operation_in_progress()
        return repo

    def refuse_operation_in_progress(self) -> None:
        for marker, (what, way_out) in _IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                raise UnsafeStateError(
                    f"{self.top}: {what} is in progress, so the tool writes nothing; {way_out}, "
                    f"then contacts check"
                )

    def refuse_unsafe_commit(self) -> None:
        head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            raise UnsafeStateError(
                f"{self.top}: HEAD is detached (at {head[:7]}), so a commit here would be left behind on no "
                f"branch; switch to a branch (git switch main) or use --no-commit"
            )
        lock = self.git_dir / "index.lock"
        if lock.exists():
            raise UnsafeStateError(
                f"{lock}: exists, so git's index is locked; if no git process is running, it is left over from "
                f"one that stopped and is safe to remove (rm {lock})"
            )

    def rel(self, path: Path) -> str:
        """``path`` relative to the top of the working tree, with `/`s.

        Cut from the path's text where it starts with the top's and has no `..` (what relpath would
        answer): relpath makes both paths absolute each time, 0.23 s for the 30,000 calls of a bulk
        edit of 10,000 files.
        """
        text = str(path)
        if os.sep == "/" and text.startswith(self._prefix) and "/.." not in text:
            return text[len(self._prefix):]
        return Path(os.path.relpath(path, self.top)).as_posix()

    def blobs(self, paths: list[Path], works: dict[Path, bytes | None] | None = None,
              ) -> dict[Path, tuple[bytes | None, bytes | None]]:
        """Each path in git's index and at HEAD; UnsafeStateError if the index holds a conflict for one.

        ``works``: the files as the user has them. From _TREE_FROM paths, one whose file is the very
        object that git's index and HEAD both hold (the same object id, hashed here) is answered with
        the file's bytes, and git is asked only for the others' blobs (see :meth:`_ids`).
        """
        rels = {path: self.rel(path) for path in paths}
        if len(rels) <= _TREE_FROM:
            return self._looked_up(rels, {rel: f"HEAD:{rel}" for rel in rels.values()}, {})
        heads, staged = self._ids(list(rels.values()))
        for path, rel in rels.items():
            if 1 in staged.get(rel, {}) or 2 in staged.get(rel, {}):
                raise _conflicted(path)
        clean = {path: work for path, work in (works or {}).items()
                 if work is not None and _same_object(work, staged.get(rels[path], {}).get(0), heads.get(rels[path]))}
        rest = {path: rel for path, rel in rels.items() if path not in clean}
        versions = self._looked_up(rest, heads, {rel: staged.get(rel, {}).get(0) for rel in rest.values()})
        return {path: (clean[path], clean[path]) if path in clean else versions[path] for path in paths}

    def _looked_up(self, rels: dict[Path, str], heads: dict[str, str | None], staged: dict[str, str | None],
                   ) -> dict[Path, tuple[bytes | None, bytes | None]]:
        """Each path's blobs in git's index and at HEAD, read by one `cat-file`: at HEAD by ``heads``' specs (None:
        not there); in the index by ``staged``'s object ids where given, else by `:path` (checking `:1:` and `:2:`,
        a conflict, too)."""
        asked = [spec for rel in rels.values() for spec in (heads[rel], staged.get(rel)) if spec is not None]
        unknown = [rel for rel in rels.values() if rel not in staged]
        asked += [f"{stage}{rel}" for rel in unknown for stage in (":", ":1:", ":2:")]
        found = gitcli.cat_files(self.top, asked)
        versions = {}
        for path, rel in rels.items():
            if rel in unknown and (found[f":1:{rel}"] is not None or found[f":2:{rel}"] is not None):
                raise _conflicted(path)
            index, head = staged.get(rel, f":{rel}"), heads[rel]
            versions[path] = (found[index] if index is not None else None, found[head] if head is not None else None)
        return versions

    def _ids(self, rels: list[str]) -> tuple[dict[str, str | None], dict[str, dict[int, str]]]:
        """Each path's object id at HEAD (None: not there) and its entries in git's index by stage (0; in a
        conflict 1 to 3), from one `ls-tree` and one `ls-files` of their folders.

        Not `HEAD:path` for each path, which reads the folder's whole tree again every time (seconds for
        thousands), nor a pathspec for each, which `ls-files` matches against every entry. And not the
        blobs themselves: a bulk edit of 10,000 files read all 20,000 from git to see that the files
        were as committed (0.75 s); listing the ids, hashing the files and comparing takes 0.1 s.
        """
        folders = sorted({posixpath.dirname(rel) or "." for rel in rels})
        tree = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *folders]
        heads: dict[str, str | None] = dict.fromkeys(rels)
        for fields, name in _listed(gitcli.run_status(self.top, tree)):
            if name in heads and fields[1] == "blob":
                heads[name] = fields[2]
        index = ["--literal-pathspecs", "ls-files", "--stage", "-z", "--", *folders]
        staged: dict[str, dict[int, str]] = {}
        for fields, name in _listed(gitcli.run_status(self.top, index)):
            if name in heads:
                staged.setdefault(name, {})[int(fields[2])] = fields[1]
        return heads, staged

    @contextlib.contextmanager
    def storing(self, planned: list[_Planned]) -> Iterator[BlobImport | None]:
        """The blobs of a bulk commit of ``planned`` stored in the background meanwhile (fastimport.BlobImport);
        None on a branch with no commit yet (the commit then holds them itself)."""
        if self._head() is None:
            yield None
            return
        stored = BlobImport(self.top, [p.commit for p in _committed(planned) if p.commit is not None])
        try:
            yield stored
        finally:
            stored.close()

    def commit(self, planned: list[_Planned], message: str, bulk: bool = False,
               stored: BlobImport | None = None) -> Committed:
        """Commit what ``planned`` holds for the commit (the user's index is :meth:`update_index`'s).

        Plumbing, not `git commit`: a tree from HEAD's tree with these paths changed, a commit
        object, and HEAD's branch moved only if it still points where it did (so a concurrent git
        command is never overwritten). No other index entry and no working file is looked at.
        ``stored``: the blobs of a bulk commit, being stored by :meth:`storing`.
        """
        changed = _committed(planned)
        if not changed:
            return Committed(None)
        env = gitcli.identity_variables(self.top)
        parent = self._head()
        hooks = gitcli.CommitHooks.of(self.top)  # the repository's own: run as `git commit` runs them
        if bulk:
            sha = self._fast_import(changed, parent, message, env, stored)
            return Committed(sha, env is not None, [p.path for p in changed], skipped_hooks=hooks.names)
        scratch = self.git_dir / f"contacts-index.{os.getpid()}"
        variables = {**(env or {}), "GIT_INDEX_FILE": str(scratch)}
        try:
            if parent:
                gitcli.run(self.top, ["read-tree", parent], env=variables)
            gitcli.run(self.top, ["update-index", "--add", "--remove", "-z", "--index-info"],
                       self._index_info([(p.path, p.commit) for p in changed]), env=variables)
            hooks.before(variables)
            tree = gitcli.run(self.top, ["write-tree"], env=variables).decode("ascii").strip()
            message = hooks.message(message, self.git_dir, variables)
            sha = gitcli.run(self.top, ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"],
                             message.encode("utf-8"), env=variables).decode("ascii").strip()
            summary = message.splitlines()[0]
            gitcli.run(self.top, ["update-ref", "-m", f"commit: {summary}", "HEAD", sha, parent or "0" * 40])
        except GitError as exc:
            raise GitError(f"{exc}; nothing was changed") from None
        finally:
            for leftover in (scratch, scratch.with_name(scratch.name + ".lock")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        hooks.after(env or {})
        return Committed(sha, env is not None, [p.path for p in changed])

    def _fast_import(self, changed: list[_Planned], parent: str | None, message: str,
                     env: dict[str, str] | None, stored: BlobImport | None) -> str:
        """The bulk commit (fastimport.py), naming the blobs by their ids where they are ``stored`` already."""
        branch = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip().removeprefix("ref: ")
        like = parent if stored is not None else None  # an id, to name the stored blobs by ids of its kind
        entries: list[Entry] = [(self.rel(p.path), _blob(p.commit, like), _mode(p.path)) for p in changed]
        try:
            if stored is not None:
                stored.wait()
            return commit_entries(self.top, branch, parent, message, entries, env)
        except GitError as exc:
            raise GitError(f"{exc}; nothing was changed") from None

    def _head(self) -> str | None:
        """The commit HEAD's branch points at; None on a branch with no commits yet."""
        found = gitcli.run_status(self.top, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        return found.decode("ascii").strip() or None

    def _index_info(self, entries: list[tuple[Path, bytes | None]]) -> bytes:
        """`update-index --index-info` lines that set each path to its bytes (None: remove it)."""
        lines = []
        for path, data in entries:
            rel = self.rel(path)
            if data is None:
                lines.append(f"0 {'0' * 40}\t{rel}")
            else:
                sha = gitcli.run(self.top, ["hash-object", "-w", "--stdin"], data).decode("ascii").strip()
                lines.append(f"{_mode(path)} {sha}\t{rel}")
        return "".join(f"{line}\0" for line in lines).encode("utf-8")

    def update_index(self, planned: list[_Planned]) -> None:
        """The user's index: each path as planned, after the commit.

        A path whose working file is what the index should hold is read from the file by
        `update-index --stdin` (a fresh stat, no pathspec matched against every entry, so thousands
        are cheap); any other gets its planned bytes.
        """
        same = [p for p in planned if p.work == p.index]
        other = [(p.path, p.index) for p in planned if p.work != p.index and p.index != p.before.index]
        try:
            if other:
                gitcli.run(self.top, ["update-index", "--add", "--remove", "-z", "--index-info"],
                           self._index_info(other))
            if same:
                names = "".join(f"{self.rel(p.path)}\0" for p in same).encode("utf-8")
                gitcli.run(self.top, ["update-index", "--add", "--remove", "-z", "--stdin"], names)
        except GitError as exc:
            paths = " ".join(self.rel(p.path) for p in planned[:5])
            raise GitError(f"{exc}; the change is committed, but git's index was not updated for it "
                           f"(git status shows {paths} as changed; git reset -q -- {paths} puts it right)") from None


def _listed(output: bytes) -> Iterator[tuple[list[str], str]]:
    """The entries of `ls-tree -z` (mode, type, id) or `ls-files --stage -z` (mode, id, stage), and their paths."""
    for entry in output.split(b"\0"):
        meta, _, name = entry.decode("utf-8", "surrogateescape").partition("\t")
        fields = meta.split(" ")
        if len(fields) == 3:
            yield fields, name


def _blob(data: bytes | None, like: str | None) -> bytes | str | None:
    """What fast-import is given for a file's blob: its id (of the kind of ``like``, if given), else its bytes."""
    return _object_id(data, like) if data is not None and like is not None else data


def _committed(planned: list[_Planned]) -> list[_Planned]:
    """The planned paths whose commit changes them."""
    return [p for p in planned if p.commit != p.before.head]


def _conflicted(path: Path) -> UnsafeStateError:
    return UnsafeStateError(
        f"{path}: git has an unresolved conflict for this file; resolve it and git add it, then run "
        f"the command again (contacts check shows where)"
    )


def _same_object(data: bytes, *ids: str | None) -> bool:
    """Whether ``data`` is the blob every one of ``ids`` names (an id of None names nothing)."""
    first = ids[0]
    return first is not None and all(other == first for other in ids) and _object_id(data, first) == first


def _object_id(data: bytes, like: str) -> str:
    """The id git gives a blob of ``data``, in the repository's object format (that of the id ``like``)."""
    digest = hashlib.sha1() if len(like) == 40 else hashlib.sha256()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _mode(path: Path) -> str:
    """The file mode git records for ``path``: executable or not, as `git add` would."""
    return "100755" if path.exists() and os.access(path, os.X_OK) else "100644"
