"""Every change a command makes to a vault: under the lock, atomic, minimal, then committed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, NotFoundError
from vault_tool.format import yamledit
from vault_tool.format.body import LOGGED_MARK, Interaction, render_interaction
from vault_tool.format.contact import (
    LIST_FIELDS,
    SINGLE_LINE_FIELDS,
    Contact,
    append_section,
    parse,
    render,
)
from vault_tool.format.documents import prune
from vault_tool.format.fields import check_phones, coerce, contact_phones, list_items
from vault_tool.format.handles import slugify, unique
from vault_tool.format.ids import new_uid
from vault_tool.output import plural
from vault_tool.store.git import CommitResult, identity_hint
from vault_tool.store.references import edited as _edit_front_matter
from vault_tool.store.transaction import IDENTITY_MARKER, Transaction, transaction

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault


@dataclass
class Change:
    """What a command changed: the contact, its file, and the commit (None if not committed)."""

    handle: str
    path: Path
    message: str
    changed: bool = True
    commit: CommitResult | None = None
    hint: str | None = None
    warnings: list[str] = field(default_factory=list)  # written, but doubtful: a phone number no one has


def finished(vault: Vault, tx: Transaction, change: Change) -> Change:
    """``change`` with what ``tx`` committed, and the identity hint the first time it is needed."""
    change.changed = bool(tx.paths)
    if tx.result.sha:
        change.commit = tx.result
        change.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return change


def _check_text(label: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise InvalidValueError(f"{label} must be one line")
    return value.strip()


def _check_lines(field: str, values: list[str]) -> list[str]:
    """``values`` if ``field`` takes one line each and none holds a line break; InvalidValueError otherwise."""
    if field in SINGLE_LINE_FIELDS:
        for value in values:
            _check_text(f"each value of {field}" if field in LIST_FIELDS else field, value)
    return values


@dataclass(frozen=True)
class Records:
    """What a change is made to: contacts, or deals (deals/changes.py), which are written as contacts are.

    ``find``: the one record a query names, read under the lock; ``read``: a version of its file
    (as committed, as staged) read again, so that the change can be made to it too.
    """

    find: Callable[[Vault, str], Contact]
    read: Callable[[Path, bytes, str], Contact]


CONTACTS = Records(lambda vault, query: vault.get(query), lambda path, data, handle: parse(path, data, handle))


def _mutate(
    vault: Vault, query: str, make: Callable[[Contact], tuple[bytes | None, str]], records: Records = CONTACTS,
) -> Change:
    """Re-read the record under the lock, apply what ``make`` returns, commit only that change."""
    with transaction(vault) as tx:
        contact = records.find(vault, query)
        path = contact.path
        assert path is not None
        data, tx.message = make(contact)
        if data is not None:
            tx.edit(path, lambda blob: make(records.read(path, blob, contact.handle))[0], work=data)
    return finished(vault, tx, Change(contact.handle, path, tx.message))


def mutate(vault: Vault, query: str, make: Callable[[Contact], tuple[bytes | None, str]]) -> Change:
    """The change pattern, for modules that add changes of their own.

    Under the vault's lock, re-read the contact ``query`` names and call ``make`` with it;
    ``make`` returns the new bytes of its file (None: nothing to change) and the commit
    message. The same ``make`` is applied to the file as committed, so that the commit holds
    only this change (transaction.py); the bytes are written atomically and committed.
    """
    return _mutate(vault, query, make)


@dataclass(frozen=True)
class Edit:
    """A change to make to each contact it is given: by one command to one contact, or to many (bulk.py).

    ``make``: the contact's file with the change (None: nothing to change) and the message for it alone;
    ``summary``: the message for ``n`` contacts changed at once; ``warn``: what is written but doubtful;
    ``body``: whether they read the contact's notes, interactions and tasks (False: its front matter
    alone, and a bulk edit reads each file without parsing the rest, contact.parse).
    """

    make: Callable[[Contact], tuple[bytes | None, str]]
    summary: Callable[[int], str]
    warn: Callable[[Contact], list[str]] = lambda _contact: []
    body: bool = True


def counted(n: int) -> str:
    """`1 contact`, `12 contacts`: what a message about many contacts names."""
    return plural(n, "contact")


def apply_edit(vault: Vault, query: str, edit: Edit, records: Records = CONTACTS) -> Change:
    """``edit`` made to the one contact (deal) ``query`` names (see :func:`mutate`), with its warnings."""
    warnings: list[str] = []

    def make(contact: Contact) -> tuple[bytes | None, str]:
        warnings[:] = edit.warn(contact)
        return edit.make(contact)

    change = _mutate(vault, query, make, records)
    change.warnings = warnings
    return change


def add(vault: Vault, name: str, fields: dict[str, list[str]], note: str = "") -> Change:
    """Write a new contact file; ``fields`` maps field names to the words given for them."""
    name = _check_text("the name", name)
    if not name:
        raise InvalidValueError("give the contact a name")
    meta: dict[str, Any] = {"name": name}
    for key, values in fields.items():
        if key in ("name", "uid"):
            raise InvalidValueError(f"{key} is set by 'contacts add' itself")
        value = coerce(key, _check_lines(key, values), vault.config)
        if value not in ([], None):
            meta[key] = value
    warnings = check_phones(contact_phones(meta, vault.config), meta, vault.config)
    meta["uid"] = new_uid()
    with transaction(vault, f"Add {name}") as tx:
        handle = unique(slugify(name), vault.taken_handles())
        path = vault.contacts_dir / f"{handle}.md"
        tx.write(path, render(Contact(handle, meta, notes=note)).encode("utf-8"))
    return finished(vault, tx, Change(handle, path, tx.message, warnings=warnings))


def _new_phones(vault: Vault, contact: Contact, key: str, value: Any) -> list[str]:
    """Check the phone numbers ``value`` gives ``key`` of ``contact`` in its region; the warnings."""
    spec = vault.config.fields.get(key)
    if key != "phones" and (spec is None or spec.type != "phone"):
        return []
    values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return check_phones(values, {**contact.meta, key: value}, vault.config)


def set_field(vault: Vault, query: str, field: str, values: list[str]) -> Change:
    """Set one field (a list field to exactly ``values``)."""
    return apply_edit(vault, query, set_edit(vault, field, values))


def set_edit(vault: Vault, field: str, values: list[str]) -> Edit:
    """What `set` does to a contact: ``field`` set to ``values`` (checked and typed once, here)."""
    value = coerce(field, _check_lines(field, values), vault.config)
    edit = value_edit(field, value)
    return Edit(edit.make, edit.summary, lambda contact: _new_phones(vault, contact, field, value), body=edit.body)


def value_edit(field: str, value: Any) -> Edit:
    """``field`` set to ``value``, already checked and typed (a contact's by `set_edit`, a deal's by deals/)."""
    shown = _describe(value) if not isinstance(value, (list, dict)) else None
    to = f" to {shown}" if shown else ""

    def make(contact: Contact) -> tuple[bytes | None, str]:
        if _same(contact.meta.get(field), value):
            return None, f"{contact.name}: {field} is already {_describe(value)}"
        return _edit_front_matter(contact, {field: value}), f"Set {field} of {contact.name}{to}"

    return Edit(make, lambda n: f"Set {field} of {counted(n)}{to}", body=False)


def _same(old: Any, new: Any) -> bool:
    """Whether a field already holds ``new``: a number of the same type (`12000.0` is not `12000`)."""
    return bool(old == new) and (not isinstance(new, (int, float)) or type(old) is type(new))


def unset(vault: Vault, query: str, field: str) -> Change:
    return apply_edit(vault, query, unset_edit(field))


def unset_edit(field: str, strict: bool = True) -> Edit:
    """What `unset` does to a contact; one without ``field`` is an error if ``strict``, else unchanged."""
    if field == "name":
        raise InvalidValueError("a contact needs a name: use 'contacts set CONTACT name NEW' or 'contacts mv'")

    def make(contact: Contact) -> tuple[bytes | None, str]:
        if field not in contact.meta:
            if strict:
                raise NotFoundError(f"{contact.name} has no field '{field}'")
            return None, f"{contact.name} has no field '{field}'"
        return _edit_front_matter(contact, {field: yamledit.REMOVE}), f"Unset {field} of {contact.name}"

    return Edit(make, lambda n: f"Unset {field} of {counted(n)}", body=False)


def change_list(vault: Vault, query: str, field: str, add: list[str], remove: list[str]) -> Change:
    """Add and remove items of a list field (emails, phones, tags)."""
    return apply_edit(vault, query, list_edit(vault, field, add, remove))


def list_edit(vault: Vault, field: str, add: list[str], remove: list[str], strict: bool = True) -> Edit:
    """What `set --add/--remove` and `tag` do to a contact; removing an item it does not have is an
    error if ``strict``, else there is nothing of it to remove."""
    if field not in LIST_FIELDS:
        raise InvalidValueError(f"{field} is not a list field ({', '.join(LIST_FIELDS)})")
    adding = list_items(field, _check_lines(field, add), vault.config)
    removing = [r.strip() for r in remove]

    def make(contact: Contact) -> tuple[bytes | None, str]:
        current = contact.list_field(field)
        missing = [r for r in removing if r not in current]
        if missing and strict:
            raise NotFoundError(f"{contact.name} has no {field[:-1]} {', '.join(missing)}")
        new = [v for v in current if v not in removing] + [a for a in adding if a not in current]
        if new == current:
            return None, f"{contact.name}: {field} unchanged"
        return _edit_front_matter(contact, {field: new}), _list_message(contact.name, field, adding, removing)

    return Edit(make, lambda n: _list_message(counted(n), field, adding, removing),
                lambda contact: _new_phones(vault, contact, field, adding) if adding else [], body=False)


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
    if item.summary.endswith(LOGGED_MARK):
        raise InvalidValueError(f"a summary may not end with {LOGGED_MARK}: it marks an interaction as logged")
    if item.kind not in vault.config.interaction_kinds:
        kinds = ", ".join(vault.config.interaction_kinds)
        raise InvalidValueError(f"'{item.kind}' is not an interaction kind in vault.yaml ({kinds})")


def with_interaction(contact: Contact, item: Interaction) -> bytes:
    """The contact's file with ``item`` appended as a section; no existing byte changes."""
    source = contact.source
    assert source is not None
    return source.encode(append_section(source.text, render_interaction(item, source.newline), source.newline))


