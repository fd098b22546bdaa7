"""`contacts report`: counts, the stage funnel from git history, activity over time, who is going cold.

``build_report`` returns plain data (a ``Report``); report_text, report_html and
report_formats turn it into text, HTML, JSON or CSV.
"""
from __future__ import annotations

import datetime as dt
import heapq
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from vault_tool.errors import InvalidValueError, ParseError, VaultError
from vault_tool.format.contact import KNOWN_FIELDS
from vault_tool.format.dates import parse_duration
from vault_tool.format.layout import handle_of
from vault_tool.reports.history import CACHE_NAME as HISTORY_CACHE
from vault_tool.reports.history import StageEvent, StageHistories, stage_timelines
from vault_tool.reports.summaries import load_summaries
from vault_tool.reports.tally import NONE, Candidate, Scope, Silences, Tally, bucket_start, kept_tally, tally_of

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

PERIODS = ("week", "month")
DEFAULT_SPAN = relativedelta(months=3)
WEEKLY_UP_TO_DAYS = 26 * 7  # a longer period is shown per month


@dataclass
class Count:
    value: str
    count: int
    percent: float  # of the contacts in the report; a list field (tags) can add up to more than 100


@dataclass
class Breakdown:
    by: str
    counts: list[Count]


@dataclass
class FunnelStep:
    """Contacts at ``stage`` now; in the period, how many were at it and how many moved on past it."""

    stage: str
    next_stage: str | None  # None for the funnel's last stage
    now: int
    were_at: int | None = None  # None without git history, and for the last stage
    moved_on: int | None = None
    rate: float | None = None  # moved_on / were_at, as a percentage
    median_days: float | None = None  # median days from entering ``stage`` to moving on


@dataclass
class Activity:
    per: str  # week or month
    buckets: list[str]  # each week by its first day (Monday; the first one `since`), each month as YYYY-MM
    by_kind: dict[str, list[int]]  # kind -> interactions per bucket
    by_owner: dict[str, list[int]]  # the contact's owner -> interactions per bucket

    @property
    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.by_kind.values())] if self.by_kind else [0] * len(self.buckets)


@dataclass
class ColdContact:
    handle: str
    name: str
    owner: str
    stage: str
    last_contact: str | None  # ISO date of the last interaction, None if there was none
    silent_since: str  # the last interaction, or the day the contact was first committed
    silence_days: int
    cadence: str  # keep_in_touch (the contact's own, or vault.yaml's)
    cadence_days: int  # the cadence in days, counted from silent_since
    ratio: float  # silence_days / cadence_days: 1 or more is overdue


@dataclass
class Report:
    query: str | None
    today: str
    since: str
    contacts: int
    breakdowns: list[Breakdown]
    funnel: list[FunnelStep]
    funnel_from_history: bool  # False when the vault is not in git: only the counts of now
    activity: Activity
    going_cold: list[ColdContact]
    overdue: int  # contacts whose silence has lasted their cadence


@dataclass
class ReportResult:
    report: Report
    problems: list[ParseError] = field(default_factory=list)


# Counts by a field


def check_field(contacts: int, present_fields: set[str], by: str, declared: list[str]) -> None:
    """An InvalidValueError when none of ``contacts`` (a number) has ``by`` (``present_fields``: the fields and list
    fields they have) and it is no field the vault knows of (a typo)."""
    known = {"tag", "kind", *KNOWN_FIELDS, *declared}
    if not contacts or by in known or by in present_fields:
        return
    present = sorted(present_fields - set(KNOWN_FIELDS))
    others = f" or a field the contacts have ({', '.join(present[:12])})" if present else ""
    raise InvalidValueError(f"no contact has a field '{by}': count --by stage, tag, owner, company, kind{others}")


def breakdown(counts: dict[str, int], total: int, by: str, order: list[str]) -> Breakdown:
    """``counts`` (of ``total`` contacts) by each value of ``by``; values in ``order`` first, then by count."""
    rank = {v: i for i, v in enumerate(order)}
    keys = sorted(counts, key=lambda v: (v == NONE, rank.get(v, len(rank)), -counts[v], v.casefold()))
    return Breakdown(by, [Count(v, counts[v], round(100 * counts[v] / total, 1) if total else 0.0) for v in keys])


# The funnel


