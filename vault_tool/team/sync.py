"""`contacts sync`: pull with rebase from the tracked remote (through the merge driver), push, report.

Nothing of the user's is committed silently: uncommitted contact files stop the
sync unless the caller asks to commit them. A branch with no upstream in a
repository with one remote is pushed there with -u. Every way it can stop (no
remote, several remotes and no upstream, a fetch or push that fails, a
conflict, named by kind) is a GitError that says what happened and what to do,
and leaves a repository `git status` explains.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import git
from git.exc import GitCommandError

from vault_tool.errors import GitError, ParseError
from vault_tool.store import commits as gitstore
from vault_tool.store import git as gitcli
from vault_tool.store import gitconfig as mergesetup
from vault_tool.store.transaction import IDENTITY_MARKER, vault_lock

if TYPE_CHECKING:
    from vault_tool.store.commits import CommitResult
    from vault_tool.store.vault import Vault

_IN_PROGRESS = {
    "rebase-merge": "a rebase", "rebase-apply": "a rebase", "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick", "REVERT_HEAD": "a revert",
}


@dataclass
class Incoming:
    """A contact another clone added, changed or removed."""

    path: str  # relative to the repository, as it is after the sync
    name: str
    status: str  # added, changed, removed
    authors: list[str] = field(default_factory=list)


@dataclass
class SyncResult:
    upstream: str  # e.g. origin/main
    pulled: int = 0
    pushed: int = 0
    incoming: list[Incoming] = field(default_factory=list)
    committed: CommitResult | None = None
    committed_message: str = ""
    hint: str | None = None
    upstream_set: bool = False  # the branch had no upstream: now it is ``upstream``
    created: bool = False  # the remote had no branch of that name: the push made it


def _fail(what: str, exc: GitCommandError) -> GitError:
    lines = [ln.strip() for ln in (exc.stderr or str(exc)).strip().splitlines() if ln.strip()]
    detail = next((ln for ln in reversed(lines) if ln.startswith(("fatal:", "error:"))), lines[-1] if lines else "")
    return GitError(f"{what}: {detail.removeprefix('fatal: ').removeprefix('error: ')}")


def _rel(repo: git.Repo, path: Path) -> str:
    return Path(os.path.relpath(path, repo.working_tree_dir)).as_posix()


def _check_no_operation(repo: git.Repo) -> None:
    git_dir = Path(repo.git_dir)
    for marker, what in _IN_PROGRESS.items():
        if (git_dir / marker).exists():
            raise GitError(
                f"{repo.working_tree_dir}: {what} is in progress; finish it (git status says how) "
                "or abort it, then sync again"
            )


@dataclass(frozen=True)
class _Upstream:
    remote: str
    branch: str  # the branch on the remote
    ref: str  # e.g. origin/main
    new: bool = False  # not set yet: the push sets it (git push -u)


def _upstream(repo: git.Repo) -> _Upstream:
    """The current branch's upstream, or the one remote's branch of its name; a GitError that says what is missing."""
    if repo.head.is_detached:
        raise GitError(f"{repo.working_tree_dir}: HEAD is detached; check out a branch (git switch main) to sync")
    branch = repo.active_branch
    tracking = branch.tracking_branch()
    if tracking is not None:
        return _Upstream(tracking.remote_name, tracking.remote_head, tracking.name)
    remotes = [r.name for r in repo.remotes]
    if not remotes:
        raise GitError(
            f"{repo.working_tree_dir}: no remote to sync with; add one: git remote add origin URL && "
            f"git push -u origin {branch.name}"
        )
    if len(remotes) > 1:
        raise GitError(
            f"branch '{branch.name}' has no upstream and there are {len(remotes)} remotes ({', '.join(remotes)}); "
            f"choose the one to sync with and push to it once: git push -u {remotes[0]} {branch.name}"
        )
    if not repo.head.is_valid():
        raise GitError(f"branch '{branch.name}' has no commits yet; add a contact (or commit), then sync")
    return _Upstream(remotes[0], branch.name, f"{remotes[0]}/{branch.name}", new=True)


def dirty_contact_files(repo: git.Repo, contacts_dir: Path) -> list[str]:
    """Contact files with uncommitted changes (staged, unstaged or untracked), relative to the repository."""
    return [path for path in gitstore.changed_paths(repo, str(contacts_dir)) if path.endswith(".md")]


def _commit_dirty(vault: Vault, repo: git.Repo, paths: list[str]) -> tuple[CommitResult, str]:
    top = Path(repo.working_tree_dir or vault.root)
    files = [top / p for p in paths]
    if len(files) == 1:
        try:
            message = f"Edit {vault.read(files[0]).name}"
        except ParseError:
            message = f"Edit {files[0].stem}"
    else:
        message = f"Edit {len(files)} contacts"
    return gitstore.commit(files, message, vault.root), message


def _count(repo: git.Repo, *spec: str) -> int:
    return int(repo.git.rev_list("--count", *spec))


def _ref_exists(repo: git.Repo, ref: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
        return True
    except GitCommandError:
        return False


def incoming_changes(repo: git.Repo, spec: str, *folders: str) -> list[Incoming]:
    """Contact (and deal) files the commits in ``spec`` added, changed or removed in ``folders``, with their
    authors (oldest first)."""
    out = repo.git(c="core.quotePath=false").log(
        "--reverse", "-M", "--format=%x00%an", "--name-status", spec, "--", *folders
    )
    changes: dict[str, Incoming] = {}
    for chunk in out.split("\x00")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        author, entries = lines[0], lines[1:]
        for entry in entries:
            status, *names = entry.split("\t")
            path = names[-1]
            previous = changes.pop(names[0], None) if status.startswith("R") else changes.get(path)
            state = {"A": "added", "D": "removed"}.get(status[0], "changed")
            if previous is not None and previous.status == "added" and state != "removed":
                state = "added"
            item = Incoming(path, Path(path).stem, state, previous.authors if previous else [])
            if author not in item.authors:
                item.authors.append(author)
            changes[path] = item
    return [c for c in changes.values() if c.path.endswith(".md")]


def _name_contacts(vault: Vault, repo: git.Repo, changes: list[Incoming]) -> None:
    top = Path(repo.working_tree_dir or vault.root)
    for change in changes:
        if change.status != "removed":
            try:
                change.name = vault.read(top / change.path).name
            except ParseError:
                pass  # the handle stands in for a name that cannot be read


def _conflict_error(unmerged: list[gitcli.Unmerged]) -> GitError:
    """What conflicted in a rebase the tool undid, and how to settle it by hand."""
    paths = [item.path for item in unmerged]
    where = f"conflict in {', '.join(paths)}: "
    safe = "Nothing changed here and your commits are safe. To settle it: git pull --rebase, "
    then = "git rebase --continue && contacts sync"
    if not any(item.deleted_and_changed for item in unmerged):
        files = " ".join(paths)
        return GitError(
            f"{where}both sides changed the same field or line differently. {safe}keep the right lines between "
            f"<<<<<<< and >>>>>>> (contacts check shows where), then: git add {files} && {then}"
        )
    what = "; ".join(f"{item.path} was {item.what}" for item in unmerged)
    steps = "; ".join(
        f"keep the changed {item.path} (git add {item.path}) or its deletion (git rm {item.path})"
        if item.deleted_and_changed else f"for {item.path}: {item.way_out}" for item in unmerged
    )
    return GitError(f"conflict: {what}. {safe}then {steps}; then: {then}")


def _rebase(repo: git.Repo, upstream: str, env: dict[str, str] | None) -> None:
    """Rebase onto ``upstream``; on a conflict abort it, so no rebase is ever left in progress."""
    try:
        repo.git.rebase("--autostash", upstream, env=env or {})
    except GitCommandError as exc:
        conflicted = []
        with contextlib.suppress(GitError):
            conflicted = gitcli.unmerged(Path(repo.working_tree_dir or "."))
        with contextlib.suppress(GitCommandError):
            repo.git.rebase("--abort")
        if not conflicted:
            raise _fail(f"git rebase onto {upstream} failed; nothing changed", exc) from None
        raise _conflict_error(conflicted) from None


def _push(repo: git.Repo, upstream: _Upstream) -> None:
    remote = upstream.remote
    try:
        repo.git.push("--porcelain", *(["-u"] if upstream.new else []), remote, f"HEAD:refs/heads/{upstream.branch}")
    except GitCommandError as exc:
        text = f"{exc.stdout or ''}\n{exc.stderr or ''}"
        if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
            raise GitError(
                f"{remote} changed while syncing, so the push was rejected; your commits are safe here: "
                "run contacts sync again"
            ) from None
        raise _fail(f"cannot push to {remote}", exc) from None


def _track(repo: git.Repo, upstream: _Upstream) -> None:
    """Make ``upstream`` the current branch's upstream (the remote had the branch: nothing to push)."""
    try:
        repo.git.branch(f"--set-upstream-to={upstream.ref}")
    except GitCommandError as exc:
        raise _fail(f"cannot set {upstream.ref} as the upstream", exc) from None


