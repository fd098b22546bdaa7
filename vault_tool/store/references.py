"""References between contact files, and the edits that keep them true when a handle goes away.

`mv` gives a contact a new handle and `merge` removes the merged ones: every relation naming the old
handle (format/relations.py), and every `company` that names an organisation by its handle (or by
its old name), is rewritten in the same commit; so is every deal (deals/) whose `contacts:` name the
old handle, or whose `company` names the organisation.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import ParseError, VaultError
from vault_tool.format import yamledit
from vault_tool.format.contact import QUOTED_FIELDS, Contact, as_list, parse
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
        front = yamledit.edit_mapping(source.front_matter, changes, source.newline, QUOTED_FIELDS, contact.meta)
    except yamledit.EditError as exc:
        raise VaultError(f"{contact.path}: cannot change {', '.join(changes)}: {exc}; edit the file by hand") from None
    return source.encode(source.with_front_matter(front))


def relations_value(value: dict[str, Any] | None) -> Any:
    """What to set `relations:` to: REMOVE (the key goes) when no relation is left."""
    return yamledit.REMOVE if value == {} else value


def reedit(
    contact: Contact, make: Callable[[Contact], dict[str, Any] | None],
    read: Callable[[Path, bytes], Contact] | None = None,
) -> Callable[[bytes], bytes | None]:
    """The edit of ``contact``'s file that ``make`` gives for the file's version it is applied to (read by
    ``read``: a contact file's parse when None)."""
    path = contact.path
    assert path is not None

    def edit(blob: bytes) -> bytes | None:
        version = read(path, blob) if read is not None else parse(path, blob, contact.handle)
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
    names one (by handle, or an organisation by its name), and every deal whose `contacts:` or `company`
    does; the files edited.

    Only files that hold one of those words are parsed.
    """
    from vault_tool.format.deal import parse_deal

    def deal(path: Path, data: bytes) -> Contact:
        return parse_deal(path, data, path.stem).record

    def contact(path: Path, data: bytes) -> Contact:
        return parse(path, data, path.stem)

    found = _rewrite(tx, renamed, vault.files(), contact, _referrer(renamed))
    return found + _rewrite(tx, renamed, vault.deal_files(), deal, _deal_referrer(renamed))


def _rewrite(
    tx: Transaction, renamed: Renamed, paths: list[Path], read: Callable[[Path, bytes], Contact],
    make: Callable[[Contact], dict[str, Any] | None],
) -> list[Path]:
    """Edit, in ``tx``, each of ``paths`` (read by ``read``) that ``make`` has changes for; the files edited."""
    needles = [text.lower().encode("utf-8") for text in (*renamed.handles, *renamed.names) if text.strip()]
    changed = []
    for path in paths:
        if path in renamed.skip:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(needle in data.lower() for needle in needles):
            continue
        try:
            record = read(path, data)
        except ParseError:
            continue  # a file that does not parse is never rewritten; `check` names it
        if make(record) is not None and tx.edit(path, reedit(record, make, read)):
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
        changes.update(_company_change(renamed, contact.meta))
        return changes or None

    return make


def _company_change(renamed: Renamed, meta: dict[str, Any]) -> dict[str, Any]:
    """`company` set to the new handle (or name) of the organisation it names by an old one; {} if it does not."""
    company = meta.get("company")
    if not isinstance(company, str):
        return {}
    names = {fold(old.strip()): new for old, new in renamed.names.items()}
    new_company = renamed.handles.get(company.strip()) or names.get(fold(company.strip()))
    return {"company": new_company} if new_company is not None and new_company != company else {}


def _deal_referrer(renamed: Renamed) -> Callable[[Contact], dict[str, Any] | None]:
    """The changes to a deal's front matter: its `contacts:` with each old handle replaced (once each), its
    `company` as a contact's."""
    def make(record: Contact) -> dict[str, Any] | None:
        changes = _company_change(renamed, record.meta)
        written = record.meta.get("contacts")
        handles = as_list(written)
        if any(handle in renamed.handles for handle in handles):
            new = list(dict.fromkeys(renamed.handles.get(handle, handle) for handle in handles))
            changes["contacts"] = new[0] if isinstance(written, str) and len(new) == 1 else new
        return changes or None

    return make


def document_files(vault: Vault, contact: Contact) -> list[tuple[str, Path]]:
    """(name, file) of each document the contact has on disk: every regular file in its folder, and the files
    its file fields name beside its file (a vault from before the folder). Links are never taken."""
    from vault_tool.format import documents

    root = vault.root
    folder = documents.folder_of(root, contact.handle)
    found = [(name, folder / name) for name in documents.folder_files(root, contact.handle)
             if documents.regular_file(folder / name, root) is not None]
    if contact.path is not None:
        for key, name in documents.listed(contact.meta):
            beside = contact.path.parent / name
            if (key in documents.FILE_FIELDS and documents.name_problem(name) is None
                    and all(n != name for n, _ in found) and documents.regular_file(beside, root) is not None):
                found.append((name, beside))
    return found


def remove_documents(vault: Vault, tx: Transaction, contact: Contact) -> None:
    """Remove, in ``tx``, every document of ``contact`` (`rm`)."""
    tx.delete_many([path for _, path in document_files(vault, contact)])


def carry_documents(vault: Vault, tx: Transaction, contact: Contact, handle: str,
                    taken: set[str] | None = None) -> dict[str, str]:
    """Move, in ``tx``, every document of ``contact`` into the folder of ``handle``; a name in ``taken`` (or in
    that folder) gets `-2`. The names that changed (old -> new), for the front matter that lists them."""
    from vault_tool.format import documents

    target = documents.folder_of(vault.root, handle)
    names = taken if taken is not None else set(documents.folder_files(vault.root, handle))  # grows as they move
    renamed: dict[str, str] = {}
    for name, path in document_files(vault, contact):
        new_name = documents.unique_name(name, names)
        names.add(new_name)
        if target / new_name != path:
            tx.move(path, target / new_name, lambda _blob: None)
        if new_name != name:
            renamed[name] = new_name
    return renamed


def renamed_documents(meta: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """The changes that make ``meta``'s `files:` and file fields (and `vcard:` lines naming a file) use the new
    names of ``renamed``."""
    from vault_tool.format.documents import DOCUMENT_KEYS

    def new(value: Any) -> Any:
        if isinstance(value, list):
            return [new(item) for item in value]
        return renamed.get(value, value) if isinstance(value, str) else value

    changes = {key: new(meta[key]) for key in (*DOCUMENT_KEYS, "vcard") if key in meta and new(meta[key]) != meta[key]}
    kept = meta.get("vcard")
    if isinstance(kept, dict):
        lines = {head: new(value) for head, value in kept.items()}
        if lines != kept:
            changes["vcard"] = lines
    return changes
