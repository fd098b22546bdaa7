"""Merging contacts that are one person: fields (lists unioned, conflicts named), notes and interactions.

The pure part (:func:`combine`, :func:`merged_text`) is shared by
``contacts merge`` and ``contacts import --on-duplicate merge``: both change
the kept file with a minimal diff (only the fields that change, notes and
interactions added after what is there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.format import yamledit
from vault_tool.format.body import Interaction, escape_text, normalise_text, render_interaction
from vault_tool.format.contact import LIST_FIELDS, QUOTED_FIELDS, Contact, append_section, as_list
from vault_tool.format.identity import email_key, phone_key
from vault_tool.format.relations import KEY as RELATIONS
from vault_tool.format.relations import merged as merged_relations
from vault_tool.format.relations import targets

if TYPE_CHECKING:
    from vault_tool.store.mutations import Change
    from vault_tool.store.transaction import Transaction
    from vault_tool.store.vault import Vault

PREFERENCES = ("keep", "other")
_UNION_MAPPINGS = frozenset({"vcard"})  # mappings whose same keys are unioned, never a conflict
_IDENTITY = frozenset({"uid"})  # the kept contact's value stays, without asking


@dataclass
class Conflict:
    """A field that holds different values in the contacts being merged (the kept one's first)."""

    field: str
    values: list[tuple[str, Any]]  # (handle, value), the kept contact first


@dataclass
class Combined:
    meta: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)  # the ones not resolved


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _union(key: str, lists: list[list[str]], region: str) -> list[str]:
    def identity(item: str) -> str:
        if key == "emails":
            return email_key(item) or item
        if key == "phones":
            return phone_key(item, region) or item
        return item

    out: list[str] = []
    seen: set[str] = set()
    for items in lists:
        for item in items:
            same = identity(item)
            if same not in seen:
                seen.add(same)
                out.append(item)
    return out


