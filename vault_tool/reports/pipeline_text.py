"""The pipeline report as text for a terminal: aligned tables, and bars where every sum is in one currency."""
from __future__ import annotations

from decimal import Decimal

from vault_tool.deals.money import Sums
from vault_tool.output import plural
from vault_tool.reports.pipeline import NO_CLOSE, Closed, Conversion, ForecastRow, PipelineGroup, PipelineReport
from vault_tool.reports.pipeline import StageRow
from vault_tool.reports.text import bar, grid

NONE = "(none)"
ZERO = "·"


def amount(sums: Sums) -> str:
    """`12,000 EUR`, `12,000 EUR + 3,000 USD`; `·` for nothing."""
    return sums.shown() if sums.amounts else ZERO


def bars(values: list[Sums], converted: bool) -> list[str]:
    """A bar per sum, the largest the full width; none when the sums are per currency (not comparable)."""
    if not converted:
        return [""] * len(values)
    numbers = [sum(s.amounts.values(), Decimal(0)) for s in values]
    largest = max(numbers, default=Decimal(0))
    return [bar(float(n / largest) if largest > 0 else 0.0, 1.0) for n in numbers]  # geometry only


def currency_line(report: PipelineReport) -> str:
    others = [code for code in report.currencies if code != report.currency]
    if not report.converted:
        return (f"Amounts per currency: vault.yaml's rates give no rate into {report.currency} for "
                f"{', '.join(report.missing_rates)}")
    if not others:
        return f"Amounts in {report.currency}"
    return f"Amounts in {report.currency}; {', '.join(others)} converted with vault.yaml's rates"


def stage_lines(rows: list[StageRow], group: PipelineGroup, converted: bool) -> list[str]:
    drawn = bars([row.totals.weighted for row in rows], converted)
    cells = [[row.stage or NONE, f"{row.probability}%", str(row.totals.count) if row.totals.count else ZERO,
              amount(row.totals.total), amount(row.totals.weighted), drawn[i]] for i, row in enumerate(rows)]
    cells.append(["all open", "", str(group.open.count), amount(group.open.total), amount(group.open.weighted), ""])
    return ["Open deals by stage"] + grid(["STAGE", "PROBABILITY", "DEALS", "TOTAL", "WEIGHTED", ""], cells,
                                          [False, True, True, True, True, False])


def forecast_lines(rows: list[ForecastRow], converted: bool) -> list[str]:
    title = "Forecast by month of expected close (open deals; overdue: the close date has passed)"
    if not rows:
        return [title, "  no open deals"]
    drawn = bars([row.totals.weighted for row in rows], converted)
    cells = [["no close date" if row.month == NO_CLOSE else row.month,
              str(row.totals.count) if row.totals.count else ZERO, amount(row.totals.total),
              amount(row.totals.weighted), drawn[i]] for i, row in enumerate(rows)]
    return [title] + grid(["MONTH", "DEALS", "TOTAL", "WEIGHTED", ""], cells, [False, True, True, True, False])


def closed_lines(closed: Closed, since: str, today: str) -> list[str]:
    cycle = ("" if closed.average_cycle_days is None else
             f"{closed.average_cycle_days:g} days (created to closed, {plural(closed.cycle_deals, 'deal')} won)")
    pairs = [
        ("won", plural(closed.won, "deal") + (f", {amount(closed.won_total)}" if closed.won else "")),
        ("lost", plural(closed.lost, "deal")),
        ("win rate", "" if closed.win_rate is None else f"{closed.win_rate:g}%"),
        ("average deal won", amount(closed.average_won) if closed.won else ""),
        ("sales cycle", cycle),
    ]
    width = max(len(label) for label, _ in pairs)
    return [f"Won and lost, {since} to {today} (by the day each closed)"] + [
        f"  {label.ljust(width)}  {value}" for label, value in pairs if value]


def conversion_lines(steps: list[Conversion], from_history: bool, today: str) -> list[str]:
    if not from_history:
        return ["Stage conversion: the vault is not in git, so there is no history of stage changes"]
    cells = [[s.stage, str(s.reached), str(s.moved_on), s.next_stage, "" if s.rate is None else f"{s.rate:g}%",
              "" if s.median_days is None else f"{s.median_days:g}", str(s.stays)] for s in steps]
    headers = ["STAGE", "REACHED", "MOVED ON", "TO", "RATE", "MEDIAN DAYS", "STAYS"]
    return [f"Stage conversion up to {today} (stage changes from git history)"] + grid(
        headers, cells, [False, True, True, False, True, True, True])


def group_lines(group: PipelineGroup, report: PipelineReport) -> list[str]:
    """Every section of one group, a blank line before each."""
    lines = [""] + stage_lines(group.stages, group, report.converted)
    lines += [""] + forecast_lines(group.forecast, report.converted)
    lines += [""] + closed_lines(group.closed, report.since, report.today)
    return lines + [""] + conversion_lines(group.conversion, report.from_history, report.today)


def pipeline_text(report: PipelineReport) -> str:
    """The whole report: every deal, then (with --by owner) each owner's."""
    scope = f"query {report.query!r}" if report.query else "all deals"
    lines = [f"Pipeline of {plural(report.all.deals, 'deal')} ({scope}), {report.since} to {report.today}"]
    if report.currencies:
        lines.append(currency_line(report))
    lines += group_lines(report.all, report)
    for group in report.by_owner:
        lines += ["", "", f"Owner {group.owner or NONE}: {plural(group.deals, 'deal')}"]
        lines += group_lines(group, report)
    return "\n".join(lines)
