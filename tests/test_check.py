"""`contacts check`: every problem as `path:line: severity: message`, for people, scripts and CI.

Each check is shown on a real file in a real vault; `--fix` is shown changing
only the characters of the values it fixes, and committing them.
"""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED_TESTDATA, git, no_traceback, ok

TODAY = "2026-11-23"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check(invoke, root: Path, *args: str):
    return invoke("-C", root, "--today", TODAY, "check", *args)


def problem_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line]


# The example vault


def test_the_example_vault_has_two_warnings_and_passes(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    result = check(invoke, example_copy)
    ok(result)
    assert problem_lines(result) == [
        "contacts/jose-alvarez.md:4: warning: company 'Álvarez Consulting' names no organisation in the vault: "
        "add it (contacts add \"Álvarez Consulting\" --kind organization) or correct the name",
        "contacts/wang-fang.md:5: warning: company 'Jade River Trading' names no organisation in the vault: "
        "add it (contacts add \"Jade River Trading\" --kind organization) or correct the name",
    ]
    assert result.stderr.strip() == "25 contact files and 12 deal files checked: 0 errors, 2 warnings"


def test_strict_counts_warnings_as_errors(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    result = check(invoke, example_copy, "--strict")
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in problem_lines(result)] == ["error", "error"]
    assert "2 errors, 0 warnings" in result.stderr


def test_a_clean_vault(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "add", "Ada Lovelace", "--email", "ada@example.com"))
    result = check(invoke, empty_vault)
    ok(result)
    assert result.stdout == ""
    assert result.stderr.strip() == "1 contact file checked: no problems"


# One file, every kind of problem

MESSY = """
---
name: Messy Person
kind: robot
emails: [not-an-email, ada@analytical.example]
phones: [+442079460000, "12"]
stage: hot
birthday: 1990-02-30
keep_in_touch: often
country: NO
zip: 01234
industry: farming
employees: many
tags: [big customer]
links:
  site: nope
company: Analytical Engines
---
Notes.

- [ ] Do a thing due:2026-13-01

## 2026-11-20 Lunch
Text.

### 2026-11-21 call
## 20.11.2026 call
## 2026-02-30 call
## 2026-11-20 25:00 call
##2026-11-20 call

## 3026-01-01 call — Far ahead

```
## 2026-99-99 inside a code block is not a heading
```
"""

EXPECTED = [
    "3: error: kind must be person or organization, not 'robot'",
    "4: error: 'not-an-email' does not look like an email address",
    "4: error: the email ada@analytical.example is also on contacts/ada-lovelace.md: the same person twice?",
    "5: error: '12' is not a possible phone number in region NO",  # the file's country: NO
    '5: warning: phones[0]: +442079460000 is read as a number, not text: quote it ("+442079460000")',
    "6: error: stage 'hot' is not one of vault.yaml's stages (lead, prospect, customer, churned)",
    "7: error: birthday must be YYYY-MM-DD, or --MM-DD without a year, not '1990-02-30'",
    "8: error: keep_in_touch: 'often' is not a duration: use a number and d, w, m or y, e.g. 30d",
    '9: warning: country: unquoted NO is read as a boolean (false) by YAML 1.1 tools: quote it ("NO")',
    '10: warning: zip: unquoted 01234 is read as a number (668) by YAML 1.1 tools: quote it ("01234")',
    "11: error: industry must be one of computing, retail, finance, manufacturing, healthcare, education, media, "
    "not 'farming'",
    "12: error: employees must be a whole number, not 'many'",
    "13: warning: tag 'big customer' has a space or comma: use one word, e.g. 'big-customer'",
    "15: error: link 'site' is not a URL like https://example.com",
    "20: error: task: 'due:2026-13-01' is not a date (use YYYY-MM-DD)",
    "22: error: interaction kind 'Lunch' is not in vault.yaml's interaction_kinds (call, email, meeting, message, "
    "note); a one-word summary reads as a kind: write '## 2026-11-20 note — Lunch'",
    "25: warning: a dated heading at level 3 is not an interaction: write '## 2026-11-21 …'",
    "26: error: '20.11.2026' in a heading is not an ISO date: an interaction heading is "
    "'## YYYY-MM-DD [HH:MM] [kind] — summary'",
    "27: error: '2026-02-30' is not a date (month 01–12, a day that exists)",
    "28: error: '25:00' is not a 24-hour time (HH:MM, 00:00–23:59)",
    "29: error: write a space after '##': '## 2026-11-20 …'",
    "31: warning: interaction dated 3026-01-01, more than 10 years ahead: a typo?",
]


