"""vCard values of any length keep their card, and a line with an empty parameter is read as its property.

A value too long for the front matter (over 4,096 characters) is a file beside the contact, as a photo is,
named by its head under `vcard:` and given back byte for byte by an export. Each card here is written to a
file in tmp_path and imported with `contacts import` into a real vault; then the files on disk, `contacts
check`, the export and a second import are checked.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from conftest import ROOT, ok

from vault_tool.format.contact import parse
from vault_tool.interop.records import FIELD_LIMIT, NOTES_LIMIT


def card(*lines: str, version: str = "3.0") -> bytes:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]).encode("utf-8")


def folded(line: str) -> str:
    """A content line folded as a writer folds it: 75 characters, then a space at the start of each next line."""
    return "\r\n ".join([line[:75]] + [line[i:i + 74] for i in range(75, len(line), 74)])


def imported(vault: Path, invoke, source: Path) -> str:
    result = invoke("-C", vault, "import", source)
    ok(result)
    return result.output


def front(vault: Path, handle: str) -> dict:
    path = vault / "contacts" / f"{handle}.md"
    return parse(path, path.read_bytes(), handle).meta


def exported(vault: Path, invoke, version: str = "3.0") -> list[str]:
    """The lines of `contacts export --format vcard` to a file, unfolded."""
    target = vault.parent / "export.vcf"
    ok(invoke("-C", vault, "export", "--format", "vcard", "--vcard-version", version, "-o", target))
    return re.sub(r"\r\n[ \t]", "", target.read_bytes().decode("utf-8")).split("\r\n")


def checked_and_imported_again(vault: Path, invoke, source: Path) -> None:
    """`contacts check` right after the import exits 0, a second import adds nothing, and one that merges
    writes no second copy of a file (the contact's files and `check` as they were)."""
    ok(invoke("-C", vault, "check"))
    again = invoke("-C", vault, "import", source)
    ok(again)
    assert "0 added, 0 merged, 1 skipped as duplicates" in again.output
    files = sorted(p.relative_to(vault).as_posix() for p in (vault / "files").rglob("*") if p.is_file())
    ok(invoke("-C", vault, "import", source, "--on-duplicate", "merge"))
    assert sorted(p.relative_to(vault).as_posix() for p in (vault / "files").rglob("*") if p.is_file()) == files
    checked = invoke("-C", vault, "check")
    ok(checked)
    assert "not listed" not in checked.output and "missing" not in checked.output


def note_text(lines: int = 120) -> str:
    """A note of many lines, about 7 KB, escaped as vCard escapes text (`\\n`, `\\,`)."""
    text = "\n".join(f"Line {i:03}: met at the fair, talked about the renewal and the demo next week"
                     for i in range(lines))
    return text.replace(",", "\\,").replace("\n", "\\n")


# 1. A long text value keeps its card


def test_a_long_note_fills_the_notes_once_and_comes_back_byte_for_byte(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    value = note_text()
    assert len(value) > FIELD_LIMIT
    source = tmp_path / "n9.vcf"
    source.write_bytes(card("FN:Nora Nine", "EMAIL:nora@example.com", folded(f"NOTE:{value}")))

    imported(empty_vault, invoke, source)

    path = empty_vault / "contacts" / "nora-nine.md"
    contact = parse(path, path.read_bytes(), "nora-nine")
    assert contact.notes == value.replace("\\,", ",").replace("\\n", "\n")
    assert "vcard" not in contact.meta and "attachments" not in contact.meta  # the notes alone give it back
    assert not (empty_vault / "files" / "nora-nine").exists()
    assert f"NOTE:{value}" in exported(empty_vault, invoke)
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_long_note_the_notes_cannot_give_back_exactly_is_kept_in_a_file(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    value = note_text().replace("\\,", ",") + "\\n"  # commas not escaped, a last line break: not the export's NOTE
    source = tmp_path / "n9.vcf"
    source.write_bytes(card("FN:Nora Nine", "EMAIL:nora@example.com", folded(f"NOTE:{value}")))

    imported(empty_vault, invoke, source)

    meta = front(empty_vault, "nora-nine")
    assert meta["vcard"] == {"NOTE": "attachment.txt"} and meta["attachments"] == "attachment.txt"
    assert (empty_vault / "files" / "nora-nine" / "attachment.txt").read_bytes() == (value + "\n").encode()
    for version in ("3.0", "4.0"):
        assert f"NOTE:{value}" in exported(empty_vault, invoke, version)
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_note_longer_than_notes_may_be_is_a_file_and_the_card_is_imported(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    value = note_text(15000)  # about 1.2 MB, over the notes' limit
    assert len(value) > NOTES_LIMIT
    source = tmp_path / "huge.vcf"
    source.write_bytes(card("FN:Hugh Huge", "EMAIL:hugh@example.com", folded(f"NOTE:{value}")))

    output = imported(empty_vault, invoke, source)

    assert "1 added" in output and "not imported" not in output
    meta = front(empty_vault, "hugh-huge")
    assert meta["vcard"] == {"NOTE": "attachment.txt"} and meta["attachments"] == "attachment.txt"
    assert (empty_vault / "files" / "hugh-huge" / "attachment.txt").read_bytes() == (value + "\n").encode()
    assert f"NOTE:{value}" in exported(empty_vault, invoke)
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_5000_character_x_property_is_a_file_and_comes_back_byte_for_byte(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    value = "".join(chr(ord("a") + i % 26) for i in range(5000))
    source = tmp_path / "long.vcf"
    source.write_bytes(card("FN:Lena Long", "EMAIL:lena@example.com", folded(f"X-LONG;TYPE=work:{value}")))

    output = imported(empty_vault, invoke, source)

    assert "not imported" not in output and output.startswith("1 added")
    meta = front(empty_vault, "lena-long")
    assert meta["vcard"] == {"X-LONG;TYPE=work": "attachment.txt"}
    assert meta["attachments"] == "attachment.txt" and meta["emails"] == ["lena@example.com"]
    assert (empty_vault / "files" / "lena-long" / "attachment.txt").read_text("utf-8") == value + "\n"
    for version in ("3.0", "4.0"):
        assert f"X-LONG;TYPE=work:{value}" in exported(empty_vault, invoke, version)
    checked_and_imported_again(empty_vault, invoke, source)


def test_an_armoured_pgp_key_is_a_file_listed_as_the_key_and_comes_back_byte_for_byte(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    body = base64.b64encode(bytes(range(256)) * 12).decode()
    armour = ["-----BEGIN PGP PUBLIC KEY BLOCK-----", "Comment: made for a test", ""]
    armour += [body[i:i + 64] for i in range(0, len(body), 64)] + ["=twNo", "-----END PGP PUBLIC KEY BLOCK-----"]
    value = "\\n".join(armour)
    assert len(value) > 4000
    source = tmp_path / "key.vcf"
    source.write_bytes(card("FN:Karl Key", "UID:karl-1", folded(f"KEY;MEDIATYPE=application/pgp-keys:{value}"),
                            version="4.0"))

    imported(empty_vault, invoke, source)

    meta = front(empty_vault, "karl-key")
    assert meta["key"] == "key.txt"
    assert meta["vcard"] == {"KEY;MEDIATYPE=application/pgp-keys": "key.txt"}
    assert (empty_vault / "files" / "karl-key" / "key.txt").read_text("utf-8") == value + "\n"
    for version in ("3.0", "4.0"):
        assert f"KEY;MEDIATYPE=application/pgp-keys:{value}" in exported(empty_vault, invoke, version)
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_value_too_long_for_its_field_fills_none_and_is_kept_in_a_file(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    title = "Head of " + "very " * 1000 + "long titles"
    source = tmp_path / "title.vcf"
    source.write_bytes(card("FN:Tom Title", "EMAIL:tom@example.com", folded(f"TITLE:{title}")))

    imported(empty_vault, invoke, source)

    meta = front(empty_vault, "tom-title")
    assert "title" not in meta and meta["vcard"] == {"TITLE": "attachment.txt"}
    assert f"TITLE:{title}" in exported(empty_vault, invoke)
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_long_line_that_is_no_vcard_line_and_a_long_corrupt_photo_are_kept_in_files(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    odd = "no colon in this line " * 250
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "/9j/4AAQ" * 600 + "!!"
    source = tmp_path / "odd.vcf"
    source.write_bytes(card("FN:Olga Odd", "EMAIL:olga@example.com", folded(odd), folded(photo)))

    output = imported(empty_vault, invoke, source)

    assert "line 5: 'no colon in this line" in output and "is not a vCard line: it is kept as it is" in output
    assert "its photo at line " in output and "it is kept as it is in a file beside the contact" in output
    meta = front(empty_vault, "olga-odd")
    assert meta["vcard"] == {"X-VAULT-LINE": "attachment.txt", "PHOTO;ENCODING=b;TYPE=JPEG": "attachment-2.txt"}
    assert meta["attachments"] == ["attachment.txt", "attachment-2.txt"] and "photo" not in meta  # no picture
    lines = exported(empty_vault, invoke)
    assert odd in lines and photo in lines
    checked_and_imported_again(empty_vault, invoke, source)


def test_a_value_file_edited_with_a_last_line_break_is_still_one_line(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    value = "z" * 5000
    source = tmp_path / "long.vcf"
    source.write_bytes(card("FN:Lena Long", folded(f"X-LONG:{value}")))
    imported(empty_vault, invoke, source)
    file = empty_vault / "files" / "lena-long" / "attachment.txt"

    file.write_bytes(b"y" * 5000 + b"\r\nsecond line\r\n")

    assert f"X-LONG:{'y' * 5000}\\nsecond line" in exported(empty_vault, invoke)


# 2. A line whose only fault is an empty parameter


OUTLOOK_ADR = "ADR;HOME;PREF;:;;Laemmerweg 12;Kleindorf;;98765;Deutschland"


def test_an_address_with_an_empty_parameter_keeps_its_parts_and_city_and_country_find_it(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "outlook.vcf"
    source.write_bytes(card("N:Rastral;Ralf", "FN:Ralf Rastral", OUTLOOK_ADR, version="2.1"))

    output = imported(empty_vault, invoke, source)

    assert f"added {source}:1 (Ralf Rastral) as ralf-rastral; line 5: 'ADR;HOME;PREF;:' has an empty parameter: " \
           "read without it, as 'ADR;TYPE=HOME,PREF:'" in output
    meta = front(empty_vault, "ralf-rastral")
    assert meta["address"] == "Laemmerweg 12, Kleindorf, 98765, Deutschland"
    assert meta["vcard"]["ADR;TYPE=HOME,PREF"] == ";;Laemmerweg 12;Kleindorf;;98765;Deutschland"
    assert "X-VAULT-LINE" not in meta["vcard"]
    for query in ("city:Kleindorf", "country:Deutschland", "country:de"):
        found = invoke("-C", empty_vault, "search", query, "--format", "paths")
        ok(found)
        assert found.stdout.strip().endswith("ralf-rastral.md"), query
    assert "ADR;TYPE=HOME,PREF:;;Laemmerweg 12;Kleindorf;;98765;Deutschland" in exported(empty_vault, invoke)
    assert "ADR;TYPE=HOME;PREF=1:;;Laemmerweg 12;Kleindorf;;98765;Deutschland" in exported(empty_vault, invoke, "4.0")
    checked_and_imported_again(empty_vault, invoke, source)


@pytest.mark.parametrize(("line", "clean"), [
    ("TEL;CELL;;:+49 170 5550123", "TEL;TYPE=CELL:+49 170 5550123"),
    ("NOPARAM;:pas-id-4094434A00000001", "NOPARAM:pas-id-4094434A00000001"),  # Evolution
])
def test_any_property_with_an_empty_parameter_is_read_as_itself_and_written_clean(
        empty_vault: Path, invoke, tmp_path: Path, line: str, clean: str) -> None:
    source = tmp_path / "empty-parameter.vcf"
    source.write_bytes(card("FN:Emma Empty", "EMAIL:emma@example.com", line))

    output = imported(empty_vault, invoke, source)

    assert "line 5: " in output and "has an empty parameter: read without it" in output
    assert "X-VAULT-LINE" not in (empty_vault / "contacts" / "emma-empty.md").read_text("utf-8")
    lines = exported(empty_vault, invoke)
    assert clean in lines and line not in lines


def test_a_line_that_is_really_unreadable_stays_verbatim(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "odd.vcf"
    source.write_bytes(card("FN:Odd Line", "EMAIL:odd@example.com", "X-messaging/twitter-All:kdecommunity"))

    imported(empty_vault, invoke, source)

    assert front(empty_vault, "odd-line")["vcard"] == {"X-VAULT-LINE": "X-messaging/twitter-All:kdecommunity"}
    assert "X-messaging/twitter-All:kdecommunity" in exported(empty_vault, invoke)


OUTLOOK_FILE = ROOT.parent / "shared" / "realworld" / "interop" / "vcard" / "folkerkinzel" / "AnsiIssue.vcf"


@pytest.mark.skipif(not OUTLOOK_FILE.is_file(), reason="the real-world vCard folder is not there")
def test_outlooks_real_file_finds_its_contact_by_city_and_country(empty_vault: Path, invoke) -> None:
    output = imported(empty_vault, invoke, OUTLOOK_FILE)

    assert "line 5: 'ADR;HOME;PREF;:' has an empty parameter" in output
    for query in ("city:Kleindorf", "country:Germany"):
        found = invoke("-C", empty_vault, "search", query, "--format", "paths")
        ok(found)
        assert found.stdout.strip().endswith("ralf-rastral.md"), query
    ok(invoke("-C", empty_vault, "check"))
