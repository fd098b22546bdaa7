"""What a contact file cannot do to the tool: a symbolic link is never followed, YAML anchors and
aliases are refused, and a very long file is checked in time linear in its size."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git, no_traceback, ok

from vault_tool.errors import ParseError
from vault_tool.format import contact as contact_mod
from vault_tool.format import yamlsafe
from vault_tool.forked import can_fork
from vault_tool.search.scan import BackgroundScan, scan, scan_with_digest
from vault_tool.store.vault import Vault, read_file

TODAY = "2026-11-23"


def check(invoke, root: Path, *args: str):
    return invoke("-C", root, "--today", TODAY, "check", *args)


# A long file: `check` is linear in its interactions, and still right


def long_file(count: int) -> tuple[str, list[str]]:
    """A contact with ``count`` interactions, and the problems `check` must report, by line."""
    lines = ["---", "name: Long Talker", "---", "Notes."]
    expected = []
    for i in range(count):
        kind = "chat" if i % 1000 == 999 else "call"
        lines += ["", f"## 2025-{i % 12 + 1:02d}-{i % 28 + 1:02d} {kind} — Talk {i}", f"We spoke about item {i}."]
        if kind == "chat":
            expected.append(f"{len(lines) - 1}: error: interaction kind 'chat' is not in vault.yaml's "
                            "interaction_kinds (call, email, meeting, message, note)")
        if i % 2000 == 1:
            lines += ["", "### 2025-03-04 a dated sub-heading", f"- [ ] call back {i} due:2025-02-30"]
            expected.append(f"{len(lines) - 1}: warning: a dated heading at level 3 is not an interaction: "
                            "write '## 2025-03-04 …'")
            expected.append(f"{len(lines)}: error: task: 'due:2025-02-30' is not a date (use YYYY-MM-DD)")
    return "\n".join(lines) + "\n", expected


def test_check_reports_the_right_lines_in_a_file_of_5000_interactions(empty_vault: Path, invoke, monkeypatch) -> None:
    text, expected = long_file(5000)
    (empty_vault / "contacts" / "long-talker.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(empty_vault)
    result = check(invoke, empty_vault)
    assert result.exit_code == 1
    no_traceback(result)
    shown = [line.removeprefix("contacts/long-talker.md:") for line in result.stdout.splitlines()]
    assert sorted(shown, key=lambda s: int(s.split(":")[0])) == expected
    assert len(expected) == 5 + 3 * 2
    assert result.stderr.strip() == "1 contact file checked: 8 errors, 3 warnings"


# Symbolic links in contacts/: never followed


SECRET = "---\nname: Secret Keeper\nemails: [keeper@outside.example]\n---\nThe combination is 4-8-15-16-23-42.\n"
LINKED = "a symbolic link, not followed"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the vault with a contact-like file, and a folder holding another."""
    folder = tmp_path / "outside"
    (folder / "folder").mkdir(parents=True)
    (folder / "secret.md").write_text(SECRET, encoding="utf-8")
    (folder / "folder" / "inner.md").write_text(SECRET.replace("Secret Keeper", "Inner Keeper"), encoding="utf-8")
    return folder


@pytest.fixture
def linked(vault: Path, outside: Path) -> Path:
    """The example vault with `contacts/evil.md` linking to a file outside and `contacts/elsewhere` to a folder."""
    (vault / "contacts" / "evil.md").symlink_to(outside / "secret.md")
    (vault / "contacts" / "elsewhere").symlink_to(outside / "folder", target_is_directory=True)
    return vault


def warned_once(result, name: str) -> None:
    assert result.stderr.count(f"{name}: {LINKED}") == 1, result.stderr


def leaks_nothing(result) -> None:
    for secret in ("Secret Keeper", "Inner Keeper", "keeper@outside", "4-8-15-16"):
        assert secret not in result.output


