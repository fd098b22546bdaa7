"""vCards as contact records, and contacts as vCards, without losing a property.

A property with a field of its own fills it: FN ``name``, EMAIL ``emails``,
TEL ``phones``, ORG ``company``, TITLE ``title``, ADR ``address``, BDAY
``birthday``, URL ``links``, CATEGORIES ``tags``, UID ``uid``, NICKNAME the
custom field ``nickname`` (as a CSV's Nickname column), NOTE the notes, KIND
(or Apple's X-ABShowAs) ``kind``; inline PHOTO and LOGO become documents of
the contact (`files/<handle>/photo.jpg`, format/documents.py), and so does any other inline
binary value (SOUND, KEY, an X-property's base64), its head kept under ``vcard:`` with the
file's name as value when the field does not say it all (`SOUND;TYPE=WAV: sound.wav`). A field vCard has no property for (stage, owner, any
custom field) is written as ``X-VAULT-FIELD;NAME=stage:customer`` and read
back into its field (each relation type as one: ``NAME=relations.reports_to``). Whatever a field cannot hold is kept in the front matter
under ``vcard:``, as ``HEAD: value`` in vCard's own encoding: properties
without a field (N, NICKNAME, X-…), and the full line of a property whose
field does not say everything about it (its TYPE labels, its group, a second
address). A value longer than a front-matter field holds (FIELD_LIMIT) fills
no field: like a binary value it is a file of the contact (`attachment.txt`,
`key.txt`, holding the value as written), named by its head under ``vcard:``
(`X-LONG: attachment.txt`); a long NOTE fills the notes. Export puts the fields
and the kept lines back together: a kept line is written while its value is
still in its field, and a field value changed by hand is written from the field.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vault_tool.format.contact import Contact, as_list
from vault_tool.format.documents import FILE_FIELDS as FILE_FIELDS  # fields that name a file of the contact
from vault_tool.format.documents import KEY as DOCUMENTS  # `files:`: documents, which no vCard carries
from vault_tool.format.handles import fold, unique
from vault_tool.format.relations import KEY as RELATIONS
from vault_tool.interop.encoding import charset_hints, decode
from vault_tool.interop.records import (
    FIELD_LIMIT,
    NOTES_LIMIT,
    PHOTO_LIMIT,
    Incoming,
    Photo,
    Problem,
    ReadResult,
    add_kept,
    add_unique,
    birthday_of,
    tag_of,
)
from vault_tool.interop.vcard_syntax import (
    RAW,
    Card,
    CardError,
    Prop,
    escape,
    lenient_prop,
    one_line,
    parse_card,
    rejoin_split_characters,
    serialize,
    split,
    split_cards,
)

VCARD_FIELD = "vcard"
VERSIONS = ("3.0", "4.0")
_IMAGE_EXTENSIONS = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "gif": "gif", "bmp": "bmp", "tiff": "tiff",
                     "webp": "webp", "heic": "heic"}
_OTHER_EXTENSIONS = {"wav": "wav", "wave": "wav", "mp3": "mp3", "mpeg": "mp3", "ogg": "ogg", "basic": "au",
                     "pgp": "pgp", "pgp-keys": "pgp", "x509": "cer", "pkix-cert": "cer", "pdf": "pdf"}
_MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
                "tiff": "image/tiff", "webp": "image/webp", "heic": "image/heic", "wav": "audio/wav",
                "mp3": "audio/mpeg", "ogg": "audio/ogg", "au": "audio/basic", "pgp": "application/pgp-keys",
                "cer": "application/pkix-cert", "pdf": "application/pdf"}
_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG", "png"), (b"GIF8", "gif"), (b"BM", "bmp"), (b"II*\x00", "tiff"),
          (b"MM\x00*", "tiff"), (b"OggS", "ogg"), (b"ID3", "mp3"), (b"%PDF", "pdf"), (b"-----BEGIN PGP", "pgp"))
_RIFF = {b"WEBP": "webp", b"WAVE": "wav"}
_BINARY_FIELDS = {"PHOTO": "photo", "LOGO": "logo", "SOUND": "sound", "KEY": "key"}
TEXT_EXTENSION = "txt"  # a file that holds a property's value as written (too long for the front matter), not data
_TEXT_FIELDS = {"SOUND": "sound", "KEY": "key"}  # the field of such a file (a picture's field names pictures only)
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_GENERIC_TYPES = frozenset({"pref", "internet", "x400", "voice"})
ORG_MARKERS = ("KIND", "X-ABSHOWAS")


# Reading


def read(data: bytes) -> ReadResult:
    """Every card in a .vcf file; a card that cannot be read is a Problem with its line."""
    data = rejoin_split_characters(data)
    decoded = decode(data, charset_hints(data))
    cards, problems = split_cards(decoded.text)
    result = ReadResult(problems=problems, guessed_encoding=decoded.guessed_name)
    if not cards and not problems:
        what = "the file is empty" if not decoded.text.strip() else "no vCard in it (no BEGIN:VCARD line)"
        result.problems.append(Problem(None, f"{what}: nothing to import"))
    for lines in cards:
        try:
            card = parse_card(lines, decoded.encoding)
            result.records.append(card_record(card))
        except CardError as exc:
            result.problems.append(Problem(exc.line, f"{exc.message}; the card at line {lines[0][0]} is skipped"))
    return result


def _group_labels(props: list[Prop]) -> dict[str, str]:
    """Apple's labels of grouped properties: `item1.X-ABLabel:_$!<HomePage>!$_` -> {item1: HomePage}."""
    labels = {}
    for prop in props:
        if prop.group and prop.name == "X-ABLABEL":
            text = prop.text().strip()
            match = _APPLE_LABEL.match(text)
            labels[prop.group.lower()] = match.group(1) if match else text
    return labels


