"""Finding and naming contacts: repeated filters mean "any of", a contact is named from the start of a
word, a file that does not parse says so when it is asked for, and handles of names in any script read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vault_tool.errors import AmbiguousError, NotFoundError, ParseError
from vault_tool.format.handles import slugify
from vault_tool.store.vault import Vault, starts_word


def rows(invoke, vault: Path, *args: str) -> list[dict]:
    result = invoke("-C", vault, "--today", "2026-11-23", *args, "--format", "json")
    found = json.loads(result.stdout)
    assert result.exit_code == (0 if found else 1), result.output
    return found


def front(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return ""


def expected(vault: Path, key: str, values: set[str]) -> set[str]:
    """The handles whose front matter's ``key`` is one of ``values``, read from the files themselves."""
    return {p.stem for p in (vault / "contacts").glob("*.md") if front(p, key) in values}


# 4. Repeated filters: any of them; different filters: all of them


@pytest.mark.parametrize("command", ["list", "search"])
def test_a_repeated_stage_means_any_of_them(vault: Path, invoke, command: str) -> None:
    both = {r["handle"] for r in rows(invoke, vault, command, "--stage", "customer", "--stage", "lead")}
    assert both == expected(vault, "stage", {"customer", "lead"})
    assert both > expected(vault, "stage", {"lead"}) > set()


def test_a_repeated_owner_means_any_of_them(vault: Path, invoke) -> None:
    found = {r["handle"] for r in rows(invoke, vault, "list", "--owner", "alice", "--owner", "bob")}
    assert found == expected(vault, "owner", {"alice", "bob"})
    assert expected(vault, "owner", {"chen"}).isdisjoint(found)


def test_repeated_tags_mean_any_of_them_and_different_filters_all(vault: Path, invoke) -> None:
    either = {r["handle"] for r in rows(invoke, vault, "list", "--tag", "vip", "--tag", "newsletter")}
    vip = {r["handle"] for r in rows(invoke, vault, "list", "--tag", "vip")}
    newsletter = {r["handle"] for r in rows(invoke, vault, "list", "--tag", "newsletter")}
    assert either == vip | newsletter and vip - newsletter and newsletter - vip
    narrowed = rows(invoke, vault, "list", "--tag", "vip", "--tag", "newsletter", "--owner", "alice", "--stage",
                    "customer")
    assert narrowed and {r["handle"] for r in narrowed} < either
    assert all(r["owner"] == "alice" and r["stage"] == "customer" for r in narrowed)


def test_filters_and_a_query_combine(vault: Path, invoke) -> None:
    everyone = rows(invoke, vault, "list", "brandt OR analytical")
    wanted = {r["handle"] for r in everyone if r["stage"] in ("customer", "lead")}
    assert wanted and wanted < {r["handle"] for r in everyone}
    found = rows(invoke, vault, "list", "brandt OR analytical", "--stage", "customer", "--stage", "lead")
    assert {r["handle"] for r in found} == wanted


