"""What needs attention: `contacts tasks`, `agenda`, `remind`, `stale`, and the library under them.

"Today" is always pinned: `--today` on the command line, a `today` argument in the library.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from followups import TODAY, ok, person, write
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vault_tool.followups import agenda as ag
from vault_tool.followups.text import agenda_text, relative, reminder_lines
from vault_tool.format.schedule import parse_birthday

D = dt.date.fromisoformat
MONDAY = D(TODAY)


@pytest.fixture
def contacts(invoke):
    """Run `contacts --today 2026-11-23 -C VAULT ARGS…`."""

    def run(vault: Path, *args: str, today: str = TODAY):
        return invoke("--today", today, "-C", vault, *args)

    return run


# contacts tasks


def test_tasks_lists_open_tasks_soonest_first_with_overdue_ones_marked(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "tasks")

    ok(result)
    assert result.stdout == (
        "DUE         WHEN             CONTACT                    #  TASK\n"
        "2026-10-01  53 days overdue  François Dupont            1  Check in after their reorg\n"
        "2026-11-15  8 days overdue   Charles Babbage            1  Send Q4 board pack\n"
        "2026-11-18  5 days overdue   Dieter Brandt              1  Send reference customer list\n"
        "2026-11-20  3 days overdue   Agnieszka Nowak            1  Ask for the evaluation criteria\n"
        "2026-11-25  in 2 days        Marcus Webb                1  Send data room access\n"
        "2026-11-27  in 4 days        Søren Kierkegaard-Nielsen  1  Send birthday card\n"
        "2026-11-28  in 5 days        Zoë Müller                 1  Send proposal\n"
        "2026-11-30  in 7 days        Łukasz Żuk                 1  Send security questionnaire answers\n"
        "2026-12-01  in 8 days        Ada Lovelace               1  Send the Bernoulli notes\n"
        "2026-12-03  in 10 days       Søren Kierkegaard-Nielsen  2  Call back\n"
        "2026-12-15  in 22 days       Agnieszka Nowak            2  Submit tender response\n"
    )


@pytest.mark.parametrize(("args", "handles"), [
    (("--overdue",), ["francois-dupont", "charles-babbage", "dieter-brandt", "agnieszka-nowak"]),
    (("--overdue", "--owner", "alice"), ["charles-babbage"]),
    (("--due-before", "2026-11-25"),
     ["francois-dupont", "charles-babbage", "dieter-brandt", "agnieszka-nowak", "marcus-webb"]),
    (("--due-before", "+2d", "--owner", "bob"), ["francois-dupont", "dieter-brandt"]),
    (("--owner", "nobody"), []),
])
def test_tasks_filters(example_copy: Path, contacts, args: tuple[str, ...], handles: list[str]) -> None:
    result = contacts(example_copy, "tasks", *args, "--format", "json")

    ok(result)
    assert [row["handle"] for row in json.loads(result.stdout)] == handles


@pytest.mark.parametrize(("query", "handles"), [
    ("tag:customer", ["charles-babbage", "soren-kierkegaard-nielsen", "ada-lovelace", "soren-kierkegaard-nielsen"]),
    ("stage:lead", ["agnieszka-nowak", "lukasz-zuk", "agnieszka-nowak"]),
    ("company:\"vistula health\" OR birthday", ["agnieszka-nowak", "soren-kierkegaard-nielsen", "lukasz-zuk",
                                                "soren-kierkegaard-nielsen", "agnieszka-nowak"]),
    ("owner:bob", ["francois-dupont", "dieter-brandt", "zoe-muller"]),
])
def test_tasks_of_the_contacts_a_query_selects(example_copy: Path, contacts, query: str, handles: list[str]) -> None:
    result = contacts(example_copy, "tasks", query, "--format", "json")

    ok(result)
    assert [row["handle"] for row in json.loads(result.stdout)] == handles


def test_tasks_query_and_filters_together(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "tasks", "tag:customer", "--overdue", "--format", "csv")

    ok(result)
    assert result.stdout == "due,when,contact,n,task\n2026-11-15,8 days overdue,Charles Babbage,1,Send Q4 board pack\n"


def test_tasks_as_json_carry_what_a_script_needs(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "tasks", "--format", "json")

    row = json.loads(result.stdout)[0]
    assert row == {
        "due": "2026-10-01", "when": "53 days overdue", "overdue": True, "contact": "François Dupont",
        "handle": "francois-dupont", "owner": "bob", "path": "contacts/francois-dupont.md", "n": 1,
        "task": "Check in after their reorg", "text": "Check in after their reorg due:2026-10-01", "line": 20,
    }


def test_tasks_csv_and_jsonl(example_copy: Path, contacts) -> None:
    csv_out = contacts(example_copy, "tasks", "--overdue", "--owner", "alice", "--format", "csv")
    assert csv_out.stdout == "due,when,contact,n,task\n2026-11-15,8 days overdue,Charles Babbage,1,Send Q4 board pack\n"
    lines = contacts(example_copy, "tasks", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 11 and json.loads(lines[-1])["task"] == "Submit tender response"


def test_tasks_with_a_bad_due_before(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "tasks", "--due-before", "whenever")

    assert result.exit_code == 2
    assert "'whenever' is not a date" in result.stderr


def test_tasks_in_notes_and_in_interactions_both_count_and_obsidian_signs_are_read(empty_vault: Path,
                                                                                   contacts) -> None:
    write(empty_vault, "kim-lee", """\
        ---
        name: Kim Lee
        ---
        - [ ] Undated
        - [x] Finished due:2026-11-01 done:2026-11-02
        - [ ] Obsidian 📅 2026-11-24

        ## 2026-11-10 call — Kick-off
        * [ ] From the call due:2026-11-20
        ```
        - [ ] in a code block due:2026-11-01
        ```
        """)

    result = contacts(empty_vault, "tasks")

    ok(result)
    assert result.stdout == (
        "DUE         WHEN            CONTACT  #  TASK\n"
        "2026-11-20  3 days overdue  Kim Lee  3  From the call\n"
        "2026-11-24  tomorrow        Kim Lee  2  Obsidian\n"
        "                            Kim Lee  1  Undated\n"
    )


def test_a_task_due_date_that_is_not_a_date_is_named_never_dropped(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", "---\nname: Kim Lee\n---\n- [ ] Renew due:2026-02-30\n")

    result = contacts(empty_vault, "tasks")

    ok(result)
    assert "Kim Lee  1  Renew" in result.stdout
    assert result.stderr == (
        f"warning: {empty_vault / 'contacts/kim-lee.md'}:4: 'due:2026-02-30' is not a date (use YYYY-MM-DD)\n"
    )


def test_a_file_that_does_not_parse_is_skipped_with_a_warning(example_copy: Path, contacts) -> None:
    (example_copy / "contacts/broken.md").write_text("---\nname: [unclosed\n---\n- [ ] Lost due:2026-11-01\n")

    result = contacts(example_copy, "tasks", "--overdue")

    ok(result)
    assert "broken.md" in result.stderr and "(skipped)" in result.stderr
    assert "Send Q4 board pack" in result.stdout


def test_no_tasks_prints_nothing(empty_vault: Path, contacts) -> None:
    result = contacts(empty_vault, "tasks")

    ok(result)
    assert result.stdout == ""
    assert contacts(empty_vault, "tasks", "--format", "json").stdout == "[]\n"


def test_a_task_added_shows_and_a_task_done_goes(vault: Path, contacts) -> None:
    ok(contacts(vault, "task", "ada", "Book the room", "--due", "tomorrow"))
    assert "2026-11-24  tomorrow         Ada Lovelace               2  Book the room" in contacts(vault, "tasks").stdout

    ok(contacts(vault, "done", "ada", "2"))
    assert "Book the room" not in contacts(vault, "tasks").stdout


# contacts agenda


EXAMPLE_AGENDA = """\
Agenda from 2026-11-23 through 2026-12-07

