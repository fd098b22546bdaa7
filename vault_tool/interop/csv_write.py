"""Contacts as CSV: the vault's own columns, Google Contacts' (``--csv-dialect google``) or Outlook's (``outlook``).

The vault's columns are every known field in a fixed order, the notes, then
the custom fields the exported contacts have, in alphabetical order, then
`vcard` (the kept vCard lines, `HEAD: value` a line) when a contact has
any; list fields are joined with ", ", links written `label=url`, a custom
field's list or mapping as JSON.

Google's layout is its "Google CSV" export (`Name`, `Given Name` …,
`E-mail 1 - Type`, `E-mail 1 - Value` …, `Address 1 - Street` …), with as
many numbered groups as the contacts need; Outlook's is the columns its
export writes (`First Name` …, `Business Street`, `Home Street`, `Other
Street` …, a column for each kind of phone, `E-mail Address` to `E-mail 3
Address`). Labels, address parts and name parts come from what a contact
keeps under `vcard:`. What those columns cannot say is found by reading the
row back (csv_format.read_row): a field that would come back otherwise is a
`Custom Field N` labelled with its name, and when the kept lines would come
back otherwise (types in other words, a line no column holds) the `vcard`
column holds every one of them. So any dialect imports back as the same
contacts; kept lines compare with TYPE values in any case and order, and
vCard's default types (INTERNET, VOICE) left out.
Unless ``raw``, every cell goes through output.spreadsheet_row, so no
spreadsheet runs a value as a formula; csv_format reads it back as it was.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from vault_tool.format.contact import KNOWN_FIELDS, Contact, as_list
from vault_tool.interop.csv_columns import Target, targets
from vault_tool.interop.csv_format import read_row, vcard_cell
from vault_tool.interop.vcard import FILE_FIELDS, VCARD_FIELD, from_mapping
from vault_tool.interop.vcard_syntax import Prop, lenient_prop
from vault_tool.output import spreadsheet_row

DIALECTS = ("vault", "google", "outlook")
VAULT_COLUMNS = ["handle", *KNOWN_FIELDS[:-1], "notes", "uid"]
_NOT_IN_CSV = frozenset({VCARD_FIELD})
_NOT_CARRIED = frozenset({VCARD_FIELD, *FILE_FIELDS})  # by Google's and Outlook's layouts
_DEFAULT_TYPES = frozenset({"internet", "x-internet", "voice"})  # what an email or a phone is anyway
_GOOGLE_TYPES = {"home": "Home", "work": "Work", "cell": "Mobile", "main": "Main", "pager": "Pager",
                 "other": "Other"}
_GOOGLE_PAIRS = {("fax", "home"): "Home Fax", ("fax", "work"): "Work Fax"}
_GOOGLE_ADDRESS = ["Type", "Formatted", "Street", "City", "PO Box", "Region", "Postal Code", "Country",
                   "Extended Address"]
_ADR = ("pobox", "extended", "street", "city", "region", "postal", "country")  # the parts of vCard's ADR
Cells = dict[str, str]
Typed = list[tuple[list[str], str]]  # (types, value) of each email or phone


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _cell(key: str, value: Any) -> str:
    """A field's cell: a custom field's list or mapping as JSON (csv_format reads it back as it was)."""
    if key not in KNOWN_FIELDS and isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return _text(value)


def _write(header: list[str], rows: list[list[str]], raw: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(spreadsheet_row(row, raw))
    return buffer.getvalue()


def to_csv(contacts: Sequence[Contact], dialect: str = "vault", raw: bool = False) -> str:
    """``contacts`` as CSV in ``dialect`` (one of DIALECTS); ``raw`` writes cells as they are, formulas and all."""
    if dialect == "google":
        return _google(contacts, raw)
    if dialect == "outlook":
        return _outlook(contacts, raw)
    return _vault(contacts, raw)


def _custom_keys(contacts: Sequence[Contact]) -> list[str]:
    keys = {k for c in contacts for k in c.custom if k not in _NOT_IN_CSV}
    return sorted(keys, key=str.casefold)


def _vault(contacts: Sequence[Contact], raw: bool) -> str:
    columns = VAULT_COLUMNS + _custom_keys(contacts)
    kept = any(from_mapping(c.meta.get(VCARD_FIELD)) for c in contacts)
    rows = []
    for contact in contacts:
        values = {"handle": contact.handle, "notes": contact.notes, **contact.meta}
        row = [_cell(column, values.get(column)) for column in columns]
        rows.append(row + [vcard_cell(contact.meta.get(VCARD_FIELD))] if kept else row)
    return _write(columns + [VCARD_FIELD] if kept else columns, rows, raw)


# What a contact keeps: labels, address parts, name parts


def _kept(contact: Contact, name: str) -> list[Prop]:
    return [p for p in from_mapping(contact.meta.get(VCARD_FIELD)) if p.name == name]


def _types(prop: Prop | None) -> list[str]:
    return [t for t in (prop.types() if prop else []) if t not in _DEFAULT_TYPES]


def _typed(contact: Contact, name: str, values: list[str]) -> Typed:
    """(types, value) for each email or phone, the types from a kept vCard line of that value."""
    kept = _kept(contact, name)
    out = []
    for value in values:
        prop = next((p for p in kept if p.text().strip().removeprefix("tel:").casefold() == value.casefold()), None)
        out.append((_types(prop), value))
    return out


def _one_line(parts: list[str]) -> str:
    lines = [ln.strip(" ,") for part in parts for ln in part.splitlines()]
    return ", ".join(ln for ln in lines if ln)


def _addresses(contact: Contact) -> list[tuple[list[str], list[str]]]:
    """(types, the seven ADR parts) of each address: the kept ADR lines while `address` is still one of them,
    else `address` (as the street) before the others, as a vCard export writes them."""
    kept = [(_types(p), (p.parts() + [""] * 7)[:7]) for p in _kept(contact, "ADR")]
    current = contact.text_field("address")
    if any(_one_line(parts) == current for _, parts in kept):
        return kept
    rest = kept[1:] if kept and _one_line(kept[0][1]) else kept
    return ([([], ["", "", current, "", "", "", ""])] if current else []) + rest


def _name_parts(contact: Contact) -> list[str]:
    """Given, additional, family, prefix, suffix: from a kept N, else from the name's words."""
    from vault_tool.interop.vcard import _name_fits, fresh_name_prop

    kept = _kept(contact, "N")
    same_name = any(p.text().strip() == contact.name for p in _kept(contact, "FN"))
    fits = kept and (same_name or _name_fits(kept[0], contact.name))
    prop = kept[0] if fits else fresh_name_prop(contact.name, contact.kind)
    family, given, additional, prefix, suffix = (prop.parts() + [""] * 5)[:5]
    return [given, additional, family, prefix, suffix]


