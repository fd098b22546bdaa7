"""The pipeline report as JSON, CSV, text or HTML.

Amounts are written exactly, as text (`"12000.30"`): a JSON number would be read back as a float.
A sum is a mapping of currency to amount (one entry, the vault's currency, once converted).
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from vault_tool.deals.money import Sums, Totals, exact
from vault_tool.errors import InvalidValueError
from vault_tool.output import spreadsheet_row
from vault_tool.reports.pipeline import Closed, PipelineGroup, PipelineReport

ALL, NONE = "(all)", "(none)"  # the CSV's owner column for every deal, and for deals without an owner


def _totals(totals: Totals) -> dict[str, Any]:
    return totals.to_data()


def _closed(closed: Closed) -> dict[str, Any]:
    return {"won": closed.won, "lost": closed.lost, "win_rate": closed.win_rate,
            "won_total": closed.won_total.to_data(), "average_won": closed.average_won.to_data(),
            "average_cycle_days": closed.average_cycle_days, "cycle_deals": closed.cycle_deals}


def group_data(group: PipelineGroup) -> dict[str, Any]:
    data: dict[str, Any] = {} if group.owner is None else {"owner": group.owner or None}
    return data | {
        "deals": group.deals,
        "stages": [{"stage": row.stage, "probability": row.probability, **_totals(row.totals)} for row in group.stages],
        "open": _totals(group.open),
        "forecast": [{"month": row.month, **_totals(row.totals)} for row in group.forecast],
        "closed": _closed(group.closed),
        "conversion": [vars(step).copy() for step in group.conversion],
    }


def pipeline_json(report: PipelineReport) -> str:
    """The report as JSON: `all` (every deal) and, with --by owner, `by_owner` (an owner of null: none)."""
    data = {key: getattr(report, key) for key in ("query", "today", "since", "currency", "converted", "currencies",
                                                  "missing_rates", "from_history")}
    data |= {"all": group_data(report.all), "by_owner": [group_data(group) for group in report.by_owner]}
    return json.dumps(data, ensure_ascii=False, indent=2)


def _sums(head: list[object], measure: str, sums: Sums) -> list[list[object]]:
    return [[*head, measure, code, exact(value)] for code, value in sorted(sums.amounts.items())]


def _totals_rows(head: list[object], totals: Totals) -> list[list[object]]:
    return [[*head, "deals", "", totals.count], *_sums(head, "total", totals.total),
            *_sums(head, "weighted", totals.weighted)]


def group_rows(group: PipelineGroup) -> list[list[object]]:
    """Every figure of ``group`` as a row: owner, section, item, measure, currency, value."""
    owner = ALL if group.owner is None else group.owner or NONE
    rows: list[list[object]] = [[owner, "deals", "", "deals", "", group.deals]]
    for row in group.stages:
        rows.append([owner, "open", row.stage, "probability", "", row.probability])
        rows += _totals_rows([owner, "open", row.stage], row.totals)
    rows += _totals_rows([owner, "open", "all open"], group.open)
    for month in group.forecast:
        rows += _totals_rows([owner, "forecast", month.month], month.totals)
    closed = group.closed
    head: list[object] = [owner, "closed", ""]
    rows += [[*head, "won", "", closed.won], [*head, "lost", "", closed.lost],
             [*head, "win_rate", "", "" if closed.win_rate is None else closed.win_rate]]
    rows += _sums(head, "won_total", closed.won_total) + _sums(head, "average_won", closed.average_won)
    rows.append([*head, "average_cycle_days", "", "" if closed.average_cycle_days is None else
                 closed.average_cycle_days])
    for step in group.conversion:
        head = [owner, "conversion", step.stage]
        rows += [[*head, "to", "", step.next_stage], [*head, "reached", "", step.reached],
                 [*head, "moved_on", "", step.moved_on], [*head, "rate", "", "" if step.rate is None else step.rate],
                 [*head, "median_days", "", "" if step.median_days is None else step.median_days],
                 [*head, "stays", "", step.stays]]
    return rows


def pipeline_csv(report: PipelineReport) -> str:
    """One row per figure (a shape spreadsheets pivot); amounts exact, with their currency in a column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["owner", "section", "item", "measure", "currency", "value"])
    for group in [report.all, *report.by_owner]:
        writer.writerows(spreadsheet_row([str(cell) for cell in row]) for row in group_rows(group))
    return buffer.getvalue().rstrip("\n")


def render_pipeline(report: PipelineReport, fmt: str) -> str:
    if fmt == "json":
        return pipeline_json(report)
    if fmt == "csv":
        return pipeline_csv(report)
    if fmt == "html":
        from vault_tool.reports.pipeline_html import pipeline_html

        return pipeline_html(report)
    if fmt == "text":
        from vault_tool.reports.pipeline_text import pipeline_text

        return pipeline_text(report)
    raise InvalidValueError(f"format must be text, json, csv or html, not '{fmt}'")