def test_every_problem_in_a_file_with_its_line(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/messy.md", MESSY)
    result = check(invoke, example_copy, "contacts/messy.md")
    assert result.exit_code == 1
    assert problem_lines(result) == [f"contacts/messy.md:{line}" for line in EXPECTED]
    assert "26 contact files and 12 deal files checked: 16 errors, 6 warnings" in result.stderr


def test_known_and_typed_values_that_are_right_raise_nothing(example_copy: Path, invoke) -> None:
    write(example_copy, "contacts/tidy.md", """
        ---
        name: Tidy Person
        kind: organization
        emails: ada.tidy@example.com
        phones: ["020 7946 0000", "+1 202 555 0123"]
        birthday: --04-17
        keep_in_touch: 6w
        employees: 120
        count: 5
        since: 2024-01-01
        industry: "retail"
        links: {web: "https://tidy.example"}
        ---

        ## 2026-11-20 14:30 meeting — Kick-off
        ## 2026-11-21
        # A heading that is not dated
        """)
    result = check(invoke, example_copy, str(example_copy / "contacts/tidy.md"))
    ok(result)
    assert result.stdout == ""


def test_a_file_that_does_not_parse_is_one_error_and_the_rest_is_checked(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/broken.md", "---\nname: [unclosed\n---\n")
    write(example_copy, "contacts/no-name.md", "---\ntitle: Nobody\n---\n")
    result = check(invoke, example_copy)
    assert result.exit_code == 1
    errors = [line for line in problem_lines(result) if ": error: " in line]
    assert errors[0].startswith("contacts/broken.md:3: error: invalid YAML")
    assert errors[1:] == ["contacts/no-name.md:2: error: 'name' is missing: every contact needs a name"]
    assert "27 contact files and 12 deal files checked: 2 errors, 2 warnings" in result.stderr


# Conflict markers


def test_a_leftover_conflict_marker_is_an_error_at_its_line(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/conflicted.md", """
        ---
        name: Conflicted
        ---
        Notes.

        <<<<<<< ours
        Likes tea.
        =======
        Likes coffee.
        >>>>>>> theirs
        """)
    result = check(invoke, example_copy, "contacts/conflicted.md")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "contacts/conflicted.md:6: error: unresolved git conflict (marker '<<<<<<<'): keep the right lines, "
        "delete the markers, then 'git add' the file"
    ]


def test_a_setext_underline_is_not_a_conflict_marker_but_a_stray_end_marker_is(example_copy: Path, invoke) -> None:
    write(example_copy, "contacts/setext.md", "---\nname: Setext\n---\nA heading\n=======\n\nMore.\n>>>>>>> theirs\n")
    result = check(invoke, example_copy, str(example_copy / "contacts/setext.md"))
    assert result.exit_code == 1
    assert [line.split(":", 2)[1] for line in problem_lines(result)] == ["8"]


# The vault as a whole


def test_the_same_email_or_phone_on_two_contacts(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/ada-again.md", """
        ---
        name: Ada Again
        emails: [ADA@analytical.example]
        phones: ["+44 (0)20 7946 0958"]
        ---
        """)
    result = check(invoke, example_copy, "contacts/ada-again.md", "contacts/ada-lovelace.md")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "contacts/ada-again.md:3: error: the email ADA@analytical.example is also on contacts/ada-lovelace.md: "
        "the same person twice?",
        "contacts/ada-again.md:4: error: the phone number +44 (0)20 7946 0958 is also on contacts/ada-lovelace.md: "
        "the same person twice?",
        "contacts/ada-lovelace.md:4: error: the email ada@analytical.example is also on contacts/ada-again.md: "
        "the same person twice?",
        "contacts/ada-lovelace.md:5: error: the phone number +44 20 7946 0958 is also on contacts/ada-again.md: "
        "the same person twice?",
    ]


def test_a_person_may_share_their_organisations_switchboard(example_copy: Path, invoke) -> None:
    org = (example_copy / "contacts/analytical-engines.md").read_text()
    phone = org.split("phones: [")[1].split("]")[0]
    write(example_copy, "contacts/receptionist.md", f"""
        ---
        name: Rita Reception
        company: Analytical Engines
        phones: [{phone}]
        ---
        """)
    result = check(invoke, example_copy, str(example_copy / "contacts/receptionist.md"))
    ok(result)
    assert result.stdout == ""


def test_the_same_handle_in_two_folders_and_the_same_uid(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    ada = (example_copy / "contacts/ada-lovelace.md").read_text()
    copy = ada.replace("ada@analytical.example, countess@lovelace.example", "ada2@example.com")
    copy = copy.replace('"+44 20 7946 0958"', '"+44 20 7946 0999"')
    write(example_copy, "contacts/old/ada-lovelace.md", copy)
    result = check(invoke, example_copy, "contacts/old/ada-lovelace.md")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "contacts/old/ada-lovelace.md:1: error: the handle 'ada-lovelace' is also contacts/ada-lovelace.md: "
        "rename one file (contacts mv)",
        "contacts/old/ada-lovelace.md:17: error: the uid 01KC4K84DGM23H3YFCY7MTSQTS is also on "
        "contacts/ada-lovelace.md: a copied file? a uid names one contact: give one of them a new uid or merge them",
    ]


def test_company_naming_no_organisation_is_a_warning_and_an_error_when_strict(empty_vault: Path, invoke) -> None:
    ok(invoke("-C", empty_vault, "add", "Ada Lovelace", "--company", "Analytical Engines"))
    result = check(invoke, empty_vault)
    ok(result)
    assert ": warning: company 'Analytical Engines' names no organisation" in result.stdout
    assert check(invoke, empty_vault, "--strict").exit_code == 1
    ok(invoke("-C", empty_vault, "add", "Analytical Engines", "--kind", "organization"))
    result = check(invoke, empty_vault, "--strict")
    ok(result)
    assert result.stdout == ""


def test_an_owner_missing_from_vault_yaml_owners_is_a_warning(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/dora.md", "---\nname: Dora\nowner: dora\n---\n")
    result = check(invoke, example_copy, "contacts/dora.md")
    ok(result)
    assert problem_lines(result) == [
        "contacts/dora.md:3: warning: owner 'dora' is not in vault.yaml's owners (alice, bob, chen): "
        "CODEOWNERS cannot name them"
    ]


# vault.yaml


def test_a_broken_vault_yaml_is_reported_not_a_crash(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    (example_copy / "vault.yaml").write_text("stages: [lead\n")
    result = check(invoke, example_copy)
    no_traceback(result)
    assert result.exit_code == 1
    assert problem_lines(result)[0].startswith("vault.yaml:2: error: invalid YAML")


def test_an_unknown_phone_format_is_an_error(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    with (example_copy / "vault.yaml").open("a") as handle:
        handle.write("phone_format: pretty\n")
    line = (example_copy / "vault.yaml").read_text().count("\n")  # the line just added
    result = check(invoke, example_copy, "vault.yaml")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f"vault.yaml:{line}: error: phone_format must be one of e164, international, not 'pretty'"
    ]


# Formats


def test_json_format(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    write(example_copy, "contacts/dora.md", "---\nname: Dora\nstage: hot\n---\n")
    result = check(invoke, example_copy, "--format", "json", "contacts/dora.md")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["files"] == 26
    assert (data["errors"], data["warnings"]) == (1, 0)
    assert data["problems"] == [{
        "path": "contacts/dora.md", "line": 3, "severity": "error", "check": "fields", "fixable": False,
        "message": "stage 'hot' is not one of vault.yaml's stages (lead, prospect, customer, churned)",
    }]
    assert data["fixed"] == []


def test_github_format_is_workflow_commands_relative_to_the_repository(vault: Path, invoke, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # anywhere: paths are relative to the repository, as GitHub wants them
    write(vault, "contacts/a, b/dora.md", "---\nname: Dora\nstage: hot\ncompany: Nowhere\n---\n")
    result = check(invoke, vault, "--format", "github")
    assert result.exit_code == 1
    lines = problem_lines(result)
    assert lines[0] == (
        "::error file=contacts/a%2C b/dora.md,line=3,title=contacts check (fields)::"
        "stage 'hot' is not one of vault.yaml's stages (lead, prospect, customer, churned)"
    )
    assert lines[1].startswith("::warning file=contacts/a%2C b/dora.md,line=4,title=contacts check (company)::")


# --fix


def test_fix_quotes_ambiguous_values_changing_only_those_characters(vault: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    path = write(vault, "contacts/dora.md", """
        ---
        name: Dora   # the name
        phones: [+442079460000, "+44 20 7946 0001"]
        country: NO
        zip: 01234
        employees: 12
        tags:
          - yes
          - customer
        ---
        Notes stay.
        """)
    git(vault, "add", "contacts/dora.md")
    git(vault, "commit", "-q", "-m", "Add Dora by hand")
    result = check(invoke, vault, "--fix")
    ok(result)
    assert path.read_text() == textwrap.dedent("""\
        ---
        name: Dora   # the name
        phones: ["+442079460000", "+44 20 7946 0001"]
        country: "NO"
        zip: "01234"
        employees: 12
        tags:
          - "yes"
          - customer
        ---
        Notes stay.
        """)
    assert "fixed contacts/dora.md:3: quoted phones[0]: +442079460000" in result.stderr
    assert "fixed contacts/dora.md:4: quoted country: NO" in result.stderr
    assert "fixed contacts/dora.md:8: quoted tags[0]: yes" in result.stderr
    assert git(vault, "log", "-1", "--format=%s").strip() == "Quote values YAML would misread in 1 contact"
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == ["contacts/dora.md"]
    assert "read as" not in result.stdout  # checked again after fixing


def test_fix_writes_phones_as_vault_yaml_asks(vault: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    with (vault / "vault.yaml").open("a") as handle:
        handle.write("phone_format: e164\n")
    git(vault, "commit", "-q", "-am", "Phones in E.164")
    ada = vault / "contacts/ada-lovelace.md"
    before = ada.read_text()
    result = check(invoke, vault, "--fix", str(ada))
    ok(result)
    assert ada.read_text() == before.replace('phones: ["+44 20 7946 0958"]', 'phones: ["+442079460958"]')
    assert "phone +44 20 7946 0958 written as +442079460958" in result.stderr
    assert git(vault, "log", "-1", "--format=%s").strip() == "Write phone numbers in one form in 1 contact"
    others = check(invoke, vault)
    assert "is not in E.164 form ('+493023125000') as vault.yaml's phone_format asks" in others.stdout


def test_fix_never_touches_a_file_that_does_not_parse(vault: Path, invoke) -> None:
    broken = write(vault, "contacts/broken.md", "---\nname: [Dora\ncountry: NO\n---\n")
    before = broken.read_bytes()
    result = check(invoke, vault, "--fix")
    assert result.exit_code == 1
    assert broken.read_bytes() == before
    assert "fixed" not in result.stderr


def test_fix_with_nothing_to_fix_commits_nothing(vault: Path, invoke) -> None:
    head = git(vault, "rev-parse", "HEAD")
    ok(check(invoke, vault, "--fix"))
    assert git(vault, "rev-parse", "HEAD") == head


def test_fix_keeps_crlf_and_the_bom(vault: Path, invoke) -> None:
    path = vault / "contacts/dora.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: Dora\r\ncountry: NO\r\n---\r\nNotes.\r\n")
    ok(check(invoke, vault, "--fix"))
    assert path.read_bytes() == b'\xef\xbb\xbf---\r\nname: Dora\r\ncountry: "NO"\r\n---\r\nNotes.\r\n'


# Other people's files


@pytest.mark.skipif(not (SHARED_TESTDATA / "markdown").is_dir(), reason="shared test data not present")
def test_other_tools_contact_notes_are_named_not_fatal(example_copy: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(example_copy)
    shutil.copyfile(SHARED_TESTDATA / "markdown/hal_md/Person.md", example_copy / "contacts/hal-person.md")
    shutil.copyfile(SHARED_TESTDATA / "markdown/obsidian-people/Jane Doe.md", example_copy / "contacts/jane-doe.md")
    result = check(invoke, example_copy, "contacts/hal-person.md", "contacts/jane-doe.md")
    no_traceback(result)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "contacts/hal-person.md:2: error: 'name' is missing: every contact needs a name",
        "contacts/jane-doe.md:2: error: 'name' is missing: every contact needs a name",
    ]


def test_reading_in_several_processes_finds_the_same_problems(example_copy: Path) -> None:
    import datetime as dt

    from vault_tool.team.check.run import run_checks

    write(example_copy, "contacts/messy.md", MESSY)
    today = dt.date.fromisoformat(TODAY)
    together = run_checks(example_copy, today, parallel_from=1)
    shutil.rmtree(example_copy / ".vault")  # no result kept: every file is read again, in this process
    alone = run_checks(example_copy, today, parallel_from=10**9)
    assert together.problems == alone.problems
    assert any(problem.where.endswith("messy.md") for problem in together.problems)
    assert together.files == alone.files == 26


def test_a_problem_pickles_as_itself() -> None:
    import pickle

    from vault_tool.team.check.records import Problem

    problem = Problem("contacts/ada.md", 3, "warning", "phone '123' is not a number", "phone", fixable=True)
    assert pickle.loads(pickle.dumps(problem)) == problem
    assert pickle.loads(pickle.dumps(problem)).fixable


def test_fix_does_not_commit_the_users_work_in_progress(vault: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    draft = write(vault, "contacts/dora.md", "---\nname: Dora\ncountry: NO\n---\nStill writing.\n")
    head = git(vault, "rev-parse", "HEAD")
    result = check(invoke, vault, "--fix")
    ok(result)
    assert draft.read_text() == '---\nname: Dora\ncountry: "NO"\n---\nStill writing.\n'
    assert "contacts/dora.md: fixed but not committed: it has other changes you have not committed" in result.stderr
    assert git(vault, "rev-parse", "HEAD") == head
    assert git(vault, "status", "--porcelain") == "?? contacts/dora.md\n"


def test_a_problem_named_by_text_is_the_problem_named_by_path(tmp_path: Path) -> None:
    """Kept problems name their file by text (no Path made for each); they compare, hash and sort as one."""
    from vault_tool.team.check.records import ERROR, WARNING, Problem

    by_path = Problem(tmp_path / "contacts" / "ada.md", 3, WARNING, "m", "c")
    by_text = Problem(f"{tmp_path}/contacts/ada.md", 3, WARNING, "m", "c")
    assert by_path == by_text and hash(by_path) == hash(by_text) and len({by_path, by_text}) == 1
    assert by_text.path == tmp_path / "contacts" / "ada.md" and by_path.where == by_text.where
    assert by_text.with_severity(ERROR) == Problem(by_path.path, 3, ERROR, "m", "c")
    with pytest.raises(AttributeError):
        by_text.line = 4  # type: ignore[misc]
