"""What needs attention: open tasks, appointments, keep-in-touch cadences and birthdays.

Everything here is derived from the files: a task is a task-list item, an
appointment an interaction dated today or later, the "last contact" the newest
interaction on or before today. Nothing is stored but the files themselves, so
logging an interaction is what resets a contact's keep-in-touch clock.
Every function takes ``today`` explicitly.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.body import Interaction, Task, task_title
from vault_tool.format.contact import Contact
from vault_tool.format.dates import parse_duration
from vault_tool.format.handles import fold

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

DEFAULT_DAYS = 14


@dataclass
class TaskItem:
    """An open task and its contact; ``number`` counts the contact's open tasks in file order (for `done`)."""

    contact: Contact
    task: Task
    number: int

    @property
    def title(self) -> str:
        return task_title(self.task.text)

    def overdue(self, today: dt.date) -> bool:
        return self.task.due is not None and self.task.due < today


@dataclass
class Appointment:
    """An interaction dated today or later."""

    contact: Contact
    interaction: Interaction


@dataclass(frozen=True)
class Birthday:
    """A birthday: month and day, and the year when it is known (`--MM-DD` has none)."""

    month: int
    day: int
    year: int | None = None

    def on(self, year: int) -> dt.date:
        """The birthday in ``year`` (29 February is kept on the 28th in common years)."""
        if (self.month, self.day) == (2, 29):
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            return dt.date(year, 2, 29 if leap else 28)
        return dt.date(year, self.month, self.day)

    def next(self, today: dt.date) -> dt.date:
        """The first birthday on or after ``today``."""
        this_year = self.on(today.year)
        return this_year if this_year >= today else self.on(today.year + 1)

    def age_on(self, day: dt.date) -> int | None:
        return day.year - self.year if self.year is not None else None


@dataclass
class BirthdayItem:
    contact: Contact
    birthday: Birthday
    date: dt.date  # the coming birthday

    @property
    def age(self) -> int | None:
        """The age the contact turns on ``date``, when the year is known."""
        return self.birthday.age_on(self.date)


@dataclass
class KeepInTouch:
    """A contact whose keep-in-touch cadence has run out since the last interaction."""

    contact: Contact
    cadence: str  # as written: `30d`, `6w`, `3m`
    last: dt.date | None  # None: never in touch (listed only when the contact sets its own cadence)
    due: dt.date | None


@dataclass
class StaleItem:
    contact: Contact
    last: dt.date | None  # None: no interaction at all


@dataclass
class Agenda:
    """The agenda from ``today`` through ``until``, and the problems met while reading it."""

    today: dt.date
    until: dt.date
    overdue: list[TaskItem] = field(default_factory=list)
    due: list[TaskItem] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    keep_in_touch: list[KeepInTouch] = field(default_factory=list)
    birthdays: list[BirthdayItem] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)  # values read around (see item_problems)
    skipped: list[ParseError] = field(default_factory=list)  # files that did not parse

    def is_empty(self) -> bool:
        return not (self.overdue or self.due or self.appointments or self.keep_in_touch or self.birthdays)


@dataclass
class TaskReport:
    items: list[TaskItem] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)  # task dates that do not parse
    skipped: list[ParseError] = field(default_factory=list)  # files that did not parse


@dataclass
class StaleReport:
    items: list[StaleItem] = field(default_factory=list)
    cutoff: dt.date | None = None  # contacts whose last interaction is on or before this day
    skipped: list[ParseError] = field(default_factory=list)  # files that did not parse


# Reading the values


_BIRTHDAY = re.compile(r"^(?:(?P<year>\d{4})|-)-(?P<month>\d{2})-(?P<day>\d{2})$")


def parse_birthday(value: object) -> Birthday:
    """A birthday from `1815-12-10` or `--12-10`; InvalidValueError for anything else."""
    text = str(value).strip()
    match = _BIRTHDAY.match(text)
    if match:
        year = int(match["year"]) if match["year"] else None
        try:
            dt.date(year or 2000, int(match["month"]), int(match["day"]))  # 2000: a leap year
            return Birthday(int(match["month"]), int(match["day"]), year)
        except ValueError:
            pass
    raise InvalidValueError(f"birthday '{text}' is not a date: use YYYY-MM-DD, or --MM-DD without a year")


def birthday_of(contact: Contact) -> Birthday | None:
    """The contact's birthday; None when it has none or it does not parse (item_problems names those)."""
    value = contact.meta.get("birthday")
    if value in (None, ""):
        return None
    try:
        return parse_birthday(value)
    except InvalidValueError:
        return None


