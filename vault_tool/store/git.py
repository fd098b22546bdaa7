"""git's own command line, for reading and writing in bulk (log, cat-file, fast-import).

These paths run `git` directly rather than through GitPython: a report or a history needs a few
large reads, and importing GitPython alone costs a tenth of a second.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vault_tool.errors import GitError
from vault_tool.format.ids import new_uid

FALLBACK_NAME = "Contacts Vault"
FALLBACK_EMAIL = "contacts@vault.invalid"
_ENV_IDENTITY = ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL")
IDENTITY_HINT = (
    f"git has no identity here, so this commit is by '{FALLBACK_NAME} <{FALLBACK_EMAIL}>'; set yours with "
    "git config --global user.name 'Your Name' && git config --global user.email you@example.com"
)


# Every commit the tool makes ends with this trailer (a new ULID each time): how `contacts undo`
# knows the tool's own commits from a person's, whatever their messages say (DESIGN.md §4).
CHANGE_TRAILER = "Contacts-Change"


def change_message(summary: str, body: str = "") -> str:
    """A commit message of the tool's: the summary line, ``body`` as a paragraph if given, the trailer."""
    parts = [summary, body.strip(), f"{CHANGE_TRAILER}: {new_uid()}"]
    return "\n\n".join(part for part in parts if part)


def is_change_message(message: str) -> bool:
    """Whether ``message`` holds the tool's trailer on a line of its own after the summary line
    (a commit-msg hook may have added a paragraph after it)."""
    return any(line.startswith(f"{CHANGE_TRAILER}: ") for line in message.splitlines()[1:])


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
    skipped_hooks: list[str] = field(default_factory=list, kw_only=True)  # hooks a commit here would run, not run


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


