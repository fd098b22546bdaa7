"""Keeping .vault/index in step with the files: only what changed is re-read.

Two small files beside the index record what it holds:
- ``index-stamp.json``: schema version, the digest of every file's (path, size, mtime) when the
  index was last brought up to date, the day that was "today" then, and the files that did not
  parse. When the digest of a fresh stat of the folder equals it, nothing is read at all.
- ``index-manifest``: each file's (size, mtime), to find which files changed when the digest
  differs, kept in the scan's parts (each half of a large vault in eight) with their digests:
  a part whose digest is unchanged is neither read nor written again (Python's marshal format:
  100,000 entries load in milliseconds, where JSON takes a tenth of a second; an unreadable
  manifest only means every file is read again). It is written before the stamp, so a crash
  in between only causes re-reading.
A file too young to trust its stat is recorded as such and looked at again by the next update,
which indexes it again only if its bytes differ from those the index read (its `digest` column).
The stamp also records each index file's size and mtime as written: a stat of each is how damage
is noticed without reading the index, and an index that fails while it answers is rebuilt (see
`answer`). A new index is built beside the old one and put in its place by renames, so a search
meanwhile answers from the old one. Where .vault cannot be written, the index is built in memory.
Updates take the index's own lock (not the vault's); a reader that finds nothing changed takes none.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
import marshal
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast
from zlib import crc32

from vault_tool.errors import IndexBuildError, ParseError, VaultError
from vault_tool.format.documents import stats as document_stats
from vault_tool.format.fieldtable import day_number
from vault_tool.format.layout import CONTACTS as CONTACTS_FOLDER
from vault_tool.format.layout import Stat
from vault_tool.search import columns
from vault_tool.search import index as ix_mod
from vault_tool.search import lookup
from vault_tool.forked import ForkedJobFailed, can_fork, run_all
from vault_tool.search.scan import RACY, Scanned, scan_with_digest, trusted
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from whoosh.index import Index

    from vault_tool.forked import Advance
    from vault_tool.search.scan import BackgroundScan
    from vault_tool.store.vault import Vault

STAMP = "index-stamp.json"
MANIFEST = "index-manifest"
DOCUMENTS = "index-documents"  # each document's (size, mtime) as last indexed (format/documents.py `stats`)
INDEX = "index"
Progress = Callable[[int, int], None]
# Files re-read from which what an update left in cycles is collected before the answer (reading commands run
# with the collector off). An update of a few files leaves next to nothing (see index._Storage), and looking
# through every object of a large vault for it took 13-19 ms: more than reading the files.
COLLECT_FROM = 64
REBUILD_FROM = 1000  # files to re-read; beyond this and half the vault, building anew (in parallel) is faster
INDEX_LOCK_TIMEOUT_S = 600.0  # another process may be building the index of a large vault
T = TypeVar("T")


@dataclass
class Problem:
    path: str  # relative to the vault
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Refresh:
    """What bringing the index up to date did."""

    index: Index
    reread: int = 0
    removed: int = 0
    rebuilt: bool = False
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    saved: int | None = None  # the stamp's "saved" when the index was opened: has another process changed it since?

    def left_out(self, root: Path) -> list[ParseError]:
        """The files the index leaves out (they do not parse, or are links), as errors naming each file."""
        return [ParseError(root / p.path, p.message, p.line) for p in self.problems]


IndexFiles = Callable[
    ["Vault", "ix_mod.Writer | ix_mod.Part", list[str], dt.date, dict[str, "dt.date | None"], dict[str, Problem],
     "Progress | None", "list[str] | None"], None]


@dataclass(frozen=True)
class Shelf:
    """One folder of records and the index that serves it: contacts/ in .vault/index, deals/ in .vault/deals-index.

    Everything else about keeping an index in step with its files (the scan, the stamp and the
    manifest, the lock, building beside the old index, healing) is the same for both, and done here.
    """

    folder: str  # the records' folder under the vault
    record: str  # what each file holds: "contact", "deal"
    index: str  # the index's folder under .vault/; its stamp and manifest are named after it
    settings: Callable[[Vault], str]  # what the index was built with: when it changes, the index is built anew
    create: Callable[[Path], Index]
    create_in_memory: Callable[[], Index]
    index_files: IndexFiles  # (vault, writer, files, today, created, problems, progress, notices)
    documents: bool = False  # the records' documents (files/<handle>/) are read with them
    turned: Callable[[Index, dt.date, str], list[str]] | None = None  # records whose dates turn with today

    def stamp(self, state: Path) -> Path:
        return state / f"{self.index}-stamp.json"

    def manifest(self, state: Path) -> Path:
        return state / f"{self.index}-manifest"

    def documents_file(self, state: Path) -> Path:
        return state / f"{self.index}-documents"

    def prefix(self) -> str:
        return self.folder + "/"


def _contacts_settings(vault: Vault) -> str:
    return f"schema={ix_mod.SCHEMA_VERSION};region={vault.config.default_region}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


StoredPart = tuple[str, int, bytes]  # a manifest part: the scan part's digest (or "racy"), files, marshalled stats


def _read_manifest(path: Path) -> list[StoredPart]:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return []
    if isinstance(data, dict):  # written before manifests had parts: one part, matching no scan's
        return [("", len(data), marshal.dumps(data, 2))]
    if isinstance(data, list) and all(_is_stored_part(part) for part in data):
        return data
    return []


def _is_stored_part(part: object) -> bool:
    return (isinstance(part, tuple) and len(part) == 3 and isinstance(part[0], str) and isinstance(part[1], int)
            and isinstance(part[2], bytes))


def _stored_stats(part: StoredPart | None) -> dict[str, Stat]:
    """A manifest part's stats; none if it cannot be read (its files are then all read again)."""
    try:
        stats = marshal.loads(part[2]) if part else {}
    except (EOFError, ValueError, TypeError):
        return {}
    return stats if isinstance(stats, dict) else {}


