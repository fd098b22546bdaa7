"""What reports need of every contact, read from the search index (no contact file is parsed).

A summary is what a report counts of a contact's scoring facts (search/scoring.py), the kinds of its
interactions and its list fields: what the index keeps for reports in a column of its own
(search/view.py `summed_of`), and the fields a report may count by in another (`summed_fields_of`),
read only for a report that counts by one of those.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.format.layout import handle_of
from vault_tool.search.view import SUMMED_FIELDS, SUMMED_LISTS, Summed

FieldsOf = tuple[dict[str, str], dict[str, list[str]]]  # a contact's fields and list fields (`summed_fields_of`)

if TYPE_CHECKING:
    import datetime as dt

    from vault_tool.errors import ParseError
    from vault_tool.store.vault import Vault


@dataclass(slots=True)  # a report holds one per contact
class Summary:
    """One contact as reports see it: of its scoring facts (search/scoring.py), what a report counts."""

    path: str  # relative to the vault's root, '/'-separated
    kind: str
    stage: str
    owner: str
    fields: dict[str, str]  # scalar fields, as text (a report keeps those it counts by, and KEPT_ALWAYS)
    interactions: list[str]  # ISO dates, past and future, sorted
    kinds: list[str] = field(default_factory=list)  # the kind of each of interactions, in the same order
    lists: dict[str, list[str]] = field(default_factory=dict)  # list fields (tags, emails, custom lists)
    names: tuple[str, ...] = ()  # of every field and list field it has (those kept in fields and lists or not)

    @property
    def handle(self) -> str:
        return handle_of(self.path)

    @property
    def name(self) -> str:
        return self.fields.get("name", self.handle)


@dataclass
class Summaries:
    """Every contact that parsed, and a ParseError for each file that did not."""

    items: list[Summary] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)


KEPT_ALWAYS = ("name", "keep_in_touch")  # what every report reads of a contact's fields
SUMMED = {*SUMMED_FIELDS, *SUMMED_LISTS, "kind"}  # what a report can count by from the `summary` column alone


def summary_of(summed: Summed, more: FieldsOf | None = None, only: Collection[str] | None = None,
               nothing: dict[str, list[str]] | None = None) -> Summary:
    """The summary of a contact from what the index keeps for reports (search/view.py `summed_of`), with its
    fields and list fields ``more`` (`summed_fields_of`; else those every report reads). ``only``: keep just
    these fields and list fields (and KEPT_ALWAYS) of ``more``; ``nothing``: the one empty dict that
    summaries without list fields share (a report holds 100,000)."""
    path, kind, stage, owner, interactions, kinds, names, fields, lists = summed
    if more is not None:
        fields, lists = more
    if only is not None:
        fields = {key: value for key, value in fields.items() if key in only or key in KEPT_ALWAYS}
        lists = {key: value for key, value in lists.items() if key in only} if lists else lists
    if not lists and nothing is not None:
        lists = nothing
    return Summary(path, kind, stage, owner, fields, interactions, kinds, lists, names)


def load_summaries(
    vault: Vault, today: dt.date, query: str | None = None, only: Collection[str] | None = None,
) -> Summaries:
    """A summary of every contact ``query`` matches (all when None), with the files that did not parse.

    ``only``: the fields and list fields to keep of each contact (all when None; see `summary_of`). A
    report counts by one or two of them, and every contact's others would double what it holds; by
    those every report reads (stage, owner, tags, kind), the others are not read at all.
    """
    from vault_tool.search.selection import read_views

    nothing: dict[str, list[str]] = {}

    def keep(summed: Summed, more: FieldsOf | None) -> Summary:
        return summary_of(summed, more, only, nothing)

    found, skipped, _ = read_views(vault, today, keep, None, query, column="summary", beside=_beside(only))
    return Summaries(sorted(found, key=lambda summary: summary.path), skipped)


def summaries_in(leaf: Any, docs: list[int], only: Collection[str] | None) -> list[Summary]:
    """The summaries of documents ``docs`` of one segment of the index, with ``only`` these fields (see
    `load_summaries`)."""
    from vault_tool.search.columns import views_in

    nothing: dict[str, list[str]] = {}
    beside = _beside(only)
    more = views_in(leaf, docs, beside) if beside else [None] * len(docs)
    return [summary_of(summed, fields, only, nothing) for summed, fields in zip(views_in(leaf, docs, "summary"), more)]


def _beside(only: Collection[str] | None) -> str | None:
    """The column to read beside `summary` for fields ``only`` (None: none)."""
    return None if only is not None and set(only) <= SUMMED else "summary_fields"
