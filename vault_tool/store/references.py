"""References between contact files, and the edits that keep them true when a handle goes away.

`mv` gives a contact a new handle and `merge` removes the merged ones: every relation naming the old
handle (format/relations.py), and every `company` that names an organisation by its handle (or by
its old name), is rewritten in the same commit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import ParseError, VaultError
from vault_tool.format import yamledit
from vault_tool.format.contact import QUOTED_FIELDS, Contact, parse
from vault_tool.format.handles import fold
from vault_tool.format.relations import KEY, retargeted

if TYPE_CHECKING:
    from vault_tool.store.transaction import Transaction
    from vault_tool.store.vault import Vault


def edited(contact: Contact, changes: dict[str, Any]) -> bytes:
    """The contact's file with ``changes`` made to its front matter (minimal diff; REMOVE removes a key)."""
    source = contact.source
    assert source is not None and contact.path is not None
    try:
        front = yamledit.edit_mapping(source.front_matter, changes, source.newline, QUOTED_FIELDS)
    except yamledit.EditError as exc:
        raise VaultError(f"{contact.path}: cannot change {', '.join(changes)}: {exc}; edit the file by hand") from None
    return source.encode(source.with_front_matter(front))


def relations_value(value: dict[str, Any] | None) -> Any:
    """What to set `relations:` to: REMOVE (the key goes) when no relation is left."""
    return yamledit.REMOVE if value == {} else value


def reedit(contact: Contact, make: Callable[[Contact], dict[str, Any] | None]) -> Callable[[bytes], bytes | None]:
    """The edit of ``contact``'s file that ``make`` gives for the file's version it is applied to."""
    path = contact.path
    assert path is not None

    def edit(blob: bytes) -> bytes | None:
        version = parse(path, blob, contact.handle)
        changes = make(version)
        return None if changes is None else edited(version, changes)

    return edit


@dataclass
class Renamed:
    """What references to rewrite: handles (old -> new) and, for organisations, names (folded old -> new)."""

    handles: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)  # an organisation's old name as written -> its new one
    skip: set[Path] = field(default_factory=set)  # files the command writes or removes itself


def rewrite_references(vault: Vault, tx: Transaction, renamed: Renamed) -> list[Path]:
    """Edit, in ``tx``, every other contact whose relations name a handle of ``renamed`` or whose `company`
    names one (by handle, or an organisation by its name); the files edited.

    Only files that hold one of those words are parsed.
    """
    needles = [text.lower().encode("utf-8") for text in (*renamed.handles, *renamed.names) if text.strip()]
    changed = []
    for path in vault.files():
        if path in renamed.skip:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(needle in data.lower() for needle in needles):
            continue
        try:
            contact = parse(path, data, path.stem)
        except ParseError:
            continue  # a file that does not parse is never rewritten; `check` names it
        make = _referrer(renamed)
        if make(contact) is not None and tx.edit(path, reedit(contact, make)):
            changed.append(path)
    return changed


def _referrer(renamed: Renamed) -> Callable[[Contact], dict[str, Any] | None]:
    def make(contact: Contact) -> dict[str, Any] | None:
        changes: dict[str, Any] = {}
        relations: Any = contact.meta.get(KEY)
        for old, new in renamed.handles.items():
            relations = retargeted(relations, old, new, contact.handle) or relations
        if relations != contact.meta.get(KEY):
            changes[KEY] = relations_value(relations)
        company = contact.meta.get("company")
        if isinstance(company, str):
            names = {fold(old.strip()): new for old, new in renamed.names.items()}
            new_company = renamed.handles.get(company.strip()) or names.get(fold(company.strip()))
            if new_company is not None and new_company != company:
                changes["company"] = new_company
        return changes or None

    return make
