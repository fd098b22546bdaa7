"""The Whoosh index in .vault/index: its schema, making, opening and writing it.

Every Whoosh call of the project lives here, in lookup.py (queries, stored rows, terms) or in columns.py
(reading the columns). The schema is chosen for speed (DESIGN §7):
only the printed row is stored, positions are kept only on the fields a phrase may target,
accents are folded by a filter that leaves ASCII tokens alone, and dates are integers.
"""
from __future__ import annotations

import errno
import functools
import itertools
import marshal
import os
import re
import shutil
import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

from vault_tool.format import fieldtable
from vault_tool.format.fieldtable import (
    CUSTOM_PREFIX,
    FIELDS,
    HUNDREDTHS_PREFIX,
    NO_NUMBER,
    NUMBER_PREFIX,
)


def _import_whoosh_quickly() -> None:
    """Skip imports Whoosh makes but never needs here: together a third of a search's start-up.

    `whoosh.compat` imports `urlretrieve` from urllib.request (which pulls in http, email, ssl);
    `cached_property`, used by `whoosh.reading`, imports asyncio only to ask whether a function
    is a coroutine; `whoosh.query.terms` compiles English word-form tables for a query type
    nothing here makes. Each is given a stand-in while that one module is imported, and the
    stand-in is removed at once, so any later real import of those modules is unaffected.
    """
    import inspect
    import sys
    import types

    def with_stand_in(name: str, stand_in: types.ModuleType, module: str) -> None:
        if name in sys.modules or module in sys.modules:
            return
        sys.modules[name] = stand_in
        try:
            __import__(module)
        except ImportError:
            pass
        finally:
            del sys.modules[name]

    request = types.ModuleType("urllib.request")
    request.urlretrieve = None  # type: ignore[attr-defined]
    with_stand_in("urllib.request", request, "whoosh.compat")
    asyncio = types.ModuleType("asyncio")
    asyncio.iscoroutinefunction = inspect.iscoroutinefunction  # type: ignore[attr-defined]
    with_stand_in("asyncio", asyncio, "cached_property")
    morph_en = types.ModuleType("whoosh.lang.morph_en")
    morph_en.variations = _english_variations  # type: ignore[attr-defined]
    with_stand_in("whoosh.lang.morph_en", morph_en, "whoosh.query.terms")


def _english_variations(word: str) -> Any:
    """Whoosh's `Variations` query, which loads its large English word-form tables only if used."""
    from whoosh.lang.morph_en import variations

    return variations(word)


_import_whoosh_quickly()

from whoosh import columns, fields, formats, index  # noqa: E402
from whoosh.analysis import (  # noqa: E402
    CommaSeparatedTokenizer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    SpaceSeparatedTokenizer,
)
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.system import pack_uint  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402
from whoosh.writing import PostingPool, SegmentWriter  # noqa: E402

SCHEMA_VERSION = fieldtable.SCHEMA_VERSION  # a new one rebuilds old indexes
WRITER_MEMORY_MB = 256
PARALLEL_FROM = 2000  # documents; below this, starting processes costs more than it saves
MAX_PROCS = 4
SMALL_SEGMENT = 256  # documents: a segment this small may be merged into an update's (see _merge_small)
MERGE_FACTOR = 2  # a small segment is merged when it holds at most this many times the documents gathered
KEPT_SEGMENTS = 8  # larger segments an update leaves as they are (a build writes up to MAX_PROCS)
LOCK_TIMEOUT_S = 30.0


class _Storage(FileStorage):
    """Whoosh's storage of an index folder, whose writers leave no reference cycle behind.

    A writer makes its temporary folder, and its per-document writer asks for the same folder
    again. Whoosh's `create` keeps the "file exists" error in a local variable: a cycle through
    that frame, which holds every caller's frame and their locals (a freshness check's 100,000
    stats, 13 MB) until the collector runs, and reading commands run without it.
    """

    def temp_storage(self, name: str | None = None) -> FileStorage:
        if name is None:
            return super().temp_storage(name)
        path = os.path.join(self.folder, name)
        os.makedirs(path, exist_ok=True)
        return FileStorage(path)


