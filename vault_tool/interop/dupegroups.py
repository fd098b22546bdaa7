"""`contacts dupes` (`find_dupes`): the groups of likely duplicates, kept between runs and brought up to date with
what was written since.

`dupes` joins the contacts that share a key (duplicates.py `joins_of`) and gathers the joins into
groups (`find_groups`): at 100,000 contacts over a second. An edit changes a contact or two, so the
joins and the groups are kept in `.vault/dupe-groups` (marshal), each contact of a join by its
segment of the index and its number there, with each segment's count of deleted documents
(a segment never changes once written, and only gains deletions). A run

- where no segment was written and no document deleted since answers from what was kept;
- else joins again by the keys that can give other joins: those of the joins that lost a contact
  (an edited or removed contact's document is deleted), every key of the contacts written since (the
  documents of new segments), and the keys more than SHARED_LINE contacts share (a removed contact
  may bring one under it). The groups of the contacts of those joins, old and new, are gathered again
  from every join they are in; the other groups are kept as they are;
- where most contacts were written since (a new index, segments merged) joins everything anew.

A memo that cannot be read is made again, one that cannot be written is done without; deleting it
loses nothing.
"""
from __future__ import annotations

import bisect
import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.format.identity import SHARED_LINE
from vault_tool.format.layout import handle_of
from vault_tool.interop.duplicates import MEMO as NAMES
from vault_tool.interop.duplicates import (
    NAME_SCORE,
    DupeGroup,
    NameMemo,
    find_groups,
    holders_of,
    is_identity,
    join_key,
    join_order,
    joins_of,
)
from vault_tool.search.index import SMALL_SEGMENT

if TYPE_CHECKING:
    from vault_tool.errors import ParseError
    from vault_tool.interop.duplicates import Join
    from vault_tool.search.columns import KeyRow, KeyTable
    from vault_tool.store.vault import Vault

MEMO = "dupe-groups"  # in .vault/
VERSION = 2  # bump when what is kept, or how joins and groups are made, changes
Member = tuple[str, str, int]  # a contact of a join: path, the id of its segment of the index, its number there
Joined = tuple[list[int], str]  # a join: its contacts (by number in Kept.members) and why (see duplicates.py `Join`)
Group = tuple[list[str], list[str], list[str]]  # a DupeGroup's handles, names and reasons


@dataclass
class Kept:
    segments: dict[str, list[int]]  # each segment's id and its deleted documents
    members: list[Member]
    joins: list[Joined]  # in order (duplicates.py `join_order`)
    groups: list[Group]  # by their first handle
    crowded: list[str]  # identity keys more than SHARED_LINE contacts hold (joined by none)
    recent: dict[str, bytes]  # by path: a digest of the keys and name of each contact in a small segment


class GroupMemo:
    """`Kept` in a file of ``state`` (.vault/), for the vault's ``region`` and rapidfuzz's version."""

    def __init__(self, state: Path, region: str) -> None:
        from rapidfuzz import __version__ as scorer

        self.path = state / MEMO
        self.tag = (VERSION, region, NAME_SCORE, SHARED_LINE, scorer)

    def read(self) -> Kept | None:
        try:
            tag, kept = marshal.loads(self.path.read_bytes())
            return Kept(*kept) if tag == self.tag else None
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def write(self, kept: Kept) -> None:
        from vault_tool.fileio import atomic_write

        plain = [kept.segments, kept.members, kept.joins, kept.groups, kept.crowded, kept.recent]
        try:
            atomic_write(self.path, marshal.dumps((self.tag, plain)), durable=False)
        except OSError:
            pass  # a memo only: the next run joins again


def dupe_groups(table: KeyTable, state: Path, region: str) -> list[DupeGroup]:
    """The groups of likely duplicates among the contacts of ``table``, through what was kept in ``state``."""
    memo, names = GroupMemo(state, region), NameMemo(state / NAMES)
    kept = memo.read()
    segments = table.segments()
    if kept is not None and kept.segments == segments:
        return [DupeGroup(*group) for group in kept.groups]
    made = _updated(table, kept, names, region) if kept is not None else None
    if made is None:
        made = _joined_anew(table, names, region)
        names.save()
    else:
        names.save(partial=True)
    made.segments = segments
    memo.write(made)
    return [DupeGroup(*group) for group in made.groups]


def _joined_anew(table: KeyTable, names: NameMemo, region: str) -> Kept:
    holders = holders_of(table.rows())
    joined = joins_of(holders, names)
    groups = [_plain(group) for group in find_groups(joined, table.views(row.doc for rows, _ in joined for row in rows),
                                                     region)]  # the views are let go before the joins are kept
    members: list[Member] = []
    joins = _numbered(table, joined, members, [])
    return Kept({}, members, joins, groups, _crowded(holders), _recent(table))


def _updated(table: KeyTable, kept: Kept, names: NameMemo, region: str) -> Kept | None:
    """``kept`` brought up to date (see above); None when most contacts are new."""
    new = table.rows(only=[name for name in table.segments() if name not in kept.segments])
    if len(new) * 2 > table.count():
        return None
    members = list(kept.members)
    docs = table.docs([(segment, number) for _, segment, number in members])
    keys = set(kept.crowded)
    for row in _rekeyed(table, kept, new, members, docs):
        keys.update(row.keys.decode("utf-8").split("\n") if row.keys else ())
    keys.update(join_key(why) for at, why in kept.joins if any(docs[m] is None for m in at))
    holders = holders_of(table.holding(keys), keys)
    fresh = joins_of(holders, names)
    before = {(tuple(kept.members[m][0] for m in at), why) for at, why in kept.joins if join_key(why) in keys}
    after = {(tuple(row.path for row in rows), why) for rows, why in fresh}
    touched = {handle_of(row.path) for row in new}  # an edited contact is written anew: its view may have changed
    touched.update(handle_of(path) for paths, _ in before ^ after for path in paths)  # a removed one, a join changed
    joins = [join for join in kept.joins if join_key(join[1]) not in keys]
    for join in _numbered(table, fresh, members, docs):
        bisect.insort(joins, join, key=lambda one: join_order([members[m][0] for m in one[0]], one[1]))
    groups = _regrouped(table, kept.groups, members, docs, joins, touched, region)
    members, joins = _compact(members, joins)
    return Kept({}, members, joins, groups, _crowded(holders), _recent(table))  # every crowded key was looked at


