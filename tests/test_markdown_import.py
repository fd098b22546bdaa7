"""`contacts import` of people notes from other Markdown tools: Obsidian, Logseq, Hugo, plain notes."""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, SHARED_TESTDATA, commit_count, head_message, no_traceback, ok

from vault_tool.format.contact import parse
from vault_tool.interop import markdown_import

REALWORLD = ROOT.parent / "shared" / "realworld" / "markdown"
TESTDATA = SHARED_TESTDATA / "markdown"
needs_samples = pytest.mark.skipif(not (REALWORLD.is_dir() and TESTDATA.is_dir()),
                                   reason="the shared Markdown samples are not there")
# Every sample folder and how many notes it holds: each note is one contact.
SAMPLE_COUNTS = {
    REALWORLD / "crm-always-be-closing": 3, REALWORLD / "devopsdays-theme": 2, REALWORLD / "hugo-blox": 2,
    REALWORLD / "kepano-obsidian": 3, REALWORLD / "obsidian-vcf-contacts": 3,
    TESTDATA / "hal_md": 7, TESTDATA / "obsidian-people": 2,
}


def manual_example() -> tuple[str, str]:
    """The note and the contact file docs/interop.md shows under "Markdown from other tools"."""
    section = (ROOT / "docs" / "interop.md").read_text(encoding="utf-8").split("### Markdown from other tools")[1]
    blocks = re.findall(r"^```markdown\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    return blocks[0], blocks[1]


def note(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def contact(root: Path, handle: str) -> tuple[dict[str, object], str]:
    path = root / "contacts" / f"{handle}.md"
    found = parse(path, path.read_bytes())
    return found.meta, path.read_text(encoding="utf-8")


@needs_samples
@pytest.mark.parametrize("folder", list(SAMPLE_COUNTS), ids=lambda p: p.name)
def test_every_sample_folder_imports_every_note(empty_vault: Path, invoke, folder: Path) -> None:
    result = invoke("-C", empty_vault, "import", folder)
    ok(result)
    count = SAMPLE_COUNTS[folder]
    assert f"{count} added, 0 merged" in result.output
    assert len(list((empty_vault / "contacts").glob("*.md"))) == count
    check = invoke("-C", empty_vault, "check")
    assert check.exit_code == 0 and ("no problems" in check.output or " 0 errors" in check.output), check.output


@needs_samples
def test_all_samples_in_one_flat_folder_import_once_and_twice_add_nothing(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    flat = tmp_path / "people"
    flat.mkdir()
    for folder in SAMPLE_COUNTS:
        if folder.parent == REALWORLD:
            for path in folder.glob("*.md"):
                shutil.copyfile(path, flat / path.name)
    result = invoke("-C", empty_vault, "import", flat)
    ok(result)
    assert "13 added, 0 merged" in result.output
    assert head_message(empty_vault) == "Import 13 contacts from 13 files"
    commits = commit_count(empty_vault)
    again = invoke("-C", empty_vault, "import", flat)
    ok(again)
    assert "0 added, 0 merged, 13 skipped as duplicates" in again.output
    assert commit_count(empty_vault) == commits


@needs_samples
def test_an_obsidian_crm_note_becomes_this_file(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "import", REALWORLD / "crm-always-be-closing" / "Jane Doe.md"))
    meta, text = contact(empty_vault, "jane-doe")
    uid = meta["uid"]
    assert isinstance(uid, str) and uid.startswith("urn:uuid:")
    assert text == textwrap.dedent(f"""\
        ---
        name: Jane Doe
        emails: [jane@acme.com]
        phones: ["+1 555 0100"]
        company: Acme Inc
        title: Head of Ops
        tags: [lead, conference-2026]
        uid: {uid}
        type: crm-contact
        status: active
        last_contacted: 2026-09-20
        next_follow_up: 2026-10-01
        ---
        Prefers email over calls. Interested in the reporting features.
        """)


@needs_samples
def test_a_vcard_plugin_note_fills_fields_from_its_vcard_keys(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "import", REALWORLD / "obsidian-vcf-contacts"))
    meta, _ = contact(empty_vault, "elisabet-jonsdottir")
    assert meta["name"] == "Elísabet Jónsdóttir"  # from N.GN and N.FN
    assert meta["emails"] == ["elisabet.northern@icepost.is", "elisabet@auroratech.is"]
    assert meta["phones"] == ["+3548612345", "+3548612346", "+14165555555"]
    assert meta["company"] == "Aurora Science Initiative"
    assert meta["tags"] == ["Science", "Light"]
    assert meta["address"] == "77 Volcano Lane, Reykjavik, 101, Iceland"
    assert meta["birthday"] == "1989-04-21"
    assert meta["links"] == {"home": "https://elisabet.is", "work": "https://auroratech.is/elisabet"}
    assert meta["uid"] == "urn:uuid:019730a76c188-4c65-b2ba-27bb58d7144d"
    assert meta["vcard"]["TEL;TYPE=MAGICPORTAL"] == "+3548612346"  # type: ignore[index]
    li_wei, _ = contact(empty_vault, "li-wei")
    assert li_wei["name"] == "李伟" and li_wei["title"] == "首席算法工程师"  # FN wins over the file name `伟 李`


@needs_samples
def test_hugo_and_toml_pages_take_the_name_from_their_title(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "import", REALWORLD / "hugo-blox", REALWORLD / "devopsdays-theme"))
    admin, text = contact(empty_vault, "nelson-bighetti")
    assert (admin["company"], admin["title"]) == ("Stanford University", "Professor of Artificial Intelligence")
    assert "email" not in text and admin["superuser"] is True
    assert admin["interests"] == ["Artificial Intelligence", "Computational Linguistics", "Information Retrieval"]
    courses = json.loads(admin["education"]["courses"])  # type: ignore[index]
    assert courses[0] == {"course": "PhD in Artificial Intelligence", "institution": "Stanford University",
                          "year": 2012}
    pony, text = contact(empty_vault, "fluttershy")
    assert pony["links"] == {"website": "http://www.ponies.com"}
    assert (pony["twitter"], pony["pronouns"], pony["type"]) == ("fluttershy", "She/Her", "speaker")
    assert text.rstrip().endswith("fund pivot.")
    assert contact(empty_vault, "twilight-sparkle")[0]["name"] == "Twilight Sparkle"


