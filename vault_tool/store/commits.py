"""The vault's git layer: commit exactly the files a command changed, with a person's message."""
from __future__ import annotations

import os
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from vault_tool.errors import GitError
from vault_tool.store.git import (
    IDENTITY_HINT,
    CommitHooks,
    CommitResult,
    identity_hint,
    identity_variables,
    repo_root,
    run,
    run_status,
)

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
    """Commit exactly ``paths`` (added, changed or deleted) and nothing else the user has staged.

    The repository's own hooks run (pre-commit, commit-msg …); when one refuses the commit, or
    the commit fails otherwise, git's index is put back as it was and the files stay as written.
    """
    with _open(workdir) as repo:
        top = Path(repo.working_tree_dir or workdir)
        rel = [os.path.relpath(p, top) for p in paths]
        present = [r for r, p in zip(rel, paths) if p.exists()]
        env = identity_env(repo)
        staged = _index_entries(top, rel)
        try:
            if present:
                repo.git.add("--", *present)
            if not repo.git.status("--porcelain", "--", *rel).strip():
                return CommitResult(None)
            known = repo.git.ls_files("--cached", "--", *rel).splitlines() if not repo.head.is_valid() else rel
            repo.git.commit("--quiet", "-m", message, "--only", "--", *known, env=env or {})
            return CommitResult(repo.head.commit.hexsha, env is not None)
        except GitCommandError as exc:
            _put_back_index(staged, top)
            raise GitError(_failure(top, exc)) from None


def _failure(top: Path, exc: GitCommandError) -> str:
    """One line for a `git commit` that failed: a hook that refused it is named as such."""
    said = (exc.stderr or str(exc)).strip()
    if said.startswith("stderr: '") and said.endswith("'"):  # how GitPython quotes git's standard error
        said = said[len("stderr: '") : -1]
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    detail = lines[-1] if lines else "no detail"
    hooks = [name for name in CommitHooks.of(top).names if name != "post-commit"]
    if hooks and not any(line.startswith(("fatal:", "error:")) for line in lines):
        what = f"a git hook ({', '.join(hooks)}) stopped the commit: {detail}"
    else:
        what = f"git commit failed ({detail.removeprefix('fatal: ').removeprefix('error: ')})"
    return f"{top}: {what}; the files are written but not committed: fix that, then commit them (git commit)"


def _index_entries(top: Path, rel: list[str]) -> bytes:
    """The index entries of ``rel`` as `update-index --index-info` lines (each path absent: a removal)."""
    if not rel:
        return b""
    listed = run(top, ["ls-files", "--stage", "-z", "--", *rel]).split(b"\0")
    entries = {line.split(b"\t", 1)[1]: line for line in listed if b"\t" in line}
    removals = [f"0 {'0' * 40}\t{r}".encode() for r in rel if r.encode() not in entries]
    return b"".join(line + b"\0" for line in [*removals, *entries.values()])


def _put_back_index(entries: bytes, top: Path) -> None:
    """git's index for ``rel`` as it was before a commit that failed."""
    if entries:
        run_status(top, ["update-index", "-z", "--index-info"], entries)


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