Overdue tasks (4)
  2026-10-01  53 days overdue  François Dupont  Check in after their reorg
  2026-11-15  8 days overdue   Charles Babbage  Send Q4 board pack
  2026-11-18  5 days overdue   Dieter Brandt    Send reference customer list
  2026-11-20  3 days overdue   Agnieszka Nowak  Ask for the evaluation criteria

Tasks due (6)
  2026-11-25  in 2 days   Marcus Webb                Send data room access
  2026-11-27  in 4 days   Søren Kierkegaard-Nielsen  Send birthday card
  2026-11-28  in 5 days   Zoë Müller                 Send proposal
  2026-11-30  in 7 days   Łukasz Żuk                 Send security questionnaire answers
  2026-12-01  in 8 days   Ada Lovelace               Send the Bernoulli notes
  2026-12-03  in 10 days  Søren Kierkegaard-Nielsen  Call back

Appointments (2)
  2026-11-26 10:00  in 3 days  Zoë Müller   meeting — Pilot workshop in Berlin
  2026-12-02 14:00  in 9 days  Marcus Webb  call — Term sheet follow-up

Keep in touch (6)
  Camille Laurent            every 90d  last 2026-03-02 (176 days overdue)
  Lumière Médias             every 90d  last 2026-03-30 (148 days overdue)
  François Dupont            every 90d  last 2026-04-08 (139 days overdue)
  Søren Kierkegaard-Nielsen  every 6w   last 2026-09-29 (13 days overdue)
  Emily Carter               every 30d  last 2026-10-14 (10 days overdue)
  Charles Babbage            every 14d  last 2026-11-02 (7 days overdue)

