"""Rows of results as text: an aligned table for people, JSON, JSON lines, CSV or paths for scripts."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Container, Sequence
from typing import Any

ROW_FORMATS = ("table", "json", "jsonl", "csv", "paths")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_BODY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9 ().\-/]*[0-9][0-9 ().\-/]*")
_PLAIN_ADDRESS = re.compile(r"[^\s@,;:<>()\[\]\\\"]+@[^\s@,;:<>()\[\]\\\"']+")


def visible(text: str, newlines: bool = False) -> str:
    """``text`` safe for a terminal: control characters (C0, DEL, C1, so every escape sequence) shown escaped,
    as `\\x1b`, `\\t`, `\\n`.

    With ``newlines``, line breaks and tabs stay (for a body of several lines, where they move no
    other text); otherwise they are escaped too, so the text stays on one line of its column.
    """
    pattern = _CONTROL_IN_BODY if newlines else _CONTROL
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\x{ord(char):02x}"


def _formula_like(text: str) -> bool:
    core = text.lstrip("'")
    return core.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(core) is None


def spreadsheet_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: a `'` before it when it starts with
    `=` `+` `-` `@`, a tab or CR and is not a plain number (`+44 20 7946 0958` and `-12.5` stay as they are).

    A cell that already starts with `'` before such a start gets one more, so ``from_spreadsheet_cell``
    gives back exactly the value.
    """
    return "'" + text if _formula_like(text) else text


def spreadsheet_row(cells: list[str], raw: bool = False) -> list[str]:
    """A CSV row's cells through ``spreadsheet_cell`` (as they are with ``raw``): what every CSV writer writes."""
    return cells if raw else [spreadsheet_cell(cell) for cell in cells]


def from_spreadsheet_cell(cell: str) -> str:
    """The value ``spreadsheet_cell`` made ``cell`` from (a cell it did not change is its own value)."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell[1:]) else cell


NARROW_BELOW = "\u0300"  # every character before the combining accents is one column wide (Latin, with accents)


def narrow(text: str) -> bool:
    """Whether each character of ``text`` takes one column: ASCII, or letters such as `é`, `ß`, `ł` (most names).

    Tested at C speed, so a table of tens of thousands of accented names is measured by `len`.
    """
    return text.isascii() or max(text) < NARROW_BELOW


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters take two)."""
    if narrow(text):  # most text: one column a character, without a lookup per character
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