class _WritingCodec(W3Codec):
    """Whoosh's codec for writing, with each new segment's field lengths read into memory once.

    While it writes a segment's postings, Whoosh looks up the length of the field in the document
    of every posting, each a seek and a read of the lengths file: a sixth of the time of building
    an index. Segments record the plain codec, so reading an index never depends on this class.
    """

    def new_segment(self, storage: Any, indexname: str) -> Any:
        plain = W3Codec(blocklimit=self._blocklimit, compression=self._compression, inlinelimit=self._inlinelimit)
        return plain.new_segment(storage, indexname)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _LengthsInMemory(storage, segment)


class _LengthsInMemory(W3PerDocReader):
    """A segment's per-document reader that reads each field's lengths column whole, once."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._whole_lengths: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: Any = 0) -> Any:
        if fieldname not in self._whole_lengths:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            whole = None if reader is None else reader._dbfile.get(reader._basepos, reader._count)
            self._whole_lengths[fieldname] = whole
        lengths = self._whole_lengths[fieldname]
        if lengths is None or docnum > self._doccount:
            return super().doc_field_length(docnum, fieldname, default)
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        return byte_to_length(lbyte) if lbyte else None  # as Whoosh's own: None for a zero length


_BLOCK_SIZE = struct.Struct("<I")


class _Pool(PostingPool):
    """Whoosh's pool of postings to sort, with its runs on disk written and read in blocks.

    Whoosh pickles each posting into a run and unpickles it back, one call each, and weighs
    each posting as it comes: a fifth of the time of building an index. Here a run is a series
    of marshalled lists, and a posting is taken to weigh what one typically does.
    """

    POSTING_BYTES = 200
    BLOCK = 10_000

    def __init__(self, tempstore: Any, segment: Any, limitmb: int) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb)
        self._most = max(1, self.limit // self.POSTING_BYTES)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        if len(self.current) >= self._most:
            self.save()
        self.current.append(item)

    def save(self) -> None:
        self.fieldnames.update(item[0] for item in self.current)
        super().save()

    def items(self, maxfiles: int = 128) -> Any:
        self.fieldnames.update(item[0] for item in self.current)
        return super().items(maxfiles)

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        items = iter(items)
        while block := list(itertools.islice(items, self.BLOCK)):
            data = marshal.dumps(block, 4)
            f.write(_BLOCK_SIZE.pack(len(data)))
            f.write(data)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while head := f.read(_BLOCK_SIZE.size):  # marshal.load(f) would read an object at a time
                yield from marshal.loads(f.read(_BLOCK_SIZE.unpack(head)[0]))
        finally:
            f.close()
            self._remove_run(path)


class IndexBroken(Exception):
    """The index on disk cannot be used (missing, truncated, garbage, another schema): rebuild it."""


T = TypeVar("T")


def reading(work: Callable[[], T], cannot_write: tuple[int, ...] = ()) -> T:
    """``work()``, which reads the index: any error it raises means the index is damaged (IndexBroken).

    A damaged file can make Whoosh raise almost anything (OSError, struct.error, UnicodeError,
    TypeError, MemoryError, its own FileFormatError or a bare Exception), so nothing narrower will do.
    An OSError whose errno is in ``cannot_write`` stays one: the folder cannot be written, and no
    rebuild would help.
    """
    try:
        return work()
    except IndexBroken:
        raise
    except OSError as exc:
        if exc.errno in cannot_write:
            raise
        raise IndexBroken(f"{type(exc).__name__}: {exc}"[:200]) from None
    except Exception as exc:  # noqa: BLE001 - see above
        raise IndexBroken(f"{type(exc).__name__}: {exc}"[:200]) from None


class FoldFilter(Filter):
    """Strip accents and fold case beyond lower(): `zoë` -> `zoe`, `straße` -> `strasse`."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        from vault_tool.format.handles import fold

        for token in tokens:
            if not token.text.isascii():
                token.text = fold(token.text)
            yield token


WORD = r"\w+(?:[.'’]\w+)*"


