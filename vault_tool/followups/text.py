"""Tasks, the agenda, reminders and stale contacts as rows for scripts and as text for people.

A row's missing value is None (JSON's null), never a word or an empty string: a table shows it
as an empty cell, or as the word its command gives it (`never` for a stale contact's last contact).
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vault_tool.followups.agenda import Agenda, Appointment, BirthdayItem, KeepInTouch, StaleItem, TaskItem
from vault_tool.format.contact import Contact
from vault_tool.output import aligned, plural, visible
from vault_tool.search.view import StoredContact

TASK_COLUMNS = [("due", "DUE"), ("when", "WHEN"), ("contact", "CONTACT"), ("n", "#"), ("task", "TASK")]
STALE_COLUMNS = [("contact", "NAME"), ("last_contact", "LAST CONTACT"), ("days", "DAYS"), ("owner", "OWNER"),
                 ("stage", "STAGE")]


@functools.lru_cache(maxsize=1 << 12)  # tens of thousands of rows share a few hundred days
def relative(day: dt.date, today: dt.date) -> str:
    """`today`, `tomorrow`, `yesterday`, `in 5 days`, `5 days ago`."""
    delta = (day - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if delta in named:
        return named[delta]
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


@functools.lru_cache(maxsize=1 << 12)
def _late(due: dt.date, today: dt.date) -> str:
    days = (today - due).days
    return f"{plural(days, 'day')} overdue"


def _path(contact: Contact, root: Path | None) -> str | None:
    if isinstance(contact, StoredContact) and (root is contact.root or root == contact.root):
        return contact.vault_path  # as the index stores it: no Path to make
    if contact.path is None:
        return None
    return os.path.relpath(contact.path, root) if root else str(contact.path)


def _who(contact: Contact, root: Path | None) -> dict[str, Any]:
    return {"contact": contact.name, "handle": contact.handle, "owner": contact.text_field("owner") or None,
            "path": _path(contact, root)}


def task_row(item: TaskItem, today: dt.date, root: Path | None = None) -> dict[str, Any]:
    shown = task_shown(item, today)
    return {
        "due": shown["due"], "when": shown["when"], "overdue": item.overdue(today), **_who(item.contact, root),
        "n": item.number, "task": shown["task"], "text": item.task.text, "line": item.task.line,
    }


def task_shown(item: TaskItem, today: dt.date) -> dict[str, Any]:
    """What the table of tasks shows of a task (TASK_COLUMNS), the first values of its `task_row`.

    A table of 35,000 tasks spent a third of its rows' time on each contact's file, handle and owner,
    which it does not show: reading them reaches tens of thousands of objects scattered in memory.
    """
    due = item.task.due
    when = None if due is None else _late(due, today) if due < today else relative(due, today)
    return {"due": due.isoformat() if due else None, "when": when, "contact": item.contact.name, "n": item.number,
            "task": item.title}


def appointment_row(item: Appointment, today: dt.date, root: Path | None = None) -> dict[str, Any]:
    meeting = item.interaction
    return {
        "date": meeting.date.isoformat(), "time": meeting.time or None, "when": relative(meeting.date, today),
        **_who(item.contact, root), "kind": meeting.kind, "summary": meeting.summary or None, "line": meeting.line,
    }


def keep_in_touch_row(item: KeepInTouch, today: dt.date, root: Path | None = None) -> dict[str, Any]:
    return {
        **_who(item.contact, root), "cadence": item.cadence,
        "last_contact": item.last.isoformat() if item.last else None,
        "due": item.due.isoformat() if item.due else None,
        "days_since": (today - item.last).days if item.last else None,
    }


def birthday_row(item: BirthdayItem, today: dt.date, root: Path | None = None) -> dict[str, Any]:
    return {"date": item.date.isoformat(), "when": relative(item.date, today), **_who(item.contact, root),
            "age": item.age}


def stale_row(item: StaleItem, today: dt.date, root: Path | None = None, table: bool = False) -> dict[str, Any]:
    """A stale contact's row; for a ``table``, only what it shows (STALE_COLUMNS, see `task_shown`), and a contact
    never in touch says `never`."""
    contact, last = item.contact, item.last
    who = {"contact": contact.name, "owner": contact.text_field("owner") or None} if table else _who(contact, root)
    return {
        **who, "last_contact": last.isoformat() if last else "never" if table else None,
        "days": (today - last).days if last else None, "stage": contact.text_field("stage") or None,
    }


def agenda_data(agenda: Agenda, root: Path | None = None) -> dict[str, Any]:
    """The agenda as JSON-ready data, a list of rows per section."""
    today = agenda.today
    return {
        "today": today.isoformat(), "until": agenda.until.isoformat(),
        "overdue_tasks": [task_row(t, today, root) for t in agenda.overdue],
        "tasks_due": [task_row(t, today, root) for t in agenda.due],
        "appointments": [appointment_row(a, today, root) for a in agenda.appointments],
        "keep_in_touch": [keep_in_touch_row(k, today, root) for k in agenda.keep_in_touch],
        "birthdays": [birthday_row(b, today, root) for b in agenda.birthdays],
    }


# Text for people


def _meeting(item: Appointment, today: dt.date) -> list[str]:
    meeting = item.interaction
    when = meeting.date.isoformat() + (f" {meeting.time}" if meeting.time else "")
    what = meeting.kind + (f" — {meeting.summary}" if meeting.summary else "")
    return [when, relative(meeting.date, today), item.contact.name, what]


def touch_cells(items: Sequence[KeepInTouch], today: dt.date) -> list[list[str]]:
    """`agenda_cells` of many keep-in-touch items: tens of thousands of contacts share a few thousand cadences and
    last days, each said once."""
    said: dict[tuple[str, dt.date | None, dt.date | None], tuple[str, str]] = {}
    rows = []
    for item in items:
        key = (item.cadence, item.last, item.due)
        words = said.get(key)
        if words is None:
            words = said[key] = _touch(item, today)
        rows.append([item.contact.name, *words])
    return rows


def _touch(item: KeepInTouch, today: dt.date) -> tuple[str, str]:
    if item.last is None:
        return f"every {item.cadence}", "never in touch yet"
    assert item.due is not None
    late = "due today" if item.due == today else _late(item.due, today)
    return f"every {item.cadence}", f"last {item.last.isoformat()} ({late})"


def _birthday(item: BirthdayItem, today: dt.date) -> list[str]:
    age = f"turns {item.age}" if item.age is not None else ""
    return [item.date.isoformat(), relative(item.date, today), item.contact.name, age]


AGENDA_SECTIONS = ("Overdue tasks", "Tasks due", "Appointments", "Keep in touch", "Birthdays")
AgendaItem = TaskItem | Appointment | KeepInTouch | BirthdayItem


def agenda_items(agenda: Agenda) -> list[Sequence[AgendaItem]]:
    """The agenda's items by section (AGENDA_SECTIONS), each section in its order."""
    return [agenda.overdue, agenda.due, agenda.appointments, agenda.keep_in_touch, agenda.birthdays]


