"""What identifies a contact: its uid, its emails and its phone numbers in E.164; where names compare.

A phone number without a country code is read in the contact's region (format/regions.py: its
country, else its address's, else vault.yaml's default_region), as the checks and search read it.

One definition for the duplicate finder, the import's matching, the checks and the index, which
stores these keys (`dupe_keys`) so that `contacts dupes` finds shared ones without reading files.
The import compares a card with neither uid nor email by its name and organisation (`name_key`),
and only with a contact that nothing tells apart from it (`Traits`, `told_apart`).
"""
from __future__ import annotations

from typing import Any, NamedTuple

from vault_tool.format.contact import as_list
from vault_tool.format.handles import fold
from vault_tool.format.regions import contact_region

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
    import phonenumbers  # when there is a number: the reading commands that never compare one skip its import

    try:
        number = phonenumbers.parse(value, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(c for c in value if c.isdigit())
    return digits if len(digits) >= 6 else None


def identity_keys(meta: dict[str, Any], region: str) -> list[tuple[str, str]]:
    """(key, what it is) for everything that identifies a contact: uid, emails, phones, in that order.

    ``region`` is vault.yaml's default_region: the contact's own country, if it names one, comes first.
    """
    keys = []
    uid = meta.get("uid")
    if uid not in (None, ""):
        keys.append((f"u:{uid}", f"same uid {uid}"))
    for email in as_list(meta.get("emails")):
        key = email_key(email)
        if key:
            keys.append((f"e:{key}", f"same email {email.strip()}"))
    phones = as_list(meta.get("phones"))
    own = contact_region(meta, region).code if phones else region
    for phone in phones:
        key = phone_key(phone, own)
        if key:
            keys.append((f"p:{key}", f"same phone {phone.strip()}"))
    return keys


def block_keys(meta: dict[str, Any]) -> dict[str, str]:
    """(key -> label) of the groups a contact's name is compared within: its company, its email domains.

    The big free-mail domains are left out: there a close name is no evidence.
    """
    company = str(meta.get("company") or "").strip()
    keys = {f"c:{fold(company).strip()}": f"at {company}"} if fold(company).strip() else {}
    for email in as_list(meta.get("emails")):
        domain = email.rpartition("@")[2].strip().casefold()
        if domain and domain not in FREE_MAIL:
            keys[f"d:{domain}"] = f"with @{domain}"
    return keys


def _folded(value: Any) -> str:
    return " ".join(fold(value).split()) if isinstance(value, str) else ""


def name_key(meta: dict[str, Any]) -> str | None:
    """`n:<name>\0<company>`, folded (case, accents, spaces): None for a contact with no name."""
    name = _folded(meta.get("name"))
    return f"n:{name}\0{_folded(meta.get('company'))}" if name else None


class Traits(NamedTuple):
    """What can tell two contacts of the same name apart: their emails, phones (as keys), birthday and kind."""

    emails: frozenset[str]
    phones: frozenset[str]
    birthday: str
    kind: str


def traits(meta: dict[str, Any], keys: list[tuple[str, str]]) -> Traits:
    """The traits of a contact whose ``identity_keys`` are ``keys``."""
    emails = frozenset(k for k, _ in keys if k.startswith("e:"))
    phones = frozenset(k for k, _ in keys if k.startswith("p:"))
    birthday = meta.get("birthday")
    kind = meta.get("kind")
    return Traits(emails, phones, "" if birthday is None else str(birthday).strip(),
                  kind if kind == "organization" else "person")


def told_apart(a: Traits, b: Traits) -> str | None:
    """What says two contacts are two: emails or phones on both that none share, another birthday or kind."""
    if a.emails and b.emails and not a.emails & b.emails:
        return "different emails"
    if a.phones and b.phones and not a.phones & b.phones:
        return "different phone numbers"
    if a.birthday and b.birthday and a.birthday != b.birthday:
        return "different birthdays"
    if a.kind != b.kind:
        return "one is an organisation"
    return None


def _name_words(name: str) -> list[str]:
    return [word for word in _folded(name.replace(".", ". ")).replace(".", "").split() if word]


def _word_fits(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def names_fit(a: str, b: str) -> bool:
    """Whether two names can be one person's: word for word the same or an initial (`H. Weber`, `Hans Weber`),
    or a one-word name that is a word of the other (`Ada`, `Ada Lovelace`). An empty name fits any."""
    x, y = _name_words(a), _name_words(b)
    if not x or not y:
        return True
    if len(x) == 1 or len(y) == 1:
        one, other = (x, y) if len(x) == 1 else (y, x)
        return any(_word_fits(one[0], word) for word in other)
    return len(x) == len(y) and all(_word_fits(p, q) for p, q in zip(x, y))
