"""The query language on top of Whoosh's: segments, dates, phone numbers, and field names checked.

Pure text rewriting, done before Whoosh parses the query:
- `@name` becomes the saved search `name` from vault.yaml, in parentheses;
- date clauses (`last_contact:<-90days`, `created:2026`, `created:[2026-01-01 to 2026-06-30]`)
  become numeric ranges over YYYYMMDD, computed from an explicit ``today``;
- `phone:7946 0958`, `phone:"+44 20 7946 0958"` become a prefix over the stored number tails;
- a `field:` that no contact could have is an error that lists the fields there are.

Before any of that, `check_syntax` refuses a query Whoosh would read otherwise than written
(an operator with nothing to join, a parenthesis, quote or range never closed, `tag:` with no
value): Whoosh would search for the stray words instead, and answer wrongly without a word.
Every error names the character of the query where the problem is.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

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


# Checking a query before Whoosh reads it: Whoosh reads anything, and what it cannot place it
# searches for as words (`tag:client AND` looks for the word "and"), so a typo would answer wrongly.

BINARY = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE", "REQUIRE"})
_WORD = re.compile(r'[^\s()"]+')
_FIELD = re.compile(r"([A-Za-z_]\w*):")
_CLOSE = {"[": "]}", "{": "]}"}


class QueryError(InvalidValueError):
    """A query that does not say what it seems to: what is wrong, where, and what to write instead."""

    def __init__(self, text: str, at: int, problem: str, source: str = "the query") -> None:
        self.text, self.at, self.problem, self.source = text, at, problem, source
        super().__init__(f"in {source} '{text}' at character {at + 1}: {problem}")


@dataclass(frozen=True)
class Token:
    kind: str  # term, op (AND, OR …), not, open, close, field (a `name:` right before a parenthesis)
    at: int
    text: str


def check_syntax(text: str, source: str = "the query") -> None:
    """A QueryError for a query Whoosh would read differently than written: an operator with
    nothing to join, a parenthesis, quote or range never closed, a `field:` with no value."""
    tokens = tokens_of(text, source)
    opened: list[Token] = []
    before: Token | None = None
    for token in tokens:
        _check_pair(text, before, token, source)
        if token.kind == "open":
            opened.append(token)
        elif token.kind == "close":
            if not opened:
                raise QueryError(text, token.at, "')' closes nothing; remove it or add a '(' before it", source)
            opened.pop()
        before = token
    if before is not None and before.kind in ("op", "not", "field"):
        raise QueryError(text, before.at, f"{before.text} has nothing after it; put a search term after it, "
                         "or remove it", source)
    if opened:
        raise QueryError(text, opened[-1].at, "this '(' is never closed; add a ')' or remove it", source)


def _check_pair(text: str, before: Token | None, token: Token, source: str) -> None:
    """An error if ``token`` cannot follow ``before`` (None: the start of the query)."""
    joiner = before is not None and before.kind in ("op", "not", "field")
    if token.kind == "op" and (before is None or before.kind == "open"):
        raise QueryError(text, token.at, f"{token.text} has nothing before it; put a search term before it, "
                         "or remove it", source)
    if (token.kind == "op" or token.kind == "not" and before is not None and before.kind == "not") and joiner:
        assert before is not None
        raise QueryError(text, token.at, f"{before.text} is followed by {token.text} with nothing between them; "
                         "put a search term between them, or remove one", source)
    if token.kind == "close" and joiner:
        assert before is not None
        raise QueryError(text, before.at, f"{before.text} has nothing after it; put a search term after it, "
                         "or remove it", source)
    if token.kind == "close" and before is not None and before.kind == "open":
        raise QueryError(text, before.at, "'()' holds nothing; put a search term inside, or remove them", source)


def tokens_of(text: str, source: str = "the query") -> list[Token]:
    """The query as terms, operators and parentheses (a phrase, a range or a `field:value` is one term)."""
    found: list[Token] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char.isspace():
            at += 1
        elif char in "()":
            found.append(Token("open" if char == "(" else "close", at, char))
            at += 1
        elif char == '"' or char in _CLOSE:
            end = _closing(text, at, at, source)
            found.append(Token("term", at, text[at:end]))
            at = end
        else:
            token, at = _word(text, at, source)
            found.append(token)
    return found


def _word(text: str, at: int, source: str) -> tuple[Token, int]:
    """The word (an operator, a `field:` clause or a term) at ``at``, and where the next one starts."""
    word = _WORD.match(text, at)
    assert word is not None  # not at a space, a parenthesis or a quote
    value = word.group()
    if value in BINARY or value == "NOT":
        return Token("op" if value in BINARY else "not", at, value), word.end()
    field = _FIELD.match(value)
    if field is None or len(value) > field.end() and value[field.end()] not in "[{":
        return Token("term", at, value), word.end()
    start = at + field.end()  # where the field's value starts
    following = text[start:start + 1]
    if following == "(":
        return Token("field", at, value), start
    if following == '"' or following in _CLOSE:
        end = _closing(text, start, at, source)
        return Token("term", at, text[at:end]), end
    raise QueryError(text, at, f"{value} has no value; write {value}VALUE, {value}\"two words\" or "
                     f"{value}(a OR b)", source)


def _closing(text: str, start: int, clause: int, source: str) -> int:
    """Where the phrase or range that opens at ``start`` ends (just after its closing character)."""
    opener = text[start]
    closers = '"' if opener == '"' else _CLOSE[opener]
    for at in range(start + 1, len(text)):
        if text[at] in closers:
            return at + 1
    what = ("this quote is never closed; add a '\"' after the phrase" if opener == '"'
            else "this range is never closed; write it as [2026-01-01 to 2026-06-30] or [10 to 20]")
    raise QueryError(text, clause if clause != start else start, what, source)


def expand_segments(
    text: str, segments: dict[str, str], seen: tuple[str, ...] = (), prepare: Callable[[str, str], str] | None = None,
) -> str:
    """Replace each `@name` with its saved search, recursively; an unknown or circular one is an error.

    ``prepare(query, source)``: what to make of each saved search before it goes in (check and
    rewrite it, naming ``source`` in its errors); as saved when None.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)
        if name in seen:
            raise InvalidValueError(f"segment '@{name}' refers to itself (via {' -> '.join(seen)})")
        if name not in segments:
            known = ", ".join(f"@{s}" for s in sorted(segments)) or "none yet"
            raise InvalidValueError(f"no segment '@{name}' in vault.yaml (segments: {known})")
        body = segments[name] if prepare is None else prepare(segments[name], f"segment @{name}")
        return f"({expand_segments(body, segments, (*seen, name), prepare)})"

    return SEGMENT.sub(replace, text)