def _union_mapping(mappings: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            if key not in out:
                out[key] = value
                continue
            items = as_list(out[key]) + [v for v in as_list(value) if v not in as_list(out[key])]
            out[key] = items[0] if len(items) == 1 else items
    return out


def _resolve(conflict: Conflict, choices: dict[str, Any], prefer: str | None) -> tuple[bool, Any]:
    if conflict.field in choices:
        return True, choices[conflict.field]
    if prefer == "keep":
        return True, conflict.values[0][1]
    if prefer == "other":
        return True, conflict.values[1][1]
    return False, conflict.values[0][1]


def _scalar(name: str, values: list[tuple[str, Any]], choices: dict[str, Any], prefer: str | None,
            conflicts: list[Conflict]) -> Any:
    distinct: list[tuple[str, Any]] = []
    for handle, value in values:
        if all(str(value) != str(v) for _, v in distinct):
            distinct.append((handle, value))
    if len(distinct) == 1 or name in _IDENTITY:
        return distinct[0][1]
    conflict = Conflict(name, distinct)
    resolved, value = _resolve(conflict, choices, prefer)
    if not resolved:
        conflicts.append(conflict)
    return value


def _mapping(name: str, values: list[tuple[str, dict[str, Any]]], choices: dict[str, Any], prefer: str | None,
             conflicts: list[Conflict]) -> dict[str, Any]:
    if name in _UNION_MAPPINGS:
        return _union_mapping([v for _, v in values])
    keys = list(dict.fromkeys(k for _, mapping in values for k in mapping))
    return {
        key: _scalar(f"{name}.{key}", [(h, m[key]) for h, m in values if not _empty(m.get(key))],
                     choices, prefer, conflicts)
        for key in keys
    }


def combine(metas: list[tuple[str, dict[str, Any]]], region: str, choices: dict[str, Any] | None = None,
            prefer: str | None = None) -> Combined:
    """The front matter of the first contact with the others merged into it.

    Lists are unioned (emails and phones compared as duplicates are), mappings
    merged key by key, a field only another has is taken; a field with
    different values is resolved by ``choices`` (field -> value, `links.github`
    for a key of a mapping), else by ``prefer``, else left as the first
    contact's and returned as a Conflict. The first contact's uid always stays.
    """
    choices = choices or {}
    result: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for key in dict.fromkeys(k for _, meta in metas for k in meta):
        values = [(h, meta[key]) for h, meta in metas if not _empty(meta.get(key))]
        if not values:
            result[key] = metas[0][1].get(key)
        elif key == RELATIONS:
            result[key] = _relations(metas)
        elif key in LIST_FIELDS or all(isinstance(v, list) for _, v in values):
            result[key] = _union(key, [as_list(v) for _, v in values], region)
        elif all(isinstance(v, dict) for _, v in values):
            result[key] = _mapping(key, values, choices, prefer, conflicts)
        else:
            result[key] = _scalar(key, values, choices, prefer, conflicts)
    return Combined(result, conflicts)


def _relations(metas: list[tuple[str, dict[str, Any]]]) -> Any:
    """The relations of the merged contacts, unioned (format/relations.py `merged`): a relation between two
    of them would be one of the kept contact to itself, and goes. The kept contact's own value while that
    says the same; REMOVE when nothing is left."""
    own, others = metas[0][0], {handle for handle, _ in metas[1:]}
    union = merged_relations([meta.get(RELATIONS) for _, meta in metas], own, others)
    first = metas[0][1].get(RELATIONS)
    if isinstance(first, dict) and {k: targets(v) for k, v in first.items()} == {k: targets(v) for k, v in union.items()}:
        return first
    return union or yamledit.REMOVE


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs (what the front matter edit must change), in ``after``'s order."""
    return {k: v for k, v in after.items() if k not in before or before[k] != v}


def _insert_notes(text: str, contact: Contact, notes: str, newline: str) -> str:
    """``text`` with ``notes`` added at the end of the contact's notes (before its first interaction)."""
    block = escape_text(normalise_text(notes)).replace("\n", newline) + newline
    if not contact.interactions:
        return append_section(text, block, newline)
    assert contact.source is not None
    first = min(i.line for i in contact.interactions)
    offset = 0
    for _ in range(first - 1):
        offset = text.index("\n", offset) + 1
    before = text[:offset]
    at_top = offset <= contact.source.body_start
    if not at_top and not before.endswith(newline + newline):
        block = newline + block
    return before + block + newline + text[offset:]


def _same_interaction(a: Interaction, b: Interaction) -> bool:
    return (a.date, a.time, a.kind, a.summary.strip(), normalise_text(a.text)) == (
        b.date, b.time, b.kind, b.summary.strip(), normalise_text(b.text))


def merged_text(
    keep: Contact, meta: dict[str, Any], notes: list[str], sections: list[tuple[Interaction, str]]
) -> bytes:
    """The kept contact's file with its front matter set to ``meta`` (minimal diff), ``notes`` added to
    its notes unless already there, and interaction ``sections`` (item, text) appended unless already there."""
    source = keep.source
    assert source is not None and keep.path is not None
    newline = source.newline
    try:
        front = yamledit.edit_mapping(source.front_matter, changes(keep.meta, meta), newline, QUOTED_FIELDS)
    except yamledit.EditError as exc:
        raise VaultError(f"{keep.path}: cannot merge the fields: {exc}; edit the file by hand") from None
    text = source.with_front_matter(front)
    shifted = _reparsed(keep, text)
    for note in notes:
        if normalise_text(note) and normalise_text(note) not in normalise_text(shifted.notes):
            text = _insert_notes(text, shifted, note, newline)
            shifted = _reparsed(keep, text)
    known = list(keep.interactions)
    for item, section in sections:
        if not any(_same_interaction(item, k) for k in known):
            text = append_section(text, section.replace("\r\n", "\n").replace("\n", newline), newline)
            known.append(item)
    return source.encode(text)


def _reparsed(contact: Contact, text: str) -> Contact:
    from vault_tool.format.contact import parse

    assert contact.path is not None and contact.source is not None
    return parse(contact.path, contact.source.encode(text), contact.handle)


def interaction_sections(contact: Contact) -> list[tuple[Interaction, str]]:
    """Each interaction with its section exactly as written in the file (heading to the next heading)."""
    if contact.source is None:
        return [(item, render_interaction(item)) for item in contact.interactions]
    lines = contact.source.text.split("\n")
    starts = sorted(contact.interactions, key=lambda i: i.line)
    sections = []
    for index, item in enumerate(starts):
        stop = starts[index + 1].line - 1 if index + 1 < len(starts) else len(lines)
        chunk = [ln.rstrip("\r") for ln in lines[item.line - 1 : stop]]
        while chunk and not chunk[-1].strip():
            chunk.pop()
        sections.append((item, "\n".join(chunk) + "\n"))
    return sections


class MergeConflictError(VaultError):
    """Fields that differ between the contacts being merged, with no choice made for them."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        first = conflicts[0]
        shown = ", ".join(f"'{value}' ({handle})" for handle, value in first.values)
        others = len(conflicts) - 1
        more = f" (and {others} more field{'s' if others > 1 else ''})" if others else ""
        super().__init__(
            f"{first.field} differs: {shown}{more}; choose with --prefer keep or --prefer other, "
            "or run on a terminal to be asked"
        )


def merge_contacts(vault: Vault, keep: str, others: list[str], prefer: str | None = None,
                   choices: dict[str, Any] | None = None) -> Change:
    """Merge ``others`` into ``keep``: fields, notes and interactions; remove the others; one commit.

    A field with different values needs a choice (``choices``: field -> value) or ``prefer``
    (keep or other); otherwise MergeConflictError lists them and nothing changes.
    """
    from vault_tool.store.mutations import Change, finished
    from vault_tool.store.transaction import transaction

    if prefer is not None and prefer not in PREFERENCES:
        raise InvalidValueError(f"--prefer must be keep or other, not '{prefer}'")
    with transaction(vault) as tx:
        kept = vault.get(keep)
        merged = [vault.get(other) for other in others]
        handles = [c.handle for c in merged]
        if kept.handle in handles or len(set(handles)) != len(handles):
            raise InvalidValueError("name each contact once: KEEP and OTHER… must be different contacts")
        assert kept.path is not None and all(c.path is not None for c in merged)
        metas, moved = _carried(vault, tx, kept, merged)  # the merged contacts' documents join the kept one's
        combined = combine(metas, vault.config.default_region, choices, prefer)
        if combined.conflicts:
            raise MergeConflictError(combined.conflicts)
        _list_unlisted(combined.meta, moved)
        sections = [section for c in merged for section in interaction_sections(c)]
        tx.write(kept.path, merged_text(kept, combined.meta, [c.notes for c in merged], sections))
        for contact in merged:
            tx.delete(contact.path)  # type: ignore[arg-type]
        _rewrite_references(vault, tx, kept, merged)
        tx.message = merge_message(kept, merged)
    from vault_tool.format.documents import prune

    prune(vault.root, handles)
    return finished(vault, tx, Change(kept.handle, kept.path, tx.message))


def _carried(vault: Vault, tx: Transaction, kept: Contact,
             merged: list[Contact]) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Move, in ``tx``, every document of the merged contacts into the kept one's folder (a name it has
    already gets `-2`); their front matter as it then reads (`files:` a list each, to be unioned), and the
    names of the documents moved."""
    from vault_tool.format import documents
    from vault_tool.store.references import carry_documents, document_files, renamed_documents

    taken = {name for name, _ in document_files(vault, kept)}
    taken |= {name for _, name in documents.listed(kept.meta)} | set(documents.folder_files(vault.root, kept.handle))
    metas, moved = [(kept.handle, _files_as_list(kept.meta))], []
    for contact in merged:
        before = set(taken)
        renamed = carry_documents(vault, tx, contact, kept.handle, taken)
        moved += sorted(taken - before)
        meta = {**contact.meta, **renamed_documents(contact.meta, renamed)}
        metas.append((contact.handle, _files_as_list(meta)))
    return metas, moved


def _files_as_list(meta: dict[str, Any]) -> dict[str, Any]:
    from vault_tool.format.documents import KEY

    return {**meta, KEY: as_list(meta[KEY])} if KEY in meta and not isinstance(meta[KEY], list) else meta


def _list_unlisted(meta: dict[str, Any], moved: list[str]) -> None:
    """List under `files:` each moved document the merged front matter names nowhere (a photo not chosen)."""
    from vault_tool.format.documents import KEY, listed

    named = {name for _, name in listed(meta)}
    missing = [name for name in moved if name not in named]
    if missing:
        meta[KEY] = [*as_list(meta.get(KEY)), *missing]


def _rewrite_references(vault: Vault, tx: Transaction, kept: Contact, merged: list[Contact]) -> None:
    """Relations and `company` values in other files that name a merged contact name the kept one instead."""
    from vault_tool.store.references import Renamed, rewrite_references

    names = {c.name: kept.name for c in merged if kept.kind == c.kind == "organization" and c.name != kept.name}
    skip = {c.path for c in [kept, *merged] if c.path is not None}
    rewrite_references(vault, tx, Renamed({c.handle: kept.handle for c in merged}, names, skip))


def merge_message(kept: Contact, merged: list[Contact]) -> str:
    """`Merge Ada King into Ada Lovelace`; a contact named as another one is named by its handle too:
    `Merge Ada Lovelace (ada-lovelace-2) into Ada Lovelace (ada-lovelace)`."""
    names = [c.name for c in [kept, *merged]]

    def named(contact: Contact) -> str:
        return f"{contact.name} ({contact.handle})" if names.count(contact.name) > 1 else contact.name

    return f"Merge {', '.join(named(c) for c in merged)} into {named(kept)}"
