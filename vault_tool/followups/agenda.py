"""What needs attention: open tasks, appointments, keep-in-touch cadences, birthdays, and deals closing.

Everything here is derived from the files: a task is a task-list item, an
appointment an interaction dated today or later, the "last contact" the newest
interaction on or before today. Nothing is stored but the files themselves, so
logging an interaction is what resets a contact's keep-in-touch clock.
Every function takes ``today`` explicitly. The deals on the agenda (open ones whose expected close
date falls in its time, or has passed) come from the deals' index (search/deals.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.body import Interaction, Task, task_title
from vault_tool.format.contact import Contact
from vault_tool.format.dates import parse_duration
from vault_tool.format.fieldtable import DAY_MAX, day_number, day_text
from vault_tool.format.handles import fold
from vault_tool.format.schedule import Birthday, birthday_of, item_problems
from vault_tool.search.view import Between, Card, CardContact, Days, StoredContact

if TYPE_CHECKING:
    from pathlib import Path

    from whoosh.index import Index

    from vault_tool.search.deals import DealView
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
    overdue_deals: list[DealView] = field(default_factory=list)  # open, their close date passed
    closing_deals: list[DealView] = field(default_factory=list)  # open, closing from today through until

    def is_empty(self) -> bool:
        return not (self.overdue or self.due or self.appointments or self.keep_in_touch or self.birthdays
                    or self.overdue_deals or self.closing_deals)


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


# Selecting


def owner_set(owner: str | Iterable[str] | None) -> set[str]:
    """The owners ``owner`` names: one, several, or none (None: anyone's)."""
    return {owner} if isinstance(owner, str) else set(owner or ())


def owned_by(contacts: Iterable[Contact], owner: str | Iterable[str] | None) -> list[Contact]:
    """The contacts ``owner`` owns, or any of several owners (all contacts for None or none)."""
    owners = owner_set(owner)
    return [c for c in contacts if not owners or c.text_field("owner") in owners]


def open_tasks(contacts: Iterable[Contact]) -> list[TaskItem]:
    """Every open task, in notes and in interaction sections, numbered per contact in file order."""
    items = []
    for contact in contacts:
        open_ones = [t for t in contact.tasks if not t.done]
        items += [TaskItem(contact, task, n) for n, task in enumerate(open_ones, 1)]
    return items


def soonest_first(items: Iterable[TaskItem]) -> list[TaskItem]:
    """Dated tasks by due date (so overdue ones come first), then the undated ones."""
    return sorted(items, key=task_order)


def task_order(item: TaskItem) -> str:
    """Where a task comes among others (`soonest_first`): by due date, undated last, then its contact and line; as
    one text (`ordered_by`) that followups/rows.py keeps, a date as its ISO text, which sorts the same."""
    due = item.task.due or dt.date.max
    return ordered_by(due.isoformat(), fold(item.contact.name), item.contact.handle, f"{item.task.line:09d}")


def ordered_by(*parts: str) -> str:
    """One text that sorts as the tuple of ``parts`` does (NUL between them, below every other character): compared
    in one C call, where a tuple's strings are compared one by one (sorting the agenda's 41,000 keep-in-touch
    rows by tuples took 26 ms, by these 9 ms)."""
    return "\0".join(parts)


def select_tasks(
    contacts: Iterable[Contact], today: dt.date, overdue: bool = False,
    due_before: dt.date | None = None, owner: str | Iterable[str] | None = None, ordered: bool = True,
) -> list[TaskItem]:
    """Open tasks soonest first: only overdue ones, only those due on or before ``due_before``, of ``owner``.

    ``ordered`` False: in no order, for a caller that orders them itself (as followups/rows.py does,
    which keeps each one's `task_order`); so for `keep_in_touch` and `stale`.
    """
    items = open_tasks(owned_by(contacts, owner))
    if overdue:
        items = [i for i in items if i.overdue(today)]
    if due_before is not None:
        items = [i for i in items if i.task.due is not None and i.task.due <= due_before]
    return soonest_first(items) if ordered else items


def appointments(
    contacts: Iterable[Contact], start: dt.date, until: dt.date, ordered: bool = True,
) -> list[Appointment]:
    """Appointments (see Interaction.is_appointment) from ``start`` through ``until``, earliest first (``ordered``:
    see `select_tasks`)."""
    found = [
        Appointment(c, i) for c in contacts if c.has_appointment(start)
        for i in c.interactions if i.date <= until and i.is_appointment(start)
    ]
    return sorted(found, key=appointment_order) if ordered else found


def appointment_order(item: Appointment) -> str:
    """Earliest first, then by name (as one text: see `task_order`)."""
    return ordered_by(item.interaction.when.isoformat(), fold(item.contact.name), item.contact.handle)


def birthdays(
    contacts: Iterable[Contact], start: dt.date, until: dt.date, ordered: bool = True,
) -> list[BirthdayItem]:
    """Birthdays from ``start`` through ``until``, soonest first (``ordered``: see `select_tasks`)."""
    found = []
    for contact in contacts:
        birthday = birthday_of(contact)
        if birthday is None:
            continue
        day = birthday.next(start)
        if day <= until:
            found.append(BirthdayItem(contact, birthday, day))
    return sorted(found, key=birthday_order) if ordered else found


def birthday_order(item: BirthdayItem) -> str:
    """Soonest first, then by name (as one text: see `task_order`)."""
    return ordered_by(item.date.isoformat(), fold(item.contact.name), item.contact.handle)


def keep_in_touch(
    contacts: Iterable[Contact], today: dt.date, default: str, ordered: bool = True,
) -> list[KeepInTouch]:
    """Contacts due for contact: their last interaction plus their cadence (or ``default``) is today or earlier.

    A contact with an appointment today or later is left out: the next contact is planned.
    A contact never in touch is listed only when it sets its own cadence (so a fresh import
    of hundreds of contacts does not flood the agenda; `stale` lists those).
    """
    found = []
    parsed: dict[str, relativedelta] = {}
    dues: dict[tuple[dt.date, str], dt.date] = {}  # many contacts share a last day and a cadence
    for contact in contacts:
        if contact.has_appointment(today):
            continue
        written, cadence, own = cadence_of(contact, default, parsed)
        last = contact.last_contact(today)
        if last is None:
            if own:
                found.append(KeepInTouch(contact, written, None, None))
            continue
        due = dues.get((last, written))
        if due is None:
            due = dues[(last, written)] = last + cadence
        if due <= today:
            found.append(KeepInTouch(contact, written, last, due))
    return sorted(found, key=touch_order) if ordered else found


def touch_order(item: KeepInTouch) -> str:
    """Never in touch first, then the longest due, then by name (as one text: see `task_order`)."""
    return ordered_by((item.due or dt.date.min).isoformat(), fold(item.contact.name), item.contact.handle)


def stale(
    contacts: Iterable[Contact], today: dt.date, cutoff: dt.date,
    added: Callable[[Contact], dt.date | None] | None = None, ordered: bool = True,
) -> list[StaleItem]:
    """Contacts silent since ``cutoff`` or before (never in touch first, then the longest silent).

    Silent since the last contact or, never in touch, since the day ``added`` says the contact came
    into the vault (unknown, or after ``today``: always). A contact with an appointment booked is
    not stale, nor one added today that was never in touch.
    """
    found = []
    for contact in contacts:
        last, since = contact.last_contact(today), added(contact) if added else None
        since = since if since is None or since <= today else None
        if (last is None and since == today) or contact.has_appointment(today):
            continue
        if (last or since or dt.date.min) <= cutoff:
            found.append(StaleItem(contact, last))
    return sorted(found, key=stale_order) if ordered else found


def stale_order(item: StaleItem) -> str:
    """Where a stale contact comes among others: never in touch first, then the longest silent, then by name; as
    one text (see `task_order`)."""
    return ordered_by((item.last or dt.date.min).isoformat(), fold(item.contact.name), item.contact.handle)


def agenda_until(today: dt.date, days: int) -> dt.date:
    """The last day of an agenda of ``days`` days from ``today``; an InvalidValueError for fewer than none."""
    if days < 0:
        raise InvalidValueError(f"days must be 0 or more, not {days}")
    return today + dt.timedelta(days=days)


def build_agenda(
    contacts: Iterable[Contact], today: dt.date, days: int = DEFAULT_DAYS,
    default_cadence: str = "90d", owner: str | Iterable[str] | None = None, problems: list[ParseError] | None = None,
    touching: Iterable[Contact] | None = None, ordered: bool = True,
) -> Agenda:
    """The agenda for today through ``days`` days ahead, for ``owner``'s contacts (all when None); who to get in
    touch with is found among ``touching`` when given (the index's cards), else among ``contacts``. ``ordered``
    False: each section in no order (see `select_tasks`)."""
    until = agenda_until(today, days)
    chosen = owned_by(contacts, owner)
    tasks = select_tasks(chosen, today, ordered=ordered)
    touch = chosen if touching is None else owned_by(touching, owner)
    return Agenda(
        today=today, until=until,
        overdue=[t for t in tasks if t.overdue(today)],
        due=[t for t in tasks if t.task.due is not None and today <= t.task.due <= until],
        appointments=appointments(chosen, today, until, ordered),
        keep_in_touch=keep_in_touch(touch, today, default_cadence, ordered),
        birthdays=birthdays(chosen, today, until, ordered),
        problems=item_problems(chosen) if problems is None else problems,
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


def agenda(
    vault: Vault, days: int = DEFAULT_DAYS, owner: str | Iterable[str] | None = None, today: dt.date | None = None,
) -> Agenda:
    """The vault's agenda (see build_agenda), from the index; files that do not parse are in ``skipped``."""
    from vault_tool.search.selection import views_and

    day = today or vault.today()
    until = agenda_until(day, days)
    cadence = vault_cadence(vault)
    pick = touch_candidate(day, cadence)
    # The deals first: their folder is stat-ed while the contacts' scan, started at launch, is still running.
    overdue_deals, closing_deals, left_out = deals_due(vault, day, until, owner)
    found, touching = views_and(vault, day, agenda_candidates(day, until),
                                lambda ix: cards(ix, vault.root, day, pick))
    result = build_agenda(found.contacts(), day, days, cadence, owner, found.problems(owner), touching)
    result.overdue_deals, result.closing_deals = overdue_deals, closing_deals
    result.skipped = found.skipped + left_out
    return result


def deals_due(
    vault: Vault, today: dt.date, until: dt.date, owner: str | Iterable[str] | None = None,
) -> tuple[list[DealView], list[DealView], list[ParseError]]:
    """The open deals of ``owner`` (all when None) whose expected close date has passed, and those that close
    from ``today`` through ``until``, soonest first; from the deals' index, with the deal files it left out."""
    from vault_tool.search.deals import find_deals

    owners = owner_set(owner)
    found = find_deals(vault, f"status:open close:<={until.isoformat()}", today)
    deals = sorted((deal for deal in found.deals if deal.close is not None and (not owners or deal.owner in owners)),
                   key=lambda deal: (deal.close or today, fold(deal.name), deal.handle))
    return [d for d in deals if d.overdue(today)], [d for d in deals if not d.overdue(today)], found.left_out


def agenda_candidates(today: dt.date, until: dt.date) -> list[Between]:
    """The contacts that may have a task, an appointment or a birthday on the agenda, or a follow-up value that
    does not parse (to be named): a superset, which build_agenda decides on exactly. Who to get in touch
    with is picked apart, from the cards (see `touch_candidate`).

    Open tasks due by ``until``; an interaction today (the later ones set ``next_date``); a birthday
    in the time (any birthday: few contacts have one); follow-up values that do not parse.
    """
    return [
        Between("task_due", None, day_number(until)), Between("next_date", 1, day_number(until)),
        Between("last_contact", day_number(today), day_number(today)), Between("problems", 1, None),
        *_birthdays_between(today, until),
    ]


def touch_candidate(today: dt.date, cadence: str) -> Callable[[tuple[int, ...]], bool]:
    """Whether a contact's CARD_NUMBERS may have it on the agenda to get in touch with: a superset, which
    keep_in_touch decides on exactly. Nothing planned after today (`next_date`), and a keep-in-touch
    cadence of its own run out (`touch_due`), or a last contact on or before today less the default
    cadence (with a week of slack for a cadence in months or years, whose days vary).
    """
    delta = parse_duration(cadence)
    day = day_number(today)
    bound = day_number(today - delta + dt.timedelta(days=7 if delta.months or delta.years else 0))

    def pick(numbers: tuple[int, ...]) -> bool:
        last, after, _, own_due = numbers
        return after > DAY_MAX and (own_due <= day if own_due <= DAY_MAX else last <= bound)

    return pick


CARD_NUMBERS = ("last_contact", "next_date", "created", "touch_due")  # the day columns a card is picked by


def cards(ix: Index, root: Path, today: dt.date, pick: Callable[[tuple[int, ...]], bool]) -> list[Contact]:
    """The contacts of index ``ix`` whose CARD_NUMBERS ``pick`` accepts, each rebuilt from its card as of ``today``
    (see view.CardContact): tens of thousands of contacts, to get in touch with or gone quiet, with no
    heading or task read.

    The index is up to date for ``today``: its `last_contact` is the last contact on or before it and
    `next_date` the first interaction after it (freshness.py indexes again the contacts whose day
    turned), so an interaction dated ``today`` and not logged (the card says) is the one planned
    contact they do not tell.
    """
    from vault_tool.search import columns

    make = card_maker(root, today)
    return [make(rel, numbers, card) for rel, numbers, card in columns.picked(ix, CARD_NUMBERS, pick, "card")]


def card_maker(root: Path, today: dt.date) -> Callable[[str, tuple[int, ...], Card], CardContact]:
    """What makes a CardContact of a contact's path, CARD_NUMBERS and card, as of ``today`` (see `cards`)."""
    day, days, texts = day_number(today), Days(), dict[int, str]()

    def text(number: int) -> str:  # many contacts share a day; a missing one is past DAY_MAX
        held = texts.get(number)
        return held if held is not None else texts.setdefault(number, day_text(number) if number <= DAY_MAX else "")

    def make(rel: str, numbers: tuple[int, ...], card: Card) -> CardContact:
        last, after, created, _ = numbers
        planned = after <= DAY_MAX or (last == day and card[4])
        return CardContact(card, root, rel, text(created) or None, today, text(last), planned, days)

    return make


def _birthdays_between(today: dt.date, until: dt.date) -> list[Between]:
    """The index's `birthday_day` (MMDD) ranges of the days from ``today`` through ``until``.

    29 February is kept on the 28th in common years: a range with 28 February takes it too.
    """
    if (until - today).days >= 365:
        return [Between("birthday_day", 1, None)]
    start, end = today.month * 100 + today.day, until.month * 100 + until.day
    ranges = [(start, end)] if start <= end else [(start, 1231), (101, end)]
    ranges += [(229, 229) for low, high in list(ranges) if low <= 228 <= high]
    return [Between("birthday_day", low, high) for low, high in ranges]


def tasks(
    vault: Vault, query: str | None = None, overdue: bool = False, due_before: dt.date | None = None,
    owner: str | Iterable[str] | None = None, today: dt.date | None = None,
) -> TaskReport:
    """Open tasks of the contacts ``query`` selects (all when None), soonest first; read from the index."""
    from vault_tool.search.selection import views

    day = today or vault.today()
    found = views(vault, day, [Between("task_due", None, None), Between("problems", 1, None)], query)
    items = select_tasks(found.contacts(), day, overdue, due_before, owner)
    return TaskReport(items, found.problems(owner, tasks_only=True), found.skipped)


def stale_contacts(
    vault: Vault, days: int | None = None, owner: str | Iterable[str] | None = None, today: dt.date | None = None,
) -> StaleReport:
    """Contacts with no interaction for ``days`` days (default: vault.yaml's keep_in_touch); from the index's cards."""
    from vault_tool.search.selection import answered

    day = today or vault.today()
    cutoff, pick = stale_pick(vault, day, days)
    found, skipped, _ = answered(vault, day, lambda ix: cards(ix, vault.root, day, pick))
    return StaleReport(stale(owned_by(found, owner), day, cutoff, added_of), cutoff, skipped)


def stale_pick(vault: Vault, today: dt.date, days: int | None) -> tuple[dt.date, Callable[[tuple[int, ...]], bool]]:
    """The cutoff of stale contacts (``days`` before today, else the vault's keep_in_touch), and whether a contact's
    CARD_NUMBERS may make it one: silent since the cutoff, or never in touch (a superset: see `stale`)."""
    if days is not None and days < 0:
        raise InvalidValueError(f"days must be 0 or more, not {days}")
    cutoff = today - (dt.timedelta(days=days) if days is not None else parse_duration(vault_cadence(vault)))
    bound = day_number(cutoff)

    def pick(numbers: tuple[int, ...]) -> bool:
        return numbers[0] <= bound or numbers[0] > DAY_MAX

    return cutoff, pick


def added_of(contact: Contact) -> dt.date | None:
    """The day a contact read from the index came into the vault (see `stale`)."""
    return contact.added if isinstance(contact, StoredContact) else None
