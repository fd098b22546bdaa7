"""The follow-up values of a contact file: birthdays, keep-in-touch cadences and task dates.

What follow-ups read from the front matter and the task list, and the problems of those values
that do not parse, each with its file and line: never dropped in silence, read around. The index
stores these problems with each contact, so reading commands report them without the files.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.contact import Contact
from vault_tool.format.dates import parse_duration


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
