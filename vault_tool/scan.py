"""What the contact files look like on disk right now: paths, sizes and modification times.

The index compares this with what it saw last time. Stat-ing every file (no reading, no
hashing) is what makes "nothing changed" cheap at any size; one digest over all the stats
lets an unchanged vault be recognised without loading the per-file manifest at all.

The stats are a syscall per file, and on a large vault they cost about as much as Python's
start-up. `BackgroundScan` runs them in a forked child while the parent imports what it needs
(the search index library), so a search pays for the slower of the two, not their sum.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .config import RACY_NS

Stat = tuple[int, int]  # (size, mtime_ns)
RACY: Stat = (-1, -1)  # recorded for a file too young to trust: it is re-read next time


def scan(contacts_dir: Path) -> dict[str, Stat]:
    """Every contact file under ``contacts_dir`` (hidden names skipped), keyed by path relative to it."""
    found: dict[str, Stat] = {}
    _walk(str(contacts_dir), "", found)
    return found


def _walk(folder: str, prefix: str, found: dict[str, Stat]) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)  # entries of a scandir(fd) stat relative to it: shorter lookups
    except OSError:
        return
    try:
        _read_folder(fd, folder, prefix, found)
    finally:
        os.close(fd)


def _read_folder(fd: int, folder: str, prefix: str, found: dict[str, Stat]) -> None:
    try:
        entries = list(os.scandir(fd))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith(".md"):
            try:
                info = entry.stat()
            except OSError:
                continue
            if entry.is_file():
                found[prefix + name] = (info.st_size, info.st_mtime_ns)
        elif entry.is_dir(follow_symlinks=False):
            _walk(os.path.join(folder, name), f"{prefix}{name}/", found)


def trusted(stats: dict[str, Stat], now_ns: int | None = None) -> dict[str, Stat]:
    """``stats`` with files modified too recently to trust replaced by RACY (as git treats "racy" files)."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    return {rel: (RACY if now_ns - stat[1] < RACY_NS else stat) for rel, stat in stats.items()}


def digest(stats: dict[str, Stat]) -> str:
    """One digest of every (path, size, mtime) in the order the scan met them.

    Equal digests mean nothing changed. A folder lists its entries in the same order until
    something in it changes, so a new order (a rare false "changed") only costs a look at the
    manifest, never a wrong answer.
    """
    return hashlib.blake2b(marshal.dumps(stats, 2), digest_size=16).hexdigest()  # version 2: no shared references, so the bytes depend only on the values


@dataclass(frozen=True)
class Scanned:
    stats: dict[str, Stat]
    digest: str


def scan_with_digest(contacts_dir: Path) -> Scanned:
    stats = scan(contacts_dir)
    return Scanned(stats, digest(stats))


class BackgroundScan:
    """`scan_with_digest` in a forked child, started now and collected by `result()`.

    Where there is no fork (Windows), or the child fails for any reason, the scan is simply
    done in this process when the result is asked for.
    """

    def __init__(self, contacts_dir: Path) -> None:
        self._dir = contacts_dir
        self._pid = 0
        self._fd = -1
        if not hasattr(os, "fork"):
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: scan, send, and leave without running any of the parent's clean-up
            status = 1
            try:
                os.close(read_end)
                found = scan_with_digest(contacts_dir)
                with os.fdopen(write_end, "wb") as out:
                    out.write(marshal.dumps((found.stats, found.digest)))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid, self._fd = pid, read_end

    def result(self) -> Scanned:
        if not self._pid:
            return scan_with_digest(self._dir)
        with os.fdopen(self._fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status == 0:
            try:
                stats, found_digest = marshal.loads(data)
                return Scanned(stats, found_digest)
            except (EOFError, ValueError, TypeError):
                pass
        return scan_with_digest(self._dir)