@needs_samples
def test_kepano_notes_keep_wiki_links_and_rename_what_the_tool_computes(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "import", REALWORLD / "kepano-obsidian"))
    meta, text = contact(empty_vault, "steph-ango")
    assert meta["name"] == "Steph Ango"  # the file's name
    assert meta["company"] == "Obsidian"  # org: ["[[Obsidian]]"]
    assert meta["category"] == ["[[People]]"]
    assert meta["created_in_note"] == "2023-09-12"
    assert "\ncreated_in_note: 2023-09-12\n" in text  # a date, written as one
    assert meta["links"] == {"website": "https://stephango.com/"}
    assert "## Meetings\n\n```dataview\n" in text


def test_dated_headings_become_interactions_and_the_rest_stays_notes(empty_vault: Path, invoke, tmp_path: Path) -> None:
    path = note(tmp_path / "notes", "Ada Lovelace.md", """\
        ---
        email: ada@analytical.example
        tags: "#customer #math"
        ---
        Met at the soirée with [[Charles Babbage]].

        ## Background
        Countess of Lovelace.

        ## 2026-11-20 call — Renewal
        Wants a demo; see [[Analytical Engines]].
        """)
    ok(invoke("-C", empty_vault, "import", path))
    meta, text = contact(empty_vault, "ada-lovelace")
    assert meta["name"] == "Ada Lovelace" and meta["tags"] == ["customer", "math"]
    found = parse(empty_vault / "contacts" / "ada-lovelace.md", text.encode())
    assert found.notes == "Met at the soirée with [[Charles Babbage]].\n\n## Background\nCountess of Lovelace."
    [call] = found.interactions
    assert (str(call.date), call.kind, call.summary) == ("2026-11-20", "call", "Renewal")
    assert "see [[Analytical Engines]]" in call.text


