"""A field name one or two edits from a known or used one is a slip: refused with "did you mean", unless --new-field."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import commit_count, no_traceback, ok
from vault_tool.format.config import VaultConfig
from vault_tool.format.fieldnames import field_name_problem, known_fields, near_miss

ADA = Path("contacts") / "ada-lovelace.md"


@pytest.mark.parametrize("typed,meant", [
    ("stgae", "stage"), ("phnoes", "phones"), ("tittle", "title"), ("nmae", "name"), ("Stage", "stage"),
    ("emial", "email"), ("birthdya", "birthday"), ("keep_in_tuch", "keep_in_touch"), ("uuid", "uid"),
])
def test_slips_of_known_fields(typed: str, meant: str) -> None:
    assert near_miss(typed, known_fields(VaultConfig())) == meant


@pytest.mark.parametrize("name", ["stage", "phones", "email", "industry_code", "zip", "url", "linkedin", "pronouns"])
def test_known_names_and_names_near_nothing_pass(name: str) -> None:
    assert field_name_problem(name, known_fields(VaultConfig()), ["industry_code"]) is None


def test_a_used_field_is_a_candidate_and_passes_in_any_case() -> None:
    known = known_fields(VaultConfig())
    assert field_name_problem("industy", known, ["industry"]) == "'industy' is not a field: did you mean 'industry'?"
    assert field_name_problem("Industry", known, ["industry"]) is None  # the index holds used names in lower case
    assert field_name_problem("stgae", known, ["stgae"]) is None  # already in the vault: never refused


def test_computed_fields_are_not_suggested() -> None:
    assert near_miss("texts", known_fields(VaultConfig())) is None
    assert "text" not in known_fields(VaultConfig())


def test_set_refuses_a_slip_and_changes_nothing(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "set", "ada", "stgae", "customer")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: 'stgae' is not a field: did you mean 'stage'? (or give --new-field to add a field of that name)")
    no_traceback(result)
    assert (vault / ADA).read_bytes() == before
    result = invoke("-C", vault, "set", "ada", "phnoes", "+44 20 7946 0000")
    assert result.exit_code == 2 and "did you mean 'phones'?" in result.stderr


def test_set_with_new_field_creates_it_and_then_it_is_used(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stgae", "customer", "--new-field"))
    assert "stgae: customer" in (vault / ADA).read_text(encoding="utf-8")
    ok(invoke("-C", vault, "set", "ada", "stgae", "lead"))  # used in the vault now: never refused
    assert "stgae: lead" in (vault / ADA).read_text(encoding="utf-8")


def test_a_used_custom_field_and_a_new_distinct_name_are_accepted(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "name_native", "Augusta Ada"))  # used by another contact only
    ok(invoke("-C", vault, "set", "ada", "pronouns", "she/her"))
    text = (vault / ADA).read_text(encoding="utf-8")
    assert "name_native: Augusta Ada" in text and "pronouns: she/her" in text
    result = invoke("-C", vault, "set", "ada", "name_natve", "x")
    assert result.exit_code == 2 and "did you mean 'name_native'?" in result.stderr


def test_add_field_refuses_a_slip(vault: Path, invoke) -> None:
    count = commit_count(vault)
    result = invoke("-C", vault, "add", "Grace Hopper", "--field", "industy=computing")
    assert result.exit_code == 2
    assert "'industy' is not a field: did you mean 'industry'?" in result.stderr
    assert not (vault / "contacts" / "grace-hopper.md").exists() and commit_count(vault) == count
    ok(invoke("-C", vault, "add", "Grace Hopper", "--field", "industy=computing", "--new-field"))
    assert "industy: computing" in (vault / "contacts" / "grace-hopper.md").read_text(encoding="utf-8")


def test_unset_names_the_field_meant(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "unset", "ada", "tittle")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: 'tittle' is not a field: did you mean 'title'?"
    ok(invoke("-C", vault, "unset", "ada", "title"))
    result = invoke("-C", vault, "unset", "ada", "pronouns")  # not a slip: what unset says of a missing field
    assert result.exit_code != 0 and "has no field 'pronouns'" in result.stderr


def test_unset_removes_a_field_the_contact_has_whatever_its_name(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stgae", "customer", "--new-field"))
    ok(invoke("-C", vault, "unset", "ada", "stgae"))
    assert "stgae" not in (vault / ADA).read_text(encoding="utf-8")


def test_history_field_slip(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stage", "lead"))
    result = invoke("-C", vault, "history", "ada", "--field", "stgae")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: 'stgae' is not a field: did you mean 'stage'?"
    result = invoke("-C", vault, "history", "ada", "--field", "stage")
    ok(result)
    assert "stage: customer → lead" in result.stdout


def test_history_of_a_field_once_changed_is_shown_even_if_close_to_a_known_one(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stgae", "customer", "--new-field"))
    ok(invoke("-C", vault, "unset", "ada", "stgae"))
    result = invoke("-C", vault, "history", "ada", "--field", "stgae")
    ok(result)
    assert "stgae: customer → (none)" in result.stdout


def test_list_sort_slip(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "list", "--sort", "nmae")
    assert result.exit_code == 2
    assert "'nmae' is not one of 'name', " in result.stderr and "'score': did you mean 'name'?\n" in result.stderr
    result = invoke("-C", vault, "list", "--sort", "zzz")
    assert result.exit_code == 2 and "did you mean" not in result.stderr and "'zzz' is not one of" in result.stderr
    ok(invoke("-C", vault, "list", "--sort", "name"))
