"""`contacts task`, `done` and `meet`: follow-ups and appointments written into a contact's file.

Each test runs the real command against a real vault in a real git repository, with
"today" pinned by `--today`, and reads the file and the commit it made.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import git
from followups import TODAY, commit_count, failed, head_files, head_message, line_changes, ok, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.followups.edits import task_line, tick_line
from vault_tool.format.body import parse_task, task_title

ADA = Path("contacts/ada-lovelace.md")


@pytest.fixture
def contacts(invoke):
    """Run `contacts --today 2026-11-23 -C VAULT ARGS…`."""

    def run(vault: Path, *args: str, input: str | None = None):
        return invoke("--today", TODAY, "-C", vault, *args, input=input)

    return run


# contacts task


def test_task_adds_one_line_after_the_other_tasks_and_commits_it(vault: Path, contacts) -> None:
    before = (vault / ADA).read_bytes()

    result = contacts(vault, "task", "ada", "Send the demo agenda", "--due", "2026-12-04")

    ok(result)
    assert "Add task for Ada Lovelace: Send the demo agenda (" in result.stderr
    assert "contacts/ada-lovelace.md, commit " in result.stderr
    after = (vault / ADA).read_bytes()
    assert line_changes(before, after) == ([], [b"- [ ] Send the demo agenda due:2026-12-04\n"])
    assert (
        b"- [x] Introduce to Charles done:2026-11-02\n- [ ] Send the demo agenda due:2026-12-04\n\n## 2025-12-11"
        in after
    )
    assert head_message(vault) == "Add task for Ada Lovelace: Send the demo agenda"
    assert head_files(vault) == [ADA.as_posix()]
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.parametrize(("due", "day"), [
    ("today", "2026-11-23"),
    ("tomorrow", "2026-11-24"),
    ("+3d", "2026-11-26"),
    ("+2w", "2026-12-07"),
    ("next monday", "2026-11-30"),
    ("friday", "2026-11-27"),
    ("2026-12-01", "2026-12-01"),
])
def test_task_due_takes_relative_dates(vault: Path, contacts, due: str, day: str) -> None:
    ok(contacts(vault, "task", "ada", "Call back", "--due", due))

    assert f"- [ ] Call back due:{day}\n" in (vault / ADA).read_text()


def test_task_without_a_due_date(vault: Path, contacts) -> None:
    ok(contacts(vault, "task", "zoe", "Ask about the budget"))

    text = (vault / "contacts/zoe-muller.md").read_text()
    assert "- [ ] Send proposal due:2026-11-28\n- [x] Send case study from Nordlys done:2026-05-13\n" \
           "- [ ] Ask about the budget\n" in text


@pytest.mark.parametrize("due", ["2026-13-01", "soon", "31/12/2026", "next blursday"])
def test_a_due_date_that_is_not_a_date_is_an_error_and_nothing_changes(vault: Path, contacts, due: str) -> None:
    before = (vault / ADA).read_bytes()

    result = contacts(vault, "task", "ada", "Send notes", "--due", due)

    failed(result, 2, f"'{due}' is not a date")
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


@pytest.mark.parametrize(("text", "words"), [
    ("Send notes due:friday", "'due:friday', which reads as a date: give the due date with --due"),
    ("Call 📅 2026-12-01", "'📅', which reads as a date"),
    ("Sent done:2026-11-01", "'done:2026-11-01', which reads as a date"),
    ("", "give the task a text"),
    ("two\nlines", "the task must be one line"),
])
def test_task_text_is_checked(vault: Path, contacts, text: str, words: str) -> None:
    before = (vault / ADA).read_bytes()

    result = contacts(vault, "task", "ada", text)

    failed(result, 2, words)
    assert (vault / ADA).read_bytes() == before


def test_task_for_an_unknown_contact(vault: Path, contacts) -> None:
    failed(contacts(vault, "task", "nobody-at-all", "x"), 1, "no contact matches 'nobody-at-all'")


@pytest.mark.parametrize(("body", "expected"), [
    # no body at all: right after the front matter
    ("", "- [ ] New\n"),
    # notes only: after a blank line
    ("Met at a fair.\n", "Met at a fair.\n\n- [ ] New\n"),
    # notes, then straight into an interaction: blank lines around the task
    ("Met at a fair.\n## 2026-01-05 call\nHi.\n", "Met at a fair.\n\n- [ ] New\n\n## 2026-01-05 call\nHi.\n"),
    # no notes, an interaction right away
    ("## 2026-01-05 call\nHi.\n", "- [ ] New\n\n## 2026-01-05 call\nHi.\n"),
    # blank lines before the interaction are kept, the task goes above them
    ("Notes.\n\n\n## 2026-01-05 call\n", "Notes.\n\n- [ ] New\n\n\n## 2026-01-05 call\n"),
    # after the last task of the notes, and its indented sub-items
    ("- [ ] One\n  - detail\n\nText.\n", "- [ ] One\n  - detail\n- [ ] New\n\nText.\n"),
    # a task inside an interaction section stays where it is: the new one goes into the notes
    ("Notes.\n\n## 2026-01-05 call\n- [ ] Inside\n", "Notes.\n\n- [ ] New\n\n## 2026-01-05 call\n- [ ] Inside\n"),
    # a task in a fenced block is not a task
    ("```\n- [ ] code\n```\n", "```\n- [ ] code\n```\n\n- [ ] New\n"),
    # a file without a final newline
    ("Notes.", "Notes.\n\n- [ ] New\n"),
])
def test_where_a_new_task_goes(empty_vault: Path, contacts, body: str, expected: str) -> None:
    head = "---\nname: Kim Lee\n---\n"
    path = write(empty_vault, "kim-lee", head + body)
    before = path.read_bytes()

    ok(contacts(empty_vault, "task", "kim", "New"))

    assert path.read_text() == head + expected
    removed, _ = line_changes(before, path.read_bytes())
    assert removed in ([], [b"Notes."])  # only the unterminated last line gains its newline


def test_task_keeps_crlf_and_bom(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", "---\nname: Kim Lee\n---\nNotes.\n\n- [ ] One\n", newline="\r\n", bom=True)

    ok(contacts(empty_vault, "task", "kim", "Two", "--due", "+1d"))

    assert path.read_bytes() == (
        b"\xef\xbb\xbf---\r\nname: Kim Lee\r\n---\r\nNotes.\r\n\r\n- [ ] One\r\n- [ ] Two due:2026-11-24\r\n"
    )


def test_task_follows_a_file_that_writes_obsidian_signs(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", "---\nname: Kim Lee\n---\n- [ ] Call 📅 2026-12-03\n")

    ok(contacts(empty_vault, "task", "kim", "Write", "--due", "2026-12-10"))

    assert path.read_text().endswith("- [ ] Call 📅 2026-12-03\n- [ ] Write 📅 2026-12-10\n")


def test_task_with_no_commit_leaves_the_change_uncommitted(vault: Path, invoke) -> None:
    result = invoke("--no-commit", "-C", vault, "task", "ada", "Draft")

    ok(result)
    assert "contacts/ada-lovelace.md, not committed)" in result.stderr
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain").strip() == f"M {ADA.as_posix()}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .filter(lambda t: t.strip()),
    due=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31))),
    obsidian=st.booleans(),
)
def test_a_task_line_reads_back_as_written_or_is_refused(text: str, due: dt.date | None, obsidian: bool) -> None:
    try:
        line = task_line(text, due, obsidian)
    except Exception as exc:  # noqa: BLE001 - only the clear refusal is allowed
        assert type(exc).__name__ == "InvalidValueError"
        return
    task = parse_task(line)
    assert task is not None and not task.done and task.problems == []
    assert task.due == due
    assert task_title(task.text) == " ".join(text.split())


# contacts done


def test_done_ticks_the_only_open_task_and_stamps_today(vault: Path, contacts) -> None:
    path = vault / "contacts/marcus-webb.md"
    before = path.read_bytes()

    result = contacts(vault, "done", "marcus")

    ok(result)
    assert line_changes(before, path.read_bytes()) == (
        [b"- [ ] Send data room access due:2026-11-25\n"],
        [b"- [x] Send data room access due:2026-11-25 done:2026-11-23\n"],
    )
    assert head_message(vault) == "Complete task for Marcus Webb: Send data room access"
    assert head_files(vault) == ["contacts/marcus-webb.md"]


def test_done_by_number_and_by_text(vault: Path, contacts) -> None:
    path = vault / "contacts/agnieszka-nowak.md"

    ok(contacts(vault, "done", "agnieszka", "2", "--date", "yesterday"))
    assert "- [x] Submit tender response due:2026-12-15 done:2026-11-22\n" in path.read_text()

    ok(contacts(vault, "done", "agnieszka", "EVALUATION"))
    assert "- [x] Ask for the evaluation criteria due:2026-11-20 done:2026-11-23\n" in path.read_text()
    assert commit_count(vault) == 3


def test_done_needs_to_know_which_of_several(vault: Path, contacts) -> None:
    result = contacts(vault, "done", "agnieszka")

    failed(result, 2, "Agnieszka Nowak has 2 open tasks, say which: "
                      "1. Ask for the evaluation criteria; 2. Submit tender response")


@pytest.mark.parametrize(("which", "code", "words"), [
    ("3", 1, "Agnieszka Nowak has 2 open tasks, not 3"),
    ("0", 1, "has 2 open tasks, not 0"),
    ("dance", 1, "Agnieszka Nowak has no open task matching 'dance'"),
    ("s", 2, "'s' matches 2 open tasks of Agnieszka Nowak"),
])
def test_done_with_a_task_that_is_not_there(vault: Path, contacts, which: str, code: int, words: str) -> None:
    before = (vault / "contacts/agnieszka-nowak.md").read_bytes()

    failed(contacts(vault, "done", "agnieszka", which), code, words)
    assert (vault / "contacts/agnieszka-nowak.md").read_bytes() == before


def test_done_for_a_contact_without_open_tasks(vault: Path, contacts) -> None:
    failed(contacts(vault, "done", "camille"), 1, "Camille Laurent has no open tasks")


def test_done_stamps_obsidian_tasks_the_obsidian_way(vault: Path, contacts) -> None:
    ok(contacts(vault, "done", "soren", "call back"))

    assert "- [x] Call back 📅 2026-12-03 ✅ 2026-11-23\n" in (vault / "contacts/soren-kierkegaard-nielsen.md").read_text()


def test_done_ticks_a_task_inside_an_interaction_section_and_keeps_crlf(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", "---\nname: Kim Lee\n---\n## 2026-11-20 call\n  * [ ] Send slides  \n",
                 newline="\r\n")

    ok(contacts(empty_vault, "done", "kim"))

    assert path.read_bytes().endswith(b"## 2026-11-20 call\r\n  * [x] Send slides done:2026-11-23\r\n")


@pytest.mark.parametrize(("line", "expected"), [
    ("- [ ] a due:2026-01-01", "- [x] a due:2026-01-01 done:2026-11-23"),
    ("\t+ [ ] b\r", "\t+ [x] b done:2026-11-23\r"),
    ("- [ ] [ ] c 📅 2026-01-01", "- [x] [ ] c 📅 2026-01-01 ✅ 2026-11-23"),
])
def test_tick_line(line: str, expected: str) -> None:
    assert tick_line(line, dt.date(2026, 11, 23)) == expected


# contacts meet


def test_meet_appends_an_appointment_and_commits_it(vault: Path, contacts) -> None:
    before = (vault / ADA).read_bytes()

    result = contacts(vault, "meet", "ada", "--date", "2026-12-05", "--time", "14:00", "Demo",
                      "-m", "Bring the Q1 numbers.")

    ok(result)
    after = (vault / ADA).read_bytes()
    assert after == before + b"\n## 2026-12-05 14:00 meeting \xe2\x80\x94 Demo\nBring the Q1 numbers.\n"
    assert head_message(vault) == "Schedule meeting with Ada Lovelace on 2026-12-05 14:00"
    assert head_files(vault) == [ADA.as_posix()]


def test_meet_takes_a_kind_and_relative_dates(vault: Path, contacts) -> None:
    ok(contacts(vault, "meet", "zoe", "call", "Pilot check-in", "--date", "next tuesday", "--time", "9:30"))

    assert (vault / "contacts/zoe-muller.md").read_text().endswith("\n## 2026-11-24 09:30 call — Pilot check-in\n")


def test_meet_without_a_time_is_all_day(vault: Path, contacts) -> None:
    ok(contacts(vault, "meet", "zoe", "--date", "+7d"))

    assert (vault / "contacts/zoe-muller.md").read_text().endswith("\n## 2026-11-30 meeting\n")
    assert head_message(vault) == "Schedule meeting with Zoë Müller on 2026-11-30"


@pytest.mark.parametrize(("args", "code", "words"), [
    (("--date", "yesterday"), 2, "2026-11-22 is in the past: an appointment is ahead"),
    (("--date", "2026-12-01", "--time", "25:00"), 2, "'25:00' is not a 24-hour time"),
    (("--date", "2026-12-01", "--time", "2pm"), 2, "'2pm' is not a 24-hour time"),
    (("--date", "someday"), 2, "'someday' is not a date"),
])
def test_meet_refuses_what_is_not_an_appointment(vault: Path, contacts, args: tuple[str, ...], code: int,
                                                  words: str) -> None:
    before = (vault / ADA).read_bytes()

    failed(contacts(vault, "meet", "ada", *args), code, words)
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


def test_meet_needs_a_date(vault: Path, contacts) -> None:
    result = contacts(vault, "meet", "ada")

    assert result.exit_code == 2
    assert "Missing option '--date'" in result.stderr


def test_meet_with_a_kind_the_vault_does_not_know(vault: Path, contacts) -> None:
    result = contacts(vault, "meet", "ada", "lunch", "Catch-up", "--date", "+1d")

    assert result.exit_code == 2
    assert "'lunch' is not an interaction kind" in result.stderr


def test_an_appointment_becomes_an_ordinary_interaction_when_its_day_has_passed(vault: Path, invoke) -> None:
    ok(invoke("--today", TODAY, "-C", vault, "meet", "ada", "call", "Follow-up", "--date", "2026-11-25"))

    later = invoke("--today", "2026-11-26", "-C", vault, "show", "ada", "--format", "json")
    ok(later)
    assert '"date": "2026-11-25"' in later.stdout
    listed = invoke("--today", "2026-11-26", "-C", vault, "list", "--format", "csv")
    assert "Ada Lovelace" in listed.stdout and "2026-11-25" in listed.stdout