def _links(contact: Contact) -> list[tuple[str, str]]:
    links = contact.meta.get("links")
    return [(str(k), _text(v)) for k, v in links.items()] if isinstance(links, dict) else []


# Reading a row back: what the columns cannot say


def _line_key(head: str, value: str) -> tuple[Any, ...]:
    """A kept line as compared: TYPE values in any case and order, vCard's default types left out."""
    prop = lenient_prop(f"{head}:{value}")
    params = {k.upper(): sorted(v.casefold() for v in vs) for k, vs in prop.params.items() if k.upper() != "TYPE"}
    types = sorted(set(_types(prop)))
    return (str(prop.group).casefold(), prop.name, prop.value, types, sorted(params.items()), prop.raw)


def _lines(mapping: Any) -> list[tuple[Any, ...]]:
    pairs = [(str(head), "" if v is None else str(v)) for head, values in (mapping or {}).items()
             for v in (values if isinstance(values, list) else [values])] if isinstance(mapping, dict) else []
    return sorted(_line_key(head, value) for head, value in pairs)


def _exact(contact: Contact, cells: Cells, columns: list[Target] | None = None) -> Cells:
    """``cells`` (whose columns' targets are ``columns`` when given) with what reading them back would not give:
    differing fields as custom fields labelled with their names, and every kept line in the `vcard` column when
    the kept lines would differ. Files beside the contact (`photo` …) stay out: a CSV does not carry them."""
    back = read_row(list(cells), list(cells.values()), columns)
    number = 0
    for key, value in contact.meta.items():
        if key not in _NOT_CARRIED and _cell(key, value) != _cell(key, back.meta.get(key)):
            number += 1
            cells[f"Custom Field {number} - Type"], cells[f"Custom Field {number} - Value"] = key, _cell(key, value)
    kept = contact.meta.get(VCARD_FIELD)
    if _lines(kept) != _lines(back.meta.get(VCARD_FIELD)):
        cells[VCARD_FIELD] = vcard_cell(kept)
    return cells