def _address(parts: list[str]) -> str:
    lines = [ln.strip(" ,") for part in parts for ln in part.splitlines()]
    return ", ".join(ln for ln in lines if ln)


def _phone(prop: Prop) -> str:
    text = prop.text().strip()
    return text[4:] if text.lower().startswith("tel:") else text


def _birthday(prop: Prop) -> str | None:
    """A BDAY as the vault writes it; a year of 1604 (Apple's, CardBook's) or X-APPLE-OMIT-YEAR means none."""
    text = prop.text().strip()
    omit = (prop.params.get("X-APPLE-OMIT-YEAR") or ["1604"])[0]
    if omit and text.startswith(omit) and re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
        text = "--" + text[len(omit):].lstrip("-")
    return birthday_of(text)


# The properties that fill one field: vCard name -> (field, value of a property, property for a value).
_SINGLE: dict[str, tuple[str, Callable[[Prop], Any], Callable[[Any, str], Prop]]] = {
    "FN": ("name", lambda p: p.text().strip(), lambda v, _: Prop("FN", escape(v))),
    "ORG": ("company", lambda p: p.parts()[0].strip(), lambda v, _: Prop("ORG", escape(v))),
    "TITLE": ("title", lambda p: p.text().strip(), lambda v, _: Prop("TITLE", escape(v))),
    "BDAY": ("birthday", _birthday, lambda v, version: _birthday_prop(v, version)),
    "ADR": ("address", lambda p: _address(p.parts()), lambda v, _: Prop("ADR", f";;{escape(v)};;;;")),
    "UID": ("uid", lambda p: p.text().strip(), lambda v, _: Prop("UID", escape(v))),
    "NICKNAME": ("nickname", lambda p: p.text().strip(), lambda v, _: Prop("NICKNAME", escape(v))),
}
_EACH: dict[str, tuple[str, Callable[[Prop], str], Callable[[str], Prop]]] = {
    "EMAIL": ("emails", lambda p: p.text().strip(), lambda v: Prop("EMAIL", escape(v))),
    "TEL": ("phones", _phone, lambda v: Prop("TEL", escape(v))),
}
FIELD_PROP = "X-VAULT-FIELD"  # a field vCard has no property for: `X-VAULT-FIELD;NAME=stage:customer`
_HANDLED = frozenset({*_SINGLE, *_EACH, "N", "NOTE", "CATEGORIES", "URL", FIELD_PROP})
_IN_PROPERTIES = frozenset({"name", "kind", "emails", "phones", "company", "title", "tags", "address", "birthday",
                            "links", "uid", "nickname", VCARD_FIELD, *FILE_FIELDS, DOCUMENTS})
_FROM_FIELDS = _HANDLED  # kept PHOTO and LOGO lines (pictures' URLs, heads of files) are written as kept


