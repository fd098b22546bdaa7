"""What reports need of every contact, read from the search index (no contact file is parsed).

A summary is a contact's scoring ``Facts`` plus its handle, the kinds of its interactions and its
list fields: what the index keeps for reports in a column of its own (search/view.py `summary_of`).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.search.scoring import Facts
from vault_tool.search.view import Summed

if TYPE_CHECKING:
    import datetime as dt

    from vault_tool.errors import ParseError
    from vault_tool.store.vault import Vault


@dataclass(slots=True)  # a report holds one per contact
class Summary:
    """One contact as reports see it."""

    path: str  # relative to the vault's root, '/'-separated
    handle: str
    facts: Facts
    kinds: list[str] = field(default_factory=list)  # the kind of each of facts.interactions, in the same order
    lists: dict[str, list[str]] = field(default_factory=dict)  # every list field (tags, emails, custom lists)

    @property
    def name(self) -> str:
        return self.facts.fields.get("name", self.handle)


@dataclass
class Summaries:
    """Every contact that parsed, and a ParseError for each file that did not."""

    items: list[Summary] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)  # every field and list field some contact has


KEPT_ALWAYS = ("name", "keep_in_touch")  # what every report reads of a contact's fields


def summary_of(summed: Summed, only: Collection[str] | None = None) -> Summary:
    """The summary of a contact from what the index keeps for reports (search/view.py `summary_of`); ``only``:
    keep just these fields and list fields (and KEPT_ALWAYS) of it."""
    path, handle, facts, kinds, lists = summed
    if only is not None:
        fields = {key: value for key, value in facts["fields"].items() if key in only or key in KEPT_ALWAYS}
        facts = {**facts, "fields": fields}
        lists = {key: value for key, value in lists.items() if key in only}
    return Summary(path, handle, Facts.from_data(facts), kinds, lists)


def load_summaries(
    vault: Vault, today: dt.date, query: str | None = None, only: Collection[str] | None = None,
) -> Summaries:
    """A summary of every contact ``query`` matches (all when None), with the files that did not parse.

    ``only``: the fields and list fields to keep of each contact (all when None; see `summary_of`). A
    report counts by one or two of them, and every contact's others would double what it holds.
    """
    from vault_tool.search.selection import read_views

    seen: set[str] = set()

    def keep(summed: Summed, _: dict[str, Any]) -> Summary:
        seen.update(summed[2]["fields"])
        seen.update(summed[4])
        return summary_of(summed, only)

    found, skipped, _ = read_views(vault, today, keep, None, query, column="summary")  # each let go at once
    return Summaries(sorted(found, key=lambda summary: summary.path), skipped, seen)
