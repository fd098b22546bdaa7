"""The stored view of a contact: what reading commands other than search need, kept in the index.

`agenda`, `tasks`, `stale`, `remind`, `report` and `dupes` answer from this view, so they read no
contact file. A view holds the front matter's short fields, every interaction's heading (not its
text), the open tasks in file order, the problems of follow-up values (with their lines) and the
list fields; the lead-scoring facts are stored beside it. `contact_of` rebuilds a `Contact` with
just those parts, for the functions that select and sort follow-ups.

A view is independent of the day it was made: what depends on today (the last contact, what is
due) is computed from it when it is read.
"""
from __future__ import annotations

import bisect
import datetime as dt
import marshal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from vault_tool.errors import ParseError
from vault_tool.format.body import Interaction, Task
from vault_tool.format.contact import Contact
from vault_tool.format.dates import is_duration
from vault_tool.format.fieldtable import DAY_MAX, day_number
from vault_tool.format.layout import handle_of
from vault_tool.format.schedule import item_problems, task_problems

# The front matter keys a view keeps: what follow-ups, their rows and the calendar feed show.
VIEW_KEYS = ("name", "kind", "company", "title", "owner", "stage", "emails", "phones", "tags", "birthday",
             "keep_in_touch", "uid")
# What follow-ups read of a contact's front matter (its rows, owner filter, cadence, birthday): contact_of
# keeps only these, since an agenda of a large vault holds tens of thousands of contacts at once.
FOLLOW_UP_KEYS = ("name", "kind", "owner", "stage", "birthday", "keep_in_touch")
# What `dupes` reads of a contact's front matter: the name, and what its reasons are told by (interop/duplicates.py).
DUPE_KEYS = ("name", "company", "emails", "phones", "uid")
UNDATED = DAY_MAX  # the due day of an open task without a due date, for the index's `task_due`
SEP = "\x1f"  # between the parts of an interaction's heading in a view


SHARED_MAX = 24  # characters: a string this short in a column is likely to repeat (a key, a date, a kind, a stage)


def column_bytes(data: Any) -> bytes:
    """``data`` (a view, scoring facts) marshalled for a column of the index, its keys and short strings interned.

    marshal writes an interned string as one, and reads it back interned: every contact's `stage`,
    `2026-11-23` and `lead` become one object in the reading process instead of one each. A report
    holds every contact's facts and list fields at once: on 100,000 contacts, 430 MB became 230 MB.
    """
    return marshal.dumps(_interned(data))


