"""Where messages come from: an .eml file, standard input, an mbox file or a Maildir folder.

Each message is handed on as its bytes with the place it came from, or as a place that could not be
read. A file that starts with an mbox `From ` line is an mbox (one message or many); a folder with
`cur/` or `new/` is a Maildir. A "message" an mbox reader splits off at an unquoted body line
`From …` (no headers of its own) is put back into the message before it.
"""
from __future__ import annotations

import datetime as dt
import mailbox
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vault_tool.errors import InvalidValueError

_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_FROM_DATE = re.compile(r"(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s+\d{4})")
STDIN = "standard input"


@dataclass(frozen=True)
class Raw:
    """One message: where it is (`inbox.mbox: message 3 (byte 1200)`), its bytes, and when the mailbox
    says it arrived (the mbox `From ` line's time, the file's time), for a message with no usable Date."""

    where: str
    data: bytes
    arrived: dt.datetime | None = None


@dataclass(frozen=True)
class Unreadable:
    """A place that holds no message that can be read, and why."""

    where: str
    why: str


Item = Raw | Unreadable


@dataclass(frozen=True)
class Source:
    """One path given (or standard input): how many entries it holds, and a way to read them in order."""

    name: str
    count: int
    items: Callable[[], Iterator[Item]]


def sources(paths: list[str], stdin: bytes | None = None) -> list[Source]:
    """The sources ``paths`` name (`-`: ``stdin``); InvalidValueError for a path that is none."""
    found: list[Source] = []
    for name in paths:
        if name == "-":
            found.append(_stdin(stdin or b""))
            continue
        path = Path(name)
        if path.is_dir():
            found.append(_maildir(path))
        elif path.is_file():
            found.append(_file(path))
        else:
            raise InvalidValueError(f"{name}: no such file or folder (give an .eml file, an mbox, a Maildir or -)")
    return found


def _stdin(data: bytes) -> Source:
    return Source(STDIN, 1, lambda: iter([_single(STDIN, data, None)]))


def _file(path: Path) -> Source:
    try:
        with path.open("rb") as handle:
            start = handle.read(5)
    except OSError as exc:
        problem = Unreadable(str(path), f"cannot be read ({exc.strerror})")
        return Source(str(path), 1, lambda: iter([problem]))
    if start == b"From ":
        box = mailbox.mbox(path, create=False)
        keys = list(box.keys())
        return Source(str(path), len(keys), lambda: _mbox(path, box, keys))
    return Source(str(path), 1, lambda: iter([_eml(path)]))


def _eml(path: Path) -> Item:
    read = _read(path)
    return read if isinstance(read, Unreadable) else _single(str(path), *read)


def _read(path: Path) -> tuple[bytes, dt.datetime] | Unreadable:
    """A message file's bytes and when it arrived (its modification time)."""
    try:
        return path.read_bytes(), dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError as exc:
        return Unreadable(str(path), f"cannot be read ({exc.strerror or exc})")


def _single(where: str, data: bytes, arrived: dt.datetime | None) -> Raw:
    """A message on its own; a first line `From …` (an mbox's, as some programs pipe it) is left out."""
    if data.startswith(b"From "):
        first, _, data = data.partition(b"\n")
        arrived = from_line_time(first.decode("latin-1")) or arrived
    return Raw(where, data, arrived)


def _mbox(path: Path, box: mailbox.mbox, keys: list[str]) -> Iterator[Item]:
    """The messages of an mbox; a headerless piece goes back into the message before it."""
    toc = getattr(box, "_toc", {})
    pending: Raw | None = None
    try:
        for number, key in enumerate(keys, 1):
            whole = box.get_bytes(key, from_=True)
            first, _, data = whole.partition(b"\n")
            if pending is not None and not _HEADER_LINE.match(data.lstrip()):
                pending = Raw(pending.where, pending.data + whole, pending.arrived)
                continue
            if pending is not None:
                yield pending
            offset = toc.get(key, (None,))[0]
            where = f"{path}: message {number}" + (f" (byte {offset})" if offset is not None else "")
            pending = Raw(where, data, from_line_time(first.decode("latin-1")))
        if pending is not None:
            yield pending
    finally:
        box.close()


def from_line_time(line: str) -> dt.datetime | None:
    """The time on an mbox `From sender Sun Dec  6 07:13:25 2026` line (UTC), if it has one."""
    match = _FROM_DATE.search(line)
    if match is None:
        return None
    text = " ".join(match.group(1).split())
    for pattern in ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M %Y"):
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def _maildir(path: Path) -> Source:
    folders = [path / sub for sub in ("cur", "new") if (path / sub).is_dir()]
    if not folders:
        raise InvalidValueError(f"{path}: a folder, but no Maildir (it has no cur/ or new/); give a Maildir, "
                                "an mbox or .eml files")
    entries = [folder / name for folder in folders for name in sorted(os.listdir(folder)) if not name.startswith(".")]
    return Source(str(path), len(entries), lambda: (_maildir_entry(entry) for entry in entries))


def _maildir_entry(entry: Path) -> Item:
    read = _read(entry)
    return read if isinstance(read, Unreadable) else Raw(str(entry), *read)