class Words(fields.TEXT):
    """A TEXT field of words (see `_analyzers`), indexed without Whoosh's token objects.

    Indexing gives exactly what the analyzer chain gives (a test compares them), in about half
    the time: one regular expression over the text, case and accents folded per word.
    Queries still go through the analyzer.
    """

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        from vault_tool.format.handles import fold

        positions: dict[str, list[int]] = {}
        for pos, word in enumerate(_WORD.findall(value)):
            word = word.lower()
            if not word.isascii():
                word = fold(word)
            if word in positions:
                positions[word].append(pos)
            else:
                positions[word] = [pos]
        form = self.format
        boost = form.field_boost
        with_positions = isinstance(form, formats.Positions)
        for word, found in positions.items():
            count = len(found)
            value_bytes = _positions(tuple(found)) if with_positions else _frequency(count)
            yield word.encode("utf-8"), count, count * boost, value_bytes


_WORD = re.compile(WORD)


@functools.lru_cache(maxsize=1 << 16)
def _positions(found: tuple[int, ...]) -> bytes:
    """Whoosh's encoding of a word's positions (the same for every field); most words are met
    once, at one of few positions, so the encodings repeat."""
    return cast(bytes, formats.Positions().encode(found))  # Whoosh is untyped


@functools.lru_cache(maxsize=1 << 10)
def _frequency(count: int) -> bytes:
    return cast(bytes, pack_uint(count))  # Whoosh is untyped


def _analyzers() -> dict[str, Any]:
    words = RegexTokenizer(WORD) | LowercaseFilter() | FoldFilter()
    return {
        "words": words,
        "list": CommaSeparatedTokenizer() | LowercaseFilter() | FoldFilter(),
        "terms": SpaceSeparatedTokenizer() | LowercaseFilter(),
    }


def schema(table: tuple[fieldtable.IndexField, ...] = FIELDS) -> fields.Schema:
    """The Whoosh schema of the index of ``table`` (the contacts' FIELDS, or the deals')."""
    an = _analyzers()
    text = Words(analyzer=an["words"], phrase=True)
    short = Words(analyzer=an["words"], phrase=True, field_boost=2.0)
    plain = Words(analyzer=an["words"], phrase=False)
    keyword = fields.KEYWORD(analyzer=an["list"], commas=True, scorable=False)
    terms = fields.KEYWORD(analyzer=an["terms"], scorable=False)
    # shift_step=0: no precision tiers. Whoosh's tiered ranges return wrong results for some bounds,
    # and a vault has only a few thousand distinct days to enumerate.
    day = fields.NUMERIC(int, bits=32, sortable=True, signed=False, shift_step=0)
    kinds = {
        "words": text, "short": short, "plain": plain, "list": keyword, "terms": terms, "day": day,
        # Never filled: `score:` clauses name it, and search replaces them with the contacts whose
        # score, computed today from their stored facts, is in range.
        "number": fields.NUMERIC(int, bits=32, shift_step=0),
        "id": fields.ID(sortable=True), "stored": fields.STORED(),
    }
    result = fields.Schema()
    for field_ in table:
        if field_.kind == "decimal":
            result.add(NUMBER_PREFIX + field_.name, fields.NUMERIC(float, shift_step=0))
            result.add(HUNDREDTHS_PREFIX + field_.name, fields.COLUMN(columns.NumericColumn("q", default=NO_NUMBER)))
        elif field_.name == "path":
            result.add("path", fields.ID(unique=True, stored=True, sortable=True))
        elif field_.kind == "column":
            result.add(field_.name, fields.COLUMN(columns.VarBytesColumn()))
        else:
            result.add(field_.name, kinds[field_.kind])
    result.add(CUSTOM_PREFIX + "*", Words(analyzer=an["words"], phrase=True), glob=True)
    result.add(NUMBER_PREFIX + "*", fields.NUMERIC(float, shift_step=0), glob=True)
    # Whoosh looks for a length column on disk for every posting of a field that has none
    # (a file-system call each): recording lengths for every field is much cheaper.
    for name in result.names():
        if result[name].indexed:
            result[name].scorable = True
    return result


_NOT_CONTENT = "WRITELOCK"  # Whoosh's lock file: there whether or not a writer runs