def _birthday_prop(value: str, version: str) -> Prop:
    if value.startswith("--"):
        if version.startswith("4"):
            return Prop("BDAY", "--" + value[2:].replace("-", ""))
        return Prop("BDAY", "1604" + value[1:], {"X-APPLE-OMIT-YEAR": ["1604"]})
    return Prop("BDAY", value.replace("-", "") if version.startswith("4") else value)


def _same(a: Prop, b: Prop) -> bool:
    return a.to_line() == b.to_line()


def _pref_first(props: list[Prop]) -> list[Prop]:
    return sorted(props, key=lambda p: "pref" not in p.types() and "PREF" not in p.params)


def fresh_name_prop(name: str, kind: str) -> Prop:
    """The N property made from a name: the last word is the family name (none for an organisation)."""
    words = name.split()
    if kind == "organization" or not words:
        return Prop("N", ";;;;")
    family, given = (words[-1], " ".join(words[:-1])) if len(words) > 1 else ("", words[0])
    return Prop("N", f"{escape(family)};{escape(given)};;;")


def _derived_name(by_name: dict[str, list[Prop]]) -> str:
    """A name for a card without FN: from N, ORG, NICKNAME, EMAIL or TEL."""
    for prop in by_name.get("N", []):
        parts = prop.parts() + [""] * 5
        words = [parts[3], parts[1], parts[2], parts[0], parts[4]]
        name = " ".join(w.strip() for w in words if w.strip())
        if name:
            return name
    for key, read_value in (("ORG", lambda p: p.parts()[0]), ("NICKNAME", lambda p: p.items()[0]),
                            ("EMAIL", Prop.text), ("TEL", _phone)):
        for prop in by_name.get(key, []):
            value = read_value(prop).strip()
            if value:
                return value
    return ""


def _fallback_name(props: list[Prop]) -> str:
    """A name for a card with none of the properties a name comes from: an IM address, a label, an address."""
    for prop in props:
        if prop.name == "IMPP" or (prop.name.startswith("X-") and "@" in prop.value and prop.raw is None):
            value = prop.text().strip()
            return value.split(":", 1)[1] if value.lower().startswith(("xmpp:", "sip:", "im:")) else value
    for name in ("LABEL", "ADR"):
        for prop in (p for p in props if p.name == name):
            lines = [ln.strip(" ,;") for ln in prop.text().replace(";", "\n").splitlines()]
            if any(lines):
                return next(ln for ln in lines if ln)
    return "Unnamed contact"


def _beyond_a_field(prop: Prop) -> bool:
    """Whether a property's value (or its line, kept as read) is longer than a front-matter field holds."""
    return len(prop.kept()[1]) > FIELD_LIMIT


def _too_long(prop: Prop) -> bool:
    """Whether a property fills no field for the length of its value: it is kept as a file of the contact
    (`attachment.txt`). NOTE fills the notes, which hold more (up to NOTES_LIMIT); an inline binary value is a
    file anyway."""
    if prop.name == "NOTE":
        return len(prop.kept()[1]) > NOTES_LIMIT
    return _beyond_a_field(prop) and not prop.is_binary()


def card_record(card: Card) -> Incoming:
    """The contact a card describes; CardError if it has no property at all."""
    if not card.props:
        raise CardError(card.line, "an empty card (no property in it)")
    record = Incoming(meta={}, line=card.line, warnings=list(card.warnings))
    props = [p for p in card.props if not _too_long(p)]
    by_name: dict[str, list[Prop]] = {}
    for prop in props:
        by_name.setdefault(prop.name, []).append(prop)
    kept: list[Prop] = [p for p in card.props if _too_long(p)]
    backing = _read_single(record, by_name, card.version, kept)
    if "name" not in record.meta:
        record.meta["name"] = _derived_name(by_name)
    if not record.meta["name"]:
        record.meta["name"] = _fallback_name(props)
        record.warnings.append(f"it has no name (no FN, N, ORG, NICKNAME, EMAIL or TEL): it is named "
                               f"'{record.meta['name']}'; give it a name in its file")
    _warn_of_dates(record, by_name.get("BDAY", []))
    _read_kind(record, by_name)
    _read_name_parts(record, by_name, kept)
    for name, (field_name, read_item, make_item) in _EACH.items():
        values: list[str] = []
        for prop in by_name.get(name, []):
            add_unique(values, read_item(prop))
            if read_item(prop) and not _same(prop, make_item(read_item(prop))):
                kept.append(prop)
        if values:
            record.meta[field_name] = values
    _read_links(record, by_name.get("URL", []), _group_labels(props), kept)
    _read_tags(record, by_name.get("CATEGORIES", []), kept)
    _read_notes(record, by_name.get("NOTE", []), kept)
    _read_vault_fields(record, by_name.get(FIELD_PROP, []), kept)
    binaries = {id(p) for p in props if p.is_binary()}
    _read_binaries(record, [p for p in props if id(p) in binaries], kept)
    kept.extend(p for p in props if p.name not in _HANDLED and id(p) not in binaries)
    stored = _in_files(record, _in_card_order(kept, backing))
    if stored:
        record.meta[VCARD_FIELD] = to_mapping(stored)
    return record


