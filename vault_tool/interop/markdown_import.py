"""People notes from other Markdown tools (Obsidian, Logseq, Hugo, Dendron, Foam, plain notes) as contacts.

A note is one contact: its front matter (YAML `---`, TOML `+++` or JSON `{`, split by
python-frontmatter, which only ever reads these files) gives the fields, its body the
notes, and a level-2 heading in the vault's interaction format (`## 2026-11-20 call — Renewal`)
starts an interaction. Common keys of other tools fill the vault's fields (`email`, `mail`,
`tel`, `org`, `role`, `born`, `url`, a vCard plugin's `EMAIL[HOME]`, `N.GN`, `ADR[HOME].STREET`
…); any other key stays a custom field, its value made one the vault's files hold (a date as a
date, a nested list as JSON text). The name is the `name` key, else the name parts, else the
page's `title`, else the file's stem. Logseq's page properties (`tags:: a, [[b c]]` lines at the
top of the body) are read as front matter. A note without a uid gets one made from its file
name and text, so importing the same notes again finds them as duplicates.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter import detect_format
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from vault_tool.format import yamlsafe
from vault_tool.format.body import parse_body
from vault_tool.format.contact import KINDS, KNOWN_FIELDS
from vault_tool.format.fields import computed_key_problem
from vault_tool.format.handles import unique
from vault_tool.format.yamledit import Plain
from vault_tool.interop.csv_columns import custom_key
from vault_tool.interop.encoding import decode
from vault_tool.interop.records import (
    Incoming,
    Problem,
    ReadResult,
    add_unique,
    birthday_of,
    tag_of,
)
from vault_tool.interop.vcard_syntax import Prop, escape

_NAMESPACE = uuid.UUID("6b1d3c52-1f0e-5a8e-9d49-3f6a2f8b7c10")  # uids of notes that have none
_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "fullname", "fn", "display_name", "displayname", "formatted_name"),
    "name.given": ("first_name", "firstname", "given_name", "givenname", "first", "given"),
    "name.additional": ("middle_name", "middlename", "additional_name", "middle"),
    "name.family": ("last_name", "lastname", "family_name", "familyname", "surname", "last", "family"),
    "title?": ("title",),  # the page's title (the name) when no name key is there, else the job title
    "title": ("role", "job", "job_title", "jobtitle", "position", "occupation"),
    "company": ("company", "organization", "organisation", "org", "employer", "organizations", "organisations",
                "orgs", "affiliation"),
    "emails": ("email", "emails", "mail", "e_mail", "e_mails", "email_address", "mailto"),
    "phones": ("phone", "phones", "tel", "telephone", "mobile", "cell", "phone_number", "cellphone", "mobile_phone"),
    "tags": ("tags", "tag"),
    "categories": ("categories",),
    "birthday": ("birthday", "birthdate", "born", "bday", "birth_date", "date_of_birth", "dob"),
    "address": ("address", "adr", "street_address", "postal_address", "home_address"),
    "links": ("links", "link", "website", "websites", "url", "urls", "homepage", "home_page", "web", "site"),
    "aliases": ("aliases", "alias"),
    "nickname": ("nickname", "nick"),
    "uid": ("uid",),
    "kind": ("kind",),
    "stage": ("stage",),
    "owner": ("owner",),
    "keep_in_touch": ("keep_in_touch",),
    "photo": ("photo", "logo"),
}
_N_PARTS = {"gn": "given", "given": "given", "mn": "additional", "an": "additional", "additional": "additional",
            "fn": "family", "family": "family", "prefix": "prefix", "pfx": "prefix", "suffix": "suffix",
            "sfx": "suffix"}
_NAME_ORDER = ("prefix", "given", "additional", "family", "suffix")
_ADDRESS_PARTS = {"pobox": "pobox", "po_box": "pobox", "extended": "extended", "ext": "extended",
                  "street": "street", "locality": "city", "city": "city", "region": "region", "state": "region",
                  "province": "region", "postal": "postal", "postcode": "postal", "postal_code": "postal",
                  "zip": "postal", "code": "postal", "country": "country"}
_ADDRESS_ORDER = ("pobox", "extended", "street", "city", "region", "postal", "country")
_KEY = re.compile(r"(?P<base>[^\[\].]+)(?:\[(?P<label>[^\]]*)\])?(?:\.(?P<part>.+))?")
_WIKI = re.compile(r"^\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]$")
_LOGSEQ = re.compile(r"^(?P<key>[A-Za-z][\w-]*):: ?(?P<value>.*?)\s*$")
_LOGSEQ_ITEM = re.compile(r"\[\[([^\]]+)\]\]|([^,]+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.IGNORECASE)
_SCALARS = (str, int, float, bool)


class _Unreadable(Exception):
    """The front matter cannot be read: the note is skipped."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _NoteLoader(yamlsafe.StrictLoader):
    """The vault's strict loader, except that `+4420…` stays text: a phone number, not an integer."""


_NoteLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yamlsafe.StrictLoader.yaml_implicit_resolvers.items()
}
_NoteLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^-?(?:0|[1-9][0-9]*)$"),
                                  list("-0123456789"))


class _YAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        if "&" in fm or "*" in fm:
            yamlsafe.refuse_anchors(fm)  # a note has no use for them, and they can stand for more than memory
        return yaml.load(fm, Loader=_NoteLoader)


class _TOML(BaseHandler):
    """TOML front matter between `+++` lines, read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str) -> dict[str, Any]:
        return tomllib.loads(fm)


def read(data: bytes, stem: str) -> ReadResult:
    """The contact in one note; ``stem`` is its file name without the extension (the name when none is given)."""
    text = decode(data).text.lstrip("\ufeff").replace("\r\n", "\n")
    result = ReadResult()
    if "\x00" in text:
        result.problems.append(Problem(None, "the file holds binary data (NUL bytes), not a note: it is skipped"))
        return result
    try:
        meta, body = _front_matter(text)
    except _Unreadable as exc:
        result.problems.append(Problem(exc.line, f"{exc.message}; the note is skipped"))
        return result
    properties, body = _logseq_properties(body)
    for key, value in properties.items():
        meta.setdefault(key, value)
    result.records.append(record_of(meta, body, stem, uid_seed=f"{stem}\n{text.strip()}"))
    return result


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter's mapping and the body; no front matter: nothing and the whole text."""
    handler = detect_format(text, [_YAML(), _TOML(), JSONHandler()])
    if handler is None:
        return {}, text
    assert handler.FM_BOUNDARY is not None
    opening = handler.FM_BOUNDARY.search(text)
    first = text.count("\n", 0, opening.end() if opening and not isinstance(handler, JSONHandler) else 0) + 1
    try:
        front, body = handler.split(text)
    except ValueError:
        closing = "'}' line" if isinstance(handler, JSONHandler) else f"'{handler.END_DELIMITER}' line"
        raise _Unreadable(1, f"the front matter is not closed: add a {closing} after it") from None
    try:
        meta = handler.load(front)
    except yaml.YAMLError as exc:
        line = yamlsafe.error_line(exc)
        raise _Unreadable(first + line - 1 if line else first, yamlsafe.load_problem(exc, "a note")) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise _Unreadable(first + int(found.group(1)) - 1 if found else first, f"invalid TOML: {message}") from None
    except json.JSONDecodeError as exc:
        raise _Unreadable(exc.lineno, f"invalid JSON front matter: {exc.msg} (column {exc.colno})") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict):
        raise _Unreadable(first, "the front matter is not a mapping of keys to values")
    return meta, body


def _logseq_properties(body: str) -> tuple[dict[str, Any], str]:
    """Logseq's page properties (`key:: value` lines at the top of the body) and the body without them."""
    lines = body.split("\n")
    properties: dict[str, Any] = {}
    count = 0
    for line in lines:
        match = _LOGSEQ.match(line)
        if not match:
            break
        key, value = match["key"], match["value"]
        is_list = key.lower() in ("tags", "alias", "aliases")
        properties[key] = [i.strip() for pair in _LOGSEQ_ITEM.findall(value) for i in pair if i.strip()] \
            if is_list else value
        count += 1
    return properties, "\n".join(lines[count:])


@dataclass
class _Note:
    """What the front matter says, gathered key by key, before it becomes a record."""

    known: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)  # name parts
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)  # label -> part -> text
    title: str = ""
    kept: list[Prop] = field(default_factory=list)  # labels of emails and phones, kept under `vcard:`
    warnings: list[str] = field(default_factory=list)

    def add(self, field_name: str, items: list[str]) -> None:
        if not items:
            return
        values: list[str] = self.known.setdefault(field_name, [])
        for item in items:
            add_unique(values, item)

    def keep(self, key: str, value: Any) -> None:
        """A custom field: under a name the vault's files hold, not one the tool computes or knows."""
        name = custom_key(key)
        if computed_key_problem(name) or name in KNOWN_FIELDS:
            name = f"{name}_in_note"
        base, number = name, 2
        while name in self.custom:
            name, number = f"{base}_{number}", number + 1
        self.custom[name] = clean(value)