def _numbered(rows: list[Cells], group: str, parts: Sequence[str], least: int = 1) -> list[str]:
    """Google's numbered groups (`E-mail 1 - Type` …): as many as the rows use."""
    start, end = f"{group} ", f" - {parts[-1]}"
    count = max([least] + [int(k[len(start):].split(" ", 1)[0]) for r in rows for k in r
                           if k.startswith(start) and k.endswith(end)])
    return [f"{group} {n} - {part}" for n in range(1, count + 1) for part in parts]


def _dialect(contacts: Sequence[Contact], raw: bool, base: Callable[[list[Cells]], list[str]],
             cells_of: Callable[[Contact], Cells], columns: list[Target] | None = None) -> str:
    """The CSV of ``contacts`` in a layout: ``base`` gives its columns, ``cells_of`` a contact's cells (all of
    ``base``'s, whose targets are ``columns``, when ``columns`` is given)."""
    rows = [_exact(contact, cells_of(contact), columns) for contact in contacts]
    header = base(rows) + _numbered(rows, "Custom Field", ("Type", "Value"), 0)
    header += [VCARD_FIELD] if any(VCARD_FIELD in r for r in rows) else []
    return _write(header, [[r.get(column, "") for column in header] for r in rows], raw)


# Google


def _google_label(types: list[str]) -> str:
    """Google's word for a label (`Mobile`, `Work Fax`, `* Home` for the preferred one); others as they are."""
    star = "* " if "pref" in types else ""
    rest = [t for t in types if t != "pref"]
    pair = _GOOGLE_PAIRS.get((min(rest), max(rest))) if len(rest) == 2 else None
    return star + (pair or ", ".join(_GOOGLE_TYPES.get(t, t.capitalize()) for t in rest))


def _google_cells(contact: Contact) -> Cells:
    given, additional, family, prefix, suffix = _name_parts(contact)
    cells = {"Name": contact.name, "Given Name": given, "Additional Name": additional, "Family Name": family,
             "Name Prefix": prefix, "Name Suffix": suffix, "Birthday": contact.text_field("birthday"),
             "Notes": contact.notes, "Group Membership": " ::: ".join(as_list(contact.meta.get("tags")))}
    for group, typed in (("E-mail", _typed(contact, "EMAIL", contact.emails)),
                         ("Phone", _typed(contact, "TEL", contact.phones))):
        for n, (types, value) in enumerate(typed, 1):
            cells[f"{group} {n} - Type"], cells[f"{group} {n} - Value"] = _google_label(types), value
    for n, (types, parts) in enumerate(_addresses(contact), 1):
        pobox, extended, street, city, region, postal, country = parts
        values = [_google_label(types), _one_line(parts), street, city, pobox, region, postal, country, extended]
        cells.update({f"Address {n} - {part}": value for part, value in zip(_GOOGLE_ADDRESS, values)})
    cells["Organization 1 - Name"] = contact.text_field("company")
    cells["Organization 1 - Title"] = contact.text_field("title")
    for n, (label, url) in enumerate(_links(contact), 1):
        cells[f"Website {n} - Type"], cells[f"Website {n} - Value"] = label, url
    return cells


def _google_header(rows: list[Cells]) -> list[str]:
    header = ["Name", "Given Name", "Additional Name", "Family Name", "Name Prefix", "Name Suffix", "Birthday",
              "Notes", "Group Membership"]
    header += _numbered(rows, "E-mail", ("Type", "Value")) + _numbered(rows, "Phone", ("Type", "Value"))
    header += _numbered(rows, "Address", _GOOGLE_ADDRESS)
    header += ["Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Title"]
    return header + _numbered(rows, "Website", ("Type", "Value"))


