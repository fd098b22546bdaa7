"""Reading the index's columns: the read model of every reading command but search.

The follow-ups pick their contacts by numeric columns read whole, reports and follow-ups read
each contact's view and scoring facts from columns of their own (marshal), and `dupes` reads the
identity and block keys from one; the paths a query matches (`all_paths`) and a deal's amount
ranges (`column_ranges`) are read from columns too. Columns, not stored fields or queries: on
100,000 contacts a query of a dozen numeric ranges, or unpickling every stored field, each take
seconds. Every column is read through `has_column`, which notices an index replaced meanwhile.
With index.py, this is where the project calls Whoosh.
"""
from __future__ import annotations

import bisect
import itertools
import marshal
import sys
from array import array
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from vault_tool.format.fieldtable import DAY_MAX, HUNDREDTHS_PREFIX, NO_NUMBER, NUMBER_PREFIX
from vault_tool.search.index import IndexBroken, reading

from whoosh import query  # noqa: E402,I001 - after index, which imports Whoosh quickly
from whoosh.columns import VarBytesColumn  # noqa: E402

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.query import Query

    from vault_tool.search.rowmemo import RowMemo
    from vault_tool.search.view import Between

T = TypeVar("T")


def has_column(leaf: Any, name: str) -> bool:
    """Whether one segment of the index has column ``name`` (a segment where no document has a value has none).

    Whoosh answers by asking the folder for the column's file, so a reader whose index a rebuild
    put aside meanwhile (two renames, `replace`) finds none and would read every document's default
    value: a silent wrong answer. Every document has a path, so a segment with documents but no
    path column is one whose files are gone: IndexBroken, and the caller asks the new index.
    Ask for the column first and the path second, so a rename between them is caught too.
    """
    if leaf.has_column(name):
        return True
    if leaf.doc_count_all() and not leaf.has_column("path"):
        raise IndexBroken(f"the index was replaced while it was read (no {name!r} column)")
    return False


def column(leaf: Any, name: str, translate: bool = True) -> Any:
    """The reader of column ``name``, which every document of the segment ``leaf`` has (see `has_column`)."""
    if not has_column(leaf, name):
        raise IndexBroken(f"the index has no {name!r} column")
    return leaf.column_reader(name, translate=translate)


def column_ranges(parsed: query.Query, decimals: Collection[str], days: Collection[str] = ()) -> query.Query:
    """``parsed`` with each range over a decimal field (``decimals``: a deal's amount) or a day field (``days``)
    answered from its column.

    Whoosh answers a numeric range by reading each distinct value inside it as a term: 10,000
    amounts take 1.5 s, and a range of days over 100,000 contacts (a segment's
    `last_contact:>-30days`) one second. The column is read once instead (milliseconds). Decimal
    bounds are compared as Decimals against the column of hundredths, so `amount:>12000.10` is exact.
    """

    def visit(node: query.Query) -> query.Query:
        if isinstance(node, query.NumericRange) and node.fieldname in days:
            return _ColumnRange(node.fieldname, _days_within(node))
        name = node.fieldname.removeprefix(NUMBER_PREFIX) if isinstance(node, query.NumericRange) else ""
        if name in decimals and node.fieldname == NUMBER_PREFIX + name:
            return _ColumnRange(HUNDREDTHS_PREFIX + name, _within(node))
        return node.apply(visit)

    return visit(parsed)


def _within(node: query.NumericRange) -> Callable[[int], bool]:
    low = None if node.start is None else Decimal(repr(node.start)) * 100
    high = None if node.end is None else Decimal(repr(node.end)) * 100

    def within(value: int) -> bool:
        if value == NO_NUMBER:
            return False
        if low is not None and (value < low or (node.startexcl and value == low)):
            return False
        return high is None or not (value > high or (node.endexcl and value == high))

    return within


def _days_within(node: query.NumericRange) -> Callable[[int], bool]:
    """Whether a day column's value is inside ``node``'s range (a document without a day is past DAY_MAX)."""
    low = 0 if node.start is None else int(node.start) + (1 if node.startexcl else 0)
    high = DAY_MAX if node.end is None else min(int(node.end) - (1 if node.endexcl else 0), DAY_MAX)

    def within(value: int) -> bool:
        return low <= value <= high

    return within


