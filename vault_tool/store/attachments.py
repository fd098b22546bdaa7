"""A contact's documents: `contacts attach`, `detach` and `files`.

A document is stored in the contact's folder (format/documents.py: `files/<handle>/<name>`) and
listed in its front matter (`files: [contract.pdf]`), both in one commit, so a reviewer sees
the new file and the line that lists it, and the index re-reads the contact because its file
changed.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, NotFoundError, VaultError
from vault_tool.format import documents, yamledit
from vault_tool.format.config import size_text
from vault_tool.format.contact import Contact, as_list
from vault_tool.store.mutations import Change, finished
from vault_tool.store.references import reedit
from vault_tool.store.transaction import transaction

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault


@dataclass(frozen=True)
class Listed:
    """One document of a contact as `contacts files` shows it."""

    name: str
    key: str  # files, or the file field that names it (photo …)
    path: Path | None  # None: listed, but the file is missing
    size: int
    date: dt.date | None  # the day it was last committed (else last written)


def _source(path: Path, limit: int) -> bytes:
    """The bytes of the file to attach: a regular file within the size limit, read through no link."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise InvalidValueError(f"{path} is a symbolic link, which is never followed: attach {path.resolve()} itself")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidValueError(f"{path} is not a file: attach a file")
    if info.st_size > limit:
        raise InvalidValueError(
            f"{path.name} is {documents.shown_size(info.st_size)}, over the vault's {size_text(limit)} limit "
            "for a document (max_file_size in vault.yaml)"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None


def attach(vault: Vault, query: str, source: Path, name: str | None = None) -> Change:
    """Store ``source`` in the contact's folder as ``name`` (its own name if None; cleaned, `-2` on a clash),
    list it under `files:`, one commit."""
    wanted = documents.clean_name(name if name is not None else source.name)
    data = _source(source, vault.config.max_file_size)
    with transaction(vault) as tx:
        contact = vault.get(query)
        assert contact.path is not None
        folder = documents.folder_of(vault.root, contact.handle)
        if folder.exists() and documents.regular_folder(folder, vault.root) is None:
            raise VaultError(f"{folder}: not a folder (or a symbolic link, never followed): move it away first")
        taken = set(documents.folder_files(vault.root, contact.handle)) | {n for _, n in documents.listed(contact.meta)}
        stored = documents.unique_name(wanted, taken)
        tx.message = f"Attach {stored} to {contact.name}"
        tx.write(folder / stored, data)

        def make(version: Contact) -> dict[str, Any]:
            return {documents.KEY: [*as_list(version.meta.get(documents.KEY)), stored]}

        tx.edit(contact.path, reedit(contact, make))
    return finished(vault, tx, Change(contact.handle, folder / stored, tx.message))


def detach(vault: Vault, query: str, name: str) -> Change:
    """Remove the document ``name`` from the contact's folder (or beside its file) and from the field that
    lists it, one commit."""
    with transaction(vault) as tx:
        contact = vault.get(query)
        assert contact.path is not None
        keys = [key for key, listed in documents.listed(contact.meta) if listed == name]
        if not keys:
            names = [listed for _, listed in documents.listed(contact.meta)]
            shown = f": {', '.join(names)}" if names else ": it has none"
            raise NotFoundError(f"{contact.name} has no document '{name}' (contacts files {contact.handle} lists "
                                f"them{shown})")
        tx.message = f"Detach {name} from {contact.name}"
        path = documents.locate(vault.root, contact.handle, keys[0], name, contact.path)
        if path is not None:
            tx.delete(path)
        tx.edit(contact.path, reedit(contact, lambda version: _without(version.meta, name)))
    documents.prune(vault.root, [contact.handle])
    return finished(vault, tx, Change(contact.handle, contact.path, tx.message))


def _without(meta: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The front-matter changes that stop listing ``name``: out of `files:` and any file field, and the `vcard:`
    lines that hold it (what an export would write with the file's data)."""
    changes: dict[str, Any] = {}
    for key in documents.DOCUMENT_KEYS:
        if key not in meta:
            continue
        if name in as_list(meta[key]):
            rest = _dropped(meta[key], name)
            changes[key] = yamledit.REMOVE if rest is None else rest
    kept = meta.get("vcard")
    if isinstance(kept, dict):
        lines = {head: _dropped(value, name) for head, value in kept.items()}
        lines = {head: value for head, value in lines.items() if value is not None}
        if lines != kept:
            changes["vcard"] = lines or yamledit.REMOVE
    return changes or None


def _dropped(value: Any, name: str) -> Any:
    """A value (one name, or a list of them) without ``name``: a list stays a list (None: nothing left)."""
    if isinstance(value, list):
        rest = [item for item in value if item != name]
        return rest or None
    return None if value == name else value


def listing(vault: Vault, query: str) -> tuple[Contact, list[Listed]]:
    """The contact and its documents, in the order its front matter lists them."""
    contact = vault.get(query)
    found = documents.documents_of(vault.root, contact.handle, contact.meta, contact.path)
    days = _commit_days(vault, [doc.path for doc in found if doc.path is not None])
    return contact, [
        Listed(doc.name, doc.key, doc.path, doc.size, days.get(doc.path) if doc.path else None)
        for doc in found
    ]


def _commit_days(vault: Vault, paths: list[Path]) -> dict[Path, dt.date]:
    """The day each file was last committed; its modification day where git has none."""
    from vault_tool.store import git as gitcli

    top = gitcli.repo_root(vault.root)
    days: dict[Path, dt.date] = {}
    for path in paths:
        out = gitcli.run_status(top, ["log", "-1", "--format=%cs", "--", str(path)]) if top else b""
        text = out.decode("ascii", "replace").strip()
        try:
            days[path] = dt.date.fromisoformat(text) if text else dt.date.fromtimestamp(path.lstat().st_mtime)
        except (OSError, ValueError):
            continue
    return days
