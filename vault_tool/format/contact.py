"""A contact file: Markdown with YAML front matter. Parsing, the model, rendering new files."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault_tool.errors import ParseError
from vault_tool.format.body import (
    Interaction,
    Task,
    escape_text,
    normalise_text,
    parse_body,
    render_interaction,
)

BOM = "\ufeff"
KNOWN_FIELDS = (
    "name", "kind", "emails", "phones", "company", "title", "tags", "stage", "owner",
    "address", "birthday", "keep_in_touch", "links", "uid",
)
LIST_FIELDS = ("emails", "phones", "tags")
QUOTED_FIELDS = frozenset({"phones"})
# Fields whose values are one line each: a line break in one could forge a table row, an address or a commit line.
SINGLE_LINE_FIELDS = ("name", "company", "title", "emails", "phones", "stage", "owner")
KINDS = ("person", "organization")
_CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>)(?: |\r?$)", re.MULTILINE)
CONFLICT_HELP = ("unresolved git conflict (conflict markers): keep the right lines, delete the <<<<<<< ======= >>>>>>> "
                 "lines, git add the file, then run the command again")


@dataclass
class SourceText:
    """The text of a contact file and where its front matter and body are."""

    text: str
    bom: bool
    newline: str
    fm_start: int  # index of the first front-matter character
    fm_end: int  # index of the closing `---` line
    body_start: int  # index just after the closing line

    @property
    def front_matter(self) -> str:
        return self.text[self.fm_start : self.fm_end]

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def fm_line(self) -> int:
        """1-based line number of the front matter's first line."""
        return self.text.count("\n", 0, self.fm_start) + 1

    @property
    def body_line(self) -> int:
        """1-based line number of the body's first line."""
        return self.text.count("\n", 0, self.body_start) + 1

    def with_front_matter(self, front_matter: str) -> str:
        return self.text[: self.fm_start] + front_matter + self.text[self.fm_end :]

    def encode(self, text: str | None = None) -> bytes:
        return ((BOM if self.bom else "") + (self.text if text is None else text)).encode("utf-8")


@dataclass
class Contact:
    """One person or organisation, as read from (or about to be written to) its file."""

    handle: str
    meta: dict[str, Any]
    notes: str = ""
    interactions: list[Interaction] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    path: Path | None = None
    source: SourceText | None = None

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or "person")

    def text_field(self, key: str) -> str:
        value = self.meta.get(key)
        return "" if value is None else str(value)

    def list_field(self, key: str) -> list[str]:
        return as_list(self.meta.get(key))

    @property
    def emails(self) -> list[str]:
        return self.list_field("emails")

    @property
    def phones(self) -> list[str]:
        return self.list_field("phones")

    @property
    def tags(self) -> list[str]:
        return self.list_field("tags")

    @property
    def custom(self) -> dict[str, Any]:
        return {k: v for k, v in self.meta.items() if k not in KNOWN_FIELDS}

    def last_contact(self, today: dt.date) -> dt.date | None:
        """The date of the most recent interaction on or before ``today``."""
        past = [i.date for i in self.interactions if i.date <= today]
        return max(past) if past else None

    def has_appointment(self, today: dt.date) -> bool:
        """Whether an interaction is an appointment on ``today`` or later (see Interaction.is_appointment):
        the next contact is planned."""
        return any(i.is_appointment(today) for i in self.interactions)

    def to_dict(self) -> dict[str, Any]:
        """Every field, the notes, interactions and tasks, as JSON-ready data."""
        return {
            "handle": self.handle,
            "fields": {k: (as_list(v) if k in LIST_FIELDS else v) for k, v in self.meta.items()},
            "notes": self.notes,
            "interactions": [
                {"date": i.date.isoformat(), "time": i.time, "kind": i.kind, "summary": i.summary or None,
                 "text": i.text}
                for i in self.interactions
            ],
            "tasks": [
                {
                    "text": t.text, "done": t.done,
                    "due": t.due.isoformat() if t.due else None,
                    "done_on": t.done_on.isoformat() if t.done_on else None,
                }
                for t in self.tasks
            ],
        }


