"""What happened and what is planned: `log` records, `meet` schedules, and only appointments are
followed up (agenda, remind, the calendar feed, stale), as the manual says.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from followups import TODAY, failed, ok, write

from vault_tool import Vault
from vault_tool.errors import InvalidValueError
from vault_tool.followups.edits import schedule
from vault_tool.format.body import Interaction, parse_heading, render_heading
from vault_tool.interop.ical import to_ics

MONDAY = dt.date.fromisoformat(TODAY)
KIM = """\
    ---
    name: Kim Lee
    ---
    Met at the fair.
    """


@pytest.fixture
def contacts(invoke):
    def run(vault: Path, *args: str, today: str = TODAY):
        return invoke("--today", today, "-C", vault, *args)

    return run


def feed_summaries(root: Path) -> list[str]:
    calendar = icalendar.Calendar.from_ical(to_ics(Vault.open(root).load().contacts, MONDAY))
    return [str(c["SUMMARY"]) for c in calendar.walk() if c.name == "VEVENT"]


def test_an_interaction_logged_today_is_marked_and_is_no_appointment(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", KIM)

    ok(contacts(empty_vault, "log", "kim", "call", "Renewal", "-m", "Wants a demo first."))

    assert path.read_text().endswith("## 2026-11-23 call — Renewal ✓\nWants a demo first.\n")
    assert "Appointments" not in contacts(empty_vault, "agenda").stdout
    reminder = contacts(empty_vault, "remind", "--exit-code")
    assert reminder.exit_code == 0, reminder.output  # nothing is due
    assert reminder.stdout == ""
    assert feed_summaries(empty_vault) == []
    assert "(upcoming)" not in contacts(empty_vault, "show", "kim").stdout


def test_meet_today_is_an_appointment_everywhere(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", KIM)

    ok(contacts(empty_vault, "meet", "kim", "--date", "today", "--time", "16:00", "Demo"))

    assert path.read_text().endswith("## 2026-11-23 16:00 meeting — Demo\n")
    assert "2026-11-23 16:00  today  Kim Lee  meeting — Demo" in contacts(empty_vault, "agenda").stdout
    reminder = contacts(empty_vault, "remind", "--exit-code")
    assert reminder.exit_code == 1 and "Kim Lee" in reminder.stdout
    assert feed_summaries(empty_vault) == ["Kim Lee: meeting — Demo"]


def test_log_refuses_a_date_in_the_future(empty_vault: Path, contacts) -> None:
    path = write(empty_vault, "kim-lee", KIM)
    before = path.read_bytes()

    failed(contacts(empty_vault, "log", "kim", "call", "--date", "tomorrow"), 2,
           "2026-11-24 is in the future: 'log' records what happened (use 'contacts meet'")
    assert path.read_bytes() == before


def test_meet_refuses_a_time_today_that_has_passed(empty_vault: Path) -> None:
    write(empty_vault, "kim-lee", KIM)
    vault = Vault.open(empty_vault, today=MONDAY)
    noon = dt.datetime.combine(MONDAY, dt.time(12, 0))

    with pytest.raises(InvalidValueError, match="2026-11-23 11:30 is in the past: an appointment is ahead"):
        schedule(vault, "kim", Interaction(MONDAY, "meeting", "Demo", time="11:30"), now=noon)
    change = schedule(vault, "kim", Interaction(MONDAY, "meeting", "Demo", time="12:30"), now=noon)
    assert change.changed


def test_a_heading_dated_today_without_the_mark_still_reads_as_an_appointment(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", KIM + "\n    ## 2026-11-23 call — Catch-up\n")

    assert "2026-11-23  today  Kim Lee  call — Catch-up" in contacts(empty_vault, "agenda").stdout
    assert feed_summaries(empty_vault) == ["Kim Lee: call — Catch-up"]
    # the next day it is the past, mark or none
    assert "Catch-up" not in contacts(empty_vault, "agenda", today="2026-11-24").stdout


@pytest.mark.parametrize(("line", "logged", "summary", "kind"), [
    ("## 2026-11-23 call — Renewal ✓", True, "Renewal", "call"),
    ("## 2026-11-23 call ✓", True, "", "call"),
    ("## 2026-11-23 note ✓", True, "", "note"),
    ("## 2026-11-23 14:00 meeting — Demo", False, "Demo", "meeting"),
    ("## 2026-11-23 call — Renewal ✓  ", True, "Renewal", "call"),
])
def test_the_logged_mark_reads_and_writes_back(line: str, logged: bool, summary: str, kind: str) -> None:
    item = parse_heading(line)

    assert item is not None
    assert (item.logged, item.summary, item.kind) == (logged, summary, kind)
    assert render_heading(item) == line.rstrip()


def test_a_summary_may_not_end_with_the_mark(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", KIM)

    failed(contacts(empty_vault, "meet", "kim", "--date", "tomorrow", "Done ✓"), 2,
           "a summary may not end with ✓")


def test_stale_leaves_out_a_contact_added_today_and_one_with_an_appointment(empty_vault: Path, contacts) -> None:
    real_today = dt.date.today().isoformat()
    write(empty_vault, "kim-lee", KIM)  # committed today, never in touch
    write(empty_vault, "ana-ruiz", "---\nname: Ana Ruiz\n---\n\n## 2025-01-05 call\n")
    write(empty_vault, "bo-chen", f"---\nname: Bo Chen\n---\n\n## 2025-01-05 call\n\n## {real_today} meeting — Lunch\n")

    result = contacts(empty_vault, "stale", "--format", "paths", today=real_today)

    ok(result)
    assert result.stdout == "contacts/ana-ruiz.md\n"


def test_a_contact_never_in_touch_is_stale_once_it_has_been_in_the_vault_that_long(empty_vault: Path,
                                                                                    contacts) -> None:
    write(empty_vault, "kim-lee", KIM)
    later = (dt.date.today() + dt.timedelta(days=100)).isoformat()
    sooner = (dt.date.today() + dt.timedelta(days=10)).isoformat()

    assert contacts(empty_vault, "stale", "--format", "paths", today=later).stdout == "contacts/kim-lee.md\n"
    quiet = contacts(empty_vault, "stale", "--format", "paths", today=sooner)
    assert quiet.stdout == ""


def test_show_orders_same_day_interactions_by_time_then_file_order(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", KIM + """
    ## 2026-11-20 call — First
    ## 2026-11-20 call — Second
    ## 2026-11-20 09:00 meeting — Morning
    ## 2026-11-19 email — Before
    """)

    result = contacts(empty_vault, "show", "kim", "--limit", "3")

    ok(result)
    shown = result.stdout.split("Interactions (4), newest 3\n")[1].splitlines()
    assert shown == ["  2026-11-20 09:00 meeting — Morning", "  2026-11-20 call — Second", "  2026-11-20 call — First"]


def test_show_prints_each_open_task_once(vault: Path, contacts) -> None:
    result = contacts(vault, "show", "ada")

    ok(result)
    assert result.stdout.count("Send the Bernoulli notes") == 1
    assert "  [ ] Send the Bernoulli notes due:2026-12-01" in result.stdout
    assert "- [x] Introduce to Charles done:2026-11-02" in result.stdout  # a done task stays in the notes
