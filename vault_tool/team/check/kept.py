"""The checks of each file, kept between runs so that an unchanged file is not read and checked again.

Kept in `.vault/check-results` (marshal), one entry per contact file keyed as the index keys it:
its path relative to the contacts folder and its (size, modification time), with a file too young
to trust recorded as RACY and checked again (see search/scan.py). An entry holds the file's
problems, the facts it gives the vault-wide checks, and the day until which its results hold:
the checks of one file depend on today only through a birthday in the future and a date far ahead
(see `valid_until`), so an entry is checked again on the first day one of those could read
differently. The entries are kept in `PARTS` parts, each file in the part a CRC-32 of its path
names; a part holds a digest of its files' stats, the earliest day one of them expires and its files'
problems, and its entries are in a file of their own (`.vault/check-entries/NN`, of whose bytes the
part keeps a digest: a file that does not match it is not trusted). A part whose digest and day still
hold gives its problems without its entries being read: after one edit, one part's entries are
read, checked and written again, and `check-results` (the problems) is written again, not every
entry (28 MB at 100,000 contacts). The
whole is thrown away when vault.yaml, the checks' version or the phone format change, or when
today is earlier than the day it was made. While no file's facts change, the problems of the
vault-wide checks are kept too, so an edit is checked without building the facts of every file.
`.vault/check-summary` keeps the last check's problems with a digest of the stats of the files
it saw: a check the same day of files with the same digest (none of them young) answers from it
alone. Deleting either loses nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zlib import crc32

from vault_tool.fileio import atomic_write
from vault_tool.format.layout import CONFIG_NAME, handle_of
from vault_tool.team.check.files import FAR_FUTURE_YEARS
from vault_tool.team.check.records import FileRecord, Problem
from vault_tool.team.check.vaultwide import Facts, Value

NAME = "check-results"
ENTRIES = "check-entries"  # a folder: each part's entries in a file of its own
SUMMARY = "check-summary"  # the last check's problems, and the stats of the files it saw
VERSION = 7  # bump when a check changes what it finds, or how it is kept: kept results are then thrown away
PARTS = 32  # an edit reads and writes again the entries of one part: 1/32 of them
NEVER = "9999-12-31"  # the day until which an empty part holds
Stat = tuple[int, int]
Rows = list[tuple[Any, ...]]  # a file's problems: (line, severity, message, check, fixable) each
Entry = tuple[Stat, Rows, tuple[Any, ...], str]  # stat, problems, facts, valid until
StoredPart = tuple[str, str, bytes, str]  # digest of its stats, valid until, problems {rel: rows}, digest of its entries


@dataclass
class Kept:
    """The kept results by part (None where none was kept), and whether any part is new since they were read."""

    key: str
    day: str
    folder: Path  # of the parts' entries (ENTRIES)
    parts: list[StoredPart | None] = field(default_factory=lambda: [None] * PARTS)
    changed: bool = False
    vaultwide: list[tuple[Any, ...]] | None = None  # the vault-wide checks' problems, while no facts change
    stored: dict[int, bytes] = field(default_factory=dict)  # the entries of the parts stored since, to write

    def holds(self, number: int, stats_digest: str) -> bool:
        """Whether part ``number`` was kept for files with exactly these stats, and none of its results expired."""
        part = self.parts[number]
        return part is not None and stats_digest != "" and part[0] == stats_digest and part[1] > self.day

    def problems(self, number: int) -> dict[str, Rows] | None:
        """The problems of part ``number``'s files, by path (only files with problems); None if they cannot be read."""
        part = self.parts[number]
        return _loaded(part[2]) if part else None

    def entries(self, number: int) -> dict[str, Entry]:
        """Every kept entry of part ``number``, by path (none if they cannot be read, or their file is not the one
        the part names: its files are checked again)."""
        part = self.parts[number]
        data = self.stored.get(number)
        if part is None:
            return {}
        if data is None:
            try:
                data = (self.folder / _part_name(number)).read_bytes()
            except OSError:
                return {}
            if _bytes_digest(data) != part[3]:
                return {}
        return _loaded(data) or {}

    def store(self, number: int, stats_digest: str, entries: dict[str, Entry]) -> None:
        """Keep ``entries`` as part ``number``, for files whose stats have ``stats_digest``."""
        until = min((entry[3] for entry in entries.values()), default=NEVER)
        problems = {rel: entry[1] for rel, entry in entries.items() if entry[1]}
        data = self.stored[number] = marshal.dumps(entries)
        self.parts[number] = (stats_digest, until, marshal.dumps(problems), _bytes_digest(data))
        self.changed = True


