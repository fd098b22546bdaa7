"""`contacts report --pipeline`: the deal pipeline as of a day, from the deals' index and git history.

``pipeline_report`` returns plain data (a ``PipelineReport``); pipeline_text, pipeline_html and
pipeline_formats turn it into text, HTML, JSON or CSV. Every figure is computed as of ``today``:

- **Open deals by stage**: the open deals at each open stage of vault.yaml's `pipeline:` (and at
  stages it lacks, after them): count, total and weighted total (amount × win probability).
- **Forecast**: the open deals' weighted amounts by the month of their expected `close:`. An
  open deal whose close date is before today is in an ``overdue`` bucket of its own (first: it is
  still expected, but no longer in the month it names); one without a close date is in ``none``
  (last). The months run on from today's month without a gap (an empty month is shown) up to
  the last month a deal names; beyond three years only the months that have deals are listed.
- **Won and lost** in the period (``since`` to ``today``, both included), by the day each deal
  closed: its `closed:` date, else the day git history shows it reaching its closing stage. Win
  rate = won / (won + lost); average deal size = mean amount of the deals won (deals without an
  amount left out); sales cycle = mean days from `created` to closed of the deals won.
- **Conversion** from git history up to today (as the contacts' funnel, reports/history.py): for
  each open stage, of the deals that ever reached it, how many later reached a later open stage or
  a won stage ("moved on"); a deal still at the stage counts as reached, not moved on. Median days
  at a stage is over the stays that ended (the deal moved to any other stage, lost included) on or
  before today: a deal still at a stage is not counted, its stay not being over.

Amounts are Decimals throughout. When vault.yaml's `rates:` give a rate for every currency among
the deals reported, every sum is converted into the vault's `currency:`; otherwise none is, and
every sum is kept per currency (a report never mixes converted and unconverted sums). A mean
amount is exact when it is exact to the cent, and rounded to the cent (half to even) otherwise.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from vault_tool.deals.money import CENT, Sums, Totals
from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.deal import WON
from vault_tool.reports.history import StageEvent, stage_timelines
from vault_tool.reports.report import DEFAULT_SPAN, period_of
from vault_tool.reports.tally import bucket_start

if TYPE_CHECKING:
    from vault_tool.format.config import VaultConfig
    from vault_tool.search.deals import DealView
    from vault_tool.store.vault import Vault

HISTORY_CACHE = "deal-history"  # in .vault/, beside the contacts' history
OVERDUE, NO_CLOSE = "overdue", "none"  # the forecast's buckets besides months
FILLED_MONTHS = 36  # the forecast shows empty months up to this many months from today's
GROUPS = ("owner",)

Timelines = Mapping[str, list[StageEvent]]


@dataclass
class StageRow:
    """The open deals at one stage now."""

    stage: str
    probability: int  # the stage's, in percent (a deal's own may differ; its weighted amount uses its own)
    totals: Totals


@dataclass
class ForecastRow:
    """The open deals expected to close in ``month`` (YYYY-MM), or ``overdue``, or ``none`` (no close date)."""

    month: str
    totals: Totals


@dataclass
class Closed:
    """The deals won and lost in the period."""

    won: int
    lost: int
    win_rate: float | None  # won / (won + lost), percent to one decimal; None when none closed
    won_total: Sums
    average_won: Sums  # mean amount of the deals won (per currency, or converted)
    average_cycle_days: float | None  # mean days from created to closed of the deals won, to one decimal
    cycle_deals: int  # the deals won whose created date is known (the cycle's mean is theirs)


@dataclass
class Conversion:
    """From git history: of the deals that ever reached ``stage``, how many moved on to a later stage."""

    stage: str
    next_stage: str  # the next open stage, or the first won stage after the last open one
    reached: int
    moved_on: int
    rate: float | None  # moved_on / reached, percent to one decimal
    median_days: float | None  # median days of the stays at ``stage`` that ended
    stays: int  # how many stays that median is over


@dataclass
class PipelineGroup:
    """The pipeline of some deals: all of them (``owner`` None), or one owner's ("" for no owner)."""

    owner: str | None
    deals: int
    stages: list[StageRow]
    open: Totals  # every open deal
    forecast: list[ForecastRow]
    closed: Closed
    conversion: list[Conversion]


@dataclass
class PipelineReport:
    query: str | None
    today: str
    since: str
    currency: str  # the vault's
    converted: bool  # every sum is in ``currency`` (rates given for every currency)
    currencies: list[str]  # of the deals reported
    missing_rates: list[str]  # the currencies vault.yaml's rates lack (when not converted)
    from_history: bool  # False when the vault is not in git: no conversion figures
    all: PipelineGroup
    by_owner: list[PipelineGroup] = field(default_factory=list)


