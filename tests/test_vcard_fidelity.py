"""vCard import fidelity: no card, person or property left behind, and export gives each one back.

Every card here is written to a file in tmp_path, imported with `contacts import` into a real vault
(git and all), and the files on disk and the export are checked.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from conftest import ok

from vault_tool.format.contact import parse
from vault_tool.interop import vcard

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(200))
WAV = b"RIFF\x24\x20\x00\x00WAVEfmt " + bytes(range(256)) * 32  # 8 KB
PGP = b"\x99\x01\x0d\x04" + bytes(range(256)) * 12  # 3 KB


def card(*lines: str, version: str = "3.0", end: str = "\r\n") -> bytes:
    return end.join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]).encode("utf-8")


def folded(head: str, data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return head + "\r\n ".join(text[i:i + 70] for i in range(0, len(text), 70))


def imported(vault: Path, invoke, source: Path, *args: str) -> str:
    result = invoke("-C", vault, "import", source, *args)
    ok(result)
    return result.output


def front(vault: Path, handle: str) -> dict:
    path = vault / "contacts" / f"{handle}.md"
    return parse(path, path.read_bytes(), handle).meta


def exported(vault: Path, invoke, *args: str) -> str:
    """The export's file, unfolded."""
    target = vault.parent / "export.vcf"
    ok(invoke("-C", vault, "export", "-o", target, *args))
    return re.sub(r"\r\n[ \t]", "", target.read_bytes().decode("utf-8"))


# 1. One line the importer cannot read never drops its card


