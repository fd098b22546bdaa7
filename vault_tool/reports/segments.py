"""Segments: saved searches in vault.yaml (`segments:`), used as `@name` in any query.

Listing counts each segment's contacts through the search engine (segment_edits.py saves and
removes them); this module imports nothing that writes, so `contacts segments` starts quickly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError
from vault_tool.search.freshness import refresh
from vault_tool.search.query import QueryError
from vault_tool.search.run import matching_paths

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

NAME = re.compile(r"^[^\W_][\w-]*$")  # what `@name` in a query can name: a letter or digit first


@dataclass
class Segment:
    name: str
    query: str
    count: int | None  # None when the query does not run
    error: str | None = None


def count(vault: Vault, query: str) -> int:
    """How many contacts ``query`` matches (an InvalidValueError if it is not a valid query)."""
    return len(matching_paths(vault, query))


def list_segments(vault: Vault) -> list[Segment]:
    """Every segment in vault.yaml, in its order, with how many contacts it matches now."""
    fresh = refresh(vault, vault.today())  # once, for all of them
    found = []
    for name, query in vault.config.segments.items():
        try:
            found.append(Segment(name, query, len(matching_paths(vault, f"@{name}", fresh))))
        except InvalidValueError as exc:
            found.append(Segment(name, query, None, _error(exc, name)))
    return found


def _error(exc: InvalidValueError, name: str) -> str:
    """What is wrong with segment ``name``'s query, said once (the listing shows the query beside it)."""
    if isinstance(exc, QueryError) and exc.source == f"segment @{name}":
        return f"{exc.problem} (at character {exc.at + 1})"
    return str(exc)


def check_name(name: str, query: str | None) -> None:
    if not NAME.match(name):
        raise InvalidValueError(f"'{name}' cannot be a segment name: use letters, digits, '-' and '_', "
                                f"e.g. hot-leads")
    if query is not None and (not query.strip() or "\n" in query or "\r" in query):
        raise InvalidValueError("give the segment's query on one line, e.g. 'stage:lead AND tag:conference'")