@dataclass
class PipelineResult:
    report: PipelineReport
    problems: list[ParseError] = field(default_factory=list)  # deal files left out (they do not parse)


# Sums


def mean(total: Decimal, count: int) -> Decimal:
    """``total`` / ``count``: exact when exact to the cent, else rounded to the cent (half to even)."""
    quotient = total / count
    exponent = quotient.as_tuple().exponent
    exact = isinstance(exponent, int) and exponent >= -2 and quotient * count == total
    return quotient if exact else quotient.quantize(CENT, ROUND_HALF_EVEN)


def _converted(totals: Totals, config: VaultConfig, convert: bool) -> Totals:
    return totals.converted(config) if convert else totals


def totals_of(deals: list[DealView], config: VaultConfig, convert: bool) -> Totals:
    found = Totals()
    for deal in deals:
        found.add(deal)
    return _converted(found, config, convert)


def average(deals: list[DealView], config: VaultConfig, convert: bool) -> Sums:
    """The mean amount of ``deals`` (those with one): in the vault's currency, or per currency."""
    sums = Sums()
    counts: dict[str, int] = {}
    for deal in deals:
        if deal.amount is not None:
            sums.add(deal.amount, deal.currency)
            counts[deal.currency] = counts.get(deal.currency, 0) + 1
    if convert and sums.amounts:
        (code, total), = sums.converted(config).amounts.items()
        return Sums({code: mean(total, sum(counts.values()))})
    return Sums({code: mean(total, counts[code]) for code, total in sums.amounts.items()})


# Open deals: by stage, and the forecast by month of close


def stage_rows(deals: list[DealView], config: VaultConfig, convert: bool) -> list[StageRow]:
    """A row per open stage of the pipeline, then one per stage the pipeline lacks that open deals have."""
    pipeline = [stage for stage in config.pipeline if stage.open]
    known = {stage.name for stage in config.pipeline}
    others = sorted({deal.stage for deal in deals if deal.stage not in known})
    rows = [(stage.name, stage.probability) for stage in pipeline] + [(name, 0) for name in others]
    return [StageRow(name, probability, totals_of([d for d in deals if d.stage == name], config, convert))
            for name, probability in rows]


def month_of(deal: DealView, today: dt.date) -> str:
    """The forecast bucket of an open deal: the month of its close date, ``overdue`` or ``none``."""
    if deal.close is None:
        return NO_CLOSE
    return OVERDUE if deal.close < today else deal.close.isoformat()[:7]


def months_from(today: dt.date, last: str) -> list[str]:
    """Every month from today's up to ``last`` (YYYY-MM), but no more than FILLED_MONTHS of them."""
    found, day = [], today.replace(day=1)
    for _ in range(FILLED_MONTHS):
        month = day.isoformat()[:7]
        if month > last:
            break
        found.append(month)
        day += relativedelta(months=1)
    return found


def forecast(deals: list[DealView], today: dt.date, config: VaultConfig, convert: bool) -> list[ForecastRow]:
    """The open deals by month of expected close: overdue first, the months in order, no close date last."""
    buckets: dict[str, list[DealView]] = {}
    for deal in deals:
        buckets.setdefault(month_of(deal, today), []).append(deal)
    months = sorted(key for key in buckets if key not in (OVERDUE, NO_CLOSE))
    if months:
        months = sorted(set(months) | set(months_from(today, months[-1])))
    keys = [key for key in (OVERDUE, *months, NO_CLOSE) if key in buckets or key in months]
    return [ForecastRow(key, totals_of(buckets.get(key, []), config, convert)) for key in keys]


# Won and lost in the period


def closed_on(deal: DealView, events: list[StageEvent] | None) -> dt.date | None:
    """The day a closed deal closed: its `closed:` date, else the day history shows it reaching its stage."""
    if deal.closed is not None or not events or events[-1].stage != deal.stage:
        return deal.closed
    return events[-1].day


def closed_in(deals: list[DealView], since: dt.date, today: dt.date, config: VaultConfig, convert: bool,
              timelines: Timelines) -> Closed:
    """The deals won and lost from ``since`` to ``today``: counts, win rate, amounts and the sales cycle."""
    won, lost = [], 0
    for deal in deals:
        if deal.status == "open":
            continue
        day = closed_on(deal, timelines.get(deal.path))
        if day is None or not since <= day <= today:
            continue
        if deal.status == WON:
            won.append((deal, day))
        else:
            lost += 1
    cycles = [(day - deal.created).days for deal, day in won if deal.created is not None]
    decided = len(won) + lost
    won_deals = [deal for deal, _ in won]
    return Closed(
        won=len(won), lost=lost, win_rate=round(100 * len(won) / decided, 1) if decided else None,
        won_total=totals_of(won_deals, config, convert).total,
        average_won=average(won_deals, config, convert),
        average_cycle_days=round(sum(cycles) / len(cycles), 1) if cycles else None, cycle_deals=len(cycles),
    )


