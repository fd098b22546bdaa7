"""The query language on top of Whoosh's: segments, dates, phone numbers, and field names checked.

Pure text rewriting, done before Whoosh parses the query:
- `@name` becomes the saved search `name` from vault.yaml, in parentheses;
- date clauses (`last_contact:<-90days`, `created:2026`, `created:[2026-01-01 to 2026-06-30]`)
  become numeric ranges over YYYYMMDD, computed from an explicit ``today``;
- `phone:7946 0958`, `phone:"+44 20 7946 0958"` become a prefix over the stored number tails;
- a `field:` that no contact could have is an error that lists the fields there are.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

from vault_tool.errors import InvalidValueError
from vault_tool.format.fieldtable import DATE_FIELDS, day_number

NUMERIC_VALUE = re.compile(r"(?:<=|>=|<|>)\s*-?\d+(?:\.\d+)?|[\[{]\s*-?[\d.]*\s*\bto\b\s*-?[\d.]*\s*[\]}]", re.I)
NONE = "none"
RELATIVE = re.compile(r"([+-])(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)", re.IGNORECASE)
SEGMENT = re.compile(r'"[^"]*"|(?<![\w.+-])@([\w-]+)')
CLAUSE = re.compile(
    r'"[^"]*"'  # a phrase: left alone
    r'|(?<![\w.@-])phone:("[^"]*"|\+?\(?\d(?:[\d\s().-]*\d)?)'  # a phone number, spaces and all
    r"|(?<![\w.@-])([A-Za-z_]\w*):"  # any other field name, then its value
    r'(\[[^\]}]*[\]}]|\{[^\]}]*[\]}]|"[^"]*"|[^\s()]*)'
)


def expand_segments(text: str, segments: dict[str, str], seen: tuple[str, ...] = ()) -> str:
    """Replace each `@name` with its saved search, recursively; an unknown or circular one is an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)
        if name in seen:
            raise InvalidValueError(f"segment '@{name}' refers to itself (via {' -> '.join(seen)})")
        if name not in segments:
            known = ", ".join(f"@{s}" for s in sorted(segments)) or "none yet"
            raise InvalidValueError(f"no segment '@{name}' in vault.yaml (segments: {known})")
        return f"({expand_segments(segments[name], segments, (*seen, name))})"

    return SEGMENT.sub(replace, text)


def rewrite(
    text: str, today: dt.date, fields: list[str], phone_digits: Callable[[str], str]
) -> str:
    """Make dates and phone numbers explicit and check that every named field exists."""

    def replace(match: re.Match[str]) -> str:
        phone, name, value = match.group(1), match.group(2), match.group(3)
        if phone is not None:
            digits = phone_digits(phone.strip('"'))
            if not digits:
                raise InvalidValueError(f"phone:{phone} has no digits to look for")
            return f"phone:{digits}*"
        if name is None:
            return match.group(0)
        if name in DATE_FIELDS:
            value = date_range(value, today)
            return f"(NOT {name}:[to])" if value == NONE else f"{name}:{value}"
        if name == "score" or (name in fields and NUMERIC_VALUE.fullmatch(value)):
            target = name if name == "score" else f"n_{name.lower()}"
            return f"{target}:{number_range(value, name)}"
        if name == "phone":
            raise InvalidValueError(f"phone:{value} has no digits to look for: use phone:7946 or phone:\"+44 20 …\"")
        if name not in fields:
            raise InvalidValueError(f"no field '{name}' to search (fields: {', '.join(sorted(set(fields)))})")
        return match.group(0)

    return CLAUSE.sub(replace, text)


def number_range(value: str, name: str) -> str:
    """`>300`, `<=4.5`, `[100 to 500]`, `50` as a Whoosh numeric range."""
    value = value.strip()
    match = re.fullmatch(r"(<=|>=|<|>)?\s*(-?\d+(?:\.\d+)?)", value)
    if match:
        op, number = match.group(1) or "", match.group(2)
        return {"<": f"[to {number}}}", "<=": f"[to {number}]", ">": f"{{{number} to]", ">=": f"[{number} to]",
                "": f"[{number} to {number}]"}[op]
    bracket = re.fullmatch(r"([\[{])\s*(-?[\d.]*)\s*\bto\b\s*(-?[\d.]*)\s*([\]}])", value, re.IGNORECASE)
    if bracket and all(re.fullmatch(r"-?\d+(?:\.\d+)?|", g) for g in bracket.group(2, 3)):
        low, high = bracket.group(2), bracket.group(3)
        return f"{bracket.group(1)}{low} to {high}{bracket.group(4)}".replace("[ to", "[to").replace("{ to", "{to") \
            .replace("to ]", "to]").replace("to }", "to}")
    raise InvalidValueError(f"{name}:{value} is not a number or a range: use {name}:>50, {name}:[10 to 20] or {name}:7")


def date_range(value: str, today: dt.date) -> str:
    """A clause's value as a Whoosh range over YYYYMMDD numbers; `none` is "no date"."""
    value = value.strip()
    if value.lower() == "none":  # rewritten to "no value in this field"
        return NONE
    bracket = re.fullmatch(r"([\[{])\s*(.*?)\s*([\]}])", value)
    if bracket:
        low, _, high = _split_range(bracket.group(2))
        start = day_number(day_span(low, today)[0]) if low else ""
        end = day_number(day_span(high, today)[1]) if high else ""
        if bracket.group(1) == "{" and low:
            start = day_number(day_span(low, today)[1] + dt.timedelta(days=1))
        if bracket.group(3) == "}" and high:
            end = day_number(day_span(high, today)[0] - dt.timedelta(days=1))
        return f"[{start} to {end}]".replace("[ to", "[to")
    operator = re.match(r"<=|>=|<|>", value)
    op = operator.group(0) if operator else ""
    first, last = day_span(value[len(op):], today)
    if op in ("<", "<="):
        return f"[to {day_number(first - dt.timedelta(days=1)) if op == '<' else day_number(last)}]"
    if op in (">", ">="):
        return f"[{day_number(last + dt.timedelta(days=1)) if op == '>' else day_number(first)} to]"
    return f"[{day_number(first)} to {day_number(last)}]"


def _split_range(inner: str) -> tuple[str, str, str]:
    parts = re.split(r"(?:^|\s+)to(?:\s+|$)", inner, maxsplit=1, flags=re.IGNORECASE)
    if len(parts) != 2:
        raise InvalidValueError(f"a date range looks like [2026-01-01 to 2026-06-30], not [{inner}]")
    return parts[0].strip(), "to", parts[1].strip()


def day_span(text: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day ``text`` names: `2026`, `2026-11`, `2026-11-23`, `today`, `-90days`, `+2w`."""
    text = text.strip().lower()
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if text in named:
        day = today + dt.timedelta(days=named[text])
        return day, day
    relative = RELATIVE.fullmatch(text)
    if relative:
        from vault_tool.format.dates import shift

        day = shift(today, int(relative.group(2)) * (1 if relative.group(1) == "+" else -1), relative.group(3))
        return day, day
    try:
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(x) for x in text.split("-"))
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        day = dt.date.fromisoformat(text)
        return day, day
    except ValueError:
        pass
    raise InvalidValueError(
        f"'{text}' is not a date: use 2026-11-23, 2026-11, 2026, today, yesterday, or -90days / -3months / +2w"
    )