def create(folder: Path, table: tuple[fieldtable.IndexField, ...] = FIELDS) -> index.Index:
    """A new, empty index of ``table`` in ``folder``, in place of whatever was there."""
    remove(folder)
    folder.mkdir(parents=True)
    return index.FileIndex.create(_Storage(str(folder)), schema(table), index._DEF_INDEX_NAME)


def create_in_memory(table: tuple[fieldtable.IndexField, ...] = FIELDS) -> index.Index:
    """A new, empty index that lives in this process only (when the one on disk cannot be written)."""
    from whoosh.filedb.filestore import RamStorage

    return RamStorage().create_index(schema(table))


def remove(path: Path, ignore_errors: bool = False) -> None:
    """Delete ``path``, a folder or a file (an index folder that someone replaced with a file)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        if not ignore_errors:
            raise


def replace(new: Path, folder: Path) -> None:
    """Put the index in ``new`` in the place of ``folder``, in two renames.

    A search that opened the old index keeps reading the files it has open; one that looks in
    between finds no index and waits for the index's lock, which the builder holds.
    """
    old = folder.with_name(folder.name + ".old")
    remove(old)
    if folder.exists() or folder.is_symlink():
        os.rename(folder, old)
    os.rename(new, folder)
    remove(old, ignore_errors=True)


def file_stats(folder: Path) -> dict[str, list[int]] | None:
    """Each index file's [size, mtime] (JSON's form), to notice damage with a stat per file; None if no folder."""
    try:
        names = os.listdir(folder)
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    found: dict[str, list[int]] = {}
    try:
        for name in names:
            if not name.endswith(_NOT_CONTENT):
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                found[name] = [info.st_size, info.st_mtime_ns]
    except OSError:
        return None  # a file went away while we looked: not the index that was recorded
    finally:
        os.close(fd)
    return found


def changed_files(recorded: Any, folder: Path) -> str:
    """How the index files in ``folder`` differ from those ``recorded`` when it was written ("" if not at all)."""
    found = file_stats(folder)
    if found is None:
        return "it is not a folder" if folder.exists() else "it is missing"
    if not isinstance(recorded, dict):
        return "what it holds was not recorded"
    missing = sorted(set(recorded) - set(found))
    if missing:
        return f"{missing[0]} is missing"
    changed = sorted(name for name in found if recorded.get(name) != found[name])
    return f"{changed[0]} changed since it was written" if changed else ""


def open_index(folder: Path) -> index.Index:
    """The index in ``folder``; IndexBroken if there is none or it cannot be read."""

    def opened() -> index.Index:
        ix = index.FileIndex(_Storage(str(folder)), indexname=index._DEF_INDEX_NAME)
        if "row" not in ix.schema or "view" not in ix.schema:
            raise IndexBroken("written by another version")
        return ix

    return reading(opened)


def _segment_writer(ix: index.Index, lock: bool = True, memory_mb: int = WRITER_MEMORY_MB) -> SegmentWriter:
    """Whoosh's writer of one new segment, with the settings chosen for speed.

    Postings are written uncompressed, which costs disk, not time. Segments are left as separate
    files: Whoosh copies each part of a compound segment into memory when it opens it, which would
    make every search pay for the size of the index.
    """
    writer = SegmentWriter(ix, _lk=lock, timeout=LOCK_TIMEOUT_S, limitmb=memory_mb,
                           codec=_WritingCodec(compression=0), compound=False)
    writer.pool = _Pool(writer._tempstorage, writer.newsegment, memory_mb)
    return writer


def _merge_small(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Whoosh's merge policy for an update: which segments go into the one being written.

    Each edit writes a segment of its own, and every read opens every segment's files, so small
    segments must not pile up; but merging one re-reads all its terms, about 1.5 ms a document of
    notes. Merging every small segment into each update made every edit after a bulk change of 80
    contacts pay 0.2 s again. So a segment with no live documents is always dropped, and the
    segments of SMALL_SEGMENT documents or fewer are taken smallest first while each holds at most
    MERGE_FACTOR times the documents gathered so far (the update's own, then those merged): the
    small segments' sizes grow geometrically, as a binary counter's digits, so an update merges a
    few documents on average and a day of edits leaves a handful of small segments. Of the larger
    segments, the smallest are merged while more than KEPT_SEGMENTS would be left.
    """
    from whoosh.reading import SegmentReader

    merged = [s for s in segments if s.doc_count() == 0]
    gathered = max(1, writer.doc_count())
    for segment in sorted((s for s in segments if s not in merged), key=lambda s: s.doc_count_all()):
        if segment.doc_count_all() > min(SMALL_SEGMENT, MERGE_FACTOR * gathered):
            break
        merged.append(segment)
        gathered += segment.doc_count()
    others = sorted((s for s in segments if s not in merged and s.doc_count_all() > SMALL_SEGMENT),
                    key=lambda s: s.doc_count_all())
    merged += others[:max(0, len(others) - KEPT_SEGMENTS)]
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merged]


