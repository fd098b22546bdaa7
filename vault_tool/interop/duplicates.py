"""Which contacts are the same person: a shared uid, email or phone number, or names that match closely.

`contacts dupes` lists contacts that share any of these; the import (`DuplicateIndex`) has a
rule of its own over the same keys: the same uid or email, never a phone number alone.

Phones are compared by their E.164 form (``phonenumbers``, reading numbers
without a country code in the contact's region: its country, else its address's,
else the vault's ``default_region``), so
``020 7946 0958`` and ``+44 20 7946 0958`` are the same number. Names are
compared with ``rapidfuzz`` only within a company or an email domain (the
big free-mail domains excepted), where a close name is evidence; across a
whole vault it would only find namesakes.
"""
from __future__ import annotations

import hashlib
import itertools
import marshal
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.format.identity import (
    SHARED_LINE,
    Traits,
    block_keys,
    identity_keys,
    name_key,
    told_apart,
    traits,
)
from vault_tool.format.layout import handle_of

if TYPE_CHECKING:
    from vault_tool.search.columns import KeyRow

    Join = tuple[list[KeyRow], str]  # contacts joined as one, and why (a shared key, or `score\0block key`)

NAME_SCORE = 90  # rapidfuzz token_sort_ratio at or above which two names are the same name


@dataclass
class Match:
    handle: str
    reason: str


class DuplicateIndex:
    """Contacts by their identity keys, to find the one a record being imported duplicates: the import's rule.

    On import a duplicate has the same uid, else the same email. A record with neither is the
    contact of the same name and organisation that nothing tells apart from it (no other email,
    phone number, birthday or kind: `format/identity.py`), so a file imported twice adds nothing.
    A shared phone number alone is no duplicate here: colleagues share a switchboard and a family
    a home line. (`contacts dupes` still lists contacts that share one, for a person to judge.)
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self._owners: dict[str, str] = {}  # uid and email keys -> the first contact with them
        self._named: dict[str, list[str]] = {}  # name keys -> the contacts with them, in order
        self._traits: dict[str, Traits] = {}

    def keys(self, meta: dict[str, Any]) -> list[tuple[str, str]]:
        return identity_keys(meta, self.region)

    def add(self, handle: str, meta: dict[str, Any], keys: list[tuple[str, str]] | None = None) -> None:
        """Remember ``handle`` as ``meta`` describes it (``keys``: its identity keys, if already made)."""
        keys = self.keys(meta) if keys is None else keys
        for key, _ in keys:
            if key[:2] in _ON_IMPORT:
                self._owners.setdefault(key, handle)
        named = name_key(meta)
        if named is not None and handle not in self._named.setdefault(named, []):
            self._named[named].append(handle)
        self._traits[handle] = traits(meta, keys)

    def find(self, meta: dict[str, Any], keys: list[tuple[str, str]]) -> Match | None:
        """The contact a record (``meta``, its ``keys``) duplicates, and why; None if it is someone new."""
        own = [(key, reason) for key, reason in keys if key[:2] in _ON_IMPORT]
        for key, reason in own:
            if key in self._owners:
                return Match(self._owners[key], reason)
        named = name_key(meta)
        if own or named is None:
            return None
        mine = traits(meta, keys)
        for handle in self._named.get(named, []):
            if told_apart(mine, self._traits[handle]) is None:
                return Match(handle, _same_name(meta))
        return None


_ON_IMPORT = ("u:", "e:")  # the identity keys that make a duplicate on import


def _same_name(meta: dict[str, Any]) -> str:
    company = str(meta.get("company") or "").strip()
    where = f" at {company}" if company else ""
    return f"same name {str(meta.get('name', '')).strip()}{where} (no uid or email; nothing different)"


@dataclass
class DupeGroup:
    """Contacts that are probably one person, and why; the one to keep first (see :func:`_keep_first`)."""

    handles: list[str]
    names: list[str]
    reasons: list[str] = field(default_factory=list)


class _Groups:
    """Union-find over handles: a group's root is its first handle."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, handle: str) -> str:
        self.parent.setdefault(handle, handle)
        while self.parent[handle] != handle:
            self.parent[handle] = self.parent[self.parent[handle]]
            handle = self.parent[handle]
        return handle

    def join(self, handles: list[str]) -> None:
        roots = {self.root(h) for h in handles}
        top = min(roots)
        for root in roots:
            self.parent[root] = top