def _unchanged_parts(manifest: list[StoredPart], scanned: Scanned) -> set[int]:
    """The parts of the scan that are exactly the manifest's part of the same place."""
    if len(manifest) != len(scanned.parts):
        return set()
    return {i for i, (stored, part) in enumerate(zip(manifest, scanned.parts)) if stored[0] == part.digest}


def refresh(
    vault: Vault, today: dt.date, progress: Progress | None = None, scanning: BackgroundScan | None = None,
    shelf: Shelf | None = None,
) -> Refresh:
    """Bring the index of ``shelf`` (the contacts') up to date with its files; rebuild it when it is missing
    or unreadable.

    ``scanning``: a scan of the contacts folder started moments ago, if the caller started one
    (or the `contacts` program did, and handed it to ``vault``).
    """
    started = time.perf_counter()
    shelf = shelf or CONTACTS
    state = vault.state_dir
    folder = vault.root / shelf.folder
    progress = progress or vault.progress
    if shelf is CONTACTS:
        scanning = scanning or vault.take_scan()
    scanned = scanning.result() if scanning is not None else scan_with_digest(folder)
    stamp = _read_json(shelf.stamp(state))
    key = shelf.settings(vault)
    if (stamp.get("settings") == key and stamp.get("digest") in (scanned.digest, "racy")
            and stamp.get("today") == str(today) and stamp.get("files") == ix_mod.file_stats(state / shelf.index)
            and stamp.get("documents") == _documents_digest(_document_stats(vault, shelf))):
        try:
            index = ix_mod.open_index(state / shelf.index)
            if stamp["digest"] != "racy" or _settled(vault, shelf, index, stamp, scanned):
                result = Refresh(index, problems=_problems(stamp), saved=stamp.get("saved"))
                result.seconds = time.perf_counter() - started
                return result  # nothing to notice
        except ix_mod.IndexBroken:
            pass

    def update() -> Refresh:
        # Another process that updated the index while we waited may have seen newer files than
        # our scan did: then scan again. Otherwise our scan is as good as a new one.
        now = _read_json(shelf.stamp(state))
        seen = scanned if now == stamp else scan_with_digest(folder)
        return _update(vault, shelf, today, progress, key, seen, now)

    result = _locked(vault, shelf, update, lambda why: _in_memory(vault, shelf, today, progress, why))
    result.seconds = time.perf_counter() - started
    if result.reread + result.removed >= COLLECT_FROM:
        gc.collect()  # what parsing and writing left in cycles: the answer that follows reuses its memory
    return _noticed(vault, result)