def test_logseq_properties_and_json_front_matter_and_plain_notes(empty_vault: Path, invoke, tmp_path: Path) -> None:
    folder = tmp_path / "graph"
    note(folder, "grace hopper.md", """\
        tags:: [[navy people]], compilers
        email:: grace@navy.example
        alias:: Amazing Grace

        - Wrote the first compiler.
        """)
    note(folder, "alan.md", '{\n  "name": "Alan Turing",\n  "phone": "+44 161 496 0000"\n}\nBletchley.\n')
    note(folder, "Zoe Notes.markdown", "Just a plain note, no front matter.\n")
    ok(invoke("-C", empty_vault, "import", folder))
    grace, text = contact(empty_vault, "grace-hopper")
    assert grace["tags"] == ["navy-people", "compilers"] and grace["emails"] == ["grace@navy.example"]
    assert grace["aliases"] == ["Amazing Grace"] and "::" not in text
    assert text.endswith("---\n- Wrote the first compiler.\n")
    alan, text = contact(empty_vault, "alan-turing")
    assert alan["phones"] == ["+44 161 496 0000"] and text.endswith("---\nBletchley.\n")
    plain, text = contact(empty_vault, "zoe-notes")
    assert plain["name"] == "Zoe Notes" and text.endswith("---\nJust a plain note, no front matter.\n")