def record_of(front: dict[str, Any], body: str, stem: str, uid_seed: str = "") -> Incoming:
    """The record for one note: its front matter's mapping, its body and its file's stem."""
    note = _Note()
    for key, value in front.items():
        if clean(value) is not None:
            _put(note, str(key), value)
    meta = _fields(note, stem)
    if "uid" not in meta and uid_seed:
        meta["uid"] = f"urn:uuid:{uuid.uuid5(_NAMESPACE, uid_seed)}"
    parsed = parse_body(body)
    return Incoming(meta=meta, notes=parsed.notes, interactions=parsed.interactions, warnings=note.warnings)


def _fields(note: _Note, stem: str) -> dict[str, Any]:
    meta = note.known
    name = meta.pop("name", None) or " ".join(note.parts[p] for p in _NAME_ORDER if note.parts.get(p))
    if not name and note.title:
        name, note.title = note.title, ""
    if note.title and "title" in meta:
        note.keep("title", note.title)
    elif note.title:
        meta["title"] = note.title
    for label, parts in note.addresses.items():
        text = ", ".join(parts[p] for p in _ADDRESS_ORDER if parts.get(p))
        if "address" not in meta:
            meta["address"] = text
        else:
            note.keep(f"address {label or 'other'}", text)
    ordered: dict[str, Any] = {"name": name or stem.strip() or "unnamed"}
    ordered.update(meta)
    if "categories" in ordered:
        tags = ordered.setdefault("tags", [])
        for tag in ordered.pop("categories"):
            add_unique(tags, tag)
    if note.kept:
        from vault_tool.interop.vcard import to_mapping

        note.custom["vcard"] = to_mapping(note.kept)
    ordered.update(note.custom)
    return ordered


def _put(note: _Note, key: str, value: Any) -> None:
    normal = re.sub(r"[\s_-]+", "_", key.strip().lower())
    match = _KEY.fullmatch(normal)
    base, label, part = (match["base"], match["label"], match["part"]) if match else (normal, None, None)
    if base == "n" and part in _N_PARTS and label is None:
        note.parts[_N_PARTS[part]] = _text(value)
        return
    target = next((f for f, keys in _FIELDS.items() if base in keys), None)
    if target is None or (part is not None and target != "address"):
        note.keep(key, value)
        return
    if target.startswith("name.") and part is None:
        note.parts[target[5:]] = _text(value)
    elif target in ("address",):
        _address(note, key, value, label or "", part)
    else:
        _field(note, target, key, value, label)


def _field(note: _Note, target: str, key: str, value: Any, label: str | None) -> None:
    if target == "name":
        note.known["name"] = _text(value)
    elif target == "title?":
        note.title = _text(value)
    elif target in ("title", "nickname", "owner", "stage", "uid"):
        note.known.setdefault(target, _text(value))
    elif target == "company":
        _company(note, key, value)
    elif target in ("emails", "phones"):
        _contact_items(note, target, key, value, label)
    elif target in ("tags", "categories", "aliases"):
        note.add(target, _tags(value, by_space=target == "tags") if target != "aliases" else _strings(value))
    elif target == "birthday":
        _birthday(note, key, value)
    elif target == "links":
        _links(note, key, value, label)
    elif target == "kind" and _text(value).lower().replace("organisation", "organization") in KINDS:
        note.known["kind"] = _text(value).lower().replace("organisation", "organization")
    elif target == "keep_in_touch":
        note.known["keep_in_touch"] = _text(value)
    else:  # a kind the vault does not know; a picture's path or URL in the other tool (not a file beside the contact)
        suffix = "url" if target == "photo" and _URL.match(_text(value)) else "file" if target == "photo" else ""
        note.keep(f"{key}_{suffix}" if suffix else f"{key}_as_written", value)


def clean(value: Any) -> Any:
    """``value`` as the vault's files hold it (None when empty): a date as a date, deeper structure as JSON text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DATE.fullmatch(text) and birthday_of(text) == text:
            return Plain(text)
        return text or None
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return Plain(value.isoformat())
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return clean(sorted(value, key=str))
    if isinstance(value, bytes):  # YAML's !!binary
        return value.decode("utf-8", "backslashreplace") or None
    if isinstance(value, list):
        items = [item for item in (_clean_item(v) for v in value) if item is not None]
        return items or None
    if isinstance(value, dict):
        mapping = {str(k): v for k, v in ((k, _clean_nested(v)) for k, v in value.items()) if v is not None}
        return mapping or None
    return str(value)


def _clean_item(value: Any) -> Any:
    """An item of a list: a scalar, or JSON text for a mapping or a list."""
    if isinstance(value, (dict, list)):
        return _json(_data(value)) if clean(value) is not None else None
    return clean(value)


def _clean_nested(value: Any) -> Any:
    """A value in a mapping: a scalar or a list of scalars, or JSON text for deeper structure."""
    if isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value):
        return clean(value)
    return _clean_item(value)


def _data(value: Any) -> Any:
    """``value`` as JSON data, its empty parts left out, its dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items() if clean(v) is not None}
    if isinstance(value, list):
        return [_data(v) for v in value if clean(v) is not None]
    cleaned = clean(value)
    return str(cleaned) if isinstance(cleaned, Plain) else cleaned


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _unlink(text: str) -> str:
    """`[[Acme Inc]]` -> `Acme Inc` (a field names the page a wiki-link points to); other text as it is."""
    match = _WIKI.match(text.strip())
    return match.group(1).strip() if match else text.strip()


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_unlink(str(v)) for v in value if clean(v) is not None)
    if isinstance(value, dict):
        return _json(value)
    return _unlink(str(value))


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_unlink(_text(v)) for v in items if v is not None and _text(v)]


