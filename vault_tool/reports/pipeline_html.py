"""The pipeline report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no fetches.

The page is made as the contact report's (reports/html.py: its Content-Security-Policy, style and
tables). Amount charts are drawn here: a bar's length is the only thing computed in floating point;
every amount written on the page (labels, tooltips, tables) is the exact Decimal, shown as money.
Where sums are kept per currency, each currency has a chart of its own (amounts in different
currencies are not comparable).
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from vault_tool.deals.money import Totals, money
from vault_tool.output import plural
from vault_tool.reports.html import CSP, STYLE, _figure, _table
from vault_tool.reports.pipeline import NO_CLOSE, Closed, Conversion, ForecastRow, PipelineGroup, PipelineReport
from vault_tool.reports.pipeline import StageRow
from vault_tool.reports.pipeline_text import NONE, amount, currency_line
from vault_tool.reports.svg import LABEL_CHAR, _rect, _svg, _text, bar_chart, colour


def money_bars(title: str, labels: Sequence[str], values: Sequence[Decimal], currency: str, notes: Sequence[str],
               hue: int = 0) -> str:
    """A horizontal bar per label, as long as its amount (the largest fills the width), then its note."""
    label_width = min(220, LABEL_CHAR * max((len(x) for x in labels), default=4) + 12)
    plot, row = 360.0, 24
    largest = max(values, default=Decimal(0))
    body = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 8 + i * row
        body.append(_text(label_width - 8, y + 15, label, "end"))
        length = plot * float(value / largest) if largest > 0 and value > 0 else 0.0  # geometry only
        if length > 0:
            body.append(_rect(label_width, y + 3, max(length, 1), row - 6, colour(hue),
                              f"{label}: {money(value, currency)}"))
        body.append(_text(label_width + length + 6, y + 15, notes[i]))
    width = label_width + plot + 12 + LABEL_CHAR * max((len(n) for n in notes), default=0)
    return _svg(width, 16 + row * len(labels), title, body)


def amount_charts(title: str, labels: Sequence[str], rows: Sequence[Totals]) -> str:
    """The weighted amounts of ``rows`` as bars: one chart per currency among them."""
    codes = sorted({code for totals in rows for code in totals.weighted.amounts})
    charts = []
    for hue, code in enumerate(codes):
        values = [totals.weighted.amounts.get(code, Decimal(0)) for totals in rows]
        notes = [f"{money(v, code)} of {money(t.total.amounts.get(code, Decimal(0)), code)} ({plural(t.count, 'deal')})"
                 if t.count else "" for v, t in zip(values, rows)]
        charts.append(money_bars(f"{title} ({code})", labels, values, code, notes, hue))
    return "".join(charts)


def _totals_cells(totals: Totals) -> list[object]:
    return [totals.count, amount(totals.total), amount(totals.weighted)]


def stages_html(rows: list[StageRow], group: PipelineGroup) -> str:
    chart = amount_charts("Weighted open deals by stage", [r.stage for r in rows], [r.totals for r in rows])
    caption = "Weighted amount (amount × win probability) of the open deals at each stage, of their total."
    table = [[r.stage or NONE, f"{r.probability}%", *_totals_cells(r.totals)] for r in rows]
    table.append(["all open", "", *_totals_cells(group.open)])
    return (f"<section><h2>Open deals by stage</h2>{_figure(chart, caption) if chart else ''}"
            f"{_table(['stage', 'probability', 'deals', 'total', 'weighted'], table, [False, True, True, True, True])}"
            "</section>")


def forecast_html(rows: list[ForecastRow]) -> str:
    if not rows:
        return "<section><h2>Forecast</h2><p>No open deals.</p></section>"
    labels = ["no close date" if r.month == NO_CLOSE else r.month for r in rows]
    chart = amount_charts("Weighted forecast by month of expected close", labels, [r.totals for r in rows])
    caption = ("Weighted amounts of the open deals by the month of their expected close; overdue: the close "
               "date has passed and the deal is still open.")
    table = [[label, *_totals_cells(r.totals)] for label, r in zip(labels, rows)]
    return (f"<section><h2>Forecast</h2>{_figure(chart, caption) if chart else ''}"
            f"{_table(['month', 'deals', 'total', 'weighted'], table, [False, True, True, True])}</section>")


def closed_html(closed: Closed, since: str, today: str) -> str:
    chart = bar_chart("Deals won and lost", ["won", "lost"], [closed.won, closed.lost])
    rows = [("won", closed.won, amount(closed.won_total) if closed.won else ""), ("lost", closed.lost, "")]
    facts = [("win rate", "" if closed.win_rate is None else f"{closed.win_rate:g}%"),
             ("average deal won", amount(closed.average_won) if closed.won else ""),
             ("sales cycle (created to closed, deals won)", "" if closed.average_cycle_days is None
              else f"{closed.average_cycle_days:g} days ({plural(closed.cycle_deals, 'deal')})")]
    caption = f"Deals closed from {since} to {today}, by the day each closed."
    return (f"<section><h2>Won and lost</h2>{_figure(chart, caption)}"
            f"{_table(['', 'deals', 'amount'], rows, [False, True, True])}"
            f"{_table(['', ''], facts, [False, True])}</section>")


def _note(step: Conversion) -> str:
    note = f"{step.moved_on} of {step.reached} moved on to {step.next_stage}"
    if step.rate is not None:
        note += f" ({step.rate:g}%)"
    return note + (f"; median {step.median_days:g} days at it" if step.median_days is not None else "")


def conversion_html(steps: list[Conversion], from_history: bool, today: str) -> str:
    if not from_history:
        return ("<section><h2>Stage conversion</h2><p>The vault is not in git, so there is no history of "
                "stage changes.</p></section>")
    chart = bar_chart("Deals that reached each stage", [s.stage for s in steps], [s.reached for s in steps],
                      [_note(s) for s in steps])
    caption = (f"From git history up to {today}: of the deals that ever reached a stage, how many later reached "
               "a later one; median days of the stays at the stage that ended.")
    rows = [(s.stage, s.reached, s.moved_on, s.next_stage, "" if s.rate is None else f"{s.rate:g}%",
             "" if s.median_days is None else f"{s.median_days:g}", s.stays) for s in steps]
    headers = ["stage", "reached", "moved on", "to", "rate", "median days", "stays"]
    return (f"<section><h2>Stage conversion</h2>{_figure(chart, caption)}"
            f"{_table(headers, rows, [False, True, True, False, True, True, True])}</section>")


def group_html(group: PipelineGroup, report: PipelineReport) -> str:
    return (stages_html(group.stages, group) + forecast_html(group.forecast)
            + closed_html(group.closed, report.since, report.today)
            + conversion_html(group.conversion, report.from_history, report.today))


def pipeline_html(report: PipelineReport) -> str:
    """The whole report as a page: every deal, then each owner's (with --by owner)."""
    scope = f"deals matching {report.query}" if report.query else "all deals"
    owners = "".join(f"<h1>Owner {escape(group.owner or NONE)}</h1><p class=\"scope\">"
                     f"{plural(group.deals, 'deal')}</p>{group_html(group, report)}" for group in report.by_owner)
    currencies = f"<p class=\"scope\">{escape(currency_line(report))}</p>" if report.currencies else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Pipeline report {escape(report.today)}</title><style>{STYLE}</style></head><body>"
        f"<h1>Pipeline report</h1><p class=\"scope\">{plural(report.all.deals, 'deal')} ({escape(scope)}), "
        f"{escape(report.since)} to {escape(report.today)}</p>{currencies}"
        + group_html(report.all, report) + owners + "</body></html>"
    )
