"""Segments: saved searches in vault.yaml (`segments:`), used as `@name` in any query.

Listing counts each segment's contacts through the search engine; saving or
removing one changes only that entry's line of vault.yaml, under the vault's
lock, and commits it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError, NotFoundError, VaultError
from vault_tool.format import configedit, yamledit
from vault_tool.format.layout import CONFIG_NAME
from vault_tool.store.mutations import Change, finished
from vault_tool.store.transaction import Transaction, transaction

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
    from vault_tool.search.run import matching_paths

    return len(matching_paths(vault, query))


def list_segments(vault: Vault) -> list[Segment]:
    """Every segment in vault.yaml, in its order, with how many contacts it matches now."""
    from vault_tool.search.freshness import refresh
    from vault_tool.search.run import matching_paths

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
    from vault_tool.search.query import QueryError

    if isinstance(exc, QueryError) and exc.source == f"segment @{name}":
        return f"{exc.problem} (at character {exc.at + 1})"
    return str(exc)


def _check(name: str, query: str | None) -> None:
    if not NAME.match(name):
        raise InvalidValueError(f"'{name}' cannot be a segment name: use letters, digits, '-' and '_', "
                                f"e.g. hot-leads")
    if query is not None and (not query.strip() or "\n" in query or "\r" in query):
        raise InvalidValueError("give the segment's query on one line, e.g. 'stage:lead AND tag:conference'")


def _write(tx: Transaction, name: str, value: object) -> None:
    """Set (or with configedit.REMOVE remove) segment ``name`` in vault.yaml, as committed and as on disk."""
    path = tx.vault.root / CONFIG_NAME

    def edited(data: bytes) -> bytes:
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = configedit.set_entry(data.decode("utf-8-sig"), "segments", name, value)
        except (yamledit.EditError, UnicodeDecodeError) as exc:
            raise VaultError(f"{path}: cannot change segment '{name}' ({exc}); edit the file by hand") from None
        return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    tx.edit(path, edited)


def save_segment(vault: Vault, name: str, query: str, replace: bool = False) -> tuple[Change, int]:
    """Save ``query`` as segment ``name``; return the change and how many contacts it matches now."""
    _check(name, query)
    query = query.strip()
    matches = count(vault, query)  # a query that does not run is not saved
    with transaction(vault) as tx:
        from vault_tool.format.config import load_config

        current = load_config(vault.root).segments
        if name in current and current[name] == query:
            same = Change(name, vault.root / CONFIG_NAME, f"Segment {name} is already '{query}'", changed=False)
            return same, matches
        if name in current and not replace:
            raise InvalidValueError(f"segment '{name}' already exists ('{current[name]}'): add --replace to change it")
        tx.message = f"{'Change' if name in current else 'Save'} segment {name}"
        _write(tx, name, query)
    return finished(vault, tx, Change(name, vault.root / CONFIG_NAME, tx.message)), matches


def remove_segment(vault: Vault, name: str) -> Change:
    """Remove segment ``name`` from vault.yaml."""
    _check(name, None)
    with transaction(vault, f"Remove segment {name}") as tx:
        from vault_tool.format.config import load_config

        current = load_config(vault.root).segments
        if name not in current:
            known = ", ".join(sorted(current)) or "none yet"
            raise NotFoundError(f"no segment '{name}' in vault.yaml (segments: {known})")
        _write(tx, name, configedit.REMOVE)
    return finished(vault, tx, Change(name, vault.root / CONFIG_NAME, tx.message))
