"""CSV files as real programs write them: Thunderbird's files without a header row, Outlook's French header
that names `Titre` twice, its newer `Adresse de courrier`, German Outlook's and English Thunderbird's second
street lines and regions. The header lines are the programs' own, written inline."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, ok

from vault_tool.format.contact import parse
from vault_tool.interop import csv_format

REALWORLD = ROOT.parent / "shared" / "realworld" / "interop"
needs_realworld = pytest.mark.skipif(not REALWORLD.is_dir(), reason="the real-world samples are not here")


def contact(root: Path, handle: str):  # type: ignore[no-untyped-def]
    path = root / "contacts" / f"{handle}.md"
    return parse(path, path.read_bytes(), handle)


def emails(root: Path) -> dict[str, list[str]]:
    """Each contact's handle and emails."""
    return {p.stem: contact(root, p.stem).meta.get("emails", []) for p in (root / "contacts").glob("*.md")}


def row(header: str, values: list[tuple[str, str]]) -> str:
    """A data row for ``header``: each value in the column it names (a name given again: its next column)."""
    names = header.split(",")
    cells = [""] * len(names)
    used: dict[str, int] = {}
    for name, value in values:
        nth = used.get(name, 0)
        used[name] = nth + 1
        cells[[i for i, n in enumerate(names) if n == name][nth]] = value
    return ",".join(cells)


# A file with no header row: Thunderbird's column order


def test_a_file_without_a_header_is_read_in_thunderbirds_order(tmp_path: Path, empty_vault: Path,
                                                                invoke) -> None:
    source = tmp_path / "noheader.csv"
    source.write_text("Ada,Lovelace,Ada Lovelace,,ada@analytical.example,,,+44 20 7946 0958\n"
                      "Grace\tHopper\tGrace Hopper\t\tgrace@navy.example\n"
                      "Alan\tTuring\t\t\talan@bletchley.example\n", encoding="utf-8")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert f"{source}:1 (Ada Lovelace)" in result.stdout
    assert "the file has no header row: its columns are read in Thunderbird's order" in result.stdout
    assert emails(empty_vault) == {"ada-lovelace": ["ada@analytical.example"], "grace-hopper": ["grace@navy.example"],
                                   "alan-turing": ["alan@bletchley.example"]}
    assert contact(empty_vault, "ada-lovelace").meta["phones"] == ["+44 20 7946 0958"]  # Work Phone, the 8th


def test_map_names_thunderbirds_columns_in_a_file_without_a_header(tmp_path: Path, empty_vault: Path,
                                                                   invoke) -> None:
    source = tmp_path / "noheader.csv"
    cells = ["Ada", "Lovelace", "", "", "ada@analytical.example"] + [""] * 27 + ["mathematics"]  # Custom 1: 33rd
    source.write_text(",".join(cells) + "\n", encoding="utf-8")

    ok(invoke("-C", empty_vault, "import", source, "--map", "Custom 1=industry"))

    assert contact(empty_vault, "ada-lovelace").meta["industry"] == "mathematics"


def test_a_header_of_unknown_columns_is_still_a_header() -> None:
    result = csv_format.read("Kunde;Kontakt\nAcme;info@acme.example\n".encode())

    assert [(p.line, p.message) for p in result.problems] == [
        (2, "the row has no name, company, email or phone: the row is skipped")]


@needs_realworld
def test_thunderbirds_own_mixed_comma_and_tab_file_imports_all_four_people(empty_vault: Path, invoke) -> None:
    source = REALWORLD / "csv" / "thunderbird" / "tab_comma_mixed.csv"

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert "no header row" in result.stdout and "4 added" in result.stdout
    assert sorted(e for found in emails(empty_vault).values() for e in found) == [
        f"{n}@host.invalid" for n in "1234"]


# Outlook's French header: `Titre` twice, `Adresse de courrier`

FRENCH_OUTLOOK = (
    "Titre,Prénom,Deuxième prénom,Nom,Suffixe,Société,Service,Titre,Rue (bureau),Rue (bureau) 2,Rue (bureau) 3,"
    "Ville (bureau),Dép/Région (bureau),Code postal (bureau),Pays/Région (bureau),Rue (domicile),Rue (domicile) 2,"
    "Rue (domicile) 3,Ville (domicile),Dép/Région (domicile),Code postal (domicile),Pays/Région (domicile),"
    "Rue (autre),Rue (autre) 2,Rue (autre) 3,Ville (autre),Dép/Région (autre),Code postal (autre),"
    "Pays/Région (autre),Téléphone de l'assistant(e),Télécopie (bureau),Téléphone (bureau),Téléphone 2 (bureau),"
    "Rappel,Téléphone (voiture),Téléphone société,Télécopie (domicile),Téléphone (domicile),"
    "Téléphone 2 (domicile),RNIS,Tél. mobile,Télécopie (autre),Téléphone (autre),Récepteur de radiomessagerie,"
    "Téléphone principal,Radiotéléphone,Téléphone TDD/TTY,Télex,Adresse de courrier,Type de courrier,"
    "Nom complet de l'adresse de courrier,Adresse de courrier 2,Type de courrier 2,"
    "Nom complet de l'adresse de courrier 2,Adresse de courrier 3,Type de courrier 3,"
    "Nom complet de l'adresse de courrier 3,Anniversaire,Anniversaire de mariage ou fête,Autre boîte postale,"
    "B.P. professionnelle,Boîte postale du domicile,Bureau,Catégories,Compte,Conjoint(e),Critère de diffusion,"
    "Disponibilité Internet,Emplacement,Enfants,Informations facturation,Initiales,Kilométrage,Langue,Mots clés,"
    "Nom de l'assistant(e),Notes,Numéro d’identification d’administration publique,"
    "Numéro d'identification de l'organisation,Page web,Passe-temps,Priorité,Privé,Profession,Recommandé par,"
    "Responsable,Serveur d’annuaire,Sexe,Utilisateur 1,Utilisateur 2,Utilisateur 3,Utilisateur 4"
)


