"""What the search index holds for one contact: its searchable fields and the row results print.

Pure functions from a parsed Contact to plain values; the index module turns them into Whoosh
documents. Dates are integers YYYYMMDD so ranges and sorting are numeric.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.format.documents import KEY as DOCUMENTS_KEY
from vault_tool.format.fieldtable import (
    COMPUTED_FIELDS,
    CUSTOM_PREFIX,
    INDEX_FIELDS,
    NUMBER_PREFIX,
    as_number,
    day_number,
)
from vault_tool.format.handles import sortable_name
from vault_tool.format.identity import block_keys, identity_keys
from vault_tool.format.relations import KEY as RELATIONS_KEY
from vault_tool.format.relations import edge_term, term, written
from vault_tool.search.view import column_bytes
from vault_tool.store.vault import texts_of

if TYPE_CHECKING:
    from vault_tool.format.contact import Contact

# The index's fields are defined in format/fieldtable.py; this module fills them.
# Index fields filled from front matter keys of the same meaning (key -> field).
LIST_KEYWORDS = {"tags": "tag"}
SCALAR_KEYWORDS = {"stage": "stage", "owner": "owner"}
TEXT_FIELDS = {"name": "name", "company": "company", "title": "title"}
_OWN_KEYS = (RELATIONS_KEY, DOCUMENTS_KEY)  # keys with fields of their own (relation types, `file`): no custom field
MIN_PHONE_DIGITS = 3
# ISO 3166 reserves these for the countries below; people write them.
COUNTRY_ALIASES = {"uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "el": "GR"}


@dataclass
class Attached:
    """What the index reads of a contact's documents: their names, their text, and why one could not be read."""

    names: list[str] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)


TEXT_LIMIT = 200_000  # characters of one document's text the index reads
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".csv", ".tsv", ".org", ".rst")


def attached(root: Path, contact: Contact) -> Attached:
    """The names and text of the documents ``contact`` lists (format/documents.py): PDFs (pypdf), plain text and
    Markdown; other files by name only. A document that cannot be read is a warning, never a failure."""
    from vault_tool.format.documents import documents_of

    found = Attached()
    texts = []
    for doc in documents_of(root, contact.handle, contact.meta, contact.path):
        found.names.append(doc.name)
        if doc.path is None:
            continue
        try:
            text = document_text(doc.path, root)
        except VaultError as exc:
            where = doc.path.relative_to(root).as_posix() if doc.path.is_relative_to(root) else str(doc.path)
            found.warnings.append(f"{where}: its text cannot be read ({_reason(exc, doc.path)}): {contact.name} is "
                                  "found by the document's name only")
            continue
        if text.strip():
            texts.append(text)
    found.text = "\n".join(texts)
    return found


def _reason(exc: VaultError, path: Path) -> str:
    """The error without the path it starts with (the warning names the document already)."""
    return str(exc).removeprefix(f"{path}: ")


def document_text(path: Path, root: Path) -> str:
    """The text of one document (at most TEXT_LIMIT characters): '' for a kind whose text is not read;
    VaultError if it cannot be read."""
    from vault_tool.format.documents import read_document

    suffix = path.suffix.lower()
    if suffix != ".pdf" and suffix not in TEXT_SUFFIXES:
        return ""
    data = read_document(path, root)
    if suffix in TEXT_SUFFIXES:
        return data[:TEXT_LIMIT * 4].decode("utf-8", "replace")[:TEXT_LIMIT]
    return pdf_text(data)


