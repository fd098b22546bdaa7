"""Rows of results as text: an aligned table for people, JSON, JSON lines, CSV or paths for scripts."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

ROW_FORMATS = ("table", "json", "jsonl", "csv", "paths")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters take two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], width: int | None = None) -> str:
    """An aligned table; ``columns`` are (key, header) pairs. Long cells are cut to fit ``width``."""
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    if width:
        widths = _fit(widths, width)
    lines = [_line(headers, widths)] + [_line(r, widths) for r in cells]
    return "\n".join(lines)


def _fit(widths: list[int], total: int) -> list[int]:
    """Shrink the widest columns until the row fits ``total`` columns (never below 8)."""
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > total:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text + " " * (width - display_width(text))
    out, used = "", 0
    for char in text:
        w = display_width(char)
        if used + w > width - 1:
            break
        out, used = out + char, used + w
    return out + "…" + " " * (width - used - 1)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(_clip(c, w) for c, w in zip(cells, widths)).rstrip()


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str)


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue().rstrip("\n")


def render_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: str, width: int | None = None
) -> str:
    """``rows`` in one of ROW_FORMATS; ``paths`` prints each row's ``path``."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "jsonl":
        return to_jsonl(rows)
    if fmt == "csv":
        return to_csv(rows, [key for key, _ in columns])
    if fmt == "paths":
        return "\n".join(str(r["path"]) for r in rows)
    return table(rows, columns, width)


MAIL_FORMATS = ("mutt", "aerc")


def mail_lines(rows: Sequence[dict[str, Any]], fmt: str, query: str) -> str:
    """Address-book lines, one per email address of each row.

    mutt's `query_command` wants a first line it shows as a status, then `email<TAB>name<TAB>info`;
    aerc's `address-book-cmd` wants `email<TAB>name`.
    """
    lines = []
    for row in rows:
        for email in row.get("emails") or []:
            fields = [email, _tabless(row.get("name", ""))]
            if fmt == "mutt":
                fields.append(_tabless(row.get("company") or ", ".join(row.get("tags") or [])))
            lines.append("\t".join(fields))
    if fmt == "mutt":
        lines.insert(0, f"{len(lines)} addresses for '{query}' in the contact vault")
    return "\n".join(lines)


def _tabless(text: str) -> str:
    return " ".join(str(text).split())
