"""`contacts history`: a contact's (or a deal's) changes over time, from git, following renames.

Each commit that touched the file is read before and after (one `git cat-file
--batch` for all of them) and compared: which fields changed from what to
what, which interactions were added or removed. Merge commits are left out:
the commits they merge are listed themselves.

A deal file (deals/<handle>.md) is read as `contacts deal` reads it: an amount is a Decimal,
exactly as written. The query names a contact; when no contact matches, a deal (its handle or
name); `deal=True` looks among the deals only.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import git
from git.exc import GitCommandError

from vault_tool.errors import GitError, NotFoundError, ParseError
from vault_tool.format.body import render_heading
from vault_tool.format.contact import Contact, parse
from vault_tool.format.deal import DEALS
from vault_tool.format.handles import is_valid
from vault_tool.store import commits as gitstore
from vault_tool.store.git import cat_files

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

_FIELD_SEP = "\x1f"


@dataclass
class FieldChange:
    field: str
    old: Any  # None: the field was added
    new: Any  # None: the field was removed

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}


def _plain(value: Any) -> Any:
    """A value as JSON holds it: a Decimal (a deal's number) as its exact text."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass
class HistoryEntry:
    """One commit that changed the contact's file."""

    commit: str
    date: str  # author date, ISO 8601
    author: str
    email: str
    subject: str
    path: str  # the file's path in the repository after this commit
    status: str  # added, changed, renamed, removed
    changes: list[FieldChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # interaction headings, without `## `
    removed: list[str] = field(default_factory=list)
    problem: str | None = None  # the file did not parse before or after this commit

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit, "date": self.date, "author": self.author, "email": self.email,
            "subject": self.subject, "path": self.path, "status": self.status,
            "changes": [c.to_dict() for c in self.changes],
            "interactions_added": self.added, "interactions_removed": self.removed, "problem": self.problem,
        }


@dataclass
class _Commit:
    sha: str
    date: str
    author: str
    email: str
    subject: str
    status: str
    old_path: str
    new_path: str


def _log(repo: git.Repo, rel: str) -> list[_Commit]:
    out = repo.git(c="core.quotePath=false").log(
        "--follow", "-M", "--no-merges", "--name-status",
        f"--format=%x00%H{_FIELD_SEP}%aI{_FIELD_SEP}%an{_FIELD_SEP}%ae{_FIELD_SEP}%s", "--", rel,
    )
    commits = []
    for chunk in out.split("\x00")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if len(lines) < 2:
            continue
        sha, date, author, email, subject = lines[0].split(_FIELD_SEP, 4)
        status, *names = lines[1].split("\t")
        commits.append(_Commit(sha, date, author, email, subject, status, names[0], names[-1]))
    return commits


def _read(path: str, data: bytes | None, record: str) -> tuple[Contact | None, str | None]:
    if data is None:
        return None, None
    try:
        return parse(Path(path), data, record=record, decimals=record == "deal"), None
    except ParseError as exc:
        return None, f"{path} did not parse at this commit: {exc.message}"


def _field_changes(before: dict[str, Any], after: dict[str, Any], exact: bool = False) -> list[FieldChange]:
    """The fields that differ; ``exact`` (a deal): every number a Decimal, as `contacts deal` reads an amount."""
    keys = list(after) + [k for k in before if k not in after]
    changes = [FieldChange(str(k), before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
    if exact:
        for change in changes:
            change.old, change.new = _decimal(change.old), _decimal(change.new)
    return changes


def _decimal(value: Any) -> Any:
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _minus(items: list[tuple[str, str]], others: list[tuple[str, str]]) -> list[str]:
    """Headings of ``items`` not in ``others`` (each of ``others`` matches once)."""
    left = Counter(others)
    missing = []
    for item in items:
        if left[item]:
            left[item] -= 1
        else:
            missing.append(item[0])
    return missing


def _interaction_changes(before: Contact | None, after: Contact | None) -> tuple[list[str], list[str]]:
    """Interactions added and removed (an edited one is both), as headings without `## `."""
    def keyed(contact: Contact | None) -> list[tuple[str, str]]:
        return [(render_heading(i)[3:], i.text) for i in contact.interactions] if contact else []

    old, new = keyed(before), keyed(after)
    return _minus(new, old), _minus(old, new)


def _entry(commit: _Commit, blobs: dict[str, bytes | None], record: str, fields: dict[str, None]) -> HistoryEntry:
    """What ``commit`` changed in the file; the keys of each version read are added to ``fields``."""
    status = {"A": "added", "D": "removed", "R": "renamed"}.get(commit.status[:1], "changed")
    before_data = None if status == "added" else blobs.get(f"{commit.sha}^:{commit.old_path}")
    after_data = None if status == "removed" else blobs.get(f"{commit.sha}:{commit.new_path}")
    before, before_problem = _read(commit.old_path, before_data, record)
    after, after_problem = _read(commit.new_path, after_data, record)
    fields.update(dict.fromkeys(str(key) for version in (before, after) if version for key in version.meta))
    entry = HistoryEntry(
        commit.sha, commit.date, commit.author, commit.email, commit.subject, commit.new_path, status,
        problem=after_problem or before_problem,
    )
    if entry.problem is None:
        entry.changes = _field_changes(before.meta if before else {}, after.meta if after else {}, record == "deal")
    entry.added, entry.removed = _interaction_changes(before, after)
    return entry


def _deleted_path(repo: git.Repo, folder_rel: str, handle: str) -> str | None:
    """The path a removed contact (or deal) last had, from the commit that removed it."""
    if not is_valid(handle):
        return None
    out = repo.git(c="core.quotePath=false").log("--diff-filter=D", "--format=", "--name-only", "--", folder_rel)
    return next((p for p in out.splitlines() if p.endswith(".md") and Path(p).stem == handle), None)


@dataclass(frozen=True)
class Target:
    """The file whose history is asked for: its path in the repository, and what it holds."""

    rel: str
    record: str  # "contact" or "deal"


def _live_deal(vault: Vault, query: str) -> Path | None:
    """The file of the deal ``query`` names, or None if none does (several: AmbiguousError)."""
    from vault_tool.deals.changes import find_deal

    try:
        return find_deal(vault, query).path
    except NotFoundError:
        return None


def find_target(vault: Vault, repo: git.Repo, query: str, deal: bool = False) -> Target:
    """The contact ``query`` names, else the deal it names, else a removed contact's or deal's handle.

    With ``deal``, only deals (live, then removed) are looked at. NotFoundError if nothing matches.
    """
    top = Path(repo.working_tree_dir or vault.root)

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, top)).as_posix()

    if not deal:
        try:
            contact = vault.get(query)
            assert contact.path is not None
            return Target(rel(contact.path), "contact")
        except NotFoundError:
            pass
    found = _live_deal(vault, query)
    if found is not None:
        return Target(rel(found), "deal")
    folders = ([] if deal else [(vault.contacts_dir, "contact")]) + [(vault.root / DEALS, "deal")]
    for folder, record in folders:
        removed = _deleted_path(repo, rel(folder), query)
        if removed is not None:
            return Target(removed, record)
    if deal:
        raise NotFoundError(f"no deal matches '{query}': see 'contacts deals'")
    raise NotFoundError(f"no contact or deal matches '{query}': see 'contacts list' and 'contacts deals'")


@dataclass
class History:
    """The commits that changed one file, newest first, and what the file is."""

    entries: list[HistoryEntry]
    record: str = "contact"  # or "deal"
    fields: list[str] = field(default_factory=list)  # every key any version of the file had


def history_of(vault: Vault, query: str, field_name: str | None = None, deal: bool = False) -> History:
    """The commits that changed a contact (or a deal), newest first; with ``field_name``, only those that changed it.

    ``query`` names a contact like every command does, else a deal (its handle or name), or the
    handle of a removed one; with ``deal``, a deal only.
    """
    top = gitstore.repo_root(vault.root)
    if top is None:
        raise GitError(f"{vault.root}: not in a git repository, so there is no history")
    with git.Repo(top) as repo:
        if not repo.head.is_valid():
            return History([])
        target = find_target(vault, repo, query, deal)
        try:
            commits = _log(repo, target.rel)
        except GitCommandError as exc:
            raise GitError(f"{top}: git log failed: {(exc.stderr or str(exc)).strip()}") from None
    specs = [f"{c.sha}^:{c.old_path}" for c in commits if not c.status.startswith("A")]
    specs += [f"{c.sha}:{c.new_path}" for c in commits if not c.status.startswith("D")]
    blobs = cat_files(top, specs)
    fields: dict[str, None] = {}
    entries = [_entry(c, blobs, target.record, fields) for c in commits]
    return History(_picked(entries, field_name), target.record, list(fields))


def _picked(entries: list[HistoryEntry], field_name: str | None) -> list[HistoryEntry]:
    """The entries that changed ``field_name`` (all for None), with that field's changes only."""
    if field_name is None:
        return entries
    picked = []
    for entry in entries:
        changes = [c for c in entry.changes if c.field == field_name]
        if changes:
            picked.append(HistoryEntry(**{**entry.__dict__, "changes": changes, "added": [], "removed": []}))
    return picked


def history(vault: Vault, query: str, field_name: str | None = None, deal: bool = False) -> list[HistoryEntry]:
    """The entries of ``history_of``."""
    return history_of(vault, query, field_name, deal).entries
