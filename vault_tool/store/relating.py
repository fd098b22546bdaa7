"""Relations as changes: `link` and `unlink` (the references `mv` and `merge` rewrite: references.py).

A relation is written in one file only (format/relations.py): `link ada reports_to charles` writes
`reports_to: charles-babbage` under Ada's `relations:`, and `link charles manages ada` writes
`manages: ada-lovelace` under Charles's: always in the file of the contact named first, with the
type as given. Either way round, a relation that is already there (on either side) is not
written again; `unlink` removes it from whichever side holds it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, NotFoundError
from vault_tool.format.contact import Contact
from vault_tool.format.relations import (
    KEY,
    check_type,
    inverses,
    targets,
    with_relation,
    without_relation,
)
from vault_tool.store.mutations import Change, finished
from vault_tool.store.references import reedit, relations_value
from vault_tool.store.transaction import transaction

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault


def _holds(contact: Contact, type_: str, handle: str) -> bool:
    value = contact.meta.get(KEY)
    return isinstance(value, dict) and handle in targets(value.get(type_))


def link(vault: Vault, one: str, type_: str, other: str) -> Change:
    """Write that ``one`` is ``type_`` of ``other`` in ``one``'s file; unchanged if either side says so already."""
    check_type(type_, vault.config.relations)
    inverse = inverses(vault.config.relations)[type_]
    with transaction(vault) as tx:
        first, second = vault.get(one), vault.get(other)
        assert first.path is not None
        if first.handle == second.handle:
            raise InvalidValueError(f"{first.name} cannot be related to themselves: name two contacts")
        what = f"{first.name} {type_} {second.name}"
        if _holds(first, type_, second.handle) or _holds(second, inverse, first.handle):
            return Change(first.handle, first.path, f"{what}: already linked, nothing changed", changed=False)
        tx.message = f"Link {what}"

        def make(version: Contact) -> dict[str, Any] | None:
            added = with_relation(version.meta.get(KEY), type_, second.handle)
            return None if added is None else {KEY: added}

        tx.edit(first.path, reedit(first, make))
    return finished(vault, tx, Change(first.handle, first.path, tx.message))


def unlink(vault: Vault, one: str, type_: str, other: str) -> Change:
    """Remove that ``one`` is ``type_`` of ``other``, from whichever file says so (both, if both do).

    ``other`` may be a handle no contact has any more (a relation left behind by a removal).
    """
    check_type(type_, vault.config.relations)
    inverse = inverses(vault.config.relations)[type_]
    with transaction(vault) as tx:
        first = vault.get(one)
        assert first.path is not None
        second = _other(vault, first, type_, other)
        holders = [(c, t, h) for c, t, h in ((first, type_, second[0]), (second[1], inverse, first.handle))
                   if c is not None and _holds(c, t, h)]
        what = f"{first.name} {type_} {second[1].name if second[1] is not None else second[0]}"
        if not holders:
            raise NotFoundError(f"{what}: no such relation in either file (contacts show {first.handle} lists them)")
        tx.message = f"Unlink {what}"
        for contact, kind, handle in holders:
            assert contact.path is not None
            tx.edit(contact.path, reedit(contact, _remover(kind, handle)))
    return finished(vault, tx, Change(first.handle, first.path, tx.message))


def _remover(kind: str, handle: str) -> Callable[[Contact], dict[str, Any] | None]:
    def make(version: Contact) -> dict[str, Any] | None:
        left = without_relation(version.meta.get(KEY), kind, handle)
        return None if left is None else {KEY: relations_value(left)}

    return make


def _other(vault: Vault, first: Contact, type_: str, query: str) -> tuple[str, Contact | None]:
    """The handle ``query`` names and its contact; a handle ``first`` relates to that has no file, with None."""
    try:
        found = vault.get(query)
        return found.handle, found
    except NotFoundError:
        if _holds(first, type_, query):
            return query, None
        raise