class Widths:
    """``display_width`` with each distinct text measured once: a table repeats names, companies, tags."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        width = self._known.get(text)
        if width is None:
            width = self._known[text] = display_width(text)
        return width

    def pad(self, text: str, width: int) -> str:
        return text + " " * (width - self(text))


def visible_lines(lines: Sequence[str]) -> list[str]:
    """Each line through `visible`, so each stays one line: the lines looked at together first (tens of thousands,
    nearly always without a control character)."""
    if _CONTROL.search("".join(lines)) is None:
        return list(lines)
    return [visible(line) for line in lines]


def _shown(cells: Sequence[str]) -> tuple[Sequence[str], bool]:
    """A column's cells through `visible`, so each row stays one line, and whether every cell is `narrow`.

    Tables are made a column at a time: the whole column is looked at once for a control character
    (nearly always none) and for a character that may not take one column (a table of accented names
    has none), so tens of thousands of rows are measured and padded with str methods.
    """
    joined = "".join(cells)
    if _CONTROL.search(joined) is not None:
        cells = [visible(cell) for cell in cells]
        joined = "".join(cells)
    return cells, narrow(joined)


def _widest(cells: Sequence[str], is_narrow: bool, measure: Widths) -> int:
    return max(map(len, cells)) if is_narrow else max(map(measure, cells))


def aligned(rows: Sequence[Sequence[str]], right: Container[int] = (), indent: str = "  ") -> list[str]:
    """Rows of cells as lines after ``indent``: each column as wide as its widest cell (in a terminal's
    columns), its cells left-aligned (right-aligned for the columns in ``right``), two spaces apart, no
    trailing spaces, control characters shown escaped (see `visible`). Put a header row first to align it
    with the rest.
    """
    measure = Widths()
    columns = []
    for at, column in enumerate(zip(*rows)):
        cells, is_narrow = _shown(column)
        width = _widest(cells, is_narrow, measure)
        if is_narrow:
            columns.append([cell.rjust(width) for cell in cells] if at in right else
                           [cell.ljust(width) for cell in cells])
        else:  # a narrow cell, most of them, is measured by its length
            columns.append([(cell.rjust(width) if at in right else cell.ljust(width)) if narrow(cell) else
                            " " * (width - measure(cell)) + cell if at in right else measure.pad(cell, width)
                            for cell in cells])
    return [(indent + "  ".join(cells)).rstrip() for cells in zip(*columns)]


def _cells(rows: Sequence[dict[str, Any]], key: str) -> list[str]:
    """Column ``key`` of ``rows`` as text (see `_cell`); a str value, most of them, as it is."""
    return [value if value.__class__ is str else _cell(value) for value in [row.get(key) for row in rows]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], width: int | None = None) -> str:
    """An aligned table; ``columns`` are (key, header) pairs. Long cells are cut to fit ``width``.

    A row is one line whatever its values hold: control characters and line breaks are shown escaped.
    """
    measure = Widths()
    shown = [_shown([header, *_cells(rows, key)]) for key, header in columns]
    widths = [_widest(cells, is_narrow, measure) for cells, is_narrow in shown]
    if width:
        widths = _fit(widths, width)
    clipped = [_clipped(cells, fits, is_narrow, measure) for (cells, is_narrow), fits in zip(shown, widths)]
    return "\n".join(["  ".join(line).rstrip() for line in zip(*clipped)])


def _clipped(column: Sequence[str], width: int, is_narrow: bool, measure: Widths) -> list[str]:
    """The cells of one column through `_clip`; a `narrow` column with str methods (as `_clip` would cut it)."""
    if is_narrow:
        return [cell.ljust(width) if len(cell) <= width else cell[:width - 1] + "…" for cell in column]
    return [(cell.ljust(width) if len(cell) <= width else cell[:width - 1] + "…") if narrow(cell) else
            _clip(cell, width, measure) for cell in column]


def _fit(widths: list[int], total: int) -> list[int]:
    """Shrink the widest columns until the row fits ``total`` columns (never below 8)."""
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > total:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int, measure: Widths) -> str:
    if measure(text) <= width:
        return measure.pad(text, width)
    out, used = "", 0
    for char in text:
        w = display_width(char)
        if used + w > width - 1:
            break
        out, used = out + char, used + w
    return out + "…" + " " * (width - used - 1)


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with `…`) to exactly ``width`` columns of a terminal."""
    return _clip(text, width, Widths())


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str)


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str], raw: bool = False) -> str:
    """``rows`` as CSV with a header of ``columns``; cells go through ``spreadsheet_cell`` unless ``raw``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spreadsheet_row(list(columns), raw))
    for row in rows:
        writer.writerow(spreadsheet_row([_cell(row.get(c)) for c in columns], raw))
    return buffer.getvalue().rstrip("\n")


def render_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: str, width: int | None = None,
    raw_csv: bool = False,
) -> str:
    """``rows`` in one of ROW_FORMATS; ``paths`` prints each row's ``path``; ``raw_csv``: see ``to_csv``."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "jsonl":
        return to_jsonl(rows)
    if fmt == "csv":
        return to_csv(rows, [key for key, _ in columns], raw_csv)
    if fmt == "paths":
        return "\n".join(visible(str(r["path"])) for r in rows)
    return table(rows, columns, width)


MAIL_FORMATS = ("mutt", "aerc")


def plain_address(value: Any) -> str | None:
    """``value`` when it is one plain email address (one @, no spaces, commas, brackets, quotes or control
    characters), else None."""
    text = str(value).strip(" ")
    if _PLAIN_ADDRESS.fullmatch(text) is None or not text.isprintable():
        return None
    return text


def mail_addresses(rows: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(address, row) for each plain email address of each row; values that are not one address are left out."""
    found = []
    for row in rows:
        for value in row.get("emails") or []:
            address = plain_address(value)
            if address is not None:
                found.append((address, row))
    return found


def mail_lines(rows: Sequence[dict[str, Any]], fmt: str, query: str) -> str:
    """Address-book lines, one per email address of each row.

    mutt's `query_command` wants a first line it shows as a status, then `email<TAB>name<TAB>info`
    (with no address, the status line alone says so: the command then exits non-zero, which mutt
    shows as an error); aerc's `address-book-cmd` wants `email<TAB>name`, and nothing when there is
    none. No value adds a line or a column: names and info are one line without tabs, and a value
    that is not one plain address is not printed.
    """
    lines = []
    for address, row in mail_addresses(rows):
        fields = [address, _one_field(row.get("name", ""))]
        if fmt == "mutt":
            fields.append(_one_field(row.get("company") or ", ".join(map(str, row.get("tags") or []))))
        lines.append("\t".join(fields))
    if fmt == "mutt":
        status = plural(len(lines), "address", "addresses") + " for" if lines else "No matches for"
        lines.insert(0, f"{status} '{_one_field(query)}' in the contact vault")
    return "\n".join(lines)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 address`, `2 addresses`: a count and its noun (``many`` defaults to ``one`` + s)."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def _one_field(text: Any) -> str:
    return visible(" ".join(str(text).split()))