class _ColumnRange(query.ColumnQuery):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's ColumnQuery with a size estimate and a matcher that can skip (without them an AND with it
    fails), that leaves out deleted documents (as a term's postings do), and for which a segment without
    the column is an index replaced while it was read (`has_column`)."""

    def estimate_size(self, reader: Any) -> int:
        return int(reader.doc_count())  # at most every document: an AND matches its other parts first

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from whoosh.matching import ListMatcher, NullMatcher

        reader = searcher.reader()
        if not has_column(reader, self.fieldname):
            return NullMatcher()
        keep = self.condition
        if self.fieldname in reader.schema and reader.schema[self.fieldname].sortable_typecode:
            values: Iterable[int] = _numbers(reader, self.fieldname)
        else:
            values = reader.column_reader(self.fieldname)
        found = [doc for doc, value in enumerate(values) if keep(value)]
        if reader.has_deletions():
            gone = deleted(reader)
            found = [doc for doc in found if doc not in gone]
        return ListMatcher(found) if found else NullMatcher()  # it can skip, as an AND needs


def all_paths(ix: Index, parsed: query.Query) -> set[str]:
    """The paths of every contact ``parsed`` matches."""

    def paths() -> set[str]:
        with ix.searcher() as searcher:
            docs = sorted(searcher.docs_for_query(parsed))  # no scores, and the path from its column, not
            found: set[str] = set()  # stored fields (`*` over 10,000 contacts in a tenth of the time)
            for leaf, offset in searcher.reader().leaf_readers():
                mine = _of_segment(docs, leaf, offset)
                if mine:  # an empty segment (a new vault's index) has no column
                    paths = column(leaf, "path")
                    found.update(paths[doc - offset] for doc in mine)
            return found

    return reading(paths)


def _of_segment(docs: list[int], leaf: Any, offset: int) -> list[int]:
    """The numbers of ``docs`` (sorted, over the whole index) that are in segment ``leaf``, which starts at ``offset``."""
    return docs[bisect.bisect_left(docs, offset):bisect.bisect_left(docs, offset + leaf.doc_count_all())]


def paths_between(ix: Index, field: str, low: int | None, high: int | None) -> list[str]:
    """Paths of contacts whose numeric ``field`` is from ``low`` through ``high``."""

    from whoosh.query import NumericRange  # loaded with the index already

    def paths() -> list[str]:
        with ix.searcher() as searcher:
            docs = searcher.docs_for_query(NumericRange(field, low, high))
            return [searcher.stored_fields(doc)["path"] for doc in docs]

    return reading(paths)


def views(
    ix: Index, any_of: Sequence[Between] | None, parsed: Query | None, keep: Callable[[Any, Any], T],
    name: str = "view", beside: str | None = None,
) -> list[T]:
    """What ``keep`` makes of the view (column ``name``) and the value of column ``beside`` (None: no second
    value) of each contact ``parsed`` matches (all when None) that meets any of ``any_of``.

    ``name``: `view`, or a part of it in a column of its own (`follow`: what follow-ups read). ``any_of``
    None: every contact ``parsed`` matches. ``keep`` runs as each is read, so a large view need not
    outlive it (a report keeps a summary). The clauses are decided over the fields' columns, read
    whole, and the views come from their own column (marshal): a query of a dozen numeric ranges, and
    unpickling every stored field of each contact, would each take seconds on 100,000 contacts.
    """

    def found() -> list[T]:
        result: list[T] = []
        with ix.searcher() as searcher:
            wanted = _matching(searcher, parsed)
            for leaf, offset in _filled(searcher):
                chosen = meeting(leaf, any_of)
                if wanted is not None:
                    chosen = [doc for doc in chosen if offset + doc in wanted]
                stored = _values(leaf, name, len(chosen))
                if beside is None:
                    result += [keep(marshal.loads(stored[doc]), None) for doc in chosen]
                    continue
                second = _values(leaf, beside, len(chosen))
                result += [keep(marshal.loads(stored[doc]), marshal.loads(second[doc])) for doc in chosen]
        return result

    return reading(found)


def picked(
    ix: Index, numbers: Sequence[str], pick: Callable[[tuple[int, ...]], bool], beside: str,
) -> list[tuple[str, tuple[int, ...], Any]]:
    """(path, the values of the numeric columns ``numbers``, the value of marshal column ``beside``) of every
    contact whose ``numbers`` ``pick`` accepts (a missing value is past DAY_MAX).

    What a follow-up shows of tens of thousands of contacts picked by day columns alone (the
    contacts to get in touch with): every contact's numbers and paths are read whole, and only the
    picked contacts' values of ``beside`` are unmarshalled.
    """

    def found() -> list[tuple[str, tuple[int, ...], Any]]:
        rows: list[tuple[str, tuple[int, ...], Any]] = []
        with ix.searcher() as searcher:
            for leaf, _ in _filled(searcher):
                rows += picked_in(leaf, beside, picked_docs(leaf, numbers, pick))
        return rows

    return reading(found)


def _filled(searcher: Any) -> Iterator[tuple[Any, int]]:
    """Each segment that holds documents, and the number of its first one in the index (an empty index has a
    segment without columns)."""
    return ((leaf, offset) for leaf, offset in searcher.reader().leaf_readers() if leaf.doc_count_all())


def _matching(searcher: Any, parsed: Query | None) -> set[int] | None:
    """The documents ``parsed`` matches (None when there is no query: every one)."""
    return None if parsed is None else set(searcher.docs_for_query(parsed))


Picked = list[tuple[int, tuple[int, ...]]]  # (document, the values of some numeric columns) in one segment


def picked_docs(leaf: Any, numbers: Sequence[str], pick: Callable[[tuple[int, ...]], bool]) -> Picked:
    """(document, the values of ``numbers``) of each live document of one segment whose values ``pick`` accepts."""
    gone = deleted(leaf)
    return [(doc, values) for doc, values in enumerate(zip(*(_numbers(leaf, name) for name in numbers)))
            if pick(values) and doc not in gone]


def with_numbers(leaf: Any, numbers: Sequence[str], docs: list[int]) -> Picked:
    """(document, the values of ``numbers``) of documents ``docs`` of one segment."""
    values = [_numbers(leaf, name) for name in numbers]
    return [(doc, tuple(column[doc] for column in values)) for doc in docs]


def picked_in(leaf: Any, beside: str, chosen: Picked) -> list[tuple[str, tuple[int, ...], Any]]:
    """(path, the values, the value of marshal column ``beside``) of the ``chosen`` documents of one segment."""
    paths, stored = _column(leaf, "path"), _values(leaf, beside, len(chosen))
    return [(paths[doc], values, marshal.loads(stored[doc])) for doc, values in chosen]


def views_in(leaf: Any, docs: list[int], name: str = "view") -> list[Any]:
    """The view (column ``name``, see `views`) of documents ``docs`` of one segment."""
    stored = _values(leaf, name, len(docs))
    return [marshal.loads(stored[doc]) for doc in docs]


def remembered(
    ix: Index, memo: RowMemo, chosen: Callable[[Any], list[int]], make: Callable[[Any, list[int]], list[T]],
    parsed: Query | None = None,
) -> list[T]:
    """What ``make`` makes of each document that ``chosen`` picks in a segment (and ``parsed`` matches, when given),
    from ``memo`` where it holds the document's (see rowmemo.py); ``make`` gets a segment and the numbers of its
    documents the memo holds nothing for, and gives one value for each. Segment by segment, in ``chosen``'s order.
    The documents ``chosen`` picked in a segment are kept too: a document is never chosen anew, only deleted.
    """

    def found() -> tuple[list[T], list[str]]:
        result: list[T] = []
        segments: list[str] = []
        with ix.searcher() as searcher:
            wanted = _matching(searcher, parsed)
            for leaf, offset in _filled(searcher):
                segment = leaf.segment().segment_id()
                segments.append(segment)
                picked = memo.chosen(segment)
                if picked is None:
                    picked = memo.choose(segment, chosen(leaf))
                elif leaf.has_deletions():
                    gone = deleted(leaf)
                    picked = [doc for doc in picked if doc not in gone]
                docs = picked if wanted is None else [doc for doc in picked if offset + doc in wanted]
                kept = memo.of_segment(segment)
                missing = [doc for doc in docs if doc not in kept]
                if missing:
                    kept.update(zip(missing, make(leaf, missing)))
                    memo.made()
                result += [kept[doc] for doc in docs]
        return result, segments

    result, segments = reading(found)
    memo.save(segments)
    return result


def per_segment(
    ix: Index, memo: RowMemo, make: Callable[[Any, list[int]], T], less: Callable[[T, Any, list[int]], T | None],
) -> list[T]:
    """What ``make`` makes of the live documents of each segment together, from ``memo`` where it holds the
    segment's (see rowmemo.py). ``make`` gets a segment and the numbers of the documents to make it of; for a
    segment some of whose documents were deleted since, ``less`` gets what was kept, the segment and the
    deleted ones' numbers, and gives what it is without them (None: make it again).
    """

    def found() -> tuple[list[T], list[str]]:
        result: list[T] = []
        segments: list[str] = []
        with ix.searcher() as searcher:
            for leaf, _ in _filled(searcher):
                segment = leaf.segment().segment_id()
                segments.append(segment)
                counted, whole = memo.chosen(segment), memo.whole(segment)
                if counted is None or whole is None:
                    docs = meeting(leaf, None)
                    whole = make(leaf, docs)
                else:
                    gone = deleted(leaf)
                    docs = [doc for doc in counted if doc not in gone] if gone else counted
                    if len(docs) == len(counted):
                        result.append(whole)
                        continue
                    less_of = less(whole, leaf, [doc for doc in counted if doc in gone])
                    whole = make(leaf, docs) if less_of is None else less_of
                memo.keep_whole(segment, docs, whole)
                result.append(whole)
        return result, segments

    result, segments = reading(found)
    memo.save(segments)
    return result


WHOLE_FROM = 8  # when one value in this many of a segment's is read, or more, its column is read in runs (_Block)


def _values(leaf: Any, name: str, wanted: int) -> Any:
    """What gives each document's value of bytes column ``name`` in one segment, when ``wanted`` of them are read.

    Whoosh's reader makes a seek and a read per value: a report reading every contact's would spend
    a second on 100,000 of them. For many values, the column is read in blocks of many values, and
    each value is a view of its block (no copy).
    """
    raw = column(leaf, name, translate=False)
    if not isinstance(raw, VarBytesColumn.Reader) or wanted * WHOLE_FROM < leaf.doc_count_all():
        return leaf.column_reader(name)
    return _Block(raw._dbfile, raw._basepos, raw._lengths)


class _Block:
    """The values of a bytes column, read a run of `RUN` values at a time as one block, each value a view of it
    (see `_values`): the reads of a report are a few dozen, and it holds one run, not the whole column."""

    RUN = 4096  # values

    def __init__(self, file: Any, base: int, lengths: Sequence[int]) -> None:
        self._file, self._base, self._lengths = file, base, lengths
        self._starts = array("q", itertools.accumulate(lengths, initial=0))
        self._first = self._last = 0  # the documents whose values are held
        self._held = memoryview(b"")

    def __getitem__(self, doc: int) -> memoryview:
        if not self._first <= doc < self._last:
            self._first, self._last = doc, min(doc + self.RUN, len(self._lengths))
            start = self._starts[doc]
            self._held = memoryview(self._file.get(self._base + start, self._starts[self._last] - start))
        at = self._starts[doc] - self._starts[self._first]
        return self._held[at:at + self._lengths[doc]]


def meeting(leaf: Any, any_of: Sequence[Between] | None) -> list[int]:
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
    gone = deleted(leaf)
    return [doc for doc in chosen if doc not in gone] if gone else list(chosen)


class KeyRow(NamedTuple):  # one per contact: a tuple is made in a third of the time of a frozen dataclass
    """A contact as the duplicate finder sees it: document number, path, folded name, and its identity and block
    keys as the `dupe_keys` column holds them (UTF-8, one per line: split only when they are looked at)."""

    doc: int
    path: str
    name: str
    keys: bytes


class KeyTable:
    """Every contact's `KeyRow` and, of those asked for, the `dupe_view` (search/view.py `dupe_view_of`), in one reader
    of the index (`with_keys`).

    The rows come from three columns, read whole (a tenth of a second for 100,000 contacts), not
    from the term list, whose Python iteration is twenty times slower; only the views asked for
    are unmarshalled. A document is told by its number in the reader (a KeyRow's ``doc``), or
    from one reader to the next by its segment's id and its number there (`where`, `docs`).
    """

    def __init__(self, searcher: Any) -> None:
        self._leaves = [(leaf, offset) for leaf, offset in _filled(searcher)]
        self._ids = [leaf.segment().segment_id() for leaf, _ in self._leaves]
        self._offsets = [offset for _, offset in self._leaves]
        self._gone = [deleted(leaf) for leaf, _ in self._leaves]

    def segments(self) -> dict[str, list[int]]:
        """Each segment's id and its deleted documents (a segment only ever gains deletions)."""
        return {name: sorted(gone) for name, gone in zip(self._ids, self._gone)}

    def rows(self, only: Collection[str] | None = None) -> list[KeyRow]:
        """The rows of every live contact (of the segments ``only``, when given)."""
        found: list[KeyRow] = []
        for (leaf, offset), gone, segment in zip(self._leaves, self._gone, self._ids):
            if only is not None and segment not in only:
                continue
            columns = [_column(leaf, column) for column in ("path", "sort_name", "dupe_keys")]
            found += [KeyRow(offset + doc, path, name, keys)
                      for doc, (path, name, keys) in enumerate(zip(*columns)) if doc not in gone]
        return found

    def sizes(self) -> dict[str, int]:
        """Each segment's id and how many documents it holds, deleted ones too."""
        return {name: int(leaf.doc_count_all()) for name, (leaf, _) in zip(self._ids, self._leaves)}

    def count(self) -> int:
        """How many live contacts there are."""
        return sum(int(leaf.doc_count()) for leaf, _ in self._leaves)

    def holding(self, keys: Collection[str]) -> list[KeyRow]:
        """The rows of the live contacts that hold any of ``keys``.

        Each segment's `dupe_keys` column is searched as one block of bytes, a key at a time, not
        split contact by contact (a tenth of a second at 100,000 contacts): a few keys are looked
        for after an edit (interop/dupegroups.py).
        """
        found: list[KeyRow] = []
        wanted = [key.encode("utf-8") for key in keys if key]
        for (leaf, offset), gone in zip(self._leaves, self._gone):
            if not has_column(leaf, "dupe_keys"):
                continue
            block, starts = _raw(leaf, "dupe_keys")
            docs = sorted({doc for key in wanted for doc in _holding(block, starts, key)} - set(gone))
            found += _rows_of(leaf, offset, docs)
        return found

    def gone_since(self, segments: dict[str, list[int]]) -> list[KeyRow]:
        """The rows of the documents deleted since ``segments`` (each segment's deleted documents then, see
        `segments`), in the segments still here: what the contacts edited or removed since were then."""
        found: list[KeyRow] = []
        for (leaf, offset), gone, segment in zip(self._leaves, self._gone, self._ids):
            if segment in segments and len(gone) > len(segments[segment]):
                found += _rows_of(leaf, offset, sorted(set(gone).difference(segments[segment])))
        return found

    def where(self, doc: int) -> tuple[str, int]:
        """The id of the segment of document ``doc`` and its number there."""
        at = bisect.bisect_right(self._offsets, doc) - 1
        return self._ids[at], doc - self._offsets[at]

    def docs(self, numbers: Iterable[tuple[str, int]]) -> list[int | None]:
        """The document in this reader of each (segment id, number there) of ``numbers``; None for one that is gone
        (deleted, or its segment merged into another)."""
        offsets = dict(zip(self._ids, self._offsets))
        gone = dict(zip(self._ids, self._gone))
        return [offsets[segment] + number if segment in offsets and number not in gone[segment] else None
                for segment, number in numbers]

    def views(self, docs: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The `dupe_view` of each of documents ``docs`` (each read once, however often it is given)."""
        chosen = sorted(set(docs))
        views: dict[int, dict[str, Any]] = {}
        for leaf, offset in self._leaves:
            mine = _of_segment(chosen, leaf, offset)
            if mine:
                stored = _values(leaf, "dupe_view", len(mine))
                views.update((doc, marshal.loads(stored[doc - offset])) for doc in mine)
        return views


def _rows_of(leaf: Any, offset: int, docs: list[int]) -> list[KeyRow]:
    """The rows of documents ``docs`` of one segment (whose first is document ``offset`` of the reader)."""
    if not docs:
        return []
    paths, names, keys = (_values(leaf, column, len(docs)) for column in ("path", "sort_name", "dupe_keys"))
    return [KeyRow(offset + doc, _text(paths[doc]), _text(names[doc]), bytes(keys[doc])) for doc in docs]


def _raw(leaf: Any, name: str) -> tuple[bytes, array[int]]:
    """Bytes column ``name`` of one segment as one block, and where each document's value starts in it (one more:
    the end of the last)."""
    raw = leaf.column_reader(name, translate=False)
    if isinstance(raw, VarBytesColumn.Reader):  # the values one after another: read as one block
        block, lengths = raw._dbfile.get(raw._basepos, sum(raw._lengths)), raw._lengths
    else:
        values = [bytes(value) for value in raw]
        block, lengths = b"".join(values), [len(value) for value in values]
    return block, array("q", itertools.accumulate(lengths, initial=0))


def _holding(block: bytes, starts: array[int], key: bytes) -> Iterator[int]:
    """The documents whose value in ``block`` (lines of keys) has ``key`` as a whole line."""
    at = block.find(key)
    while at != -1:
        doc = bisect.bisect_right(starts, at) - 1
        end = at + len(key)
        if (at == starts[doc] or block[at - 1] == 10) and (end == starts[doc + 1] or (end < starts[doc + 1]
                                                                                      and block[end] == 10)):
            yield doc
        at = block.find(key, at + 1)


def _text(value: Any) -> str:
    """A text column's value, read raw (bytes) or translated (str)."""
    return value if isinstance(value, str) else bytes(value).decode("utf-8")


def with_keys(ix: Index, answer: Callable[[KeyTable], T]) -> T:
    """What ``answer`` makes of the index's `KeyTable`."""

    def found() -> T:
        with ix.searcher() as searcher:
            return answer(KeyTable(searcher))

    return reading(found)


def deleted(leaf: Any) -> Collection[int]:
    """The deleted documents of one segment, as a set: Whoosh answers `is_deleted` in three calls a document
    (asking it of 100,000 documents took 14 ms, looking them up in the set 3 ms)."""
    return set(leaf.segment().deleted_docs()) if leaf.has_deletions() else ()


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


_TEXT_COLUMNS = ("path", "sort_name")  # columns of text fields (the others hold bytes)


def _column(leaf: Any, name: str) -> list[Any]:
    """Every document's value of column ``name`` in one segment (a segment where no document has one has none).

    A column of values of any length (Whoosh's VarBytesColumn: the values one after another, then
    their lengths) is read as one block and cut at the lengths: Whoosh's own reader makes a seek
    and a read per document, half a second for two columns of 100,000 contacts.
    """
    if not has_column(leaf, name):
        missing = {"dupe_keys": b"", "who": b"", "path": "", "sort_name": ""}.get(name, DAY_MAX + 1)
        return [missing] * leaf.doc_count_all()
    if not isinstance(leaf.column_reader(name, translate=False), VarBytesColumn.Reader):
        return list(leaf.column_reader(name))
    block, starts = _raw(leaf, name)
    values = [block[start:end] for start, end in itertools.pairwise(starts)]
    return [value.decode("utf-8") for value in values] if name in _TEXT_COLUMNS else values


def values_at(ix: Index, name: str, paths: Iterable[str]) -> dict[str, bytes]:
    """Column ``name``'s value of each record at ``paths`` (relative to the vault) the index holds."""

    def found() -> dict[str, bytes]:
        held: dict[str, bytes] = {}
        with ix.searcher() as searcher:
            reader = searcher.reader()
            if not reader.has_column(name):
                return held
            values = reader.column_reader(name)
            for path in paths:
                doc = searcher.document_number(path=path)
                if doc is not None:
                    held[path] = values[doc]
        return held

    return reading(found)


def who_rows(ix: Index) -> list[tuple[str, bytes]]:
    """(path, `who` column) of every contact in the index: what a command names it by (store/vault.py `texts_of`)."""

    def rows() -> list[tuple[str, bytes]]:
        found: list[tuple[str, bytes]] = []
        with ix.searcher() as searcher:
            for leaf, _ in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    pairs = zip(_column(leaf, "path"), _column(leaf, "who"))
                    gone = deleted(leaf)
                    found += [pair for doc, pair in enumerate(pairs) if doc not in gone]
        return found

    return reading(rows)


def all_facts(ix: Index) -> list[tuple[str, dict[str, Any]]]:
    """(path, scoring facts) of every contact in the index, from the columns."""

    def facts() -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        with ix.searcher() as searcher:
            for leaf, _ in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    pairs = zip(_column(leaf, "path"), _column(leaf, "facts"))
                    gone = deleted(leaf)
                    found += [(path, marshal.loads(held)) for doc, (path, held) in enumerate(pairs) if doc not in gone]
        return found

    return reading(facts)
