"""`contacts show` as text for a person reading it in a terminal."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .body import render_heading
from .contact import Contact

if TYPE_CHECKING:
    from .scoring import Score

_FIELD_ORDER = (
    "kind", "company", "title", "emails", "phones", "tags", "stage", "owner", "address", "birthday",
    "keep_in_touch", "links", "uid",
)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in text.split("\n")]


def score_lines(score: Score) -> list[str]:
    """`Score 35` and a line per rule that gave points: `  +20  tag vip`."""
    width = max((len(f"{p:+d}") for p, _ in score.lines), default=0)
    return [f"Score {score.total}"] + [f"  {p:>+{width}d}  {reason}" for p, reason in score.lines]


def show_text(contact: Contact, today: dt.date, limit: int | None = None, score: Score | None = None) -> str:
    """Fields, the score explained (when there is one), notes, open tasks and interactions
    (newest first, ``limit`` of them)."""
    lines = [f"{contact.name}  ({contact.handle})"]
    keys = [k for k in _FIELD_ORDER if k in contact.meta] + list(contact.custom)
    width = max((len(k) for k in keys), default=0)
    lines += [f"  {k + ':':<{width + 1}} {_value(contact.meta[k])}" for k in keys]
    if score is not None:
        lines += [""] + score_lines(score)
    if contact.notes:
        lines += ["", "Notes"] + _indent(contact.notes)
    open_tasks = [t for t in contact.tasks if not t.done]
    if open_tasks:
        lines += ["", "Open tasks"]
        for task in open_tasks:
            late = " (overdue)" if task.due and task.due < today else ""
            lines.append(f"  [ ] {task.text}{late}")
    items = sorted(contact.interactions, key=lambda i: i.when, reverse=True)
    if items:
        shown = items[:limit] if limit else items
        lines += ["", f"Interactions ({len(items)})" + (f", newest {len(shown)}" if len(shown) < len(items) else "")]
        for item in shown:
            upcoming = "  (upcoming)" if item.date > today else ""
            lines.append("  " + render_heading(item).removeprefix("## ") + upcoming)
            if item.text:
                lines += _indent(item.text, "      ")
    return "\n".join(lines)