def _part_name(number: int) -> str:
    return f"{number:02d}"


def _bytes_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _loaded(data: bytes) -> dict[str, Any] | None:
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return found if isinstance(found, dict) else None


def parts_of(rels: list[str]) -> list[int]:
    """The part each file's results are kept in: by its path alone, so files added elsewhere do not move it (one
    expression for all: a call per file was half the time of cutting 100,000 files' stats into parts)."""
    return [crc32(rel.encode("utf-8", "surrogateescape")) % PARTS for rel in rels]


def part_of(rel: str) -> int:
    return parts_of([rel])[0]


def grouped(rels: list[str], stats: dict[str, Stat]) -> list[dict[str, Stat]]:
    """The stats of ``rels`` (in their order) cut into the parts they are kept in."""
    parts: list[dict[str, Stat]] = [{} for _ in range(PARTS)]
    for rel, number in zip(rels, parts_of(rels)):
        parts[number][rel] = stats[rel]
    return parts


def stats_digest(stats: dict[str, Stat]) -> str:
    """A digest of a part's stats; none ("", which no part holds) when a file is too young to trust."""
    return "" if (-1, -1) in stats.values() else digest(stats)


def settings_key(root: Path, phone_format: str | None) -> str:
    """What every file's results depend on besides the file: vault.yaml, the checks, the phone format, and
    the documents (their stats: one added, replaced or removed by hand is checked again)."""
    try:
        config = (root / CONFIG_NAME).read_bytes()
    except OSError:
        config = b""
    from vault_tool.team.check.documents import documents_key

    return f"{VERSION}:{phone_format}:{hashlib.sha256(config).hexdigest()}:{documents_key(root)}"


def read_state(path: Path) -> dict[str, Any]:
    """What a check kept in ``path`` (marshal); empty when there is none, or it cannot be read."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(path: Path, data: dict[str, Any] | bytes) -> None:
    """Keep ``data`` (marshalled, unless it is bytes already) in ``path`` for the next check; a state folder that
    cannot be written only makes it slower.

    Written whole or not at all, but not forced to disk: it is a cache, and one lost to a crash is checked
    again. Waiting for the disk took 0.06–0.19 s for the 28 MB of 100,000 contacts' results, 0.05–0.08 s without.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data if isinstance(data, bytes) else marshal.dumps(data), durable=False)
    except OSError:
        pass


def load(state: Path, key: str, today: dt.date) -> Kept:
    """The kept results if they were made with ``key`` on or before ``today``; else none."""
    data = read_state(state / NAME)
    try:
        parts = data["parts"]
        if data.get("key") == key and data["day"] <= today.isoformat() and len(parts) == PARTS:
            kept = [part if _is_stored_part(part) else None for part in parts]
            return Kept(key, today.isoformat(), state / ENTRIES, kept, vaultwide=data.get("vaultwide"))
    except (KeyError, TypeError, ValueError):
        pass
    return Kept(key, today.isoformat(), state / ENTRIES, changed=True)


def _is_stored_part(part: object) -> bool:
    return (isinstance(part, tuple) and len(part) == 4 and isinstance(part[0], str) and isinstance(part[1], str)
            and isinstance(part[2], bytes) and isinstance(part[3], str))


def save(state: Path, kept: Kept) -> None:
    """Write the kept results (see write_state): the entries of the parts stored, then the parts that name them."""
    if kept.changed:
        for number, data in kept.stored.items():
            write_state(kept.folder / _part_name(number), data)
        write_state(state / NAME, {"key": kept.key, "day": kept.day, "parts": kept.parts,
                                   "vaultwide": kept.vaultwide})


def digest_of(stats: dict[str, Stat], links: list[str]) -> str:
    """One digest of every contact file's (path, size, mtime) and of the links, in the order listed."""
    return digest((stats, links))


def digest(value: Any) -> str:
    """One digest of a value marshal writes (the same for equal values built in the same order)."""
    return _bytes_digest(marshal.dumps(value, 2))


Young = dict[str, tuple[Any, Any]]  # rel -> (problems, facts) of a file too young to trust its stat