# Conversion and days at each stage, from git history


def steps_of(config: VaultConfig) -> list[tuple[str, str, set[str]]]:
    """(stage, next stage, the stages later than it) for each open stage; after the last open stage, the won ones."""
    opened = [stage.name for stage in config.pipeline if stage.open]
    won = [stage.name for stage in config.pipeline if stage.outcome == WON]
    steps = []
    for i, name in enumerate(opened):
        later = [*opened[i + 1 :], *won]
        if later:
            steps.append((name, later[0], set(later)))
    return steps


def passage(events: list[StageEvent], stage: str, later: set[str], today: dt.date) -> tuple[bool, bool, list[int]]:
    """Up to ``today``: whether the deal reached ``stage``, whether it reached a ``later`` stage after,
    and the days of each of its stays at ``stage`` that ended."""
    reached = moved_on = False
    stays: list[int] = []
    entered: dt.date | None = None
    for event in events:
        if event.day > today:
            break
        if entered is not None and event.stage != stage:
            stays.append((event.day - entered).days)
            entered = None
        if event.stage == stage:
            reached, entered = True, entered or event.day
        elif reached and event.stage in later:
            moved_on = True
    return reached, moved_on, stays


def conversion(deals: list[DealView], config: VaultConfig, timelines: Timelines, today: dt.date) -> list[Conversion]:
    """For each open stage: of the deals that reached it, how many moved on, and the median days of a stay."""
    found = []
    for stage, next_stage, later in steps_of(config):
        reached = moved_on = 0
        stays: list[int] = []
        for deal in deals:
            was, went, days = passage(timelines.get(deal.path, []), stage, later, today)
            reached, moved_on = reached + was, moved_on + went
            stays.extend(days)
        found.append(Conversion(
            stage, next_stage, reached, moved_on, round(100 * moved_on / reached, 1) if reached else None,
            float(statistics.median(stays)) if stays else None, len(stays)))
    return found


# The whole report


def group(owner: str | None, deals: list[DealView], since: dt.date, today: dt.date, config: VaultConfig,
          convert: bool, timelines: Timelines) -> PipelineGroup:
    """Every figure of the report for ``deals``."""
    opened = [deal for deal in deals if deal.status == "open"]
    return PipelineGroup(
        owner=owner, deals=len(deals), stages=stage_rows(opened, config, convert),
        open=totals_of(opened, config, convert), forecast=forecast(opened, today, config, convert),
        closed=closed_in(deals, since, today, config, convert, timelines),
        conversion=conversion(deals, config, timelines, today),
    )


def period(since: dt.date | None, today: dt.date) -> dt.date:
    """The period's first day: ``since``, else as `contacts report` has it (three months back, from a Monday)."""
    if since is None:
        return bucket_start(today - DEFAULT_SPAN, period_of(None, today - DEFAULT_SPAN, today))
    if since > today:
        raise InvalidValueError(f"--since {since} is after today ({today})")
    return since


def pipeline_report(vault: Vault, query: str | None = None, since: dt.date | None = None, by: str | None = None,
                    today: dt.date | None = None) -> PipelineResult:
    """The pipeline of the deals ``query`` selects (all without one) as of ``today``, for ``since`` to ``today``;
    with ``by="owner"``, each owner's too."""
    from vault_tool.search.deals import find_deals

    if by is not None and by not in GROUPS:
        raise InvalidValueError(f"the pipeline report groups deals by owner, not by '{by}'")
    today = today or vault.today()
    start = period(since, today)
    found = find_deals(vault, query or "", today)
    deals, config = found.deals, vault.config
    history = stage_timelines(vault.root, vault.deals_dir, vault.state_dir / HISTORY_CACHE)
    timelines: Timelines = history or {}
    currencies = sorted({deal.currency for deal in deals})
    missing = [code for code in currencies if code != config.currency and code not in config.rates]
    convert = not missing
    report = PipelineReport(
        query=query, today=today.isoformat(), since=start.isoformat(), currency=config.currency, converted=convert,
        currencies=currencies, missing_rates=missing, from_history=history is not None,
        all=group(None, deals, start, today, config, convert, timelines),
    )
    if by == "owner":
        mine: dict[str, list[DealView]] = {}
        for deal in deals:
            mine.setdefault(deal.owner, []).append(deal)
        owners = sorted(mine, key=lambda owner: (owner == "", owner.casefold(), owner))
        report.by_owner = [group(owner, mine[owner], start, today, config, convert, timelines) for owner in owners]
    return PipelineResult(report, found.left_out)
