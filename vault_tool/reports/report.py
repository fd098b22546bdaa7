"""`contacts report`: counts, the stage funnel from git history, activity over time, who is going cold.

``build_report`` returns plain data (a ``Report``); report_text, report_html and
report_formats turn it into text, HTML, JSON or CSV.
"""
from __future__ import annotations

import bisect
import datetime as dt
import heapq
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from vault_tool.errors import InvalidValueError, ParseError, VaultError
from vault_tool.format.contact import KNOWN_FIELDS
from vault_tool.format.dates import parse_duration
from vault_tool.reports.history import CACHE_NAME as HISTORY_CACHE
from vault_tool.reports.history import StageEvent, stage_timelines
from vault_tool.reports.summaries import Summary, load_summaries

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

NONE = "(none)"
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


def field_values(item: Summary, by: str) -> list[str]:
    """The values ``item`` has for ``by``: one for a scalar field, each item of a list field."""
    if by == "kind":
        return [item.kind]
    if by == "tag":
        by = "tags"
    if by in item.lists:
        return item.lists[by] or [NONE]
    value = item.fields.get(by, "").strip()
    return [value] if value else [NONE]


def check_field(items: list[Summary], present_fields: set[str], by: str, declared: list[str]) -> None:
    """An InvalidValueError when none of ``items`` has ``by`` (``present_fields``: the fields and list fields
    they have) and it is no field the vault knows of (a typo)."""
    known = {"tag", "kind", *KNOWN_FIELDS, *declared}
    if not items or by in known or by in present_fields:
        return
    present = sorted(present_fields - set(KNOWN_FIELDS))
    others = f" or a field the contacts have ({', '.join(present[:12])})" if present else ""
    raise InvalidValueError(f"no contact has a field '{by}': count --by stage, tag, owner, company, kind{others}")


def breakdown(items: list[Summary], by: str, order: list[str]) -> Breakdown:
    """How many of ``items`` have each value of ``by``; values in ``order`` first, then by count."""
    counts: dict[str, int] = {}
    for item in items:
        for value in dict.fromkeys(field_values(item, by)):
            counts[value] = counts.get(value, 0) + 1
    rank = {v: i for i, v in enumerate(order)}
    keys = sorted(counts, key=lambda v: (v == NONE, rank.get(v, len(rank)), -counts[v], v.casefold()))
    total = len(items)
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


def funnel(items: list[Summary], stages: list[str], timelines: dict[str, list[StageEvent]] | None,
           since: dt.date, today: dt.date) -> list[FunnelStep]:
    """A step per stage: how many are there now, and (from history) who moved on to a later stage."""
    histories = _histories(items, timelines) if timelines is not None else []
    steps = []
    for i, stage in enumerate(stages):
        step = FunnelStep(stage, stages[i + 1] if i + 1 < len(stages) else None,
                          sum(1 for item in items if item.stage == stage))
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


def _histories(items: list[Summary], timelines: dict[str, list[StageEvent]]) -> list[tuple[list[StageEvent], int]]:
    """Each distinct stage history of ``items`` and how many have it: contacts with the same history share its
    list (reports/history.py), and most of a large vault's do (the day they came in, at the stage they came in)."""
    none: list[StageEvent] = []
    counted: dict[int, tuple[list[StageEvent], int]] = {}
    for item in items:
        events = timelines.get(item.path, none)
        held = counted.get(id(events))
        counted[id(events)] = (events, held[1] + 1 if held else 1)
    return list(counted.values())


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


