"""Which contacts are the same person: a shared uid, email or phone number, or names that match closely.

Phones are compared by their E.164 form (``phonenumbers``, reading numbers
without a country code in the vault's ``default_region``), so
``020 7946 0958`` and ``+44 20 7946 0958`` are the same number. Names are
compared with ``rapidfuzz`` only within a company or an email domain (the
big free-mail domains excepted), where a close name is evidence; across a
whole vault it would only find namesakes.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import phonenumbers

from vault_tool.format.contact import Contact, as_list
from vault_tool.format.handles import fold

if TYPE_CHECKING:
    from vault_tool.errors import ParseError
    from vault_tool.store.vault import Vault

NAME_SCORE = 90  # rapidfuzz token_sort_ratio at or above which two names are the same name
SHARED_LINE = 4  # an email or phone on more contacts than this is a switchboard or a team inbox, not a person
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "hotmail.com", "hotmail.co.uk", "outlook.com",
    "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "web.de",
    "proton.me", "protonmail.com", "mail.ru", "yandex.ru", "qq.com", "163.com", "fastmail.com", "zoho.com",
})


def email_key(value: str) -> str | None:
    value = value.strip().casefold()
    return value if "@" in value else None


def phone_key(value: str, region: str) -> str | None:
    """A phone number in E.164 (`+442079460958`); the bare digits if it does not parse; None if too short."""
    try:
        number = phonenumbers.parse(value, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(c for c in value if c.isdigit())
    return digits if len(digits) >= 6 else None


def identity_keys(meta: dict[str, Any], region: str) -> list[tuple[str, str]]:
    """(key, what it is) for everything that identifies a contact: uid, emails, phones, in that order."""
    keys = []
    uid = meta.get("uid")
    if uid not in (None, ""):
        keys.append((f"uid:{uid}", f"same uid {uid}"))
    for email in as_list(meta.get("emails")):
        key = email_key(email)
        if key:
            keys.append((f"email:{key}", f"same email {email.strip()}"))
    for phone in as_list(meta.get("phones")):
        key = phone_key(phone, region)
        if key:
            keys.append((f"phone:{key}", f"same phone {phone.strip()}"))
    return keys


@dataclass
class Match:
    handle: str
    reason: str


class DuplicateIndex:
    """Contacts by their identity keys, to find the one a new record duplicates."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._owners: dict[str, str] = {}

    def keys(self, meta: dict[str, Any]) -> list[tuple[str, str]]:
        return identity_keys(meta, self.region)

    def add(self, handle: str, keys: list[tuple[str, str]]) -> None:
        """Remember ``handle`` under its ``keys`` (from :meth:`keys`)."""
        for key, _ in keys:
            self._owners.setdefault(key, handle)

    def find(self, keys: list[tuple[str, str]]) -> Match | None:
        """The contact that shares the uid, else an email, else a phone; None if none does."""
        for key, reason in keys:
            if key in self._owners:
                return Match(self._owners[key], reason)
        return None


@dataclass
class DupeGroup:
    """Contacts that are probably one person, and why; the one to keep first (see :func:`_keep_first`)."""

    handles: list[str]
    names: list[str]
    reasons: list[str] = field(default_factory=list)


class _Groups:
    """Union-find over handles, remembering why two were joined."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: dict[str, list[str]] = {}

    def root(self, handle: str) -> str:
        self.parent.setdefault(handle, handle)
        while self.parent[handle] != handle:
            self.parent[handle] = self.parent[self.parent[handle]]
            handle = self.parent[handle]
        return handle

    def join(self, handles: list[str], reason: str) -> None:
        roots = {self.root(h) for h in handles}
        top = min(roots)
        gathered = [r for root in sorted(roots) for r in self.reasons.pop(root, [])]
        for root in roots:
            self.parent[root] = top
        self.reasons[top] = gathered + ([reason] if reason not in gathered else [])


def _blocks(contacts: list[Contact]) -> dict[str, list[Contact]]:
    """Contacts by company and by (non free-mail) email domain: where names are worth comparing."""
    blocks: dict[str, list[Contact]] = {}
    for contact in contacts:
        company = fold(contact.text_field("company")).strip()
        keys = {f"at {contact.text_field('company').strip()}": company} if company else {}
        for email in contact.emails:
            domain = email.rpartition("@")[2].strip().casefold()
            if domain and domain not in FREE_MAIL:
                keys[f"with @{domain}"] = domain
        for label, key in keys.items():
            blocks.setdefault(f"{key}\0{label}", []).append(contact)
    return blocks


def _close_names(block: list[Contact]) -> Iterable[tuple[Contact, Contact, int]]:
    """Pairs whose names score NAME_SCORE or more; only names that share a word are compared."""
    from rapidfuzz import fuzz

    names = [fold(c.name) for c in block]
    sharing: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        for word in set(name.split()):
            sharing.setdefault(word, []).append(i)
    seen: set[tuple[int, int]] = set()
    for members in sharing.values():
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                score = fuzz.token_sort_ratio(names[i], names[j])
                if score >= NAME_SCORE:
                    yield block[i], block[j], round(score)


def find_groups(contacts: list[Contact], region: str) -> list[DupeGroup]:
    """Groups of likely duplicates, each with its reasons, in the order of their first handle."""
    groups = _Groups()
    owners: dict[str, list[str]] = {}
    reasons: dict[str, str] = {}
    for contact in contacts:
        for key, reason in identity_keys(contact.meta, region):
            if contact.handle not in owners.setdefault(key, []):
                owners[key].append(contact.handle)
            reasons.setdefault(key, reason)
    for key, handles in owners.items():
        if 1 < len(handles) <= SHARED_LINE:
            groups.join(handles, reasons[key])
    for block_key, block in _blocks(contacts).items():
        label = block_key.split("\0", 1)[1]
        for a, b, score in _close_names(block):
            groups.join([a.handle, b.handle], f"similar names ({score}%) {label}")
    by_handle = {c.handle: c for c in contacts}
    members: dict[str, list[str]] = {}
    for handle in sorted(groups.parent):
        members.setdefault(groups.root(handle), []).append(handle)
    found = [
        DupeGroup(handles, [by_handle[h].name for h in handles], groups.reasons.get(root, []))
        for root, handles in members.items() if len(handles) > 1
    ]
    for group in found:
        order = sorted(range(len(group.handles)), key=lambda i: _keep_first(by_handle[group.handles[i]]))
        group.handles = [group.handles[i] for i in order]
        group.names = [group.names[i] for i in order]
    return sorted(found, key=lambda g: g.handles[0])


def _keep_first(contact: Contact) -> tuple[int, int, str]:
    """The one to keep comes first: the most interactions, then the most fields, then by handle."""
    return -len(contact.interactions), -len(contact.meta), contact.handle


@dataclass
class DupesResult:
    groups: list[DupeGroup]
    problems: list[ParseError]


def find_dupes(vault: Vault) -> DupesResult:
    """Likely duplicates among the vault's contacts (files that do not parse are reported, not fatal)."""
    loaded = vault.load()
    return DupesResult(find_groups(loaded.contacts, vault.config.default_region), loaded.problems)