def test_french_outlook_maps_titre_by_position_and_adresse_de_courrier_to_the_email(tmp_path: Path,
                                                                                    empty_vault: Path,
                                                                                    invoke) -> None:
    values = [("Titre", "M."), ("Prénom", "Jean"), ("Nom", "Dupont"), ("Société", "Acme"),
              ("Titre", "Directeur commercial"), ("Rue (bureau)", "1 rue de la Paix"), ("Rue (bureau) 2", "Bâtiment B"),
              ("Ville (bureau)", "Paris"), ("Code postal (bureau)", "75002"),
              ("Adresse de courrier", "jean.dupont@acme.example"), ("Type de courrier", "SMTP"),
              ("Adresse de courrier 2", "jean@dupont.example")]
    source = tmp_path / "outlook-fr.csv"
    source.write_text(FRENCH_OUTLOOK + "\n" + row(FRENCH_OUTLOOK, values) + "\n", encoding="utf-8")

    ok(invoke("-C", empty_vault, "import", source))
    meta = contact(empty_vault, "jean-dupont").meta

    assert meta["name"] == "Jean Dupont"
    assert meta["title"] == "Directeur commercial"  # the second `Titre`
    assert meta["vcard"]["N"] == "Dupont;Jean;;M.;"  # the first `Titre`: the name's prefix
    assert meta["emails"] == ["jean.dupont@acme.example", "jean@dupont.example"]
    assert meta["vcard"]["ADR;TYPE=work"] == ";;1 rue de la Paix\\nBâtiment B;Paris;;75002;"
    assert not {k for k in meta if k.startswith(("adresse_de", "type_de", "titre", "rue_"))}


@pytest.mark.parametrize(("header", "email"), [
    ("Prénom,Nom,Adresse de courrier 2", "fr"),
    ("Nome,Cognome,Indirizzo posta elettronica", "it"),
    ("Nombre,Apellidos,Dirección de correo electrónico 2", "es"),
    ("Imię,Nazwisko,Adres e-mail 2", "pl"),
    ("Nome,Sobrenome,Endereço de email 2", "pt"),
    ("名,姓,電子メール 3 アドレス", "ja"),
])
def test_outlooks_email_columns_in_other_languages_fill_emails(header: str, email: str) -> None:
    meta = csv_format.read(f"{header}\nAna,Silva,ana@{email}.example\n".encode()).records[0].meta

    assert meta["emails"] == [f"ana@{email}.example"]
    assert set(meta) == {"name", "emails"}


# Second street lines and regions: German Outlook, English Thunderbird

GERMAN_OUTLOOK = (
    "Anrede,Vorname,Weitere Vornamen,Nachname,Suffix,Firma,Abteilung,Position,Straße geschäftlich,"
    "Straße geschäftlich 2,Straße geschäftlich 3,Ort geschäftlich,Region geschäftlich,Postleitzahl geschäftlich,"
    "Land/Region geschäftlich,Straße privat,Straße privat 2,Straße privat 3,Ort privat,Bundesland/Kanton privat,"
    "Postleitzahl privat,Land/Region privat,Weitere Straße,Weitere Straße 2,Weitere Straße 3,Weiterer Ort,"
    "Weiteres/r Bundesland/Kanton,Weitere Postleitzahl,Weiteres/e Land/Region,Telefon Assistent,Fax geschäftlich,"
    "Telefon geschäftlich,Telefon geschäftlich 2,Rückmeldung,Autotelefon,Telefon Firma,Fax privat,Telefon privat,"
    "Telefon privat 2,ISDN,Mobiltelefon,Weiteres Fax,Weiteres Telefon,Pager,Haupttelefon,Mobiltelefon 2,"
    "Telefon für Hörbehinderte,Telex,Abrechnungsinformation,Benutzer 1,Benutzer 2,Benutzer 3,Benutzer 4,Beruf,Büro,"
    "E-Mail-Adresse,E-Mail-Typ,E-Mail: Angezeigter Name,E-Mail 2: Adresse,E-Mail 2: Typ,E-Mail 2: Angezeigter Name,"
    "E-Mail 3: Adresse,E-Mail 3: Typ,E-Mail 3: Angezeigter Name,Empfohlen von,Geburtstag,Geschlecht,Hobby,"
    "Initialen,Internet Frei/Gebucht,Jahrestag,Kategorien,Kinder,Konto,Name Assistent,Name des/r Vorgesetzten,"
    "Notizen,Organisationsnr.,Ort,Partner,Postfach geschäftlich,Postfach privat,Priorität,Privat,Regierungsnr.,"
    "Reisekilometer,Sprache,Stichwörter,Vertraulichkeit,Verzeichnisserver,Webseite,Weiteres Postfach"
)


