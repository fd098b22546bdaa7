"""Saving and removing segments: one entry of vault.yaml's `segments:` changed in place, under the
vault's lock, and committed (segments.py lists them)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError, NotFoundError, VaultError
from vault_tool.format import configedit, yamledit
from vault_tool.format.config import load_config
from vault_tool.format.layout import CONFIG_NAME
from vault_tool.reports.segments import check_name, count
from vault_tool.store.mutations import Change, finished
from vault_tool.store.transaction import Transaction, transaction

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault


def _write(tx: Transaction, name: str, value: object) -> None:
    """Set (or with configedit.REMOVE remove) segment ``name`` in vault.yaml, as committed and as on disk."""
    path = tx.vault.root / CONFIG_NAME

    def edited(data: bytes) -> bytes:
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = configedit.set_entry(data.decode("utf-8-sig"), "segments", name, value)
        except (yamledit.EditError, UnicodeDecodeError) as exc:
            raise VaultError(f"{path}: cannot change segment '{name}' ({exc}); edit the file by hand") from None
        return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    tx.edit(path, edited)


def save_segment(vault: Vault, name: str, query: str, replace: bool = False) -> tuple[Change, int]:
    """Save ``query`` as segment ``name``; return the change and how many contacts it matches now."""
    check_name(name, query)
    query = query.strip()
    matches = count(vault, query)  # a query that does not run is not saved
    with transaction(vault) as tx:
        current = load_config(vault.root).segments
        if name in current and current[name] == query:
            same = Change(name, vault.root / CONFIG_NAME, f"Segment {name} is already '{query}'", changed=False)
            return same, matches
        if name in current and not replace:
            raise InvalidValueError(f"segment '{name}' already exists ('{current[name]}'): add --replace to change it")
        tx.message = f"{'Change' if name in current else 'Save'} segment {name}"
        _write(tx, name, query)
    return finished(vault, tx, Change(name, vault.root / CONFIG_NAME, tx.message)), matches


def remove_segment(vault: Vault, name: str) -> Change:
    """Remove segment ``name`` from vault.yaml."""
    check_name(name, None)
    with transaction(vault, f"Remove segment {name}") as tx:
        current = load_config(vault.root).segments
        if name not in current:
            known = ", ".join(sorted(current)) or "none yet"
            raise NotFoundError(f"no segment '{name}' in vault.yaml (segments: {known})")
        _write(tx, name, configedit.REMOVE)
    return finished(vault, tx, Change(name, vault.root / CONFIG_NAME, tx.message))