def _read_single(record: Incoming, by_name: dict[str, list[Prop]], version: str, kept: list[Prop]) -> list[Prop]:
    """The fields one property fills (FN, ORG, TITLE, BDAY, ADR, UID, NICKNAME); the properties they come from
    when those are kept (each is written first among its kind)."""
    backing: list[Prop] = []
    for name, (field_name, read_value, make) in _SINGLE.items():
        found = _pref_first([p for p in by_name.get(name, []) if read_value(p)])
        if found:
            record.meta[field_name] = read_value(found[0])
            if len(found) > 1 or not _same(found[0], make(read_value(found[0]), version)):
                kept.extend(found)
                backing.append(found[0])
        if name in ("BDAY", "ADR", "ORG"):
            kept.extend(p for p in by_name.get(name, []) if not read_value(p))
    return backing


def _in_files(record: Incoming, kept: list[Prop]) -> list[Prop]:
    """The kept properties that fit the front matter; each whose value is longer than a field holds becomes a file
    of the contact (`attachment.txt`, `key.txt`: its value as written) named by its head under vcard:."""
    short: list[Prop] = []
    for prop in kept:
        if not _beyond_a_field(prop):
            short.append(prop)
            continue
        head, value = prop.kept()
        what = _TEXT_FIELDS.get(prop.name, "attachments")
        record.photos.append(Photo((value + "\n").encode("utf-8"), TEXT_EXTENSION, what, head))
    return short


def _warn_of_dates(record: Incoming, props: list[Prop]) -> None:
    """A BDAY that is no date (`19723101`) is kept as written; the import says so (not for `VALUE=text`)."""
    for prop in props:
        text = prop.text().strip()
        if text and _birthday(prop) is None and "text" not in (v.lower() for v in prop.params.get("VALUE", [])):
            record.warnings.append(f"line {prop.line}: its birthday '{text}' is no date: "
                                   "it is kept as written under vcard:, not as its birthday")


def _read_kind(record: Incoming, by_name: dict[str, list[Prop]]) -> None:
    markers = [p.text().strip().lower() for name in ORG_MARKERS for p in by_name.get(name, [])]
    if any(m in ("org", "organization", "company") for m in markers):
        record.meta["kind"] = "organization"


def _read_name_parts(record: Incoming, by_name: dict[str, list[Prop]], kept: list[Prop]) -> None:
    """Keep N unless it is what the name gives; when it does not fit the name, keep FN beside it.

    On export a kept N is written while the name is still the FN it came with, or still fits it.
    """
    fresh = fresh_name_prop(record.meta["name"], record.meta.get("kind", "person"))
    names = by_name.get("N", [])
    if len(names) > 1 or (names and not _same(names[0], fresh)):
        kept.extend(names)
        if not _name_fits(names[0], record.meta["name"]):
            kept.extend(by_name.get("FN", []))


def _url_label(prop: Prop, labels: dict[str, str]) -> str:
    label = labels.get(prop.group.lower(), "") if prop.group else ""
    if not label:
        label = next((t for t in prop.types() if t not in _GENERIC_TYPES), "")
    label = re.sub(r"[^\w-]+", "-", label.strip().lower()).strip("-")
    return label or "website"


def _url_prop(label: str, url: str) -> Prop:
    return Prop("URL", url) if label == "website" else Prop("URL", url, {"TYPE": [label]})


