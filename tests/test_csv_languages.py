"""CSV and vCard files in any language and encoding: guessed encodings, --encoding, other languages' columns,
address parts, titles, Outlook's empty birthday and Google's system groups."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, ok

from vault_tool.format.contact import parse
from vault_tool.interop import csv_format, vcard

REALWORLD = ROOT.parent / "shared" / "realworld" / "interop"
needs_realworld = pytest.mark.skipif(not REALWORLD.is_dir(), reason="the real-world samples are not here")


def contact(root: Path, handle: str):  # type: ignore[no-untyped-def]
    path = root / "contacts" / f"{handle}.md"
    return parse(path, path.read_bytes(), handle)


# Encodings


def test_a_shift_jis_csv_reads_as_japanese_and_says_it_guessed(tmp_path: Path, empty_vault: Path, invoke) -> None:
    source = tmp_path / "jp.csv"
    source.write_bytes("First Name,Last Name,Primary Email\n権兵衛,名無し,gonbe@example.jp\n".encode("shift_jis"))

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert f"read {source} as Shift_JIS (guessed; --encoding to choose)" in result.stderr
    names = [contact(empty_vault, p.stem).name for p in (empty_vault / "contacts").glob("*.md")]
    assert names == ["権兵衛 名無し"]


def test_a_utf8_file_is_read_without_a_note(tmp_path: Path, empty_vault: Path, invoke) -> None:
    source = tmp_path / "de.csv"
    source.write_text("Name,Email\nJörg Müller,joerg@example.de\n", encoding="utf-8")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert "guessed" not in result.stderr
    assert contact(empty_vault, "jorg-muller").name == "Jörg Müller"


def test_encoding_overrides_the_guess_and_an_unknown_one_is_one_line(tmp_path: Path, empty_vault: Path,
                                                                      invoke) -> None:
    source = tmp_path / "ru.csv"
    source.write_bytes("Name,Email\nЖанна Петрова,zh@example.ru\n".encode("koi8_r"))

    result = invoke("-C", empty_vault, "import", source, "--encoding", "koi8-r")
    ok(result)
    assert "guessed" not in result.stderr
    assert contact(empty_vault, "zhanna-petrova").name == "Жанна Петрова"

    bad = invoke("-C", empty_vault, "import", source, "--encoding", "klingon")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        "Error: --encoding: 'klingon' is not an encoding Python knows (try utf-8, cp1252, shift_jis, utf-16)"]


def test_bytes_that_do_not_fit_the_encoding_given_are_one_line(tmp_path: Path, empty_vault: Path, invoke) -> None:
    source = tmp_path / "x.csv"
    source.write_bytes("Name\nJörg\n".encode("cp1252"))

    result = invoke("-C", empty_vault, "import", source, "--encoding", "utf-8")

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "is not UTF-8: give the file's encoding with --encoding" in result.stderr


@pytest.mark.parametrize(("text", "encoding"), [
    ("אפרים קישון", "cp1255"), ("Ελληνικά Αθήνα", "cp1253"), ("Владимир Петров", "cp1251"),
    ("山田 たろう", "cp932"), ("김철수", "cp949"), ("Jörg Müller", "cp1252"),
])
def test_a_vcard_in_a_code_page_without_a_charset_reads_in_its_script(text: str, encoding: str) -> None:
    data = f"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:{text}\r\nEND:VCARD\r\n".encode(encoding)

    assert vcard.read(data).records[0].name == text


def test_a_line_that_names_utf8_is_read_as_utf8_in_a_cp1252_file() -> None:
    data = ("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Jörg Müller\r\n".encode("cp1252")
            + "NOTE;CHARSET=utf-8:Grüße aus Köln\r\nEND:VCARD\r\n".encode("utf-8"))

    record = vcard.read(data).records[0]

    assert record.name == "Jörg Müller"
    assert record.notes == "Grüße aus Köln"


@needs_realworld
def test_the_real_shift_jis_and_hebrew_files(tmp_path: Path) -> None:
    japanese = csv_format.read((REALWORLD / "csv/thunderbird/shiftjis_addressbook.csv").read_bytes())
    hebrew = vcard.read((REALWORLD / "vcard/folkerkinzel/ansi-Hebrew.vcf").read_bytes())

    assert japanese.records[0].name == "名無しの権兵衛"
    assert japanese.guessed_encoding == "Shift_JIS"
    assert hebrew.records[0].name == "אפרים קישון"
    assert hebrew.guessed_encoding == "Windows-1255"


# Other languages' columns


GERMAN_THUNDERBIRD = (
    "Vorname,Nachname,Anzeigename,Spitzname,Primäre E-Mail-Adresse,Sekundäre E-Mail-Adresse,Tel. dienstlich,"
    "Mobil-Tel.-Nr.,Privat: Adresse,Privat: Ort,Privat: PLZ,Privat: Land,Dienstlich: Adresse,Dienstlich: Ort,"
    "Dienstlich: PLZ,Dienstlich: Land,Arbeitstitel,Abteilung,Organisation,Webseite 1,Geburtsjahr,Geburtsmonat,"
    "Geburtstag,Notizen\n"
    "Max,Mustermann,Dr. Max Mustermann,Maxl,max@example.de,mm@firma.example,+49 30 1234567,+49 170 1234567,"
    "Hauptstr. 1,Leipzig,04109,Deutschland,Werkstr. 2,Halle,06108,Allemagne,Leiter,Einkauf,Musterfirma,"
    "https://max.example,1972,1,31,Ein Kommentar\n"
)


def test_german_thunderbird_columns_fill_the_same_fields_as_english_ones() -> None:
    record = csv_format.read(GERMAN_THUNDERBIRD.encode("utf-8")).records[0]
    meta = record.meta

    assert meta["name"] == "Max Mustermann"  # `Dr.` is the name's prefix, not part of the name
    assert meta["vcard"]["N"] == "Mustermann;Max;;Dr.;"
    assert meta["emails"] == ["max@example.de", "mm@firma.example"]
    assert meta["phones"] == ["+49 30 1234567", "+49 170 1234567"]
    assert (meta["company"], meta["title"], meta["department"]) == ("Musterfirma", "Leiter", "Einkauf")
    assert meta["birthday"] == "1972-01-31"
    assert meta["nickname"] == "Maxl"
    assert meta["links"] == {"website": "https://max.example"}
    assert meta["vcard"]["ADR;TYPE=home"] == ";;Hauptstr. 1;Leipzig;;04109;Deutschland"
    assert meta["vcard"]["ADR;TYPE=work"] == ";;Werkstr. 2;Halle;;06108;Allemagne"
    assert record.notes == "Ein Kommentar"


@pytest.mark.parametrize("header", [
    "Prénom,Nom de famille,Adresse électronique principale,Tél. professionnel,Ville,Pays/Région,Société",  # fr TB
    "Nombre,Apellidos,Dirección de correo electrónico principal,Teléfono (Trabajo),Ciudad,País,Organización",  # es
    "Nome,Cognome,Email principale,Telefono lavoro,Città di residenza,Nazione di residenza,Organizzazione",  # it
    "Voornaam,Achternaam,Primair e-mailadres,Telefoon werk,Woonplaats,Land,Organisatie",  # nl
    "Nome,Sobrenome,E-mail principal,Telefone comercial,Cidade residencial,País/Região residencial,Empresa",  # pt
    "Imię,Nazwisko,Główny adres e-mail,Telefon służbowy,Miasto,Kraj,Organizacja",  # pl
    "Förnamn,Efternamn,Primär e-postadress,Telefon arbete,Postort,Land,Företag",  # sv
    "名,姓,電子メールアドレス,勤務先電話番号,市区町村,国,所属",  # ja
])
def test_other_languages_columns_fill_the_fields(header: str) -> None:
    data = f"{header}\nAna,Silva,ana@example.org,+351 21 123 4567,Lisboa,Portugal,Acme\n".encode()

    meta = csv_format.read(data).records[0].meta

    assert meta["name"] == "Ana Silva"
    assert meta["emails"] == ["ana@example.org"]
    assert meta["phones"] == ["+351 21 123 4567"]
    assert meta["company"] == "Acme"
    assert meta["address"] == "Lisboa, Portugal"
    assert set(meta) <= {"name", "emails", "phones", "company", "address", "vcard"}


@needs_realworld
@pytest.mark.parametrize("name", ["ThunderbirdAnsi.csv", "ThunderbirdUtf8.csv", "WindowsLiveMail.csv"])
def test_the_real_german_exports_leave_few_custom_fields(name: str) -> None:
    record = csv_format.read((REALWORLD / "csv/folkerkinzel" / name).read_bytes()).records[0]
    custom = {k for k in record.meta if k not in
              {"name", "emails", "phones", "company", "title", "address", "birthday", "links", "vcard"}}

    assert record.meta["company"] == "Firma"
    assert record.meta["emails"][0] == "privat@folker-kinzel.de"
    assert "Mustermann" in record.meta["vcard"]["N"]
    assert custom <= {"nickname", "department", "büro"}
    assert record.name != "Firma"


# Addresses, search, titles, birthdays, groups


def test_address_parts_are_kept_and_searchable_by_city_and_country(tmp_path: Path, empty_vault: Path,
                                                                   invoke) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "First Name,Last Name,Home Street,Home City,Home Postal Code,Home Country,Business Street,Business City,"
        "Business Country,Other Street,Other City,Other Country\n"
        "Ada,Lovelace,1 Rue X,Paris,75001,Allemagne,2 Calle Y,Madrid,Alemania,3 Via Z,Roma,Italia\n",
        encoding="utf-8")
    ok(invoke("-C", empty_vault, "import", source))
    kept = contact(empty_vault, "ada-lovelace").meta["vcard"]

    assert kept["ADR;TYPE=work"] == ";;2 Calle Y;Madrid;;;Alemania"
    assert kept["ADR"] == ";;3 Via Z;Roma;;;Italia"  # `Other …`: an address with no label
    for query in ("city:paris", "city:madrid", "city:roma", "country:germany", "country:de", "country:italy"):
        result = invoke("-C", empty_vault, "search", query, "--format", "paths")
        ok(result)
        assert result.output.strip() == "contacts/ada-lovelace.md", query
    none = invoke("-C", empty_vault, "search", "city:london", "--format", "paths")
    assert none.output.strip() == ""


def test_outlooks_empty_birthday_is_none_and_its_title_is_a_prefix() -> None:
    data = ("Title,First Name,Last Name,Job Title,Birthday,E-mail Address\n"
            "Dr.,Rachel,Okafor,Partner,0/0/00,rachel@example.org\n").encode()

    record = csv_format.read(data).records[0]

    assert record.meta["name"] == "Rachel Okafor"
    assert "birthday" not in record.meta and "birthday_as_written" not in record.meta
    assert not record.warnings
    assert record.meta["vcard"]["N"] == "Okafor;Rachel;;Dr.;"


def test_googles_system_groups_are_not_tags() -> None:
    data = ("Name,Group Membership\nA,* myContacts ::: * starred ::: Friends ::: Imported on 3/29\n"
            "B,* myContacts\n").encode()

    records = csv_format.read(data).records

    assert records[0].meta["tags"] == ["starred", "Friends"]
    assert "tags" not in records[1].meta
