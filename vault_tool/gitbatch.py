"""One commit of many files, fast: what `contacts import` needs for thousands of new contacts.

``gitstore.commit`` stages and commits with one pathspec per file, which
git matches against every index entry: for 10,000 files that took 13 s. When
nothing else is staged, the same commit is made by staging the files with
``git update-index --stdin`` (no pathspecs) and committing the index. When
the user has staged work of their own, ``gitstore.commit`` is used, so that
work stays staged and out of the commit.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from git.exc import GitCommandError

from .errors import GitError
from .gitstore import CommitResult, _identity_env, _open
from .gitstore import commit as commit_paths


def commit_files(paths: list[Path], message: str, workdir: Path) -> CommitResult:
    """Commit exactly ``paths`` (added, changed or deleted) and nothing else the user has staged."""
    with _open(workdir) as repo:
        top = Path(repo.working_tree_dir or workdir)
        if not repo.head.is_valid() or _staged(repo):
            return commit_paths(paths, message, workdir)
        env = _identity_env(repo)
        names = "".join(os.path.relpath(p, top) + "\0" for p in paths).encode("utf-8")
        staged = subprocess.run(["git", "update-index", "--add", "--remove", "-z", "--stdin"], cwd=top, input=names,
                                capture_output=True)
        if staged.returncode != 0:
            detail = staged.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"{top}: git update-index failed ({detail[-1] if detail else 'no detail'})")
        try:
            if not _staged(repo):
                return CommitResult(None)
            repo.git.commit("--quiet", "--no-verify", "-m", message, env=env or {})
        except GitCommandError as exc:
            detail = (exc.stderr or str(exc)).strip().splitlines()
            raise GitError(
                f"{top}: git commit failed ({detail[-1] if detail else 'no detail'}); "
                "the files are written: commit them yourself"
            ) from None
        return CommitResult(repo.head.commit.hexsha, env is not None)


def _staged(repo) -> bool:  # noqa: ANN001 - a git.Repo
    """Whether the index differs from HEAD (something is staged)."""
    try:
        repo.git.diff("--cached", "--quiet")
    except GitCommandError as exc:
        if exc.status == 1:
            return True
        raise
    return False