def sync(vault: Vault, commit: bool = False) -> SyncResult:
    """Commit (if asked) dirty contact files, pull with rebase, push; what came in and went out.

    A branch with no upstream, in a clone with one remote, gets that remote's branch of its name
    as its upstream (pushed with -u when it has commits to push).
    """
    top = gitstore.repo_root(vault.root)
    if top is None:
        raise GitError(f"{vault.root}: not in a git repository; run 'contacts init' there, and add a remote")
    with vault_lock(vault), git.Repo(top) as repo:
        _check_no_operation(repo)
        upstream = _upstream(repo)
        result = SyncResult(upstream.ref)
        dirty = dirty_contact_files(repo, vault.contacts_dir)
        if dirty and not commit:
            shown = ", ".join(dirty[:5]) + (" …" if len(dirty) > 5 else "")
            raise GitError(
                f"{len(dirty)} contact file{'s have' if len(dirty) > 1 else ' has'} uncommitted changes ({shown}): "
                "commit them, or run contacts sync --commit to commit them first"
            )
        if dirty:
            result.committed, result.committed_message = _commit_dirty(vault, repo, dirty)
            result.hint = gitstore.identity_hint(result.committed, vault.state_dir / IDENTITY_MARKER)
        mergesetup.register(top)
        _pull(vault, repo, upstream, result)
        if result.pushed or result.created:
            _push(repo, upstream)
        elif upstream.new:
            _track(repo, upstream)
        result.upstream_set = upstream.new
    return result


def _pull(vault: Vault, repo: git.Repo, upstream: _Upstream, result: SyncResult) -> None:
    """Fetch, rebase onto what came in, and count what came in and what is to go out."""
    try:
        repo.git.fetch(upstream.remote)
    except GitCommandError as exc:
        raise _fail(f"cannot fetch from {upstream.remote}; nothing changed", exc) from None
    if _ref_exists(repo, upstream.ref):
        result.pulled = _count(repo, f"HEAD..{upstream.ref}")
        if result.pulled:
            folders = (_rel(repo, vault.contacts_dir), _rel(repo, vault.deals_dir))
            result.incoming = incoming_changes(repo, f"HEAD..{upstream.ref}", *folders)
            _rebase(repo, upstream.ref, gitstore.identity_env(repo))
            _name_contacts(vault, repo, result.incoming)
        result.pushed = _count(repo, f"{upstream.ref}..HEAD")
    else:  # a new branch on the remote: the commits it has on none of its branches go out
        result.pushed = _count(repo, "HEAD", "--not", f"--remotes={upstream.remote}")
        result.created = True