def _document_stats(vault: Vault, shelf: Shelf) -> dict[str, Stat]:
    """The stat of every document of the records of ``shelf`` (none for a shelf whose records have none)."""
    return document_stats(vault.root) if shelf.documents else {}


def _documents_digest(stats: dict[str, Stat]) -> str:
    """One digest of every document's stat: unchanged, no contact's documents need reading again."""
    return f"{crc32(marshal.dumps(sorted(stats.items()), 2)):08x}" if stats else ""


def _documents_changed(path: Path, now: dict[str, Stat], scanned: Scanned) -> list[str]:
    """The contact files (relative to contacts/) whose documents were added, replaced or removed since the
    index last read them (``path``: their stats then): a document replaced by hand is read again though its
    contact's file is unchanged."""
    try:
        before = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        before = {}
    if not isinstance(before, dict):
        before = {}
    handles = {key.partition("/")[0] for key in set(before) | set(now) if before.get(key) != now.get(key)}
    return [rel for rel in scanned.stats if Path(rel).stem in handles] if handles else []


def _noticed(vault: Vault, result: Refresh) -> Refresh:
    """``result``, its notices also told to ``vault`` (the command line shows each once, as it comes)."""
    for notice in result.notices:
        if notice not in vault.notices:
            vault.notices.append(notice)
            if vault.on_notice is not None:
                vault.on_notice(notice)
    return result


def answer(
    vault: Vault, today: dt.date, ask: Callable[[Index], T], progress: Progress | None = None,
    scanning: BackgroundScan | None = None, fresh: Refresh | None = None, shelf: Shelf | None = None,
) -> tuple[T, Refresh]:
    """What ``ask`` finds in the index brought up to date (``fresh``: by the caller already), and that index.

    If the index fails while it answers (IndexBroken), either another process changed it
    meanwhile, and it is brought up to date again, or it is damaged, and it is rebuilt with a
    notice; either way under the index's lock, where ``ask`` is then answered.
    """
    shelf = shelf or CONTACTS
    fresh = fresh or refresh(vault, today, progress, scanning, shelf)
    try:
        return ask(fresh.index), fresh
    except ix_mod.IndexBroken as exc:
        broken = str(exc)

    def healed() -> tuple[T, Refresh]:
        result = _noticed(vault, _heal(vault, shelf, today, progress or vault.progress, fresh.saved, broken))
        try:
            return ask(result.index), result
        except ix_mod.IndexBroken as exc:
            raise IndexBuildError(f"{vault.state_dir / shelf.index}: the search index cannot be read even just "
                                  f"after it was built ({exc}); check the disk") from None

    def in_memory(why: str) -> tuple[T, Refresh]:
        result = _noticed(vault, _in_memory(vault, shelf, today, progress or vault.progress, why))
        return ask(result.index), result

    return _locked(vault, shelf, healed, in_memory)


def _heal(
    vault: Vault, shelf: Shelf, today: dt.date, progress: Progress | None, saved: int | None, broken: str,
) -> Refresh:
    """Under the index's lock: the index again, after it failed to answer with the stamp ``saved``."""
    stamp = _read_json(shelf.stamp(vault.state_dir))
    key = shelf.settings(vault)
    scanned = scan_with_digest(vault.root / shelf.folder)
    if stamp.get("saved") is not None and stamp.get("saved") != saved:  # another process wrote it meanwhile
        return _update(vault, shelf, today, progress, key, scanned, stamp)
    return _build(vault, shelf, today, progress, key, scanned,
                  f"the search index could not be read ({broken}); rebuilt it")


