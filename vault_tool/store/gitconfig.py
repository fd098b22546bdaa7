"""Registering the `vault` merge driver in a clone's git config (it is not versioned, so every clone needs it).

`.gitattributes` (versioned) says `contacts/**/*.md merge=vault`; the clone's
`.git/config` says what `vault` runs. The command is this very interpreter
with `-m vault_tool`, so it works from a virtual environment that is not on
PATH; git runs it through the shell, so the interpreter's path is quoted.
"""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from vault_tool.errors import GitError

DRIVER = "vault"
DRIVER_NAME = "contact vault files (fields, notes and interactions merged by contacts)"


def driver_command(python: str | None = None) -> str:
    """What git runs: ``python -m vault_tool merge-driver %O %A %B %L %P`` with the path quoted for sh."""
    return f"{shlex.quote(python or sys.executable)} -m vault_tool merge-driver %O %A %B %L %P"


def registered_command(workdir: Path) -> str | None:
    """The driver command this clone runs for `merge=vault` files, or None if there is none."""
    import git
    from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

    try:
        with git.Repo(workdir, search_parent_directories=True) as repo:
            return repo.git.config("--get", f"merge.{DRIVER}.driver").strip() or None
    except (GitCommandError, InvalidGitRepositoryError, NoSuchPathError):
        return None


def register(workdir: Path) -> bool:
    """Point the clone's `merge.vault.driver` at this interpreter; True if the config changed."""
    import git
    from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

    command = driver_command()
    if registered_command(workdir) == command:
        return False
    try:
        with git.Repo(workdir, search_parent_directories=True) as repo:
            repo.git.config("--local", f"merge.{DRIVER}.name", DRIVER_NAME)
            repo.git.config("--local", f"merge.{DRIVER}.driver", command)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise GitError(f"{workdir}: not inside a git repository; run 'contacts init' there") from None
    except GitCommandError as exc:
        detail = (exc.stderr or str(exc)).strip().splitlines()
        raise GitError(f"{workdir}: cannot register the merge driver ({detail[-1] if detail else 'no detail'})") from None
    return True


def git_dir(workdir: Path) -> Path | None:
    """The repository's git folder, found like git does (`$GIT_DIR`, a `.git` folder, or a `.git` file)."""
    if os.environ.get("GIT_DIR"):
        return Path(os.environ["GIT_DIR"]).resolve()
    for folder in (workdir, *workdir.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a linked worktree or a submodule: `gitdir: PATH`
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            return (folder / text.removeprefix("gitdir:").strip()).resolve() if text.startswith("gitdir:") else None
    return None


def driver_labels(workdir: Path) -> tuple[str, str]:
    """Conflict labels for (%A, %B): in a rebase %A is the upstream and %B your commit being replayed.

    The driver runs once per file in a merge, so this reads the file system instead of importing GitPython.
    """
    found = git_dir(workdir)
    if found is not None and ((found / "rebase-merge").is_dir() or (found / "rebase-apply").is_dir()):
        return "upstream", "yours"
    return "yours", "theirs"
