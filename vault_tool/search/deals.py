"""The deals' read model: .vault/deals-index, kept in step with deals/ as the contacts' index is (freshness.py).

Every reading command about deals (`deals`, `deal board`, `report --pipeline`, the deals of a
contact in `show`, the agenda's closing deals) answers from each deal's view, a small marshalled
mapping in a column of this index, picked by the query language of `search` over the fields of
`fieldtable.DEAL_FIELDS`. The view holds amounts as text, so that they are summed as Decimals.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.contact import as_list
from vault_tool.format.deal import (
    DEALS,
    LOST,
    WON,
    Deal,
    parse_deal,
    stage_named,
    win_probability,
)
from vault_tool.format.fieldtable import (
    CUSTOM_PREFIX,
    DEAL_DATE_FIELDS,
    DEAL_FIELDS,
    DEAL_QUERY_FIELDS,
    DEAL_SCHEMA_VERSION,
    HUNDREDTHS_PREFIX,
    NUMBER_PREFIX,
    as_number,
    day_number,
    hundredths,
)
from vault_tool.format.handles import sortable_name
from vault_tool.search import columns, freshness, lookup
from vault_tool.search import index as ix_mod
from vault_tool.search.query import prepare
from vault_tool.search.view import column_bytes

if TYPE_CHECKING:
    from whoosh.index import Index

    from vault_tool.format.config import VaultConfig
    from vault_tool.search.freshness import Problem, Progress
    from vault_tool.store.vault import Vault

DEAL_INDEX = "deals-index"
DECIMAL_FIELDS = tuple(f.name for f in DEAL_FIELDS if f.kind == "decimal")


@dataclass(frozen=True)
class DealView:
    """A deal as the index holds it: what every reading command about deals needs, without reading its file."""

    handle: str
    name: str
    path: str  # relative to the vault
    stage: str
    status: str  # "open", "won" or "lost" (by the stage's outcome in the pipeline)
    amount: Decimal | None
    currency: str
    probability: int  # percent: its own, else its stage's
    close: dt.date | None
    closed: dt.date | None
    created: dt.date | None
    owner: str
    company: str
    contacts: tuple[str, ...]
    tags: tuple[str, ...]
    lost_reason: str = ""
    dates: tuple[dt.date, ...] = ()  # of its interactions, in order
    open_tasks: int = 0

    def last(self, today: dt.date) -> dt.date | None:
        """Its last interaction on or before ``today``."""
        past = [day for day in self.dates if day <= today]
        return past[-1] if past else None

    @property
    def weighted(self) -> Decimal | None:
        """The amount times the win probability (exact: a Decimal)."""
        return None if self.amount is None else self.amount * self.probability / 100

    def overdue(self, today: dt.date) -> bool:
        """An open deal whose expected close date has passed."""
        return self.status == "open" and self.close is not None and self.close < today

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as text (exact), dates as ISO dates, a missing value None (JSON's null)."""
        return {
            "handle": self.handle, "name": self.name, "path": self.path, "stage": self.stage, "status": self.status,
            "amount": _text(self.amount), "currency": self.currency, "probability": self.probability,
            "weighted": _text(self.weighted), "close": _iso(self.close), "closed": _iso(self.closed),
            "created": _iso(self.created), "owner": self.owner or None, "company": self.company or None,
            "contacts": list(self.contacts), "tags": list(self.tags), "lost_reason": self.lost_reason or None,
        }


def _text(number: Decimal | None) -> str | None:
    return None if number is None else f"{number:f}"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def status_of(stage: str, config: VaultConfig) -> str:
    """"won", "lost" or "open": what the pipeline says of ``stage``."""
    found = stage_named(config.pipeline, stage)
    return found.outcome if found is not None and found.outcome in (WON, LOST) else "open"


def deal_document(deal: Deal, rel: str, config: VaultConfig, created: dt.date | None) -> dict[str, Any]:
    """The index document of ``deal`` (file ``rel``, relative to the vault): nothing in it depends on the day."""
    meta = deal.record.meta
    own_created = deal.date("created")
    created = own_created or created
    status = status_of(deal.stage, config)
    probability = win_probability(deal, config.pipeline)
    view = {
        "handle": deal.handle, "name": deal.name, "path": rel, "stage": deal.stage, "status": status,
        "amount": _text(deal.amount), "currency": deal.currency(config.currency), "probability": probability,
        "close": _iso(deal.date("close")), "closed": _iso(deal.date("closed")), "created": _iso(created),
        "owner": deal.owner, "company": deal.company, "contacts": deal.contacts, "tags": deal.tags,
        "lost_reason": deal.lost_reason, "dates": sorted(item.date.isoformat() for item in deal.record.interactions),
        "open_tasks": sum(1 for task in deal.record.tasks if not task.done),
    }
    doc: dict[str, Any] = {
        "path": rel, "handle": deal.handle, "name": deal.name, "company": deal.company, "stage": deal.stage,
        "status": status, "owner": deal.owner, "currency": view["currency"], "contact": ",".join(deal.contacts),
        "tag": ",".join(deal.tags), "sort_name": sortable_name(deal.name),
        NUMBER_PREFIX + "probability": float(probability), HUNDREDTHS_PREFIX + "probability": probability * 100,
        "text": _text_of(deal), "row": {"handle": deal.handle, "created": view["created"]},
        "view": column_bytes(view),
    }
    if deal.amount is not None:
        doc[NUMBER_PREFIX + "amount"] = float(deal.amount)  # parsed as a range; answered from the column
        doc[HUNDREDTHS_PREFIX + "amount"] = hundredths(deal.amount)  # (columns.column_ranges); sums: the view
    for key in DEAL_DATE_FIELDS:
        day = created if key == "created" else deal.date(key)
        doc[key] = day_number(day) if day else ""
    _add_custom(doc, meta)
    return {key: value for key, value in doc.items() if value != ""}  # no value: matched by `close:none`