def log(vault: Vault, query: str, item: Interaction) -> Change:
    """Append an interaction that happened to the end of the contact's file; no existing byte changes.

    One dated today is marked as logged (LOGGED_MARK), so that it is never read as an appointment;
    a date after today is refused: an appointment is `followups.edits.schedule`'s.
    """
    return apply_edit(vault, query, log_edit(vault, item))


def log_edit(vault: Vault, item: Interaction) -> Edit:
    """What `log` does to a contact: ``item`` (checked here) appended as a section."""
    today = vault.today()
    if item.date > today:
        raise InvalidValueError(
            f"{item.date.isoformat()} is in the future: 'log' records what happened "
            "(use 'contacts meet' to schedule an appointment)"
        )
    check_interaction(vault, item)
    item = replace(item, logged=item.date == today)

    def make(contact: Contact) -> tuple[bytes | None, str]:
        return with_interaction(contact, item), f"Log {item.kind} with {contact.name}"

    return Edit(make, lambda n: f"Log {item.kind} with {counted(n)}")


def remove(vault: Vault, query: str) -> Change:
    """Delete the contact's file and commit the removal (refused if it has uncommitted changes)."""
    with transaction(vault) as tx:
        contact = vault.get(query)
        assert contact.path is not None
        tx.message = f"Remove {contact.name}"
        tx.delete(contact.path)
        from vault_tool.store.references import remove_documents

        remove_documents(vault, tx, contact)  # its documents go with it, in this commit
    prune(vault.root, [contact.handle])
    return finished(vault, tx, Change(contact.handle, contact.path, tx.message))