def pdf_text(data: bytes) -> str:
    """The text of a PDF's pages, in order, up to TEXT_LIMIT characters; VaultError if pypdf cannot read it."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on odd but readable files are not ours to show
    parts: list[str] = []
    length = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise VaultError("the PDF is encrypted, so its text cannot be read")
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
            if length >= TEXT_LIMIT:
                break
    except VaultError:
        raise
    except Exception as exc:  # noqa: BLE001 -- pypdf raises many kinds of error for a damaged file
        raise VaultError(f"not a readable PDF ({type(exc).__name__}: {str(exc)[:80] or 'no detail'})") from None
    return "\n".join(parts)[:TEXT_LIMIT]


def name_words(name: str) -> str:
    """A document's name and its words (`contract.pdf contract pdf`): `file:contract` finds it, and so does its
    whole name."""
    return " ".join(dict.fromkeys([name, *re.findall(r"[^\W_]+", name)]))


def document(contact: Contact, rel: str, region: str, today: dt.date, created: dt.date | None,
             documents: Attached | None = None) -> dict[str, Any]:
    """The index document of ``contact`` (file ``rel``, relative to the vault) as of ``today``.

    ``region`` is vault.yaml's default_region; phone numbers without a country code are read in the
    contact's own region (format/regions.py), which that is only the last resort for. ``documents``: the
    names and text of its documents, which `file:` and bare words search.
    """
    from vault_tool.format.contact import as_list

    meta = contact.meta
    region = _phone_region(meta, region)
    doc: dict[str, Any] = {"path": rel}
    for key, name in TEXT_FIELDS.items():
        if meta.get(key) is not None:
            doc[name] = str(meta[key])
    for key, name in LIST_KEYWORDS.items():
        doc[name] = ",".join(as_list(meta.get(key)))
    for key, name in SCALAR_KEYWORDS.items():
        doc[name] = str(meta.get(key) or "")
    doc["sort_name"] = sortable_name(contact.name)
    doc["email"] = " ".join(email_terms(contact.emails))
    doc["phone"] = " ".join(phone_terms(contact.phones, region))
    doc["kind"] = ",".join(dict.fromkeys([contact.kind, *(i.kind for i in contact.interactions)]))
    doc.update(address_fields(meta.get("address"), meta.get("vcard")))
    doc["birthday"] = " ".join(birthday_terms(meta.get("birthday")))
    doc["text"] = full_text(contact)
    if documents is not None and documents.names:
        doc["file"] = " ".join(name_words(name) for name in documents.names)
        doc["text"] = "\n".join(part for part in (doc["text"], doc["file"], documents.text) if part)
    doc.update(relation_fields(contact))
    _add_custom(doc, contact.custom, region)
    last = contact.last_contact(today)
    future = [i.date for i in contact.interactions if i.date > today]
    doc["last_contact"] = day_number(last) if last else ""  # no value: matched by `last_contact:none`
    doc["created"] = day_number(created) if created else ""
    doc["next_date"] = day_number(min(future)) if future else ""
    from vault_tool.search.scoring import facts_of

    facts = facts_of(contact).to_data()
    doc["facts"] = column_bytes(facts)  # a column, as the view (see index.views)
    _add_follow_ups(doc, contact, rel, last, created, facts)
    keys = dict.fromkeys([k for k, _ in identity_keys(meta, region)] + list(block_keys(meta)))  # each once
    doc["dupe_keys"] = "\n".join(keys).encode("utf-8")  # a value a contact writes twice (a@x, A@x) is one
    doc["mail_ids"] = " ".join(mail_terms(contact))
    doc["who"] = texts_of(contact.name, contact.handle, contact.emails).encode("utf-8")  # see Vault.get
    doc["row"] = {  # what search prints; a missing value is None (JSON's null)
        "handle": contact.handle, "name": contact.name, "kind": contact.kind,
        "company": contact.text_field("company") or None, "emails": contact.emails, "phones": contact.phones,
        "tags": contact.tags, "stage": contact.text_field("stage") or None,
        "owner": contact.text_field("owner") or None,
        "last_contact": last.isoformat() if last else None, "created": created.isoformat() if created else None,
        "path": rel,
    }
    return {k: v for k, v in doc.items() if v != ""}


def _phone_region(meta: dict[str, Any], region: str) -> str:
    """The region the contact's phone numbers are read in: its country's, else ``region``."""
    if not meta.get("phones") and not any(str(key).lower() == "phone" for key in meta):
        return region  # no number to read: no country to look up
    from vault_tool.format.regions import contact_region

    return contact_region(meta, region).code


def _add_follow_ups(
    doc: dict[str, Any], contact: Contact, rel: str, last: dt.date | None, created: dt.date | None,
    facts: dict[str, Any],
) -> None:
    """The stored view (see view.py), its parts follow-ups and reports read (with the scoring ``facts``), and the
    fields that find the contacts a follow-up lists.

    `task_due`: the earliest due day of an open task; `touch_due`: the day a contact's own
    keep-in-touch cadence runs out (1 when never in touch); `problems`: how many follow-up values
    do not parse, so that reading commands still name them.
    """
    from vault_tool.format.dates import parse_duration
    from vault_tool.format.schedule import birthday_of
    from vault_tool.search.view import card_of, dupe_view_of, follow_of, summed_fields_of, summed_of, task_due, view_of

    view = view_of(contact, rel, created)
    # The relations the file writes, [type, handle] each: the reverse side of `show` and the graph read them.
    view["relations"] = [[r.type, r.target] for r in written(contact.handle, contact.meta)]
    doc["view"] = column_bytes(view)  # a column of its own (see index.views)
    doc["follow"] = column_bytes(follow_of(view))
    doc["card"] = column_bytes(card_of(contact, last))
    doc["summary"] = column_bytes(summed_of(view, facts))
    doc["summary_fields"] = column_bytes(summed_fields_of(view, facts))
    doc["dupe_view"] = column_bytes(dupe_view_of(view))
    doc["task_due"] = task_due(contact) or ""
    doc["problems"] = len(view["problems"]) or ""
    birthday = birthday_of(contact)
    doc["birthday_day"] = birthday.month * 100 + birthday.day if birthday else ""
    done = [task.done_on for task in contact.tasks if task.done and task.done_on]
    doc["done_day"] = day_number(max(done)) if done else ""
    own = contact.meta.get("keep_in_touch")
    if own in (None, ""):
        return
    try:
        cadence = parse_duration(str(own))
    except InvalidValueError:
        return  # a problem of the view: the default cadence applies
    doc["touch_due"] = day_number(last + cadence) if last else 1


def mail_terms(contact: Contact) -> list[str]:
    """`handle/message-id` for each email its interactions record (format/mailmark.py): what `mail log` has logged."""
    from vault_tool.format.mailmark import marked_ids

    found = [f"{contact.handle}/{mid}" for item in contact.interactions for mid in marked_ids(item.text)]
    return list(dict.fromkeys(term for term in found if " " not in term))


def relation_fields(contact: Contact) -> dict[str, str]:
    """`handle`, and `related`: each handle the contact's file relates it to, alone and after its type
    (`charles-babbage reports_to/charles-babbage`), as index terms (format/relations.py `term`)."""
    found: list[str] = []
    for relation in written(contact.handle, contact.meta):
        found += [term(relation.target), edge_term(relation.type, relation.target)]
    return {"handle": term(contact.handle), "related": " ".join(dict.fromkeys(found))}


def _add_custom(doc: dict[str, Any], custom: dict[Any, Any], region: str) -> None:
    """Custom fields as fields of their own, except those named like an index field.

    A key the tool computes (`last_contact: …` by hand) is left out: search uses the computed value.
    Any other key named like an index field (`country: NO`, `city: Oslo`, `Company: …`) adds to
    that field, as the address adds to `country:` and `city:`.
    """
    for key, value in custom.items():
        name = str(key).lower()
        if value is None or not re.fullmatch(r"\w+", name) or name in COMPUTED_FIELDS or name in _OWN_KEYS:
            continue
        if name in INDEX_FIELDS:
            doc[name] = _joined(name, [doc.get(name, ""), *_field_terms(name, _flatten(value), region)])
            continue
        doc[CUSTOM_PREFIX + name] = " ".join(_flatten(value))
        number = as_number(value)
        if number is not None:
            doc[NUMBER_PREFIX + name] = number


def _field_terms(name: str, values: list[str], region: str) -> list[str]:
    """What ``values`` written under a key named like index field ``name`` add to that field."""
    if name == "email":
        return email_terms(values)
    if name == "phone":
        return phone_terms(values, region)
    if name == "birthday":
        return [term for value in values for term in birthday_terms(value)]
    if name == "country":
        return [" ".join(country_terms(value)) for value in values]
    return values


def _joined(name: str, values: list[str]) -> str:
    """Values of one index field as its analyzer reads them: comma-separated for keywords, else spaces."""
    present = [value for value in values if value]
    return ("," if name in ("tag", "stage", "owner", "kind") else " ").join(present)


def full_text(contact: Contact) -> str:
    """What bare words search: name, emails, company, title, notes and every interaction."""
    parts = [contact.name, *contact.emails, contact.text_field("company"), contact.text_field("title"), contact.notes]
    for item in contact.interactions:
        parts.append(f"{item.kind} {item.summary}\n{item.text}")
    return "\n".join(p for p in parts if p)


def email_terms(emails: list[str]) -> list[str]:
    """Each address whole, its local part and its domain, lower case."""
    terms: list[str] = []
    for email in emails:
        email = email.strip().lower()
        if not email or " " in email:
            continue
        local, _, domain = email.rpartition("@")
        terms += [email, local, domain] if local else [email]
    return list(dict.fromkeys(t for t in terms if t))


def phone_terms(phones: list[str], region: str) -> list[str]:
    """Every tail (3 digits or more) of each number in international form: `phone:` is a prefix of one."""
    terms: list[str] = []
    for phone in phones:
        digits = phone_digits(phone, region)
        terms += [digits[i:] for i in range(0, len(digits) - MIN_PHONE_DIGITS + 1)]
    return list(dict.fromkeys(terms))


def phone_digits(text: str, region: str) -> str:
    """A number as country code + national number digits if it parses, else just its digits."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return f"{number.country_code}{phonenumbers.national_significant_number(number)}"
    return re.sub(r"\D", "", text)