def _passage(events: list[StageEvent], stage: str, later: set[str], since: dt.date, today: dt.date
             ) -> tuple[bool, int | None]:
    """Whether the contact was at ``stage`` between ``since`` and ``today``, and if it moved on to a
    ``later`` stage in that time, the days it spent at ``stage`` before it did."""
    current, entered, was_there = "", since, False
    for event in events:
        if event.day > today:
            break
        if event.day >= since:
            was_there = was_there or current == stage
            if current == stage and event.stage in later:
                return True, (event.day - entered).days
        if event.stage != current:
            current, entered = event.stage, event.day
    return was_there or current == stage, None


def funnel(tally: Tally, stages: list[str], timelines: StageHistories | None,
           since: dt.date, today: dt.date) -> list[FunnelStep]:
    """A step per stage: how many of ``tally``'s contacts are there now, and (from history) who moved on to a
    later stage."""
    histories = timelines.shared(tally.paths) if timelines is not None else []
    steps = []
    for i, stage in enumerate(stages):
        step = FunnelStep(stage, stages[i + 1] if i + 1 < len(stages) else None, tally.stages.get(stage, 0))
        if timelines is not None and step.next_stage is not None:
            later = set(stages[i + 1 :])
            days, were_at = [], 0
            for events, count in histories:
                was_there, took = _passage(events, stage, later, since, today)
                were_at += was_there * count
                if took is not None:
                    days += [took] * count
            step.were_at, step.moved_on = were_at, len(days)
            step.rate = round(100 * step.moved_on / step.were_at, 1) if step.were_at else None
            step.median_days = float(statistics.median(days)) if days else None
        steps.append(step)
    return steps


# Stage names that mean a contact left the pipeline: without `funnel:` they are not steps of the
# funnel, so moving to one is never counted as moving on.
LEAVING_STAGES = frozenset({
    "churned", "lost", "closed-lost", "closed_lost", "dead", "disqualified", "unqualified", "former",
    "inactive", "archived", "cancelled", "canceled", "rejected",
})


def funnel_stages(vault: Vault) -> list[str]:
    """vault.yaml's `funnel:`; without it, the stages but the ones a contact leaves by (LEAVING_STAGES)."""
    stages = vault.config.funnel or [s for s in vault.config.stages if s.casefold() not in LEAVING_STAGES]
    wrong = [s for s in stages if s not in vault.config.stages]
    if wrong:
        raise VaultError(f"{vault.root / 'vault.yaml'}: funnel names '{wrong[0]}', which is not one of the "
                         f"stages ({', '.join(vault.config.stages)})")
    return stages


# Activity


def bucket_label(start: dt.date, per: str) -> str:
    """A week by the day it starts (`2026-08-17`), a month as `2026-08`."""
    return start.isoformat() if per == "week" else start.isoformat()[:7]


def buckets(since: dt.date, today: dt.date, per: str) -> list[dt.date]:
    step = relativedelta(weeks=1) if per == "week" else relativedelta(months=1)
    found, day = [], bucket_start(since, per)
    while day <= today:
        found.append(day)
        day += step
    return found


def activity(tally: Tally, kinds: list[str], scope: Scope) -> Activity:
    """``tally``'s interactions in ``scope``'s periods, by kind and by the contact's owner."""
    periods = len(scope.starts)
    by_kind, by_owner = _per_period(tally.kinds, periods), _per_period(tally.owners, periods)
    rank = {k: i for i, k in enumerate(kinds)}
    kind_order = sorted(by_kind, key=lambda k: (rank.get(k, len(rank)), k))
    owner_order = sorted(by_owner, key=lambda o: (o == NONE, o.casefold()))
    return Activity(scope.per, [bucket_label(max(d, scope.since), scope.per) for d in scope.starts],
                    {k: by_kind[k] for k in kind_order}, {o: by_owner[o] for o in owner_order})


def _per_period(counts: dict[tuple[str, int], int], periods: int) -> dict[str, list[int]]:
    """Counts by (value, period) as a list of the periods' counts per value."""
    found: dict[str, list[int]] = {}
    for (value, slot), count in counts.items():
        found.setdefault(value, [0] * periods)[slot] = count
    return found


# Going cold


def _days(span: str, today: dt.date) -> int:
    return (today - (today - parse_duration(span))).days