# A relation clause (`reports_to:charles`, `related:ada`) as the contacts it names: (field, value) -> the
# clause to search instead, None when ``field`` is no relation (see search/related.py).
Relations = Callable[[str, str], "str | None"]


def prepare(
    text: str, today: dt.date, fields: list[str], phone_digits: Callable[[str], str], source: str = "the query",
    relations: Relations | None = None, dates: tuple[str, ...] = DATE_FIELDS, numbers: tuple[str, ...] = ("score",),
) -> str:
    """``text`` checked (`check_syntax`) and rewritten (`rewrite`); errors name ``source`` and the character."""
    check_syntax(text, source)
    return rewrite(text, today, fields, phone_digits, source, relations, dates, numbers)


def rewrite(
    text: str, today: dt.date, fields: list[str], phone_digits: Callable[[str], str], source: str = "the query",
    relations: Relations | None = None, dates: tuple[str, ...] = DATE_FIELDS, numbers: tuple[str, ...] = ("score",),
) -> str:
    """Make dates, phone numbers and relations explicit and check that every named field exists.

    ``dates``: the fields that hold dates (the contacts', or the deals' `DEAL_DATE_FIELDS`); ``numbers``:
    those that hold only numbers, where `amount:500` is a range of one value (a custom field's
    `employees:500` is also a word).
    """

    def replace(match: re.Match[str]) -> str:
        try:
            return _clause(match, today, fields, phone_digits, relations, dates, numbers)
        except QueryError:
            raise
        except InvalidValueError as exc:
            raise QueryError(text, match.start(), str(exc), source) from None

    return CLAUSE.sub(replace, text)


def _clause(
    match: re.Match[str], today: dt.date, fields: list[str], phone_digits: Callable[[str], str],
    relations: Relations | None = None, dates: tuple[str, ...] = DATE_FIELDS, numbers: tuple[str, ...] = ("score",),
) -> str:
    """One clause of the query (see CLAUSE) made explicit."""
    phone, name, value = match.group(1), match.group(2), match.group(3)
    if phone is not None:
        digits = phone_digits(phone.strip('"'))
        if not digits:
            raise InvalidValueError(f"phone:{phone} has no digits to look for")
        return f"phone:{digits}*"
    if name is None:
        return match.group(0)
    related = relations(name, value) if relations is not None else None
    if related is not None:
        return related
    if name in dates:
        value = date_range(value, today)
        return f"(NOT {name}:[to])" if value == NONE else f"{name}:{value}"
    if name == "phone":
        raise InvalidValueError(f"phone:{value} has no digits to look for: use phone:7946 or phone:\"+44 20 …\"")
    if name != "score" and name not in fields:
        raise InvalidValueError(f"no field '{name}' to search (fields: {', '.join(sorted(set(fields)))})")
    if name in numbers or NUMERIC_VALUE.fullmatch(value) or value.startswith(("<", ">")):
        target = name if name == "score" else f"n_{name.lower()}"
        return f"{target}:{number_range(value, name)}"  # `employees:>abc` is an error, not a word
    return match.group(0)


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




# What a person typed in a mail client's address field

_QUERY_SIGNS = re.compile(r'[:"()\[\]{}*~^]|(?<![\w.+-])@|(?<!\S)(?:AND|OR|NOT|ANDNOT|ANDMAYBE|REQUIRE)(?!\S)')
_TYPED_BREAK = re.compile(r"[^\w'’]+|_")


def typed_words(text: str) -> list[str] | None:
    """The words of what a person typed so far (`Ada Love`, `zoe.mue`), case and accents folded,
    split where names and addresses split (spaces, `.` `_` `-` `+` `@`); None when ``text`` uses
    the query language (a `field:`, an operator, quotes, parentheses, `*`, `~`, `@segment`)."""
    if _QUERY_SIGNS.search(text):
        return None
    from vault_tool.format.handles import fold

    words = (word.strip("'’") for word in _TYPED_BREAK.split(text))
    return [fold(word) for word in words if word]