def run_feeding(top: Path, args: list[str], chunks: Iterable[bytes]) -> None:
    """Run `git ARGS` in ``top`` with ``chunks`` written to its standard input one after another (a large
    input is never held whole); a GitError naming git's last line of errors if it fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(["git", *args], cwd=top, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=errors)
        except OSError as exc:
            raise GitError(f"{top}: cannot run git ({exc.strerror})") from None
        assert proc.stdin is not None
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
        except BrokenPipeError:
            pass  # git stopped reading: its exit status and errors say why
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            returncode = proc.wait()
        if returncode != 0:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"{top}: git {args[0]} failed ({detail[-1] if detail else 'no detail'})")


def run_status(top: Path, args: list[str], data: bytes | None = None) -> bytes:
    """The standard output of `git ARGS`, whatever its exit status (for questions git answers by status)."""
    try:
        return subprocess.run(["git", *args], cwd=top, input=data, capture_output=True, check=False).stdout
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


# The repository's own commit hooks, run around a commit the tool makes without `git commit`

COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit")


@dataclass(frozen=True)
class CommitHooks:
    """The commit hooks git would run in ``top`` (executable files, core.hooksPath honoured), by name."""

    top: Path
    found: dict[str, Path]

    @classmethod
    def of(cls, top: Path) -> CommitHooks:
        args = [arg for name in COMMIT_HOOKS for arg in ("--git-path", f"hooks/{name}")]
        paths = run(top, ["rev-parse", *args]).decode("utf-8", "surrogateescape").splitlines()
        found = {name: top / path for name, path in zip(COMMIT_HOOKS, paths)}
        return cls(top, {name: path for name, path in found.items() if path.is_file() and os.access(path, os.X_OK)})

    @property
    def names(self) -> list[str]:
        return list(self.found)

    def _run(self, name: str, args: list[str], env: dict[str, str]) -> None:
        """Run hook ``name`` through `git hook run` (git's own way: its folder, its environment; no input,
        GIT_EDITOR=:); a GitError if it fails."""
        try:
            done = subprocess.run(["git", "hook", "run", "--ignore-missing", name, "--", *args], cwd=self.top,
                                  stdin=subprocess.DEVNULL, capture_output=True, check=False,
                                  env={**os.environ, "GIT_EDITOR": ":", **env})
        except OSError as exc:
            raise GitError(f"{self.top}: cannot run the {name} hook ({exc.strerror})") from None
        if done.returncode != 0:
            said = (done.stdout + done.stderr).decode("utf-8", "replace").splitlines()
            last = next((line.strip() for line in reversed(said) if line.strip()), f"exit status {done.returncode}")
            raise GitError(f"{self.top}: the {name} hook stopped the commit: {last}")

    def before(self, env: dict[str, str]) -> None:
        """pre-commit, with ``env`` naming the index being committed (GIT_INDEX_FILE)."""
        if "pre-commit" in self.found:
            self._run("pre-commit", [], env)

    def message(self, message: str, git_dir: Path, env: dict[str, str]) -> str:
        """``message`` through prepare-commit-msg and commit-msg, tidied as `git commit -m` does."""
        if "prepare-commit-msg" not in self.found and "commit-msg" not in self.found:
            return message
        draft = git_dir / "COMMIT_EDITMSG"
        try:
            draft.write_text(message + "\n", encoding="utf-8")
            if "prepare-commit-msg" in self.found:
                self._run("prepare-commit-msg", [str(draft), "message"], env)
            if "commit-msg" in self.found:
                self._run("commit-msg", [str(draft)], env)
            written = draft.read_bytes()
        except OSError as exc:
            raise GitError(f"{draft}: cannot write the commit message for the hooks ({exc.strerror})") from None
        tidy = run(self.top, ["stripspace"], written).decode("utf-8", "surrogateescape").strip()
        if not tidy:
            raise GitError(f"{self.top}: the commit-msg hook left an empty commit message, so nothing was committed")
        return tidy

    def after(self, env: dict[str, str]) -> None:
        """post-commit: like git, its failure changes nothing."""
        if "post-commit" in self.found:
            try:
                self._run("post-commit", [], env)
            except GitError:
                pass


# Paths git has not merged (a conflict left by a merge, rebase, cherry-pick, revert or stash)

_UNMERGED = {  # the index stages a path has (1 base, 2 ours, 3 theirs): what happened, and the way out
    frozenset({1, 2, 3}): ("changed on both sides", "keep the right lines between the conflict markers, then git add it"),
    frozenset({2, 3}): ("added on both sides, differently",
                        "keep the right lines between the conflict markers, then git add it"),
    frozenset({1, 2}): ("deleted on one side and changed on the other (there are no conflict markers)",
                        "keep the changed file with git add, or the deletion with git rm"),
    frozenset({1}): ("deleted on both sides, each renaming it differently", "git rm it, and keep the name you want"),
    frozenset({2}): ("added on one side by a rename or removal the other side did differently",
                     "keep it with git add, or drop it with git rm"),
}


@dataclass(frozen=True)
class Unmerged:
    """A path with a conflict git has not settled: its index stages say what kind of conflict."""

    path: str  # relative to the top of the repository
    stages: frozenset[int]

    @property
    def deleted_and_changed(self) -> bool:
        return len(self.stages) == 2 and 1 in self.stages

    def _described(self) -> tuple[str, str]:
        if self.deleted_and_changed:
            return _UNMERGED[frozenset({1, 2})]
        return _UNMERGED.get(self.stages) or _UNMERGED[frozenset({1} if 1 in self.stages else {2})]

    @property
    def what(self) -> str:
        return self._described()[0]

    @property
    def way_out(self) -> str:
        return self._described()[1]


def unmerged(top: Path) -> list[Unmerged]:
    """Every unmerged path in the repository at ``top`` (`git ls-files -u`), in path order."""
    stages: dict[str, set[int]] = {}
    for entry in run(top, ["ls-files", "-u", "-z"]).split(b"\0"):
        info, tab, name = entry.partition(b"\t")
        if tab:
            stages.setdefault(name.decode("utf-8", "surrogateescape"), set()).add(int(info.split()[2]))
    return [Unmerged(path, frozenset(found)) for path, found in sorted(stages.items())]