def rebuild(vault: Vault, today: dt.date, progress: Progress | None = None, shelf: Shelf | None = None) -> Refresh:
    """Build the index of ``shelf`` (the contacts') from scratch (`contacts reindex`)."""
    started = time.perf_counter()
    shelf = shelf or CONTACTS

    def build() -> Refresh:
        return _build(vault, shelf, today, progress, shelf.settings(vault), scan_with_digest(vault.root / shelf.folder))

    result = _locked(vault, shelf, build, _cannot_build)
    result.seconds = time.perf_counter() - started
    return _noticed(vault, result)  # a document whose text cannot be read, among others


def _cannot_build(why: str) -> NoReturn:
    raise VaultError(f"cannot write the search index ({why}); searches still answer, from the contact files")


def _locked(vault: Vault, shelf: Shelf, work: Callable[[], T], otherwise: Callable[[str], T]) -> T:
    """``work()`` under the index's lock; ``otherwise(why)`` if .vault cannot be written."""
    why = _unwritable(vault.state_dir, shelf.index)
    if why is None:
        try:
            with _index_lock(vault):
                return work()
        except OSError as exc:
            why = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
    return otherwise(why)


def _unwritable(state: Path, index: str) -> str | None:
    """Why the index ``index`` in ``state`` cannot be written, as far as permissions tell; None if it can."""
    if not state.exists():
        return None if os.access(state.parent, os.W_OK) else f"{state.parent} is read-only"
    for path in (state, state / "index.lock", state / index):
        if path.exists() and not os.access(path, os.W_OK):
            return f"{path} is read-only"
    return None


def _in_memory(vault: Vault, shelf: Shelf, today: dt.date, progress: Progress | None, why: str) -> Refresh:
    """An index of every file, in memory only: the answer is right, if slower, where .vault cannot be written."""
    rels = sorted(scan_with_digest(vault.root / shelf.folder).stats)
    index = shelf.create_in_memory()
    created = _created_dates(vault, shelf, None, rels)
    problems: dict[str, Problem] = {}
    notices = [f"cannot update the search index ({why}); searched the {shelf.record} files directly"]
    with ix_mod.Writer(index, fresh=True) as writer:
        shelf.index_files(vault, writer, rels, today, created, problems, progress, notices)
    return Refresh(index, reread=len(rels), rebuilt=True, notices=notices, problems=list(problems.values()))


def _index_lock(vault: Vault) -> Any:
    """The index's own lock: changes to contacts (the vault lock) need not wait for an index build.

    A file changed while it is being indexed is caught next time, because the manifest records
    the file's stat from before it was read.
    """
    from vault_tool.fileio import locked

    return locked(vault.state_dir / "index.lock", timeout=INDEX_LOCK_TIMEOUT_S)


def _problems(stamp: dict[str, Any]) -> list[Problem]:
    return [Problem(p[0], p[1], p[2]) for p in stamp.get("problems", []) if isinstance(p, list) and len(p) == 3]


def _update(
    vault: Vault, shelf: Shelf, today: dt.date, progress: Progress | None, key: str, scanned: Scanned,
    stamp: dict[str, Any],
) -> Refresh:
    """Re-read what changed since ``stamp`` (the stamp as read under the index lock)."""
    if stamp.get("settings") != key:
        notice = "the search index was made by another version or settings; rebuilding it" if stamp else ""
        return _build(vault, shelf, today, progress, key, scanned, notice)
    folder = vault.state_dir / shelf.index
    damage = ix_mod.changed_files(stamp.get("files"), folder)
    if damage:
        where = folder.relative_to(vault.root) if folder.is_relative_to(vault.root) else folder
        return _build(vault, shelf, today, progress, key, scanned,
                      f"the search index is damaged ({where}: {damage}); rebuilding it")
    try:
        return _update_index(vault, shelf, today, progress, key, scanned, stamp, ix_mod.open_index(folder))
    except ix_mod.IndexBroken as exc:
        return _build(vault, shelf, today, progress, key, scanned,
                      f"the search index could not be read ({exc}); rebuilding it")


