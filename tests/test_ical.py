"""The calendar feed: `to_ics` writes RFC 5545 that calendar parsers read back entry for entry.

Every test parses the bytes back, with icalendar and with vobject (the parser of the
Radicale calendar server), and checks the entries, not the text.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import vobject
from followups import TODAY, ok, person
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_tool import Vault
from vault_tool.format.body import Interaction, parse_task
from vault_tool.format.contact import Contact
from vault_tool.interop.ical import to_ics

D = dt.date.fromisoformat
MONDAY = D(TODAY)


def entries(data: bytes) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    return [c for c in calendar.walk() if c.name in ("VEVENT", "VTODO")]


def by_uid(data: bytes) -> dict[str, icalendar.cal.Component]:
    found = entries(data)
    uids = [str(c["UID"]) for c in found]
    assert len(set(uids)) == len(uids), "every UID is unique"
    return dict(zip(uids, found))


def start(component: icalendar.cal.Component) -> dt.date | dt.datetime:
    return component.decoded("DTSTART")


def summary_and_date(component: icalendar.cal.Component) -> tuple[str, str, str]:
    when = component.decoded("DTSTART") if "DTSTART" in component else component.decoded("DUE", None)
    return component.name, str(component["SUMMARY"]), when.isoformat() if when else ""


def example_feed(root: Path) -> bytes:
    return to_ics(Vault.open(root).load().contacts, MONDAY)


# The example vault, every entry


def test_every_entry_of_the_example_vault(example_copy: Path) -> None:
    data = example_feed(example_copy)

    assert sorted(summary_and_date(c) for c in entries(data)) == sorted([
        # appointments: the interactions dated today or later
        ("VEVENT", "Ada Lovelace: meeting — Demo at their office", "2026-12-09"),
        ("VEVENT", "Marcus Webb: call — Term sheet follow-up", "2026-12-02T14:00:00"),
        ("VEVENT", "Zoë Müller: meeting — Pilot workshop in Berlin", "2026-11-26T10:00:00"),
        # birthdays, from the year of birth, or from 2000 when the year is unknown
        ("VEVENT", "Aoife Ní Bhriain: birthday", "1990-02-14"),
        ("VEVENT", "Ciarán Byrne: birthday", "2000-07-22"),
        ("VEVENT", "Ingrid Halvorsen: birthday", "1979-03-21"),
        ("VEVENT", "Łukasz Żuk: birthday", "1992-06-05"),
        ("VEVENT", "Marcus Webb: birthday", "1975-09-30"),
        ("VEVENT", "Priya Raman: birthday", "1986-01-08"),
        ("VEVENT", "Søren Kierkegaard-Nielsen: birthday", "2000-12-01"),
        ("VEVENT", "Zoë Müller: birthday", "1988-04-17"),
        # open tasks, with their due dates
        ("VTODO", "Ada Lovelace: Send the Bernoulli notes", "2026-12-01"),
        ("VTODO", "Agnieszka Nowak: Ask for the evaluation criteria", "2026-11-20"),
        ("VTODO", "Agnieszka Nowak: Submit tender response", "2026-12-15"),
        ("VTODO", "Charles Babbage: Send Q4 board pack", "2026-11-15"),
        ("VTODO", "Dieter Brandt: Send reference customer list", "2026-11-18"),
        ("VTODO", "François Dupont: Check in after their reorg", "2026-10-01"),
        ("VTODO", "Łukasz Żuk: Send security questionnaire answers", "2026-11-30"),
        ("VTODO", "Marcus Webb: Send data room access", "2026-11-25"),
        ("VTODO", "Søren Kierkegaard-Nielsen: Call back", "2026-12-03"),
        ("VTODO", "Søren Kierkegaard-Nielsen: Send birthday card", "2026-11-27"),
        ("VTODO", "Zoë Müller: Send proposal", "2026-11-28"),
        # tasks ticked off in the last 30 days, so a calendar that had them open sees them done
        ("VTODO", "Ada Lovelace: Introduce to Charles", ""),
        ("VTODO", "Priya Raman: Send revised price list", ""),
    ])


def test_the_calendar_and_each_entry_have_what_rfc_5545_requires(example_copy: Path) -> None:
    data = example_feed(example_copy)

    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//vault_tool//contacts//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Contacts"
    for component in entries(data):
        assert str(component["UID"]).endswith("@vault-tool")
        assert component.decoded("DTSTAMP") == dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
    lines = data.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2:] == [b"END:VCALENDAR", b""]
    assert b"\n" not in b"".join(lines)  # every line ends in CRLF
    assert all(len(line) <= 75 for line in lines)  # long lines are folded


def test_a_real_calendar_parser_reads_the_feed_and_its_recurrences(example_copy: Path) -> None:
    calendar = vobject.readOne(example_feed(example_copy).decode("utf-8"))

    assert len(calendar.vevent_list) == 11 and len(calendar.vtodo_list) == 13
    soren = next(e for e in calendar.vevent_list if e.summary.value == "Søren Kierkegaard-Nielsen: birthday")
    window = (dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1))
    assert [d.date() for d in soren.getrruleset().between(*window)] == [D("2026-12-01"), D("2027-12-01")]
    assert soren.transp.value == "TRANSPARENT"


def test_timed_and_all_day_appointments(example_copy: Path) -> None:
    found = {str(c["SUMMARY"]): c for c in entries(example_feed(example_copy))}

    zoe = found["Zoë Müller: meeting — Pilot workshop in Berlin"]
    assert start(zoe) == dt.datetime(2026, 11, 26, 10, 0) and start(zoe).tzinfo is None  # floating local time
    assert zoe.decoded("DTEND") == dt.datetime(2026, 11, 26, 11, 0)
    assert str(zoe["DESCRIPTION"]).startswith("Workshop at the Spandau plant")
    assert str(zoe["CONTACT"]) == "Zoë Müller <zoe.mueller@brandt-maschinenbau.example>"
    ada = found["Ada Lovelace: meeting — Demo at their office"]
    assert (start(ada), ada.decoded("DTEND")) == (D("2026-12-09"), D("2026-12-10"))


def test_open_and_done_tasks(example_copy: Path) -> None:
    found = {str(c["SUMMARY"]): c for c in entries(example_feed(example_copy))}

    send = found["Ada Lovelace: Send the Bernoulli notes"]
    assert (str(send["STATUS"]), send.decoded("DUE")) == ("NEEDS-ACTION", D("2026-12-01"))
    done = found["Ada Lovelace: Introduce to Charles"]
    assert str(done["STATUS"]) == "COMPLETED"
    assert done.decoded("COMPLETED") == dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
    # Zoë's case study was sent in May: long done, not in the feed
    assert "Zoë Müller: Send case study from Nordlys" not in found


# Stable UIDs: a calendar that re-imports the feed updates its entries


def test_the_same_vault_gives_the_same_bytes(example_copy: Path) -> None:
    assert example_feed(example_copy) == example_feed(example_copy)


def test_ticking_a_task_moving_its_due_date_or_adding_entries_keeps_every_uid(vault: Path, invoke) -> None:
    before = by_uid(example_feed(vault))

    ok(invoke("--today", TODAY, "-C", vault, "done", "marcus"))
    zoe = vault / "contacts/zoe-muller.md"
    zoe.write_text(zoe.read_text().replace("Send proposal due:2026-11-28", "Send proposal due:2026-12-04"))
    ok(invoke("--today", TODAY, "-C", vault, "meet", "ada", "call", "Prep", "--date", "+1d", "--time", "16:00"))
    ok(invoke("--today", TODAY, "-C", vault, "task", "ada", "Bring slides"))
    after = by_uid(example_feed(vault))

    assert set(before) < set(after) and len(after) == len(before) + 2
    marcus = next(c for c in after.values() if str(c["SUMMARY"]) == "Marcus Webb: Send data room access")
    assert str(marcus["STATUS"]) == "COMPLETED"
    zoe_task = next(c for c in after.values() if str(c["SUMMARY"]) == "Zoë Müller: Send proposal")
    assert zoe_task.decoded("DUE") == D("2026-12-04")
    unchanged = [u for u in before if u != str(marcus["UID"]) and u != str(zoe_task["UID"])]
    assert all(before[u].to_ical() == after[u].to_ical() for u in unchanged)


def test_uids_come_from_the_contact_uid_or_else_the_handle() -> None:
    with_uid = person("---\nname: Kim Lee\nuid: 01ABC\nbirthday: --05-06\n---\n", "kim-lee")
    without = person("---\nname: Ana Ruiz\nbirthday: --05-07\n---\n## 2026-12-01 09:15 call\n", "ana-ruiz")

    uids = set(by_uid(to_ics([with_uid, without], MONDAY)))

    assert uids == {"01ABC-birthday@vault-tool", "handle-ana-ruiz-birthday@vault-tool",
                    "handle-ana-ruiz-appointment-20261201T0915@vault-tool"}


def test_entries_that_would_share_a_uid_get_their_own() -> None:
    kim = person("---\nname: Kim Lee\nuid: SAME\n---\n- [ ] Call\n- [ ] call due:2026-12-01\n"
                 "## 2026-12-01 meeting\n## 2026-12-01 call\n", "kim")
    copy = person("---\nname: Kim Copy\nuid: SAME\n---\n- [ ] Call\n", "kim-copy")

    found = by_uid(to_ics([kim, copy], MONDAY))

    assert len(found) == 5
    assert {str(c["SUMMARY"]) for c in found.values()} == {
        "Kim Lee: Call", "Kim Lee: call", "Kim Lee: meeting", "Kim Lee: call", "Kim Copy: Call",
    }


# Birthdays


@pytest.mark.parametrize(("birthday", "expected"), [
    ("1988-02-29", ["2026-02-28", "2027-02-28", "2028-02-29"]),
    ("--02-29", ["2026-02-28", "2027-02-28", "2028-02-29"]),
    ("--12-31", ["2026-12-31", "2027-12-31", "2028-12-31"]),
    ("1815-12-10", ["2026-12-10", "2027-12-10", "2028-12-10"]),
])
def test_birthdays_repeat_every_year_on_the_day(birthday: str, expected: list[str]) -> None:
    kim = person(f"---\nname: Kim Lee\nbirthday: {birthday}\n---\n")

    calendar = vobject.readOne(to_ics([kim], MONDAY).decode("utf-8"))

    event = calendar.vevent_list[0]
    window = (dt.datetime(2026, 1, 1), dt.datetime(2028, 12, 31, 23, 59))
    assert [d.date().isoformat() for d in event.getrruleset().between(*window)] == expected


def test_a_birthday_that_is_not_a_date_is_left_out() -> None:
    kim = person("---\nname: Kim Lee\nbirthday: sometime in May\n---\n")

    assert entries(to_ics([kim], MONDAY)) == []


# Any text survives the trip


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).filter(
    lambda t: t.strip() == t and t
)


@settings(max_examples=80, deadline=None)
@given(
    name=_TEXT,
    summary=_TEXT,
    text=st.text(max_size=60).map(lambda t: t.replace("\r", "")),
    task=_TEXT.filter(lambda t: parse_task(f"- [ ] {t}") is not None and not parse_task(f"- [ ] {t}").problems),
    due=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    time=st.one_of(st.none(), st.times().map(lambda t: t.strftime("%H:%M"))),
)
def test_any_text_reads_back(name: str, summary: str, text: str, task: str, due: dt.date, time: str | None) -> None:
    meeting = Interaction(date=MONDAY + dt.timedelta(days=3), kind="meeting", summary=summary, text=text, time=time)
    item = parse_task(f"- [ ] {task} due:{due.isoformat()}")
    assert item is not None
    contact = Contact(handle="someone", meta={"name": name, "uid": "U1"}, interactions=[meeting], tasks=[item])

    found = {c.name: c for c in entries(to_ics([contact], MONDAY))}

    event = found["VEVENT"]
    assert str(event["SUMMARY"]) == f"{name}: meeting — {summary}"
    assert str(event.get("DESCRIPTION", "")) == text
    assert start(event) == (meeting.when if time else meeting.date)
    todo = found["VTODO"]
    assert todo.decoded("DUE") == due
    assert str(todo["SUMMARY"]).startswith(f"{name}: ")
    vobject.readOne(to_ics([contact], MONDAY).decode("utf-8"))  # a second parser agrees it is well formed


def test_contacts_export_writes_the_feed(vault, invoke, tmp_path) -> None:
    """`contacts export --format ics [QUERY] -o FILE` writes what to_ics gives for the contacts QUERY selects."""
    from vault_tool.search.selection import select

    out = tmp_path / "customers.ics"
    result = invoke("-C", vault, "--today", "2026-11-23", "export", "--format", "ics", "tag:customer", "-o", out)
    assert result.exit_code == 0, result.output
    today = dt.date(2026, 11, 23)
    chosen = select(Vault.open(vault, today=today), "tag:customer").contacts
    assert out.read_bytes() == to_ics(chosen, today)
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    uids = [str(c["UID"]) for c in calendar.walk() if c.name in ("VEVENT", "VTODO")]
    assert uids and len(uids) == len(set(uids))
