"""What `tasks`, `stale`, `agenda` and `remind` print, each contact's rows kept for the next run (search/rowmemo.py).

The rows are those of text.py (`task_shown` or `task_row`, `stale_row`, `agenda_cells`,
`reminder_line`), made of the contacts agenda.py picks and in its orders (`task_order`,
`stale_order`, `appointment_order`, `touch_order`, `birthday_order`). Made once per contact, day
and set of options: the next run reads back the rows of every contact whose document in the index
is the same, and makes rows only for the contacts edited since. The agenda as JSON is made from
agenda.agenda each time.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.errors import ParseError
from vault_tool.followups.agenda import (
    CARD_NUMBERS,
    DEFAULT_DAYS,
    added_of,
    agenda_candidates,
    agenda_until,
    appointment_order,
    birthday_order,
    build_agenda,
    card_maker,
    deals_due,
    keep_in_touch,
    owned_by,
    owner_set,
    select_tasks,
    stale,
    stale_order,
    stale_pick,
    task_order,
    touch_candidate,
    touch_order,
    vault_cadence,
)
from vault_tool.followups.text import (
    agenda_cells,
    agenda_items,
    reminder_line,
    stale_row,
    task_row,
    task_shown,
    touch_cells,
)
from vault_tool.output import visible
from vault_tool.search.rowmemo import RowMemo
from vault_tool.search.view import Between, Card, CardContact, Days, StoredContact, contact_of

if TYPE_CHECKING:
    from pathlib import Path

    from whoosh.index import Index

    from vault_tool.search.deals import DealView
    from vault_tool.store.vault import Vault

Made = tuple[str, list[Any], list[list[Any]]]  # a contact's path in the vault, its rows (each with its order),
# its follow-up values that do not parse (message, line)


@dataclass
class Rows:
    """A command's rows in order, the follow-up values read around, the files that did not parse."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    cutoff: dt.date | None = None  # of `stale`: contacts silent since this day or before


def task_rows(
    vault: Vault, query: str | None = None, overdue: bool = False, due_before: dt.date | None = None,
    owner: str | Iterable[str] | None = None, today: dt.date | None = None, table: bool = True,
) -> Rows:
    """The rows of the open tasks `tasks` lists (see agenda.select_tasks), soonest first: what a ``table`` shows of
    each (`task_shown`), or all of it (`task_row`); with the task dates of those contacts that do not parse."""
    day = today or vault.today()
    owners = _owners(owner)
    root, days = vault.root, Days()
    memo = RowMemo(vault.state_dir, "tasks", (day.isoformat(), overdue, _iso(due_before), owners, table))

    def make(leaf: Any, docs: list[int]) -> list[Made]:
        from vault_tool.search import columns

        contacts = [contact_of(view, root, day, days) for view in columns.views_in(leaf, docs, "follow")]
        items = select_tasks(contacts, day, overdue, due_before, owner, ordered=False)
        rows = _by_contact(contacts, (((task_order(item), task_shown(item, day) if table else
                                        task_row(item, day, root)), item.contact) for item in items))
        return [(c.vault_path, held, _problems(c, owners, tasks_only=True)) for c, held in zip(contacts, rows)]

    return _answered(vault, day, memo, _meeting([Between("task_due", None, None), Between("problems", 1, None)]),
                     query, make)


def stale_rows(
    vault: Vault, days: int | None = None, owner: str | Iterable[str] | None = None, today: dt.date | None = None,
    table: bool = True,
) -> Rows:
    """The rows of the contacts `stale` lists (see agenda.stale), the longest silent first (`stale_row`; for a
    ``table``, what it shows)."""
    day = today or vault.today()
    cutoff, pick = stale_pick(vault, day, days)
    root = vault.root
    card = card_maker(root, day)
    memo = RowMemo(vault.state_dir, "stale", (day.isoformat(), cutoff.isoformat(), _owners(owner), table))

    def make(leaf: Any, docs: list[int]) -> list[Made]:
        contacts = _cards(leaf, docs, card)
        items = stale(owned_by(contacts, owner), day, cutoff, added_of, ordered=False)
        rows = _by_contact(contacts, (((stale_order(item), stale_row(item, day, root, table)), item.contact)
                                      for item in items))
        return [(c.vault_path, held, []) for c, held in zip(contacts, rows)]

    result = _answered(vault, day, memo, _carded(pick), None, make)
    result.cutoff = cutoff
    return result