def as_list(value: Any) -> list[str]:
    """A list field's items as strings; a single scalar reads as a one-item list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v) != ""]
    return [str(value)]


def decode(path: Path, data: bytes) -> tuple[str, bool]:
    """The file's text and whether it had a BOM; a ParseError for binary or non-UTF-8 data."""
    if b"\x00" in data:
        raise ParseError(path, "binary file (it contains NUL bytes), not a contact: move it out of contacts/")
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8-sig" if bom else "utf-8"), bom
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8", line
        ) from None


def split(path: Path, text: str, bom: bool) -> SourceText:
    """Locate the front matter between the opening and closing `---` lines."""
    first_end = text.find("\n")
    first = text[: first_end if first_end >= 0 else len(text)]
    if first.rstrip() != "---":
        raise ParseError(path, "no front matter: the file must start with a '---' line", 1)
    newline = "\r\n" if first.endswith("\r") else "\n"
    pos = first_end + 1 if first_end >= 0 else len(text)  # a lone `---` line is not closed
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text[pos:end].rstrip() in ("---", "..."):
            return SourceText(text, bom, newline, first_end + 1, pos, min(end + 1, len(text)))
        pos = end + 1
    raise ParseError(path, "the front matter is not closed: add a '---' line after it", 1)


def _load_front_matter(path: Path, source: SourceText, record: str = "contact", decimals: bool = False) -> dict[str, Any]:
    # YAML only when a file is read: the reading commands rebuild contacts from the index without it
    import yaml

    from vault_tool.format import yamlsafe

    try:
        meta = yamlsafe.load(source.front_matter, anchors=False, decimals=decimals)
    except yaml.YAMLError as exc:
        line = yamlsafe.error_line(exc)
        raise ParseError(path, yamlsafe.load_problem(exc, f"a {record}"), line + 1 if line else 2) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ParseError(path, "the front matter is not a mapping of keys to values", 2)
    name = meta.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        raise ParseError(path, f"'name' is missing: every {record} needs a name", 2)
    if not isinstance(name, (str, int, float)):
        raise ParseError(path, "'name' must be text", 2)
    return meta


def conflict_line(data: bytes) -> int | None:
    """The line of the first git conflict marker (`<<<<<<< `, `>>>>>>> `) in a file's bytes, or None."""
    found = _CONFLICT_MARKER.search(data)
    return data.count(b"\n", 0, found.start()) + 1 if found else None


def parse(path: Path, data: bytes, handle: str | None = None, record: str = "contact", decimals: bool = False,
          body: bool = True) -> Contact:
    """Read a contact from the bytes of its file (a deal: ``record`` "deal", numbers with a dot as Decimals).

    ``body=False``: the front matter alone, the notes, interactions and tasks left unread (empty), for a
    change to the front matter: reading and tagging 10,000 files took 3.5 s of CPU with their bodies
    parsed, 2.8 s without (store/bulk.py).
    """
    text, bom = decode(path, data)
    source = split(path, text, bom)
    try:
        meta = _load_front_matter(path, source, record, decimals)
    except ParseError:
        line = conflict_line(data)
        if line is None:
            raise
        raise ParseError(path, CONFLICT_HELP, line) from None
    if not body:
        return Contact(handle=handle or path.stem, meta=meta, path=path, source=source)
    parsed = parse_body(source.body, source.body_line)
    return Contact(
        handle=handle or path.stem, meta=meta, notes=parsed.notes,
        interactions=parsed.interactions, tasks=parsed.tasks, path=path, source=source,
    )


def render(contact: Contact, newline: str = "\n", keep_order: bool = False) -> str:
    """The text of a new file for ``contact`` (known fields first, in their usual order, unless ``keep_order``)."""
    ordered = dict(contact.meta) if keep_order else {k: contact.meta[k] for k in KNOWN_FIELDS if k in contact.meta}
    ordered.update(contact.custom)
    from vault_tool.format import yamledit  # as _load_front_matter: YAML only when a file is written

    front = yamledit.edit_mapping("", ordered, newline, QUOTED_FIELDS)
    parts = [f"---{newline}{front}---{newline}"]
    notes = normalise_text(contact.notes)
    if notes:
        parts.append(escape_text(notes).replace("\n", newline) + newline)
    for item in contact.interactions:
        parts.append(newline + render_interaction(item, newline))
    return "".join(parts)


def append_section(text: str, section: str, newline: str) -> str:
    """``text`` with ``section`` appended after one blank line; no existing byte changes."""
    if not text.endswith("\n"):
        text += newline
    if not text.endswith(newline + newline):
        text += newline
    return text + section
