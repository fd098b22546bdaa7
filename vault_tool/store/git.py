"""git's own command line, for reading and writing in bulk (log, cat-file, fast-import).

These paths run `git` directly rather than through GitPython: a report or a history needs a few
large reads, and importing GitPython alone costs a tenth of a second.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vault_tool.errors import GitError

FALLBACK_NAME = "Contacts Vault"
FALLBACK_EMAIL = "contacts@vault.invalid"
_ENV_IDENTITY = ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL")
IDENTITY_HINT = (
    f"git has no identity here, so this commit is by '{FALLBACK_NAME} <{FALLBACK_EMAIL}>'; set yours with "
    "git config --global user.name 'Your Name' && git config --global user.email you@example.com"
)


def identity_hint(result: CommitResult, marker: Path) -> str | None:
    """IDENTITY_HINT the first time a commit used the fallback identity (``marker`` remembers it), else None."""
    if not result.fallback_identity or marker.exists():
        return None
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("shown\n", encoding="utf-8")
    except OSError:
        pass  # the hint is shown again next time: better than failing a command that worked
    return IDENTITY_HINT


@dataclass
class CommitResult:
    sha: str | None  # None when there was nothing to commit
    fallback_identity: bool = False


def repo_root(path: Path) -> Path | None:
    """The working tree that holds ``path``, found like git does (a `.git` folder or file)."""
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def run(top: Path, args: list[str], data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    """The standard output of `git ARGS` run in ``top`` (``env``: variables added to this process's)."""
    try:
        done = subprocess.run(["git", *args], cwd=top, input=data, capture_output=True, check=False,
                              env={**os.environ, **env} if env else None)
    except OSError as exc:
        raise GitError(f"{top}: cannot run git ({exc.strerror})") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{top}: git {args[0]} failed ({detail[-1] if detail else 'no detail'})")
    return done.stdout


def run_status(top: Path, args: list[str]) -> bytes:
    """The standard output of `git ARGS`, whatever its exit status (for questions git answers by status)."""
    try:
        return subprocess.run(["git", *args], cwd=top, capture_output=True, check=False).stdout
    except OSError as exc:
        raise GitError(f"{top}: cannot run git ({exc.strerror})") from None


def identity_variables(top: Path) -> dict[str, str] | None:
    """Explicit author/committer variables when git has no identity of its own, else None.

    For every git command that commits (commit, rebase, merge, fast-import) on a machine with no identity.
    """
    if any(os.environ.get(name) for name in _ENV_IDENTITY):
        return None
    if run_status(top, ["config", "--get", "user.email"]).strip():
        return None
    name = run_status(top, ["config", "--get", "user.name"]).decode("utf-8", "replace").strip() or FALLBACK_NAME
    return {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": FALLBACK_EMAIL,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL,
    }


def cat_files(top: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The content of each blob (`sha`, `commit:path`), None where there is none, from one `git cat-file --batch`."""
    if not specs:
        return {}
    out, pos, found = run(top, ["cat-file", "--batch"], "".join(f"{s}\n" for s in specs).encode()), 0, {}
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3:  # `<sha> <type> <size>`, else `<spec> missing` (or ambiguous)
            size = int(header[2])
            found[spec] = out[pos : pos + size] if header[1] == b"blob" else None
            pos += size + 1
        else:
            found[spec] = None
    return found