ORDERS: tuple[Callable[[Any], str], ...] = (task_order, task_order, appointment_order, touch_order,
                                                        birthday_order)  # of each of text.AGENDA_SECTIONS
Shown = list[tuple[int, str, Any]]  # (section, order, cells or line) of a contact's items


@dataclass
class AgendaRows:
    """The agenda as `agenda` prints it, or `remind`: each section's items (text.AGENDA_SECTIONS) in order, as the
    cells of a row (`agenda_cells`) or as a line (`reminder_line`, control characters shown escaped)."""

    today: dt.date
    until: dt.date
    sections: list[list[Any]]
    problems: list[ParseError] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    overdue_deals: list[DealView] = field(default_factory=list)
    closing_deals: list[DealView] = field(default_factory=list)


def agenda_rows(
    vault: Vault, days: int = DEFAULT_DAYS, owner: str | Iterable[str] | None = None, today: dt.date | None = None,
    lines: bool = False,
) -> AgendaRows:
    """The vault's agenda (see agenda.agenda) as rows of cells, or as ``lines``; each contact's kept for the next run.

    A contact's items are those `build_agenda` gives it, and who to get in touch with is read from
    the cards, as agenda.agenda does; the deals come from their own index.
    """
    day = today or vault.today()
    until = agenda_until(day, days)
    cadence = vault_cadence(vault)
    overdue_deals, closing_deals, left_out = deals_due(vault, day, until, owner)  # while the contacts' scan runs
    owners, root, known = _owners(owner), vault.root, Days()

    def shown(section: int, items: Sequence[Any]) -> Shown:
        order = ORDERS[section]
        if lines:
            return [(section, order(item), visible(reminder_line(section, item, day))) for item in items]
        cells = touch_cells(items, day) if section == 3 else [agenda_cells(section, item, day) for item in items]
        return [(section, order(item), row) for item, row in zip(items, cells)]

    def from_views(leaf: Any, docs: list[int]) -> list[Made]:
        from vault_tool.search import columns

        contacts = [contact_of(view, root, day, known) for view in columns.views_in(leaf, docs, "follow")]
        found = agenda_items(build_agenda(contacts, day, days, cadence, owner, [], [], ordered=False))
        rows = _by_contact(contacts, ((entry, item.contact) for section, items in enumerate(found)
                                      for entry, item in zip(shown(section, items), items)))
        return [(c.vault_path, held, _problems(c, owners, tasks_only=False)) for c, held in zip(contacts, rows)]

    card, pick = card_maker(root, day), touch_candidate(day, cadence)

    def from_cards(leaf: Any, docs: list[int]) -> list[Made]:
        contacts = _cards(leaf, docs, card)
        items = keep_in_touch(owned_by(contacts, owner), day, cadence, ordered=False)
        rows = _by_contact(contacts, ((entry, item.contact) for entry, item in zip(shown(3, items), items)))
        return [(c.vault_path, held, []) for c, held in zip(contacts, rows)]

    def ask(ix: Index) -> list[Made]:
        from vault_tool.search import columns

        kind = f"agenda-{'lines' if lines else 'cells'}"
        tag, any_of = (day.isoformat(), days, cadence, owners), agenda_candidates(day, until)
        return (columns.remembered(ix, RowMemo(vault.state_dir, kind, tag), _meeting(any_of), from_views)
                + columns.remembered(ix, RowMemo(vault.state_dir, f"{kind}-cards", tag), _carded(pick), from_cards))

    from vault_tool.search.selection import answered

    found, skipped, _ = answered(vault, day, ask)
    sections: list[list[tuple[str, Any]]] = [[] for _ in ORDERS]
    for _, items, _ in found:
        for section, order, row in items:
            sections[section].append((order, row))
    return AgendaRows(day, until, [_in_order(held) for held in sections], _problems_of(root, found),
                      skipped + left_out, overdue_deals, closing_deals)


