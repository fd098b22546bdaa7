"""Phone numbers are read in their contact's region, checked for validity there, and searched and compared so."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, no_traceback, ok

from vault_tool.format.regions import (
    DEFAULT_SOURCE,
    Region,
    address_country,
    contact_region,
    country_code,
)

GERMAN = "Unter den Linden 1, 10117 Berlin, Germany"


def write(vault: Path, handle: str, front: str) -> Path:
    path = vault / "contacts" / f"{handle}.md"
    path.write_text(f"---\n{front}---\n", encoding="utf-8")
    return path


def commit_all(vault: Path) -> None:
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "hand edits")


@pytest.mark.parametrize("meta,expected", [
    ({"address": GERMAN}, Region("DE", "the contact's address")),
    ({"address": "Karl Johans gate 12\n0154 Oslo\nNorway\n"}, Region("NO", "the contact's address")),
    ({"address": "1 Rue de Rivoli, Paris, FR"}, Region("FR", "the contact's address")),
    ({"address": "12 St James's Square, London, UK"}, Region("GB", "the contact's address")),
    ({"address": "Hauptstraße 5\n80331 München\nDeutschland"}, Region("DE", "the contact's address")),
    ({"address": {"city": "Madrid", "country": "Spain"}}, Region("ES", "the contact's address")),
    ({"country": "NO", "address": GERMAN}, Region("NO", "the contact's country")),  # the field says it outright
    ({"country": "Atlantis", "address": GERMAN}, Region("DE", "the contact's address")),
    ({"address": "10 Downing Street, London SW1A 2AA"}, Region("US", DEFAULT_SOURCE)),  # no country named
    ({"address": "Berlin"}, Region("US", DEFAULT_SOURCE)),
    ({}, Region("US", DEFAULT_SOURCE)),
])
def test_the_region_of_a_contact(meta: dict[str, object], expected: Region) -> None:
    assert contact_region(meta, "US") == expected


def test_countries_by_name_code_and_the_names_people_write() -> None:
    assert [country_code(t) for t in ("Germany", "de", "DEU", "Deutschland", "UK", "England", "Narnia", "276")] == [
        "DE", "DE", "DE", "DE", "GB", "GB", None, None]
    assert address_country(12) is None and address_country("") is None


def test_check_warns_about_a_number_no_one_in_the_vaults_region_has(empty_vault: Path, invoke) -> None:
    write(empty_vault, "sam-stone", 'name: Sam Stone\nphones: ["33 12 34 57"]\n')

    result = invoke("-C", empty_vault, "check")

    ok(result)  # a warning, not an error
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        "contacts/sam-stone.md:3: warning: phone '33 12 34 57' is not a valid number in GB "
        "(vault.yaml's default_region): write it with its country code (+…) or correct it")
    assert "1 contact file checked: 0 errors, 1 warning" in result.stderr
    assert invoke("-C", empty_vault, "check", "--strict").exit_code == 1


def test_a_national_number_is_checked_in_the_country_of_its_address(empty_vault: Path, invoke) -> None:
    write(empty_vault, "hans-weber", f'name: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n')
    write(empty_vault, "gary-bloke", 'name: Gary Bloke\nphones: ["030 1234567"]\n')  # read in GB: no such number
    write(empty_vault, "anna-berg", 'name: Anna Berg\ncountry: DE\nphones: ["+49 999 1234567"]\n')

    result = invoke("-C", empty_vault, "check")

    ok(result)
    problems = result.stdout.splitlines()
    assert [line.split(": warning: ")[0].rsplit("/", 1)[-1] for line in problems] == [
        "anna-berg.md:4", "gary-bloke.md:3"]
    assert "phone '+49 999 1234567' is not a valid number in DE: check its digits" in problems[0]
    assert "'030 1234567' is not a valid number in GB (vault.yaml's default_region)" in problems[1]


def test_the_vaults_region_is_where_a_contact_without_a_country_is_read(tmp_path: Path, invoke) -> None:
    root = tmp_path / "kontakte"
    ok(invoke("init", root, "--region", "DE"))
    write(root, "hans-weber", 'name: Hans Weber\nphones: ["030 1234567"]\n')
    write(root, "ada", 'name: Ada\nphones: ["020 7946 0958"]\naddress: "12 St James\'s Square, London, United Kingdom"\n')

    result = invoke("-C", root, "check")

    ok(result)
    assert result.stdout == ""


def test_a_possible_number_is_still_an_error_where_it_cannot_be_one(empty_vault: Path, invoke) -> None:
    write(empty_vault, "odd", 'name: Odd\nphones: ["12"]\naddress: Karl Johans gate 12, 0154 Oslo, Norway\n')
    write(empty_vault, "even", 'name: Even\nphones: ["12"]\naddress: Unter den Linden 1, Berlin, Germany\n')

    result = invoke("-C", empty_vault, "check")

    assert result.exit_code == 1
    assert "contacts/odd.md:3: error: '12' is not a possible phone number in region NO" in result.stdout
    assert "contacts/even.md:3: warning: phone '12' is not a valid number in DE (the contact's address)" in result.stdout


def test_search_finds_a_german_national_number_by_its_international_form(empty_vault: Path, invoke) -> None:
    write(empty_vault, "hans-weber", f'name: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n')
    write(empty_vault, "gary-bloke", 'name: Gary Bloke\nphones: ["030 1234567"]\n')  # read as +44 30 …

    def found(query: str) -> list[str]:
        result = invoke("-C", empty_vault, "search", query, "--format", "json")
        no_traceback(result)
        return sorted(row["handle"] for row in json.loads(result.stdout or "[]"))

    assert found("phone:4930123") == ["hans-weber"]  # the start of +49 30 1234567
    assert found("phone:4430123") == ["gary-bloke"]
    assert "hans-weber" in found("phone:+49301234567")


def test_a_hand_edited_address_moves_the_number_to_its_country(empty_vault: Path, invoke) -> None:
    path = write(empty_vault, "hans-weber", 'name: Hans Weber\nphones: ["030 1234567"]\n')
    assert invoke("-C", empty_vault, "search", "phone:4930123").exit_code == 1

    path.write_text(f'---\nname: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n---\n', encoding="utf-8")

    result = invoke("-C", empty_vault, "search", "phone:4930123", "--format", "paths")
    ok(result)
    assert result.stdout == "contacts/hans-weber.md\n"


def test_dupes_compare_numbers_read_in_each_contacts_region(empty_vault: Path, invoke) -> None:
    write(empty_vault, "hans-weber", f'name: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n')
    write(empty_vault, "h-weber", 'name: H. Weber\nphones: ["+49 30 1234567"]\n')
    write(empty_vault, "gary-bloke", 'name: Gary Bloke\nphones: ["030 1234567"]\n')  # +44 30 1234567: another

    result = invoke("-C", empty_vault, "dupes", "--format", "json")

    ok(result)
    groups = json.loads(result.stdout)
    assert [(sorted(g["handles"]), g["reasons"]) for g in groups] == [
        (["h-weber", "hans-weber"], ["same phone +49 30 1234567"])]


def test_check_reports_a_shared_number_only_when_it_is_the_same_number(empty_vault: Path, invoke) -> None:
    write(empty_vault, "hans-weber", f'name: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n')
    write(empty_vault, "h-weber", 'name: H. Weber\nphones: ["+49 30 1234567"]\n')
    write(empty_vault, "gary-bloke", 'name: Gary Bloke\nphones: ["+44 20 7946 0958"]\n')

    result = invoke("-C", empty_vault, "check")

    assert result.exit_code == 1
    shared = [line for line in result.stdout.splitlines() if "is also on" in line]
    assert len(shared) == 2
    assert all("gary" not in line for line in shared)


def test_fix_writes_a_national_number_in_its_contacts_country(empty_vault: Path, invoke) -> None:
    config = empty_vault / "vault.yaml"
    config.write_text(config.read_text() + "phone_format: e164\n")
    write(empty_vault, "hans-weber", f'name: Hans Weber\nphones: ["030 1234567"]\naddress: {GERMAN}\n')
    commit_all(empty_vault)

    result = invoke("-C", empty_vault, "check", "--fix")

    ok(result)
    assert 'phones: ["+49301234567"]\n' in (empty_vault / "contacts/hans-weber.md").read_text()


def test_add_and_set_warn_about_an_invalid_number_and_write_it(empty_vault: Path, invoke) -> None:
    added = invoke("-C", empty_vault, "add", "Sam Stone", "--phone", "33 12 34 57")

    ok(added)
    assert added.stdout == "sam-stone\n"
    assert "warning: phone '33 12 34 57' is not a valid number in GB (vault.yaml's default_region)" in added.stderr
    assert 'phones: ["33 12 34 57"]' in (empty_vault / "contacts/sam-stone.md").read_text()

    more = invoke("-C", empty_vault, "set", "sam", "phones", "--add", "+44 20 7946 0958")
    ok(more)
    assert "warning" not in more.stderr  # a valid number; the one already there is check's business

    moved = invoke("-C", empty_vault, "set", "sam", "address", "Karl Johans gate 12, 0154 Oslo, Norway")
    ok(moved)
    again = invoke("-C", empty_vault, "set", "sam", "phones", "--add", "0123 4567")
    ok(again)
    assert "warning: phone '0123 4567' is not a valid number in NO (the contact's address)" in again.stderr
    refused = invoke("-C", empty_vault, "set", "sam", "phones", "--add", "12")  # no number in Norway is so short
    assert refused.exit_code == 2
    assert refused.stderr == "Error: '12' is not a possible phone number in region NO\n"


def test_a_german_number_for_a_german_address_is_added_without_a_warning(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "add", "Hans Weber", "--phone", "030 1234567", "--address", GERMAN)

    ok(result)
    assert "warning" not in result.stderr


def test_add_refuses_what_is_no_phone_number(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "add", "Sam Stone", "--phone", "call me")

    assert result.exit_code == 2
    assert result.stderr == "Error: 'call me' is not a phone number\n"
    assert not (empty_vault / "contacts/sam-stone.md").exists()


def test_an_unknown_default_region_is_a_config_error_of_check(empty_vault: Path, invoke) -> None:
    config = empty_vault / "vault.yaml"
    config.write_text(config.read_text().replace("default_region: GB", "default_region: XX"))

    result = invoke("-C", empty_vault, "check")

    assert result.exit_code == 1
    assert "vault.yaml:" in result.stdout
    assert "error: default_region must be a two-letter country code such as GB, DE or US, not 'XX'" in result.stdout
