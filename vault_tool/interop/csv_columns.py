"""Which field a CSV column fills: Google Contacts' (both layouts), Outlook's and Thunderbird's export
columns, the vault's own export, and common names in any other CSV; `--map` overrides.

A column maps to a :class:`Target`. Columns of one email, phone, address or
website carry a label (`Home Phone` is a home phone); Google's numbered
groups (`E-mail 1 - Type`, `E-mail 1 - Value`) share a slot, and the type
column gives the label of the value column in the same slot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vault_tool.format.contact import KNOWN_FIELDS


@dataclass(frozen=True)
class Target:
    field: str  # a vault field, "notes", "handle", "name.<part>", "address.<part>", "label", "custom", "" (left out)
    label: str = ""  # home, work, cell, fax …; for "custom" the field's name
    slot: str = ""  # Google's numbered group (`e-mail 1`): its type column labels its value column


IGNORE = Target("")

_NAME_PARTS = {
    "first name": "given", "given name": "given", "first": "given", "firstname": "given", "given": "given",
    "middle name": "additional", "additional name": "additional", "middle": "additional",
    "last name": "family", "family name": "family", "surname": "family", "last": "family", "lastname": "family",
    "name prefix": "prefix", "prefix": "prefix", "salutation": "prefix", "name suffix": "suffix", "suffix": "suffix",
}
_FIELDS = {
    "name": "name", "full name": "name", "display name": "name", "fn": "name", "contact name": "name",
    "company": "company", "organization": "company", "organisation": "company", "org": "company",
    "organization name": "company", "organisation name": "company", "employer": "company",
    "job title": "title", "title": "title", "position": "title", "role": "title", "organization title": "title",
    "tags": "tags", "labels": "tags", "groups": "tags", "group membership": "tags", "categories": "tags",
    "category": "tags", "notes": "notes", "note": "notes", "comments": "notes", "comment": "notes",
    "birthday": "birthday", "birth date": "birthday", "date of birth": "birthday", "dob": "birthday",
    "bday": "birthday",
    "address": "address", "uid": "uid", "kind": "kind", "stage": "stage", "owner": "owner",
    "keep_in_touch": "keep_in_touch", "keep in touch": "keep_in_touch", "handle": "handle",
    "emails": "emails", "phones": "phones", "links": "links",
}
_EMAILS = {
    "email": "", "e-mail": "", "email address": "", "e-mail address": "", "mail": "", "primary email": "",
    "email 1": "", "e-mail 1": "", "e-mail 2 address": "", "e-mail 3 address": "", "email 2": "", "email 3": "",
    "secondary email": "", "email home": "home", "home email": "home", "personal email": "home",
    "email work": "work", "work email": "work", "business email": "work", "email other": "", "other email": "",
}
_PHONES = {
    "phone": "", "phone number": "", "telephone": "", "tel": "", "mobile": "cell", "mobile phone": "cell",
    "mobile number": "cell", "cell": "cell", "cell phone": "cell", "home mobile": "cell", "home phone": "home",
    "home phone 2": "home", "business phone": "work", "business phone 2": "work", "work phone": "work",
    "primary phone": "pref", "company main phone": "work", "other phone": "", "home fax": "home,fax",
    "business fax": "work,fax", "other fax": "fax", "fax number": "fax", "fax": "fax", "pager": "pager",
    "pager number": "pager", "car phone": "car", "isdn": "isdn", "phone video": "video", "callback": "",
    "radio phone": "", "tty/tdd phone": "textphone", "telex": "", "assistant's phone": "assistant",
}
_WEBSITES = {
    "website": "", "web site": "", "web page": "", "web page 1": "", "web page 2": "", "homepage": "homepage",
    "home page": "homepage", "url": "", "personal web page": "home", "business web page": "work",
    "website home page": "homepage", "website work": "work", "website blog": "blog", "website profile": "profile",
    "website other": "",
}
_ADDRESS_PARTS = {
    "street": "street", "street 2": "street", "street 3": "street", "address": "street", "address 2": "street",
    "address po box": "pobox", "po box": "pobox", "city": "city", "state": "region", "region": "region",
    "postal code": "postal", "zip": "postal", "zip code": "postal", "zipcode": "postal", "country": "country",
    "country/region": "country",
}
_ADDRESS = re.compile(r"^(home|business|work|other) (" + "|".join(map(re.escape, _ADDRESS_PARTS)) + r")$")
_GOOGLE = re.compile(r"^(e-mail|phone|address|organization|website|relation|event|im|custom field) (\d+) - (.+)$")
_GOOGLE_PARTS = {"formatted": "formatted", "street": "street", "city": "city", "po box": "pobox",
                 "region": "region", "postal code": "postal", "country": "country", "extended address": "extended"}
_LEFT_OUT = {"e-mail type", "e-mail 2 type", "e-mail 3 type"}  # Outlook's SMTP/EX transport, not a label
_ADDRESS_LABELS = {"business": "work"}


def normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def custom_key(header: str) -> str:
    """A custom field's name from a column's: `Shoe Size` -> `shoe_size`."""
    key = re.sub(r"[^\w]+", "_", normalise(header).replace("'", "")).strip("_")
    return key if key and not key[0].isdigit() else f"column_{key}".rstrip("_")


def _google(match: re.Match[str]) -> Target:
    group, number, part = match.group(1), match.group(2), match.group(3)
    slot = f"{group} {number}"
    if part in ("type", "label", "service"):
        return Target("label", slot=slot)
    if group == "e-mail":
        return Target("emails", slot=slot)
    if group == "phone":
        return Target("phones", slot=slot)
    if group == "website":
        return Target("links", slot=slot)
    if group == "address":
        return Target(f"address.{_GOOGLE_PARTS.get(part, 'street')}", slot=slot)
    if group == "organization" and number == "1" and part in ("name", "title"):
        return Target("company" if part == "name" else "title")
    if group in ("relation", "event", "im", "custom field") and part == "value":
        return Target("custom", slot=slot)
    return Target("custom", custom_key(f"{group} {number} {part}" if number != "1" else f"{group} {part}"))


def _one(header: str, headers: set[str]) -> Target:
    if header in _LEFT_OUT:
        return IGNORE
    google = _GOOGLE.match(header)
    if google:
        return _google(google)
    address = _ADDRESS.match(header)
    if address:
        label = _ADDRESS_LABELS.get(address.group(1), address.group(1))
        part = _ADDRESS_PARTS[address.group(2)]
        if address.group(2) == "address" and f"{address.group(1)} street" in headers:
            part = "formatted"  # Outlook: `Home Address` is the whole address when `Home Street` is there too
        return Target(f"address.{part}", label=label, slot=f"address {label}")
    if header in _NAME_PARTS and not (header == "title" and "job title" in headers):
        return Target(f"name.{_NAME_PARTS[header]}")
    if header == "title" and "job title" in headers:
        return Target("name.prefix")  # Outlook's `Title` is Mr./Ms.; its job title is `Job Title`
    for table, field_name in ((_EMAILS, "emails"), (_PHONES, "phones"), (_WEBSITES, "links")):
        if header in table:
            return Target(field_name, label=table[header])
    if header in _FIELDS:
        return Target(_FIELDS[header])
    if header == "photo":
        return Target("custom", "photo_url")  # Google's Photo column holds a URL, not a file beside the contact
    return Target("custom", custom_key(header))


def targets(headers: list[str], overrides: dict[str, str]) -> list[Target]:
    """The target of each column; ``overrides`` (normalised column -> field, '' to leave it out) come first."""
    names = [normalise(h) for h in headers]
    present = set(names)
    out = []
    for name in names:
        if name in overrides:
            out.append(_override(overrides[name]))
        elif not name:
            out.append(IGNORE)
        else:
            out.append(_one(name, present))
    return _unique_custom(out)


def _override(field_name: str) -> Target:
    if not field_name:
        return IGNORE
    if field_name in ("emails", "phones", "links", "notes", "handle") or field_name in KNOWN_FIELDS:
        return Target(field_name)
    if field_name.startswith("name.") and field_name[5:] in set(_NAME_PARTS.values()):
        return Target(field_name)
    return Target("custom", field_name)


def _unique_custom(targets_: list[Target]) -> list[Target]:
    seen: dict[str, int] = {}
    out = []
    for target in targets_:
        if target.field == "custom" and target.label:
            count = seen.get(target.label, 0) + 1
            seen[target.label] = count
            if count > 1:
                target = Target("custom", f"{target.label}_{count}")
        out.append(target)
    return out