@pytest.mark.parametrize("args", [
    ["list"], ["search", "keeper"], ["list", "--format", "json"], ["export", "--format", "vcard"],
    ["export", "--format", "csv"], ["export", "--format", "json", "name:keeper"], ["agenda"], ["tasks"], ["stale"],
    ["report"], ["owners"], ["dupes"], ["remind"],
])
def test_reading_commands_skip_links_and_warn_once_naming_each(linked: Path, invoke, args: list[str]) -> None:
    result = invoke("-C", linked, "--today", TODAY, *args)
    no_traceback(result)
    assert result.exit_code in (0, 1), result.output
    leaks_nothing(result)
    warned_once(result, "contacts/evil.md")
    warned_once(result, "contacts/elsewhere")


def test_an_unchanged_search_still_warns_and_a_link_is_never_indexed(linked: Path, invoke) -> None:
    for _ in range(2):  # the second answer comes from an index found up to date
        result = invoke("-C", linked, "search", "--format", "paths", "keeper OR combination OR lovelace")
        ok(result)
        assert result.stdout.split() == ["contacts/ada-lovelace.md"]
        warned_once(result, "contacts/evil.md")
        warned_once(result, "contacts/elsewhere")
    ada = linked / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\nKeeper of the engine notes.\n", encoding="utf-8")
    result = invoke("-C", linked, "search", "--format", "paths", "keeper OR combination")
    ok(result)
    assert result.stdout.split() == ["contacts/ada-lovelace.md"]  # updated for the edit, still without the link
    warned_once(result, "contacts/evil.md")


def test_show_of_a_link_says_it_is_one(linked: Path, invoke) -> None:
    result = invoke("-C", linked, "show", "evil")
    assert result.exit_code == 1
    no_traceback(result)
    leaks_nothing(result)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert f"evil.md: {LINKED}" in result.stderr
    assert invoke("-C", linked, "show", "Secret Keeper").exit_code != 0


