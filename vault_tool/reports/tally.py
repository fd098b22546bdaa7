"""What a report counts of some contacts, in a form that adds up: one `Tally` per segment of the index.

A report's counts by field and by stage, its activity per period, how many contacts are overdue
and its candidates for going cold are all sums over contacts. So they are made per segment of the
index and kept between runs in `.vault/rows/report` (search/rowmemo.py), as the follow-ups keep
their rows: a segment never changes once written, and a document deleted since (an edited contact,
written anew into a new segment) is taken out again by subtracting what it counted (`Tally.add`
with sign -1). Only what depends on git history is worked out on every run: the funnel (each
contact's stage history) and the silence of contacts with no interaction, which runs from the day
they were first committed (report.py). At 100,000 contacts, reading every contact's summary and
counting it took some 700 ms of a 1.3 s report (`bench/bench_reading.py`).

A segment keeps only the coldest `MARGIN` more than the report lists (and those that tie with the
last of them): enough to stay right while that many of them are deleted; when fewer are left, the
segment is counted again.
"""
from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from vault_tool.errors import InvalidValueError
from vault_tool.format.dates import parse_duration
from vault_tool.reports.summaries import Summary, summaries_in

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

    from vault_tool.errors import ParseError
    from vault_tool.store.vault import Vault

NONE = "(none)"
MARGIN = 64  # candidates for going cold a segment keeps past the report's limit
MEMO = "report"  # the memo's name in .vault/rows/

# A contact that may be going cold: (-ratio, -silence in days, name casefolded, path, name, owner, stage, last
# contact (None: none), silent since, cadence, cadence in days). Sorted, the coldest come first, ties by name, then
# path.
Candidate = tuple[float, int, str, str, str, str, str, "str | None", str, str, int]
Silent = tuple["str | None", str, str, str]  # a contact with no interaction: its own keep_in_touch, name, owner, stage
K = TypeVar("K")


