"""Every contact's stage over time, from ONE pass over `git log` (not a git call per contact).

`git log --raw` lists, commit by commit along the first-parent line, the blob
each contact file had after the commit; one `git cat-file --batch` reads those
blobs; the `stage:` of each version gives a timeline per file. Renames
(`contacts mv`) carry a timeline to the new path; a deleted file's timeline
ends with it. A change merged from a branch counts from the day it reached the
current branch (the merge), which is when it entered the shared book.

History only grows, so the timelines are kept in `.vault/history` (marshal) with
the commit they were read up to: the next report reads only the commits made
since (`git log KNOWN..HEAD`). When that commit is no longer on the current
branch's first-parent line (a reset, a rebase, another branch) the whole log
is read again. The log is not limited to contacts/ by a pathspec: git would
then compare every commit's trees twice (to simplify history, then to show
it), which doubles its time on a flat folder of 10,000 files; paths outside
contacts/ are skipped here instead.
"""
from __future__ import annotations

import datetime as dt
import marshal
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vault_tool.errors import GitError
from vault_tool.store import git as gitcli

CACHE_NAME = "history"
CACHE_VERSION = 3  # 2: each distinct history once, and each path the number of its own; 3: marshal
LOG_SPLIT_FROM = 2000  # commits; a longer log is read in parts, two at once
LOG_PARTS = 8

_NULL_SHA = "0" * 40
_STAGE_LINE = re.compile(r"^stage[ \t]*:(.*)$", re.M)
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*\r?(?=\n|$)")
_YAML_SIGNS = set("\"'#{}[]&*!|>%@`")


@dataclass(frozen=True, slots=True)  # a report holds every contact's
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


def _in_scope(path: str, prefix: str) -> bool:
    if not path.startswith(prefix) or not path.endswith(".md"):
        return False
    return not any(part.startswith(".") for part in path[len(prefix):].split("/"))


def _parse_log(out: bytes, prefix: str) -> tuple[list[_Change], list[tuple[str, list[str]]]]:
    """The contact-file changes in `git log --raw -z` output, oldest first, and each (commit, parents)."""
    tokens = out.split(b"\0")
    changes: list[_Change] = []
    commits: list[tuple[str, list[str]]] = []
    day = dt.date.min
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if token.startswith(b"\x01"):
            sha, when, *parents = token[1:].decode().split(" ")
            day = dt.date.fromisoformat(when)
            commits.append((sha, parents))
            continue
        if not token.startswith(b":"):
            continue
        meta = token[1:].decode().split(" ")
        status, new_blob = meta[4], meta[3]
        count = 2 if status[0] in "RC" else 1
        paths = [os.fsdecode(t) for t in tokens[i : i + count]]
        i += count
        changes += _changes_of(day, status[0], paths, None if new_blob == _NULL_SHA else new_blob, prefix)
    return changes, commits


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
    from vault_tool.format import yamlsafe  # YAML only when history is read anew, not for every report

    try:  # quoted, commented or otherwise YAML-ish: read it as YAML does
        loaded = yamlsafe.load("stage: " + value)
    except Exception:  # noqa: BLE001 - a version that does not parse names no stage
        return ""
    stage = loaded.get("stage") if isinstance(loaded, dict) else None
    return "" if stage is None or isinstance(stage, (list, dict)) else str(stage)


def _read_blobs(top: Path, blobs: list[str]) -> dict[str, str]:
    """The stage named in each blob, read by one `git cat-file --batch` (a blob missing from a shallow
    or partial clone is left out)."""
    return {sha: stage_of(body.decode("utf-8", "replace"))
            for sha, body in gitcli.cat_files(top, blobs).items() if body is not None}


def repo_top(root: Path) -> Path | None:
    """The top of the git working tree that holds ``root``, or None when it is not in one."""
    try:
        out = gitcli.run(root, ["rev-parse", "--show-toplevel"])
    except GitError:
        return None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def _head(top: Path) -> str | None:
    try:
        return gitcli.run(top, ["rev-parse", "--verify", "-q", "HEAD"]).decode().strip()
    except GitError:
        return None  # no commits yet


Timelines = dict[str, list[list[str]]]  # top-relative path -> [[ISO day, stage], …], oldest first


def _log(top: Path, revisions: str, prefix: str) -> tuple[list[_Change], list[tuple[str, list[str]]]]:
    return _parse_log(_raw_log(top, revisions), prefix)


def _raw_log(top: Path, revisions: str) -> bytes:
    return gitcli.run(top, ["-c", "core.quotePath=false", "log", "--reverse", "--first-parent",
                            "--diff-merges=first-parent", "--raw", "-z", "--no-abbrev", "-M",
                            "--format=%x01%H %as %P", revisions])