def test_german_outlooks_second_street_lines_and_regions_are_address_parts(tmp_path: Path, empty_vault: Path,
                                                                          invoke) -> None:
    values = [("Vorname", "Max"), ("Nachname", "Mustermann"), ("Firma", "Musterfirma"), ("Position", "Leiter"),
              ("Straße geschäftlich", "Werkstr. 2"), ("Straße geschäftlich 2", "Halle 4"),
              ("Straße geschäftlich 3", "Tor 7"), ("Ort geschäftlich", "Halle"), ("Straße privat", "Hauptstr. 1"),
              ("Straße privat 2", "Hinterhaus"), ("Ort privat", "Zürich"), ("Bundesland/Kanton privat", "ZH"),
              ("Postleitzahl privat", "8001"), ("E-Mail-Adresse", "max@musterfirma.example"), ("E-Mail-Typ", "SMTP")]
    source = tmp_path / "outlook-de.csv"
    source.write_text(GERMAN_OUTLOOK + "\n" + row(GERMAN_OUTLOOK, values) + "\n", encoding="utf-8")

    ok(invoke("-C", empty_vault, "import", source))
    meta = contact(empty_vault, "max-mustermann").meta

    assert meta["vcard"]["ADR;TYPE=work"] == ";;Werkstr. 2\\nHalle 4\\nTor 7;Halle;;;"
    assert meta["vcard"]["ADR;TYPE=home"] == ";;Hauptstr. 1\\nHinterhaus;Zürich;ZH;8001;"
    assert (meta["title"], meta["emails"]) == ("Leiter", ["max@musterfirma.example"])
    assert not {k for k in meta if k.startswith(("straße", "bundesland", "e_mail"))}


def test_bundesland_kanton_geschaeftlich_is_the_work_region() -> None:
    data = "Vorname,Nachname,Straße geschäftlich,Ort geschäftlich,Bundesland/Kanton geschäftlich\n" \
           "Max,Muster,Bahnhofstr. 1,Bern,BE\n"

    meta = csv_format.read(data.encode()).records[0].meta

    assert meta["vcard"]["ADR;TYPE=work"] == ";;Bahnhofstr. 1;Bern;BE;;"


THUNDERBIRD_ENGLISH = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,"
    "Fax Number,Pager Number,Mobile Number,Home Address,Home Address2,Home City,Home State,Home Zipcode,"
    "Home Country,Work Address,Work Address2,Work City,Work State,Work Zip,Work Country,Job Title,Department,"
    "Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes"
)


def test_thunderbirds_home_address2_is_the_streets_second_line(tmp_path: Path, empty_vault: Path, invoke) -> None:
    values = [("First Name", "Max"), ("Last Name", "Mustermann"), ("Primary Email", "max@example.de"),
              ("Home Address", "Privatstr. 88"), ("Home Address2", "2. Zeile"), ("Home City", "Wohnort"),
              ("Work Address", "Straße Work"), ("Work Address2", "Str. Work 2. Zeile"), ("Work City", "Ort")]
    source = tmp_path / "thunderbird.csv"
    source.write_text("\ufeff" + THUNDERBIRD_ENGLISH + "\n" + row(THUNDERBIRD_ENGLISH, values) + "\n",
                      encoding="utf-8")

    ok(invoke("-C", empty_vault, "import", source))
    meta = contact(empty_vault, "max-mustermann").meta

    assert meta["vcard"]["ADR;TYPE=home"] == ";;Privatstr. 88\\n2. Zeile;Wohnort;;;"
    assert meta["vcard"]["ADR;TYPE=work"] == ";;Straße Work\\nStr. Work 2. Zeile;Ort;;;"
    assert meta["address"] == "Privatstr. 88, 2. Zeile, Wohnort"
    assert "home_address2" not in meta and "work_address2" not in meta


@needs_realworld
def test_the_real_english_thunderbird_export_keeps_its_second_lines_in_the_address() -> None:
    (source,) = (REALWORLD / "csv").rglob("ThunderbirdUtf8EnglishColumnsInvalidBDay.csv")

    meta = csv_format.read(source.read_bytes()).records[0].meta

    assert meta["vcard"]["ADR;TYPE=home"].startswith(";;Privatstr. 88\\n2. Zeile;")
    assert "home_address2" not in meta and "work_address2" not in meta