def phone_query_digits(text: str, region: str) -> str:
    """The digits a `phone:` query looks for: the national number when it is a whole number, else its digits.

    `+44 20 7946 0958`, `020 7946 0958` and `7946 0958` all become tails of `442079460958`.
    """
    import phonenumbers

    raw = re.sub(r"\D", "", text)
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return raw
    if phonenumbers.is_valid_number(number):
        return phonenumbers.national_significant_number(number)
    return raw.lstrip("0") or raw


def address_fields(address: Any, kept: Any = None) -> dict[str, str]:
    """`city` and `country` from the address (`street, city [postcode], country`, or a mapping with those keys)
    and from every address kept in vCard's encoding under ``vcard:`` (`ADR;TYPE=work: ;;street;city;…`)."""
    cities: list[str] = []
    countries: list[str] = []
    for city, country in [_address_parts(address), *_kept_addresses(kept)]:
        cities += [city] if city and city not in cities else []
        countries += [c for c in country_terms(country) if c not in countries] if country else []
    fields = {"city": " ".join(cities)} if cities else {}
    if countries:
        fields["country"] = " ".join(countries)
    return fields


def _address_parts(address: Any) -> tuple[str, str]:
    """(city, country) of the `address` field."""
    if isinstance(address, dict):
        return str(address.get("city") or ""), str(address.get("country") or "")
    if isinstance(address, str) and "," in address:
        parts = [p.strip() for p in address.split(",") if p.strip()]
        return (parts[-2], parts[-1]) if len(parts) > 1 else ("", "")
    return "", ""


