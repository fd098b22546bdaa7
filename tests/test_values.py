"""Values as people type them: typed and written as their type, refused in one line, null in JSON when missing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import commit_count, git, ok

TYPES = "fields:\n  employees: {type: integer}\n  deal_value: {type: number}\n  renewal: {type: date}\n"


@pytest.fixture
def typed(empty_vault: Path) -> Path:
    """An empty vault whose vault.yaml types three custom fields."""
    config = empty_vault / "vault.yaml"
    config.write_text(config.read_text().replace("fields: {}\n", TYPES))
    git(empty_vault, "commit", "-qam", "Type three fields")
    return empty_vault


def front(vault: Path, handle: str) -> list[str]:
    """The front matter lines of a contact, without its uid."""
    text = (vault / "contacts" / f"{handle}.md").read_text()
    return [line for line in text.split("---\n")[1].splitlines() if not line.startswith("uid:")]


def test_add_takes_birthday_address_and_keep_in_touch(typed: Path, invoke) -> None:
    result = invoke("-C", typed, "add", "Hans Weber", "--birthday", "1975-03-14", "--keep-in-touch", "30d",
                    "--address", "Unter den Linden 1, 10117 Berlin, Germany", "--field", "employees=12",
                    "--field", "deal_value=12000", "--field", "renewal=2027-01-31", "--field", "badge=44")

    ok(result)
    assert front(typed, "hans-weber") == [
        "name: Hans Weber", "address: Unter den Linden 1, 10117 Berlin, Germany", "birthday: 1975-03-14",
        "keep_in_touch: 30d", "employees: 12", "deal_value: 12000", "renewal: 2027-01-31",
        "badge: '44'",  # not typed in vault.yaml: text, quoted so that it stays text
    ]
    checked = invoke("-C", typed, "check")
    ok(checked)
    assert checked.stdout == ""


def test_a_birthday_without_a_year(typed: Path, invoke) -> None:
    ok(invoke("-C", typed, "add", "Ada", "--birthday", "--12-10"))

    assert "birthday: --12-10" in front(typed, "ada")


def test_set_writes_a_whole_number_whole_and_a_fraction_as_typed(typed: Path, invoke) -> None:
    ok(invoke("-C", typed, "add", "Ada"))

    ok(invoke("-C", typed, "set", "ada", "deal_value", "12000"))
    assert "deal_value: 12000" in front(typed, "ada")
    ok(invoke("-C", typed, "set", "ada", "deal_value", "12000.5"))
    assert "deal_value: 12000.5" in front(typed, "ada")
    ok(invoke("-C", typed, "set", "ada", "renewal", "2027-01-31"))
    assert "renewal: 2027-01-31" in front(typed, "ada")
    ok(invoke("-C", typed, "set", "ada", "birthday", "1815-12-10"))
    assert "birthday: 1815-12-10" in front(typed, "ada")


def test_set_rewrites_a_hand_written_fraction_of_a_whole_number(typed: Path, invoke) -> None:
    ok(invoke("-C", typed, "add", "Ada", "--field", "deal_value=5"))
    path = typed / "contacts/ada.md"
    path.write_text(path.read_text().replace("deal_value: 5\n", "deal_value: 12000.0\n"))
    git(typed, "commit", "-qam", "by hand")

    result = invoke("-C", typed, "set", "ada", "deal_value", "12000")

    ok(result)
    assert "deal_value: 12000" in front(typed, "ada")
    same = invoke("-C", typed, "set", "ada", "deal_value", "12000")
    ok(same)
    assert same.stderr == "Ada: deal_value is already 12000\n"


@pytest.mark.parametrize("args,message", [
    (["--birthday", "1975-13-01"],
     "birthday must be YYYY-MM-DD, or --MM-DD without a year (e.g. 1975-03-14), not '1975-13-01'"),
    (["--birthday", "14.03.1975"],
     "birthday must be YYYY-MM-DD, or --MM-DD without a year (e.g. 1975-03-14), not '14.03.1975'"),
    (["--keep-in-touch", "monthly"],
     "keep_in_touch: 'monthly' is not a duration: use a number and d, w, m or y, e.g. 30d"),
    (["--field", "employees=twelve"], "employees must be a whole number (e.g. 12), not 'twelve'"),
    (["--field", "employees=12.5"], "employees must be a whole number (e.g. 12), not '12.5'"),
    (["--field", "deal_value=12k"], "deal_value must be a number (e.g. 12000 or 12000.5), not '12k'"),
    (["--field", "deal_value=nan"], "deal_value must be a number (e.g. 12000 or 12000.5), not 'nan'"),
    (["--field", "deal_value=inf"], "deal_value must be a number (e.g. 12000 or 12000.5), not 'inf'"),
    (["--field", "renewal=31/01/2027"], "renewal must be a date YYYY-MM-DD (e.g. 2026-03-14), not '31/01/2027'"),
    (["--field", "renewal=2027-02-30"], "renewal must be a date YYYY-MM-DD (e.g. 2026-03-14), not '2027-02-30'"),
])
def test_a_bad_value_is_one_line_naming_the_field_and_nothing_is_written(
    typed: Path, invoke, args: list[str], message: str
) -> None:
    before = commit_count(typed)

    result = invoke("-C", typed, "add", "Hans Weber", *args)

    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert not (typed / "contacts/hans-weber.md").exists()
    assert commit_count(typed) == before


def test_set_refuses_a_bad_number_and_keeps_the_file(typed: Path, invoke) -> None:
    ok(invoke("-C", typed, "add", "Ada", "--field", "deal_value=5"))
    before = (typed / "contacts/ada.md").read_bytes()

    result = invoke("-C", typed, "set", "ada", "deal_value", "a", "lot")

    assert result.exit_code == 2
    assert result.stderr == "Error: deal_value must be a number (e.g. 12000 or 12000.5), not 'a lot'\n"
    assert (typed / "contacts/ada.md").read_bytes() == before


# contacts init --region


def test_init_region_sets_the_default_region(tmp_path: Path, invoke) -> None:
    ok(invoke("init", tmp_path / "de", "--region", "de"))
    ok(invoke("init", tmp_path / "us", "--region", "United States", "--example"))

    assert "\ndefault_region: DE\n" in (tmp_path / "de/vault.yaml").read_text()
    text = (tmp_path / "us/vault.yaml").read_text()
    assert "\ndefault_region: US\n" in text and "default_region: GB" not in text


def test_init_without_region_is_gb(empty_vault: Path) -> None:
    assert "\ndefault_region: GB\n" in (empty_vault / "vault.yaml").read_text()


def test_init_refuses_an_unknown_region_and_creates_nothing(tmp_path: Path, invoke) -> None:
    result = invoke("init", tmp_path / "nowhere", "--region", "XX")

    assert result.exit_code == 2
    assert result.stderr == "Error: 'XX' is not a region: give a two-letter country code such as GB, DE or US\n"
    assert not (tmp_path / "nowhere").exists()


def test_init_in_a_vault_keeps_its_region(empty_vault: Path, invoke) -> None:
    ok(invoke("init", empty_vault, "--region", "GB"))

    result = invoke("init", empty_vault, "--region", "DE")

    assert result.exit_code == 2
    assert "is already a vault, reading phones in GB: change default_region in vault.yaml instead" in result.stderr
    assert "\ndefault_region: GB\n" in (empty_vault / "vault.yaml").read_text()


# checks: in vault.yaml


def _company_warnings(vault: Path, invoke) -> list[str]:
    result = invoke("-C", vault, "check")
    ok(result)
    return [line for line in result.stdout.splitlines() if "names no organisation" in line]


def test_the_company_check_can_be_turned_off(vault: Path, invoke) -> None:
    assert len(_company_warnings(vault, invoke)) == 2
    config = vault / "vault.yaml"
    config.write_text(config.read_text() + "checks:\n  company_without_organisation: off\n")

    assert _company_warnings(vault, invoke) == []

    config.write_text(config.read_text().replace("company_without_organisation: off", "company_without_organisation: on"))
    assert len(_company_warnings(vault, invoke)) == 2


@pytest.mark.parametrize("setting,message", [
    ("checks:\n  company_exists: off\n",
     "checks: unknown check 'company_exists' (the checks that can be turned off: company_without_organisation)"),
    ("checks:\n  company_without_organisation: maybe\n",
     "checks: company_without_organisation must be on or off, not 'maybe'"),
    ("checks: [company_without_organisation]\n",
     "'checks' must map checks to on or off, e.g. checks: {company_without_organisation: off}"),
])
def test_a_wrong_checks_setting_is_one_line(empty_vault: Path, invoke, setting: str, message: str) -> None:
    config = empty_vault / "vault.yaml"
    config.write_text(config.read_text() + setting)

    result = invoke("-C", empty_vault, "list")

    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


# JSON: null for a missing value


@pytest.fixture
def bare(empty_vault: Path, invoke) -> Path:
    """A vault of two contacts that have nothing but a name and a cadence; one has a task without a due
    date and an all-day appointment without a summary, the other was never in touch."""
    ok(invoke("-C", empty_vault, "add", "Bare Person", "--keep-in-touch", "30d"))
    ok(invoke("-C", empty_vault, "task", "bare", "Send the notes"))
    ok(invoke("-C", empty_vault, "--today", "2026-12-01", "meet", "bare", "--date", "2026-12-03"))
    ok(invoke("-C", empty_vault, "add", "Never Met", "--keep-in-touch", "30d"))
    return empty_vault


@pytest.mark.parametrize("command", [["list"], ["search", "bare"]])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_list_and_search_give_null_for_what_a_contact_lacks(bare: Path, invoke, command: list[str], fmt: str) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", *command, "--format", fmt)

    ok(result)
    row = json.loads(result.stdout)[0] if fmt == "json" else json.loads(result.stdout.splitlines()[0])
    assert {key: row[key] for key in ("company", "email", "stage", "owner", "last_contact")} == dict.fromkeys(
        ("company", "email", "stage", "owner", "last_contact"))
    table = invoke("-C", bare, "--today", "2026-12-01", *command)
    assert "None" not in table.stdout and "null" not in table.stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_tasks_give_null_for_no_due_date_and_no_owner(bare: Path, invoke, fmt: str) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", "tasks", "--format", fmt)

    ok(result)
    row = json.loads(result.stdout)[0] if fmt == "json" else json.loads(result.stdout)
    assert (row["task"], row["due"], row["when"], row["owner"]) == ("Send the notes", None, None, None)


def test_stale_gives_null_for_never_and_the_table_says_never(bare: Path, invoke) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", "stale", "--days", "0", "--format", "json")

    ok(result)
    (row,) = json.loads(result.stdout)
    assert (row["handle"], row["last_contact"], row["days"], row["stage"], row["owner"]) == (
        "never-met", None, None, None, None)
    table = invoke("-C", bare, "--today", "2026-12-01", "stale", "--days", "0")
    assert table.stdout.splitlines()[1].split() == ["Never", "Met", "never"]


def test_agenda_gives_null_for_no_time_and_no_last_contact(bare: Path, invoke) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", "agenda", "--format", "json")

    ok(result)
    data = json.loads(result.stdout)
    (meeting,) = data["appointments"]
    assert (meeting["date"], meeting["time"], meeting["summary"], meeting["owner"]) == ("2026-12-03", None, None, None)
    (touch,) = data["keep_in_touch"]
    assert (touch["last_contact"], touch["days_since"]) == (None, None)


def test_report_gives_null_for_a_missing_value(bare: Path, invoke) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", "report", "--by", "stage", "--by", "owner", "--format", "json")

    ok(result)
    data = json.loads(result.stdout)
    assert [[count["value"] for count in part["counts"]] for part in data["breakdowns"]] == [[None], [None]]
    text = invoke("-C", bare, "--today", "2026-12-01", "report", "--by", "owner")
    assert "(none)" in text.stdout  # the text keeps its word


def _strings(value: object) -> list[str]:
    """Every string in ``value``, but notes and an interaction's text: text, empty when nothing is written."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("notes", "text") for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("command", [
    ["agenda"], ["tasks"], ["stale", "--days", "0"], ["list"], ["search", "bare"], ["report"], ["history", "bare"],
    ["dupes"], ["segments"], ["show", "bare"], ["check"],
])
def test_no_json_output_writes_a_missing_value_as_a_word(bare: Path, invoke, command: list[str]) -> None:
    result = invoke("-C", bare, "--today", "2026-12-01", *command, "--format", "json")

    assert result.exit_code in (0, 1), result.output
    found = _strings(json.loads(result.stdout or "null"))
    assert not {"", "never", "(none)", "none", "-", "—"} & set(found), found
