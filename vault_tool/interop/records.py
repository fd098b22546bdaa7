"""What a reader makes of another tool's file: contact records to import, and the problems it met."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from vault_tool.format.body import Interaction

FIELD_LIMIT = 4096  # characters of a front-matter value (a vCard's longer value is a file: interop/vcard.py)
NOTES_LIMIT = 1 << 20  # characters of notes
PHOTO_LIMIT = 10 << 20  # bytes of one photo


@dataclass
class Photo:
    """An embedded picture (or sound, key, any binary value): stored as a document of the contact (``files/<handle>/photo.jpg``).

    ``head`` is the property's head when the file's field does not say all of it (`PHOTO;TYPE=WORK`,
    `SOUND;TYPE=WAV`): the import keeps it under ``vcard:`` with the file's name as its value.
    """

    data: bytes
    extension: str
    field: str = "photo"  # the front-matter field that names the file (photo, logo, sound, key, attachments)
    head: str | None = None
    name: str = ""  # the file's name, once it has one


def keep_line(meta: dict[str, Any], head: str, value: str) -> None:
    """Add ``HEAD: value`` to the `vcard:` mapping of ``meta`` (a list when the head is there already)."""
    kept = meta.get("vcard")
    meta["vcard"] = add_kept(dict(kept) if isinstance(kept, dict) else {}, head, value)


def add_kept(mapping: dict[str, Any], head: str, value: str) -> dict[str, Any]:
    """``mapping`` (a `vcard:` mapping) with ``HEAD: value`` added: a head that repeats holds a list."""
    if head not in mapping:
        mapping[head] = value
    elif isinstance(mapping[head], list):
        mapping[head] = [*mapping[head], value]
    else:
        mapping[head] = [mapping[head], value]
    return mapping


@dataclass
class Incoming:
    """One contact read from a file, not yet in the vault."""

    meta: dict[str, Any]
    notes: str = ""
    interactions: list[Interaction] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    handle: str | None = None  # a handle the source asks for (JSON exports of a vault)
    keep_order: bool = False  # a vault's own export: its fields stay in their order
    line: int = 0  # where the record starts in its file (1-based; 0 if unknown)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))


@dataclass
class Problem:
    """A record that could not be read (it is skipped), or a file that has none."""

    line: int | None
    message: str


@dataclass
class ReadResult:
    records: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    guessed_encoding: str = ""  # the encoding the file was read in, when nothing named it (`Shift_JIS`)


def tag_of(text: str) -> str:
    """A tag from a group or category name: spaces and commas become '-' (`My Contacts` -> `My-Contacts`)."""
    return re.sub(r"[\s,]+", "-", text.strip()).strip("-")


def add_unique(items: list[str], value: str, key: Any = str.casefold) -> None:
    """Append ``value`` to ``items`` unless it is empty or already there (compared by ``key``)."""
    value = value.strip()
    if value and key(value) not in {key(i) for i in items}:
        items.append(value)


_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def birthday_of(text: str) -> str | None:
    """A birthday as the vault writes it (`1815-12-10`, `--12-10`), or None if ``text`` is not one for sure.

    Reads ISO and vCard forms (`18151210`, `1815-12-10T00:00:00Z`, `--1210`) and day/month/year with
    slashes or dots when only one reading is a date (`20/01/1991`); `03/04/1991` is ambiguous: None.
    """
    text = text.strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None
    match = _NO_YEAR.match(text)
    if match:
        month, day = (int(g) for g in match.groups())
        return f"--{month:02d}-{day:02d}" if _valid(2000, month, day) else None
    match = _SLASHED.match(text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        readings = {(m, d) for m, d in ((second, first), (first, second)) if _valid(year, m, d)}
        if len(readings) == 1:
            month, day = readings.pop()
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def check_sizes(record: Incoming) -> str | None:
    """Why the record is too big to be a contact (a field or the notes over their limit), or None."""
    for key, value in record.meta.items():
        for item in _leaves(value):
            if isinstance(item, str) and len(item) > FIELD_LIMIT:
                return (
                    f"'{key}' is {len(item):,} characters long (a field holds at most {FIELD_LIMIT:,}): "
                    "shorten it in the file"
                )
    if len(record.notes) > NOTES_LIMIT:
        return f"the notes are {len(record.notes):,} characters long (at most {NOTES_LIMIT:,}): shorten them"
    return None


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