def cadence_of(
    contact: Contact, default: str, parsed: dict[str, relativedelta] | None = None,
) -> tuple[str, relativedelta, bool]:
    """The contact's keep-in-touch cadence as written and as a delta, and whether the contact sets its own.

    A value that does not parse falls back to ``default`` (item_problems names it). ``parsed``
    remembers the cadences already read, for a caller that asks for many contacts.
    """
    parsed = {} if parsed is None else parsed
    own = contact.meta.get("keep_in_touch")
    if own not in (None, ""):
        text = str(own)
        try:
            if text not in parsed:
                parsed[text] = parse_duration(text)
            return text, parsed[text], True
        except InvalidValueError:
            pass
    if default not in parsed:
        parsed[default] = parse_duration(default)
    return default, parsed[default], False


def _key_line(contact: Contact, key: str) -> int | None:
    """The file line on which front-matter ``key`` is written."""
    source = contact.source
    if source is None:
        return None
    first = source.fm_line
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?[ \t]*:")
    for offset, line in enumerate(source.front_matter.split("\n")):
        if pattern.match(line):
            return first + offset
    return None


def _problem(contact: Contact, message: str, line: int | None) -> ParseError:
    return ParseError(contact.path or contact.handle, message, line)


def task_problems(contacts: Iterable[Contact]) -> list[ParseError]:
    """Task due and done dates that do not parse, each with its file and line."""
    return [_problem(c, p, t.line or None) for c in contacts for t in c.tasks for p in t.problems]


def item_problems(contacts: Iterable[Contact]) -> list[ParseError]:
    """Task dates, birthdays and keep-in-touch cadences that do not parse: never dropped in silence."""
    contacts = list(contacts)
    problems = task_problems(contacts)
    for contact in contacts:
        value = contact.meta.get("birthday")
        if value not in (None, ""):
            try:
                parse_birthday(value)
            except InvalidValueError as exc:
                problems.append(_problem(contact, str(exc), _key_line(contact, "birthday")))
        value = contact.meta.get("keep_in_touch")
        if value not in (None, ""):
            try:
                parse_duration(str(value))
            except InvalidValueError as exc:
                problems.append(_problem(contact, f"keep_in_touch: {exc}", _key_line(contact, "keep_in_touch")))
    return problems


# Selecting


def owned_by(contacts: Iterable[Contact], owner: str | None) -> list[Contact]:
    return [c for c in contacts if owner is None or c.text_field("owner") == owner]


def open_tasks(contacts: Iterable[Contact]) -> list[TaskItem]:
    """Every open task, in notes and in interaction sections, numbered per contact in file order."""
    items = []
    for contact in contacts:
        open_ones = [t for t in contact.tasks if not t.done]
        items += [TaskItem(contact, task, n) for n, task in enumerate(open_ones, 1)]
    return items


def soonest_first(items: Iterable[TaskItem]) -> list[TaskItem]:
    """Dated tasks by due date (so overdue ones come first), then the undated ones."""
    far = dt.date.max
    return sorted(items, key=lambda i: (i.task.due or far, fold(i.contact.name), i.contact.handle, i.task.line))


def select_tasks(
    contacts: Iterable[Contact], today: dt.date, overdue: bool = False,
    due_before: dt.date | None = None, owner: str | None = None,
) -> list[TaskItem]:
    """Open tasks soonest first: only overdue ones, only those due on or before ``due_before``, of ``owner``."""
    items = open_tasks(owned_by(contacts, owner))
    if overdue:
        items = [i for i in items if i.overdue(today)]
    if due_before is not None:
        items = [i for i in items if i.task.due is not None and i.task.due <= due_before]
    return soonest_first(items)


def appointments(contacts: Iterable[Contact], start: dt.date, until: dt.date) -> list[Appointment]:
    """Interactions dated from ``start`` through ``until``, earliest first."""
    found = [
        Appointment(c, i) for c in contacts for i in c.interactions if start <= i.date <= until
    ]
    return sorted(found, key=lambda a: (a.interaction.when, fold(a.contact.name), a.contact.handle))


def birthdays(contacts: Iterable[Contact], start: dt.date, until: dt.date) -> list[BirthdayItem]:
    """Birthdays from ``start`` through ``until``, soonest first."""
    found = []
    for contact in contacts:
        birthday = birthday_of(contact)
        day = birthday.next(start) if birthday is not None else None
        if day is not None and day <= until:
            found.append(BirthdayItem(contact, birthday, day))
    return sorted(found, key=lambda b: (b.date, fold(b.contact.name), b.contact.handle))