def test_a_note_whose_front_matter_does_not_parse_is_named_with_its_line(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    folder = tmp_path / "people"
    note(folder, "bad.md", "---\nname: Bad\nemail: [unclosed\n---\n")
    note(folder, "worse.md", '+++\nTitle = "Worse"\nphone = "+44" 20\n+++\n')
    note(folder, "open.md", "---\nname: Open\n")
    note(folder, "good.md", "---\nname: Good Person\n---\n")
    result = invoke("-C", empty_vault, "import", folder)
    no_traceback(result)
    assert result.exit_code == 1
    assert f"not imported: {folder / 'bad.md'}:4: invalid YAML" in result.stderr
    assert f"not imported: {folder / 'worse.md'}:3: invalid TOML" in result.stderr
    assert f"not imported: {folder / 'open.md'}:1: the front matter is not closed" in result.stderr
    assert "1 added, 0 merged, 3 not readable" in result.stdout
    assert sorted(p.name for p in (empty_vault / "contacts").glob("*.md")) == ["good-person.md"]


def test_anchors_are_refused_and_a_plus_phone_stays_text(tmp_path: Path) -> None:
    bombs = markdown_import.read(b"---\nname: &a x\nalias: *a\n---\n", "bomb")
    assert not bombs.records and "anchors and aliases are not allowed" in bombs.problems[0].message
    [record] = markdown_import.read(b"---\nname: Ann\nphone: +442079460000\nyear: 2012\n---\n", "ann").records
    assert record.meta["phones"] == ["+442079460000"] and record.meta["year"] == 2012


def test_title_is_the_job_title_when_a_name_is_given() -> None:
    text = b"---\nfirst_name: Ada\nlast_name: Lovelace\ntitle: Countess\nbirthday: 1815-12-10\n---\n"
    [record] = markdown_import.read(text, "ada").records
    assert (record.meta["name"], record.meta["title"], record.meta["birthday"]) == ("Ada Lovelace", "Countess",
                                                                                  "1815-12-10")
    [same] = markdown_import.read(text, "ada").records
    assert same.meta["uid"] == record.meta["uid"]  # the same note has the same uid
    [other] = markdown_import.read(text, "ada-2").records
    assert other.meta["uid"] != record.meta["uid"]


def test_a_note_with_a_known_email_is_merged_by_the_duplicate_rules(vault: Path, invoke, tmp_path: Path) -> None:
    path = note(tmp_path, "Ada.md", "---\nemail: ada@analytical.example\ntags: [obsidian]\n---\n")
    result = invoke("-C", vault, "import", path, "--on-duplicate", "merge")
    ok(result)
    assert "merged" in result.output and "into ada-lovelace" in result.output
    assert "obsidian" in contact(vault, "ada-lovelace")[0]["tags"]  # type: ignore[operator]


def test_format_markdown_reads_any_extension_and_folders_skip_hidden_ones(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    path = note(tmp_path, "ada.txt", "---\nname: Ada Lovelace\n---\n")
    ok(invoke("-C", empty_vault, "import", path, "--format", "markdown"))
    assert (empty_vault / "contacts" / "ada-lovelace.md").is_file()
    folder = tmp_path / "vault"
    note(folder / ".obsidian", "workspace.md", "---\nname: Not A Person\n---\n")
    note(folder / "People", "Grace.md", "---\nname: Grace Hopper\n---\n")
    result = invoke("-C", empty_vault, "import", folder)
    ok(result)
    assert "1 added" in result.output and not (empty_vault / "contacts" / "not-a-person.md").exists()


def test_values_that_are_no_field_s_stay_custom_fields_with_a_note(empty_vault: Path, invoke, tmp_path: Path) -> None:
    path = note(tmp_path, "b.md", "---\nname: Bea\nkind: robot\nbirthday: 03/04/1990\nemail: nope\n---\n")
    result = invoke("-C", empty_vault, "import", path)
    ok(result)
    assert "its birthday '03/04/1990' is not a date for sure" in result.output
    assert "its email 'nope' is not an email address" in result.output
    meta, _ = contact(empty_vault, "bea")
    assert "emails" not in meta and "birthday" not in meta and "kind" not in meta
    assert (meta["kind_as_written"], meta["birthday_as_written"], meta["email_as_written"]) == (
        "robot", "03/04/1990", "nope")


def test_the_manuals_note_imports_as_the_manual_shows(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source, expected = manual_example()
    note(tmp_path / "Obsidian" / "People", "Marie Curie.md", source)
    result = invoke("-C", empty_vault, "import", tmp_path / "Obsidian" / "People")
    ok(result)
    assert result.stdout == "1 added, 0 merged\n"
    assert (empty_vault / "contacts" / "marie-curie.md").read_text(encoding="utf-8") == expected


def test_any_value_yaml_or_toml_can_hold_becomes_one_the_vault_reads_back(
    empty_vault: Path, invoke, tmp_path: Path
) -> None:
    folder = tmp_path / "odd"
    note(folder, "a.md", """\
        +++
        title = "Toml Person"
        born = 1990-05-06
        met = 2024-01-02T10:00:00Z
        score = inf
        [address]
        street = "1 Main St"
        city = "Springfield"
        [[jobs]]
        name = "A"
        years = [1, 2]
        [extra]
        deep = { a = { b = 1 } }
        +++
        Body
        """)
    note(folder, "b.md", """\
        ---
        name: Bo
        2012: a number as a key
        set: !!set {b, a}
        email: {home: bo@home.example, work: bo@work.example}
        phone: [null, "+44 20 7946 0958"]
        company: [null, "[[Acme|ACME]]"]
        Stage: lead
        tags: "Bird Watching, #x"
        empty: {}
        ---
        """)
    ok(invoke("-C", empty_vault, "import", folder))
    toml, _ = contact(empty_vault, "toml-person")
    assert (toml["birthday"], toml["address"], toml["met"]) == ("1990-05-06", "1 Main St, Springfield",
                                                                 "2024-01-02T10:00:00+00:00")
    assert toml["score_in_note"] == "inf" and toml["jobs"] == ['{"name": "A", "years": [1, 2]}']
    assert toml["extra"] == {"deep": '{"a": {"b": 1}}'}
    bo, _ = contact(empty_vault, "bo")
    assert bo["emails"] == ["bo@home.example", "bo@work.example"] and bo["phones"] == ["+44 20 7946 0958"]
    assert (bo["company"], bo["stage"], bo["column_2012"], bo["set"]) == ("Acme", "lead", "a number as a key",
                                                                          ["a", "b"])
    assert bo["tags"] == ["Bird", "Watching", "x"] and "empty" not in bo
    assert bo["vcard"] == {"EMAIL;TYPE=HOME": "bo@home.example", "EMAIL;TYPE=WORK": "bo@work.example"}
    check = invoke("-C", empty_vault, "check")
    assert check.exit_code == 0 and " 0 errors" in check.output, check.output