@pytest.mark.parametrize("args", [
    ["log", "evil", "call", "-m", "Talked."], ["tag", "evil", "+vip"], ["set", "evil", "stage", "lead"],
    ["unset", "evil", "emails"], ["task", "evil", "Call back"], ["rm", "evil", "--yes"], ["mv", "evil", "Someone Else"],
    ["edit", "evil"], ["history", "evil"],
])
def test_a_command_naming_a_link_says_so_and_writes_nothing(
    linked: Path, outside: Path, invoke, monkeypatch, args: list[str]
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    commits = git(linked, "rev-list", "--count", "HEAD")
    result = invoke("-C", linked, *args)
    assert result.exit_code == 1, result.output
    no_traceback(result)
    leaks_nothing(result)
    assert f"evil.md: {LINKED}" in result.stderr and result.stderr.count("\n") == 1
    assert (outside / "secret.md").read_text(encoding="utf-8") == SECRET
    assert (linked / "contacts" / "evil.md").is_symlink()
    assert git(linked, "rev-list", "--count", "HEAD") == commits
    assert git(linked, "status", "--porcelain").split("\n") == ["?? contacts/elsewhere", "?? contacts/evil.md", ""]


def test_a_link_in_a_subfolder_is_refused_by_its_handle_too(vault: Path, outside: Path, invoke) -> None:
    (vault / "contacts" / "team").mkdir()
    (vault / "contacts" / "team" / "evil.md").symlink_to(outside / "secret.md")
    result = invoke("-C", vault, "log", "evil", "-m", "Talked.")
    assert result.exit_code == 1
    assert f"team/evil.md: {LINKED}" in result.stderr
    assert (outside / "secret.md").read_text(encoding="utf-8") == SECRET


def test_check_reports_each_link_as_an_error(linked: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(linked)
    (linked / "contacts" / "dangling.md").symlink_to(linked / "no-such-file.md")
    (linked / "contacts" / "twin.md").symlink_to(linked / "contacts" / "ada-lovelace.md")
    result = check(invoke, linked)
    assert result.exit_code == 1
    no_traceback(result)
    leaks_nothing(result)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [f"contacts/{name}:1: error: {LINKED}: keep the file or folder itself in contacts/ instead"
                      for name in ("dangling.md", "elsewhere", "evil.md", "twin.md")]
    assert result.stderr.strip() == "25 contact files and 12 deal files checked: 4 errors, 2 warnings"


def test_a_link_to_a_contact_inside_the_vault_is_not_a_second_contact(vault: Path, invoke) -> None:
    (vault / "contacts" / "twin.md").symlink_to("ada-lovelace.md")
    result = invoke("-C", vault, "list", "--format", "paths", "name:lovelace")
    ok(result)
    assert result.stdout.split() == ["contacts/ada-lovelace.md"]
    warned_once(result, "contacts/twin.md")
    assert invoke("-C", vault, "dupes").stdout.count("twin") == 0


def test_the_listings_and_the_reader_never_follow_a_link(linked: Path) -> None:
    vault = Vault.open(linked)
    files, links = vault.listing()
    assert [p.name for p in links] == ["elsewhere", "evil.md"]
    assert files == vault.files() and len(files) == 25 and not any(p.is_symlink() for p in files)
    with pytest.raises(ParseError, match=LINKED):
        read_file(linked / "contacts" / "evil.md")
    assert "evil.md" not in scan(vault.contacts_dir)
    assert {"evil.md", "elsewhere"} <= set(scan(vault.contacts_dir, links=True))
    assert not any("inner" in rel for rel in scan(vault.contacts_dir, links=True))


@pytest.mark.skipif(not can_fork(), reason="no fork on this system")
@pytest.mark.parametrize("split_from", [2, 10_000])
def test_the_background_scan_lists_links_without_following_them(linked: Path, split_from: int) -> None:
    contacts = linked / "contacts"
    stats = BackgroundScan(contacts, split_from=split_from).result().stats
    assert stats == scan_with_digest(contacts, split_from=split_from).stats
    assert stats["evil.md"] == (os.lstat(contacts / "evil.md").st_size, os.lstat(contacts / "evil.md").st_mtime_ns)
    assert "elsewhere" in stats and not any(rel.startswith("elsewhere/") for rel in stats)


def test_export_does_not_read_a_photo_through_a_link(empty_vault: Path, invoke, tmp_path: Path) -> None:
    contacts = empty_vault / "contacts"
    (tmp_path / "private.jpg").write_bytes(b"\xff\xd8\xff private picture")
    (contacts / "pictured.md").write_text("---\nname: Pictured\nphoto: pictured.jpg\n---\n", encoding="utf-8")
    (contacts / "pictured.jpg").symlink_to(tmp_path / "private.jpg")
    result = invoke("-C", empty_vault, "export", "--format", "vcard")
    ok(result)
    assert "FN:Pictured" in result.stdout and "PHOTO" not in result.stdout
    warned_once(result, "contacts/pictured.jpg")


def test_import_of_a_folder_does_not_follow_links_out_of_it(empty_vault: Path, invoke, tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "hidden.vcf").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Hidden Person\nEND:VCARD\n", encoding="utf-8")
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "one.vcf").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Open Person\nEND:VCARD\n", encoding="utf-8")
    (folder / "link.vcf").symlink_to(outside / "hidden.vcf")
    (folder / "more").symlink_to(outside, target_is_directory=True)
    result = invoke("-C", empty_vault, "import", folder)
    ok(result)
    assert sorted(p.name for p in (empty_vault / "contacts").iterdir()) == ["open-person.md"]


# YAML anchors and aliases: refused at load


REFUSED = "anchors and aliases are not allowed in a contact"


def alias_bomb() -> str:
    """A "billion laughs": nine levels of nine aliases each, 9**9 strings from 700 bytes."""
    lines = ["---", "name: Laughing Person", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghi":
        below = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{below}'] * 9)}]")
    lines += ["tags: *i", "---", "Notes.", ""]
    return "\n".join(lines)


@pytest.fixture
def bomb(vault: Path) -> Path:
    path = vault / "contacts" / "laughing-person.md"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert len(path.read_bytes()) < 1024
    return path


def test_an_alias_bomb_is_refused_before_anything_is_built(bomb: Path) -> None:
    with pytest.raises(ParseError) as refused:
        contact_mod.parse(bomb, bomb.read_bytes())
    assert refused.value.line == 3
    assert str(refused.value) == f"{bomb}:3: {REFUSED}: write each value out in full, without '&a'"


def test_check_reports_an_alias_bomb_with_its_line(bomb: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(bomb.parent.parent)
    result = check(invoke, bomb.parent.parent)
    assert result.exit_code == 1
    no_traceback(result)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [f"contacts/laughing-person.md:3: error: {REFUSED}: write each value out in full, without '&a'"]


@pytest.mark.parametrize("args", [["tag", "laughing-person", "+vip"], ["set", "laughing-person", "stage", "lead"],
                                  ["log", "laughing-person", "-m", "Laughed."], ["show", "laughing-person"]])
def test_a_command_on_an_alias_bomb_gives_the_one_line_error(bomb: Path, invoke, args: list[str]) -> None:
    vault = bomb.parent.parent
    before = bomb.read_bytes()
    result = invoke("-C", vault, *args)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == f"Error: {bomb}:3: {REFUSED}: write each value out in full, without '&a'\n"
    assert bomb.read_bytes() == before
    assert git(vault, "status", "--porcelain") == "?? contacts/laughing-person.md\n"


def test_a_search_leaves_out_a_file_with_an_alias_and_says_why(vault: Path, invoke) -> None:
    (vault / "contacts" / "anchored.md").write_text(
        "---\nname: Anchored\nemails: &mail [anchored@example.com]\nother: *mail\n---\n", encoding="utf-8")
    result = invoke("-C", vault, "search", "--format", "paths", "anchored")
    assert result.exit_code == 1  # nothing else matches
    assert result.stdout == ""
    assert f"contacts/anchored.md:3: {REFUSED}: write each value out in full, without '&mail'" in result.stderr


def test_an_alias_alone_is_refused_where_it_is() -> None:
    with pytest.raises(yamlsafe.AnchorError) as refused:
        yamlsafe.load("name: Someone\nemails: [a@example.com]\nother: *undefined\n", anchors=False)
    assert yamlsafe.error_line(refused.value) == 3 and refused.value.written == "*undefined"


def test_ampersands_and_asterisks_in_values_are_not_anchors() -> None:
    text = 'name: "*Starred* & Co"\ncompany: R&D *Labs*\nnote: a & b * c\ntags: ["&", "*"]\n'
    assert yamlsafe.load(text, anchors=False) == {
        "name": "*Starred* & Co", "company": "R&D *Labs*", "note": "a & b * c", "tags": ["&", "*"],
    }


def test_vault_yaml_refuses_aliases_too(vault: Path, invoke, monkeypatch) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "common: &stages [lead, customer]\nfunnel: *stages\n",
                      encoding="utf-8")
    line = config.read_text(encoding="utf-8").count("\n") - 1
    message = "anchors and aliases are not allowed in vault.yaml: write each value out in full, without '&stages'"
    monkeypatch.chdir(vault)
    result = check(invoke, vault)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"vault.yaml:{line}: error: {message}"
    listed = invoke("-C", vault, "list")
    assert listed.exit_code == 1
    no_traceback(listed)
    assert listed.stderr == f"Error: {config}:{line}: {message}\n"


def test_the_user_config_refuses_aliases_in_one_line(empty_vault: Path, invoke, tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "xdg" / "contacts" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"folder: &v {empty_vault}\ndefault_vault: *v\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("list")
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == (f"Error: {config}:1: anchors and aliases are not allowed in the user config: "
                             "write each value out in full, without '&v'\n")


def test_a_new_contact_never_takes_the_name_of_a_link(tmp_path: Path, invoke) -> None:
    root = tmp_path / "v"
    assert invoke("init", root).exit_code == 0
    outside = tmp_path / "outside.md"
    outside.write_text("---\nname: Outside\n---\n")
    (root / "contacts/evil.md").symlink_to(outside)
    result = invoke("-C", root, "--no-commit", "add", "Evil")
    assert result.exit_code == 0, result.output
    assert (root / "contacts/evil-2.md").is_file() and (root / "contacts/evil.md").is_symlink()
    assert outside.read_text() == "---\nname: Outside\n---\n"
