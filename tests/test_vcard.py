"""vCard files as contacts and back: real exports from phones and mail clients, property by property.

The real files are other people's (see /work/shared/testdata/SOURCES.md), read
in place; the tests skip when that folder is missing. Cards made here are
this project's own.
"""
from __future__ import annotations

import base64
import string
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED_TESTDATA
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_tool.format.contact import Contact, parse, render
from vault_tool.interop import vcard
from vault_tool.interop.encoding import charset_hints, decode
from vault_tool.interop.records import Photo
from vault_tool.interop.vcard_syntax import (
    escape,
    fold,
    logical_lines,
    parse_card,
    physical_lines,
    split_cards,
    unescape,
)

VCARDS = SHARED_TESTDATA / "vcard"
REAL_FILES = sorted(VCARDS.glob("*/*.vcf")) if VCARDS.is_dir() else []
needs_testdata = pytest.mark.skipif(not VCARDS.is_dir(), reason=f"{VCARDS} is not there")


def read(name: str) -> vcard.ReadResult:
    return vcard.read((VCARDS / name).read_bytes())


def only(name: str) -> vcard.Incoming:
    result = read(name)
    assert not result.problems, result.problems
    assert len(result.records) == 1
    return result.records[0]


def through_a_file(record: vcard.Incoming) -> Contact:
    """The contact as the vault stores it: rendered to a Markdown file and read back."""
    contact = Contact("someone", record.meta, notes=record.notes)
    return parse(Path("someone.md"), render(contact).encode("utf-8"))


def original_cards(path: Path) -> dict[int, vcard.Card]:
    data = path.read_bytes()
    decoded = decode(data, charset_hints(data))
    cards = {}
    for lines in split_cards(decoded.text)[0]:
        try:
            card = parse_card(lines, decoded.encoding)
        except vcard.CardError:
            continue
        cards[card.line] = card
    return cards


def properties(props: list[vcard.Prop]) -> Counter:
    """Properties compared as vCard means them: names and TYPE values in any case, pictures by their bytes,
    transfer encodings aside, empty values left out."""
    out: Counter = Counter()
    for prop in props:
        if prop.is_binary():
            try:
                value: object = prop.binary()[0]
            except ValueError:
                continue
            params: tuple = ()
        else:
            value = prop.value
            if not prop.value.strip(";, "):
                continue
            params = tuple(sorted(
                (name, tuple(sorted(t.lower() for v in values for t in v.split(","))))
                for name, values in prop.params.items() if name not in ("ENCODING", "CHARSET")
            ))
        out[((prop.group or "").lower(), prop.name, params, value)] += 1
    return out


# Reading real files


@needs_testdata
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_card_is_a_contact_or_a_problem_with_its_line(path: Path) -> None:
    result = vcard.read(path.read_bytes())

    assert result.records or result.problems
    for record in result.records:
        assert record.name.strip()
        assert record.line >= 1
    for problem in result.problems:
        assert problem.line is None or problem.line >= 1
        assert problem.message


@needs_testdata
def test_a_gmail_card_fills_the_fields_and_keeps_the_rest_under_vcard() -> None:
    record = only("ezvcard/gmail-single.vcf")

    assert record.meta["name"] == "Greg Dartmouth"
    assert record.meta["emails"] == ["gdartmouth@hotmail.com"]
    assert record.meta["phones"] == ["555 555 1111", "555 555 2222"]
    assert record.meta["company"] == "TheCompany"
    assert record.meta["title"] == "TheJobTitle"
    assert record.meta["birthday"] == "1960-09-10"
    assert record.meta["address"] == "123 Home St, Home City, HM 12345"
    assert record.meta["links"] == {"profile": "http://TheProfile.com"}  # item3.URL labelled by item3.X-ABLabel
    assert record.notes.startswith("This is GMail's note field.\nIt should be added as a NOTE type.")
    assert record.meta["nickname"] == "Gman"  # searchable, as a CSV's Nickname column
    kept = record.meta["vcard"]
    assert "NICKNAME" not in kept  # the field says all there is to say about it
    assert kept["TEL;TYPE=CELL"] == "555 555 1111"  # the TYPE label stays with its number
    assert kept["item1.TEL"] == "555 555 2222" and kept["item1.X-ABLABEL"] == "GRAND_CENTRAL"
    assert kept["item2.ADR"] == ";;321 Custom St;Custom City;TX;98765;USA"  # the second address


@needs_testdata
def test_a_list_of_cards_is_several_contacts() -> None:
    result = read("ezvcard/gmail-list.vcf")

    assert [r.name for r in result.records] == ["Arnold Smith", "Chris Beatle", "Doug White"]


@needs_testdata
@pytest.mark.parametrize(("name", "expected"), [
    ("aosp/v21_japanese_2.vcf", "安藤 ロイド 1"),  # Shift_JIS bytes, CHARSET=SHIFT_JIS
    ("roundcube/utf-16_sample.vcf", "Ǽgean ĽdaMonté"),  # UTF-16BE without a BOM
    ("roundcube/johndoe.vcf", "John Doë"),  # Windows-1252
    ("roundcube/thebat.vcf", "Piotr Iksiński"),  # quoted-printable with no CHARSET, Windows-1250 bytes
])
def test_encodings_phones_and_mail_clients_write(name: str, expected: str) -> None:
    assert only(name).name == expected