def _rekeyed(table: KeyTable, kept: Kept, new: list[KeyRow], members: list[Member], docs: list[int | None]
             ) -> list[KeyRow]:
    """The contacts written since whose keys or name changed, or that are new (``new``: all written since).

    One that had the same keys and name before is the same to every join: a note added, an
    interaction logged. What it had is read from its document deleted since, or, where its segment
    was merged into another meanwhile (a small one), from the digest ``kept.recent`` holds. Where it
    is in a join, its member of ``members`` (and its document in ``docs``) is moved to the new
    document, and its joins stand.
    """
    before = {row.path: _digest(row) for row in table.gone_since(kept.segments)}
    stale: dict[str, list[int]] = {}
    for m, doc in enumerate(docs):
        if doc is None:
            stale.setdefault(members[m][0], []).append(m)
    changed: list[KeyRow] = []
    for row in new:
        if _digest(row) != before.get(row.path, kept.recent.get(row.path)):
            changed.append(row)
            continue
        for m in stale.get(row.path, ()):
            members[m], docs[m] = (row.path, *table.where(row.doc)), row.doc
    return changed


def _recent(table: KeyTable) -> dict[str, bytes]:
    """The digest of the keys and name of each contact in a segment small enough to be merged into the next update's
    (search/index.py `SMALL_SEGMENT`; see `_rekeyed`)."""
    small = [name for name, size in table.sizes().items() if size <= SMALL_SEGMENT]
    return {row.path: _digest(row) for row in table.rows(only=small)} if small else {}


def _digest(row: KeyRow) -> bytes:
    return hashlib.blake2b(row.keys + b"\0" + row.name.encode("utf-8"), digest_size=16).digest()


def _regrouped(table: KeyTable, groups: list[Group], members: list[Member], docs: list[int | None], joins: list[Joined],
               touched: set[str], region: str) -> list[Group]:
    """``groups`` with those of the ``touched`` contacts (and of every contact of their old groups) gathered again
    from every join they are in (``joins``, of ``members``, whose documents in the reader are ``docs``)."""
    for group in groups:
        if not touched.isdisjoint(group[0]):
            touched.update(group[0])
    hit = {m for m, member in enumerate(members) if handle_of(member[0]) in touched}
    again: list[Join] = []
    for at, why in joins:
        if not hit.isdisjoint(at):
            again.append(([_row(members[m][0], docs[m]) for m in at], why))
    views = table.views(row.doc for rows, _ in again for row in rows)
    kept = [group for group in groups if touched.isdisjoint(group[0])]
    kept += [_plain(group) for group in find_groups(again, views, region)]
    return sorted(kept, key=lambda group: group[0][0])


def _row(path: str, doc: int | None) -> KeyRow:
    """A contact of a join as a row of the reader (only its document and path are read)."""
    from vault_tool.search.columns import KeyRow

    assert doc is not None, path  # every contact of a join kept or made now is in the index
    return KeyRow(doc, path, "", b"")


def _numbered(table: KeyTable, joined: list[Join], members: list[Member], docs: list[int | None]) -> list[Joined]:
    """``joined`` with their contacts by number in ``members`` (whose documents in the reader are ``docs``), to
    which each not there yet is added."""
    numbers = {doc: m for m, doc in enumerate(docs) if doc is not None}
    joins: list[Joined] = []
    for rows, why in joined:
        at = []
        for row in rows:
            if row.doc not in numbers:
                numbers[row.doc] = len(members)
                members.append((row.path, *table.where(row.doc)))
                docs.append(row.doc)
            at.append(numbers[row.doc])
        joins.append((at, why))
    return joins


def _compact(members: list[Member], joins: list[Joined]) -> tuple[list[Member], list[Joined]]:
    """``members`` without those no join has any more, once they are a quarter of them, and ``joins`` renumbered."""
    used = sorted({m for at, _ in joins for m in at})
    if len(used) * 4 > len(members) * 3:
        return members, joins
    number = {m: n for n, m in enumerate(used)}
    return [members[m] for m in used], [([number[m] for m in at], why) for at, why in joins]


def _crowded(holders: dict[str, list[KeyRow]]) -> list[str]:
    """The identity keys of ``holders`` more than SHARED_LINE contacts hold."""
    return [key for key, held in holders.items() if is_identity(key) and len(held) > SHARED_LINE]


def _plain(group: DupeGroup) -> Group:
    return group.handles, group.names, group.reasons


@dataclass
class DupesResult:
    groups: list[DupeGroup]
    problems: list[ParseError]


def find_dupes(vault: Vault) -> DupesResult:
    """Likely duplicates among the vault's contacts, from the index (files that do not parse are reported)."""
    from vault_tool.search import columns
    from vault_tool.search.selection import answered

    def ask(ix: Any) -> list[DupeGroup]:
        return columns.with_keys(ix, lambda table: dupe_groups(table, vault.state_dir, vault.config.default_region))

    groups, left_out, _ = answered(vault, vault.today(), ask)
    return DupesResult(groups, left_out)