Birthdays (1)
  2026-12-01  in 8 days  Søren Kierkegaard-Nielsen

Overdue deals (1)
  2026-11-15  8 days overdue  Brandt plant rollout  negotiation  48,000 EUR
"""


def test_agenda_of_the_example_vault(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "agenda")

    ok(result)
    assert result.stdout == EXAMPLE_AGENDA
    assert result.stderr == ""


def test_agenda_today_comes_from_the_environment_too(example_copy: Path, invoke,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTS_TODAY", TODAY)

    assert invoke("-C", example_copy, "agenda").stdout == EXAMPLE_AGENDA


def test_agenda_days_and_owner(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "agenda", "--days", "20", "--owner", "alice")

    ok(result)
    assert result.stdout == (
        "Agenda from 2026-11-23 through 2026-12-13\n"
        "\n"
        "Overdue tasks (1)\n"
        "  2026-11-15  8 days overdue  Charles Babbage  Send Q4 board pack\n"
        "\n"
        "Tasks due (1)\n"
        "  2026-12-01  in 8 days  Ada Lovelace  Send the Bernoulli notes\n"
        "\n"
        "Appointments (1)\n"
        "  2026-12-09  in 16 days  Ada Lovelace  meeting — Demo at their office\n"
        "\n"
        "Keep in touch (1)\n"
        "  Charles Babbage  every 14d  last 2026-11-02 (7 days overdue)\n"
    )


def test_agenda_as_json(example_copy: Path, contacts) -> None:
    data = json.loads(contacts(example_copy, "agenda", "--format", "json", "--owner", "bob").stdout)

    assert data["today"] == TODAY and data["until"] == "2026-12-07"
    assert [r["handle"] for r in data["overdue_tasks"]] == ["francois-dupont", "dieter-brandt"]
    assert data["appointments"][0] == {
        "date": "2026-11-26", "time": "10:00", "when": "in 3 days", "contact": "Zoë Müller",
        "handle": "zoe-muller", "owner": "bob", "path": "contacts/zoe-muller.md", "kind": "meeting",
        "summary": "Pilot workshop in Berlin", "line": 37,
    }
    assert data["keep_in_touch"][0] == {
        "contact": "Camille Laurent", "handle": "camille-laurent", "owner": "bob",
        "path": "contacts/camille-laurent.md", "cadence": "90d", "last_contact": "2026-03-02",
        "due": "2026-05-31", "days_since": 266,
    }
    assert data["birthdays"] == []


def test_an_empty_agenda_says_so(empty_vault: Path, contacts) -> None:
    result = contacts(empty_vault, "agenda")

    ok(result)
    assert result.stdout == "Nothing needs attention from 2026-11-23 through 2026-12-07.\n"


def test_logging_an_interaction_resets_the_keep_in_touch_clock(vault: Path, contacts) -> None:
    assert "Charles Babbage            every 14d" in contacts(vault, "agenda").stdout
    before = (vault / "contacts/charles-babbage.md").read_bytes()

    ok(contacts(vault, "log", "charles", "call", "Board pack", "-m", "Sent it."))

    after = (vault / "contacts/charles-babbage.md").read_bytes()
    assert after.startswith(before)  # only the interaction was written: nothing else is stored
    assert "Charles Babbage" not in contacts(vault, "agenda").stdout.split("Keep in touch")[-1]
    later = contacts(vault, "agenda", today="2026-12-07").stdout
    assert "Charles Babbage            every 14d  last 2026-11-23 (due today)" in later


def test_a_bad_keep_in_touch_default_in_vault_yaml(empty_vault: Path, contacts) -> None:
    config = empty_vault / "vault.yaml"
    config.write_text(config.read_text().replace("keep_in_touch: 90d", "keep_in_touch: quarterly"))

    result = contacts(empty_vault, "agenda")

    assert result.exit_code == 1
    assert "vault.yaml: keep_in_touch: 'quarterly' is not a duration" in result.stderr


def test_bad_values_in_a_contact_are_named_and_read_around(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", """\
        ---
        name: Kim Lee
        birthday: 1990-02-30
        keep_in_touch: often
        ---
        - [ ] Renew due:soon

        ## 2026-01-05 call
        """)

    result = contacts(empty_vault, "agenda")

    ok(result)
    path = empty_vault / "contacts/kim-lee.md"
    assert result.stderr.splitlines() == [
        f"warning: {path}:6: 'due:soon' is not a date (use YYYY-MM-DD)",
        f"warning: {path}:3: birthday '1990-02-30' is not a date: use YYYY-MM-DD, or --MM-DD without a year",
        f"warning: {path}:4: keep_in_touch: 'often' is not a duration: use a number and d, w, m or y, e.g. 30d",
    ]
    assert "Kim Lee  every 90d  last 2026-01-05" in result.stdout  # the vault's cadence stands in


# contacts remind


def test_remind_prints_nothing_and_exits_0_when_nothing_is_due(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", "---\nname: Kim Lee\n---\n- [ ] Later due:2026-12-20\n\n## 2026-11-01 call\n")

    result = contacts(empty_vault, "remind")

    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert contacts(empty_vault, "remind", "--exit-code").exit_code == 0


def test_remind_prints_a_line_for_each_thing_due(empty_vault: Path, contacts) -> None:
    write(empty_vault, "kim-lee", """\
        ---
        name: Kim Lee
        birthday: 1990-11-24
        keep_in_touch: 2w
        ---
        - [ ] Send the invoice due:2026-11-20
        - [ ] Confirm the room due:2026-11-23
        - [ ] Print handouts due:2026-11-24
        - [ ] Later due:2026-11-25

        ## 2026-11-01 call — Intro
        """)
    write(empty_vault, "ana-ruiz", """\
        ---
        name: Ana Ruiz
        birthday: --11-23
        ---
        ## 2026-10-01 call

        ## 2026-11-24 10:30 meeting — Workshop
        """)

    result = contacts(empty_vault, "remind")

    assert result.exit_code == 0
    assert result.stdout == (
        "Overdue since 2026-11-20: Kim Lee — Send the invoice\n"
        "Due today: Kim Lee — Confirm the room\n"
        "Due tomorrow: Kim Lee — Print handouts\n"
        "Tomorrow 10:30: meeting with Ana Ruiz — Workshop\n"
        "Get in touch: Kim Lee (every 2w; last 2026-11-01)\n"
        "Birthday today: Ana Ruiz\n"
        "Birthday tomorrow: Kim Lee (turns 36)\n"
    )
    assert contacts(empty_vault, "remind", "--exit-code").exit_code == 1
    assert "Later" in contacts(empty_vault, "remind", "--days", "2").stdout


# contacts stale


def test_stale_lists_contacts_silent_for_longer_than_the_default_cadence(example_copy: Path, contacts) -> None:
    result = contacts(example_copy, "stale")

    ok(result)
    assert result.stdout == (
        "NAME             LAST CONTACT  DAYS  OWNER  STAGE\n"
        "Camille Laurent  2026-03-02    266   bob    churned\n"
        "Lumière Médias   2026-03-30    238   bob    churned\n"
        "François Dupont  2026-04-08    229   bob    churned\n"
    )


def test_stale_days_owner_and_never_contacted(example_copy: Path, contacts) -> None:
    (example_copy / "contacts/new-person.md").write_text("---\nname: New Person\nowner: bob\n---\n")

    result = contacts(example_copy, "stale", "--days", "60", "--owner", "bob", "--format", "json")

    ok(result)
    rows = json.loads(result.stdout)
    assert [(r["handle"], r["last_contact"], r["days"]) for r in rows] == [
        ("new-person", None, None),  # no value is null in JSON (the table says "never")
        ("camille-laurent", "2026-03-02", 266),
        ("lumiere-medias", "2026-03-30", 238),
        ("francois-dupont", "2026-04-08", 229),
        ("wang-fang", "2026-09-03", 81),
        ("dieter-brandt", "2026-09-10", 74),
        ("rachel-okafor", "2026-09-24", 60),  # exactly 60 days: no interaction for 60 days
    ]
    day_more = contacts(example_copy, "stale", "--days", "61", "--owner", "bob", "--format", "csv").stdout
    assert "Dieter Brandt" in day_more and "Rachel Okafor" not in day_more
    paths = contacts(example_copy, "stale", "--days", "200", "--format", "paths").stdout
    assert paths == "contacts/new-person.md\ncontacts/camille-laurent.md\ncontacts/lumiere-medias.md\n" \
                    "contacts/francois-dupont.md\n"


# The library, with today as an argument


def test_keep_in_touch_is_due_on_the_day_the_cadence_runs_out() -> None:
    kim = person("""\
        ---
        name: Kim Lee
        keep_in_touch: 30d
        ---
        ## 2026-10-24 call
        """)

    assert ag.keep_in_touch([kim], D("2026-11-22"), "90d") == []
    assert [k.due for k in ag.keep_in_touch([kim], D("2026-11-23"), "90d")] == [D("2026-11-23")]
    assert [k.due for k in ag.keep_in_touch([kim], D("2026-12-25"), "90d")] == [D("2026-11-23")]


@pytest.mark.parametrize(("cadence", "due"), [
    ("14d", "2026-01-15"), ("6w", "2026-02-12"), ("3m", "2026-04-01"), ("1y", "2027-01-01"),
])
def test_cadences_in_days_weeks_months_years(cadence: str, due: str) -> None:
    kim = person(f"---\nname: Kim Lee\nkeep_in_touch: {cadence}\n---\n## 2026-01-01 call\n")

    assert [k.due for k in ag.keep_in_touch([kim], D("2027-06-01"), "90d")] == [D(due)]


def test_keep_in_touch_uses_the_vault_default_and_skips_planned_contacts() -> None:
    default = person("---\nname: Default\n---\n## 2026-08-01 call\n", "default")
    planned = person("---\nname: Planned\n---\n## 2026-01-01 call\n## 2026-12-24 meeting\n", "planned")
    never_own = person("---\nname: Never Own\nkeep_in_touch: 30d\n---\n", "never-own")
    never_default = person("---\nname: Never Default\n---\n", "never-default")

    found = ag.keep_in_touch([default, planned, never_own, never_default], MONDAY, "60d")

    assert [(k.contact.handle, k.cadence, k.last) for k in found] == [
        ("never-own", "30d", None), ("default", "60d", D("2026-08-01")),
    ]


def test_appointments_are_interactions_from_today_on() -> None:
    kim = person("""\
        ---
        name: Kim Lee
        ---
        ## 2026-11-22 call — Yesterday
        ## 2026-11-23 09:00 meeting — This morning
        ## 2026-11-30 note — Next week
        ## 2026-11-24 14:00 call — Tomorrow
        ## 2026-12-08 meeting — Too far
        """)

    found = ag.appointments([kim], MONDAY, MONDAY + dt.timedelta(days=14))

    assert [a.interaction.summary for a in found] == ["This morning", "Tomorrow", "Next week"]


@pytest.mark.parametrize(("birthday", "today", "date", "age"), [
    ("1815-12-10", "2026-11-23", "2026-12-10", 211),
    ("--12-01", "2026-11-23", "2026-12-01", None),
    ("--11-23", "2026-11-23", "2026-11-23", None),
    ("--01-02", "2026-12-28", "2027-01-02", None),
    ("1988-02-29", "2027-02-20", "2027-02-28", 39),
    ("1988-02-29", "2028-02-20", "2028-02-29", 40),
    ("--02-29", "2026-02-27", "2026-02-28", None),
])
def test_birthdays_with_and_without_a_year(birthday: str, today: str, date: str, age: int | None) -> None:
    kim = person(f"---\nname: Kim Lee\nbirthday: {birthday}\n---\n")

    found = ag.birthdays([kim], D(today), D(today) + dt.timedelta(days=20))

    assert [(b.date, b.age) for b in found] == [(D(date), age)]


def test_a_birthday_outside_the_window_is_not_listed() -> None:
    kim = person("---\nname: Kim Lee\nbirthday: --11-22\n---\n")

    assert ag.birthdays([kim], MONDAY, MONDAY + dt.timedelta(days=300)) == []


@pytest.mark.parametrize("value", ["1990-02-30", "--13-01", "12-01", "1990/01/01", "yesterday", "--1-1"])
def test_birthdays_that_are_not_dates(value: str) -> None:
    with pytest.raises(Exception, match="is not a date"):
        parse_birthday(value)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       st.booleans())
def test_the_next_birthday_is_within_a_year_and_on_the_day(born: dt.date, today: dt.date, year_known: bool) -> None:
    text = born.isoformat() if year_known else born.strftime("--%m-%d")
    birthday = parse_birthday(text)

    coming = birthday.next(today)

    assert today <= coming < today + dt.timedelta(days=367)
    if (born.month, born.day) != (2, 29):
        assert (coming.month, coming.day) == (born.month, born.day)
    else:
        assert coming.month == 2 and coming.day in (28, 29)


def test_build_agenda_sorts_each_section_and_filters_by_owner() -> None:
    kim = person("---\nname: Kim Lee\nowner: alice\n---\n- [ ] B due:2026-11-25\n- [ ] A due:2026-11-20\n", "kim")
    ana = person("---\nname: Ana Ruiz\nowner: bob\n---\n- [ ] C due:2026-11-24\n", "ana")

    everyone = ag.build_agenda([kim, ana], MONDAY, days=7)
    alice = ag.build_agenda([kim, ana], MONDAY, days=7, owner="alice")

    assert [(t.contact.handle, t.title, t.number) for t in everyone.overdue] == [("kim", "A", 2)]
    assert [t.title for t in everyone.due] == ["C", "B"]
    assert [t.title for t in alice.due] == ["B"]
    with pytest.raises(Exception, match="days must be 0 or more"):
        ag.build_agenda([kim], MONDAY, days=-1)


def test_the_text_forms() -> None:
    assert [relative(MONDAY + dt.timedelta(days=n), MONDAY) for n in (-3, -1, 0, 1, 3)] == [
        "3 days ago", "yesterday", "today", "tomorrow", "in 3 days",
    ]
    empty = ag.Agenda(MONDAY, MONDAY)
    assert reminder_lines(empty) == []
    assert agenda_text(empty) == "Nothing needs attention from 2026-11-23 through 2026-11-23."


# The installed entry point, as cron would run it


def test_follow_ups_end_to_end_through_the_installed_command(tmp_path: Path) -> None:
    beside = Path(sys.executable).with_name("contacts")
    command = str(beside) if beside.is_file() else shutil.which("contacts")
    assert command, "the `contacts` entry point is installed (pip install -e .)"
    env = {**os.environ, "CONTACTS_TODAY": TODAY}

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([command, *map(str, args)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60)

    assert run("init", "crm").returncode == 0
    assert run("-C", "crm", "add", "Kim Lee", "--email", "kim@example.com").returncode == 0
    assert run("-C", "crm", "remind").stdout == ""

    assert run("-C", "crm", "task", "kim", "Send the quote", "--due", "tomorrow").returncode == 0
    assert run("-C", "crm", "meet", "kim", "call", "Quote", "--date", "today", "--time", "15:00").returncode == 0
    reminded = run("-C", "crm", "remind", "--exit-code")

    assert reminded.returncode == 1
    assert reminded.stdout == "Due tomorrow: Kim Lee — Send the quote\nToday 15:00: call with Kim Lee — Quote\n"
    assert run("-C", "crm", "done", "kim").returncode == 0
    assert run("-C", "crm", "tasks").stdout == ""
    log = subprocess.run(["git", "log", "--format=%s"], cwd=tmp_path / "crm", capture_output=True, text=True).stdout
    assert log.splitlines()[:3] == [
        "Complete task for Kim Lee: Send the quote",
        "Schedule call with Kim Lee on 2026-11-23 15:00",
        "Add task for Kim Lee: Send the quote",
    ]


_NEAR_A_CADENCE = (  # about 3m, 6w and 30d before today
    st.dates(dt.date(2026, 8, 26), dt.date(2026, 9, 3)) | st.dates(dt.date(2026, 10, 12), dt.date(2026, 10, 24))
    | st.dates(dt.date(2026, 11, 1), dt.date(2026, 12, 10))
)
_FOLLOWED = st.tuples(
    st.lists(_NEAR_A_CADENCE, max_size=2),
    st.sampled_from([None, "30d", "2w", "1m", "3m"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_FOLLOWED, min_size=1, max_size=8), st.sampled_from(["90d", "3m", "6w"]),
       st.dates(dt.date(2026, 11, 28), dt.date(2026, 12, 3)))
@example([([dt.date(2026, 8, 31)], None)], "3m", dt.date(2026, 11, 30))  # 31 August + 3 months: 30 November
def test_the_agenda_from_the_index_is_the_agenda_of_every_parsed_contact(
    tmp_path_factory: pytest.TempPathFactory, contacts: list[tuple[list[dt.date], str | None]], cadence: str,
    today: dt.date,
) -> None:
    """The index picks the contacts that may be on the agenda (a week of slack only for a default cadence in
    months); the agenda it answers is the one of every contact, parsed from its file."""
    from vault_tool.store.vault import Vault

    root = tmp_path_factory.mktemp("v")
    (root / "contacts").mkdir()
    (root / "vault.yaml").write_text(f"version: 1\nkeep_in_touch: {cadence}\n")
    for number, (days, own) in enumerate(contacts):
        own_line = f"keep_in_touch: {own}\n" if own else ""
        headings = "".join(f"\n## {day.isoformat()} call — Call {number}\n" for day in days)
        path = root / "contacts" / f"c{number}.md"
        path.write_text(f"---\nname: Person {number}\n{own_line}---\n{headings}", encoding="utf-8")
        os.utime(path, (0, 0))
    vault = Vault.open(root, today=today)
    indexed = ag.agenda(vault, days=7, today=today)
    parsed = ag.build_agenda(vault.load().contacts, today, 7, cadence)
    assert [(k.contact.handle, k.last, k.due) for k in indexed.keep_in_touch] == \
        [(k.contact.handle, k.last, k.due) for k in parsed.keep_in_touch]
    assert [(a.contact.handle, a.interaction.date) for a in indexed.appointments] == \
        [(a.contact.handle, a.interaction.date) for a in parsed.appointments]


_CARDED = st.tuples(
    st.lists(st.tuples(_NEAR_A_CADENCE | st.just(dt.date(2026, 11, 30)), st.booleans()), max_size=3),
    st.sampled_from([None, "30d", "2w", "3m", "soon"]),  # "soon" does not parse: the vault's cadence applies
    st.sampled_from([None, "alice", "bob"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CARDED, min_size=1, max_size=8), st.sampled_from(["90d", "3m"]),
       st.dates(dt.date(2026, 11, 28), dt.date(2026, 12, 3)))
@example([([(dt.date(2026, 11, 30), False)], "2w", None)], "90d", dt.date(2026, 11, 30))  # planned today
def test_who_to_get_in_touch_with_and_who_is_stale_are_read_from_the_cards_as_from_the_files(
    tmp_path_factory: pytest.TempPathFactory, contacts: list[tuple[list[tuple[dt.date, bool]], str | None, str | None]],
    cadence: str, today: dt.date,
) -> None:
    """The agenda's keep-in-touch list and `stale` come from each contact's card and day columns (no heading read):
    the same contacts, days and order as from every file parsed, with interactions planned today (not logged),
    cadences that do not parse, and owners."""
    from vault_tool.store.vault import Vault

    root = tmp_path_factory.mktemp("v")
    (root / "contacts").mkdir()
    (root / "vault.yaml").write_text(f"version: 1\nkeep_in_touch: {cadence}\n")
    for number, (days, own, owner) in enumerate(contacts):
        lines = "".join(f"{key}: {value}\n" for key, value in (("keep_in_touch", own), ("owner", owner)) if value)
        headings = "".join(f"\n## {day.isoformat()} call — Call {number}{' ✓' if logged else ''}\n"
                           for day, logged in days)
        path = root / "contacts" / f"c{number}.md"
        path.write_text(f"---\nname: Person {number}\n{lines}---\n{headings}", encoding="utf-8")
        os.utime(path, (0, 0))
    vault = Vault.open(root, today=today)
    parsed = vault.load().contacts

    def touch(items: list[ag.KeepInTouch]) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
        return [(k.contact.handle, k.cadence, k.last, k.due) for k in items]

    for owner in (None, "alice"):
        indexed = ag.agenda(vault, days=7, owner=owner, today=today)
        assert touch(indexed.keep_in_touch) == touch(ag.keep_in_touch(ag.owned_by(parsed, owner), today, cadence))
        for days in (None, 0, 30):  # 0: a contact in touch today is stale unless that is planned
            report = ag.stale_contacts(vault, days, owner, today)
            assert [(s.contact.handle, s.last) for s in report.items] == \
                [(s.contact.handle, s.last) for s in ag.stale(ag.owned_by(parsed, owner), today, report.cutoff)]


def test_a_contact_read_from_its_card_answers_for_its_day_only_and_holds_no_interactions(tmp_path: Path) -> None:
    from vault_tool.search.view import CardContact

    kim = CardContact(("Kim Lee", "alice", "lead", "30d", False), tmp_path, "contacts/kim-lee.md", None, MONDAY,
                      "2026-10-01", False)

    assert (kim.handle, kim.name, kim.text_field("owner"), kim.meta["keep_in_touch"]) == ("kim-lee", "Kim Lee",
                                                                                         "alice", "30d")
    assert kim.last_contact(MONDAY) == D("2026-10-01") and not kim.has_appointment(MONDAY)
    with pytest.raises(LookupError, match="answers for 2026-11-23 only"):
        kim.last_contact(D("2026-11-24"))
    with pytest.raises(LookupError, match="holds no interactions"):
        kim.interactions
    with pytest.raises(LookupError, match="holds no tasks"):
        kim.tasks


_SIGNED = st.lists(st.sampled_from(["due:", "done:", "📅", "📅 ", "✅", "✅ ", "d", "ue:", "odue:", "2026-12-01", " ",
                                    "\t", "x", "Send", "-"]), max_size=12).map("".join)


@given(st.one_of(_SIGNED, st.text(max_size=30)))
def test_a_tasks_title_drops_exactly_the_due_and_done_markers(text: str) -> None:
    import re

    from vault_tool.format.body import task_title

    plain = re.compile(r"(?:\b(?:due|done):|📅 ?|✅ ?)\S+")  # what the title leaves out, as the docs say it
    assert task_title(text) == " ".join(plain.sub(" ", text).split())
