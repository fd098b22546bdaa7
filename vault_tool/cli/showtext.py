"""`contacts show` as text for a person reading it in a terminal (control characters in values shown escaped)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from vault_tool.format.body import normalise_text, parse_task, render_heading
from vault_tool.format.contact import Contact
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.format.body import Interaction
    from vault_tool.format.documents import Document
    from vault_tool.reports.graph import Around
    from vault_tool.search.deals import DealView
    from vault_tool.search.scoring import Score

_FIELD_ORDER = (
    "kind", "company", "title", "emails", "phones", "tags", "stage", "owner", "address", "birthday",
    "keep_in_touch", "links", "uid",
)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return visible(", ".join(map(str, value)))
    if isinstance(value, dict):
        return visible(", ".join(f"{k}: {v}" for k, v in value.items()))
    return "" if value is None else visible(str(value))


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in visible(text, newlines=True).split("\n")]


def _without_open_tasks(text: str, listed: set[str]) -> str:
    """``text`` without the lines of the open tasks ``listed``: `show` lists each once, under "Open tasks"."""
    def kept(line: str) -> bool:
        task = parse_task(line)
        return task is None or task.done or task.text not in listed

    return normalise_text("\n".join(filter(kept, text.split("\n"))))


def score_lines(score: Score) -> list[str]:
    """`Score 35` and a line per rule that gave points: `  +20  tag vip`."""
    width = max((len(f"{p:+d}") for p, _ in score.lines), default=0)
    return [f"Score {score.total}"] + [f"  {p:>+{width}d}  {visible(reason)}" for p, reason in score.lines]


def relation_lines(contact: Contact, around: Around | None) -> list[str]:
    """`Relations: reports to Charles Babbage; manages Ada Lovelace` (both ways, with ``around``; else as the file
    writes them, by handle), and an organisation's people with their titles."""
    from vault_tool.format.relations import label, written

    if around is None:
        shown = [f"{label(r.type)} {r.target}" for r in written(contact.handle, contact.meta)]
    else:
        shown = [f"{label(r.type)} {r.name}" + ("" if r.node else " (no such contact)") for r in around.relations]
    lines = ["", visible("Relations: " + "; ".join(shown))] if shown else []
    if around is not None and around.people:
        lines += ["", f"People ({len(around.people)})"]
        lines += [visible(f"  {p.name}" + (f", {p.title}" if p.title else "")) for p in around.people]
    return lines


def document_lines(docs: list[Document]) -> list[str]:
    """`Documents (2)` and a line each: `  contract.pdf  14.2 KB`, `  photo.jpg  3.1 KB  (photo)`, `(missing)`."""
    from vault_tool.format.documents import KEY, shown_size

    if not docs:
        return []
    width = max(len(visible(doc.name)) for doc in docs)
    lines = ["", f"Documents ({len(docs)})"]
    for doc in docs:
        size = shown_size(doc.size) if doc.path is not None else "(missing)"
        lines.append(f"  {visible(doc.name):<{width}}  {size}" + (f"  ({doc.key})" if doc.key != KEY else ""))
    return lines


def deal_when(deal: DealView, today: dt.date) -> str:
    """`close 2026-11-15 (overdue)` for an open deal, `closed 2026-09-24` for a won or lost one."""
    if deal.status != "open":
        return f"closed {deal.closed.isoformat()}" if deal.closed else ""
    if deal.close is None:
        return "no close date"
    return f"close {deal.close.isoformat()}" + (" (overdue)" if deal.overdue(today) else "")


def deal_lines(deals: list[DealView], today: dt.date) -> list[str]:
    """`Deals (2)` and a line each: name, stage, amount, close date (overdue marked) or the day it closed, and its
    last interaction: `  Brandt plant rollout  negotiation  48,000 EUR  close 2026-11-15 (overdue)  last 2026-11-04`."""
    from vault_tool.deals.money import money
    from vault_tool.output import aligned

    if not deals:
        return []
    rows = []
    for deal in deals:
        last = deal.last(today)
        amount = money(deal.amount, deal.currency) if deal.amount is not None else ""
        rows.append([deal.name, deal.stage, amount, deal_when(deal, today),
                     f"last {last.isoformat()}" if last else ""])
    return ["", f"Deals ({len(deals)})", *aligned(rows, right={2})]


def interaction_lines(
    contact: Contact, today: dt.date, limit: int | None, listed: set[str],
    deal_items: list[tuple[str, Interaction]] | None = None,
) -> list[str]:
    """`Interactions (N)`, newest first (``limit`` of them), with the interactions of the contact's deals
    (``deal_items``: the deal's name and the interaction) among them, each marked `(deal: NAME)`."""
    own = [(item, "") for item in contact.interactions]
    on_deals = [(item, name) for name, item in deal_items or []]
    # later in the file: newer; at the same time, the contact's own first
    items = sorted(own + on_deals, key=lambda pair: (pair[0].when, not pair[1], pair[0].line), reverse=True)
    if not items:
        return []
    shown = items[:limit] if limit else items
    on = f", {len(on_deals)} on {'a deal' if len(on_deals) == 1 else 'deals'}" if on_deals else ""
    lines = ["", f"Interactions ({len(items)}{on})" + (f", newest {len(shown)}" if len(shown) < len(items) else "")]
    for item, deal in shown:
        upcoming = "  (upcoming)" if item.is_appointment(today) else ""
        label = f"  (deal: {visible(deal)})" if deal else ""
        lines.append("  " + visible(render_heading(item).removeprefix("## ")) + label + upcoming)
        text = _without_open_tasks(item.text, listed) if not deal else normalise_text(item.text)
        if text:
            lines += _indent(text, "      ")
    return lines


def show_text(
    contact: Contact, today: dt.date, limit: int | None = None, score: Score | None = None,
    around: Around | None = None, docs: list[Document] | None = None, extra: list[str] | None = None,
    deals: list[DealView] | None = None, deal_items: list[tuple[str, Interaction]] | None = None,
) -> str:
    """Fields, relations both ways and an organisation's people (``around``), its documents (``docs``), its
    ``deals``, ``extra`` lines, the score explained (when there is one), notes, open tasks and interactions
    (newest first, ``limit`` of them; those of its deals, ``deal_items``, among them)."""
    from vault_tool.format.documents import KEY as FILES
    from vault_tool.format.relations import KEY as RELATIONS

    lines = [visible(f"{contact.name}  ({contact.handle})")]
    hidden = (RELATIONS, FILES) if docs is not None else (RELATIONS,)
    keys = [k for k in _FIELD_ORDER if k in contact.meta] + [k for k in contact.custom if k not in hidden]
    labels = [visible(str(k)) + ":" for k in keys]
    width = max((len(label) for label in labels), default=0)
    lines += [f"  {label:<{width}} {_value(contact.meta[k])}" for k, label in zip(keys, labels)]
    lines += relation_lines(contact, around)
    lines += document_lines(docs or [])
    lines += deal_lines(deals or [], today)
    lines += extra or []
    if score is not None:
        lines += [""] + score_lines(score)
    open_tasks = [t for t in contact.tasks if not t.done]
    listed = {t.text for t in open_tasks}
    notes = _without_open_tasks(contact.notes, listed)
    if notes:
        lines += ["", "Notes"] + _indent(notes)
    if open_tasks:
        lines += ["", "Open tasks"]
        for task in open_tasks:
            late = " (overdue)" if task.due and task.due < today else ""
            lines.append(f"  [ ] {visible(task.text)}{late}")
    lines += interaction_lines(contact, today, limit, listed, deal_items)
    return "\n".join(lines)
