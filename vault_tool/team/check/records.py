"""What the checks share: a problem, a file read once, what the checks know besides the files.

The checks of one file (files.py) take a ``FileRecord``; the checks of the vault as a whole
(vaultwide.py) take the few ``Facts`` each file contributes; run.py runs them all.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from vault_tool.errors import ParseError
from vault_tool.format import contact as contact_mod
from vault_tool.format.config import VaultConfig, parse_config
from vault_tool.format.contact import Contact
from vault_tool.format.fields import parse_phone
from vault_tool.format.layout import CONFIG_NAME
from vault_tool.format.regions import Region, contact_region, region_code
from vault_tool.store.vault import read_file
from vault_tool.team.check.scalars import NUMBERS_AND_BOOLEANS

ERROR = "error"
WARNING = "warning"
PHONE_FORMATS = ("e164", "international")


class Problem:
    """One thing wrong: ``line`` is 1-based (1 when it is about the whole file); immutable, compared by value.

    Its file is given as a Path, or as the path's text: a check of an unchanged vault gives tens of thousands
    of kept problems, and making a Path of each took a tenth of its time. `where` is the text either way;
    `path` makes the Path when asked for.
    """

    __slots__ = ("_at", "line", "severity", "message", "check", "fixable")
    _at: Path | str
    line: int
    severity: str
    message: str
    check: str
    fixable: bool

    def __init__(self, path: Path | str, line: int, severity: str, message: str, check: str,
                 fixable: bool = False) -> None:
        for name, value in (("_at", path), ("line", line), ("severity", severity), ("message", message),
                            ("check", check), ("fixable", fixable)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Problem cannot be changed (set {name!r}): make another")

    def __reduce__(self) -> tuple[type[Problem], tuple[Path | str, int, str, str, str, bool]]:
        """Pickled as its constructor's arguments (a check of many files sends problems between processes):
        pickle's default would set each slot, which `__setattr__` refuses."""
        return Problem, (self._at, self.line, self.severity, self.message, self.check, self.fixable)

    @property
    def path(self) -> Path:
        return self._at if isinstance(self._at, Path) else Path(self._at)

    @property
    def where(self) -> str:
        """The file's path as text."""
        return str(self._at)

    def with_severity(self, severity: str) -> Problem:
        return Problem(self._at, self.line, severity, self.message, self.check, self.fixable)

    def _key(self) -> tuple[str, int, str, str, str, bool]:
        return self.where, self.line, self.severity, self.message, self.check, self.fixable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Problem(path={self.where!r}, line={self.line!r}, severity={self.severity!r}, "
                f"message={self.message!r}, check={self.check!r}, fixable={self.fixable!r})")

    def to_dict(self, shown_path: str) -> dict[str, Any]:
        return {
            "path": shown_path, "line": self.line, "severity": self.severity,
            "message": self.message, "check": self.check, "fixable": self.fixable,
        }


@dataclass
class FileRecord:
    """A file read once for every check: its text, the contact if it parsed, where its keys are."""

    path: Path
    text: str | None = None
    contact: Contact | None = None
    error: ParseError | None = None
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def handle(self) -> str:
        return self.path.stem

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 2)

    def line_of_item(self, key: str, item: str) -> int:
        """The line of a list item: the first line of the key's lines that holds its text."""
        first = self.line_of(key)
        if self.text is None or self.contact is None or self.contact.source is None:
            return first
        stop = self.contact.source.body_line - 1
        following = [n for n in self.key_lines.values() if n > first] + [stop]
        lines = self.lines
        for number in range(first, min(following)):
            if item in lines[number - 1]:
                return number
        return first

    @cached_property
    def lines(self) -> list[str]:
        return (self.text or "").split("\n")


@dataclass
class CheckContext:
    """What the checks need to know besides the files."""

    root: Path
    config: VaultConfig
    today: dt.date
    phone_format: str | None = None
    yaml11: yaml.resolver.Resolver = field(default_factory=yaml.resolver.Resolver)
    numeric11: re.Pattern[str] = field(default_factory=lambda: numbers_and_booleans(yaml.resolver.Resolver))
    _phones: dict[tuple[str, str], phonenumbers.PhoneNumber | None] = field(default_factory=dict)

    def phone(self, text: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
        """``text`` parsed as a phone number (None if it does not parse); cached.

        Without a country code it is read in ``region`` (the contact's: see ``region_of``), else in the
        vault's default region.
        """
        key = (text, region or self.config.default_region)
        if key not in self._phones:
            self._phones[key] = parse_phone(*key)
        return self._phones[key]

    def region_of(self, meta: dict[str, Any]) -> Region:
        """The region a contact's phone numbers are read in: its country, else vault.yaml's default_region."""
        return contact_region(meta, self.config.default_region)


@dataclass
class CheckReport:
    problems: list[Problem]
    files: int  # contact files
    deals: int = 0  # deal files

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == WARNING)