@needs_testdata
def test_quoted_printable_soft_line_breaks_are_joined() -> None:
    cards = read("ezvcard/John_Doe_ANDROID.vcf").records

    assert cards[3].name == "Ñ " * 10 + "Ñ"  # FN;ENCODING=QUOTED-PRINTABLE over two lines ending in `=`
    assert cards[3].meta["phones"] == ["123456", "234567", "3456789", "45678901"]


@needs_testdata
def test_comment_lines_are_skipped_and_a_continued_value_is_not() -> None:
    record = only("aosp/v21_invalid_comment_line.vcf")

    assert record.notes == "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."


@needs_testdata
def test_a_malformed_line_is_kept_as_it_is_with_its_line_and_its_card_is_read(tmp_path: Path) -> None:
    broken = (VCARDS / "aosp/v21_adr_multiple_line.vcf").read_bytes()
    good = (VCARDS / "ezvcard/gmail-single.vcf").read_bytes()

    result = vcard.read(good + broken.replace(b"\r\n", b"\n") + good.replace(b"Greg", b"Gregor"))

    assert [r.name for r in result.records] == ["Greg Dartmouth", "bogus", "Gregor Dartmouth"]
    assert result.problems == []
    card_start = good.count(b"\n") + 1
    assert result.records[1].warnings[0] == f"line {card_start + 6}: '9999999\\\\' is not a vCard line: it is kept as it is"
    assert result.records[1].meta["vcard"]["X-VAULT-LINE"][0] == "9999999\\"


@needs_testdata
def test_a_photo_becomes_a_picture_file_and_a_broken_one_is_kept_as_it_is_with_a_warning() -> None:
    iphone = only("ezvcard/John_Doe_IPHONE.vcf")
    malformed = only("aosp/v21_malformed_photo.vcf")

    assert [(p.extension, p.data[:3]) for p in iphone.photos] == [("jpg", b"\xff\xd8\xff")]
    assert malformed.photos == []
    assert malformed.warnings == [
        "its photo at line 5 cannot be read (its base64 data is corrupt (Only base64 data is allowed)): "
        "it is kept as it is under vcard:"
    ]


@needs_testdata
def test_lotus_notes_profile_line_and_crcrlf_line_endings_read() -> None:
    assert only("ezvcard/John_Doe_LOTUS_NOTES.vcf").meta["vcard"]["PROFILE"] == "VCard"
    assert only("aosp/v30_ios_613_multiline.vcf").name == "Bob Smith"  # every line ends in \r\r\n


# Round trips


def _round_trip_cases() -> list[tuple[Path, int]]:
    cases = []
    for path in REAL_FILES:
        for record in vcard.read(path.read_bytes()).records:
            cases.append((path, record.line))
    return cases


