"""Every change a command makes to a vault: under the lock, atomic, minimal, then committed."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import yamledit
from .body import Interaction, render_interaction
from .contact import LIST_FIELDS, QUOTED_FIELDS, Contact, append_section, render
from .errors import InvalidValueError, NotFoundError, VaultError
from .fields import coerce, list_items
from .fileio import atomic_write, locked
from .handles import slugify, unique
from .ids import new_uid

if TYPE_CHECKING:
    from .gitstore import CommitResult
    from .vault import Vault

IDENTITY_MARKER = "identity-hint-shown"  # in .vault/: the git identity hint was shown once


@dataclass
class Change:
    """What a command changed: the contact, its file, and the commit (None if not committed)."""

    handle: str
    path: Path
    message: str
    changed: bool = True
    commit: CommitResult | None = None
    hint: str | None = None


@contextmanager
def vault_lock(vault: Vault) -> Iterator[None]:
    with locked(vault.state_dir / "lock"):
        yield


def commit_change(vault: Vault, change: Change, paths: list[Path], many: bool = False) -> Change:
    """Commit ``paths`` with the change's message when the vault commits automatically.

    ``many``: thousands of paths (an import), committed without a pathspec per file (gitbatch.py).
    """
    from . import gitstore

    if not change.changed or not vault.auto_commit or gitstore.repo_root(vault.root) is None:
        return change
    if many:
        from .gitbatch import commit_files

        change.commit = commit_files(paths, change.message, vault.root)
    else:
        change.commit = gitstore.commit(paths, change.message, vault.root)
    change.hint = gitstore.identity_hint(change.commit, vault.state_dir / IDENTITY_MARKER)
    return change


def _edit_front_matter(contact: Contact, changes: dict[str, Any]) -> bytes:
    source = contact.source
    assert source is not None and contact.path is not None
    try:
        front = yamledit.edit_mapping(source.front_matter, changes, source.newline, QUOTED_FIELDS)
    except yamledit.EditError as exc:
        raise VaultError(f"{contact.path}: cannot change {', '.join(changes)}: {exc}; edit the file by hand") from None
    return source.encode(source.with_front_matter(front))


def _check_text(label: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise InvalidValueError(f"{label} must be one line")
    return value.strip()


def _mutate(vault: Vault, query: str, make: Callable[[Contact], tuple[bytes | None, str]]) -> Change:
    """Re-read the contact under the lock, write what ``make`` returns, commit it."""
    with vault_lock(vault):
        contact = vault.get(query)
        assert contact.path is not None
        data, message = make(contact)
        if data is None:
            return Change(contact.handle, contact.path, message, changed=False)
        atomic_write(contact.path, data)
        change = Change(contact.handle, contact.path, message)
        return commit_change(vault, change, [contact.path])


def mutate(vault: Vault, query: str, make: Callable[[Contact], tuple[bytes | None, str]]) -> Change:
    """The change pattern, for modules that add changes of their own.

    Under the vault's lock, re-read the contact ``query`` names and call ``make`` with it;
    ``make`` returns the new bytes of its file (None: nothing to change) and the commit
    message. The bytes are written atomically and committed.
    """
    return _mutate(vault, query, make)


def add(vault: Vault, name: str, fields: dict[str, list[str]], note: str = "") -> Change:
    """Write a new contact file; ``fields`` maps field names to the words given for them."""
    name = _check_text("the name", name)
    if not name:
        raise InvalidValueError("give the contact a name")
    meta: dict[str, Any] = {"name": name}
    for key, values in fields.items():
        if key in ("name", "uid"):
            raise InvalidValueError(f"{key} is set by 'contacts add' itself")
        value = coerce(key, values, vault.config)
        if value not in ([], None):
            meta[key] = value
    meta["uid"] = new_uid()
    with vault_lock(vault):
        handle = unique(slugify(name), {p.stem for p in vault.files()})
        path = vault.contacts_dir / f"{handle}.md"
        vault.contacts_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, render(Contact(handle, meta, notes=note)).encode("utf-8"))
        return commit_change(vault, Change(handle, path, f"Add {name}"), [path])


def set_field(vault: Vault, query: str, field: str, values: list[str]) -> Change:
    """Set one field (a list field to exactly ``values``)."""
    value = coerce(field, values, vault.config)

    def make(contact: Contact) -> tuple[bytes | None, str]:
        if contact.meta.get(field) == value:
            return None, f"{contact.name}: {field} is already {_describe(value)}"
        shown = _describe(value) if not isinstance(value, (list, dict)) else None
        message = f"Set {field} of {contact.name}" + (f" to {shown}" if shown else "")
        return _edit_front_matter(contact, {field: value}), message

    return _mutate(vault, query, make)


def unset(vault: Vault, query: str, field: str) -> Change:
    if field == "name":
        raise InvalidValueError("a contact needs a name: use 'contacts set CONTACT name NEW' or 'contacts mv'")

    def make(contact: Contact) -> tuple[bytes | None, str]:
        if field not in contact.meta:
            raise NotFoundError(f"{contact.name} has no field '{field}'")
        return _edit_front_matter(contact, {field: yamledit.REMOVE}), f"Unset {field} of {contact.name}"

    return _mutate(vault, query, make)


def change_list(vault: Vault, query: str, field: str, add: list[str], remove: list[str]) -> Change:
    """Add and remove items of a list field (emails, phones, tags)."""
    if field not in LIST_FIELDS:
        raise InvalidValueError(f"{field} is not a list field ({', '.join(LIST_FIELDS)})")
    adding = list_items(field, add, vault.config)
    removing = [r.strip() for r in remove]

    def make(contact: Contact) -> tuple[bytes | None, str]:
        current = contact.list_field(field)
        missing = [r for r in removing if r not in current]
        if missing:
            raise NotFoundError(f"{contact.name} has no {field[:-1]} {', '.join(missing)}")
        new = [v for v in current if v not in removing] + [a for a in adding if a not in current]
        if new == current:
            return None, f"{contact.name}: {field} unchanged"
        return _edit_front_matter(contact, {field: new}), _list_message(contact.name, field, adding, removing)

    return _mutate(vault, query, make)


def _list_message(name: str, field: str, added: list[str], removed: list[str]) -> str:
    if field == "tags":
        return f"Tag {name} " + " ".join([f"+{a}" for a in added] + [f"-{r}" for r in removed])
    parts = []
    if added:
        parts.append(f"Add {', '.join(added)} to {field} of {name}")
    if removed:
        parts.append(f"{'remove' if parts else 'Remove'} {', '.join(removed)} from {field} of {name}")
    return "; ".join(parts)


def _describe(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def check_interaction(vault: Vault, item: Interaction) -> None:
    """A one-line summary and a kind that vault.yaml lists, or InvalidValueError."""
    item.summary = _check_text("the summary", item.summary)
    if item.kind not in vault.config.interaction_kinds:
        kinds = ", ".join(vault.config.interaction_kinds)
        raise InvalidValueError(f"'{item.kind}' is not an interaction kind in vault.yaml ({kinds})")


def with_interaction(contact: Contact, item: Interaction) -> bytes:
    """The contact's file with ``item`` appended as a section; no existing byte changes."""
    source = contact.source
    assert source is not None
    return source.encode(append_section(source.text, render_interaction(item, source.newline), source.newline))


