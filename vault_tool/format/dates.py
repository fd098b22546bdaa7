"""Dates and times as people type them: ISO dates, `today`, `yesterday`, `-3d`, `next monday`."""
from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from vault_tool.errors import InvalidValueError

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_OFFSET = re.compile(r"^(?P<sign>[-+])?(?P<n>\d+)\s*(?P<unit>d|w|m|y|days?|weeks?|months?|years?)$")
_DURATION = re.compile(r"^(?P<n>\d+)\s*(?P<unit>d|w|m|y)$")
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})$")


def _delta(n: int, unit: str) -> relativedelta:
    unit = unit[0]
    return {
        "d": relativedelta(days=n), "w": relativedelta(weeks=n),
        "m": relativedelta(months=n), "y": relativedelta(years=n),
    }[unit]


def shift(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` moved by ``amount`` days, weeks, months or years (``unit``: `d`, `w`, `m`, `y`, or the word)."""
    return day + _delta(amount, unit)


def _weekday(words: list[str], today: dt.date) -> dt.date | None:
    if not words or words[-1] not in _WEEKDAYS or len(words) > 2:
        return None
    target = _WEEKDAYS.index(words[-1])
    if len(words) == 2 and words[0] == "last":
        return today - dt.timedelta(days=(today.weekday() - target - 1) % 7 + 1)
    if len(words) == 1 or words[0] == "next":
        return today + dt.timedelta(days=(target - today.weekday() - 1) % 7 + 1)
    return None


def parse_date(text: str, today: dt.date) -> dt.date:
    """A date from `2026-12-01`, `today`, `tomorrow`, `yesterday`, `+3d`, `-2w`, `next monday`."""
    raw = text.strip().lower()
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if raw in named:
        return today + dt.timedelta(days=named[raw])
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    match = _OFFSET.match(raw)
    if match:
        n = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
        return shift(today, n, match["unit"])
    day = _weekday(raw.split(), today)
    if day is not None:
        return day
    raise InvalidValueError(
        f"'{text}' is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, +3d, -2w or next monday"
    )


def parse_time(text: str) -> str:
    """A 24-hour time `HH:MM`."""
    match = _TIME.match(text.strip())
    if not match or int(match["h"]) > 23 or int(match["m"]) > 59:
        raise InvalidValueError(f"'{text}' is not a 24-hour time: use HH:MM, e.g. 14:30")
    return f"{int(match['h']):02d}:{match['m']}"


def parse_duration(text: str) -> relativedelta:
    """A cadence like `14d`, `6w`, `3m`, `1y`."""
    match = _DURATION.match(str(text).strip().lower())
    if not match:
        raise InvalidValueError(f"'{text}' is not a duration: use a number and d, w, m or y, e.g. 30d")
    return _delta(int(match["n"]), match["unit"])


def is_duration(text: str) -> bool:
    """Whether ``text`` is a cadence parse_duration reads."""
    return _DURATION.match(str(text).strip().lower()) is not None


def is_birthday(text: str) -> bool:
    """`1815-12-10`, or `--12-10` when the year is unknown."""
    value = str(text)
    try:
        if value.startswith("--"):
            dt.date.fromisoformat("2000" + value[1:])
        else:
            dt.date.fromisoformat(value)
        return len(value) in (7, 10)
    except ValueError:
        return False