def _read_links(record: Incoming, props: list[Prop], labels: dict[str, str], kept: list[Prop]) -> None:
    links: dict[str, str] = {}
    for prop in props:
        url = prop.text().strip()
        if not url:
            continue
        label = unique(_url_label(prop, labels), links.keys())
        links[label] = url
        if not _same(prop, _url_prop(label, url)):
            kept.append(prop)
    if links:
        record.meta["links"] = links


def _read_tags(record: Incoming, props: list[Prop], kept: list[Prop]) -> None:
    tags: list[str] = []
    for prop in props:
        for item in prop.items():
            add_unique(tags, tag_of(item))
    if tags:
        record.meta["tags"] = tags
    if len(props) > 1 or (props and not _same(props[0], _tags_prop(tags))):
        kept.extend(props)


def _tags_prop(tags: list[str]) -> Prop:
    return Prop("CATEGORIES", ",".join(escape(t) for t in tags))


def _read_notes(record: Incoming, props: list[Prop], kept: list[Prop]) -> None:
    """The notes. A NOTE is kept too only when the NOTE an export makes of the notes is not the same line (several
    NOTEs, a parameter, a last line break, a comma not escaped): then it gives the line back as it was."""
    texts = [p.text().replace("\r\n", "\n").replace("\r", "\n").strip() for p in props]
    record.notes = "\n\n".join(t for t in texts if t)
    if len(props) > 1 or (props and not _same(props[0], Prop("NOTE", escape(record.notes)))):
        kept.extend(props)


def _vault_field_prop(key: str, value: Any) -> Prop | None:
    """A field with no vCard property of its own, as `X-VAULT-FIELD;NAME=key:value` (a list: comma-separated)."""
    if value is None or isinstance(value, dict):
        return None
    items = value if isinstance(value, list) else [value]
    return Prop(FIELD_PROP, ",".join(escape(str(item)) for item in items if item is not None), {"NAME": [str(key)]})


def _read_vault_fields(record: Incoming, props: list[Prop], kept: list[Prop]) -> None:
    for prop in props:
        key = (prop.params.get("NAME") or [""])[0].strip()
        if not key or key in _IN_PROPERTIES or key in record.meta:
            kept.append(prop)
            continue
        items = prop.items()
        group, dot, kind = key.partition(".")
        if dot and group == RELATIONS and kind and isinstance(record.meta.setdefault(RELATIONS, {}), dict):
            record.meta[RELATIONS][kind] = items[0] if len(items) == 1 else items
            continue
        record.meta[key] = items[0] if len(items) == 1 else items


def _media_word(word: str) -> str | None:
    """The file extension a TYPE value or media type names (`JPEG`, `image/png`, `audio/x-wav`, `PGP`), or None."""
    key = word.strip().strip('"').lower().split("/")[-1]
    key = key.removeprefix("x-")
    return _IMAGE_EXTENSIONS.get(key) or _OTHER_EXTENSIONS.get(key)


def photo_extension(data: bytes, hint: str | None) -> str:
    """The file extension for binary data: from its first bytes (PNG data labelled JPEG is a PNG), else from
    its media type or TYPE label, else `bin`."""
    if data[:4] == b"RIFF" and data[8:12] in _RIFF:
        return _RIFF[data[8:12]]
    found = next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)
    return found or (_media_word(hint) if hint else None) or "bin"


def _binary_head(prop: Prop, extension: str) -> str | None:
    """The head to keep for a binary property, or None when the file's field says it all (a plain PHOTO or LOGO)."""
    params = {k: list(v) for k, v in prop.params.items() if k not in ("ENCODING", "VALUE")}
    if "TYPE" in params:
        image = extension in _IMAGE_EXTENSIONS.values()  # an image's type is its bytes' (PNG labelled JPEG)
        params["TYPE"] = [t for t in params["TYPE"] if not (image and _media_word(t))]
        if not params["TYPE"]:
            params.pop("TYPE")
    if prop.name in ("PHOTO", "LOGO") and not params and not prop.group:
        return None
    return Prop(prop.name, "", params, prop.group).head