def _update_index(
    vault: Vault, shelf: Shelf, today: dt.date, progress: Progress | None, key: str, scanned: Scanned,
    stamp: dict[str, Any], index: Index,
) -> Refresh:
    """Re-read the files that changed into ``index``, which the stamp describes."""
    state = vault.state_dir
    manifest = _read_manifest(shelf.manifest(state))
    same = _unchanged_parts(manifest, scanned)
    now: dict[str, Stat] = {}  # the files of the parts that changed, as they are and as they were
    before: dict[str, Stat] = {}
    for i, (part, stored) in enumerate(itertools.zip_longest(scanned.parts, manifest)):
        if i not in same:
            now.update(part.stats if part else {})
            before.update(_stored_stats(stored))
    total = len(now) + sum(manifest[i][1] for i in same)
    changed = [rel for rel, stat in now.items() if before.get(rel) != stat]
    unchanged = set(_as_indexed(vault, shelf, index, [rel for rel in changed if before.get(rel) == RACY]))
    changed = [rel for rel in changed if rel not in unchanged]
    documents = trusted(_document_stats(vault, shelf))
    if shelf.documents:
        changed += [rel for rel in _documents_changed(shelf.documents_file(state), documents, scanned)
                    if rel not in changed]
    if len(changed) >= REBUILD_FROM and len(changed) > total // 2:  # a build is the faster way
        return _build(vault, shelf, today, progress, key, scanned, f"{len(changed)} of {total} files are new to "
                      "the search index; building it anew")
    deleted = [rel for rel in before if rel not in now]
    prefix = shelf.prefix()
    if stamp.get("today") != str(today) and shelf.turned is not None:
        changed += [rel[len(prefix):] for rel in shelf.turned(index, today, str(stamp.get("today") or ""))
                    if (vault.root / rel).is_file()]
    changed = sorted(set(changed))
    problems = {p.path: p for p in _problems(stamp) if os.path.lexists(vault.root / p.path)}  # links too
    notices: list[str] = []
    if changed or deleted:
        created = _created_dates(vault, shelf, index, changed, renames=bool(deleted))
        with ix_mod.Writer(index) as writer:
            for rel in deleted:
                writer.delete(prefix + rel)
                problems.pop(prefix + rel, None)
            shelf.index_files(vault, writer, changed, today, created, problems, progress, notices)
    saved = _save(state, shelf, key, scanned, today, list(problems.values()), {i: manifest[i] for i in same},
                  documents)
    return Refresh(ix_mod.open_index(state / shelf.index), reread=len(changed), removed=len(deleted),
                   problems=list(problems.values()), saved=saved, notices=notices)


RACY_CONFIRMED_MAX = 64  # young files confirmed by their bytes on every command, with no write (see `_settled`)


def _settled(vault: Vault, shelf: Shelf, index: Index, stamp: dict[str, Any], scanned: Scanned) -> bool:
    """Whether an index whose stamp holds files too young to trust is up to date all the same: no stat has
    changed since the scan it was brought up to date with (the stamp's `settled`), and the young files'
    bytes are still the ones the index read.

    As git re-checks the "racily clean" files of its index until it writes it again: the check reads
    a few files, and writes nothing, so it needs no lock. Otherwise the next command after an edit
    would take the lock, read the manifest, receive every stat from the scan and write the manifest
    and the stamp again (80-110 ms at 100,000 contacts) only to learn that nothing changed. From
    RACY_CONFIRMED_MAX young files on, the stamp keeps no list: they are confirmed once, under the
    lock, and the manifest written.
    """
    young = stamp.get("racy_files")
    if stamp.get("settled") != scanned.digest or not isinstance(young, list):
        return False
    return len(_as_indexed(vault, shelf, index, young)) == len(young)