def _close_names(names: list[str]) -> Iterable[tuple[list[int], int]]:
    """The positions in ``names`` (folded) to join, each with its score: those of each name written more than
    once (100), and pairs [i, j], i < j, of different names that score NAME_SCORE or more (each name at its
    first position): enough to join them all.

    A large block repeats names: each one's copies are one join, and the name is compared with others
    once. Only names that share a word are compared: among the names with each word, each with the
    later ones in one call of rapidfuzz (a block of a thousand names is a million pairs, each a call
    of its own took seconds), a pair that shares two words scored once. Gathering the later names
    that share any word, a set per name, took longer than the comparing. The score is rapidfuzz's
    token_sort_ratio, the ratio of the names with their words sorted: each name's sorted once, not at
    every comparison.
    """
    from rapidfuzz import fuzz, process

    first: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        first.setdefault(name, []).append(i)
    yield from ((same, 100) for same in first.values() if len(same) > 1)
    distinct = list(first)
    sharing: dict[str, list[int]] = {}
    for x, name in enumerate(distinct):
        for word in dict.fromkeys(name.split()):
            sharing.setdefault(word, []).append(x)
    ordered = [" ".join(sorted(name.split())) for name in distinct]  # token_sort_ratio's words, sorted once
    scored: set[tuple[int, int]] = set()
    for members in sharing.values():
        choices = [ordered[x] for x in members]
        for at in range(len(members) - 1):
            close = process.extract(choices[at], choices[at + 1:], scorer=fuzz.ratio, processor=None,
                                    score_cutoff=NAME_SCORE, limit=None)
            for _, score, later in close:
                pair = (members[at], members[at + 1 + later])
                if pair not in scored:
                    scored.add(pair)
                    yield [first[distinct[pair[0]]][0], first[distinct[pair[1]]][0]], round(score)


Close = list[tuple[list[int], int]]  # what `_close_names` finds in a block: positions to join, and their score
MEMO = "dupe-names"  # in .vault/: each block's close names (NameMemo)
MEMO_VERSION = 1  # bump when `_close_names` changes what it finds: what was kept is then thrown away


class NameMemo:
    """The close names of each block (`_close_names`), kept in `.vault/dupe-names` (marshal) between runs.

    What a block's names give depends on those names alone, in path order: each block's is kept with
    a digest of them and used while the digest holds, so there is nothing to tell stale. Comparing the
    names within every company and email domain of 100,000 contacts takes a third of a second; an
    edit changes a block or two, and only those are compared again. A run keeps only the blocks it
    met, and writes only when it compared some; a memo that cannot be read or written is done without
    (a read-only `.vault/`). Deleting it loses nothing.
    """

    def __init__(self, path: Path | None) -> None:
        from rapidfuzz import __version__ as scorer

        self.path = path
        self._tag = (MEMO_VERSION, NAME_SCORE, scorer)
        self._kept = self._read()
        self._used: dict[str, tuple[bytes, Close]] = {}
        self._compared = False

    def _read(self) -> dict[str, tuple[bytes, Close]]:
        try:
            tag, kept = marshal.loads(self.path.read_bytes()) if self.path else (None, None)
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return kept if tag == self._tag and isinstance(kept, dict) else {}

    def close_names(self, block: str, names: list[str]) -> Close:
        """`_close_names(names)` of the block keyed ``block``: kept, or found now."""
        digest = hashlib.blake2b(marshal.dumps(names), digest_size=16).digest()
        kept = self._kept.get(block)
        if kept is not None and kept[0] == digest:
            found = kept[1]
        else:
            found, self._compared = list(_close_names(names)), True
        self._used[block] = (digest, found)
        return found

    def save(self, partial: bool = False) -> None:
        """Keep the blocks of this run, if it compared any names or met fewer blocks than were kept; ``partial``: the
        run met only some blocks (dupegroups.py), and the others are kept too."""
        kept = {**self._kept, **self._used} if partial else self._used
        if self.path is None or not (self._compared or kept.keys() != self._kept.keys()):
            return
        from vault_tool.fileio import atomic_write

        try:
            atomic_write(self.path, marshal.dumps((self._tag, kept), 2), durable=False)
        except OSError:
            pass  # a memo only: the next run compares again


def is_identity(key: str) -> bool:
    """Whether ``key`` is a uid, email or phone (the others are blocks to compare names within)."""
    return key[:2] in ("u:", "e:", "p:")


def joins_of(holders: dict[str, list[KeyRow]], memo: NameMemo | None = None) -> list[Join]:
    """Contacts to join, and why (a key, or `score\0block key`), of the contacts that hold each key of ``holders``
    (`holders_of`): shared values first, then close names (`join_order`).

    A uid, email or phone that more than SHARED_LINE contacts share is a switchboard, not a person;
    names are compared only within a block (a company, an email domain), through ``memo`` if given.
    """
    identity: list[Join] = []
    names: list[Join] = []
    for key, members in holders.items():
        members.sort(key=lambda row: row.path)
        if is_identity(key) and 1 < len(members) <= SHARED_LINE:
            identity.append((members, key))
        elif key[:2] in ("c:", "d:") and len(members) > 1:
            member_names = [row.name for row in members]
            close = memo.close_names(key, member_names) if memo else _close_names(member_names)
            names += [([members[i] for i in at], sys.intern(f"{score}\0{key}")) for at, score in close]  # kept once
    return sorted(identity + names, key=lambda join: join_order([row.path for row in join[0]], join[1]))


