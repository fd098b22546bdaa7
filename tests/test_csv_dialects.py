"""The CSV round trip: `export --format csv --csv-dialect vault|google|outlook`, then `import` into an empty
vault, gives back the same contacts: every field, the notes, and the kept vCard lines (second and third
addresses with their parts, the types of emails and phones, the name's parts)."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.format.contact import LIST_FIELDS, Contact, as_list, parse, render
from vault_tool.interop import csv_format
from vault_tool.interop.csv_write import to_csv
from vault_tool.interop.vcard_syntax import escape, lenient_prop

DIALECTS = ["vault", "google", "outlook"]
FOLKERKINZEL = ROOT.parent / "shared" / "realworld" / "interop" / "csv" / "folkerkinzel"
needs_realworld = pytest.mark.skipif(not FOLKERKINZEL.is_dir(), reason="the real-world samples are not here")

ADA = """---
name: Ada King Lovelace
emails: [ada@analytical.example, countess@lovelace.example, ada@home.example]
phones: ["+44 20 7946 0958", "+44 7700 900123", "+44 20 7946 0000"]
company: Analytical Engines
title: Head of Research
tags: [customer, mathematics]
stage: customer
owner: alice
address: 12 St James's Square, London, SW1Y 4JH, United Kingdom
birthday: 1815-12-10
keep_in_touch: 30d
links:
  github: https://github.com/ada
  website: https://lovelace.example
uid: 01JD0M5ZQ4R8W3T2N6Y1C9B7KX
industry: computing
vcard:
  N: Lovelace;Ada;King;Countess;FRS
  EMAIL;TYPE=work: ada@analytical.example
  EMAIL;TYPE=home,pref: countess@lovelace.example
  TEL;TYPE=work: "+44 20 7946 0958"
  TEL;TYPE=cell: "+44 7700 900123"
  TEL;TYPE=work,fax: "+44 20 7946 0000"
  ADR;TYPE=work: ;;12 St James's Square;London;;SW1Y 4JH;United Kingdom
  ADR;TYPE=home: ;Flat 2;Ockham Park;Ockham;Surrey;GU23 6NP;United Kingdom
  ADR: PO Box 7;;;Bath;;BA1 1AA;United Kingdom
---
Met at the Babbage soirée. Prefers letters to calls.
"""
BRUCE = """---
name: 李小龙
emails: [bruce@jeetkunedo.example]
phones: ["+852 2345 6789"]
birthday: --11-27
uid: 01JD0M5ZQ4R8W3T2N6Y1C9B7KY
vcard:
  N: 李;小龙;;;
  TEL;TYPE=CELL: "+852 2345 6789"
  EMAIL;TYPE=INTERNET,WORK: bruce@jeetkunedo.example
  X-SOCIALPROFILE;TYPE=twitter: https\\://twitter.example/bruce
  item1.X-ABLABEL: _$!<HomePage>!$_
---
"""
ENGINES = """---
name: Analytical Engines Ltd
kind: organization
emails: [office@analytical.example]
company: Analytical Engines
address: |-
  1 Dorset Street
  London W1U 4EG
uid: 01JD0M5ZQ4R8W3T2N6Y1C9B7KZ
---
Makers of the engine.

- [ ] Send the Bernoulli notes due:2026-12-01
"""
WHO = """---
name: Dr. Who
phones: ["+44 20 7946 0111", "+44 20 7946 0112", "+44 20 7946 0113"]
tags: [mycontacts]
uid: 01JD0M5ZQ4R8W3T2N6Y1C9B7KW
companion: Rose Tyler
vcard:
  TEL;TYPE=home: "+44 20 7946 0113"