def _read_binaries(record: Incoming, props: list[Prop], kept: list[Prop]) -> None:
    """Inline binary values become files beside the contact; a PHOTO or LOGO by URL is text like any other."""
    for prop in props:
        what = _BINARY_FIELDS.get(prop.name, "attachments")
        shown = prop.name.lower() if prop.name in _BINARY_FIELDS else f"{prop.name} value"
        if prop.binary_size() > PHOTO_LIMIT:
            record.warnings.append(
                f"its {shown} is {prop.binary_size() / (1 << 20):.1f} MB, over the "
                f"{PHOTO_LIMIT >> 20} MB limit: the {shown} is dropped"
            )
            continue
        try:
            data, media = prop.binary()
        except ValueError as exc:  # kept as it is: under vcard:, or in a file when it is too long for it
            kept.append(prop)
            where = "in a file beside the contact" if _beyond_a_field(prop) else "under vcard:"
            record.warnings.append(f"its {shown} at line {prop.line} cannot be read ({exc}): it is kept as it is "
                                   f"{where}")
            continue
        hints = [media] if media else []
        hints += [t for v in prop.params.get("TYPE", []) + prop.params.get("MEDIATYPE", []) for t in v.split(",")]
        hint = next((h for h in hints if _media_word(h)), None)
        extension = photo_extension(data, hint)
        record.photos.append(Photo(data, extension, what, _binary_head(prop, extension)))


def _in_card_order(kept: list[Prop], backing: list[Prop]) -> list[Prop]:
    """Kept properties in the card's order, each backing property first among those of its name."""
    unique = list({id(p): p for p in kept}.values())
    unique.sort(key=lambda p: p.line)
    first_of = {p.name: p for p in backing}
    out: list[Prop] = []
    for prop in unique:
        lead = first_of.pop(prop.name, None)
        if lead is not None and lead is not prop:
            out.append(lead)
        if prop not in out:
            out.append(prop)
    return out


def to_mapping(props: list[Prop]) -> dict[str, str | list[str]]:
    """Properties as the `vcard:` mapping: head -> value, or a list of values when a head repeats."""
    mapping: dict[str, Any] = {}
    for prop in props:
        add_kept(mapping, *prop.kept())
    return mapping


def from_mapping(mapping: Any) -> list[Prop]:
    """The properties a `vcard:` mapping keeps; entries that are not vCard lines are passed over."""
    props: list[Prop] = []
    if not isinstance(mapping, dict):
        return props
    for head, values in mapping.items():
        for value in values if isinstance(values, list) else [values]:
            text = "" if value is None else str(value)
            line = text if str(head).upper() == RAW else f"{head}:{text}"
            prop = lenient_prop(line, len(props) + 1)
            if prop.name != RAW or str(head).upper() == RAW:  # a line kept as it was read is written back so
                props.append(prop)
    return props


# Writing


def contact_props(contact: Contact, version: str, photos: list[Photo]) -> list[Prop]:
    """The properties of a contact's vCard: its fields, its kept lines, its photos."""
    meta = contact.meta
    named = {name for _, name in photo_names(contact)}
    stored, linked, overflow = _stored_props(meta.get(VCARD_FIELD), photos, named, version)
    kind = contact.kind
    out = _first(stored.get("FN", []), contact.name, *_SINGLE["FN"][1:], version)
    names = stored.get("N", [])
    same_name = any(p.text().strip() == contact.name for p in stored.get("FN", []))
    consistent = names and (same_name or _name_fits(names[0], contact.name))
    out += names if consistent else [fresh_name_prop(contact.name, kind)] + names[1:]
    out += _kind_props(stored, kind, version)
    for name in ("ORG", "TITLE", "BDAY", "ADR", "UID", "NICKNAME"):
        field_name, read_value, make = _SINGLE[name]
        out += _first(stored.get(name, []), contact.text_field(field_name), read_value, make, version)
    if not any(p.name == "UID" for p in out):  # sync tools (vdirsyncer) need one: the handle is stable enough
        out.append(Prop("UID", escape(contact.handle)))
    for name, (field_name, read_item, make_item) in _EACH.items():
        out += _each(stored.get(name, []), contact.list_field(field_name), read_item, make_item)
    out += _links(stored.get("URL", []), meta.get("links"))
    out += _tags(stored.get("CATEGORIES", []), contact.tags)
    notes = contact.notes.strip()
    kept_notes = stored.get("NOTE", [])
    kept_text = "\n\n".join(p.text().replace("\r\n", "\n").strip() for p in kept_notes)
    if kept_notes and (kept_text == notes or (not notes and len(kept_text) > NOTES_LIMIT)):
        out += kept_notes  # as read (a NOTE longer than notes may be is in a file, the notes left empty)
    elif notes:
        out.append(Prop("NOTE", escape(notes)))
    out += [_photo_prop(photo, version) for photo in photos
            if (not photo.name or photo.name not in linked) and photo.field != "attachments"]
    written = {(p.params.get("NAME") or [""])[0] for p in stored.get(FIELD_PROP, [])}
    out += stored.get(FIELD_PROP, [])
    for key, value in meta.items():
        if key == RELATIONS and isinstance(value, dict):  # `X-VAULT-FIELD;NAME=relations.reports_to:charles-babbage`
            out += [p for kind, item in value.items() if f"{key}.{kind}" not in written
                    and (p := _vault_field_prop(f"{key}.{kind}", item)) is not None]
            continue
        extra = _vault_field_prop(key, value) if key not in _IN_PROPERTIES and key not in written else None
        if extra is not None:
            out.append(extra)
    out += overflow
    out += [p for name, props in stored.items()
            if name not in _FROM_FIELDS and name not in ORG_MARKERS for p in props]
    return [_for_version(p, version, _most_preferred(out)) for p in out]