def bucket_start(day: dt.date, per: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if per == "week" else day.replace(day=1)


@dataclass(frozen=True)
class Scope:
    """What a report counts: by the fields ``by`` (as given: `tag` for tags), interactions from ``since`` to
    ``today`` in periods ``per`` that start on ``starts``, silences by ``default_cadence`` (vault.yaml's)."""

    by: tuple[str, ...]
    since: dt.date
    today: dt.date
    per: str
    starts: tuple[dt.date, ...]
    default_cadence: str

    def tag(self, keep: int | None) -> tuple[Any, ...]:
        """What a kept tally was counted for (with ``keep`` candidates for going cold): another is counted again."""
        return (self.by, self.since.isoformat(), self.today.isoformat(), self.per, self.default_cadence, keep)


@dataclass
class Tally:
    """What a report counts of some contacts; `add` sums two (or takes one out of another)."""

    contacts: int = 0
    values: dict[str, dict[str, int]] = field(default_factory=dict)  # by each field counted by: value -> contacts
    stages: dict[str, int] = field(default_factory=dict)  # each contact's stage -> contacts (the funnel's "now")
    names: dict[tuple[str, ...], int] = field(default_factory=dict)  # a contact's field names -> contacts
    kinds: dict[tuple[str, int], int] = field(default_factory=dict)  # (kind, period) -> interactions
    owners: dict[tuple[str, int], int] = field(default_factory=dict)  # (the contact's owner, period) -> interactions
    overdue: int = 0  # contacts with an interaction whose silence has lasted their cadence
    cold: dict[str, Candidate] = field(default_factory=dict)  # by path: the coldest with an interaction
    cut: bool = False  # colder candidates than some in ``cold`` were left out
    silent: dict[str, Silent] = field(default_factory=dict)  # by path: the contacts with no interaction
    paths: set[str] = field(default_factory=set)  # of every contact counted

    def add(self, other: Tally, sign: int = 1) -> None:
        """Count ``other``'s contacts too (``sign`` -1: take them out, ``other`` being a tally of some of these)."""
        self.contacts += sign * other.contacts
        for by, counts in other.values.items():
            _add(self.values.setdefault(by, {}), counts, sign)
        _add(self.stages, other.stages, sign)
        _add(self.names, other.names, sign)
        _add(self.kinds, other.kinds, sign)
        _add(self.owners, other.owners, sign)
        self.overdue += sign * other.overdue
        if sign > 0:
            self.cold.update(other.cold)
            self.silent.update(other.silent)
            self.paths |= other.paths
            self.cut = self.cut or other.cut
            return
        for path in other.paths:
            self.cold.pop(path, None)
            self.silent.pop(path, None)
        self.paths -= other.paths

    def plain(self) -> list[Any]:
        """The tally as values marshal keeps (`Tally(*plain)` makes it again)."""
        return [self.contacts, self.values, self.stages, self.names, self.kinds, self.owners, self.overdue,
                self.cold, self.cut, self.silent, self.paths]

    def present(self) -> set[str]:
        """The fields and list fields some contact counted has."""
        return {name for names, count in self.names.items() if count for name in names}


def _add(into: dict[K, int], counts: dict[K, int], sign: int) -> None:
    for key, count in counts.items():
        left = into.get(key, 0) + sign * count
        if left:
            into[key] = left
        else:
            into.pop(key, None)


def summed(parts: Sequence[Tally]) -> Tally:
    """One tally of the contacts of all ``parts`` (the largest is added to, not copied)."""
    ordered = sorted(parts, key=lambda part: -part.contacts)
    whole = ordered[0] if ordered else Tally()
    for part in ordered[1:]:
        whole.add(part)
    return whole


def tally_of(items: list[Summary], scope: Scope, keep: int | None) -> Tally:
    """What a report counts of ``items``, with the ``keep`` coldest (and those that tie with the last; all when
    None) of those with an interaction."""
    tally = Tally(len(items), paths={item.path for item in items})
    for by in scope.by:
        tally.values[by] = _counts(items, by)
    tally.stages = dict(Counter(item.stage for item in items))
    tally.names = dict(Counter(item.names for item in items))
    tally.kinds, tally.owners = _activity(items, scope)
    _cold(tally, items, Silences(scope.today, scope.default_cadence), keep)
    return tally


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


def _counts(items: list[Summary], by: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        for value in dict.fromkeys(field_values(item, by)):
            counts[value] = counts.get(value, 0) + 1
    return counts


def _activity(items: list[Summary], scope: Scope) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
    """Interactions from ``scope.since`` to its ``today`` by (kind, period) and by (the contact's owner, period).

    A contact's interactions are in date order: those in the time are found by bisection.
    """
    index = {day.isoformat(): at for at, day in enumerate(scope.starts)}
    kinds: Counter[tuple[str, int]] = Counter()
    owners: Counter[tuple[str, int]] = Counter()
    low, high = scope.since.isoformat(), scope.today.isoformat()
    slots: dict[str, int] = {}  # by day: a few hundred days, 100,000s of interactions
    for item in items:
        dates = item.interactions
        first, end = bisect.bisect_left(dates, low), bisect.bisect_right(dates, high)
        owner = item.owner or NONE
        for day, kind in zip(dates[first:end], item.kinds[first:end]):
            slot = slots.get(day)
            if slot is None:
                slot = slots[day] = index[bucket_start(dt.date.fromisoformat(day), scope.per).isoformat()]
            kinds[kind, slot] += 1
            owners[owner, slot] += 1
    return dict(kinds), dict(owners)


class Silences:
    """A contact's silence as of ``today`` against its cadence, worked out once per (start, cadence): a large
    vault's contacts share a few of each."""

    def __init__(self, today: dt.date, default_cadence: str) -> None:
        self.today, self.default = today, default_cadence
        self._parsed: dict[str, relativedelta] = {}
        self._cadences: dict[str | None, tuple[str, relativedelta]] = {}  # by the contact's own keep_in_touch
        self._known: dict[tuple[str, str], tuple[float, int, int] | None] = {}

    def of(self, start: str, own: str | None) -> tuple[float, int, str, int] | None:
        """(-ratio, -silence in days, cadence, cadence in days) of a silence since ``start`` (ISO) for a contact
        whose own keep_in_touch is ``own``; None for a cadence of no days."""
        if own not in self._cadences:
            self._cadences[own] = cadence_of(own, self.default, self._parsed)
        cadence, delta = self._cadences[own]
        if (start, cadence) not in self._known:
            self._known[(start, cadence)] = _silence(dt.date.fromisoformat(start), delta, self.today)
        found = self._known[(start, cadence)]
        return None if found is None else (found[0], found[1], cadence, found[2])


def cadence_of(own: str | None, default: str, parsed: dict[str, relativedelta]) -> tuple[str, relativedelta]:
    """A contact's keep_in_touch ``own`` as written and as a delta; ``default`` (vault.yaml's) when it has none
    (or a wrong one)."""
    for cadence in ((own or "").strip(), default):
        if not cadence:
            continue
        if cadence not in parsed:
            try:
                parsed[cadence] = parse_duration(cadence)
            except InvalidValueError:
                continue
        return cadence, parsed[cadence]
    raise InvalidValueError(f"'{default}' is not a duration")  # report.default_cadence checked it already


def _silence(start: dt.date, delta: relativedelta, today: dt.date) -> tuple[float, int, int] | None:
    """(-ratio, -silence in days, cadence in days) of a silence since ``start`` with cadence ``delta``; None for a
    cadence of no days."""
    cadence_days = ((start + delta) - start).days
    if cadence_days <= 0:
        return None
    silence = (today - start).days
    return -round(silence / cadence_days, 2), -silence, cadence_days


def _cold(tally: Tally, items: list[Summary], silences: Silences, keep: int | None) -> None:
    """Count the overdue of ``items`` into ``tally``, with the ``keep`` coldest (and those that tie with the last)
    and every contact with no interaction.

    As in the agenda, a contact with an interaction dated today or later is left out (the next
    contact is planned). Contacts are ranked by their silence alone (many share a start and a
    cadence), and a candidate made only of those that can be among the ``keep`` coldest: a
    report shows ten of 100,000.
    """
    day = silences.today.isoformat()
    ranked: list[tuple[float, int, int]] = []
    facts: dict[int, tuple[str, int]] = {}
    for at, item in enumerate(items):
        dates, own = item.interactions, item.fields.get("keep_in_touch")
        if not dates:
            tally.silent[item.path] = (own, item.name, item.owner, item.stage)
            continue
        if dates[-1] >= day:
            continue
        found = silences.of(dates[-1], own)
        if found is not None:
            ranked.append((found[0], found[1], at))
            facts[at] = (found[2], found[3])
    tally.overdue = sum(-silence >= facts[at][1] for _, silence, at in ranked)
    if keep is not None and len(ranked) > keep:  # the ones that tie with the last by silence may come first
        tally.cut = True
        bound = heapq.nsmallest(keep, ranked)[-1][:2] if keep else None
        ranked = [found for found in ranked if bound is not None and found[:2] <= bound]
    for ratio, silence, at in ranked:
        item, (cadence, cadence_days) = items[at], facts[at]
        last = item.interactions[-1]
        tally.cold[item.path] = (ratio, silence, item.name.casefold(), item.path, item.name, item.owner, item.stage,
                                 last, last, cadence, cadence_days)


def kept_tally(vault: Vault, today: dt.date, scope: Scope, keep: int, only: Collection[str]
               ) -> tuple[Tally, list[ParseError]]:
    """The tally of every contact in the index, from the tallies kept of its segments where it can (see above),
    and the files that did not parse. ``keep``: how many candidates for going cold the report lists."""
    from vault_tool.search import columns
    from vault_tool.search.rowmemo import RowMemo
    from vault_tool.search.selection import answered

    memo = RowMemo(vault.state_dir, MEMO, scope.tag(keep + MARGIN))

    def make(leaf: Any, docs: list[int]) -> list[Any]:
        return tally_of(summaries_in(leaf, docs, only), scope, keep + MARGIN).plain()

    def less(kept: list[Any], leaf: Any, gone: list[int]) -> list[Any] | None:
        part = Tally(*kept)
        part.add(tally_of(summaries_in(leaf, gone, only), scope, None), -1)
        return None if part.cut and len(part.cold) < keep else part.plain()

    parts, problems, _ = answered(vault, today, lambda ix: columns.per_segment(ix, memo, make, less))
    return summed([Tally(*part) for part in parts]), problems