---
"""


def _kept(mapping: Any) -> list[tuple[Any, ...]]:
    """Kept vCard lines as the round trip keeps them: TYPE values in any case and order, vCard's default
    types (INTERNET for an email, VOICE for a phone) left out; everything else exactly."""
    out = []
    for head, values in (mapping or {}).items():
        for value in values if isinstance(values, list) else [values]:
            prop = lenient_prop(f"{head}:{value}")
            types = sorted({t for t in prop.types() if t not in ("internet", "voice")})
            params = sorted((k, v) for k, v in prop.params.items() if k != "TYPE")
            out.append((prop.group, prop.name, prop.value, types, params, prop.raw))
    return sorted(out, key=repr)


def _plain(key: str, value: Any) -> Any:
    """A field's value as the round trip gives it back: a number as text (`employees: 240` is '240'), a
    single email, phone or tag as a list of one."""
    if key in LIST_FIELDS:
        return as_list(value)
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def same_contact(mine: Contact, theirs: Contact) -> None:
    """Field by field: the same fields, the same kept lines (as _kept compares them), the same notes."""
    fields = {k: _plain(k, v) for k, v in mine.meta.items() if k != "vcard"}
    assert {k: v for k, v in theirs.meta.items() if k != "vcard"} == fields, mine.name
    assert _kept(theirs.meta.get("vcard")) == _kept(mine.meta.get("vcard")), mine.name
    assert theirs.notes.strip() == mine.notes.strip(), mine.name


def by_uid(root: Path) -> dict[str, Contact]:
    contacts = [parse(p, p.read_bytes(), p.stem) for p in sorted((root / "contacts").rglob("*.md"))]
    return {str(c.meta["uid"]): c for c in contacts}


def round_trip(tmp_path: Path, invoke, first: Path, dialect: str) -> dict[str, Contact]:
    """Export ``first`` as CSV in ``dialect`` and import that into a new vault: its contacts by uid."""
    exported = tmp_path / f"{dialect}.csv"
    ok(invoke("-C", first, "export", "--format", "csv", "--csv-dialect", dialect, "-o", exported))
    second = tmp_path / f"second-{dialect}"
    ok(invoke("init", second))
    ok(invoke("-C", second, "import", exported, "--on-duplicate", "new"))
    return by_uid(second)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_contacts_written_in_a_vault_come_back_field_by_field(tmp_path: Path, invoke, empty_vault: Path,
                                                              dialect: str) -> None:
    for handle, text in (("ada", ADA), ("bruce", BRUCE), ("engines", ENGINES), ("who", WHO)):
        (empty_vault / "contacts" / f"{handle}.md").write_text(text, encoding="utf-8")
    mine = by_uid(empty_vault)

    theirs = round_trip(tmp_path, invoke, empty_vault, dialect)

    assert sorted(theirs) == sorted(mine)
    for uid, contact in mine.items():
        same_contact(contact, theirs[uid])
    ada = theirs["01JD0M5ZQ4R8W3T2N6Y1C9B7KX"]
    assert ada.meta["vcard"]["N"] == "Lovelace;Ada;King;Countess;FRS"
    assert ada.meta["vcard"]["ADR"] == "PO Box 7;;;Bath;;BA1 1AA;United Kingdom"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_example_vault_comes_back_field_by_field(tmp_path: Path, invoke, vault: Path, dialect: str) -> None:
    mine = by_uid(vault)

    theirs = round_trip(tmp_path, invoke, vault, dialect)

    assert sorted(theirs) == sorted(mine)
    for uid, contact in mine.items():
        same_contact(contact, theirs[uid])


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_google_columns_hold_the_second_and_third_address_the_labels_and_the_name_parts() -> None:
    ada = parse(Path("ada.md"), ADA.encode(), "ada")

    row = _table(to_csv([ada], "google"))[0]

    assert (row["Name"], row["Given Name"], row["Additional Name"], row["Family Name"]) == (
        "Ada King Lovelace", "Ada", "King", "Lovelace")
    assert (row["Name Prefix"], row["Name Suffix"]) == ("Countess", "FRS")
    assert [(row[f"E-mail {n} - Type"], row[f"E-mail {n} - Value"]) for n in (1, 2, 3)] == [
        ("Work", "ada@analytical.example"), ("* Home", "countess@lovelace.example"), ("", "ada@home.example")]
    assert [row[f"Phone {n} - Type"] for n in (1, 2, 3)] == ["Work", "Mobile", "Work Fax"]
    assert [row[f"Address {n} - Type"] for n in (1, 2, 3)] == ["Work", "Home", ""]
    assert (row["Address 2 - Street"], row["Address 2 - Extended Address"], row["Address 2 - Region"]) == (
        "Ockham Park", "Flat 2", "Surrey")
    assert (row["Address 3 - PO Box"], row["Address 3 - City"], row["Address 3 - Postal Code"]) == (
        "PO Box 7", "Bath", "BA1 1AA")
    customs = {row[f"Custom Field {n} - Type"]: row[f"Custom Field {n} - Value"] for n in range(1, 6)}
    assert customs["stage"] == "customer" and customs["industry"] == "computing"


def test_outlook_columns_hold_addresses_by_kind_phones_by_type_and_the_name_parts() -> None:
    ada = parse(Path("ada.md"), ADA.encode(), "ada")

    text = to_csv([ada], "outlook")
    row = _table(text)[0]

    assert text.startswith("Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,")
    assert [row[c] for c in ("Title", "First Name", "Middle Name", "Last Name", "Suffix")] == [
        "Countess", "Ada", "King", "Lovelace", "FRS"]
    assert (row["Company"], row["Job Title"], row["Birthday"]) == ("Analytical Engines", "Head of Research",
                                                                   "1815-12-10")
    assert (row["Business Street"], row["Business City"], row["Business Postal Code"]) == (
        "12 St James's Square", "London", "SW1Y 4JH")
    assert (row["Home Street"], row["Home Street 2"], row["Home State"]) == ("Ockham Park", "Flat 2", "Surrey")
    assert (row["Other Address PO Box"], row["Other City"], row["Other Country/Region"]) == (
        "PO Box 7", "Bath", "United Kingdom")
    assert (row["Business Phone"], row["Mobile Phone"], row["Business Fax"]) == (
        "+44 20 7946 0958", "+44 7700 900123", "+44 20 7946 0000")
    assert [row[c] for c in ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")] == [
        "ada@analytical.example", "countess@lovelace.example", "ada@home.example"]
    assert (row["Categories"], row["Web Page"]) == ("customer;mathematics", "https://lovelace.example")
    assert "EMAIL;TYPE=home,pref: countess@lovelace.example" in row["vcard"].splitlines()  # no column for it


def test_a_contact_the_columns_say_fully_needs_no_extra_column() -> None:
    plain = Contact("grace-hopper", {"name": "Grace Hopper", "emails": ["grace@navy.example"],
                                     "phones": ["+1 202 555 0143"], "company": "US Navy",
                                     "vcard": {"TEL;TYPE=cell": "+1 202 555 0143"}})

    for dialect in ("google", "outlook"):
        header = to_csv([plain], dialect).splitlines()[0].split(",")
        assert "vcard" not in header and not any(h.startswith("Custom Field") for h in header), dialect


def test_the_vault_dialect_keeps_a_name_and_custom_field_names_as_written() -> None:
    who = Contact("dr-who", {"name": "Dr. Who", "mobile": "TARDIS", "shoeSize": "42",
                             "links": {"blog": "www.who.example"}, "aliases": ["The Doctor", "Time Lord, the"],
                             "relations": {"companion": "rose-tyler"}})

    text = to_csv([who])
    record = csv_format.read(text.encode()).records[0]

    assert record.meta == who.meta  # no `Dr.` taken as a title, `mobile` no phone, `shoeSize` as it was
    assert '"[""The Doctor"", ""Time Lord, the""]"' in text  # a custom field's list as JSON


@needs_realworld
@pytest.mark.parametrize("dialect", DIALECTS)
def test_real_exports_imported_exported_and_imported_again_are_the_same(tmp_path: Path, invoke,
                                                                        dialect: str) -> None:
    first = tmp_path / "first"
    ok(invoke("init", first))
    files = sorted(FOLKERKINZEL.glob("*.csv"))
    ok(invoke("-C", first, "import", *files, "--on-duplicate", "new"))
    mine = by_uid(first)
    assert len(mine) == 13

    theirs = round_trip(tmp_path, invoke, first, dialect)

    assert sorted(theirs) == sorted(mine)
    for uid, contact in mine.items():
        same_contact(contact, theirs[uid])


# Generated contacts

_SCRIPTS = ["abcdefghijklmnopqrstuvwxyzäöüßéèçñ", "абвгдежзийклмнопрстуфхцчшщыэюя", "αβγδεζηθικλμνξοπρστυφχψω",
            "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
            "कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह"]
_EMAIL_TYPES = [[], ["work"], ["home"], ["home", "pref"], ["other"], ["internet", "work"]]
_PHONE_TYPES = [[], ["cell"], ["work"], ["home"], ["home", "fax"], ["work", "fax"], ["pager"], ["cell", "pref"],
                ["voice"], ["car"], ["work", "cell"]]
_ADDRESS_TYPES = [[], ["work"], ["home"], ["other"], ["home", "pref"]]


@st.composite
def _word(draw: st.DrawFn, script: str) -> str:
    word = draw(st.text(alphabet=script, min_size=1, max_size=8))
    return word.capitalize()


@st.composite
def _address_parts(draw: st.DrawFn) -> list[str]:
    part = st.one_of(st.just(""), st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöü0123456789 .-", min_size=1,
                                          max_size=12).map(str.strip))
    parts = [draw(part) for _ in range(7)]
    street = draw(st.sampled_from(["", "Am Juliusturm 40", "1 K Street NW\nSuite 400", "Calle Mayor 5, 2º"]))
    parts[2] = street or parts[2]
    return parts if any(parts) else ["", "", "Main Street 1", "", "", "", ""]


@st.composite
def contacts(draw: st.DrawFn, number: int) -> Contact:
    script = draw(st.sampled_from(_SCRIPTS))
    given, family = draw(_word(script)), draw(_word(script))
    additional = draw(st.one_of(st.just(""), _word(script)))
    prefix, suffix = draw(st.sampled_from(["", "Dr.", "Prof."])), draw(st.sampled_from(["", "Jr.", "PhD"]))
    cjk = script.startswith("的")
    name = family + given if cjk else " ".join(w for w in (given, additional, family, suffix) if w)
    meta: dict[str, Any] = {"name": name}
    kept: list[tuple[str, str]] = []
    if cjk or prefix or additional or suffix:
        kept.append(("N", ";".join(escape(p) for p in (family, given, additional, prefix, suffix))))
    for key, head, values, kinds in (
            ("emails", "EMAIL", [f"p{number}.{i}@mail{i}.example" for i in range(3)], _EMAIL_TYPES),
            ("phones", "TEL", [f"+49 30 {number:04d} {i}{i}{i}" for i in range(3)], _PHONE_TYPES)):
        chosen = values[:draw(st.integers(0, 3))]
        if chosen:
            meta[key] = chosen
        for value in chosen:
            types = draw(st.sampled_from(kinds))
            if types:
                kept.append((f"{head};TYPE={','.join(types)}", escape(value)))
    for index in range(draw(st.integers(0, 3))):
        parts = draw(_address_parts())
        if index == 0:
            meta["address"] = ", ".join(ln.strip(" ,") for p in parts for ln in p.splitlines() if ln.strip(" ,"))
        types = draw(st.sampled_from(_ADDRESS_TYPES))
        kept.append((f"ADR;TYPE={','.join(types)}" if types else "ADR", ";".join(escape(p) for p in parts)))
    birthday = draw(st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()),
                              st.dates().map(lambda d: d.strftime("--%m-%d"))))
    if birthday and not birthday.startswith("0"):
        meta["birthday"] = birthday
    meta["uid"] = f"uid-{number}"
    if kept:
        meta["vcard"] = _mapping(kept)
    return Contact(f"contact-{number}", meta, notes=draw(st.sampled_from(["", "Met at a fair.", "Line\nnext"])))


def _mapping(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for head, value in pairs:
        old = mapping.get(head)
        mapping[head] = value if old is None else (old + [value] if isinstance(old, list) else [old, value])
    return mapping


def _as_filed(contact: Contact) -> Contact:
    """The contact as the vault reads it from the file written for it."""
    path = Path(f"{contact.handle}.md")
    return parse(path, render(contact).encode("utf-8"), contact.handle)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 9999), min_size=1, max_size=3, unique=True).flatmap(
    lambda numbers: st.tuples(*(contacts(n) for n in numbers))), st.sampled_from(DIALECTS))
def test_generated_contacts_round_trip_through_every_dialect(generated: tuple[Contact, ...], dialect: str) -> None:
    mine = [_as_filed(c) for c in generated]

    records = csv_format.read(to_csv(mine, dialect).encode("utf-8")).records

    assert len(records) == len(mine)
    for contact, record in zip(mine, records):
        filed = _as_filed(Contact(contact.handle, record.meta, notes=record.notes))
        same_contact(contact, filed)
