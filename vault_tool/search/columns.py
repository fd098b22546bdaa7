"""Reading the index's columns: the read model of every reading command but search.

The follow-ups pick their contacts by numeric columns read whole, reports and follow-ups read
each contact's view and scoring facts from columns of their own (marshal), and `dupes` reads the
identity and block keys from one. Columns, not stored fields or queries: on 100,000 contacts a
query of a dozen numeric ranges, or unpickling every stored field, each take seconds. With
index.py, this is where the project calls Whoosh.
"""
from __future__ import annotations

import marshal
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from vault_tool.format.fieldtable import DAY_MAX
from vault_tool.search.index import column, has_column, reading

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.query import Query

    from vault_tool.search.view import Between

T = TypeVar("T")


def paths_between(ix: Index, field: str, low: int | None, high: int | None) -> list[str]:
    """Paths of contacts whose numeric ``field`` is from ``low`` through ``high``."""

    from whoosh.query import NumericRange  # loaded with the index already

    def paths() -> list[str]:
        with ix.searcher() as searcher:
            docs = searcher.docs_for_query(NumericRange(field, low, high))
            return [searcher.stored_fields(doc)["path"] for doc in docs]

    return reading(paths)


def views(
    ix: Index, any_of: Sequence[Between] | None, parsed: Query | None, facts: bool,
    keep: Callable[[Any, dict[str, Any]], T],
) -> list[T]:
    """What ``keep`` makes of the (view, scoring facts) of each contact ``parsed`` matches (all when None)
    that meets any of ``any_of``.

    ``any_of`` None: every contact ``parsed`` matches; ``facts`` False: {} for the facts. ``keep``
    runs as each is read, so a large view need not outlive it (a report keeps a summary). The
    clauses are decided over the fields' columns, read whole, and the views come from their own
    column (marshal): a query of a dozen numeric ranges, and unpickling every stored field of
    each contact, would each take seconds on 100,000 contacts.
    """

    def found() -> list[T]:
        result: list[T] = []
        with ix.searcher() as searcher:
            wanted = None if parsed is None else set(searcher.docs_for_query(parsed))
            for leaf, offset in searcher.reader().leaf_readers():
                if not leaf.doc_count_all():
                    continue  # an empty index has a reader without columns
                stored = column(leaf, "view")
                facts_column = column(leaf, "facts") if facts else None
                for doc in _meeting(leaf, any_of):
                    if wanted is None or offset + doc in wanted:
                        held = marshal.loads(facts_column[doc]) if facts_column is not None else {}
                        result.append(keep(marshal.loads(stored[doc]), held))
        return result

    return reading(found)


def _meeting(leaf: Any, any_of: Sequence[Between] | None) -> list[int]:
    """The live documents of one segment that meet any of ``any_of`` (every one when None)."""
    every = range(leaf.doc_count_all())
    if any_of is None:
        chosen: Iterable[int] = every
    else:
        found: set[int] = set()
        for clause in any_of:
            values = _numbers(leaf, clause.field)
            low, high = clause.low or 1, min(clause.high or DAY_MAX, DAY_MAX)  # a missing value is past DAY_MAX
            inside = {doc for doc, value in enumerate(values) if low <= value <= high}
            found |= set(every) - inside if clause.outside else inside
        chosen = sorted(found)
    return [doc for doc in chosen if not leaf.is_deleted(doc)] if leaf.has_deletions() else list(chosen)


@dataclass(frozen=True)
class KeyRow:
    """A contact as the duplicate finder sees it: document number, path, folded name, identity and block keys."""

    doc: int
    path: str
    name: str
    keys: list[str]


def key_rows(ix: Index, choose: Callable[[list[KeyRow]], set[int]]) -> dict[int, Any]:
    """The stored views of the contacts ``choose`` picks from every contact's `KeyRow`.

    The rows come from three columns, read whole (a tenth of a second for 100,000 contacts),
    not from the term list, whose Python iteration is twenty times slower; only the views of
    the contacts chosen are unpickled.
    """

    def found() -> dict[int, Any]:
        rows: list[KeyRow] = []
        with ix.searcher() as searcher:
            for leaf, offset in searcher.reader().leaf_readers():
                if not leaf.doc_count_all():
                    continue  # an empty index has a reader without columns
                columns = [_column(leaf, name) for name in ("path", "sort_name", "dupe_keys")]
                rows += [
                    KeyRow(offset + doc, path, name, keys.decode("utf-8").split("\n") if keys else [])
                    for doc, (path, name, keys) in enumerate(zip(*columns)) if not leaf.is_deleted(doc)
                ]
            chosen = choose(rows)
            if not chosen:
                return {}
            stored = searcher.reader().column_reader("view")
            return {doc: marshal.loads(stored[doc]) for doc in chosen}

    return reading(found)


def _numbers(leaf: Any, name: str) -> Sequence[int]:
    """Every document's value of numeric column ``name`` in one segment, read as one block of bytes.

    Whoosh's column reader unpacks one value per call: 100,000 calls for each clause of each
    follow-up command. The column is an array of big-endian fixed-size integers (Whoosh 2.7's
    `NumericColumn`), so one read and one byte swap give them all. A document past the column's
    end, or in a segment without it, has no value (DAY_MAX + 1).
    """
    count = leaf.doc_count_all()
    if not has_column(leaf, name):
        return [DAY_MAX + 1] * count
    raw = leaf.column_reader(name, translate=False)
    values = array(raw._typecode)
    values.frombytes(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
    if sys.byteorder == "little":
        values.byteswap()
    if len(values) < count:
        values.extend([DAY_MAX + 1] * (count - len(values)))
    return values


def _column(leaf: Any, name: str) -> list[Any]:
    """Every document's value of column ``name`` in one segment (a segment where no document has one has none)."""
    if not has_column(leaf, name):
        missing = {"dupe_keys": b"", "path": "", "sort_name": ""}.get(name, DAY_MAX + 1)
        return [missing] * leaf.doc_count_all()
    return list(leaf.column_reader(name))


def all_facts(ix: Index) -> list[tuple[str, dict[str, Any]]]:
    """(path, scoring facts) of every contact in the index, from the columns."""

    def facts() -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        with ix.searcher() as searcher:
            for leaf, _ in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    pairs = zip(_column(leaf, "path"), _column(leaf, "facts"))
                    found += [(path, marshal.loads(held)) for doc, (path, held) in enumerate(pairs)
                              if not leaf.is_deleted(doc)]
        return found

    return reading(facts)