def _stored_props(mapping: Any, photos: list[Photo], named: set[str],
                  version: str) -> tuple[dict[str, list[Prop]], set[str], list[Prop]]:
    """The kept properties by name, with the files they name read in (`PHOTO;TYPE=WORK: photo.jpg` with its data,
    `NOTE: attachment.txt` with its value); the names of those files; and the kept properties of a field too long
    to fill it (`EMAIL: attachment.txt`), which are written as they are."""
    stored: dict[str, list[Prop]] = {}
    files = {photo.name: photo for photo in photos if photo.name}
    linked: set[str] = set()
    overflow: list[Prop] = []
    for prop in from_mapping(mapping):
        raw = prop.name == RAW  # a line kept as read names a file only when the line is too long to be kept
        value = (prop.raw or "") if raw else prop.text().strip()
        photo = files.get(value)
        text = photo is not None and photo.extension == TEXT_EXTENSION
        if photo is not None and (text or not raw):  # a file's property: written with the file's data
            linked.add(value)
            prop = _file_prop(prop, photo, version)
            if text and prop.name in _FROM_FIELDS and prop.name != "NOTE":
                overflow.append(prop)
                continue
        elif value in named and not raw:
            continue  # its file is gone
        stored.setdefault(prop.name, []).append(prop)
    return stored, linked, overflow


def to_vcard(contact: Contact, version: str = "3.0", photos: list[Photo] | None = None) -> str:
    """A contact as one vCard (CRLF line endings, folded)."""
    return serialize(version, contact_props(contact, version, photos or []))


def _first(stored: list[Prop], current: str, read_value: Callable[[Prop], Any],
           make: Callable[[Any, str], Prop], version: str) -> list[Prop]:
    if any(read_value(p) == current for p in stored):
        return stored
    rest = stored[1:] if stored and read_value(stored[0]) else stored
    return ([make(current, version)] if current else []) + rest


def _each(stored: list[Prop], current: list[str], read_value: Callable[[Prop], str],
          make: Callable[[str], Prop]) -> list[Prop]:
    out: list[Prop] = []
    unused = list(stored)
    for value in current:
        matches = [p for p in unused if read_value(p).casefold() == value.casefold()]
        unused = [p for p in unused if p not in matches]
        out += matches or [make(value)]
    return out


def _links(stored: list[Prop], links: Any) -> list[Prop]:
    out: list[Prop] = []
    unused = list(stored)
    for label, url in (links or {}).items() if isinstance(links, dict) else []:
        url = "" if url is None else str(url)
        match = next((p for p in unused if p.text().strip() == url), None)
        if match is not None:
            unused.remove(match)
        out.append(match or _url_prop(str(label), url))
    return out


def _tags(stored: list[Prop], tags: list[str]) -> list[Prop]:
    kept = [tag_of(item) for p in stored for item in p.items()]
    if stored and set(kept) == set(tags):
        return stored
    return [_tags_prop(tags)] if tags else []