def _whole_log(
    top: Path, head: str, prefix: str, split_from: int = LOG_SPLIT_FROM,
) -> tuple[list[_Change], list[tuple[str, list[str]]]]:
    """The log of everything up to ``head``; a long one read in parts by two git processes at once.

    Git's own diff of each commit's tree against its parent is most of the time (in a folder of
    10,000 contacts, each diff compares 10,000 entries), and one git process uses one core. Later
    commits cost more (the folder has grown), so the log is cut into several parts that two
    processes take in turn, rather than into two halves of which the newer takes longest.
    """
    line = gitcli.run(top, ["rev-list", "--first-parent", "--reverse", head]).decode().split()
    if len(line) < split_from:
        return _log(top, head, prefix)
    parts = min(LOG_PARTS, len(line))
    ends = [line[len(line) * k // parts - 1] for k in range(1, parts + 1)]
    ranges = [ends[0], *(f"{ends[k - 1]}..{ends[k]}" for k in range(1, parts))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        out = b"".join(pool.map(lambda revisions: _raw_log(top, revisions), ranges))
    return _parse_log(out, prefix)


def _apply(top: Path, changes: list[_Change], timelines: Timelines) -> None:
    """Add what ``changes`` did to ``timelines``."""
    stages = _read_blobs(top, sorted({c.blob for c in changes if c.blob}))
    for change in changes:
        if change.renamed_from is not None:
            timelines[change.path] = timelines.pop(change.renamed_from, [])
        if change.blob is None:
            timelines.pop(change.path, None)
            continue
        stage = stages.get(change.blob, "")
        events = timelines.setdefault(change.path, [])
        if not events or events[-1][1] != stage:
            events.append([change.day.isoformat(), stage])


def _read_cache(path: Path | None, prefix: str) -> tuple[str, list[list[list[str]]], dict[str, int]] | None:
    """The commit the kept timelines were read up to, each distinct history, and each path's number among them."""
    if path is None:
        return None
    try:
        data = marshal.loads(path.read_bytes())
        if data["version"] == CACHE_VERSION and data["prefix"] == prefix:
            histories, paths = data["histories"], data["paths"]
            if all(0 <= at < len(histories) for at in set(paths.values())):
                return str(data["head"]), histories, paths
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _unshared(histories: list[list[list[str]]], paths: dict[str, int]) -> Timelines:
    """Each path's own copy of its history, to change."""
    return {rel: [list(event) for event in histories[at]] for rel, at in paths.items()}


def _numbered(timelines: Timelines) -> tuple[list[list[list[str]]], dict[str, int]]:
    """Each distinct history of ``timelines`` once, and each path the number of its own."""
    numbers: dict[tuple[tuple[str, ...], ...], int] = {}
    paths = {rel: numbers.setdefault(tuple(map(tuple, events)), len(numbers)) for rel, events in timelines.items()}
    return [[list(event) for event in history] for history in numbers], paths


def _write_cache(path: Path | None, prefix: str, head: str, histories: list[list[list[str]]],
                 paths: dict[str, int]) -> None:
    """Keep the timelines read up to ``head``: each distinct history once, and each path the number of its own.

    Most files of a large vault share their history (committed the same day at the same stage, never
    changed): reading 100,000 of them back as lists took a fifth of a report, a few thousand a hundredth.
    """
    if path is None:
        return
    from vault_tool.fileio import atomic_write  # only when history was read anew

    data = {"version": CACHE_VERSION, "prefix": prefix, "head": head, "histories": histories, "paths": paths}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, marshal.dumps(data))
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower next time
        pass


def _since_known(top: Path, known: str, head: str, prefix: str, timelines: Timelines) -> bool:
    """Bring ``timelines`` (read up to ``known``) to ``head``; False when ``known`` is not on head's line."""
    try:
        changes, commits = _log(top, f"{known}..{head}", prefix)
    except GitError:  # `known` is gone (a rewritten history, garbage-collected)
        return False
    if not commits or not commits[0][1] or commits[0][1][0] != known:
        return False
    _apply(top, changes, timelines)
    return True


class StageHistories(Mapping[str, list[StageEvent]]):
    """Each contact file's stage changes by its path: files with the same history share one list (most of a large
    vault's do), and `shared` counts the files of each history without a lookup per file in Python."""

    def __init__(self, histories: list[list[StageEvent]], numbers: dict[str, int]) -> None:
        self._histories, self._numbers = histories, numbers

    def __getitem__(self, path: str) -> list[StageEvent]:
        return self._histories[self._numbers[path]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def shared(self, paths: Iterable[str]) -> list[tuple[list[StageEvent], int]]:
        """Each distinct history of the files at ``paths`` (none: an empty one) and how many of them have it."""
        none: list[StageEvent] = []
        counts = Counter(map(self._numbers.get, paths))
        return [(none if at is None else self._histories[at], count) for at, count in counts.items()]


def stage_timelines(root: Path, contacts_dir: Path, cache: Path | None = None) -> StageHistories | None:
    """Each contact file's stage changes (oldest first), keyed by its path relative to ``root``
    ('/'-separated, as it is now); None when ``root`` is not in a git repository.

    A timeline's first event is the day the file was first committed, with the stage it had then.
    ``cache`` (a file in .vault/) keeps what was read, so that later calls read only new commits.
    """
    top = repo_top(root)
    if top is None:
        return None
    head = _head(top)
    if head is None:
        return StageHistories([], {})
    prefix = os.path.relpath(contacts_dir.resolve(), top.resolve()).replace(os.sep, "/") + "/"
    prefix = "" if prefix == "./" else prefix
    known = _read_cache(cache, prefix)
    if known is not None and known[0] == head:
        histories, paths = known[1], known[2]
    else:
        timelines: Timelines = {}
        if known is None or not _since_known(top, known[0], head, prefix, timelines := _unshared(*known[1:])):
            timelines = {}
            _apply(top, _whole_log(top, head, prefix)[0], timelines)
        histories, paths = _numbered(timelines)
        _write_cache(cache, prefix, head, histories, paths)
    base = os.path.relpath(root.resolve(), top.resolve()).replace(os.sep, "/")
    events: dict[tuple[str, str], StageEvent] = {}  # a few thousand distinct ones

    def event(day: str, stage: str) -> StageEvent:
        found = events.get((day, stage))
        if found is None:
            found = events[(day, stage)] = StageEvent(dt.date.fromisoformat(day), stage)
        return found

    made = [[event(day, stage) for day, stage in history] for history in histories]
    return StageHistories(made, paths if base == "." else {_relative(path, base): at for path, at in paths.items()})


def _relative(path: str, base: str) -> str:
    return path if base == "." else path[len(base) + 1 :]