def _answered(
    vault: Vault, today: dt.date, memo: RowMemo, chosen: Callable[[Any], list[int]], query: str | None,
    make: Callable[[Any, list[int]], list[Made]],
) -> Rows:
    """The rows ``make`` makes of the documents ``chosen`` picks in each segment that ``query`` matches, through
    ``memo``, in order."""
    from vault_tool.search import columns
    from vault_tool.search.run import compile_query
    from vault_tool.search.selection import answered

    def ask(ix: Index) -> list[Made]:
        parsed = compile_query(vault, ix, query, today) if query and query.strip() else None
        return columns.remembered(ix, memo, chosen, make, parsed)

    found, skipped, _ = answered(vault, today, ask)
    return Rows(_in_order([pair for _, rows, _ in found for pair in rows]), _problems_of(vault.root, found), skipped)


def _meeting(any_of: list[Between]) -> Callable[[Any], list[int]]:
    """What picks the documents of a segment that meet any of ``any_of`` (see view.Between)."""
    from vault_tool.search import columns

    return lambda leaf: columns.meeting(leaf, any_of)


def _carded(pick: Callable[[tuple[int, ...]], bool]) -> Callable[[Any], list[int]]:
    """What picks the documents of a segment whose CARD_NUMBERS ``pick`` accepts."""
    from vault_tool.search import columns

    return lambda leaf: [doc for doc, _ in columns.picked_docs(leaf, CARD_NUMBERS, pick)]


def _in_order(pairs: list[tuple[str, Any]]) -> list[Any]:
    """The rows of (order, row) ``pairs``, by their order."""
    return [row for _, row in sorted(pairs, key=lambda pair: pair[0])]


def _problems_of(root: Path, found: list[Made]) -> list[ParseError]:
    """The follow-up values read around of the contacts ``found``, in the order of their files (kept by the file's
    path in the vault: a vault moved elsewhere names them where they are)."""
    held = sorted((made for made in found if made[2]), key=lambda made: made[0])
    return [ParseError(root / path, message, line) for path, _, problems in held for message, line in problems]


def _cards(leaf: Any, docs: list[int], card: Callable[[str, tuple[int, ...], Card], CardContact]) -> list[CardContact]:
    """The contacts of documents ``docs`` of one segment, each made by ``card`` from its card (agenda.card_maker)."""
    from vault_tool.search import columns

    return [card(rel, numbers, held) for rel, numbers, held in
            columns.picked_in(leaf, "card", columns.with_numbers(leaf, CARD_NUMBERS, docs))]


def _by_contact(contacts: list[Any], pairs: Iterable[tuple[Any, Any]]) -> list[list[Any]]:
    """The rows of ``pairs`` (a row and the contact it is of) gathered by contact, in the order of ``contacts``.

    Rows are made for many contacts at once, as the agenda makes them for a vault: made for each contact
    alone, the first run of a day took twice as long (every cadence read and added again for each)."""
    rows: dict[int, list[Any]] = {id(contact): [] for contact in contacts}
    for row, contact in pairs:
        rows[id(contact)].append(row)
    return [rows[id(contact)] for contact in contacts]


def _problems(contact: StoredContact, owners: list[str], tasks_only: bool) -> list[list[Any]]:
    """The contact's follow-up values that do not parse, if it is one of ``owners``' (any when none)."""
    if owners and contact.meta.get("owner") not in owners:
        return []
    return [[p.message, p.line] for p in contact.problems(tasks_only)]


def _owners(owner: str | Iterable[str] | None) -> list[str]:
    return sorted(owner_set(owner))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