def _text_of(deal: Deal) -> str:
    record = deal.record
    parts = [deal.name, deal.company, " ".join(deal.contacts), record.notes, deal.lost_reason]
    parts += [f"{item.kind} {item.summary}\n{item.text}" for item in record.interactions]
    return "\n".join(part for part in parts if part)


def _add_custom(doc: dict[str, Any], meta: dict[str, Any]) -> None:
    """A deal's own keys beyond the deal keys, searchable as a contact's custom fields are."""
    from vault_tool.format.deal import DEAL_KEYS

    for key, value in meta.items():
        name = str(key).lower()
        if key in DEAL_KEYS or value is None or not name.isidentifier() or name in DEAL_QUERY_FIELDS:
            continue
        doc[CUSTOM_PREFIX + name] = " ".join(as_list(value)) if isinstance(value, list) else str(value)
        number = as_number(value)
        if number is not None:
            doc[NUMBER_PREFIX + name] = number


def _index_deals(
    vault: Vault, writer: ix_mod.Writer | ix_mod.Part, rels: list[str], today: dt.date,
    created: dict[str, dt.date | None], problems: dict[str, Problem], progress: Progress | None,
    notices: list[str] | None = None,
) -> None:
    """Index the deal files ``rels`` (relative to deals/); one that does not parse is a problem, left out."""
    from vault_tool.store.vault import read_file

    for done, rel in enumerate(rels, 1):
        rel_vault = f"{DEALS}/{rel}"
        try:
            data = read_file(vault.deals_dir / rel)
            deal = parse_deal(vault.deals_dir / rel, data)
        except ParseError as exc:
            writer.delete(rel_vault)
            problems[rel_vault] = freshness.Problem(rel_vault, exc.line, exc.message)
        else:
            problems.pop(rel_vault, None)
            writer.put({**deal_document(deal, rel_vault, vault.config, created.get(rel)),
                        "digest": freshness.content_digest(data)})
        if progress is not None:
            progress(done, len(rels))


def _settings(vault: Vault) -> str:
    """What a deal's document depends on beyond its file: the pipeline's probabilities and the vault's currency."""
    pipeline = ",".join(f"{s.name}={s.probability}{s.outcome}" for s in vault.config.pipeline)
    return f"schema={DEAL_SCHEMA_VERSION};currency={vault.config.currency};pipeline={pipeline}"


SHELF = freshness.Shelf(
    DEALS, "deal", DEAL_INDEX, _settings,
    functools.partial(ix_mod.create, table=DEAL_FIELDS), functools.partial(ix_mod.create_in_memory, DEAL_FIELDS),
    _index_deals,
)


def compile_deal_query(vault: Vault, ix: Index, text: str, today: dt.date) -> Any:
    """``text`` in the query language over the deals' fields; an empty text (or `*`) matches every deal."""
    if text.strip() in ("", "*"):
        return lookup.everything()
    custom = lookup.custom_fields(ix)
    known = [*DEAL_QUERY_FIELDS, *custom]
    rewritten = prepare(text, today, known, lambda value: value, "the query", dates=DEAL_DATE_FIELDS,
                        numbers=DECIMAL_FIELDS)
    try:
        return columns.column_ranges(lookup.parse(ix, rewritten, custom), DECIMAL_FIELDS, DEAL_DATE_FIELDS)
    except ix_mod.IndexBroken:
        raise
    except Exception as exc:  # noqa: BLE001 - Whoosh's parser raises assorted errors on odd input
        raise InvalidValueError(f"cannot read the query '{text}': {exc}") from None


@dataclass
class Found:
    """The deals a query picked, and the deal files that could not be read (left out)."""

    deals: list[DealView]
    left_out: list[ParseError]


def find_deals(vault: Vault, query: str = "", today: dt.date | None = None) -> Found:
    """Every deal ``query`` matches (all for ""), from the index brought up to date, in name order."""
    today = today or vault.today()

    def ask(ix: Index) -> list[DealView]:
        parsed = compile_deal_query(vault, ix, query, today)
        return columns.views(ix, None, parsed, lambda view, _: _view(view))

    found, refreshed = freshness.answer(vault, today, ask, shelf=SHELF)
    found.sort(key=lambda deal: (sortable_name(deal.name), deal.handle))
    return Found(found, refreshed.left_out(vault.root))


def deals_of(vault: Vault, handle: str, kind: str = "person", name: str = "") -> list[DealView]:
    """The deals that name the contact ``handle`` (an organisation, of ``kind``: also as their company, by its
    handle or ``name``), in name order: as scoring and the `deal_stage:` clauses find them (scoring.DealLinks)."""
    from vault_tool.search.scoring import DealLinks

    views = find_deals(vault).deals
    named = {fact.handle for fact in DealLinks.of(views).deals_of(handle, kind, name)}
    return [deal for deal in views if deal.handle in named]


def _view(data: dict[str, Any]) -> DealView:
    def day(key: str) -> dt.date | None:
        value = data.get(key)
        return dt.date.fromisoformat(value) if value else None

    amount = data.get("amount")
    return DealView(
        handle=data["handle"], name=data["name"], path=data["path"], stage=data["stage"], status=data["status"],
        amount=Decimal(amount) if amount is not None else None, currency=data["currency"],
        probability=data["probability"], close=day("close"), closed=day("closed"), created=day("created"),
        owner=data["owner"], company=data["company"], contacts=tuple(data["contacts"]), tags=tuple(data["tags"]),
        lost_reason=data["lost_reason"], dates=tuple(dt.date.fromisoformat(d) for d in data["dates"]),
        open_tasks=data["open_tasks"],
    )