def log(vault: Vault, query: str, item: Interaction) -> Change:
    """Append an interaction section to the end of the contact's file; no existing byte changes."""
    check_interaction(vault, item)

    def make(contact: Contact) -> tuple[bytes | None, str]:
        verb = "Schedule" if item.date > vault.today() else "Log"
        return with_interaction(contact, item), f"{verb} {item.kind} with {contact.name}"

    return _mutate(vault, query, make)


def remove(vault: Vault, query: str) -> Change:
    """Delete the contact's file and commit the removal."""
    with vault_lock(vault):
        contact = vault.get(query)
        assert contact.path is not None
        try:
            contact.path.unlink()
        except OSError as exc:
            raise VaultError(f"{contact.path}: cannot remove ({exc.strerror})") from None
        change = Change(contact.handle, contact.path, f"Remove {contact.name}")
        return commit_change(vault, change, [contact.path])


def rename(vault: Vault, query: str, new_name: str) -> Change:
    """Set a new name and move the file to the handle made from it (`git mv` when tracked)."""
    new_name = _check_text("the name", new_name)
    if not new_name:
        raise InvalidValueError("give the new name")
    from . import gitstore

    with vault_lock(vault):
        contact = vault.get(query)
        old = contact.path
        assert old is not None
        handle = unique(slugify(new_name), {p.stem for p in vault.files()} - {contact.handle})
        new = old.with_name(f"{handle}.md")
        if new == old and contact.meta.get("name") == new_name:
            return Change(contact.handle, old, f"{contact.name} is already called that ({handle})", changed=False)
        data = _edit_front_matter(contact, {"name": new_name})
        if new != old:
            if gitstore.repo_root(vault.root) is not None:
                gitstore.move(old, new, vault.root)
            else:
                try:
                    old.rename(new)
                except OSError as exc:
                    raise VaultError(f"{old}: cannot rename ({exc.strerror})") from None
        atomic_write(new, data)
        change = Change(handle, new, f"Rename {contact.name} to {new_name}")
        return commit_change(vault, change, [old, new] if new != old else [new])


def commit_edit(vault: Vault, contact: Contact, before: bytes) -> Change:
    """After a hand edit: commit the file if it changed (the caller has checked that it parses)."""
    assert contact.path is not None
    with vault_lock(vault):
        changed = contact.path.read_bytes() != before
        change = Change(contact.handle, contact.path, f"Edit {contact.name}", changed=changed)
        return commit_change(vault, change, [contact.path])