def _name_fits(prop: Prop, name: str) -> bool:
    """Whether a kept N still describes ``name`` (its family and given names are in it)."""
    parts = prop.parts() + ["", ""]
    folded = fold(name)
    return all(fold(part.strip()) in folded for part in parts[:2] if part.strip())


def _kind_props(stored: dict[str, list[Prop]], kind: str, version: str) -> list[Prop]:
    markers = [p for name in ORG_MARKERS for p in stored.get(name, [])]
    says_org = any(p.text().strip().lower() in ("org", "organization", "company") for p in markers)
    if kind == "organization" and not says_org:
        markers.append(Prop("KIND", "org") if version.startswith("4") else Prop("X-ABSHOWAS", "COMPANY"))
    if kind != "organization" and says_org:
        markers = [p for p in markers if p.text().strip().lower() not in ("org", "organization", "company")]
    return markers


def _photo_prop(photo: Photo, version: str) -> Prop:
    """A file's property as the export writes it when nothing about it is kept: PHOTO, LOGO, SOUND or KEY."""
    return _file_prop(Prop(photo.field.upper(), ""), photo, version)


def _file_prop(head: Prop, photo: Photo, version: str) -> Prop:
    """``head``'s property with the file's content as its value: a `.txt` file's text as it is (a value too long for
    the front matter, or a whole line kept as read), any other file's data inline (:func:`_binary_prop`)."""
    if photo.extension != TEXT_EXTENSION:
        return _binary_prop(head, photo, version)
    value = one_line(photo.data.decode("utf-8", errors="replace"))
    if head.name == RAW:
        return Prop(RAW, value, line=head.line, raw=value)
    return Prop(head.name, value, {k: list(v) for k, v in head.params.items()}, head.group, head.line)


def _binary_prop(head: Prop, photo: Photo, version: str) -> Prop:
    """``head``'s property with the file's data inline: a data: URI in 4.0, ENCODING=b and its TYPE in 3.0."""
    import base64

    data = base64.b64encode(photo.data).decode("ascii")
    media = _MEDIA_TYPES.get(photo.extension, "application/octet-stream")
    params = {k: list(v) for k, v in head.params.items() if k not in ("ENCODING", "VALUE")}
    if version.startswith("4"):
        return Prop(head.name, f"data:{media};base64,{data}", params, head.group)
    if "TYPE" not in params and photo.extension in _MEDIA_TYPES:
        params["TYPE"] = [media.split("/")[-1].upper()]
    return Prop(head.name, data, {"ENCODING": ["b"], **params}, head.group)


def _pref(prop: Prop) -> int | None:
    value = (prop.params.get("PREF") or [""])[0].strip()
    return int(value) if value.isdigit() else None


def _most_preferred(props: list[Prop]) -> dict[str, int]:
    """The lowest PREF (4.0's rank, 1 is first) of each property name."""
    best: dict[str, int] = {}
    for prop in props:
        rank = _pref(prop)
        if rank is not None:
            best[prop.name] = min(rank, best.get(prop.name, rank))
    return best


def _for_version(prop: Prop, version: str, best: dict[str, int]) -> Prop:
    """PREF as 4.0 writes it (`PREF=1`, `PREF=2` as it was) or as 3.0 does (`TYPE=pref`, on the most preferred
    of its name only: 3.0 has no ranks)."""
    params = {k: list(v) for k, v in prop.params.items()}
    types = [t for v in params.get("TYPE", []) for t in split(v, ",")]
    if version.startswith("4") and any(t.lower() == "pref" for t in types):
        rest = [t for t in types if t.lower() != "pref"]
        if rest:
            params["TYPE"] = rest
        else:
            params.pop("TYPE")
        params.setdefault("PREF", ["1"])
    elif not version.startswith("4") and "PREF" in params:
        params.pop("PREF")
        top = _pref(prop) is None or _pref(prop) == best.get(prop.name)
        if top and not any(t.lower() == "pref" for t in types):
            types.append("pref")
        if types:
            params["TYPE"] = types
        else:
            params.pop("TYPE", None)
    if params == prop.params:
        return prop
    return Prop(prop.name, prop.value, params, prop.group, prop.line)


def photo_names(contact: Contact) -> list[tuple[str, str]]:
    """The files a contact names: (field, file name) for `photo`, `logo`, `sound`, `key` and `attachments`."""
    return [(key, name) for key in FILE_FIELDS for name in as_list(contact.meta.get(key))]
