"""Contacts as CSV: the vault's own columns, or Google Contacts' import layout (``--csv-dialect google``).

The vault's columns are every known field in a fixed order, the notes, then
the custom fields the exported contacts have, in alphabetical order; list
fields are joined with ", ", links written `label=url`. Reading that file
back gives the same fields. Google's layout is its "Google CSV" export
(`Name`, `Given Name` …, `E-mail 1 - Type`, `E-mail 1 - Value` …), with as
many numbered groups as the contacts need; labels come from the `vcard:`
mapping, and fields Google has no column for go to `Custom Field N`.
Unless ``raw``, every cell goes through output.spreadsheet_row, so no
spreadsheet runs a value as a formula; csv_format reads it back as it was.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from vault_tool.format.contact import KNOWN_FIELDS, Contact, as_list
from vault_tool.interop.vcard import VCARD_FIELD, from_mapping
from vault_tool.interop.vcard_syntax import Prop
from vault_tool.output import spreadsheet_row

DIALECTS = ("vault", "google")
VAULT_COLUMNS = ["handle", *KNOWN_FIELDS[:-1], "notes", "uid"]
_NOT_IN_CSV = frozenset({VCARD_FIELD})
_GOOGLE_TYPES = {"home": "Home", "work": "Work", "cell": "Mobile", "pref": "Main", "fax": "Fax", "pager": "Pager",
                 "main": "Main", "other": "Other"}
_GOOGLE_ADDRESS = ["Type", "Formatted", "Street", "City", "PO Box", "Region", "Postal Code", "Country",
                   "Extended Address"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _write(header: list[str], rows: list[list[str]], raw: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(spreadsheet_row(row, raw))
    return buffer.getvalue()


def to_csv(contacts: Sequence[Contact], dialect: str = "vault", raw: bool = False) -> str:
    """``contacts`` as CSV in ``dialect``; ``raw`` writes cells as they are, formulas and all."""
    return _google(contacts, raw) if dialect == "google" else _vault(contacts, raw)


def _custom_keys(contacts: Sequence[Contact]) -> list[str]:
    keys = {k for c in contacts for k in c.custom if k not in _NOT_IN_CSV}
    return sorted(keys, key=str.casefold)


def _vault(contacts: Sequence[Contact], raw: bool) -> str:
    custom = _custom_keys(contacts)
    rows = []
    for contact in contacts:
        values = {"handle": contact.handle, "notes": contact.notes, **contact.meta}
        rows.append([_text(values.get(column)) for column in VAULT_COLUMNS + custom])
    return _write(VAULT_COLUMNS + custom, rows, raw)


# Google


def _labelled(contact: Contact, name: str, values: list[str]) -> list[tuple[str, str]]:
    """(Google type, value) for each email or phone, the type from a kept vCard line's TYPE."""
    kept = [p for p in from_mapping(contact.meta.get(VCARD_FIELD)) if p.name == name]
    out = []
    for value in values:
        prop = next((p for p in kept if p.text().strip().removeprefix("tel:") == value), None)
        types = [t for t in (prop.types() if prop else []) if t not in ("internet", "voice", "pref", "x-internet")]
        label = " ".join(_GOOGLE_TYPES.get(t, t.capitalize()) for t in types[:2])
        out.append((label, value))
    return out


def _name_parts(contact: Contact) -> list[str]:
    """Given, additional, family, prefix, suffix: from a kept N, else from the name's words."""
    from vault_tool.interop.vcard import _name_fits, fresh_name_prop

    kept = [p for p in from_mapping(contact.meta.get(VCARD_FIELD)) if p.name == "N"]
    prop: Prop = kept[0] if kept and _name_fits(kept[0], contact.name) else fresh_name_prop(contact.name, contact.kind)
    family, given, additional, prefix, suffix = (prop.parts() + [""] * 5)[:5]
    return [given, additional, family, prefix, suffix]


def _google_fields(contact: Contact) -> list[tuple[str, str]]:
    """Fields Google has no column for, as (label, value) custom fields."""
    mapped = {"name", "emails", "phones", "company", "title", "tags", "address", "birthday", "links", "kind",
              VCARD_FIELD, "photo", "logo"}
    return [(k, _text(v)) for k, v in contact.meta.items() if k not in mapped and not isinstance(v, dict)]


def _google(contacts: Sequence[Contact], raw: bool) -> str:
    data = [
        (c, _labelled(c, "EMAIL", c.emails), _labelled(c, "TEL", c.phones),
         list((c.meta.get("links") or {}).items()) if isinstance(c.meta.get("links"), dict) else [],
         _google_fields(c))
        for c in contacts
    ]
    lists = [d[1:] for d in data]  # each contact's emails, phones, links and custom fields
    counts = [max([len(c[i]) for c in lists] + [1]) for i in (0, 1, 2, 3)]
    header = ["Name", "Given Name", "Additional Name", "Family Name", "Name Prefix", "Name Suffix", "Birthday",
              "Notes", "Group Membership"]
    for group, count in (("E-mail", counts[0]), ("Phone", counts[1])):
        header += [f"{group} {n} - {part}" for n in range(1, count + 1) for part in ("Type", "Value")]
    header += [f"Address 1 - {part}" for part in _GOOGLE_ADDRESS]
    header += ["Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Title"]
    header += [f"Website {n} - {part}" for n in range(1, counts[2] + 1) for part in ("Type", "Value")]
    header += [f"Custom Field {n} - {part}" for n in range(1, counts[3] + 1) for part in ("Type", "Value")]
    rows = []
    for contact, emails, phones, links, custom in data:
        row = [contact.name, *_name_parts(contact), contact.text_field("birthday"), contact.notes,
               " ::: ".join(as_list(contact.meta.get("tags")))]
        for items, count in ((emails, counts[0]), (phones, counts[1])):
            row += [cell for label, value in items for cell in (label, value)] + ["", ""] * (count - len(items))
        address = contact.text_field("address")
        row += ["", address, address] + [""] * 6
        row += ["", contact.text_field("company"), contact.text_field("title")]
        row += [cell for label, url in links for cell in (str(label).capitalize(), _text(url))]
        row += ["", ""] * (counts[2] - len(links))
        row += [cell for label, value in custom for cell in (label, value)] + ["", ""] * (counts[3] - len(custom))
        rows.append(row)
    return _write(header, rows, raw)