def coldest(tally: Tally, scope: Scope, timelines: Mapping[str, list[StageEvent]] | None, limit: int | None
            ) -> tuple[list[ColdContact], int]:
    """The ``limit`` coldest of ``tally``'s contacts (all when None) and how many of all of them are overdue.

    Silence runs from the last interaction on or before today; a contact with none is silent
    since it was first committed (and left out when that is unknown). One whose silence has lasted
    its cadence (last contact + cadence <= today) is overdue. The coldest come first, then by
    name, then by path.
    """
    candidates, overdue = list(tally.cold.values()), tally.overdue
    silences = Silences(scope.today, scope.default_cadence)
    for path, (own, name, owner, stage) in tally.silent.items():
        history = timelines.get(path) if timelines else None
        if not history:
            continue  # never committed: how long it has been silent is not known
        start = history[0].day.isoformat()
        found = silences.of(start, own)
        if found is not None:
            ratio, silence, cadence, cadence_days = found
            overdue += -silence >= cadence_days
            candidates.append((ratio, silence, name.casefold(), path, name, owner, stage, None, start, cadence,
                               cadence_days))
    chosen = sorted(candidates) if limit is None else heapq.nsmallest(limit, candidates)
    return [_cold_contact(candidate) for candidate in chosen], overdue


def _cold_contact(candidate: Candidate) -> ColdContact:
    ratio, silence, _, path, name, owner, stage, last, start, cadence, cadence_days = candidate
    return ColdContact(handle_of(path), name, owner, stage, last, start, -silence, cadence, cadence_days, -ratio)


# The whole report


def default_cadence(vault: Vault, today: dt.date) -> int:
    """vault.yaml's keep_in_touch, in days; a VaultError naming vault.yaml when it is not a duration."""
    try:
        return _days(vault.config.keep_in_touch, today)
    except InvalidValueError:
        raise VaultError(f"{vault.root / 'vault.yaml'}: keep_in_touch: '{vault.config.keep_in_touch}' is not a "
                         f"duration: use a number and d, w, m or y, e.g. 90d") from None


def period_of(per: str | None, since: dt.date, today: dt.date) -> str:
    if per is None:
        return "week" if (today - since).days <= WEEKLY_UP_TO_DAYS else "month"
    if per not in PERIODS:
        raise InvalidValueError(f"show activity per week or month, not '{per}'")
    return per


def build_report(
    vault: Vault, query: str | None = None, by: tuple[str, ...] = ("stage",), since: dt.date | None = None,
    per: str | None = None, cold: int = 10, today: dt.date | None = None,
) -> ReportResult:
    """The report on the contacts ``query`` selects (all of them without one), for ``since`` to ``today``."""
    today = today or vault.today()
    if since is None:  # three months, from the first day of a week or month
        period = period_of(per, today - DEFAULT_SPAN, today)
        since = bucket_start(today - DEFAULT_SPAN, period)
    elif since > today:
        raise InvalidValueError(f"--since {since} is after today ({today})")
    else:
        period = period_of(per, since, today)
    stages = funnel_stages(vault)
    default_cadence(vault, today)
    scope = Scope(by, since, today, period, tuple(buckets(since, today, period)), vault.config.keep_in_touch)
    wanted = {"tags" if name == "tag" else name for name in by}
    if query is None:
        tally, problems = kept_tally(vault, today, scope, cold, wanted)
    else:
        loaded = load_summaries(vault, today, query, wanted)  # first: a wrong query fails at once
        tally, problems = tally_of(loaded.items, scope, cold), loaded.problems
    timelines = stage_timelines(vault.root, vault.contacts_dir, vault.state_dir / HISTORY_CACHE)
    present = tally.present()
    for name in by:
        check_field(tally.contacts, present, name, list(vault.config.fields))
    order = {"stage": vault.config.stages, "kind": ["person", "organization"]}
    cold_ones, overdue = coldest(tally, scope, timelines, cold)
    report = Report(
        query=query, today=today.isoformat(), since=since.isoformat(), contacts=tally.contacts,
        breakdowns=[breakdown(tally.values.get(b, {}), tally.contacts, b, order.get(b, [])) for b in by],
        funnel=funnel(tally, stages, timelines, since, today), funnel_from_history=timelines is not None,
        activity=activity(tally, vault.config.interaction_kinds, scope),
        going_cold=cold_ones, overdue=overdue,
    )
    return ReportResult(report, problems)
