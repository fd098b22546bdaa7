"""What the contact files look like on disk right now: paths, sizes and modification times.

The index compares this with what it saw last time. Stat-ing every file (no reading, no
hashing) is what makes "nothing changed" cheap at any size; one digest over all the stats
lets an unchanged vault be recognised without loading the per-file manifest at all.
"""
from __future__ import annotations

import hashlib
import os
import time
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
        entries = list(os.scandir(folder))
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
            _walk(entry.path, f"{prefix}{name}/", found)


def trusted(stats: dict[str, Stat], now_ns: int | None = None) -> dict[str, Stat]:
    """``stats`` with files modified too recently to trust replaced by RACY (as git treats "racy" files)."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    return {rel: (RACY if now_ns - stat[1] < RACY_NS else stat) for rel, stat in stats.items()}


def digest(stats: dict[str, Stat], extra: str = "") -> str:
    """One digest of every (path, size, mtime); equal digests mean nothing changed."""
    lines = sorted(f"{rel}\t{size}\t{mtime}" for rel, (size, mtime) in stats.items())
    lines.append(extra)
    return hashlib.blake2b("\n".join(lines).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
