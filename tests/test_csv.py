"""CSV files as contacts and contacts as CSV: Google, Outlook and Thunderbird exports, any other CSV.

Roundcube's importer turned each of its CSV fixtures into a vCard
(``X.expected.vcf``); reading the CSV here must give the contact that reading
that vCard gives. The real export headers are read in place from
/work/shared/testdata (the tests skip without it).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import SHARED_TESTDATA

from vault_tool.format.contact import Contact
from vault_tool.interop import csv_format, vcard
from vault_tool.interop.csv_write import to_csv

CSVS = SHARED_TESTDATA / "csv"
needs_testdata = pytest.mark.skipif(not CSVS.is_dir(), reason=f"{CSVS} is not there")
FIELDS = ("name", "emails", "phones", "company", "title", "birthday", "address", "tags")


def read(text: str, encoding: str = "utf-8", columns: dict[str, str] | None = None) -> csv_format.ReadResult:
    return csv_format.read(text.encode(encoding), columns)


def one(text: str, **kwargs) -> csv_format.Incoming:
    result = read(text, **kwargs)
    assert not result.problems, result.problems
    assert len(result.records) == 1
    return result.records[0]


def with_row(header_file: Path, values: dict[str, str]) -> bytes:
    """A real export's header line and one row with ``values`` in the named columns."""
    header = next(csv.reader(io.StringIO(header_file.read_text(encoding="utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow([values.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


# Real exports, against what another importer makes of them


@needs_testdata
@pytest.mark.parametrize("name", ["gmail", "outlook", "tb_plain", "all", "email"])
def test_a_csv_export_gives_the_contacts_its_vcard_gives(name: str) -> None:
    from_csv = csv_format.read((CSVS / "roundcube" / f"{name}.csv").read_bytes())
    from_vcard = vcard.read((CSVS / "roundcube" / f"{name}.expected.vcf").read_bytes())

    assert not from_csv.problems and not from_vcard.problems
    assert len(from_csv.records) == len(from_vcard.records)
    for mine, theirs in zip(from_csv.records, from_vcard.records):
        for key in FIELDS:
            if not (name == "gmail" and key == "address"):  # Roundcube leaves out the PO box
                expected = theirs.meta.get(key)
                if key == "tags" and expected:  # Google's `* My Contacts` holds everyone: no tag
                    expected = [t for t in expected if t != "My-Contacts"] or None
                assert mine.meta.get(key) == expected, key
        assert sorted(mine.meta.get("links", {}).values()) == sorted(theirs.meta.get("links", {}).values())
        assert mine.notes == theirs.notes


@needs_testdata
def test_a_google_export_keeps_labels_groups_and_addresses() -> None:
    record = csv_format.read((CSVS / "roundcube" / "gmail.csv").read_bytes()).records[0]

    assert record.meta["tags"] == ["Test"]  # `* My Contacts ::: Test`: the group of everyone is no tag
    assert record.meta["address"] == "home_pobox, home_street, home_city, home_state, home_zip, home_country"
    assert record.meta["vcard"]["EMAIL;TYPE=work"] == "work@email.pl"  # `E-mail 2 - Type` labels its value
    assert record.meta["vcard"]["TEL;TYPE=home,fax"] == "homefax"
    assert record.meta["vcard"]["ADR;TYPE=work"] == ";;work_street;work_city;;work_zip;work_country"
    assert record.meta["spouse"] == "spouse"  # `Relation 1 - Type: Spouse` names the custom field
    assert record.notes == 'note"note'


@needs_testdata
def test_a_legacy_google_header_with_its_numbered_groups() -> None:
    data = with_row(CSVS / "headers" / "google_legacy_export_header.Baneeishaque.csv", {
        "Name": "Priya Raman", "Given Name": "Priya", "Family Name": "Raman", "Birthday": "1990-02-03",
        "Group Membership": "* myContacts ::: * starred", "E-mail 1 - Type": "* Work",
        "E-mail 1 - Value": "priya@work.example ::: priya@old.example", "Phone 1 - Type": "Mobile",
        "Phone 1 - Value": "+91 98765 43210", "IM 1 - Service": "Skype", "IM 1 - Value": "priya.r",
        "Organization 1 - Name": "Bengal Bio", "Organization 1 - Title": "CTO",
        "Organization 1 - Department": "R&D", "Website 1 - Type": "Blog", "Website 1 - Value": "https://priya.example",
    })

    record = csv_format.read(data).records[0]

    assert record.meta["name"] == "Priya Raman"
    assert record.meta["emails"] == ["priya@work.example", "priya@old.example"]
    assert record.meta["phones"] == ["+91 98765 43210"]
    assert record.meta["tags"] == ["starred"]  # `* myContacts` holds everyone: no tag
    assert (record.meta["company"], record.meta["title"]) == ("Bengal Bio", "CTO")
    assert record.meta["links"] == {"blog": "https://priya.example"}
    assert record.meta["im_skype"] == "priya.r"
    assert record.meta["organization_department"] == "R&D"
    assert record.meta["vcard"]["TEL;TYPE=cell"] == "+91 98765 43210"


@needs_testdata
def test_googles_outlook_layout_reads_title_as_the_name_prefix() -> None:
    data = with_row(CSVS / "headers" / "google_outlook_format_export_header.csv", {
        "First Name": "Rachel", "Last Name": "Okafor", "Title": "Dr.", "Job Title": "Partner",
        "Company": "Potomac Capital", "E-mail Address": "rachel@potomac.example", "Mobile Phone": "+1 202 555 0147",
        "Business Street": "1 K Street NW", "Business City": "Washington", "Business State": "DC",
        "Business Postal Code": "20001", "Business Country": "USA", "Categories": "investor;myContacts",
    })

    record = csv_format.read(data).records[0]

    assert record.meta["name"] == "Rachel Okafor"  # the title is the name's prefix (N), not in the name
    assert record.meta["title"] == "Partner"
    assert record.meta["tags"] == ["investor"]
    assert record.meta["address"] == "1 K Street NW, Washington, DC, 20001, USA"
    assert record.meta["vcard"]["ADR;TYPE=work"] == ";;1 K Street NW;Washington;DC;20001;USA"
    assert record.meta["vcard"]["N"] == "Okafor;Rachel;;Dr.;"


@needs_testdata
def test_outlook_com_transport_type_columns_are_left_out() -> None:
    data = with_row(CSVS / "headers" / "outlook_com_export_header.csv", {
        "First Name": "Ciarán", "Last Name": "Byrne", "E-mail Address": "ciaran@liffey.example",
        "E-mail Type": "SMTP", "Home Phone": "+353 1 555 0100",
    })

    record = csv_format.read(data).records[0]

    assert record.meta == {"name": "Ciarán Byrne", "emails": ["ciaran@liffey.example"],
                           "phones": ["+353 1 555 0100"], "vcard": {"TEL;TYPE=home": "+353 1 555 0100"}}


@needs_testdata
@pytest.mark.parametrize("path", sorted((CSVS / "headers").glob("*.csv")) if CSVS.is_dir() else [],
                         ids=lambda p: p.name)
def test_a_header_without_rows_imports_nothing_and_says_so(path: Path) -> None:
    result = csv_format.read(path.read_bytes())

    assert result.records == []
    assert [p.message for p in result.problems] == ["only a header row: nothing to import"]


def test_thunderbirds_birthday_columns_make_a_birthday() -> None:
    record = one("Display Name,Birth Year,Birth Month,Birth Day\nSøren,1813,5,5\n")

    assert record.meta == {"name": "Søren", "birthday": "1813-05-05"}


# Any other CSV


def test_columns_are_matched_to_fields_by_name_and_the_rest_become_custom_fields() -> None:
    record = one("Full Name,E-mail,Phone,Organisation,Position,Shoe Size,Notes\n"
                 "Zoë Müller,zoe@brandt.example,+49 30 23125 017,Brandt Maschinenbau,Head of Ops,38,Met at Messe\n")

    assert record.meta == {"name": "Zoë Müller", "emails": ["zoe@brandt.example"], "phones": ["+49 30 23125 017"],
                           "company": "Brandt Maschinenbau", "title": "Head of Ops", "shoe_size": "38"}
    assert record.notes == "Met at Messe"


def test_map_puts_a_column_into_a_field_and_an_empty_field_leaves_it_out() -> None:
    record = one("Client,Account Manager,Internal ID\nAnalytical Engines,alice,X-17\n",
                 columns={"client": "name", "Account Manager": "owner", "Internal ID": ""})

    assert record.meta == {"name": "Analytical Engines", "owner": "alice"}


def test_map_naming_a_missing_column_is_a_problem_that_lists_the_columns() -> None:
    result = read("Name,Email\nAda,ada@example.com\n", columns={"Client": "name"})

    assert result.records == []
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "--map names a column this file does not have ('client'); its columns are: Name, Email")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found(delimiter: str) -> None:
    text = delimiter.join(["Name", "Email", "Company"]) + "\n" + delimiter.join(["Ada", "ada@x.example", "A, B"]) + "\n"
    if delimiter == ",":
        text = text.replace("A, B", '"A, B"')

    assert one(text).meta == {"name": "Ada", "emails": ["ada@x.example"], "company": "A, B"}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_the_encoding_is_found(encoding: str) -> None:
    text = "First Name\tLast Name\tE-mail Address\r\nJörg\tMüller\tjoerg@brandt.example\r\n"

    assert one(text, encoding=encoding).meta["name"] == "Jörg Müller"


def test_mixed_line_endings_and_a_cell_over_several_lines_keep_the_row_numbers() -> None:
    text = 'Name,Notes\r\nAda,"first line\r\nsecond line"\nCharles,short\rBroken,"a","b","c"\n'

    result = read(text)

    assert [(r.line, r.name, r.notes) for r in result.records] == [
        (2, "Ada", "first line\nsecond line"), (4, "Charles", "short")]
    assert [(p.line, p.message) for p in result.problems] == [
        (5, "the row has 4 cells but the header has 2 columns: the row is skipped (a stray delimiter or quote?)")]


def test_a_row_with_no_name_is_skipped_with_its_line() -> None:
    result = read("Name,Notes,Tags\nAda,,\n,just a note,vip\n")

    assert [r.name for r in result.records] == ["Ada"]
    assert [(p.line, p.message) for p in result.problems] == [
        (3, "the row has no name, company, email or phone: the row is skipped")]


def test_a_name_can_come_from_the_company_the_email_or_the_phone() -> None:
    result = read("Company,Email,Phone\nNordlys Fisk,,\n,info@x.example,\n,,+47 21 99 00 00\n")

    assert [r.name for r in result.records] == ["Nordlys Fisk", "info@x.example", "+47 21 99 00 00"]


def test_an_ambiguous_birthday_is_kept_as_written_with_a_warning() -> None:
    record = one("Name,Birthday\nAda,03/04/1991\n")

    assert record.meta == {"name": "Ada", "birthday_as_written": "03/04/1991"}
    assert record.warnings == ["its birthday '03/04/1991' is not a date for sure (use YYYY-MM-DD): "
                               "kept as birthday_as_written"]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty: nothing to import"),
    (b"\xef\xbb\xbf", "the file is empty: nothing to import"),
    (b"Name,Email\r\n", "only a header row: nothing to import"),
    (b"Name,Email\nAda\x00,ada@x.example\n", "the file holds binary data (NUL bytes), not CSV text: export it again"),
])
def test_files_with_nothing_to_import_say_why(data: bytes, message: str) -> None:
    result = csv_format.read(data)

    assert result.records == []
    assert [p.message for p in result.problems] == [message]


def test_a_million_character_cell_is_read_and_left_to_the_importer_to_refuse() -> None:
    huge = "x" * 1_000_000

    result = read(f"Name,Notes,Remarks\nAda,{huge},short\nCharles,short,{huge}\n")

    assert [(r.name, len(r.notes)) for r in result.records] == [("Ada", 1_000_000), ("Charles", 5)]
    assert len(result.records[1].meta["remarks"]) == 1_000_000  # over the field limit: import skips the row


# Writing


def test_the_vaults_own_columns_read_back_as_the_same_fields() -> None:
    ada = Contact("ada-lovelace", {
        "name": "Ada Lovelace", "emails": ["ada@analytical.example", "countess@lovelace.example"],
        "phones": ["+44 20 7946 0958"], "company": "Analytical Engines", "title": "Head of Research",
        "tags": ["customer", "vip"], "stage": "customer", "owner": "alice", "birthday": "1815-12-10",
        "keep_in_touch": "30d", "links": {"website": "https://lovelace.example", "code": "https://git.example/ada"},
        "uid": "01KC4K84DGM23H3YFCY7MTSQTS", "industry": "computing"}, notes="Prefers letters.\n\n- [ ] Send notes")

    record = csv_format.read(to_csv([ada]).encode()).records[0]

    assert record.meta == ada.meta
    assert record.notes == ada.notes
    assert record.handle == "ada-lovelace"


def test_google_columns_read_back_as_the_same_fields() -> None:
    wang = Contact("wang-fang", {
        "name": "Wang Fang", "emails": ["wang.fang@jaderiver.example"], "phones": ["+86 10 5555 0100"],
        "company": "Jade River Trading", "title": "Buyer", "tags": ["newsletter"], "stage": "lead",
        "uid": "01KC4K84DGM23H3YFCY7MTSQTT",
        "vcard": {"TEL;TYPE=CELL": "+86 10 5555 0100", "EMAIL;TYPE=INTERNET,WORK": "wang.fang@jaderiver.example"}})

    text = to_csv([wang], "google")
    record = csv_format.read(text.encode()).records[0]

    assert text.splitlines()[0].startswith("Name,Given Name,Additional Name,Family Name,Name Prefix,Name Suffix,")
    assert "E-mail 1 - Type,E-mail 1 - Value" in text.splitlines()[0]
    assert {k: v for k, v in record.meta.items() if k != "vcard"} == {k: v for k, v in wang.meta.items()
                                                                       if k != "vcard"}
    assert record.meta["vcard"] == {"EMAIL;TYPE=work": "wang.fang@jaderiver.example",
                                    "TEL;TYPE=cell": "+86 10 5555 0100"}
