"""A contact's documents: attach, detach, files, show, search, rm/mv/merge carrying them, photos, check."""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from conftest import commit_count, git, head_files, head_message, no_traceback, ok


def make_pdf(path: Path, text: str) -> Path:
    """A one-page PDF whose text is ``text`` (Helvetica, ASCII), written with pypdf."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=400, height=200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = StreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def front(root: Path, handle: str) -> str:
    text = (root / "contacts" / f"{handle}.md").read_text(encoding="utf-8")
    return text.split("\n---", 1)[0]


def touched(root: Path) -> set[str]:
    """Every path the last commit touched, both sides of a rename."""
    return set(git(root, "show", "--name-only", "--no-renames", "--format=", "HEAD").split())


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "").replace("\n ", "")


def paths_of(result) -> list[str]:
    return result.stdout.split()


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "contract.pdf", "Indemnity clause for the Difference Engine")


# attach, files, show, detach


def test_attach_stores_the_file_beside_the_contact_and_lists_it_in_one_commit(vault: Path, invoke, contract) -> None:
    before = commit_count(vault)

    result = invoke("-C", vault, "attach", "priya", contract)

    ok(result)
    assert (vault / "files" / "priya-raman" / "contract.pdf").read_bytes() == contract.read_bytes()
    assert "\nfiles: [contract.pdf]" in front(vault, "priya-raman")
    assert commit_count(vault) == before + 1
    assert head_message(vault) == "Attach contract.pdf to Priya Raman"
    assert sorted(head_files(vault)) == ["contacts/priya-raman.md", "files/priya-raman/contract.pdf"]
    assert git(vault, "status", "--porcelain") == ""


def test_a_second_file_of_the_same_name_gets_2_and_as_names_it(vault: Path, invoke, contract, tmp_path) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    ok(invoke("-C", vault, "attach", "priya", contract))
    ok(invoke("-C", vault, "attach", "priya", contract, "--as", "../../.secret\x07nda.pdf"))

    assert sorted(os.listdir(vault / "files" / "priya-raman")) == ["contract-2.pdf", "contract.pdf", "secretnda.pdf"]
    assert "\nfiles: [contract.pdf, contract-2.pdf, secretnda.pdf]" in front(vault, "priya-raman")
    assert head_message(vault) == "Attach secretnda.pdf to Priya Raman"
    assert not (tmp_path / "secretnda.pdf").exists()


def test_files_lists_name_size_and_date_as_a_table_json_and_paths(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    today = git(vault, "log", "-1", "--format=%cs").strip()

    table = invoke("-C", vault, "files", "priya")
    as_json = invoke("-C", vault, "files", "priya", "--format", "json")
    paths = invoke("-C", vault, "files", "priya", "--format", "paths")

    ok(table)
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SIZE", "DATE"]
    assert lines[1].split()[0] == "contract.pdf" and lines[1].split()[-1] == today
    assert json.loads(as_json.stdout) == [{
        "name": "contract.pdf", "size": contract.stat().st_size, "date": today, "field": "files",
        "path": "files/priya-raman/contract.pdf"}]
    assert paths.stdout == "files/priya-raman/contract.pdf\n"


def test_files_of_a_contact_without_documents_exits_1(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "files", "zoe")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Zoë Müller has no documents" in result.stderr


def test_show_lists_the_documents_with_their_sizes_and_json_has_them(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))

    text = invoke("-C", vault, "show", "priya")
    data = json.loads(invoke("-C", vault, "show", "priya", "--format", "json").stdout)

    ok(text)
    assert "\nDocuments (1)\n  contract.pdf  " in text.stdout
    assert "files:" not in text.stdout
    assert data["documents"] == [{"name": "contract.pdf", "field": "files", "size": contract.stat().st_size,
                                  "path": "files/priya-raman/contract.pdf"}]


def test_detach_removes_the_file_and_the_line_in_one_commit(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    listed_before = front(vault, "priya-raman")

    result = invoke("-C", vault, "detach", "priya", "contract.pdf")

    ok(result)
    assert not (vault / "files" / "priya-raman").exists()
    assert "files:" not in front(vault, "priya-raman") and "files:" in listed_before
    assert head_message(vault) == "Detach contract.pdf from Priya Raman"
    assert sorted(head_files(vault)) == ["contacts/priya-raman.md", "files/priya-raman/contract.pdf"]
    assert git(vault, "status", "--porcelain") == ""


def test_detaching_a_document_the_contact_has_not_is_one_line(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    before = commit_count(vault)

    result = invoke("-C", vault, "detach", "priya", "nda.pdf")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: Priya Raman has no document 'nda.pdf' (contacts files priya-raman "
                                     "lists them: contract.pdf)")
    assert commit_count(vault) == before


# refusals


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(vault: Path, invoke, tmp_path: Path) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_file_size: 1KB\n", encoding="utf-8")
    git(vault, "commit", "-qam", "Smaller documents")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2000)
    before = commit_count(vault)

    result = invoke("-C", vault, "attach", "priya", big)

    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: big.bin is 2.0 KB, over the vault's 1 KB limit for a document "
                                     "(max_file_size in vault.yaml)")
    assert not (vault / "files" / "priya-raman").exists()
    assert commit_count(vault) == before
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 1024)
    ok(invoke("-C", vault, "attach", "priya", small))


def test_a_wrong_max_file_size_is_an_error_in_vault_yaml(vault: Path, invoke, contract) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_file_size: lots\n", encoding="utf-8")

    result = invoke("-C", vault, "attach", "priya", contract)

    no_traceback(result)
    assert result.exit_code != 0
    assert "max_file_size must be a size such as 25MB, 500KB or 1GB, not 'lots'" in result.stderr


def test_a_symbolic_link_is_not_attached(vault: Path, invoke, contract, tmp_path: Path) -> None:
    link = tmp_path / "link.pdf"
    link.symlink_to(contract)

    result = invoke("-C", vault, "attach", "priya", link)

    no_traceback(result)
    assert result.exit_code == 2
    assert "is a symbolic link, which is never followed" in result.stderr
    assert not (vault / "files" / "priya-raman").exists()


def test_a_link_in_the_contacts_folder_is_never_read(vault: Path, invoke, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("zanzibar treasure\n", encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("plain notes\n", encoding="utf-8")
    ok(invoke("-C", vault, "attach", "priya", notes))
    target = vault / "files" / "priya-raman" / "notes.txt"
    target.unlink()
    target.symlink_to(secret)

    assert invoke("-C", vault, "search", "zanzibar").exit_code == 1
    result = invoke("-C", vault, "files", "priya", "--format", "json")
    assert json.loads(result.stdout)[0]["path"] is None  # listed, but missing: a link is not the file


# search


def test_search_finds_a_contact_by_a_documents_name_and_by_the_text_of_a_pdf(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "zoe", contract))

    by_name = invoke("-C", vault, "search", "file:contract", "--format", "paths")
    by_text = invoke("-C", vault, "search", "indemnity", "--format", "paths")
    snippet = invoke("-C", vault, "search", "indemnity")

    assert paths_of(by_name) == ["contacts/zoe-muller.md"]
    assert paths_of(by_text) == ["contacts/zoe-muller.md"]
    ok(snippet)
    assert "    contract.pdf: [Indemnity] clause for the Difference Engine" in snippet.stdout.splitlines()


def test_search_reads_plain_text_documents_and_sees_one_replaced_by_hand(vault: Path, invoke, tmp_path) -> None:
    notes = tmp_path / "visit.txt"
    notes.write_text("Saw the zanzibar warehouse\n", encoding="utf-8")
    ok(invoke("-C", vault, "attach", "zoe", notes))
    assert paths_of(invoke("-C", vault, "search", "zanzibar", "--format", "paths")) == ["contacts/zoe-muller.md"]

    stored = vault / "files" / "zoe-muller" / "visit.txt"
    stored.write_text("Now the kilimanjaro depot\n", encoding="utf-8")
    os.utime(stored, (1_700_000_000, 1_700_000_000))  # an older time: the stat changes, as a checkout's would

    assert paths_of(invoke("-C", vault, "search", "kilimanjaro", "--format", "paths")) == ["contacts/zoe-muller.md"]
    assert invoke("-C", vault, "search", "zanzibar", "--format", "paths").exit_code == 1


def test_detach_takes_the_document_out_of_search(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "zoe", contract))
    assert invoke("-C", vault, "search", "indemnity").exit_code == 0

    ok(invoke("-C", vault, "detach", "zoe", "contract.pdf"))

    assert invoke("-C", vault, "search", "indemnity").exit_code == 1
    assert invoke("-C", vault, "search", "file:contract").exit_code == 1


def test_a_broken_pdf_is_a_warning_and_its_contact_is_still_found(vault: Path, invoke, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is no PDF at all\n")
    ok(invoke("-C", vault, "attach", "zoe", broken))

    result = invoke("-C", vault, "search", "file:broken", "--format", "paths")

    ok(result)
    assert result.stdout == "contacts/zoe-muller.md\n"
    assert ("notice: files/zoe-muller/broken.pdf: its text cannot be read (not a readable PDF" in result.stderr)
    assert "Zoë Müller is found by the document's name only" in result.stderr
    assert paths_of(invoke("-C", vault, "search", "renewal", "--format", "paths"))  # the rest of the vault: as before


# rm, mv, merge


def test_rm_removes_the_documents_in_the_same_commit(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))

    ok(invoke("-C", vault, "rm", "priya", "--yes"))

    assert head_message(vault) == "Remove Priya Raman"
    assert sorted(head_files(vault)) == ["contacts/priya-raman.md", "files/priya-raman/contract.pdf"]
    assert not (vault / "files" / "priya-raman").exists()
    assert git(vault, "status", "--porcelain") == ""


def test_mv_moves_the_documents_to_the_new_handle_in_the_same_commit(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))

    ok(invoke("-C", vault, "mv", "priya", "Priya Iyer"))

    assert head_message(vault) == "Rename Priya Raman to Priya Iyer"
    assert touched(vault) >= {"contacts/priya-iyer.md", "contacts/priya-raman.md",
                                      "files/priya-iyer/contract.pdf", "files/priya-raman/contract.pdf"}
    assert (vault / "files" / "priya-iyer" / "contract.pdf").read_bytes() == contract.read_bytes()
    assert not (vault / "files" / "priya-raman").exists()
    assert git(vault, "status", "--porcelain") == ""
    assert paths_of(invoke("-C", vault, "search", "indemnity", "--format", "paths")) == ["contacts/priya-iyer.md"]


def test_mv_is_refused_when_the_new_handles_folder_holds_files_of_no_contact(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    stray = vault / "files" / "priya-iyer"
    stray.mkdir()
    (stray / "old.txt").write_text("left here\n", encoding="utf-8")
    before = commit_count(vault)

    result = invoke("-C", vault, "mv", "priya", "Priya Iyer")

    no_traceback(result)
    assert result.exit_code == 1
    assert "holds files of no contact: move or remove them first" in result.stderr
    assert commit_count(vault) == before
    assert (vault / "contacts" / "priya-raman.md").exists()


def test_merge_carries_the_documents_a_clash_gets_2_in_the_same_commit(vault: Path, invoke, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "notes.txt", tmp_path / "b" / "notes.txt"
    for path, text in ((first, "ada notes\n"), (second, "charles notes\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    ok(invoke("-C", vault, "attach", "ada", first))
    ok(invoke("-C", vault, "attach", "charles", second))

    ok(invoke("-C", vault, "merge", "ada", "charles", "--prefer", "keep"))

    assert head_message(vault) == "Merge Charles Babbage into Ada Lovelace"
    assert {"files/charles-babbage/notes.txt", "files/ada-lovelace/notes-2.txt"} <= touched(vault)
    folder = vault / "files" / "ada-lovelace"
    assert (folder / "notes.txt").read_text() == "ada notes\n"
    assert (folder / "notes-2.txt").read_text() == "charles notes\n"
    assert not (vault / "files" / "charles-babbage").exists()
    assert "\nfiles: [agreement.pdf, notes.txt, notes-2.txt]" in front(vault, "ada-lovelace")
    assert git(vault, "status", "--porcelain") == ""
    ok(invoke("-C", vault, "check"))


# vCard photos


JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + bytes(range(40))


def test_a_vcard_photo_is_a_document_and_comes_back_on_export(empty_vault: Path, invoke, tmp_path: Path) -> None:
    card = tmp_path / "grace.vcf"
    card.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@navy.example\r\n"
                     b"PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(JPEG) + b"\r\nEND:VCARD\r\n")

    ok(invoke("-C", empty_vault, "import", card))

    assert (empty_vault / "files" / "grace-hopper" / "photo.jpg").read_bytes() == JPEG
    assert "\nphoto: photo.jpg" in front(empty_vault, "grace-hopper")
    assert sorted(head_files(empty_vault)) == ["contacts/grace-hopper.md", "files/grace-hopper/photo.jpg"]
    listed = json.loads(invoke("-C", empty_vault, "files", "grace", "--format", "json").stdout)
    assert [(d["name"], d["field"]) for d in listed] == [("photo.jpg", "photo")]
    exported = invoke("-C", empty_vault, "export", "--format", "vcard")
    ok(exported)
    assert f"PHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(JPEG).decode()}" in unfolded(exported.stdout)
    ok(invoke("-C", empty_vault, "check"))


def test_an_old_vaults_photo_beside_the_contact_still_exports_and_mv_moves_it(empty_vault: Path, invoke) -> None:
    contacts = empty_vault / "contacts"
    (contacts / "grace-hopper.md").write_text("---\nname: Grace Hopper\nphoto: grace-hopper.jpg\n---\n",
                                              encoding="utf-8")
    (contacts / "grace-hopper.jpg").write_bytes(JPEG)
    git(empty_vault, "add", ".")
    git(empty_vault, "commit", "-qm", "An old vault's contact")

    exported = invoke("-C", empty_vault, "export", "--format", "vcard")
    assert base64.b64encode(JPEG).decode() in unfolded(exported.stdout)
    ok(invoke("-C", empty_vault, "check"))

    ok(invoke("-C", empty_vault, "mv", "grace", "Grace B. Hopper"))

    assert (empty_vault / "files" / "grace-b-hopper" / "grace-hopper.jpg").read_bytes() == JPEG
    assert not (contacts / "grace-hopper.jpg").exists()
    assert {"contacts/grace-hopper.jpg", "files/grace-b-hopper/grace-hopper.jpg"} <= touched(empty_vault)
    exported = invoke("-C", empty_vault, "export", "--format", "vcard")
    assert base64.b64encode(JPEG).decode() in unfolded(exported.stdout)


# check


def test_check_reports_a_missing_document_and_an_unlisted_file(vault: Path, invoke, contract) -> None:
    ok(invoke("-C", vault, "attach", "priya", contract))
    ok(invoke("-C", vault, "check"))
    folder = vault / "files" / "priya-raman"

    (folder / "contract.pdf").unlink()
    (folder / "stray.txt").write_text("not listed\n", encoding="utf-8")
    result = invoke("-C", vault, "check")

    assert result.exit_code == 1
    line = next(n for n, text in enumerate((vault / "contacts" / "priya-raman.md").read_text().splitlines(), 1)
                if text.startswith("files:"))
    assert (f"contacts/priya-raman.md:{line}: error: files: document 'contract.pdf' is missing "
            "(files/priya-raman/contract.pdf)") in result.stdout
    assert (f"contacts/priya-raman.md:{line}: warning: files/priya-raman/stray.txt is in its documents folder but "
            "not listed") in result.stdout
    listed = invoke("-C", vault, "files", "priya")
    assert listed.stdout.splitlines()[1].split() == ["contract.pdf", "missing"]


def test_check_warns_about_a_folder_no_contact_has(vault: Path, invoke) -> None:
    stray = vault / "files" / "nobody-here"
    stray.mkdir(parents=True)
    (stray / "a.txt").write_text("orphan\n", encoding="utf-8")

    result = invoke("-C", vault, "check")

    assert "files/nobody-here:1: warning: documents of no contact" in result.stdout


def test_detaching_a_photo_removes_its_field_and_its_kept_vcard_line(empty_vault: Path, invoke, tmp_path) -> None:
    card = tmp_path / "grace.vcf"
    card.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@navy.example\r\n"
                     b"PHOTO;ENCODING=b;TYPE=WORK:" + base64.b64encode(JPEG) + b"\r\nEND:VCARD\r\n")
    ok(invoke("-C", empty_vault, "import", card))
    assert "PHOTO;TYPE=WORK: photo.jpg" in front(empty_vault, "grace-hopper")

    ok(invoke("-C", empty_vault, "detach", "grace", "photo.jpg"))

    meta = front(empty_vault, "grace-hopper")
    assert "photo" not in meta and "vcard:" not in meta
    assert not (empty_vault / "files" / "grace-hopper").exists()
    assert "PHOTO" not in invoke("-C", empty_vault, "export", "--format", "vcard").stdout
