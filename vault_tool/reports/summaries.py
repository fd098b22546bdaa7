"""What reports need of every contact, kept in a disposable cache so a report need not parse 10,000 files.

A summary is a contact's scoring ``Facts`` plus its handle, the kinds of its
interactions and its list fields. `.vault/summaries.json` keeps one per file
with the file's size and modification time; a file whose size or time changed
is read again, a file that went away is dropped. Reading a large vault the
first time uses two processes. The cache is rebuilt from the files whenever it
is missing, unreadable or of another version: deleting it loses nothing.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import ParseError
from vault_tool.fileio import atomic_write
from vault_tool.format.contact import parse
from vault_tool.search.scan import RACY, scan, trusted
from vault_tool.search.scoring import Facts, facts_of
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

CACHE_NAME = "summaries.json"
CACHE_VERSION = "1:" + ",".join(f.name for f in fields(Facts))  # a new Facts field makes a new cache
PARALLEL_FROM = 2000  # files to read before a second process is worth its start-up


@dataclass
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

    def to_data(self) -> dict[str, Any]:
        return {"path": self.path, "handle": self.handle, "facts": asdict(self.facts),
                "kinds": self.kinds, "lists": self.lists}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Summary:
        return cls(data["path"], data["handle"], Facts(**data["facts"]), data["kinds"], data["lists"])


@dataclass
class Summaries:
    """Every contact that parsed, and a ParseError for each file that did not."""

    items: list[Summary] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)


def summarise(root: Path, path: Path) -> dict[str, Any]:
    """A cache entry for one file: its summary, or the error that stopped it parsing."""
    rel = path.relative_to(root).as_posix()
    try:
        contact = parse(path, read_file(path))  # a symbolic link is an error entry, never followed
    except ParseError as exc:
        return {"error": {"message": exc.message, "line": exc.line}}
    except OSError as exc:
        return {"error": {"message": f"cannot read ({exc.strerror})", "line": None}}
    ordered = sorted(contact.interactions, key=lambda i: i.date)
    facts = facts_of(contact)  # its interactions are the ISO dates, sorted
    lists = {str(k): contact.list_field(k) for k, v in contact.meta.items() if isinstance(v, list)}
    return {"summary": Summary(rel, contact.handle, facts, [i.kind for i in ordered], lists).to_data()}


def _summarise_batch(root: Path, paths: list[Path]) -> list[dict[str, Any]]:
    return [summarise(root, p) for p in paths]


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def _summarise_all(root: Path, paths: list[Path]) -> list[dict[str, Any]]:
    if len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _summarise_batch(root, paths)
    half = len(paths) // 2
    # spawn, not fork: the report reads git history on a thread meanwhile, and forking a process
    # that has threads can copy a lock held by one of them
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        first = pool.submit(_summarise_batch, root, paths[:half])
        second = pool.submit(_summarise_batch, root, paths[half:])
        return first.result() + second.result()


def load_summaries(vault: Vault, only: set[Path] | None = None) -> Summaries:
    """A summary of every contact file (of those in ``only``, when given), fresh from the cache."""
    cache_path = vault.state_dir / CACHE_NAME
    cached = _read_cache(cache_path)
    prefix = vault.contacts_dir.relative_to(vault.root).as_posix() + "/"
    stats = {prefix + rel: stat for rel, stat in scan(vault.contacts_dir, links=True).items()}
    files: dict[str, Any] = {}
    stale: list[str] = []
    for rel in sorted(stats):
        entry = cached.get(rel)
        if entry is not None and entry.get("stamp") == list(stats[rel]):
            files[rel] = entry
        else:
            stale.append(rel)
    for rel, entry in zip(stale, _summarise_all(vault.root, [vault.root / r for r in stale])):
        files[rel] = {"stamp": list(stats[rel]), **entry}
    files = {rel: files[rel] for rel in sorted(files)}
    if stale or len(files) != len(cached):
        # A file changed within the clock's resolution may change again unseen: it is read again next time.
        young = {rel for rel, stat in trusted(stats).items() if stat == RACY}
        _write_cache(cache_path, {rel: {**e, "stamp": list(RACY)} if rel in young else e for rel, e in files.items()})
    return _collect(vault.root, files, only)


def _write_cache(path: Path, files: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps({"version": CACHE_VERSION, "files": files}, ensure_ascii=False).encode())
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower next time
        pass


def _collect(root: Path, files: dict[str, Any], only: set[Path] | None) -> Summaries:
    wanted = {p.resolve().relative_to(root.resolve()).as_posix() for p in only} if only is not None else None
    result = Summaries()
    for rel, entry in files.items():
        if wanted is not None and rel not in wanted:
            continue
        try:
            _add(result, root, rel, entry)
        except (KeyError, TypeError, ValueError, AttributeError):  # a cache entry mangled by hand: read the file
            _add(result, root, rel, summarise(root, root / rel))
    return result


def _add(result: Summaries, root: Path, rel: str, entry: dict[str, Any]) -> None:
    if "error" in entry:
        result.problems.append(ParseError(root / rel, entry["error"]["message"], entry["error"]["line"]))
    else:
        result.items.append(Summary.from_data(entry["summary"]))