def _google(contacts: Sequence[Contact], raw: bool) -> str:
    return _dialect(contacts, raw, _google_header, _google_cells)


# Outlook

_OUTLOOK = [  # the columns Outlook's export writes, in its order
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    *(f"{kind} {part}" for kind in ("Business", "Home", "Other")
      for part in ("Street", "Street 2", "Street 3", "City", "State", "Postal Code", "Country/Region")),
    "Assistant's Phone", "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax",
    "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "Account", "Anniversary",
    "Assistant's Name", "Billing Information", "Birthday", "Business Address PO Box", "Categories", "Children",
    "Directory Server", "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
    "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials", "Internet Free Busy",
    "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes", "Office Location",
    "Organizational ID Number", "Other Address PO Box", "Priority", "Private", "Profession", "Referred By",
    "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4", "Web Page",
]
# The phone columns a number goes to by its types (the first free one); a number with other types goes to the
# first free column of one of its types, else to Other Phone.
_OUTLOOK_PHONES = ("Business Phone", "Business Phone 2", "Home Phone", "Home Phone 2", "Mobile Phone",
                   "Business Fax", "Home Fax", "Other Fax", "Pager", "Car Phone", "ISDN", "Primary Phone",
                   "Assistant's Phone", "TTY/TDD Phone", "Other Phone")
_OUTLOOK_ADDRESS = {"work": "Business", "home": "Home"}


def _outlook_phones(cells: Cells, typed: Typed, columns: dict[str, Target]) -> None:
    labels = {column: set(columns[column].label.split(",")) - {""} for column in _OUTLOOK_PHONES}
    for types, value in typed:
        wanted = set(types) - {"pref"} if set(types) - {"pref"} else set(types)
        free = [c for c in _OUTLOOK_PHONES if not cells.get(c)]
        column = next((c for c in free if labels[c] == wanted), None)
        column = column or next((c for c in free if labels[c] and labels[c] <= wanted), None)
        column = column or ("Other Phone" if "Other Phone" in free else None)
        if column:
            cells[column] = value


def _outlook_addresses(cells: Cells, contact: Contact) -> None:
    used: set[str] = set()
    for types, parts in _addresses(contact):
        kind = next((_OUTLOOK_ADDRESS[t] for t in types if t in _OUTLOOK_ADDRESS), "Other")
        if kind in used:
            continue  # one address of each kind: the others are in the `vcard` column
        used.add(kind)
        pobox, extended, street, city, region, postal, country = parts
        values = (street, extended, city, region, postal, country, pobox)
        for part, value in zip(("Street", "Street 2", "City", "State", "Postal Code", "Country/Region",
                                "Address PO Box"), values):
            cells[f"{kind} {part}"] = value


def _outlook_cells(contact: Contact, columns: dict[str, Target]) -> Cells:
    given, additional, family, prefix, suffix = _name_parts(contact)
    cells = {"Title": prefix, "First Name": given, "Middle Name": additional, "Last Name": family,
             "Suffix": suffix, "Company": contact.text_field("company"), "Job Title": contact.text_field("title"),
             "Birthday": contact.text_field("birthday"), "Categories": ";".join(contact.tags),
             "Notes": contact.notes}
    _outlook_addresses(cells, contact)
    _outlook_phones(cells, _typed(contact, "TEL", contact.phones), columns)
    for column, email in zip(("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"), contact.emails):
        cells[column] = email
    links = dict(_links(contact))
    cells["Web Page"] = links.get("website") or next(iter(links.values()), "")
    for column in _OUTLOOK:  # Spouse, Hobby, Anniversary …: the custom field of that name
        target = columns[column]
        value = contact.meta.get(target.label) if target.field == "custom" else None
        if value is not None and not isinstance(value, (dict, list)):
            cells[column] = _text(value)
    return {column: cells.get(column, "") for column in _OUTLOOK}


def _outlook(contacts: Sequence[Contact], raw: bool) -> str:
    columns = targets(_OUTLOOK, {})
    by_name = dict(zip(_OUTLOOK, columns))
    return _dialect(contacts, raw, lambda rows: list(_OUTLOOK), lambda c: _outlook_cells(c, by_name), columns)