def join_order(paths: list[str], why: str) -> tuple[bool, list[str], str]:
    """Where a join of the contacts at ``paths`` made for ``why`` comes among the others, which is the order a
    group's reasons are given in: shared values first, then close names, each by their contacts' paths (not
    the order of the index's documents, which an edit elsewhere changes), then the key."""
    return "\0" in why, paths, why


def join_key(why: str) -> str:
    """The key a join is made by, from why it was made (see `Join`): a shared value, or the block of close names."""
    return why.rsplit("\0", 1)[-1]


def holders_of(rows: list[KeyRow], keys: AbstractSet[str] | None = None) -> dict[str, list[KeyRow]]:
    """The contacts that hold each key two or more of them hold; given ``keys``, each of those that any holds.

    Of the half a million keys of 100,000 contacts a few hundred are shared: they are found by
    counting every key at once (a C loop), and only the contacts that hold one are gone through
    key by key, rather than a list made for each of the half million.
    """
    if keys is None:
        every = (row.keys.decode("utf-8").split("\n") for row in rows if row.keys)
        counts = Counter(itertools.chain.from_iterable(every))
        keys = {key for key, count in counts.items() if count > 1}  # a key is once in a row's keys
        del counts
    holders: defaultdict[str, list[KeyRow]] = defaultdict(list)
    for row in rows:
        held = row.keys.decode("utf-8").split("\n") if row.keys else ()
        if not keys.isdisjoint(held):
            for key in held:
                if key in keys:
                    holders[key].append(row)
    return holders


def find_groups(joined: list[Join], views: dict[int, Any], region: str) -> list[DupeGroup]:
    """Groups of likely duplicates from `joins_of`; ``views``: the stored views of their contacts. A group's
    reasons come in the order of the joins that give them (`join_order`), each once."""
    groups = _Groups()
    for members, _ in joined:
        groups.join([handle_of(row.path) for row in members])
    reasons: dict[str, list[str]] = {}
    said: dict[tuple[str, ...], str] = {}  # the reason of close names, by key and companies
    for members, key in joined:
        seen = [views[row.doc] for row in members]
        if "\0" in key:
            told = (key, *(str(view["meta"].get("company")) for view in seen))
            reason = said.get(told) or said.setdefault(told, _reason(key, seen, region))
        else:
            reason = _reason(key, seen, region)
        gathered = reasons.setdefault(groups.root(handle_of(members[0].path)), [])
        if reason not in gathered:
            gathered.append(reason)
    return _gathered(groups, reasons, {view["handle"]: view for view in views.values()})


def _reason(key: str, views: list[dict[str, Any]], region: str) -> str:
    """Why contacts were joined: the value they share as the first of them writes it, or the close names."""
    if "\0" in key:
        score, block = key.split("\0", 1)
        if block.startswith("d:"):  # as block_keys labels it
            return f"similar names ({score}%) with @{block[2:]}"
        labels = [block_keys({"company": view["meta"].get("company")}).get(block) for view in views]
        return f"similar names ({score}%) {next((label for label in labels if label), block[2:])}"
    # A view keeps no address: a phone read in the contact's own region is found in the key's region.
    regions = [region, *_number_region(key)]
    for view in views:
        for found, reason in (pair for each in regions for pair in identity_keys(view["meta"], each)):
            if found == key:
                return reason
    return f"same {key[2:]}"


def _number_region(key: str) -> list[str]:
    """The region of the E.164 number a phone key (`p:+49301234567`) holds; none for any other key."""
    import phonenumbers

    if not key.startswith("p:+"):
        return []
    try:
        found = phonenumbers.region_code_for_number(phonenumbers.parse(key[2:]))
    except phonenumbers.NumberParseException:
        return []
    return [found] if found else []


def _gathered(groups: _Groups, reasons: dict[str, list[str]], views: dict[str, dict[str, Any]]) -> list[DupeGroup]:
    """The groups of two or more, the one to keep first, in the order of their first handle."""
    members: dict[str, list[str]] = {}
    for handle in sorted(groups.parent):
        members.setdefault(groups.root(handle), []).append(handle)
    found = []
    for root, handles in members.items():
        if len(handles) > 1:
            handles.sort(key=lambda h: _keep_first(h, views.get(h)))
            names = [str((views.get(h) or {}).get("meta", {}).get("name", "")) for h in handles]
            found.append(DupeGroup(handles, names, reasons.get(root, [])))
    return sorted(found, key=lambda g: g.handles[0])


def _keep_first(handle: str, view: dict[str, Any] | None) -> tuple[int, int, str]:
    """The one to keep comes first: the most interactions, then the most fields, then by handle."""
    if view is None:
        return 0, 0, handle
    return -int(view["interaction_count"]), -int(view.get("keys", 0)), handle