def content_digest(data: bytes) -> bytes:
    """What the index keeps of a file's bytes as it indexed them (its `digest` column)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _as_indexed(vault: Vault, shelf: Shelf, index: Index, rels: list[str]) -> list[str]:
    """Of the files in ``rels``, too young to trust their stat when they were indexed, those whose bytes are
    still the ones the index read (their `digest` column), as git compares a "racy" file's content.

    A file the tool has just written, or one saved just before a command, is indexed while it is young;
    without this the next command would read, parse and index it again, and add a segment for it.
    """
    if not rels:
        return []
    prefix = shelf.prefix()
    kept = columns.values_at(index, "digest", [prefix + rel for rel in rels])
    same = []
    for rel in rels:
        try:
            data = read_file(vault.root / shelf.folder / rel)
        except ParseError:
            continue
        if kept.get(prefix + rel) == content_digest(data):
            same.append(rel)
    return same


def _turned(index: Index, today: dt.date, then: str) -> list[str]:
    """The contacts whose last contact differs on ``today`` from the day ``then`` they were indexed on.

    Going forward, appointments that have become past; going back (`--today` in the past),
    interactions that are not yet.
    """
    day = day_number(today)
    if then and then > str(today):
        return columns.paths_between(index, "last_contact", day + 1, None)
    return columns.paths_between(index, "next_date", 1, day)


def _build(
    vault: Vault, shelf: Shelf, today: dt.date, progress: Progress | None, key: str, scanned: Scanned,
    notice: str = "",
) -> Refresh:
    state = vault.state_dir
    stats = scanned.stats
    new = state / (shelf.index + ".new")  # the old index answers searches until the new one takes its place
    index = shelf.create(new)
    created = _created_dates(vault, shelf, None, list(stats))
    rels = sorted(stats)
    problems: dict[str, Problem] = {}
    documents = trusted(_document_stats(vault, shelf))
    notices = [notice] if notice else []
    count = ix_mod.Parts.how_many(len(rels)) if can_fork() else 1
    if count > 1:
        problems = _build_in_parts(vault, shelf, index, [rels[i::count] for i in range(count)], today, created,
                                   progress, notices)
    else:
        with ix_mod.Writer(index, fresh=True) as writer:
            shelf.index_files(vault, writer, rels, today, created, problems, progress, notices)
    shelf.stamp(state).unlink(missing_ok=True)  # until the stamp is written, nobody may take the index as up to date
    ix_mod.replace(new, state / shelf.index)
    saved = _save(state, shelf, key, scanned, today, list(problems.values()), documents=documents)
    return Refresh(ix_mod.open_index(state / shelf.index), reread=len(stats), rebuilt=True,
                   notices=notices, problems=list(problems.values()), saved=saved)


def _build_in_parts(
    vault: Vault, shelf: Shelf, index: Index, shares: list[list[str]], today: dt.date,
    created: dict[str, dt.date | None], progress: Progress | None, notices: list[str],
) -> dict[str, Problem]:
    """Index each share of the files in a forked process of its own; the files that did not parse (and in
    ``notices``, the documents that could not be read)."""
    total = sum(len(share) for share in shares)

    def write_part(share: list[str], advance: Advance) -> tuple[Any, dict[str, Problem], list[str]]:
        part, found, noted = parts.part(), dict[str, Problem](), list[str]()
        every = max(1, len(share) // 200)  # files between two reports to the parent

        def tick(done: int, _: int) -> None:
            if done % every == 0:
                advance(every)

        shelf.index_files(vault, part, share, today, created, found, tick, noted)
        return part.finish(), found, noted

    with ix_mod.Parts(index, len(shares)) as parts:
        jobs = [functools.partial(write_part, share) for share in shares]
        try:
            answers = run_all(jobs, progress and (lambda done: progress(done, total)))
        except ForkedJobFailed as exc:
            raise IndexBuildError(f"building the search index failed ({exc}); "
                                  "the next search or `contacts reindex` builds it again") from None
        written = cast(list[tuple[Any, dict[str, Problem], list[str]]], answers)  # what write_part returns
        parts.commit([segment for segment, _, _ in written])
    if progress is not None:
        progress(total, total)
    notices += [note for _, _, noted in written for note in noted]
    return {path: problem for _, found, _ in written for path, problem in found.items()}


def _index_files(
    vault: Vault, writer: ix_mod.Writer | ix_mod.Part, rels: list[str], today: dt.date, created: dict[str, dt.date | None],
    problems: dict[str, Problem], progress: Progress | None, notices: list[str] | None = None,
) -> None:
    """Index the contact files ``rels`` with their documents; a document that cannot be read is a notice."""
    from vault_tool.search.documents import attached, document

    region = vault.config.default_region
    for done, rel in enumerate(rels, 1):
        path = vault.contacts_dir / rel
        rel_vault = "contacts/" + rel
        try:
            contact, data = vault.read_with_bytes(path)
        except ParseError as exc:
            writer.delete(rel_vault)
            problems[rel_vault] = Problem(rel_vault, exc.line, exc.message)
        else:
            problems.pop(rel_vault, None)
            documents = attached(vault.root, contact)
            if notices is not None:
                notices += documents.warnings
            doc = document(contact, rel_vault, region, today, created.get(rel), documents)
            doc["digest"] = content_digest(data)
            writer.put(doc)
        if progress is not None:
            progress(done, len(rels))


def _created_dates(
    vault: Vault, shelf: Shelf, index: Index | None, rels: list[str], renames: bool = True
) -> dict[str, dt.date | None]:
    """When each file was first committed: kept from the index for known files, from git for new ones.

    Git is asked about just the new files unless files were also deleted (a rename, whose date
    is its first name's, needs the whole folder's log).
    """
    prefix, folder = shelf.prefix(), vault.root / shelf.folder
    known = lookup.stored_rows(index, [prefix + r for r in rels]) if index is not None and rels else {}
    dates: dict[str, dt.date | None] = {}
    for rel in rels:
        row = known.get(prefix + rel)
        if row and row.get("created"):
            dates[rel] = dt.date.fromisoformat(row["created"])
    new = [rel for rel in rels if rel not in dates]
    if new:
        from vault_tool.store import commits as gitstore

        paths = None if renames or len(new) > 50 else [folder / rel for rel in new]
        committed = gitstore.created_dates(folder, paths) if gitstore.repo_root(vault.root) else {}
        for rel in new:
            day = committed.get(Path(rel).stem)
            dates[rel] = dt.date.fromisoformat(day) if day else _mtime_day(folder / rel)
    return dates


def _mtime_day(path: Path) -> dt.date | None:
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


def _save(
    state: Path, shelf: Shelf, key: str, scanned: Scanned, today: dt.date, problems: list[Problem],
    kept: dict[int, StoredPart] | None = None, documents: dict[str, Stat] | None = None,
) -> int:
    """Write the manifest and the stamp for ``scanned`` and the index as it is now; the stamp's "saved".

    ``kept``: manifest parts still true, by place; ``documents``: the documents' stats, as the index read them.
    """
    from vault_tool.fileio import atomic_write

    stored: list[StoredPart] = []
    young: list[str] = []
    for i, part in enumerate(scanned.parts):
        if kept and i in kept:  # a part kept is never racy: "racy" is no scan's digest
            stored.append(kept[i])
            continue
        safe = trusted(part.stats)
        stored.append((part.digest, len(safe), part.data) if safe is part.stats
                      else ("racy", len(safe), marshal.dumps(safe, 2)))
        young += [] if safe is part.stats else [rel for rel, stat in safe.items() if stat == RACY]
    atomic_write(shelf.manifest(state), marshal.dumps(stored, 2), durable=False)
    documents = documents or {}
    if shelf.documents:
        atomic_write(shelf.documents_file(state), marshal.dumps(documents, 2), durable=False)
    saved = time.time_ns()  # no two stamps alike: an unchanged stamp means no update in between
    stamp: dict[str, Any] = {
        "settings": key, "today": str(today),
        "digest": "racy" if any(part[0] == "racy" for part in stored) else scanned.digest,
        "problems": [[p.path, p.line, p.message] for p in problems],
        "files": ix_mod.file_stats(state / shelf.index), "saved": saved,
        "documents": "racy" if RACY in documents.values() else _documents_digest(documents),
    }
    if stamp["digest"] == "racy" and len(young) < RACY_CONFIRMED_MAX:
        stamp.update(settled=scanned.digest, racy_files=sorted(young))
    atomic_write(shelf.stamp(state), json.dumps(stamp, ensure_ascii=False).encode("utf-8"), durable=False)
    return saved


CONTACTS = Shelf(CONTACTS_FOLDER, "contact", INDEX, _contacts_settings, ix_mod.create, ix_mod.create_in_memory,
                 _index_files, documents=True, turned=_turned)
