"""`contacts import` and `contacts export` as a user runs them: what they print, write and commit."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED_TESTDATA, commit_count, git, head_files, head_message
from test_cli import installed_contacts, line_changes, no_traceback, ok, run
from test_vcard import original_cards, properties

from vault_tool.format.contact import LIST_FIELDS, as_list, parse
from vault_tool.interop import vcard

VCARDS = SHARED_TESTDATA / "vcard"
needs_testdata = pytest.mark.skipif(not VCARDS.is_dir(), reason=f"{VCARDS} is not there")

ADA_KING = textwrap.dedent("""\
    BEGIN:VCARD
    VERSION:3.0
    FN:Ada King
    N:King;Ada;;;
    EMAIL;TYPE=HOME:ada@analytical.example
    TEL;TYPE=CELL:+44 7700 900123
    TITLE:Countess of Lovelace
    NOTE:Met her again at the Royal Society.
    END:VCARD
    """).replace("\n", "\r\n")
GRACE = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@navy.example\r\nEND:VCARD\r\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def contact_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "contacts").glob("*.md"))


# import


def test_import_adds_every_card_in_one_commit(empty_vault: Path, invoke, tmp_path: Path) -> None:
    cards = write(tmp_path / "phone.vcf", GRACE + ADA_KING)

    result = invoke("-C", empty_vault, "import", cards)

    ok(result)
    assert result.stdout == "2 added, 0 merged\n"
    assert "Import 2 contacts from phone.vcf (commit " in result.stderr
    assert contact_files(empty_vault) == ["ada-king.md", "grace-hopper.md"]
    assert head_message(empty_vault) == "Import 2 contacts from phone.vcf"
    assert sorted(head_files(empty_vault)) == ["contacts/ada-king.md", "contacts/grace-hopper.md"]
    assert git(empty_vault, "status", "--porcelain") == ""
    ada = (empty_vault / "contacts" / "ada-king.md").read_text()
    assert ada.startswith("---\nname: Ada King\nemails: [ada@analytical.example]\nphones: [\"+44 7700 900123\"]\n")
    assert "vcard:\n  EMAIL;TYPE=HOME: ada@analytical.example\n  TEL;TYPE=CELL: +44 7700 900123\n" in ada
    assert ada.endswith("---\nMet her again at the Royal Society.\n")


def test_import_a_folder_of_vcards_like_vdirsyncer_keeps(empty_vault: Path, invoke, tmp_path: Path) -> None:
    book = tmp_path / "contacts" / "default"
    book.mkdir(parents=True)
    write(book / "0b3f.vcf", GRACE)
    write(book / "7c1d.vcf", ADA_KING)
    write(book / ".hidden.vcf", GRACE.replace("Grace", "Hidden"))
    write(book / "README.txt", "not a contact")

    result = invoke("-C", empty_vault, "import", tmp_path / "contacts")

    ok(result)
    assert contact_files(empty_vault) == ["ada-king.md", "grace-hopper.md"]
    assert head_message(empty_vault) == "Import 2 contacts from 2 files"


def test_a_duplicate_is_skipped_with_the_reason_and_nothing_is_committed(vault: Path, invoke, tmp_path: Path) -> None:
    before = commit_count(vault)

    result = invoke("-C", vault, "import", write(tmp_path / "ada.vcf", ADA_KING))

    ok(result)
    assert result.stdout == (
        f"skipped {tmp_path / 'ada.vcf'}:1 (Ada King): duplicate of ada-lovelace: same email ada@analytical.example\n"
        "0 added, 0 merged, 1 skipped as duplicates\n"
    )
    assert commit_count(vault) == before
    assert not (vault / "contacts" / "ada-king.md").exists()


def test_merge_adds_only_what_is_new_to_the_existing_file(vault: Path, invoke, tmp_path: Path) -> None:
    ada = vault / "contacts" / "ada-lovelace.md"
    old = ada.read_bytes()

    result = invoke("-C", vault, "import", write(tmp_path / "ada.vcf", ADA_KING), "--on-duplicate", "merge")

    ok(result)
    assert result.stdout.splitlines()[0] == (
        f"merged {tmp_path / 'ada.vcf'}:1 (Ada King) into ada-lovelace: duplicate of ada-lovelace: same email "
        "ada@analytical.example; kept name 'Ada Lovelace' (the file has 'Ada King'); "
        "kept title 'Head of Research' (the file has 'Countess of Lovelace')"
    )
    removed, added = line_changes(old, ada.read_bytes())
    assert removed == [b'phones: ["+44 20 7946 0958"]\n']
    assert added[0] == b'phones: ["+44 20 7946 0958", "+44 7700 900123"]\n'
    assert b"Met her again at the Royal Society.\n" in added
    assert any(line.startswith(b"vcard:") for line in added)
    assert head_message(vault) == "Import ada.vcf: 0 added, 1 merged"
    assert head_files(vault) == ["contacts/ada-lovelace.md"]


def test_merging_the_same_file_twice_changes_nothing_the_second_time(vault: Path, invoke, tmp_path: Path) -> None:
    cards = write(tmp_path / "ada.vcf", ADA_KING)
    ok(invoke("-C", vault, "import", cards, "--on-duplicate", "merge"))
    before = commit_count(vault)

    result = invoke("-C", vault, "import", cards, "--on-duplicate", "merge")

    ok(result)
    assert "unchanged" in result.stdout and "nothing new in it" in result.stdout
    assert commit_count(vault) == before


def test_on_duplicate_new_adds_it_anyway_and_a_taken_uid_is_replaced(vault: Path, invoke, tmp_path: Path) -> None:
    uid = parse(vault / "contacts/ada-lovelace.md", (vault / "contacts/ada-lovelace.md").read_bytes()).meta["uid"]
    card = ADA_KING.replace("END:VCARD", f"UID:{uid}\r\nEND:VCARD")

    result = invoke("-C", vault, "import", write(tmp_path / "ada.vcf", card), "--on-duplicate", "new")

    ok(result)
    assert "its uid is ada-lovelace's already: it gets a new one" in result.stdout
    new = parse(vault / "contacts/ada-king.md", (vault / "contacts/ada-king.md").read_bytes())
    assert new.meta["uid"] != uid


def test_dry_run_says_what_would_happen_and_writes_nothing(vault: Path, invoke, tmp_path: Path) -> None:
    before = commit_count(vault)
    cards = write(tmp_path / "two.vcf", GRACE + ADA_KING)

    result = invoke("-C", vault, "import", cards, "--dry-run", "--on-duplicate", "merge")

    ok(result)
    assert result.stdout.splitlines()[0] == f"would add {cards}:1 (Grace Hopper) as grace-hopper"
    assert result.stdout.splitlines()[1].startswith(f"would merge {cards}:6 (Ada King) into ada-lovelace")
    assert result.stdout.splitlines()[-1] == "Dry run, nothing written: 1 added, 1 merged"
    assert commit_count(vault) == before
    assert git(vault, "status", "--porcelain") == ""


def test_duplicates_within_the_imported_files_are_found_too(empty_vault: Path, invoke, tmp_path: Path) -> None:
    people = write(tmp_path / "people.csv", "Name,Email\nAda,ada@x.example\nAda L.,ADA@x.example\n")

    result = invoke("-C", empty_vault, "import", people)

    ok(result)
    assert "skipped" in result.stdout and "duplicate of ada: same email ADA@x.example" in result.stdout
    assert contact_files(empty_vault) == ["ada.md"]


def test_tag_marks_every_imported_contact(empty_vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", empty_vault, "import", write(tmp_path / "g.vcf", GRACE), "--tag", "navy", "--tag", "2026")

    ok(result)
    assert "tags: [navy, '2026']\n" in (empty_vault / "contacts/grace-hopper.md").read_text()


def test_a_bad_tag_is_refused_before_anything_is_read(empty_vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", empty_vault, "import", write(tmp_path / "g.vcf", GRACE), "--tag", "two words")

    assert result.exit_code == 2
    assert "tag 'two words' has a space or comma" in result.stderr
    assert contact_files(empty_vault) == []


def test_map_and_custom_fields_from_a_crm_csv(empty_vault: Path, invoke, tmp_path: Path) -> None:
    crm = write(tmp_path / "crm.csv", "Client;Account Manager;Internal ID;Industry\nNordlys Fisk;bob;N-1;fishing\n")

    result = invoke("-C", empty_vault, "import", crm, "--map", "Client=name", "--map", "Account Manager=owner",
                    "--map", "Internal ID=")

    ok(result)
    assert (empty_vault / "contacts/nordlys-fisk.md").read_text().startswith(
        "---\nname: Nordlys Fisk\nowner: bob\nuid: ")
    assert "\nindustry: fishing\n---\n" in (empty_vault / "contacts/nordlys-fisk.md").read_text()


def test_a_bad_map_is_a_usage_error(empty_vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", empty_vault, "import", write(tmp_path / "a.csv", "Name\nAda\n"), "--map", "Client")

    assert result.exit_code == 2
    assert "'Client' is not COLUMN=field" in result.stderr


def test_unreadable_rows_are_named_the_rest_imported_and_the_exit_status_is_1(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    people = write(tmp_path / "people.csv", f"Name,Email,Remarks\nAda,ada@x.example,\n,,only a remark\n"
                                            f"Charles,c@x.example,{'x' * 1_000_000}\nGrace,g@x.example,\n")

    result = invoke("-C", empty_vault, "import", people)

    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.splitlines()[:2] == [
        f"not imported: {people}:3: the row has no name, company, email or phone: the row is skipped",
        f"not imported: {people}:4: 'remarks' is 1,000,000 characters long (a field holds at most 4,096): "
        "shorten it in the file",
    ]
    assert result.stdout.splitlines()[-1] == "2 added, 0 merged, 2 not readable"
    assert contact_files(empty_vault) == ["ada.md", "grace.md"]
    assert head_message(empty_vault) == "Import 2 contacts from people.csv"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty: nothing to import"),
    (b"\xef\xbb\xbfName,Email\r\n", "only a header row: nothing to import"),
])
def test_an_empty_file_says_so_and_exits_1(empty_vault: Path, invoke, tmp_path: Path, content: bytes,
                                            message: str) -> None:
    (tmp_path / "people.csv").write_bytes(content)

    result = invoke("-C", empty_vault, "import", tmp_path / "people.csv")

    assert result.exit_code == 1
    assert f"not imported: {tmp_path / 'people.csv'}: {message}" in result.stderr
    assert commit_count(empty_vault) == 1


def test_a_missing_file_is_a_one_line_error_and_nothing_is_imported(empty_vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", empty_vault, "import", write(tmp_path / "g.vcf", GRACE), tmp_path / "nope.vcf")

    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope.vcf'}: no such file or folder\n"
    assert contact_files(empty_vault) == []


@pytest.mark.parametrize(("name", "handle"), [("../../etc/passwd", "etc-passwd"), ("!!!", "contact"),
                                              (".hidden", "hidden"), ("..", "contact")])
def test_a_name_that_is_a_path_or_punctuation_stays_inside_contacts(
    empty_vault: Path, invoke, tmp_path: Path, name: str, handle: str
) -> None:
    card = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEND:VCARD\r\n"

    result = invoke("-C", empty_vault, "import", write(tmp_path / "odd.vcf", card))

    ok(result)
    assert contact_files(empty_vault) == [f"{handle}.md"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg") == ["empty", "odd.vcf"]
    path = empty_vault / f"contacts/{handle}.md"
    assert parse(path, path.read_bytes()).name == name


def test_a_name_with_no_letters_gets_a_warning(empty_vault: Path, invoke, tmp_path: Path) -> None:
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:!!!\r\nEND:VCARD\r\n"

    result = invoke("-C", empty_vault, "import", write(tmp_path / "odd.vcf", card))

    assert f"added {tmp_path / 'odd.vcf'}:1 (!!!) as contact; its name '!!!' has no letters or digits: " \
           "its file is contact.md" in result.stdout


def test_import_commits_only_its_files_and_leaves_staged_work_alone(vault: Path, invoke, tmp_path: Path) -> None:
    (vault / "notes.txt").write_text("my staged work\n")
    git(vault, "add", "notes.txt")
    zoe = vault / "contacts" / "zoe-muller.md"
    zoe.write_text(zoe.read_text() + "\nunsaved edit\n")

    ok(invoke("-C", vault, "import", write(tmp_path / "g.vcf", GRACE)))

    assert head_files(vault) == ["contacts/grace-hopper.md"]
    assert git(vault, "status", "--porcelain").splitlines() == [" M contacts/zoe-muller.md", "A  notes.txt"]


def test_import_into_a_clean_vault_leaves_a_clean_worktree(vault: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", vault, "import", write(tmp_path / "g.vcf", GRACE + ADA_KING.replace("ada@", "a.king@"))))

    assert sorted(head_files(vault)) == ["contacts/ada-king.md", "contacts/grace-hopper.md"]
    assert git(vault, "status", "--porcelain") == ""


@needs_testdata
def test_a_phones_photo_is_a_document_of_the_contact_and_comes_back_on_export(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    source = VCARDS / "ezvcard" / "John_Doe_IPHONE.vcf"

    ok(invoke("-C", empty_vault, "import", source))

    handle = "mr-john-richter-james-doe-sr"
    photo = empty_vault / "files" / handle / "photo.jpg"
    assert photo.read_bytes()[:3] == b"\xff\xd8\xff"
    assert "\nphoto: photo.jpg\n" in (empty_vault / "contacts" / f"{handle}.md").read_text()
    assert sorted(head_files(empty_vault)) == [f"contacts/{handle}.md", f"files/{handle}/photo.jpg"]

    ok(invoke("-C", empty_vault, "export", "-o", tmp_path / "out.vcf"))

    exported = original_cards(tmp_path / "out.vcf")
    original = original_cards(source)
    missing = properties(next(iter(original.values())).props) - properties(next(iter(exported.values())).props)
    assert not missing


@needs_testdata
@pytest.mark.parametrize("name", ["ezvcard/John_Doe_MAC_ADDRESS_BOOK.vcf", "ezvcard/outlook-2007.vcf",
                                  "syncevolution/Google-CardDAV.vcf", "aosp/v21_complicated.vcf",
                                  "ezvcard/rfc6350-example.vcf"])
def test_vcard_through_the_vault_and_back_keeps_every_property(empty_vault: Path, invoke, tmp_path: Path,
                                                               name: str) -> None:
    source = VCARDS / name
    original = next(iter(original_cards(source).values()))
    version = "4.0" if original.version.startswith("4") else "3.0"

    ok(invoke("-C", empty_vault, "import", source))
    ok(invoke("-C", empty_vault, "export", "-o", tmp_path / "out.vcf", "--vcard-version", version))

    back = next(iter(original_cards(tmp_path / "out.vcf").values()))
    assert properties(original.props) - properties(back.props) == properties([])


# export


def test_export_prints_vcards_of_every_contact(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "export")

    ok(result)
    records = vcard.read(result.stdout_bytes).records
    assert len(records) == 25
    ada = next(r for r in records if r.name == "Ada Lovelace")
    assert ada.meta["emails"] == ["ada@analytical.example", "countess@lovelace.example"]
    assert ada.meta["uid"] == "01KC4K84DGM23H3YFCY7MTSQTS"
    assert ada.notes.startswith("Met at the Babbage soirée.")


def test_export_to_a_folder_writes_a_vcf_per_contact_for_khard_and_vdirsyncer(vault: Path, invoke,
                                                                               tmp_path: Path) -> None:
    book = tmp_path / "addressbook"

    result = invoke("-C", vault, "export", "-o", f"{book}/", "--vcard-version", "4.0")

    ok(result)
    assert result.stderr == f"Exported 25 contacts to 25 files in {book}/\n"
    files = sorted(book.glob("*.vcf"))
    assert len(files) == 25 and files[0].name == "ada-lovelace.vcf"
    for path in files:
        text = path.read_bytes().decode("utf-8")
        assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and text.count("BEGIN:VCARD") == 1
        assert "\r\nUID:" in text and "\r\nFN:" in text
    assert git(vault, "status", "--porcelain") == ""


def test_export_csv_has_a_stable_header(vault: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", vault, "export", "--format", "csv", "-o", tmp_path / "all.csv"))

    header = (tmp_path / "all.csv").read_text().splitlines()[0]
    assert header.startswith("handle,name,kind,emails,phones,company,title,tags,stage,owner,address,birthday,"
                             "keep_in_touch,links,notes,uid,")
    assert "industry" in header and "vcard" not in header


def test_export_google_csv(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "export", "--format", "csv", "--csv-dialect", "google")

    ok(result)
    header = result.stdout.splitlines()[0]
    assert header.startswith("Name,Given Name,Additional Name,Family Name,")
    assert "Organization 1 - Name" in header and "Custom Field 1 - Value" in header


def test_a_folder_for_a_one_file_format_is_refused(vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", vault, "export", "--format", "csv", "-o", f"{tmp_path}/")

    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path} is a folder: a csv export is one file, give a file name\n"


def test_export_to_a_missing_folder_is_an_error(vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", vault, "export", "-o", tmp_path / "nope" / "x.vcf")

    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope'}: no such folder\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_vault_to_json_to_vault_is_the_identity(vault: Path, invoke, tmp_path: Path, fmt: str) -> None:
    ok(invoke("-C", vault, "log", "ada", "call", "Follow-up", "-m", "- [ ] Send the paper due:2026-12-12"))
    backup = tmp_path / f"backup.{fmt}"
    ok(invoke("-C", vault, "export", "--format", fmt, "-o", backup))
    ok(invoke("init", tmp_path / "restored"))

    result = invoke("-C", tmp_path / "restored", "import", backup)

    ok(result)
    assert result.stdout == "25 added, 0 merged\n"
    again = invoke("-C", tmp_path / "restored", "export", "--format", fmt)
    assert again.stdout == backup.read_text()
    assert contact_files(tmp_path / "restored") == contact_files(vault)


def test_json_export_has_fields_notes_interactions_and_tasks(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "export", "--format", "json")

    ok(result)
    ada = next(c for c in json.loads(result.stdout) if c["handle"] == "ada-lovelace")
    assert ada["fields"]["industry"] == "computing"
    assert ada["tasks"][0] == {"text": "Send the Bernoulli notes due:2026-12-01", "done": False,
                               "due": "2026-12-01", "done_on": None}
    assert ada["interactions"][0]["kind"] == "email"


def test_a_json_task_that_is_nowhere_in_the_notes_is_added_to_them(empty_vault: Path, invoke, tmp_path: Path) -> None:
    data = [{"fields": {"name": "Ada"}, "notes": "Hello.", "tasks": [{"text": "Call back due:2026-12-01",
                                                                     "done": False}]}]

    ok(invoke("-C", empty_vault, "import", write(tmp_path / "a.json", json.dumps(data))))

    assert (empty_vault / "contacts/ada.md").read_text().endswith("---\nHello.\n\n- [ ] Call back due:2026-12-01\n")


def test_a_bad_json_file_says_where(empty_vault: Path, invoke, tmp_path: Path) -> None:
    result = invoke("-C", empty_vault, "import", write(tmp_path / "a.json", '[{"fields": {"name": "Ada"},}]'))

    assert result.exit_code == 1
    assert f"not imported: {tmp_path / 'a.json'}:1: not valid JSON (Expecting property name enclosed in double " \
           "quotes, column 29): nothing imported from this file" in result.stderr


def test_import_and_export_through_the_installed_command(tmp_path: Path) -> None:
    contacts = installed_contacts()
    assert run(contacts, "init", "crm", cwd=tmp_path).returncode == 0
    write(tmp_path / "people.csv", "First Name,Last Name,E-mail Address\r\nJörg,Müller,joerg@brandt.example\r\n",
          "utf-16")

    done = run(contacts, "import", "../people.csv", "--tag", "messe", cwd=tmp_path / "crm")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "1 added, 0 merged\n"
    done = run(contacts, "export", "--format", "jsonl", cwd=tmp_path / "crm")
    assert json.loads(done.stdout)["fields"]["name"] == "Jörg Müller"
    assert json.loads(done.stdout)["fields"]["tags"] == ["messe"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path / "crm", capture_output=True,
                          text=True).stdout == ""


def test_a_contact_without_a_uid_is_exported_with_its_handle_as_uid(empty_vault: Path, invoke) -> None:
    (empty_vault / "contacts" / "hand-made.md").write_text("---\nname: Hand Made\n---\n")

    result = invoke("-C", empty_vault, "export")

    assert b"\r\nUID:hand-made\r\n" in result.stdout_bytes


def test_a_file_without_a_known_extension_is_read_by_its_content(empty_vault: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", empty_vault, "import", write(tmp_path / "contacts.txt", GRACE)))
    ok(invoke("-C", empty_vault, "import", write(tmp_path / "more.dat", '[{"name": "Ada", "email": "a@x.example"}]')))

    assert contact_files(empty_vault) == ["ada.md", "grace-hopper.md"]


def test_flat_json_objects_from_another_tool_are_read_like_csv_rows(empty_vault: Path, invoke, tmp_path: Path) -> None:
    people = [{"name": "Ada Lovelace", "email": ["ada@x.example", "countess@x.example"], "company": "Analytical",
               "phone": "+44 20 7946 0958", "favourite colour": "green"}]

    ok(invoke("-C", empty_vault, "import", write(tmp_path / "people.json", json.dumps(people))))

    text = (empty_vault / "contacts/ada-lovelace.md").read_text()
    assert text.startswith("---\nname: Ada Lovelace\nemails: [ada@x.example, countess@x.example]\n"
                           "phones: [\"+44 20 7946 0958\"]\ncompany: Analytical\n")
    assert "\nfavourite_colour: green\n" in text


# With search: queries select what is exported, and imported contacts are found at once


def test_export_a_query(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "export", "tag:customer AND company:analytical", "--format", "jsonl")

    ok(result)
    handles = [json.loads(line)["handle"] for line in result.stdout.splitlines()]
    assert handles == ["ada-lovelace", "charles-babbage", "priya-raman"]  # the organisation has no company


def test_imported_contacts_are_found_by_the_next_search(vault: Path, invoke, tmp_path: Path) -> None:
    assert invoke("-C", vault, "search", "grace").exit_code == 1  # the index exists before the import; no Grace

    ok(invoke("-C", vault, "import", write(tmp_path / "g.vcf", GRACE), "--tag", "navy"))

    result = invoke("-C", vault, "search", "tag:navy", "--format", "paths")
    ok(result)
    assert result.stdout == "contacts/grace-hopper.md\n"


def test_progress_is_reported_for_every_record(empty_vault: Path, tmp_path: Path) -> None:
    from vault_tool import Vault
    from vault_tool.interop.importing import ImportOptions, import_files

    rows = "".join(f"Person {n},p{n}@x.example\n" for n in range(250))
    seen: list[tuple[int, int]] = []

    import_files(Vault.open(empty_vault), [write(tmp_path / "p.csv", "Name,Email\n" + rows)], ImportOptions(),
                 lambda done, total: seen.append((done, total)))

    assert seen == [(n, 250) for n in range(1, 251)]


def test_vault_to_vcard_to_vault_keeps_every_field_as_text(vault: Path, invoke, tmp_path: Path) -> None:
    """Fields vCard has no property for travel as X-VAULT-FIELD;NAME=…; numbers come back as text.

    (vCard has no place for interactions: JSON is the format that keeps everything.)
    """
    ok(invoke("-C", vault, "export", "-o", tmp_path / "all.vcf"))
    ok(invoke("init", tmp_path / "again"))

    ok(invoke("-C", tmp_path / "again", "import", tmp_path / "all.vcf"))

    def fields(root: Path) -> dict[str, tuple[dict[str, object], str]]:
        out = {}
        for path in sorted((root / "contacts").glob("*.md")):
            contact = parse(path, path.read_bytes())
            meta = {k: as_list(v) if k in LIST_FIELDS else v if isinstance(v, dict) else str(v)
                    for k, v in contact.meta.items() if k not in ("vcard", "files")}  # no vCard carries documents
            meta.setdefault("kind", "person")
            out[contact.meta["uid"]] = (meta, contact.notes)
        return out

    assert fields(tmp_path / "again") == fields(vault)
