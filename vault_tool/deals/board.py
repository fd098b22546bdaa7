"""What `contacts deals` lists and `contacts deal board` draws, from the deals' read model (search/deals.py).

The table's rows and the board's columns are data; the board is laid out as text here (the command
line prints it), a column per pipeline stage with its count, total and weighted total, in bands of
as many columns as fit the width.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_tool.deals.money import Totals, exact, money, totals
from vault_tool.errors import InvalidValueError
from vault_tool.output import fit, plural, visible

if TYPE_CHECKING:
    from vault_tool.format.config import VaultConfig
    from vault_tool.search.deals import DealView

SORTS = ("name", "amount", "close", "stage", "weighted")
COLUMNS = [("name", "DEAL"), ("stage", "STAGE"), ("amount", "AMOUNT"), ("weighted", "WEIGHTED"), ("close", "CLOSE"),
           ("owner", "OWNER"), ("company", "COMPANY")]
MIN_COLUMN = 18  # characters: a board column narrower than this is not worth reading


def sorted_deals(deals: list[DealView], sort: str, config: VaultConfig) -> list[DealView]:
    """``deals`` by name; by amount or weighted amount (largest first, converted with vault.yaml's rates where
    it gives them); by close date (soonest first, none last); by stage (in the pipeline's order)."""
    if sort not in SORTS:
        raise InvalidValueError(f"cannot sort deals by '{sort}' (by: {', '.join(SORTS)})")
    order = {stage.name: i for i, stage in enumerate(config.pipeline)}

    def worth(amount: Decimal | None, currency: str) -> Decimal:
        """-``amount`` in the vault's currency where a rate says what it is worth (largest first)."""
        return -(amount * config.rates.get(currency, Decimal(1)) if amount is not None else Decimal(-1))

    keys: dict[str, Any] = {
        "name": lambda d: 0,
        "amount": lambda d: worth(d.amount, d.currency),
        "weighted": lambda d: worth(d.weighted, d.currency),
        "close": lambda d: (d.close is None, d.close or dt.date.max),
        "stage": lambda d: order.get(d.stage, len(order)),
    }
    return sorted(deals, key=keys[sort])  # stable: name order within a key


def row(deal: DealView, today: dt.date) -> dict[str, Any]:
    """A deal as a row of `contacts deals`: the table's cells, and every field for json and csv."""
    data = deal.to_dict()
    data["amount_shown"] = money(deal.amount, deal.currency) if deal.amount is not None else None
    data["weighted_shown"] = money(deal.weighted, deal.currency) if deal.weighted is not None else None
    data["overdue"] = deal.overdue(today)
    return data


def table_row(deal: DealView, today: dt.date) -> dict[str, Any]:
    shown = row(deal, today)
    return shown | {"amount": shown["amount_shown"], "weighted": shown["weighted_shown"],
                    "close": (shown["close"] or "") + (" overdue" if shown["overdue"] else "")}


@dataclass
class Column:
    """One stage of the board: its deals (largest first) and their totals."""

    stage: str
    probability: int
    deals: list[DealView]
    totals: Totals

    def to_data(self) -> dict[str, Any]:
        return {"stage": self.stage, "probability": self.probability, **self.totals.to_data(),
                "deals": [{"handle": d.handle, "name": d.name, "amount": exact(d.amount) if d.amount is not None
                           else None, "currency": d.currency} for d in self.deals]}


def board(deals: list[DealView], config: VaultConfig, stages: list[str] | None = None) -> list[Column]:
    """A column per pipeline stage (those of ``stages`` only, if given), then one for stages the pipeline lacks."""
    names = stages or [stage.name for stage in config.pipeline]
    probability = {stage.name: stage.probability for stage in config.pipeline}
    unknown = sorted({deal.stage for deal in deals} - set(probability))
    columns = []
    for name in [*names, *([] if stages else unknown)]:
        mine = sorted((d for d in deals if d.stage == name), key=lambda d: -(d.amount or Decimal(0)))
        columns.append(Column(name, probability.get(name, 0), mine, totals(mine, config)))
    return columns


def draw(columns: list[Column], width: int, today: dt.date) -> str:
    """The board as text no wider than ``width``: bands of as many columns as fit side by side."""
    per_band = max(1, min(len(columns), (width + 2) // (MIN_COLUMN + 2)))
    bands = [columns[i:i + per_band] for i in range(0, len(columns), per_band)]
    return "\n\n".join(_band(band, max(MIN_COLUMN, (width + 2) // per_band - 2), today) for band in bands)


def _band(columns: list[Column], width: int, today: dt.date) -> str:
    cells = [_cells(column, width, today) for column in columns]
    height = max(len(c) for c in cells)
    lines = []
    for i in range(height):
        parts = [fit(c[i] if i < len(c) else "", width) for c in cells]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _cells(column: Column, width: int, today: dt.date) -> list[str]:
    head = [f"{column.stage.upper()} {column.probability}%", "─" * width,
            f"{plural(column.totals.count, 'deal')}  {column.totals.total.shown()}",
            f"weighted {column.totals.weighted.shown()}", ""]
    body = []
    for deal in column.deals:
        amount = money(deal.amount, deal.currency) if deal.amount is not None else "no amount"
        late = " !" if deal.overdue(today) else ""
        body += [visible(deal.name), f"  {amount}{late}"]
    return head + body