def rename(vault: Vault, query: str, new_name: str) -> Change:
    """Set a new name and move the file to the handle made from it; the relations of other contacts that name
    its handle, and their `company` values that name it (an organisation, by handle or name), follow it."""
    new_name = _check_text("the name", new_name)
    if not new_name:
        raise InvalidValueError("give the new name")
    with transaction(vault) as tx:
        contact = vault.get(query)
        old = contact.path
        assert old is not None
        handle = unique(slugify(new_name), vault.taken_handles() - {contact.handle})
        new = old.with_name(f"{handle}.md")
        if new == old and contact.meta.get("name") == new_name:
            return Change(contact.handle, old, f"{contact.name} is already called that ({handle})", changed=False)
        tx.message = f"Rename {contact.name} to {new_name}"

        def renamed(blob: bytes) -> bytes:
            return _edit_front_matter(parse(old, blob, contact.handle), {"name": new_name})

        from vault_tool.store.references import Renamed, carry_documents, rewrite_references

        if new == old:
            tx.edit(old, renamed)
        else:
            tx.move(old, new, renamed)
        if handle != contact.handle:  # its documents move to the new handle's folder, in this commit
            _refuse_taken_folder(vault, handle)
            carry_documents(vault, tx, contact, handle)

        names = {contact.name: new_name} if contact.kind == "organization" and contact.name != new_name else {}
        moved = {contact.handle: handle} if handle != contact.handle else {}
        if moved or names:  # relations and `company` values elsewhere that name it follow it, in this commit
            rewrite_references(vault, tx, Renamed(moved, names, {old, new}))
    prune(vault.root, [contact.handle])
    return finished(vault, tx, Change(handle, new, tx.message))


def _refuse_taken_folder(vault: Vault, handle: str) -> None:
    """A new handle whose documents folder holds files already (left by no contact) is refused: whose are they?"""
    from vault_tool.errors import VaultError
    from vault_tool.format.documents import folder_files, folder_of

    if folder_files(vault.root, handle):
        folder = folder_of(vault.root, handle)
        raise VaultError(f"{folder} holds files of no contact: move or remove them first (they would become "
                         f"the documents of the renamed contact)")


def commit_edit(vault: Vault, contact: Contact, before: bytes) -> Change:
    """After `contacts edit`: commit the file as the person saved it, if it changed.

    The person has just seen and saved the whole file, so all of it is their change.
    """
    assert contact.path is not None
    if contact.path.read_bytes() == before:
        unchanged = f"{contact.name}: nothing changed, nothing committed"
        return Change(contact.handle, contact.path, unchanged, changed=False)
    with transaction(vault, f"Edit {contact.name}") as tx:
        tx.take(contact.path)
    return finished(vault, tx, Change(contact.handle, contact.path, tx.message))