def bucket_start(day: dt.date, per: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if per == "week" else day.replace(day=1)


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


def activity(items: list[Summary], kinds: list[str], since: dt.date, today: dt.date, per: str) -> Activity:
    """Interactions from ``since`` to ``today`` per week or month, by kind and by the contact's owner.

    A contact's interactions are in date order: those in the time are found by bisection, and each is
    counted by (kind, period) and (owner, period), the periods' lists made at the end.
    """
    starts = buckets(since, today, per)
    index = {d.isoformat(): i for i, d in enumerate(starts)}
    kind_counts: Counter[tuple[str, int]] = Counter()
    owner_counts: Counter[tuple[str, int]] = Counter()
    low, high = since.isoformat(), today.isoformat()
    slots: dict[str, int] = {}  # by day: a few hundred days, 100,000s of interactions
    for item in items:
        dates = item.interactions
        first, end = bisect.bisect_left(dates, low), bisect.bisect_right(dates, high)
        owner = item.owner or NONE
        for day, kind in zip(dates[first:end], item.kinds[first:end]):
            slot = slots.get(day)
            if slot is None:
                slot = slots[day] = index[bucket_start(dt.date.fromisoformat(day), per).isoformat()]
            kind_counts[kind, slot] += 1
            owner_counts[owner, slot] += 1
    by_kind, by_owner = _per_period(kind_counts, len(starts)), _per_period(owner_counts, len(starts))
    rank = {k: i for i, k in enumerate(kinds)}
    kind_order = sorted(by_kind, key=lambda k: (rank.get(k, len(rank)), k))
    owner_order = sorted(by_owner, key=lambda o: (o == NONE, o.casefold()))
    return Activity(per, [bucket_label(max(d, since), per) for d in starts],
                    {k: by_kind[k] for k in kind_order}, {o: by_owner[o] for o in owner_order})


def _per_period(counts: Counter[tuple[str, int]], periods: int) -> dict[str, list[int]]:
    """Counts by (value, period) as a list of the periods' counts per value."""
    found: dict[str, list[int]] = {}
    for (value, slot), count in counts.items():
        found.setdefault(value, [0] * periods)[slot] = count
    return found


# Going cold


def _days(span: str, today: dt.date) -> int:
    return (today - (today - parse_duration(span))).days


def _cadence(item: Summary, default: str, parsed: dict[str, relativedelta]) -> tuple[str, relativedelta]:
    """The contact's keep_in_touch as written and as a delta; vault.yaml's when it has none (or a wrong one)."""
    for cadence in (item.fields.get("keep_in_touch", "").strip(), default):
        if not cadence:
            continue
        if cadence not in parsed:
            try:
                parsed[cadence] = parse_duration(cadence)
            except InvalidValueError:
                continue
        return cadence, parsed[cadence]
    raise InvalidValueError(f"'{default}' is not a duration")  # default_cadence() checked it already


def going_cold(
    items: list[Summary], default_cadence: str, timelines: dict[str, list[StageEvent]] | None, today: dt.date,
    limit: int | None = None,
) -> tuple[list[ColdContact], int]:
    """Contacts with no contact planned, the longest silence relative to their keep-in-touch cadence first
    (the ``limit`` coldest; all when None), and how many of all of them are overdue.

    Silence runs from the last interaction on or before today; a contact with none is silent
    since it was first committed (and left out when that is unknown). As in the agenda, a contact
    with an interaction dated today or later is left out (the next contact is planned), and one
    whose silence has lasted its cadence (last contact + cadence <= today) is overdue. Contacts are
    ranked by their silence alone (many share a start and a cadence, each pair worked out once),
    and only those that can be among the ``limit`` coldest by their names too: a report shows ten
    of 100,000.
    """
    ranked, facts = _silences(items, default_cadence, timelines, today)
    overdue = sum(-silence >= facts[at][3] for _, silence, at in ranked)
    if limit == 0:
        ranked = []
    elif limit is not None and len(ranked) > limit:  # the ones that tie with the last by silence may come first
        bound = heapq.nsmallest(limit, ranked)[-1][:2]
        ranked = [found for found in ranked if found[:2] <= bound]
    chosen = sorted(ranked, key=lambda found: (found[0], found[1], items[found[2]].name.casefold(), found[2]))
    return [_cold_contact(items[at], ratio, silence, facts[at]) for ratio, silence, at in chosen[:limit]], overdue


def _silences(
    items: list[Summary], default_cadence: str, timelines: dict[str, list[StageEvent]] | None, today: dt.date,
) -> tuple[list[tuple[float, int, int]], dict[int, tuple[str | None, str, str, int]]]:
    """(-ratio, -silence, position) of each of ``items`` with no contact planned and a silence that can be
    told, and by position its (last contact, silent since, cadence, cadence in days)."""
    day, timelines = today.isoformat(), timelines or {}
    parsed: dict[str, relativedelta] = {}  # a few distinct cadences, read once
    cadences: dict[str | None, tuple[str, relativedelta]] = {}  # by the contact's own keep_in_touch
    known: dict[tuple[str, str], tuple[float, int, int] | None] = {}  # by (start, cadence): many share both
    ranked: list[tuple[float, int, int]] = []
    facts: dict[int, tuple[str | None, str, str, int]] = {}
    for at, item in enumerate(items):
        dates = item.interactions
        last = dates[-1] if dates else None
        if last is not None and last >= day:
            continue
        history = timelines.get(item.path) if last is None else None
        start = last or (history[0].day.isoformat() if history else None)
        if start is None:
            continue
        own = item.fields.get("keep_in_touch")
        if own not in cadences:
            cadences[own] = _cadence(item, default_cadence, parsed)
        cadence, delta = cadences[own]
        if (start, cadence) not in known:
            known[(start, cadence)] = _silence(dt.date.fromisoformat(start), delta, today)
        found = known[(start, cadence)]
        if found is not None:
            ranked.append((found[0], found[1], at))
            facts[at] = (last, start, cadence, found[2])
    return ranked, facts


def _silence(start: dt.date, delta: relativedelta, today: dt.date) -> tuple[float, int, int] | None:
    """(-ratio, -silence in days, cadence in days) of a silence since ``start`` with cadence ``delta``; None for a
    cadence of no days."""
    cadence_days = ((start + delta) - start).days
    if cadence_days <= 0:
        return None
    silence = (today - start).days
    return -round(silence / cadence_days, 2), -silence, cadence_days


def _cold_contact(item: Summary, ratio: float, silence: int, facts: tuple[str | None, str, str, int]) -> ColdContact:
    last, start, cadence, cadence_days = facts
    return ColdContact(item.handle, item.name, item.owner, item.stage, last, start, -silence, cadence, cadence_days,
                       -ratio)


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
    wanted = {"tags" if name == "tag" else name for name in by}
    loaded = load_summaries(vault, today, query, wanted)  # first: a wrong query fails at once
    timelines = stage_timelines(vault.root, vault.contacts_dir, vault.state_dir / HISTORY_CACHE)
    items = loaded.items
    for name in by:
        check_field(items, loaded.fields, name, list(vault.config.fields))
    order = {"stage": vault.config.stages, "kind": ["person", "organization"]}
    coldest, overdue = going_cold(items, vault.config.keep_in_touch, timelines, today, cold)
    report = Report(
        query=query, today=today.isoformat(), since=since.isoformat(), contacts=len(items),
        breakdowns=[breakdown(items, b, order.get(b, [])) for b in by],
        funnel=funnel(items, stages, timelines, since, today), funnel_from_history=timelines is not None,
        activity=activity(items, vault.config.interaction_kinds, since, today, period),
        going_cold=coldest, overdue=overdue,
    )
    return ReportResult(report, loaded.problems)