class Writer:
    """Adds, replaces and deletes documents; one commit at the end (``with Writer(ix) as w: …``).

    ``fresh``: the index is new, so documents are added without looking for older versions.
    Whoosh's errors while it writes mean that the index it updates is damaged: IndexBroken.
    """

    def __init__(self, ix: index.Index, fresh: bool = False) -> None:
        self._writer = _writing(lambda: _segment_writer(ix))
        self._fresh = fresh

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind: type | None, *rest: object) -> None:
        if kind is None:
            if self._fresh:
                _writing(lambda: self._writer.commit(merge=False))
            else:
                _writing(lambda: self._writer.commit(mergetype=_merge_small))
        else:
            try:
                self._writer.cancel()
            except Exception:  # noqa: BLE001 - the error that stopped the writer is the one to report
                pass

    def put(self, doc: dict[str, Any]) -> None:
        if self._fresh:
            _writing(lambda: self._writer.add_document(**doc))
        else:
            _writing(lambda: self._writer.update_document(**doc))

    def delete(self, rel: str) -> None:
        _writing(lambda: self._writer.delete_by_term("path", rel))


_CANNOT_WRITE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT)


def _writing(work: Callable[[], T]) -> T:
    """As `reading`, for Whoosh's writer: an error that says the folder cannot be written stays one."""
    return reading(work, _CANNOT_WRITE)


class Part:
    """One part of a new index, written by its own process as a segment of its own (see `Parts`)."""

    def __init__(self, ix: index.Index, memory_mb: int) -> None:
        self._writer = _segment_writer(ix, lock=False, memory_mb=memory_mb)  # the `Parts` holds the lock

    def put(self, doc: dict[str, Any]) -> None:
        self._writer.add_document(**doc)

    def delete(self, rel: str) -> None:
        """Nothing to delete from a part of a new index."""

    def finish(self) -> Any:
        """Write the part's segment; what `Parts.commit` needs of it (picklable, for the parent)."""
        return self._writer._finalize_segment()


class Parts:
    """A new index written in parts, one segment each, by as many processes as there are cores.

    The analysis of documents is pure Python, so processes are the only way to use more than one
    core. Each part is written by a `Part` in a forked child; this object, in the parent, holds
    the index's write lock throughout and makes the parts' segments the index at the end (no
    merging: a search reads a few segments as fast as one). The parts share the writer's memory.
    ``with Parts(ix, count) as parts: …``
    """

    def __init__(self, ix: index.Index, count: int) -> None:
        self._ix = ix
        self._writer = _segment_writer(ix)
        self._memory_mb = WRITER_MEMORY_MB // max(1, count)

    @staticmethod
    def how_many(documents: int) -> int:
        """How many parts to write ``documents`` in: one per core, one for a small index."""
        return min(os.cpu_count() or 1, MAX_PROCS) if documents >= PARALLEL_FROM else 1

    def part(self) -> Part:
        return Part(self._ix, self._memory_mb)

    def commit(self, segments: list[Any]) -> None:
        writer = self._writer
        writer._close_segment()  # this writer's own segment stays empty
        writer._commit_toc([*writer.segments, *segments])
        writer._finish()  # and the lock is released

    def __enter__(self) -> Parts:
        return self

    def __exit__(self, kind: type | None, *rest: object) -> None:
        if kind is not None:
            self._writer.cancel()