def test_follow_up_commands_take_several_owners(vault: Path, invoke) -> None:
    def owners_in(*args: str) -> set[str]:
        result = invoke("-C", vault, "--today", "2026-11-23", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        handles = {item["handle"] for item in json.loads(result.stdout)}
        return {front(vault / "contacts" / f"{h}.md", "owner") for h in handles}

    assert owners_in("stale", "--days", "0", "--owner", "alice", "--owner", "chen") == {"alice", "chen"}
    assert owners_in("stale", "--days", "0", "--owner", "bob") == {"bob"}
    alone = invoke("-C", vault, "--today", "2026-11-23", "agenda", "--owner", "alice", "--format", "json")
    both = invoke("-C", vault, "--today", "2026-11-23", "agenda", "--owner", "alice", "--owner", "bob",
                  "--format", "json")
    assert alone.exit_code == both.exit_code == 0
    assert len(both.stdout) > len(alone.stdout)


# 5. Naming a contact: from the start of a word; a file that does not parse says so


def test_a_name_matches_from_the_start_of_a_word(empty_vault: Path, invoke) -> None:
    for handle, name in (("yuki-tanaka", "Yuki Tanaka"), ("ana-berg", "Ana Berg")):
        (empty_vault / "contacts" / f"{handle}.md").write_text(f"---\nname: {name}\n---\n", encoding="utf-8")
    vault = Vault.open(empty_vault)
    assert vault.get("ana").handle == "ana-berg"  # not Yuki Tanaka
    assert vault.get("tana").handle == "yuki-tanaka"
    assert vault.get("yuki tan").handle == "yuki-tanaka"
    with pytest.raises(NotFoundError):
        vault.get("naka")
    shown = invoke("-C", empty_vault, "show", "ana")
    assert shown.exit_code == 0 and "Ana Berg" in shown.stdout


def test_starts_word() -> None:
    assert starts_word("ana", "ana berg") and starts_word("berg", "ana berg")
    assert not starts_word("ana", "yuki tanaka")
    assert starts_word("tan", "yuki@x.example tanaka") and starts_word("ex", "ada@analytical.example")
    assert starts_word("小龙", "李小龙")  # a script written without spaces: any character starts a word


def test_several_matches_from_word_starts_are_ambiguous(vault: Path) -> None:
    with pytest.raises(AmbiguousError):
        Vault.open(vault).get("analytical")  # Ada's, Priya's … addresses and the company itself


def test_a_contact_in_a_file_that_does_not_parse_is_named_with_the_problem(vault: Path, invoke) -> None:
    (vault / "contacts" / "kofi-mensah.md").write_text(
        "---\nname: Kofi Mensah\nemails: [kofi@example.com\n---\nMet at the fair.\n", encoding="utf-8")
    for asked in ("kofi-mensah", "kofi", "Kofi Mensah", "mensah"):
        result = invoke("-C", vault, "show", asked)
        assert result.exit_code == 1, result.output
        assert "kofi-mensah.md:4: invalid YAML" in result.stderr, asked
        assert "no contact matches" not in result.stderr
    with pytest.raises(ParseError) as raised:
        Vault.open(vault).get("Kofi")
    assert raised.value.line == 4 and "does not parse" in str(raised.value)
    assert invoke("-C", vault, "show", "nobody-like-this").stderr.startswith("Error: no contact matches")


def test_a_broken_file_does_not_hide_the_contact_that_is_asked_for(vault: Path, invoke) -> None:
    (vault / "contacts" / "kofi.md").write_text("---\nname: [Kofi\n---\n", encoding="utf-8")
    result = invoke("-C", vault, "show", "ada lovelace")
    assert result.exit_code == 0 and "Ada Lovelace" in result.stdout
    assert result.stderr == ""


def test_a_broken_file_that_matches_too_is_named_beside_the_contact_shown(vault: Path, invoke) -> None:
    (vault / "contacts" / "kofi-annan.md").write_text("---\nname: Kofi Annan\ntags: [x\n---\n", encoding="utf-8")
    (vault / "contacts" / "kofi-mensah.md").write_text("---\nname: Kofi Mensah\n---\n", encoding="utf-8")
    result = invoke("-C", vault, "show", "kofi")
    assert result.exit_code == 0 and result.stdout.startswith("Kofi Mensah")
    assert result.stderr.startswith("warning: ") and "kofi-annan.md:" in result.stderr
    assert "matches 'kofi' too but does not parse" in result.stderr


# 6. Handles for names in other scripts


@pytest.mark.parametrize("name, handle", [
    ("李小龙", "li-xiao-long"),
    ("Ǽgean ĽdaMonté", "aegean-ldamonte"),
    ("山田太郎", "shan-tian-tai-lang"),
    ("やまだ たろう", "yamada-tarou"),
    ("김민준", "gim-min-jun"),
    ("Владимир Путин", "vladimir-putin"),
    ("Αλέξανδρος", "alexandros"),
    ("Þór Ævarsson", "thor-aevarsson"),
    # as before: Latin names fold as they always did
    ("Zoë Müller", "zoe-muller"), ("Søren Kierkegaard-Nielsen", "soren-kierkegaard-nielsen"),
    ("Łukasz Żuk", "lukasz-zuk"), ("O’Brien & Co", "obrien-and-co"), ("Ada 🙂", "ada"), ("🙂", "contact"),
])
def test_handles_are_readable_in_every_script(name: str, handle: str) -> None:
    assert slugify(name) == handle


def test_add_gives_a_transliterated_handle_and_existing_handles_stay(vault: Path, invoke) -> None:
    (vault / "contacts" / "contact.md").write_text("---\nname: 王芳\n---\n", encoding="utf-8")  # named before
    result = invoke("-C", vault, "add", "李小龙", "--no-commit")
    assert result.exit_code == 0, result.output
    assert (vault / "contacts" / "li-xiao-long.md").is_file()
    assert (vault / "contacts" / "contact.md").is_file()  # an existing file keeps its name
    again = invoke("-C", vault, "add", "李小龙", "--no-commit")
    assert again.exit_code == 0 and (vault / "contacts" / "li-xiao-long-2.md").is_file()
