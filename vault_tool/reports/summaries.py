"""What reports need of every contact, read from the search index (no contact file is parsed).

A summary is a contact's scoring ``Facts`` plus its handle, the kinds of its interactions and its
list fields: the facts and the stored view (search/view.py) the index keeps for each contact.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.search.scoring import Facts
from vault_tool.search.view import SEP

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


def summary_of(view: dict[str, Any], facts: dict[str, Any]) -> Summary:
    """The summary of a contact from its stored view and scoring facts."""
    ordered = sorted(view["interactions"], key=lambda heading: heading[:10])  # by date, as facts.interactions
    kinds = [sys.intern(heading.split(SEP, 3)[2]) for heading in ordered]  # a few kinds, 100,000s of interactions
    return Summary(view["path"], view["handle"], Facts.from_data(facts), kinds, dict(view.get("lists", {})))


def load_summaries(vault: Vault, today: dt.date, query: str | None = None) -> Summaries:
    """A summary of every contact ``query`` matches (all when None), with the files that did not parse."""
    from vault_tool.search.selection import read_views

    found, skipped, _ = read_views(vault, today, summary_of, None, query, facts=True)  # each view let go at once
    return Summaries(sorted(found, key=lambda summary: summary.path), skipped)