def keep_in_touch(contacts: Iterable[Contact], today: dt.date, default: str) -> list[KeepInTouch]:
    """Contacts due for contact: their last interaction plus their cadence (or ``default``) is today or earlier.

    A contact with an appointment today or later is left out: the next contact is planned.
    A contact never in touch is listed only when it sets its own cadence (so a fresh import
    of hundreds of contacts does not flood the agenda; `stale` lists those).
    """
    found = []
    parsed: dict[str, relativedelta] = {}
    for contact in contacts:
        if any(i.date >= today for i in contact.interactions):
            continue
        written, cadence, own = cadence_of(contact, default, parsed)
        last = contact.last_contact(today)
        if last is None:
            if own:
                found.append(KeepInTouch(contact, written, None, None))
            continue
        due = last + cadence
        if due <= today:
            found.append(KeepInTouch(contact, written, last, due))
    return sorted(found, key=lambda k: (k.due or dt.date.min, fold(k.contact.name), k.contact.handle))


def stale(contacts: Iterable[Contact], today: dt.date, cutoff: dt.date) -> list[StaleItem]:
    """Contacts with no interaction after ``cutoff`` (never in touch first, then the longest silent)."""
    found = [StaleItem(c, c.last_contact(today)) for c in contacts]
    found = [s for s in found if s.last is None or s.last <= cutoff]
    return sorted(found, key=lambda s: (s.last or dt.date.min, fold(s.contact.name), s.contact.handle))


def build_agenda(
    contacts: Iterable[Contact], today: dt.date, days: int = DEFAULT_DAYS,
    default_cadence: str = "90d", owner: str | None = None,
) -> Agenda:
    """The agenda for today through ``days`` days ahead, for ``owner``'s contacts (all when None)."""
    if days < 0:
        raise InvalidValueError(f"days must be 0 or more, not {days}")
    chosen = owned_by(contacts, owner)
    until = today + dt.timedelta(days=days)
    tasks = soonest_first(open_tasks(chosen))
    return Agenda(
        today=today, until=until,
        overdue=[t for t in tasks if t.overdue(today)],
        due=[t for t in tasks if t.task.due is not None and today <= t.task.due <= until],
        appointments=appointments(chosen, today, until),
        keep_in_touch=keep_in_touch(chosen, today, default_cadence),
        birthdays=birthdays(chosen, today, until),
        problems=item_problems(chosen),
    )


# The vault-level entry points the commands call


def vault_cadence(vault: Vault) -> str:
    """vault.yaml's `keep_in_touch`, checked."""
    value = vault.config.keep_in_touch
    try:
        parse_duration(value)
    except InvalidValueError as exc:
        raise ParseError(vault.root / "vault.yaml", f"keep_in_touch: {exc}") from None
    return value


def agenda(vault: Vault, days: int = DEFAULT_DAYS, owner: str | None = None, today: dt.date | None = None) -> Agenda:
    """The vault's agenda (see build_agenda); files that do not parse are in ``skipped``."""
    cadence = vault_cadence(vault)
    loaded = vault.load()
    result = build_agenda(loaded.contacts, today or vault.today(), days, cadence, owner)
    result.skipped = loaded.problems
    return result


def tasks(
    vault: Vault, query: str | None = None, overdue: bool = False, due_before: dt.date | None = None,
    owner: str | None = None, today: dt.date | None = None,
) -> TaskReport:
    """Open tasks of the contacts ``query`` selects (all when None), soonest first."""
    from vault_tool.search.selection import select

    loaded = select(vault, query)
    items = select_tasks(loaded.contacts, today or vault.today(), overdue, due_before, owner)
    return TaskReport(items, task_problems(owned_by(loaded.contacts, owner)), loaded.problems)


def stale_contacts(
    vault: Vault, days: int | None = None, owner: str | None = None, today: dt.date | None = None,
) -> StaleReport:
    """Contacts with no interaction for ``days`` days (default: vault.yaml's keep_in_touch)."""
    day = today or vault.today()
    if days is not None and days < 0:
        raise InvalidValueError(f"days must be 0 or more, not {days}")
    cutoff = day - (dt.timedelta(days=days) if days is not None else parse_duration(vault_cadence(vault)))
    loaded = vault.load()
    return StaleReport(stale(owned_by(loaded.contacts, owner), day, cutoff), cutoff, loaded.problems)
