"""The contacts a command works on: all of them, or those a search query matches.

`select` parses the files (for commands that change or export whole contacts); `views` answers
from the index alone (for reading commands: follow-ups, reports, segments).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.search.view import Between, contact_of, problems_of

from vault_tool.errors import ParseError

if TYPE_CHECKING:
    from vault_tool.format.contact import Contact
    from vault_tool.store.vault import LoadResult, Vault


def select(vault: Vault, query: str | None) -> LoadResult:
    """Contacts matching ``query`` (every contact when it is None or blank), with the files that did not parse.

    The query language is search's (see search.py); the index is brought up to date first.
    """
    result = vault.load()
    if query is None or not query.strip():
        return result
    from vault_tool.search.run import matching_paths

    wanted = matching_paths(vault, query)
    result.contacts = [c for c in result.contacts if c.path in wanted]
    return result


@dataclass
class Views:
    """Contacts as the index stores them (see view.py), and what bringing the index up to date found."""

    stored: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (view, facts), by path
    skipped: list[ParseError] = field(default_factory=list)  # files that did not parse
    notices: list[str] = field(default_factory=list)
    root: Any = None

    def contacts(self, today: dt.date | None = None) -> list[Contact]:
        """The contacts rebuilt from their views (with ``today``: see view.contact_of)."""
        return [contact_of(view, self.root, today) for view, _ in self.stored]

    def problems(self, owner: str | None = None, tasks_only: bool = False) -> list[ParseError]:
        """The follow-up values that do not parse, of ``owner``'s contacts (all when None)."""
        return [p for view, _ in self.stored if owner is None or view["meta"].get("owner") == owner
                for p in problems_of(view, self.root, tasks_only)]


def views(
    vault: Vault, today: dt.date, any_of: Sequence[Between] | None = None, query: str | None = None,
    facts: bool = False,
) -> Views:
    """The stored views of the contacts ``query`` matches (all when None or blank) that meet any of ``any_of``.

    The index is brought up to date first (the one freshness check search does); no file is parsed.
    ``facts``: with each contact's lead-scoring facts (else {}).
    """
    from vault_tool.search import freshness
    from vault_tool.search import index as ix_mod
    from vault_tool.search.run import compile_query

    def ask(ix: Any) -> list[tuple[Any, dict[str, Any]]]:
        parsed = compile_query(vault, ix, query, today) if query and query.strip() else None
        return ix_mod.views(ix, any_of, parsed, facts)

    found, fresh = freshness.answer(vault, today, ask)
    found.sort(key=lambda pair: pair[0]["path"])
    skipped = [ParseError(vault.root / p.path, p.message, p.line) for p in fresh.problems]
    return Views(found, skipped, list(fresh.notices), vault.root)
