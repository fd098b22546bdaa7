"""The vault's git layer: commit exactly the files a command changed, with a person's message."""
from __future__ import annotations

import os
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from vault_tool.errors import GitError
from vault_tool.store.git import IDENTITY_HINT, CommitResult, identity_hint, identity_variables, repo_root

__all__ = ["IDENTITY_HINT", "CommitResult", "identity_hint", "repo_root"]

def init(path: Path) -> None:
    """`git init` in ``path``."""
    try:
        git.Repo.init(path).close()
    except GitCommandError as exc:
        raise GitError(f"{path}: git init failed: {exc.stderr.strip()}") from None


def _open(path: Path) -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise GitError(f"{path}: not inside a git repository; run 'contacts init' there") from None


def identity_env(repo: git.Repo) -> dict[str, str] | None:
    """Explicit author/committer variables when git has no identity of its own (gitcli.identity_variables)."""
    return identity_variables(Path(repo.working_tree_dir or "."))


def commit(paths: list[Path], message: str, workdir: Path) -> CommitResult:
    """Commit exactly ``paths`` (added, changed or deleted) and nothing else the user has staged."""
    with _open(workdir) as repo:
        top = Path(repo.working_tree_dir or workdir)
        rel = [os.path.relpath(p, top) for p in paths]
        present = [r for r, p in zip(rel, paths) if p.exists()]
        env = identity_env(repo)
        try:
            if present:
                repo.git.add("--", *present)
            if not repo.git.status("--porcelain", "--", *rel).strip():
                return CommitResult(None)
            known = repo.git.ls_files("--cached", "--", *rel).splitlines() if not repo.head.is_valid() else rel
            repo.git.commit("--quiet", "--no-verify", "-m", message, "--only", "--", *known, env=env or {})
            return CommitResult(repo.head.commit.hexsha, env is not None)
        except GitCommandError as exc:
            detail = (exc.stderr or str(exc)).strip().splitlines()
            raise GitError(
                f"{top}: git commit failed ({detail[-1] if detail else 'no detail'}); "
                f"the files are written: commit them yourself"
            ) from None


def created_dates(folder: Path, paths: list[Path] | None = None) -> dict[str, str]:
    """The date (YYYY-MM-DD) each file under ``folder`` (or just ``paths``) was first committed, by file stem.

    A renamed file (`contacts mv`) keeps the date its first name was added (when all of ``folder``
    is asked for). One `git log` over the folder, not a call per file.
    """
    try:
        with _open(folder) as repo:
            if not repo.head.is_valid():
                return {}
            out = repo.git(c="core.quotePath=false").log(
                "-M", "--diff-filter=AR", "--format=%x00%as", "--name-status", "--",
                *([str(p) for p in paths] if paths is not None else [str(folder)]),
            )
    except (GitError, GitCommandError):
        return {}
    added: dict[str, str] = {}
    renamed_from: dict[str, str] = {}  # stem -> the stem it had before its newest rename
    for chunk in out.split("\x00")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        day, entries = lines[0], lines[1:]
        for entry in entries:
            status, *names = entry.split("\t")
            if status.startswith("R") and len(names) == 2:
                renamed_from.setdefault(Path(names[1]).stem, Path(names[0]).stem)
            elif status == "A" and len(names) == 1:
                added[Path(names[0]).stem] = day  # log is newest first: the oldest add wins
    dates: dict[str, str] = {}
    for stem in set(added) | set(renamed_from):
        origin, seen = stem, {stem}
        while origin not in added and renamed_from.get(origin, origin) not in seen:
            origin = renamed_from[origin]
            seen.add(origin)
        if origin in added:
            dates[stem] = added[origin]
    return dates


def changed_paths(repo: git.Repo, *pathspecs: str) -> list[str]:
    """Files under ``pathspecs`` with changes git has not committed (staged, unstaged or untracked),
    relative to the top of the repository; a renamed file by its new name."""
    out = repo.git(c="core.quotePath=false").status("--porcelain", "-z", "--untracked-files=all", "--", *pathspecs)
    paths = []
    skip = False
    for entry in (e for e in out.split("\x00") if e):
        if skip:  # the original name of a rename or copy
            skip = False
            continue
        skip = entry[0] in "RC"
        paths.append(entry[3:])
    return paths