_ADR_KEY = re.compile(r"^(?:[\w-]+\.)?ADR(?:;|$)", re.I)
_UNESCAPE = {"n": " ", "N": " ", ",": ",", ";": ";", "\\": "\\"}


def _kept_addresses(kept: Any) -> list[tuple[str, str]]:
    """(city, country) of each ADR line kept under ``vcard:`` (its 4th and 7th parts)."""
    if not isinstance(kept, dict):
        return []
    found = []
    for key, values in kept.items():
        if not _ADR_KEY.match(str(key)):
            continue
        for value in values if isinstance(values, list) else [values]:
            parts = [re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), p).strip()
                     for p in re.split(r"(?<!\\);", str(value))]
            parts += [""] * (7 - len(parts))
            found.append((parts[3], parts[6]))
    return found


def country_terms(name: str) -> list[str]:
    """A country as written, then its names and ISO codes, so `country:` finds it by any of them."""
    return list(dict.fromkeys([name, *country_names(name), *country_codes(name)]))


@functools.lru_cache(maxsize=512)
def _country(name: str) -> Any:
    """The pycountry record for a country name or code as people write it; None if it is none.

    ISO's own names and codes are looked up before the other languages' names: reading those
    takes some 60 ms of a process (24 catalogues), which re-indexing one edited contact need not
    pay. No name in another language is an ISO name or code of a different country, so the
    order changes no answer (a test keeps that true).
    """
    import pycountry

    key = name.strip().lower()
    try:
        return pycountry.countries.lookup(COUNTRY_ALIASES.get(key) or key)
    except LookupError:
        pass
    code = _translated_countries().get(key)
    return pycountry.countries.get(alpha_2=code) if code else None


_LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "pt_BR", "pl", "sv", "da", "nb_NO", "fi", "cs", "hu", "ro", "tr",
              "ru", "uk", "el", "ja", "zh_CN", "ko", "ar", "he")


@functools.lru_cache(maxsize=1)
def _translated_countries() -> dict[str, str]:
    """Country names in other languages (pycountry's gettext catalogues), lower case -> alpha-2:
    `deutschland`, `allemagne`, `alemania` -> DE."""
    import gettext

    import pycountry

    names: dict[str, str] = {}
    for language in _LANGUAGES:
        try:
            catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                translated = catalogue.gettext(english) if english else ""
                if translated and translated != english:
                    names.setdefault(translated.lower(), country.alpha_2)
    return names


def country_codes(name: str) -> tuple[str, ...]:
    """ISO codes (alpha-2, alpha-3) for a country name or code as people write it, plus `uk` for GB."""
    country = _country(name)
    if country is None:
        return ()
    codes = (country.alpha_2.lower(), country.alpha_3.lower())
    return codes + ("uk",) if country.alpha_2 == "GB" else codes


def country_clause(value: str) -> str | None:
    """`country:Deutschland` as a clause that finds the country however a contact writes it: the word as
    given, or the ISO code every spelling is indexed with (`country_terms`); None for a value that names
    no country (left as written)."""
    codes = country_codes(value.strip('"'))
    return f"(country:{value} OR country:{codes[0]})" if codes else None


def country_names(name: str) -> tuple[str, ...]:
    """The country's names (`Norway` for `NO`; `South Korea` and `Korea, Republic of`)."""
    country = _country(name)
    if country is None:
        return ()
    return tuple(dict.fromkeys(getattr(country, attr) for attr in ("common_name", "name") if hasattr(country, attr)))


def birthday_terms(value: Any) -> list[str]:
    """`1815-12-10` -> the date, `1815`, `12-10`, and the month as `12`; `--12-10` has no year."""
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4}|-)-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return []
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    terms = [f"{month:02d}-{day:02d}", f"{month:02d}", str(month)]
    return ([text, year] if year != "-" else []) + terms


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flatten(v)]
    if isinstance(value, list):
        return [s for v in value for s in _flatten(v)]
    return [str(value)]