def load_summary(state: Path, key: str, today: dt.date, digest: str) -> tuple[list[Problem], Young] | None:
    """The last check's problems if it was made today, with ``key``, on files whose digest is ``digest``;
    and the results of the files that were too young then to trust their stat (check them again).

    Then no file changed (but perhaps those), none was added or removed, and no result can have
    expired: the check of an unchanged vault reads this and the files' stats, not every file's
    kept results.
    """
    data = read_state(state / SUMMARY)
    try:
        if (data.get("key"), data.get("day"), data.get("digest")) == (key, today.isoformat(), digest):
            return decoded(data["problems"], state.parent), dict(data["young"])
    except (KeyError, TypeError, ValueError):
        pass
    return None


def save_summary(state: Path, key: str, today: dt.date, digest: str, problems: list[Problem], young: Young) -> None:
    """Keep the problems of a check, and the results of its young files, for ``load_summary``."""
    write_state(state / SUMMARY, {"key": key, "day": today.isoformat(), "digest": digest,
                                  "problems": encoded(problems, state.parent), "young": young})


def same_results(entry: Entry, kept_young: tuple[Any, Any]) -> bool:
    """Whether a file checked again finds what its young self did (problems and facts)."""
    return (entry[1], entry[2]) == tuple(kept_young)


def fresh(entry: Entry | None, stat: Stat, day: str) -> Entry | None:
    """``entry`` if it still holds for a file with ``stat`` on ``day``."""
    if entry is None or tuple(entry[0]) != stat or stat == (-1, -1) or entry[3] <= day:
        return None
    return entry


def entry_of(stat: Stat, problems: list[Problem], facts: Facts, until: dt.date) -> Entry:
    rows = [(p.line, p.severity, p.message, p.check, p.fixable) for p in problems]
    values = {name: [(v.normal, v.written, v.line) for v in found] for name, found in facts.values.items()}
    shared = (facts.parsed, facts.kind, facts.name, facts.company, facts.company_line, values)
    return stat, rows, shared, until.isoformat()


def encoded(problems: list[Problem], root: Path) -> list[tuple[Any, ...]]:
    """Problems as kept: the path relative to the vault (cut as a string from a path under it: tens of
    thousands of warnings are kept after each check that found anything new)."""
    prefix = under(root)
    return [(_relative(p, root, prefix), p.line, p.severity, p.message, p.check, p.fixable) for p in problems]


def _relative(problem: Problem, root: Path, prefix: str) -> str:
    text = problem.where
    if text.startswith(prefix) and os.sep == "/":
        return text[len(prefix):]
    return problem.path.relative_to(root).as_posix()


def decoded(rows: list[tuple[Any, ...]], root: Path) -> list[Problem]:
    """Kept problems again, each naming its file by text (see Problem)."""
    prefix = under(root)
    return [Problem(prefix + rel, line, severity, message, check, fixable)
            for rel, line, severity, message, check, fixable in rows]


def under(folder: Path) -> str:
    """The text every path in ``folder`` starts with: a kept problem's file is named by it and its path there."""
    return f"{folder}{os.sep}"


def problems_of(where: str, rows: Rows) -> list[Problem]:
    """A file's kept problems; ``where``: its path as text (see Problem)."""
    return [Problem(where, line, severity, message, check, fixable) for line, severity, message, check, fixable
            in rows]


def facts_of(folder: Path, rel: str, entry: Entry) -> Facts:
    parsed, kind, name, company, company_line, values = entry[2]
    found = {key: [Value(*value) for value in items] for key, items in values.items() if items}
    return Facts(folder, rel, handle_of(rel), parsed, kind, name, company, company_line, found)


def valid_until(record: FileRecord, today: dt.date) -> dt.date:
    """The first day on which a check of this file could find something else than today.

    A check reads today only to say that a birthday is in the future (it no longer is on that day) and
    that a date is too far ahead to be meant (files._date_sanity: it no longer is from the first day of
    FAR_FUTURE_YEARS years before it). Any other date reads the same on every later day: an appointment
    next week does not make its file be checked again tomorrow.
    """
    contact = record.contact
    if contact is None:
        return dt.date.max
    days = [item.date for item in contact.interactions]
    days += [day for task in contact.tasks for day in (task.due, task.done_on) if day]
    later = [far for far in map(far_future_from, days) if far > today]
    birthday = str(contact.meta.get("birthday") or "")
    try:
        born = dt.date.fromisoformat(birthday)
    except ValueError:
        born = None
    if born is not None and born > today:
        later.append(born)
    return max(min(later, default=dt.date.max), today + dt.timedelta(days=1))


def far_future_from(day: dt.date) -> dt.date:
    """The first day on which ``day`` is no longer more than FAR_FUTURE_YEARS years ahead."""
    return dt.date(max(1, day.year - FAR_FUTURE_YEARS), 1, 1)
