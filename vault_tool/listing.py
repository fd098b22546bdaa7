"""`contacts list`: every contact as a row, filtered and sorted."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from .contact import Contact
from .errors import InvalidValueError, ParseError
from .handles import fold
from .vault import Vault

SORTS = ("name", "last", "created")
COLUMNS = [
    ("name", "NAME"), ("company", "COMPANY"), ("email", "EMAIL"), ("tags", "TAGS"), ("last_contact", "LAST CONTACT"),
]


@dataclass
class Listing:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)


def row(vault: Vault, contact: Contact, today: dt.date) -> dict[str, Any]:
    last = contact.last_contact(today)
    return {
        "handle": contact.handle,
        "name": contact.name,
        "kind": contact.kind,
        "company": contact.text_field("company"),
        "email": contact.emails[0] if contact.emails else "",
        "emails": contact.emails,
        "phones": contact.phones,
        "tags": contact.tags,
        "stage": contact.text_field("stage"),
        "owner": contact.text_field("owner"),
        "last_contact": last.isoformat() if last else "",
        "path": os.path.relpath(contact.path, vault.root) if contact.path else "",
    }


def _created(vault: Vault, contacts: list[Contact]) -> dict[str, str]:
    from . import gitstore

    dates = gitstore.created_dates(vault.contacts_dir) if gitstore.repo_root(vault.root) else {}
    for contact in contacts:
        if contact.handle not in dates and contact.path is not None:
            stamp = dt.date.fromtimestamp(contact.path.stat().st_mtime)
            dates[contact.handle] = stamp.isoformat()
    return dates


def list_contacts(
    vault: Vault, tag: str | None = None, stage: str | None = None, owner: str | None = None,
    sort: str = "name", today: dt.date | None = None,
) -> Listing:
    """Every contact that has ``tag``, ``stage`` and ``owner`` (each if given), sorted by ``sort``."""
    if sort not in SORTS:
        raise InvalidValueError(f"sort by one of {', '.join(SORTS)}, not '{sort}'")
    today = today or vault.today()
    loaded = vault.load()
    chosen = [
        c for c in loaded.contacts
        if (tag is None or tag in c.tags)
        and (stage is None or c.text_field("stage") == stage)
        and (owner is None or c.text_field("owner") == owner)
    ]
    rows = [row(vault, c, today) for c in chosen]
    if sort == "name":
        rows.sort(key=lambda r: (fold(r["name"]), r["handle"]))
    elif sort == "last":
        rows.sort(key=lambda r: (r["last_contact"] or "0000", r["handle"]), reverse=True)
    else:
        created = _created(vault, chosen)
        for r in rows:
            r["created"] = created.get(r["handle"], "")
        rows.sort(key=lambda r: (r["created"], r["handle"]), reverse=True)
    return Listing(rows, loaded.problems)
