"""An iCalendar feed (RFC 5545) of the follow-ups in a vault: appointments, tasks and birthdays.

    to_ics(contacts, today) -> bytes

* Appointments (interactions dated ``today`` or later) are VEVENTs: a start time and
  ``APPOINTMENT_LENGTH`` when the heading has a time, else an all-day event.
* Open tasks are VTODOs, with ``DUE`` when they have a due date. Tasks ticked off in the
  last ``RECENTLY_DONE`` days are VTODOs with ``STATUS:COMPLETED``, so a calendar that
  imported them while open sees them done.
* Birthdays are all-day VEVENTs repeating every year; a birthday without a year
  (``--12-01``) starts in 2000. 29 February falls on the last day of February.

Every entry has a UID made from the contact's ``uid`` (its handle when it has none) and
the entry: the appointment's date and time, the task's text without its dates, the word
birthday. Exporting again gives the same UIDs, so a calendar that re-imports the feed
updates its entries instead of adding copies. Times are floating (no time zone): they
are the wall-clock times written in the files. The same contacts and ``today`` give the
same bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from icalendar import Calendar, Event, Todo

from vault_tool.format.body import Interaction, Task, task_title
from vault_tool.format.contact import Contact
from vault_tool.format.fieldtable import day_number
from vault_tool.format.handles import fold
from vault_tool.format.schedule import Birthday, birthday_of
from vault_tool.search.view import Between

PRODID = "-//vault_tool//contacts//EN"
APPOINTMENT_LENGTH = dt.timedelta(hours=1)
RECENTLY_DONE = dt.timedelta(days=30)
UNKNOWN_YEAR = 2000  # a leap year, so that --02-29 is a date
_DOMAIN = "vault-tool"


def to_ics(contacts: Iterable[Contact], today: dt.date, name: str = "Contacts") -> bytes:
    """The calendar of ``contacts`` as of ``today``, as the bytes of an .ics file (CRLF lines, UTF-8).

    ``name`` is the calendar's display name (X-WR-CALNAME).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    used: set[str] = set()
    for contact in contacts:
        for component in _components(contact, today):
            component.add("uid", _unique(str(component.pop("uid")), used))
            component.add("dtstamp", stamp)
            calendar.add_component(component)
    data: bytes = calendar.to_ical()  # icalendar leaves to_ical unannotated: it returns the file's bytes
    return data


def calendar_candidates(today: dt.date) -> list[Between]:
    """The contacts that may have an entry (the index picks them; `_components` decides): a birthday,
    an interaction today or later, an open task, a task ticked off in the last RECENTLY_DONE days."""
    day, recent = day_number(today), day_number(today - RECENTLY_DONE)
    return [Between("birthday_day", 1, None), Between("next_date", 1, None), Between("last_contact", day, day),
            Between("task_due", None, None), Between("done_day", recent, None)]


def _components(contact: Contact, today: dt.date) -> list[Event | Todo]:
    found: list[Event | Todo] = []
    birthday = birthday_of(contact)
    if birthday is not None:
        found.append(birthday_event(contact, birthday))
    found += [appointment_event(contact, i) for i in contact.interactions if i.is_appointment(today)]
    found += [task_todo(contact, t) for t in contact.tasks if _exported(t, today)]
    return found


def _exported(task: Task, today: dt.date) -> bool:
    if not task.done:
        return True
    return task.done_on is not None and task.done_on >= today - RECENTLY_DONE


def _unique(uid: str, used: set[str]) -> str:
    """``uid``, or ``uid-2``, ``uid-3`` … for the second and later entries that would share it."""
    base, n = uid, 1
    while uid in used:
        n += 1
        uid = f"{base.removesuffix('@' + _DOMAIN)}-{n}@{_DOMAIN}"
    used.add(uid)
    return uid


def contact_key(contact: Contact) -> str:
    """What every UID of ``contact`` starts with: its ``uid``, or its handle when it has none."""
    uid = str(contact.meta.get("uid") or "").strip()
    return uid or f"handle-{contact.handle}"


def _uid(contact: Contact, item: str) -> str:
    return f"{contact_key(contact)}-{item}@{_DOMAIN}"


def _who(contact: Contact) -> str:
    """The CONTACT property: the name, and the first email when there is one."""
    return f"{contact.name} <{contact.emails[0]}>" if contact.emails else contact.name


def appointment_event(contact: Contact, item: Interaction) -> Event:
    event = Event()
    slot = item.date.strftime("%Y%m%d") + (f"T{item.time.replace(':', '')}" if item.time else "")
    event.add("uid", _uid(contact, f"appointment-{slot}"))
    what = item.kind + (f" — {item.summary}" if item.summary else "")
    event.add("summary", f"{contact.name}: {what}")
    if item.time:
        event.add("dtstart", item.when)
        event.add("dtend", item.when + APPOINTMENT_LENGTH)
    else:
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
    if item.text:
        event.add("description", item.text)
    event.add("categories", [item.kind])
    event.add("contact", _who(contact))
    return event


def task_key(task: Task) -> str:
    """A short digest of the task's text without its dates: ticking it or moving its due date keeps it."""
    words = fold(task_title(task.text))
    return hashlib.sha1(words.encode("utf-8")).hexdigest()[:12]


def task_todo(contact: Contact, task: Task) -> Todo:
    todo = Todo()
    todo.add("uid", _uid(contact, f"task-{task_key(task)}"))
    todo.add("summary", f"{contact.name}: {task_title(task.text)}")
    if task.due is not None:
        todo.add("due", task.due)
    if task.done:
        todo.add("status", "COMPLETED")
        if task.done_on is not None:
            todo.add("completed", dt.datetime.combine(task.done_on, dt.time(0, 0), tzinfo=dt.timezone.utc))
    else:
        todo.add("status", "NEEDS-ACTION")
    todo.add("contact", _who(contact))
    return todo


def birthday_event(contact: Contact, birthday: Birthday) -> Event:
    event = Event()
    event.add("uid", _uid(contact, "birthday"))
    event.add("summary", f"{contact.name}: birthday")
    start = birthday.on(birthday.year or UNKNOWN_YEAR)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(days=1))
    if (birthday.month, birthday.day) == (2, 29):
        event.add("rrule", {"freq": "yearly", "bymonth": 2, "bymonthday": -1})
    else:
        event.add("rrule", {"freq": "yearly"})
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["birthday"])
    event.add("contact", _who(contact))
    return event