FileCheck = Callable[[FileRecord, CheckContext], list[Problem]]


def numbers_and_booleans(resolver: type[yaml.resolver.BaseResolver]) -> re.Pattern[str]:
    """One pattern for the plain scalars ``resolver`` reads as a boolean, an integer or a float."""
    patterns = {
        regexp.pattern
        for resolvers in resolver.yaml_implicit_resolvers.values()
        for tag, regexp in resolvers
        if tag in NUMBERS_AND_BOOLEANS
    }
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)), re.X)


# Reading


_KEY_LINE = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#'"\-?:{\[][^:#]*?)[ \t]*:(?:[ \t]|$)""")


def key_lines(front_matter: str, first_line: int) -> dict[str, int]:
    """The 1-based line of each top-level key of a block mapping (the first one wins)."""
    found: dict[str, int] = {}
    for offset, line in enumerate(front_matter.split("\n")):
        match = _KEY_LINE.match(line)
        if match:
            key = match["key"].strip("\"'")
            found.setdefault(key, first_line + offset)
    return found


def read_record(path: Path, deal: bool = False) -> FileRecord:
    """Read one contact file (a deal file, as `contacts deal` reads it) for checking; a file that does not
    parse keeps its text and error."""
    record = FileRecord(path)
    try:
        data = read_file(path)
    except ParseError as exc:
        record.error = exc
        return record
    try:
        record.contact = contact_mod.parse(path, data, record="deal", decimals=True) if deal else \
            contact_mod.parse(path, data)
    except ParseError as exc:
        record.error = exc
        try:
            record.text, bom = contact_mod.decode(path, data)
            source = contact_mod.split(path, record.text, bom)
        except ParseError:
            return record
    else:
        assert record.contact.source is not None
        source = record.contact.source
        record.text = source.text
    record.key_lines = key_lines(source.front_matter, source.fm_line)
    return record


def load_config_for_check(root: Path) -> tuple[VaultConfig, list[Problem], str | None]:
    """vault.yaml read for checking: its problems are reported and the defaults used instead."""
    path = root / CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        return VaultConfig(), [Problem(path, 1, ERROR, f"cannot read ({reason})", "config")], None
    problems = conflict_markers_in(path, text)
    try:
        config = parse_config(path, text)
    except ParseError as exc:
        return VaultConfig(), problems + [Problem(path, exc.line or 1, ERROR, exc.message, "config")], None
    phone_format = config.raw.get("phone_format")
    if phone_format is not None and str(phone_format).lower() not in PHONE_FORMATS:
        line = key_lines(text, 1).get("phone_format", 1)
        problems.append(Problem(
            path, line, ERROR, f"phone_format must be one of {', '.join(PHONE_FORMATS)}, not '{phone_format}'", "config"
        ))
        phone_format = None
    problems += _region_problems(path, text, config)
    return config, problems, str(phone_format).lower() if phone_format is not None else None


def _region_problems(path: Path, text: str, config: VaultConfig) -> list[Problem]:
    """vault.yaml's default_region is a region phone numbers can be read in (else GB is used)."""
    from vault_tool.errors import InvalidValueError

    try:
        if region_code(config.default_region) == config.default_region.upper():
            return []
    except InvalidValueError:
        pass
    line = key_lines(text, 1).get("default_region", 1)
    message = (f"default_region must be a two-letter country code such as GB, DE or US, "
               f"not '{config.default_region}' (GB is used meanwhile)")
    config.default_region = VaultConfig().default_region
    return [Problem(path, line, ERROR, message, "config")]


# Shared by the checks


_MARKER = re.compile(r"^(<{7}(?: .*)?|={7}|>{7}(?: .*)?|\|{7}(?: .*)?)\r?$")


def conflict_markers_in(path: Path, text: str) -> list[Problem]:
    """Leftover git conflict markers: each `<<<<<<<`, and a `|||||||` or `>>>>>>>` left without one."""
    if "<<<<<<<" not in text and "|||||||" not in text and ">>>>>>>" not in text:
        return []
    problems = []
    opened = False
    for number, line in enumerate(text.split("\n"), start=1):
        match = _MARKER.match(line)
        if not match:
            continue
        marker = match.group(1)[:7]
        if marker == "<<<<<<<" or (marker in ("|||||||", ">>>>>>>") and not opened):
            problems.append(Problem(
                path, number, ERROR,
                f"unresolved git conflict (marker '{marker}'): keep the right lines, delete the markers, "
                "then 'git add' the file",
                "conflict",
            ))
        opened = marker != ">>>>>>>" and (opened or marker == "<<<<<<<")
    return problems


def iter_items(value: Any) -> Iterator[Any]:
    """The items of a list field as written: a single scalar is one item; None is no item."""
    if value is None:
        return
    if isinstance(value, list):
        yield from (v for v in value if v is not None)
    else:
        yield value


def describe_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"