def agenda_cells(section: int, item: Any, today: dt.date) -> list[str]:
    """The cells of the agenda's text for ``item``, of section number ``section`` (AGENDA_SECTIONS)."""
    if section < 2:
        due = item.task.due
        return [due.isoformat(), _late(due, today) if section == 0 else relative(due, today), item.contact.name,
                item.title]
    if section == 2:
        return _meeting(item, today)
    if section == 3:
        return [item.contact.name, *_touch(item, today)]
    return _birthday(item, today)


def agenda_text(agenda: Agenda) -> str:
    """The agenda in sections, each aligned; a one-line all-clear when nothing needs attention."""
    today = agenda.today
    cells = [[agenda_cells(section, item, today) for item in items] if section != 3 else
             touch_cells(agenda.keep_in_touch, today) for section, items in enumerate(agenda_items(agenda))]
    return sections_text(today, agenda.until, cells, bool(agenda.overdue_deals or agenda.closing_deals))


def sections_text(today: dt.date, until: dt.date, sections: Sequence[list[list[str]]], deals: bool) -> str:
    """The agenda's text from the cells of each section's rows (`agenda_cells`); ``deals``: whether deals follow."""
    span = f"{today.isoformat()} through {until.isoformat()}"
    if not deals and not any(sections):
        return f"Nothing needs attention from {span}."
    lines = [f"Agenda from {span}"]
    for title, rows in zip(AGENDA_SECTIONS, sections):
        if rows:
            lines += ["", f"{title} ({len(rows)})"] + aligned(rows)
    return "\n".join(lines)


def _day(day: dt.date, today: dt.date) -> str:
    word = relative(day, today)
    return word.capitalize() if word in ("today", "tomorrow") else f"On {day.isoformat()}"


def reminder_lines(agenda: Agenda) -> list[str]:
    """The agenda as short lines, one per thing due, for a notification or a cron mail (control characters
    in values shown escaped, so each thing stays one line)."""
    return [visible(reminder_line(section, item, agenda.today))
            for section, items in enumerate(agenda_items(agenda)) for item in items]


def reminder_line(section: int, item: Any, today: dt.date) -> str:
    """The line of `reminder_lines` for ``item``, of section number ``section`` (AGENDA_SECTIONS), as written."""
    if section < 2:
        due = item.task.due
        when = f"Overdue since {due.isoformat()}" if section == 0 else f"Due {relative(due, today)}"
        return f"{when}: {item.contact.name} — {item.title}"
    if section == 2:
        meeting = item.interaction
        at = f" {meeting.time}" if meeting.time else ""
        about = f" — {meeting.summary}" if meeting.summary else ""
        return f"{_day(meeting.date, today)}{at}: {meeting.kind} with {item.contact.name}{about}"
    if section == 3:
        last = f"last {item.last.isoformat()}" if item.last else "never yet"
        return f"Get in touch: {item.contact.name} (every {item.cadence}; {last})"
    age = f" (turns {item.age})" if item.age is not None else ""
    return f"Birthday {relative(item.date, today)}: {item.contact.name}{age}"