def _tags(value: Any, by_space: bool) -> list[str]:
    """Tags from a list or a string (`a, b`, `#a #b`); `[[People]]` is `People`, an item `Bird Watching` `Bird-Watching`."""
    pieces: list[str] = []
    for item in _strings(value):
        pieces += re.split(r"[,\s]+" if by_space and not isinstance(value, list) else r",", item)
    return [tag for tag in (tag_of(_unlink(p.strip()).lstrip("#")) for p in pieces) if tag]


def _company(note: _Note, key: str, value: Any) -> None:
    items = [item for item in (value if isinstance(value, list) else [value]) if clean(item) is not None]
    names = [_text(i.get("name", "")) if isinstance(i, dict) else _text(i) for i in items]
    if names and names[0] and "company" not in note.known:
        note.known["company"] = names[0]
        first = items[0]
        extra = items[1:] + ([{k: v for k, v in first.items() if k != "name"}] if isinstance(first, dict) else [])
        if all(clean(item) is None for item in extra):
            return
    note.keep(key, value)


def _contact_items(note: _Note, target: str, key: str, value: Any, label: str | None) -> None:
    if isinstance(value, dict):  # `email: {home: …, work: …}`
        for name, item in value.items():
            if clean(item) is not None:
                _contact_items(note, target, f"{key} {name}", item, str(name))
        return
    pieces: list[str] = []
    for item in _strings(value):
        pieces += re.split(r"[,;]\s*|\s+(?=\S*@)" if target == "emails" else r"[;\n]\s*", item)
    values = [re.sub(r"^mailto:", "", p.strip(), flags=re.IGNORECASE) for p in pieces if p.strip()]
    if target == "emails" and any("@" not in v for v in values):
        note.keep(f"{key}_as_written", value)
        note.warnings.append(f"its {key} '{_text(value)}' is not an email address: kept as a custom field")
        values = [v for v in values if "@" in v]
    note.add(target, values)
    if label and label.strip():
        name = "EMAIL" if target == "emails" else "TEL"
        note.kept += [Prop(name, escape(v), {"TYPE": [label.strip().upper()]}) for v in values]


def _birthday(note: _Note, key: str, value: Any) -> None:
    day = birthday_of(str(value))
    if day and "birthday" not in note.known:
        note.known["birthday"] = Plain(day)
        return
    note.keep("birthday_as_written" if key.lower() == "birthday" else key, value)
    if not day:
        note.warnings.append(f"its {key} '{_text(value)}' is not a date for sure (use YYYY-MM-DD): "
                             "kept as a custom field")


def _links(note: _Note, key: str, value: Any, label: str | None) -> None:
    links: dict[str, str] = note.known.setdefault("links", {})
    if isinstance(value, dict):
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        pairs = [(label or "website", v) for v in (value if isinstance(value, list) else [value])]
    others = []
    for name, url in pairs:
        text = str(url).strip()
        if isinstance(url, str) and _URL.match(text):
            links[unique(re.sub(r"[^\w-]+", "-", name.lower()).strip("-") or "website", links.keys())] = text
        else:
            others.append(url)
    if not links:
        note.known.pop("links")
    if others:
        note.keep(key, others if len(others) > 1 else others[0])


def _address(note: _Note, key: str, value: Any, label: str, part: str | None) -> None:
    if part is not None:
        if part in _ADDRESS_PARTS:
            note.addresses.setdefault(label, {})[_ADDRESS_PARTS[part]] = _text(value)
        else:
            note.keep(key, value)
    elif isinstance(value, dict):
        parts = {_ADDRESS_PARTS.get(str(k).lower(), ""): _text(v) for k, v in value.items()}
        parts.pop("", None)
        note.addresses.setdefault(label, {}).update(parts)
    else:
        note.addresses.setdefault(label, {})["street"] = _text(value)