def test_an_outlook_address_with_an_empty_parameter_is_read_without_it_and_reported(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "outlook.vcf"
    source.write_bytes(card("N:Rastral;Ralf", "FN:Ralf Rastral",
                            "ADR;HOME;PREF;:;;Laemmerweg 12;Kleindorf;;98765;Deutschland", version="2.1"))

    output = imported(empty_vault, invoke, source)

    assert f"added {source}:1 (Ralf Rastral) as ralf-rastral; line 5: 'ADR;HOME;PREF;:' has an empty parameter" \
           in output
    meta = front(empty_vault, "ralf-rastral")
    assert meta["address"] == "Laemmerweg 12, Kleindorf, 98765, Deutschland"
    assert meta["vcard"]["ADR;TYPE=HOME,PREF"] == ";;Laemmerweg 12;Kleindorf;;98765;Deutschland"
    assert "X-VAULT-LINE" not in meta["vcard"]
    assert "\r\nADR;TYPE=HOME,PREF:;;Laemmerweg 12;Kleindorf;;98765;Deutschland\r\n" in exported(empty_vault, invoke)


@pytest.mark.parametrize(("line", "number"), [
    ("FN", 5),  # a bare name with no colon (KDE)
    ("X-messaging/twitter-All:kdecommunity", 5),  # KAddressBook's legacy names
    ("9999999\\", 5),  # a continued line that does not continue
])
def test_a_line_that_is_not_a_vcard_line_keeps_its_card_and_comes_back_on_export(
        empty_vault: Path, invoke, tmp_path: Path, line: str, number: int) -> None:
    source = tmp_path / "odd.vcf"
    source.write_bytes(card("FN:Odd Line", "EMAIL:odd@example.com", line))

    output = imported(empty_vault, invoke, source)

    assert f"added {source}:1 (Odd Line) as odd-line; line {number}: " in output
    assert front(empty_vault, "odd-line")["emails"] == ["odd@example.com"]
    assert f"\r\n{line}\r\n" in exported(empty_vault, invoke)


def test_a_raw_carriage_return_inside_a_value_is_a_line_break_of_the_value_not_a_new_line(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "thunderbird.vcf"
    source.write_bytes(card("EMAIL;PREF=1:two@example.invalid", "FN:contact number two",
                            "X-CUSTOM3;VALUE=TEXT:custom\r3", "UID:yyyy", version="4.0"))

    output = imported(empty_vault, invoke, source)

    assert "not readable" not in output and "line" not in output
    assert front(empty_vault, "contact-number-two")["vcard"]["X-CUSTOM3;VALUE=TEXT"] == "custom\\n3"
    assert "\r\nX-CUSTOM3;VALUE=TEXT:custom\\n3\r\n" in exported(empty_vault, invoke, "--vcard-version", "4.0")


def test_a_card_cut_off_at_the_end_of_the_file_is_read_with_a_warning(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "cut.vcf"
    source.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Frank Dawson\r\nTEL:+1-919-676-9515\r\nE")

    output = imported(empty_vault, invoke, source)

    assert "the card at line 1 is never closed (no END:VCARD): it is read to the end of the file" in output
    assert "line 5: 'E' is not a vCard line: it is kept as it is" in output
    assert front(empty_vault, "frank-dawson")["phones"] == ["+1-919-676-9515"]


def test_a_card_with_no_name_is_named_after_what_it_has_and_reported(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "nameless.vcf"
    source.write_bytes(card("X-GOOGLE-TALK:hhh@gmail.com", version="2.1")
                       + card("X-ANDROID-CUSTOM:custom_mime3", version="2.1"))

    output = imported(empty_vault, invoke, source)

    assert "it has no name (no FN, N, ORG, NICKNAME, EMAIL or TEL): it is named 'hhh@gmail.com'" in output
    assert "it is named 'Unnamed contact'" in output
    assert front(empty_vault, "unnamed-contact")["vcard"] == {"X-ANDROID-CUSTOM": "custom_mime3"}
    assert vcard.read(b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n").problems[0].message == \
        "an empty card (no property in it); the card at line 1 is skipped"


# 2. No size limit drops a contact


def test_a_big_key_and_sound_and_pictures_without_encoding_become_files_and_come_back(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "big.vcf"
    source.write_bytes(card(
        "FN:Heiko Mustermann", "EMAIL:heiko@example.com",
        folded("KEY;TYPE=PGP;ENCODING=b:", PGP), folded("SOUND;TYPE=WAV;ENCODING=b:", WAV),
        folded("PHOTO:", JPEG), folded("LOGO:", PNG)))

    imported(empty_vault, invoke, source)

    folder = empty_vault / "files" / "heiko-mustermann"
    meta = front(empty_vault, "heiko-mustermann")
    assert (meta["photo"], meta["logo"], meta["sound"], meta["key"]) == ("photo.jpg", "logo.png", "sound.wav", "key.pgp")
    assert (folder / "key.pgp").read_bytes() == PGP
    assert (folder / "sound.wav").read_bytes() == WAV
    assert (folder / "photo.jpg").read_bytes() == JPEG
    assert meta["vcard"] == {"KEY;TYPE=PGP": "key.pgp", "SOUND;TYPE=WAV": "sound.wav"}
    text = exported(empty_vault, invoke)
    assert f"\r\nKEY;ENCODING=b;TYPE=PGP:{base64.b64encode(PGP).decode()}\r\n" in text
    assert f"\r\nSOUND;ENCODING=b;TYPE=WAV:{base64.b64encode(WAV).decode()}\r\n" in text
    assert f"\r\nPHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(JPEG).decode()}\r\n" in text
    assert f"\r\nLOGO:data:image/png;base64,{base64.b64encode(PNG).decode()}\r\n" in \
        exported(empty_vault, invoke, "--vcard-version", "4.0")


# 3. A UTF-8 character split across a folded line


def test_a_utf8_character_split_by_a_fold_is_whole_again(empty_vault: Path, invoke, tmp_path: Path) -> None:
    name = "Βγδε Αβγδ"
    encoded = f"FN:{name}".encode()
    cut = encoded.index("δ".encode()) + 1  # inside the two bytes of δ
    source = tmp_path / "owncloud.vcf"
    source.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + encoded[:cut] + b"\r\n " + encoded[cut:]
                       + b"\r\nEMAIL:b@example.com\r\nEND:VCARD\r\n")

    output = imported(empty_vault, invoke, source)

    assert output.startswith("1 added")
    path = next((empty_vault / "contacts").glob("*.md"))
    assert parse(path, path.read_bytes(), path.stem).meta["name"] == name


# 4. Every parameter is kept


def test_types_written_as_bare_words_with_commas_are_all_kept(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "evolution.vcf"
    source.write_bytes(card("FN:Frank Dawson", "TEL;TYPE=VOICE;MSG,WORK:+1-919-676-9515",
                            "TEL;FAX,WORK:+1-919-676-9564"))

    imported(empty_vault, invoke, source)

    assert front(empty_vault, "frank-dawson")["vcard"] == {
        "TEL;TYPE=VOICE,MSG,WORK": "+1-919-676-9515", "TEL;TYPE=FAX,WORK": "+1-919-676-9564"}
    text = exported(empty_vault, invoke)
    assert "\r\nTEL;TYPE=VOICE,MSG,WORK:+1-919-676-9515\r\n" in text
    assert "\r\nTEL;TYPE=FAX,WORK:+1-919-676-9564\r\n" in text


def test_a_photos_labels_and_crop_are_kept_and_its_type_comes_from_its_bytes(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    crop = "ABClipRect_1&0&0&100&100&abc=="
    source = tmp_path / "photos.vcf"
    source.write_bytes(card("FN:Good Looking", "EMAIL:good@example.com",
                            folded(f"PHOTO;ENCODING=b;TYPE=WORK;X-ABCROP-RECTANGLE={crop}:", JPEG),
                            folded('PHOTO;ENCODING=b;TYPE="jpeg":', PNG)))

    imported(empty_vault, invoke, source)

    meta = front(empty_vault, "good-looking")
    assert meta["photo"] == ["photo.jpg", "photo.png"]  # PNG data labelled JPEG is a PNG
    assert meta["vcard"] == {f"PHOTO;TYPE=WORK;X-ABCROP-RECTANGLE={crop}": "photo.jpg"}
    assert (empty_vault / "files" / "good-looking" / "photo.png").read_bytes() == PNG
    text = exported(empty_vault, invoke)
    assert f"\r\nPHOTO;ENCODING=b;TYPE=WORK;X-ABCROP-RECTANGLE={crop}:{base64.b64encode(JPEG).decode()}\r\n" in text
    assert f"\r\nPHOTO;ENCODING=b;TYPE=PNG:{base64.b64encode(PNG).decode()}\r\n" in text


def test_pref_ranks_stay_in_4_0_and_only_the_first_is_pref_in_3_0(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "cardbook.vcf"
    source.write_bytes(card("FN:Pref Ranks", "EMAIL;PREF=2;TYPE=home:b@example.com",
                            "EMAIL;PREF=1;TYPE=work:a@example.com", "EMAIL:c@example.com", version="4.0"))

    imported(empty_vault, invoke, source)

    four = exported(empty_vault, invoke, "--vcard-version", "4.0")
    assert "\r\nEMAIL;PREF=2;TYPE=home:b@example.com\r\n" in four
    assert "\r\nEMAIL;PREF=1;TYPE=work:a@example.com\r\n" in four
    three = exported(empty_vault, invoke)
    assert "\r\nEMAIL;TYPE=home:b@example.com\r\n" in three
    assert "\r\nEMAIL;TYPE=work,pref:a@example.com\r\n" in three
    assert "\r\nEMAIL:c@example.com\r\n" in three


# 5. Dates


@pytest.mark.parametrize("bday", ["16040315", "1604-03-15"])
def test_cardbooks_1604_birthday_has_no_year_and_comes_back_as_written(
        empty_vault: Path, invoke, tmp_path: Path, bday: str) -> None:
    source = tmp_path / "cardbook.vcf"
    source.write_bytes(card("FN:Year Less", "EMAIL:y@example.com", f"BDAY:{bday}", version="4.0"))

    imported(empty_vault, invoke, source)

    assert front(empty_vault, "year-less")["birthday"] == "--03-15"
    assert f"\r\nBDAY:{bday}\r\n" in exported(empty_vault, invoke, "--vcard-version", "4.0")


def test_a_birthday_that_is_no_date_is_kept_as_written_and_reported(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "cardbook.vcf"
    source.write_bytes(card("FN:No Date", "EMAIL:n@example.com", "BDAY:19723101", version="4.0"))

    output = imported(empty_vault, invoke, source)

    assert f"{source}:1 (No Date) as no-date; line 5: its birthday '19723101' is no date: it is kept as written " \
           "under vcard:" in output
    meta = front(empty_vault, "no-date")
    assert "birthday" not in meta and meta["vcard"]["BDAY"] == "19723101"
    assert "\r\nBDAY:19723101\r\n" in exported(empty_vault, invoke, "--vcard-version", "4.0")


# Importing twice


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
        empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "twice.vcf"
    source.write_bytes(card("FN:Ralf Rastral", "ADR;HOME;PREF;:;;Laemmerweg 12;Kleindorf;;98765;Deutschland",
                            "UID:ralf-1", folded("SOUND;TYPE=WAV;ENCODING=b:", WAV), version="2.1"))
    imported(empty_vault, invoke, source)

    output = imported(empty_vault, invoke, source)

    assert "0 added, 0 merged, 1 skipped as duplicates" in output
