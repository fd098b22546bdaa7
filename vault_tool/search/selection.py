"""The contacts a command works on: all of them, or those a search query matches.

`select` parses the files (for commands that change or export whole contacts); `views` answers
from the index alone (for reading commands: follow-ups, reports, segments).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from vault_tool.errors import ParseError
from vault_tool.search.view import Between, Days, Follow, StoredContact, contact_of

if TYPE_CHECKING:
    from pathlib import Path

    from whoosh.index import Index

    from vault_tool.format.contact import Contact
    from vault_tool.store.vault import Entry, LoadResult, Vault

T = TypeVar("T")
U = TypeVar("U")


def select(vault: Vault, query: str | None, any_of: Sequence[Between] | None = None) -> LoadResult:
    """Contacts matching ``query`` (every contact when it is None or blank), with the files that did not parse.

    The query language is search's (see run.py): the index names the files, and only those are read.
    ``any_of``: only the contacts that meet one of these (see view.Between).
    """
    if any_of is not None:
        rels, left_out, _ = read_views(vault, vault.today(), lambda follow, _: str(follow[1]), any_of, query,
                                       column="follow")  # the path, from the smaller of the views that hold it
        return _loaded(vault, {vault.root / rel for rel in rels}, left_out)
    if query is None or not query.strip():
        return vault.load()
    from vault_tool.search.run import matching

    return _loaded(vault, *matching(vault, query))


def _loaded(vault: Vault, paths: set[Path], left_out: list[ParseError]) -> LoadResult:
    """The contacts at ``paths``, with the files the index left out named first (each once)."""
    result = vault.load(paths)
    named = {problem.path for problem in left_out}
    result.problems = left_out + [p for p in result.problems if p.path not in named]
    return result


@dataclass
class Views:
    """Contacts rebuilt from what the index stores (see view.py), and what bringing it up to date found."""

    held: list[StoredContact] = field(default_factory=list)  # by path
    skipped: list[ParseError] = field(default_factory=list)  # files that did not parse
    notices: list[str] = field(default_factory=list)

    def contacts(self) -> list[Contact]:
        return list(self.held)

    def problems(self, owner: str | Iterable[str] | None = None, tasks_only: bool = False) -> list[ParseError]:
        """The follow-up values that do not parse (``tasks_only``: only task dates), of ``owner``'s contacts, or
        any of several owners' (all when None or none)."""
        owners = {owner} if isinstance(owner, str) else set(owner or ())
        return [p for contact in self.held if not owners or contact.meta.get("owner") in owners
                for p in contact.problems(tasks_only)]


def views(vault: Vault, today: dt.date, any_of: Sequence[Between] | None = None, query: str | None = None) -> Views:
    """The contacts ``query`` matches (all when None or blank) that meet any of ``any_of``, from the index.

    The index is brought up to date first (the one freshness check search does); no file is parsed.
    Each contact has the interactions follow-ups look at ``today`` (see view.contact_of); its view
    is let go as soon as it is read.
    """
    return views_and(vault, today, any_of, None, query)[0]


def views_and(
    vault: Vault, today: dt.date, any_of: Sequence[Between] | None, also: Callable[[Index], U] | None,
    query: str | None = None,
) -> tuple[Views, U | None]:
    """`views`, and what ``also`` finds in the same index (None: nothing asked), brought up to date once."""
    root = vault.root
    days: Days = {}  # shared by the contacts read (see view.StoredContact)

    def keep(follow: Follow, _: None) -> StoredContact:
        return contact_of(follow, root, today, days)

    def ask(ix: Index) -> tuple[list[StoredContact], U | None]:
        return _views_of(vault, ix, today, keep, any_of, query, "follow"), (also(ix) if also else None)

    (found, beside), skipped, notices = answered(vault, today, ask)
    found.sort(key=lambda contact: contact.vault_path)
    return Views(found, skipped, notices), beside


def directory(vault: Vault) -> tuple[list[Entry], list[ParseError]]:
    """Every contact's entry (file, handle, its texts folded) from the index, brought up to date, and the files it
    leaves out: what `Vault.get` tells contacts apart by, without reading a file (a `Vault.directory`)."""
    from vault_tool.format.layout import handle_of
    from vault_tool.search import columns
    from vault_tool.store.vault import Entry

    rows, left_out, _ = answered(vault, vault.today(), columns.who_rows)
    root = vault.root
    return [Entry(f"{root}/{rel}", handle_of(rel), held.decode("utf-8")) for rel, held in rows], left_out


def read_views(
    vault: Vault, today: dt.date, keep: Callable[[Any, Any], T], any_of: Sequence[Between] | None = None,
    query: str | None = None, column: str = "view", beside: str | None = None,
) -> tuple[list[T], list[ParseError], list[str]]:
    """What ``keep`` makes of each (view, value of column ``beside``) `views` would hold (unsorted), the files
    that did not parse, and the index's notices; ``column``: the view's (see columns.views)."""
    return answered(vault, today, lambda ix: _views_of(vault, ix, today, keep, any_of, query, column, beside))


def answered(vault: Vault, today: dt.date, ask: Callable[[Index], U]) -> tuple[U, list[ParseError], list[str]]:
    """What ``ask`` finds in the index brought up to date, the files that did not parse, and the index's notices."""
    from vault_tool.search import freshness

    found, fresh = freshness.answer(vault, today, ask)
    return found, fresh.left_out(vault.root), list(fresh.notices)


def _views_of(
    vault: Vault, ix: Index, today: dt.date, keep: Callable[[Any, Any], T], any_of: Sequence[Between] | None,
    query: str | None, column: str, beside: str | None = None,
) -> list[T]:
    from vault_tool.search import columns
    from vault_tool.search.run import compile_query

    parsed = compile_query(vault, ix, query, today) if query and query.strip() else None
    return columns.views(ix, any_of, parsed, keep, column, beside)
