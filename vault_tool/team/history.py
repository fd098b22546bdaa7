"""`contacts history`: a contact's changes over time, from git, following renames.

Each commit that touched the file is read before and after (one `git cat-file
--batch` for all of them) and compared: which fields changed from what to
what, which interactions were added or removed. Merge commits are left out:
the commits they merge are listed themselves.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import git
from git.exc import GitCommandError

from vault_tool.errors import GitError, NotFoundError, ParseError
from vault_tool.format.body import render_heading
from vault_tool.format.contact import Contact, parse
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
        return {"field": self.field, "old": self.old, "new": self.new}


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


def _read(path: str, data: bytes | None) -> tuple[Contact | None, str | None]:
    if data is None:
        return None, None
    try:
        return parse(Path(path), data), None
    except ParseError as exc:
        return None, f"{path} did not parse at this commit: {exc.message}"


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    keys = list(after) + [k for k in before if k not in after]
    return [FieldChange(str(k), before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


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


def _entry(commit: _Commit, blobs: dict[str, bytes | None]) -> HistoryEntry:
    status = {"A": "added", "D": "removed", "R": "renamed"}.get(commit.status[:1], "changed")
    before_data = None if status == "added" else blobs.get(f"{commit.sha}^:{commit.old_path}")
    after_data = None if status == "removed" else blobs.get(f"{commit.sha}:{commit.new_path}")
    before, before_problem = _read(commit.old_path, before_data)
    after, after_problem = _read(commit.new_path, after_data)
    entry = HistoryEntry(
        commit.sha, commit.date, commit.author, commit.email, commit.subject, commit.new_path, status,
        problem=after_problem or before_problem,
    )
    if entry.problem is None:
        entry.changes = _field_changes(before.meta if before else {}, after.meta if after else {})
    entry.added, entry.removed = _interaction_changes(before, after)
    return entry


def _deleted_path(repo: git.Repo, contacts_rel: str, handle: str) -> str | None:
    """The path a removed contact last had, from the commit that removed it."""
    out = repo.git(c="core.quotePath=false").log("--diff-filter=D", "--format=", "--name-only", "--", contacts_rel)
    return next((p for p in out.splitlines() if p.endswith(".md") and Path(p).stem == handle), None)


def _target(vault: Vault, repo: git.Repo, query: str) -> str:
    top = Path(repo.working_tree_dir or vault.root)
    try:
        contact = vault.get(query)
        assert contact.path is not None
        return Path(os.path.relpath(contact.path, top)).as_posix()
    except NotFoundError:
        removed = _deleted_path(repo, Path(os.path.relpath(vault.contacts_dir, top)).as_posix(), query)
        if removed is None or not is_valid(query):
            raise
        return removed


def history(vault: Vault, query: str, field_name: str | None = None) -> list[HistoryEntry]:
    """The commits that changed a contact, newest first; with ``field_name``, only those that changed it.

    ``query`` names a contact like every command does, or the handle of a removed one.
    """
    top = gitstore.repo_root(vault.root)
    if top is None:
        raise GitError(f"{vault.root}: not in a git repository, so there is no history")
    with git.Repo(top) as repo:
        if not repo.head.is_valid():
            return []
        rel = _target(vault, repo, query)
        try:
            commits = _log(repo, rel)
        except GitCommandError as exc:
            raise GitError(f"{top}: git log failed: {(exc.stderr or str(exc)).strip()}") from None
    specs = [f"{c.sha}^:{c.old_path}" for c in commits if not c.status.startswith("A")]
    specs += [f"{c.sha}:{c.new_path}" for c in commits if not c.status.startswith("D")]
    blobs = cat_files(top, specs)
    entries = [_entry(c, blobs) for c in commits]
    if field_name is None:
        return entries
    picked = []
    for entry in entries:
        changes = [c for c in entry.changes if c.field == field_name]
        if changes:
            picked.append(HistoryEntry(**{**entry.__dict__, "changes": changes, "added": [], "removed": []}))
    return picked
