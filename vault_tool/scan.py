"""What the contact files look like on disk right now: paths, sizes and modification times.

The index compares this with what it saw last time. Stat-ing every file (no reading, no
hashing) is what makes "nothing changed" cheap at any size; one digest over all the stats
lets an unchanged vault be recognised without loading the per-file manifest at all.

The stats are a syscall per file, and on a large vault they cost about as much as Python's
start-up. `BackgroundScan` runs them in a forked child while the parent imports what it needs
(the search index library), so a search pays for the slower of the two, not their sum; on a
very large vault the child hands half of the files to a child of its own.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from .config import RACY_NS
from .forked import Child, can_fork

Stat = tuple[int, int]  # (size, mtime_ns)
RACY: Stat = (-1, -1)  # recorded for a file too young to trust: it is re-read next time
Folder = tuple[str, str, list[str]]  # (folder, its path relative to the contacts folder + '/', .md names)
SPLIT_FROM = 20_000  # files; from here a background scan stats them in two processes
DIGEST_LENGTH = 32  # hex characters


def scan(contacts_dir: Path, split_from: int | None = None) -> dict[str, Stat]:
    """Every contact file under ``contacts_dir`` (hidden names skipped), keyed by path relative to it.

    From ``split_from`` files on, half of them are stat-ed here and half in a forked child.
    """
    folders: list[Folder] = []
    _list(str(contacts_dir), "", folders)
    total = sum(len(names) for _, _, names in folders)
    if split_from is not None and total >= split_from and can_fork():
        first, second = _halves(folders, total // 2)
        child = Child(lambda out: out.write(marshal.dumps(_stat(second), 2)))
        found = _stat(first)
        rest = _unmarshal(child)
        found.update(rest if isinstance(rest, dict) else _stat(second))
        return found
    return _stat(folders)


def _list(folder: str, prefix: str, folders: list[Folder]) -> None:
    """The .md names of ``folder`` and of its sub-folders, a sub-folder after its parent."""
    try:
        names = os.listdir(folder)  # names only: much cheaper than scandir's entries on a large folder
    except OSError:
        return
    files = [name for name in names if name.endswith(".md") and not name.startswith(".")]
    folders.append((folder, prefix, files))
    for name in names:
        if not name.endswith(".md") and not name.startswith("."):
            path = os.path.join(folder, name)
            if os.path.isdir(path) and not os.path.islink(path):
                _list(path, f"{prefix}{name}/", folders)


def _halves(folders: list[Folder], half: int) -> tuple[list[Folder], list[Folder]]:
    """``folders`` cut after the first ``half`` names, keeping their order."""
    first: list[Folder] = []
    for index, (folder, prefix, names) in enumerate(folders):
        if half <= len(names):
            first.append((folder, prefix, names[:half]))
            return first, [(folder, prefix, names[half:]), *folders[index + 1:]]
        first.append((folder, prefix, names))
        half -= len(names)
    return first, []


def _stat(folders: list[Folder]) -> dict[str, Stat]:
    """The (size, mtime) of each name that is a file, in the order given."""
    found: dict[str, Stat] = {}
    for folder, prefix, names in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)  # a stat relative to the folder is a shorter lookup
        except OSError:
            continue
        try:
            for name in names:
                try:
                    info = os.stat(name, dir_fd=fd)
                except OSError:
                    continue
                if S_ISREG(info.st_mode):
                    found[prefix + name] = (info.st_size, info.st_mtime_ns)
        finally:
            os.close(fd)
    return found


def trusted(stats: dict[str, Stat], now_ns: int | None = None) -> dict[str, Stat]:
    """``stats`` with files modified too recently to trust replaced by RACY (as git treats "racy" files).

    When no file is that young, ``stats`` itself is returned.
    """
    now_ns = time.time_ns() if now_ns is None else now_ns
    young = [rel for rel, (_, mtime) in stats.items() if now_ns - mtime < RACY_NS]
    if not young:
        return stats
    safe = dict(stats)
    safe.update(dict.fromkeys(young, RACY))
    return safe


def digest(stats: dict[str, Stat]) -> str:
    """One digest of every (path, size, mtime) in the order the scan met them.

    Equal digests mean nothing changed. A folder lists its entries in the same order until
    something in it changes, so a new order (a rare false "changed") only costs a look at the
    manifest, never a wrong answer.
    """
    # marshal version 2 writes no shared references, so the bytes depend only on the values
    return _digest_of(marshal.dumps(stats, 2))


def _digest_of(marshalled: bytes) -> str:
    return hashlib.blake2b(marshalled, digest_size=16).hexdigest()


class Scanned:
    """A scan's digest, and its stats, which a scan in a child sends only when they are asked for."""

    def __init__(self, found_digest: str, stats: dict[str, Stat] | None = None,
                 load: Callable[[], dict[str, Stat]] | None = None) -> None:
        self.digest = found_digest
        self._stats = stats
        self._load = load

    @property
    def stats(self) -> dict[str, Stat]:
        if self._stats is None:
            self._stats = self._load() if self._load else {}
        return self._stats


def scan_with_digest(contacts_dir: Path) -> Scanned:
    stats = scan(contacts_dir)
    return Scanned(digest(stats), stats)


class BackgroundScan:
    """`scan_with_digest` in a forked child, started now and collected by `result()`.

    The child sends the digest first and the stats after it; when the digest shows that
    nothing changed, the stats are never read (at 100,000 files that saves a tenth of a second).
    Where there is no fork (Windows), or the child fails for any reason, the scan is simply
    done in this process.
    """

    def __init__(self, contacts_dir: Path) -> None:
        self._dir = contacts_dir
        self._child = Child(lambda out: _scan_and_digest(contacts_dir, out)) if can_fork() else None

    def result(self) -> Scanned:
        child = self._child
        head = child.read(DIGEST_LENGTH) if child else b""
        if child is None or len(head) != DIGEST_LENGTH:
            if child:
                child.close()
            return scan_with_digest(self._dir)

        def load() -> dict[str, Stat]:
            found = _unmarshal(child)
            return found if isinstance(found, dict) else scan(self._dir)

        scanned = Scanned(head.decode("ascii"), load=load)
        weakref.finalize(scanned, child.close)  # stats never asked for: let the child go
        return scanned


def _scan_and_digest(contacts_dir: Path, out: BinaryIO) -> None:
    data = marshal.dumps(scan(contacts_dir, split_from=SPLIT_FROM), 2)
    out.write(_digest_of(data).encode("ascii"))
    out.write(data)


def _unmarshal(child: Child) -> object:
    """The rest of what ``child`` sent, unmarshalled; None if it failed."""
    data = child.rest()
    ok = child.close() == 0
    try:
        return marshal.loads(data) if ok else None
    except (EOFError, ValueError, TypeError):
        return None
