"""The contacts a command works on: all of them, or those a search query matches."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
