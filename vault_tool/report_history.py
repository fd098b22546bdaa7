"""Every contact's stage over time, from ONE pass over `git log` (not a git call per contact).

`git log --raw` lists, commit by commit along the first-parent line, the blob
each contact file had after the commit; one `git cat-file --batch` reads those
blobs; the `stage:` of each version gives a timeline per file. Renames
(`contacts mv`) carry a timeline to the new path; a deleted file's timeline
ends with it. A change merged from a branch counts from the day it reached the
current branch (the merge), which is when it entered the shared book.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import yamlsafe
from .errors import GitError

_NULL_SHA = "0" * 40
_STAGE_LINE = re.compile(r"^stage[ \t]*:(.*)$", re.M)
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*\r?(?=\n|$)")
_YAML_SIGNS = set("\"'#{}[]&*!|>%@`")


@dataclass(frozen=True)
class StageEvent:
    """From ``day`` on, the contact was at ``stage`` ("" when its file names none)."""

    day: dt.date
    stage: str


@dataclass
class _Change:
    day: dt.date
    path: str  # relative to the repository's top, '/'-separated
    blob: str | None  # None: the file was deleted
    renamed_from: str | None = None


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"{cwd}: cannot run git ({exc.strerror})") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{cwd}: git {args[0]} failed ({detail[-1] if detail else 'no detail'})")
    return done.stdout


def _in_scope(path: str, prefix: str) -> bool:
    if not path.startswith(prefix) or not path.endswith(".md"):
        return False
    return not any(part.startswith(".") for part in path[len(prefix):].split("/"))


def _parse_log(out: bytes, prefix: str) -> list[_Change]:
    """The contact-file changes in `git log --raw -z` output, oldest first."""
    tokens = out.split(b"\0")
    changes: list[_Change] = []
    day = dt.date.min
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if token.startswith(b"\x01"):
            day = dt.date.fromisoformat(token[1:].split(b" ")[1].decode())
            continue
        if not token.startswith(b":"):
            continue
        meta = token[1:].decode().split(" ")
        status, new_blob = meta[4], meta[3]
        count = 2 if status[0] in "RC" else 1
        paths = [os.fsdecode(t) for t in tokens[i : i + count]]
        i += count
        changes += _changes_of(day, status[0], paths, None if new_blob == _NULL_SHA else new_blob, prefix)
    return changes


def _changes_of(day: dt.date, status: str, paths: list[str], blob: str | None, prefix: str) -> list[_Change]:
    new = paths[-1]
    if status == "R":
        old_in, new_in = _in_scope(paths[0], prefix), _in_scope(new, prefix)
        if old_in and new_in:
            return [_Change(day, new, blob, renamed_from=paths[0])]
        if old_in:
            return [_Change(day, paths[0], None)]
    if not _in_scope(new, prefix):
        return []
    return [_Change(day, new, None if status == "D" else blob)]


def stage_of(text: str) -> str:
    """The `stage:` in a contact file's front matter ("" if it has none or has no front matter)."""
    text = text.lstrip("\ufeff")
    first = text.find("\n")
    if first < 0 or text[:first].rstrip() != "---":
        return ""
    closing = _CLOSING.search(text, first)
    front = text[first : closing.start() if closing else len(text)]
    match = _STAGE_LINE.search(front)
    if not match:
        return ""
    value = match.group(1).strip()
    if _YAML_SIGNS.isdisjoint(value):
        return value
    try:  # quoted, commented or otherwise YAML-ish: read it as YAML does
        loaded = yamlsafe.load("stage: " + value)
    except Exception:  # noqa: BLE001 - a version that does not parse names no stage
        return ""
    stage = loaded.get("stage") if isinstance(loaded, dict) else None
    return "" if stage is None or isinstance(stage, (list, dict)) else str(stage)


def _read_blobs(top: Path, blobs: list[str]) -> dict[str, str]:
    """The stage named in each blob, read by one `git cat-file --batch`."""
    if not blobs:
        return {}
    out = _git(["cat-file", "--batch"], top, ("\n".join(blobs) + "\n").encode())
    stages: dict[str, str] = {}
    pos = 0
    for sha in blobs:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split(b" ")
        if len(header) < 3:  # `<sha> missing`: a shallow or partial clone
            pos = header_end + 1
            continue
        size = int(header[2])
        body = out[header_end + 1 : header_end + 1 + size]
        stages[sha] = stage_of(body.decode("utf-8", "replace"))
        pos = header_end + 1 + size + 1
    return stages


def repo_top(root: Path) -> Path | None:
    """The top of the git working tree that holds ``root``, or None when it is not in one."""
    try:
        out = _git(["rev-parse", "--show-toplevel"], root)
    except GitError:
        return None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def _has_commits(top: Path) -> bool:
    try:
        _git(["rev-parse", "--verify", "-q", "HEAD"], top)
    except GitError:
        return False
    return True


def stage_timelines(root: Path, contacts_dir: Path) -> dict[str, list[StageEvent]] | None:
    """Each contact file's stage changes (oldest first), keyed by its path relative to ``root``
    ('/'-separated, as it is now); None when ``root`` is not in a git repository.

    A timeline's first event is the day the file was first committed, with the stage it had then.
    """
    top = repo_top(root)
    if top is None:
        return None
    if not _has_commits(top):
        return {}
    out = _git(
        ["-c", "core.quotePath=false", "log", "--reverse", "--first-parent", "--diff-merges=first-parent",
         "--raw", "-z", "--no-abbrev", "-M", "--format=%x01%H %as", "--", str(contacts_dir)],
        root,
    )
    prefix = os.path.relpath(contacts_dir.resolve(), top.resolve()).replace(os.sep, "/") + "/"
    changes = _parse_log(out, "" if prefix == "./" else prefix)
    stages = _read_blobs(top, sorted({c.blob for c in changes if c.blob}))
    timelines: dict[str, list[StageEvent]] = {}
    for change in changes:
        if change.renamed_from is not None:
            timelines[change.path] = timelines.pop(change.renamed_from, [])
        if change.blob is None:
            timelines.pop(change.path, None)
            continue
        stage = stages.get(change.blob, "")
        events = timelines.setdefault(change.path, [])
        if not events or events[-1].stage != stage:
            events.append(StageEvent(change.day, stage))
    base = os.path.relpath(root.resolve(), top.resolve()).replace(os.sep, "/")
    return {_relative(path, base): events for path, events in timelines.items()}


def _relative(path: str, base: str) -> str:
    return path if base == "." else path[len(base) + 1 :]