def _interned(value: Any) -> Any:
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= SHARED_MAX else value
    if isinstance(value, dict):
        return {_interned(key): _interned(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_interned(item) for item in value)
    return value


def view_of(contact: Contact, rel: str, created: dt.date | None = None) -> dict[str, Any]:
    """The view of ``contact`` (file ``rel``, relative to the vault, first committed on ``created``), as plain
    values the index marshals."""
    meta = {key: _plain(contact.meta[key]) for key in VIEW_KEYS if contact.meta.get(key) not in (None, "")}
    open_tasks = [t for t in contact.tasks if not t.done]
    return {
        "handle": contact.handle, "path": rel, "meta": meta, "keys": len(contact.meta),
        "created": created.isoformat() if created else None,
        "interactions": [_heading(i) for i in contact.interactions],
        "tasks": [[t.text, t.due.isoformat() if t.due else None, t.line, list(t.problems)] for t in open_tasks],
        "problems": _problems(contact),
        "lists": {str(k): contact.list_field(k) for k, v in contact.meta.items() if isinstance(v, list)},
    }


def _problems(contact: Contact) -> list[list[Any]]:
    """[message, line, whether it is a task's] of each follow-up value that does not parse."""
    tasks = task_problems([contact])
    values = item_problems([contact])[len(tasks):]
    return [[p.message, p.line, True] for p in tasks] + [[p.message, p.line, False] for p in values]



def _heading(item: Interaction) -> str:
    """An interaction's heading as one string: `date SEP time SEP kind SEP summary SEP line SEP logged`.

    One string, not five values: a view is read tens of thousands of times by one agenda, and
    each value is an object to make. A unit separator in a summary (a control character) is a space.
    """
    parts = [item.date.isoformat(), item.time or "", item.kind, item.summary.replace(SEP, " "), str(item.line)]
    return SEP.join([*parts, "1" if item.logged else ""])


def task_due(contact: Contact) -> int | None:
    """The earliest due day (YYYYMMDD) of the open tasks, UNDATED when none has a date; None: no open task."""
    days = [day_number(t.due) if t.due else UNDATED for t in contact.tasks if not t.done]
    return min(days) if days else None


Follow = tuple[str, str, "str | None", dict[str, Any], str, list[Any], list[list[Any]]]


def follow_of(view: dict[str, Any]) -> Follow:
    """The part of ``view`` follow-ups read, in a column of its own: handle, path, the day it was created,
    FOLLOW_UP_KEYS of the front matter, the interaction headings in date order joined by newlines, open
    tasks, problems.

    An agenda of a large vault reads tens of thousands of them: half the bytes of a whole view, and
    the headings one string (split only when read), so unmarshalling them takes a third of the time.
    In date order (file order within a day), the last contact as of a day is found by bisection.
    """
    meta = view["meta"]
    kept = {key: meta[key] for key in FOLLOW_UP_KEYS if key in meta}
    return (view["handle"], view["path"], view["created"], kept, "\n".join(by_date(view["interactions"])),
            view["tasks"], view["problems"])


def by_date(headings: list[str]) -> list[str]:
    """Interaction headings in date order, file order within a day (a heading starts with its ISO date)."""
    return sorted(headings, key=lambda heading: heading[:10])


Card = tuple[str, str, str, str, bool]


def card_of(contact: Contact, last: dt.date | None) -> Card:
    """What keep-in-touch and stale rows read of a contact, in a column of its own (see `CardContact`): its name,
    owner and stage as text, its own keep-in-touch cadence as written (empty: none, or one that does not parse,
    for which the vault's applies), and whether an interaction dated ``last`` (its last contact) is not
    logged: an appointment on that day.

    An agenda of a large vault has tens of thousands of contacts to get in touch with: these are
    picked by the numeric columns alone (`last_contact`, `next_date`, `touch_due`) and shown from
    this, so no contact's headings or tasks are read for them.
    """
    own = contact.meta.get("keep_in_touch")
    cadence = str(own) if own not in (None, "") and is_duration(str(own)) else ""
    planned = last is not None and any(i.date == last and not i.logged for i in contact.interactions)
    return contact.name, contact.text_field("owner"), contact.text_field("stage"), cadence, planned


def dupe_view_of(view: dict[str, Any]) -> dict[str, Any]:
    """What `dupes` reads of ``view``, in a column of its own: its handle, DUPE_KEYS of the front matter, its
    number of fields and of interactions (the one to keep has the most). A large vault has tens of thousands
    of contacts that share a value with another, and their whole views would take a hundred megabytes."""
    meta = view["meta"]
    return {"handle": view["handle"], "meta": {key: meta[key] for key in DUPE_KEYS if key in meta},
            "keys": view["keys"], "interaction_count": len(view["interactions"])}


# What every report reads of a contact's fields and list fields (the others are read to count by one of them).
SUMMED_FIELDS = ("name", "keep_in_touch", "stage", "owner")
SUMMED_LISTS = ("tags", "stage", "owner")
Summed = tuple[str, str, str, str, list[str], list[str], tuple[str, ...], dict[str, str], dict[str, list[str]]]


def summed_of(view: dict[str, Any], facts: dict[str, Any]) -> Summed:
    """What every report reads of a contact (reports/summaries.py), in a column of its own: path, kind, stage,
    owner, the dates of its interactions in order with the kind of each, the names of its fields and list
    fields (a report names them when asked to count by a field none has), and SUMMED_FIELDS and
    SUMMED_LISTS of them.

    A report reads every contact: one small value each, the kinds taken from the headings once, when
    the contact is indexed. Its other fields, which a report reads only to count by one of them, are
    in `summed_fields_of`: reading them for every contact took a tenth of a report on 100,000 contacts.
    """
    fields, lists = facts["fields"], view["lists"]
    kinds = [heading.split(SEP, 3)[2] for heading in by_date(view["interactions"])]
    return (view["path"], facts["kind"], facts["stage"], facts["owner"], facts["interactions"], kinds,
            tuple(dict.fromkeys([*fields, *lists])), {key: fields[key] for key in SUMMED_FIELDS if key in fields},
            {key: lists[key] for key in SUMMED_LISTS if key in lists})


def summed_fields_of(view: dict[str, Any], facts: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The fields (as text) and list fields of a contact, for a report that counts by one of them."""
    return facts["fields"], view["lists"]


def contact_of(follow: Follow, root: Path, today: dt.date | None = None, days: Days | None = None) -> StoredContact:
    """A Contact with what follow-ups read (see `follow_of`): FOLLOW_UP_KEYS, interaction headings, open tasks.

    With ``today``, only the interactions that follow-ups look at as of that day: the last one on
    or before it, and every later one (most contacts have many more). ``days``: the dates already
    read, shared by the contacts of one command (see StoredContact).
    """
    handle, rel, created, meta, headings, open_tasks, problems = follow
    listed = headings.split("\n") if headings else []
    contact = StoredContact(handle, meta, listed, open_tasks, root, rel, created, problems, days)
    if today is not None and len(listed) > 1:
        contact.cut(today)
    return contact


Days = dict[str, dt.date]  # ISO date -> date


class StoredContact(Contact):
    """A Contact rebuilt from a view (see `contact_of`), whose parts are made when asked for.

    Follow-ups rebuild tens of thousands of contacts and print most of them by name only: the
    interactions and tasks are made from the stored strings on first use, the path likewise, and
    `last_contact` and `has_appointment` answer from the headings' dates as written (see `as_of`). Making
    every contact's objects took a second of an agenda on 100,000 contacts. ``days`` holds the
    dates read so far, shared by the contacts one command reads (many share a day). The name is
    read once, an attribute: sorting and printing 65,000 agenda rows read it some 200,000 times.
    """

    def __init__(
        self, handle: str, meta: dict[str, Any], headings: list[str], open_tasks: list[list[Any]], root: Path,
        rel: str, created: str | None = None, problems: list[list[Any]] | None = None, days: Days | None = None,
    ) -> None:
        self.handle, self.meta, self.notes, self.source = handle, meta, "", None
        self.name = str(meta.get("name", ""))
        self._where = (root, rel)
        self._stored = (headings, open_tasks, created, problems or [])
        self._days: Days = {} if days is None else days
        self._today: dt.date | None = None  # the day of as_of's answer
        self._as_of = ("", False)
        self._given = False  # whether the interactions were given rather than made from the headings

    name: str = ""  # an attribute, not Contact's property: a sort key and a row each read it (see __init__)

    def _date(self, text: str) -> dt.date:
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = dt.date.fromisoformat(text)
        return found

    @property
    def root(self) -> Path:
        """The vault's folder."""
        return self._where[0]

    @property
    def vault_path(self) -> str:
        """The file's path relative to the vault, '/'-separated."""
        return self._where[1]

    @property
    def added(self) -> dt.date | None:
        """The day the file was first committed, when known."""
        created = self._stored[2]
        return self._date(created) if created else None

    @property  # a dataclass field, made on demand
    def path(self) -> Path | None:
        given = self.__dict__.get("_path")
        return given if given is not None else self._where[0] / self._where[1]

    @path.setter
    def path(self, value: Path | None) -> None:
        self.__dict__["_path"] = value

    @property  # a dataclass field, made on demand
    def interactions(self) -> list[Interaction]:
        made = self.__dict__.get("_interactions")
        if made is None:
            made = self.__dict__["_interactions"] = [
                Interaction(self._date(day), kind, summary, "", time or None, int(line), bool(logged))
                for day, time, kind, summary, line, logged in (item.split(SEP) for item in self._stored[0])
            ]
        return made

    @interactions.setter
    def interactions(self, value: list[Interaction]) -> None:
        self.__dict__["_interactions"] = value
        self._given = True  # answered from these, not the stored headings

    @property  # a dataclass field, made on demand
    def tasks(self) -> list[Task]:
        made = self.__dict__.get("_tasks")
        if made is None:
            made = self.__dict__["_tasks"] = [
                Task(text, False, self._date(due) if due else None, None, line, list(problems))
                for text, due, line, problems in self._stored[1]
            ]
        return made

    @tasks.setter
    def tasks(self, value: list[Task]) -> None:
        self.__dict__["_tasks"] = value

    def as_of(self, today: dt.date) -> tuple[str, bool]:
        """The date of the last interaction on or before ``today`` (ISO, '' for none), and whether one is
        planned: dated after ``today``, or dated ``today`` and not logged (see Contact.has_appointment)."""
        if self._today != today:
            self._today, self._as_of = today, self._day(today.isoformat())[:2]
        return self._as_of

    def cut(self, today: dt.date) -> None:
        """Keep only the interactions follow-ups look at as of ``today``: the last one on or before it, and
        every later one (a contact has many more, and each is an object to make when they are read)."""
        last, planned, first = self._day(today.isoformat())
        self._stored = (self._stored[0][first:], *self._stored[1:])
        self._today, self._as_of = today, (last, planned)

    def _day(self, day: str) -> tuple[str, bool, int]:
        """as_of's answer for ISO ``day``, and the index of the first heading of the last contact's day.

        The headings are in date order (see `follow_of`): one dated ``day`` or before sorts below ``day``
        followed by DEL, so bisection finds the last contact without reading every heading. One dated
        ``day`` and not logged has an empty last part.
        """
        listed = self._stored[0]
        past = bisect.bisect_right(listed, day + "\x7f")
        last = listed[past - 1][:10] if past else ""
        first = bisect.bisect_left(listed, last) if last else 0
        planned = past < len(listed) or (last == day and any(item[-1] == SEP for item in listed[first:past]))
        return last, planned, first

    def last_contact(self, today: dt.date) -> dt.date | None:
        if self._given:
            return super().last_contact(today)
        last = self.as_of(today)[0]
        return self._date(last) if last else None

    def has_appointment(self, today: dt.date) -> bool:
        return super().has_appointment(today) if self._given else self.as_of(today)[1]

    def problems(self, tasks_only: bool = False) -> list[ParseError]:
        """The follow-up values that do not parse (``tasks_only``: only its task dates)."""
        problems = self._stored[3]
        if not problems:
            return []
        path = self._where[0] / self._where[1]
        return [ParseError(path, message, line) for message, line, of_task in problems if of_task or not tasks_only]


class _NotHeld:
    """A part of a contact that one read from its card (`CardContact`) does not hold: reading or setting it is
    an error, never an empty answer."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, contact: StoredContact | None, owner: type | None = None) -> Any:
        if contact is None:
            return self  # looked up on the class
        self._refuse(contact)

    def __set__(self, contact: StoredContact, value: object) -> NoReturn:
        self._refuse(contact)

    def _refuse(self, contact: StoredContact) -> NoReturn:
        raise LookupError(f"{contact.vault_path}: a contact read from its card holds no {self.name}")


class CardContact(StoredContact):
    """A contact as keep-in-touch and stale rows show it, from its card (see `card_of`): name, owner, stage and
    keep-in-touch cadence, its file, the day it was added, and its last contact and whether one is
    planned as of one day, ``today``. It holds no interactions or tasks, and answers for no other
    day: asking is an error, never a silent wrong answer."""

    def __init__(
        self, card: Card, root: Path, rel: str, created: str | None, today: dt.date, last: str, planned: bool,
        days: Days | None = None,
    ) -> None:
        name, owner, stage, cadence, _ = card
        meta = {key: value for key, value in (("name", name), ("owner", owner), ("stage", stage),
                                              ("keep_in_touch", cadence)) if value}
        super().__init__(handle_of(rel), meta, [], [], root, rel, created, None, days)
        self._today, self._as_of = today, (last, planned)

    interactions = _NotHeld()
    tasks = _NotHeld()

    def as_of(self, today: dt.date) -> tuple[str, bool]:
        if today != self._today:
            raise LookupError(f"{self.vault_path}: a contact read from its card answers for {self._today} only")
        return self._as_of


def _plain(value: Any) -> Any:
    """A front matter value as strings (lists of strings): what marshals small and reads back the same."""
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Between:
    """Contacts whose index field ``field`` is from ``low`` through ``high`` (None: open); ``outside``: the rest.

    What a reading command asks the index for: the contacts that may have something to show
    (a task due by a day, a last contact before one). The command then decides on each exactly.
    """

    field: str
    low: int | None = None
    high: int | None = None
    outside: bool = False