@needs_testdata
@pytest.mark.parametrize(("path", "line"), _round_trip_cases(), ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_vcard_to_vault_to_vcard_keeps_every_property(path: Path, line: int) -> None:
    original = original_cards(path)[line]
    record = next(r for r in vcard.read(path.read_bytes()).records if r.line == line)
    version = "4.0" if original.version.startswith("4") else "3.0"

    exported = vcard.to_vcard(through_a_file(record), version, record.photos)

    back = original_cards_from_text(exported)
    before, after = properties(original.props), properties(back.props)
    assert before - after == Counter(), "properties lost"
    # vCard 3.0 and 4.0 require FN (and 3.0 N); sync tools need a UID (a card without one gets its handle)
    assert {key[1] for key in after - before} <= {"FN", "N", "UID"}


def original_cards_from_text(text: str) -> vcard.Card:
    lines = split_cards(text)[0]
    assert len(lines) == 1
    return parse_card(lines[0], "utf-8")


def test_an_export_writes_crlf_lines_of_at_most_75_octets() -> None:
    contact = Contact("zoe", {"name": "Zoë Müller", "title": "Leiterin " * 20}, notes="Viele Grüße, " * 30)

    text = vcard.to_vcard(contact)

    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and text.endswith("END:VCARD\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert "\n" not in text.replace("\r\n", "")


def test_an_edited_field_wins_over_the_kept_line_and_a_removed_value_is_not_written() -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n"
        "EMAIL;TYPE=WORK:ada@work.example\r\nEMAIL;TYPE=HOME:ada@home.example\r\n"
        "TITLE;LANGUAGE=en:Countess\r\nEND:VCARD\r\n"
    )
    record = vcard.read(card.encode()).records[0]
    record.meta["emails"] = ["ada@work.example", "ada@new.example"]  # home removed, new added
    record.meta["title"] = "Head of Research"

    text = vcard.to_vcard(Contact("ada", record.meta))

    assert "EMAIL;TYPE=WORK:ada@work.example\r\n" in text
    assert "EMAIL:ada@new.example\r\n" in text
    assert "ada@home.example" not in text
    assert "TITLE:Head of Research\r\n" in text and "Countess" not in text


def test_vcard_4_is_written_the_4_0_way() -> None:
    contact = Contact("nordlys", {"name": "Nordlys Fisk", "kind": "organization", "birthday": "--05-17",
                                  "vcard": {"TEL;TYPE=work,pref": "+47 21 99 00 00"},
                                  "phones": ["+47 21 99 00 00"]})

    text = vcard.to_vcard(contact, "4.0", [Photo(b"\x89PNG\r\n", "png")])

    assert "VERSION:4.0\r\n" in text
    assert "KIND:org\r\n" in text
    assert "BDAY:--0517\r\n" in text
    assert "TEL;TYPE=work;PREF=1:+47 21 99 00 00\r\n" in text
    assert "PHOTO:data:image/png;base64,iVBORw0K\r\n" in text


def test_a_birthday_without_a_year_in_3_0_uses_apples_omitted_year_and_reads_back() -> None:
    text = vcard.to_vcard(Contact("x", {"name": "X", "birthday": "--12-10"}))

    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-10\r\n" in text
    assert vcard.read(text.encode()).records[0].meta["birthday"] == "--12-10"


# Hostile cards


def test_a_50_mb_photo_is_dropped_with_a_warning_and_the_contact_is_read() -> None:
    data = bytes(range(256)) * (50 * 4096)  # 50 MiB
    encoded = base64.b64encode(data).decode()
    folded = "\r\n ".join(encoded[i:i + 74] for i in range(0, len(encoded), 74))
    card = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big Photo\r\nPHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\n" \
           "EMAIL:big@example.com\r\nEND:VCARD\r\n"

    record = vcard.read(card.encode()).records[0]

    assert record.meta == {"name": "Big Photo", "emails": ["big@example.com"]}
    assert record.photos == []
    assert record.warnings == ["its photo is 50.0 MB, over the 10 MB limit: the photo is dropped"]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty: nothing to import"),
    (b"\xef\xbb\xbf\r\n\r\n", "the file is empty: nothing to import"),
    (b"Name,Email\nAda,ada@example.com\n", "no vCard in it (no BEGIN:VCARD line): nothing to import"),
])
def test_a_file_with_no_card_says_so(data: bytes, message: str) -> None:
    result = vcard.read(data)

    assert result.records == []
    assert [(p.line, p.message) for p in result.problems] == [(None, message)]


def test_an_unclosed_card_and_a_card_with_no_name_are_read_with_a_warning() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nNOTE:nameless\nEND:VCARD\nBEGIN:VCARD\nFN:Cut Short\n"

    result = vcard.read(text.encode())

    assert result.problems == []
    assert [(r.line, r.name, r.warnings) for r in result.records] == [
        (1, "Unnamed contact", ["it has no name (no FN, N, ORG, NICKNAME, EMAIL or TEL): it is named "
                                "'Unnamed contact'; give it a name in its file"]),
        (5, "Cut Short", ["the card at line 5 is never closed (no END:VCARD): it is read to the end of the file; "
                          "check that nothing is missing"]),
    ]


def test_a_name_of_punctuation_or_a_path_is_only_a_name() -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:../../etc/passwd\r\nEND:VCARD\r\n"

    assert vcard.read(text.encode()).records[0].name == "../../etc/passwd"


# Properties of the syntax


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=60)


@given(TEXT)
def test_escaping_a_value_and_reading_it_back_is_the_identity(text: str) -> None:
    assert unescape(escape(text)) == text.replace("\r\n", "\n")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300))
def test_folding_and_unfolding_a_line_is_the_identity(line: str) -> None:
    folded = fold("NOTE:" + line)
    physical = physical_lines(folded)[:-1]

    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert logical_lines(list(enumerate(physical, start=1))) == [(1, "NOTE:" + line)]


NAME = st.text(alphabet=string.ascii_letters + "äöüßéñ ,;\\:.'-", min_size=1, max_size=30).filter(
    lambda s: s.strip() and s == s.strip())
FREE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
                    max_size=80)


@settings(max_examples=60, deadline=None)
@given(name=NAME, title=FREE_TEXT.map(str.strip), company=FREE_TEXT.map(str.strip), notes=FREE_TEXT.map(str.strip),
       emails=st.lists(st.emails(), max_size=3, unique=True))
def test_a_contact_exported_and_read_back_has_the_same_fields(name: str, title: str, company: str, notes: str,
                                                              emails: list[str]) -> None:
    meta = {"name": name, "title": title, "company": company, "emails": emails, "uid": "01KC4K84DGM23H3YFCY7MTSQTS"}
    meta = {k: v for k, v in meta.items() if v}

    record = vcard.read(vcard.to_vcard(Contact("x", meta, notes=notes), "3.0").encode()).records[0]

    assert {k: v for k, v in record.meta.items() if k != "vcard"} == meta
    assert record.notes == notes
