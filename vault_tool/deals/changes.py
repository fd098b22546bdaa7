"""Every change `contacts deal …` makes to a deal file: add, set, move, won, lost, log, task, rm, mv.

A deal is written as a contact is (store/mutations.py): under the vault's lock, a minimal edit of
its front matter or a section appended, written atomically, one commit with a message a person
would write ("Move Acme renewal 2027 to negotiation"). The values are checked here, once: a stage
of the pipeline, an ISO 4217 currency, an amount that is a decimal number, dates, and contacts
that exist.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import AmbiguousError, InvalidValueError, NotFoundError, VaultError
from vault_tool.format import yamledit
from vault_tool.format.contact import Contact, render
from vault_tool.format.dates import parse_date
from vault_tool.format.deal import (
    DEAL_KEYS,
    LOST,
    WON,
    Deal,
    DealStage,
    decimal_of,
    is_currency,
    parse_deal,
    stage_named,
)
from vault_tool.format.handles import fold, slugify, unique
from vault_tool.format.ids import new_uid
from vault_tool.search.deals import find_deals
from vault_tool.store.mutations import Change, Edit, Records, apply_edit, finished, value_edit
from vault_tool.store.references import edited
from vault_tool.store.transaction import transaction
from vault_tool.store.vault import read_file, starts_word

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

LIST_KEYS = ("contacts", "tags")


def deal_file(vault: Vault, handle: str) -> Path | None:
    """The file of the deal whose handle is ``handle``, found without reading it (it may not parse); else None."""
    direct = vault.deals_dir / f"{handle}.md"
    return direct if "/" not in handle and direct.is_file() else None


def find_deal(vault: Vault, query: str) -> Deal:
    """The one deal ``query`` names: its handle, its name, or the start of a word of either."""
    direct = deal_file(vault, query)
    if direct is not None:
        return read_deal(direct)
    wanted = fold(query.strip())
    if not wanted:
        raise NotFoundError("give a deal: its handle or its name")
    views = find_deals(vault).deals
    tiers = (
        lambda v: v.handle == query,
        lambda v: fold(v.name) == wanted,
        lambda v: starts_word(wanted, fold(v.name)) or starts_word(wanted, v.handle),
    )
    for tier in tiers:
        found = [view for view in views if tier(view)]
        if len(found) == 1:
            return read_deal(vault.root / found[0].path)
        if found:
            raise AmbiguousError(query, sorted(view.handle for view in found), "deals")
    raise NotFoundError(f"no deal matches '{query}': see 'contacts deals'")


def read_deal(path: Path) -> Deal:
    return parse_deal(path, read_file(path))


DEALS = Records(lambda vault, query: find_deal(vault, query).record,
                lambda path, data, handle: parse_deal(path, data, handle).record)


# Values


def stage_of(vault: Vault, name: str) -> DealStage:
    """The pipeline stage ``name``; InvalidValueError listing the stages if there is none."""
    found = stage_named(vault.config.pipeline, name.strip())
    if found is None:
        stages = ", ".join(stage.name for stage in vault.config.pipeline)
        raise InvalidValueError(f"'{name}' is not a deal stage in vault.yaml's pipeline ({stages})")
    return found


def amount_of(text: str) -> Decimal:
    amount = decimal_of(text.strip().replace(",", "")) if text.strip() else None
    if amount is None or amount < 0:
        raise InvalidValueError(f"'{text}' is not an amount: write a number such as 12000 or 12000.50")
    return amount


def currency_of(text: str) -> str:
    code = text.strip().upper()
    if not is_currency(code):
        raise InvalidValueError(f"'{text}' is not an ISO 4217 currency code (EUR, USD, GBP …)")
    return code


def probability_of(text: str) -> int:
    value = text.strip().removesuffix("%")
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise InvalidValueError(f"'{text}' is not a probability: a whole percent from 0 to 100")
    return int(value)


def contact_handles(vault: Vault, queries: list[str]) -> list[str]:
    """The handle of the contact each of ``queries`` names (NotFoundError for one that names none)."""
    return list(dict.fromkeys(vault.get(query).handle for query in queries if query.strip()))


def company_of(vault: Vault, text: str) -> str:
    """An organisation's handle if ``text`` names one, else the text as written (a company not in the vault)."""
    try:
        found = vault.get(text)
    except (NotFoundError, AmbiguousError):
        return text.strip()
    return found.handle if found.kind == "organization" else text.strip()


def deal_value(vault: Vault, key: str, values: list[str]) -> Any:
    """The value ``key`` of a deal takes from the words ``values``, checked and typed."""
    text = " ".join(values).strip()
    if key in LIST_KEYS:
        items = [item.strip() for value in values for item in value.split(",") if item.strip()]
        return contact_handles(vault, items) if key == "contacts" else list(dict.fromkeys(items))
    if "\n" in text or "\r" in text:
        raise InvalidValueError(f"{key} must be one line")
    typed: dict[str, Callable[[str], Any]] = {
        "amount": amount_of, "currency": currency_of, "probability": probability_of,
        "stage": lambda value: stage_of(vault, value).name,
        "company": lambda value: company_of(vault, value),
    }
    if key in typed:
        return typed[key](text)
    if key in ("close", "closed", "created"):
        return parse_date(text, vault.today()).isoformat()
    if key in ("uid",):
        raise InvalidValueError(f"{key} is set by 'contacts deal add' itself")
    if not text:
        raise InvalidValueError(f"give a value for {key} (to remove it: contacts deal unset DEAL {key})")
    return text


# Adding


@dataclass
class NewDeal:
    """What `deal add` is given: a name and the words for each key."""

    name: str
    values: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""


def add_deal(vault: Vault, new: NewDeal) -> Change:
    """Write a new deal file (stage: the pipeline's first unless given; created: today) and commit it."""
    name = new.name.strip()
    if not name or "\n" in name or "\r" in name:
        raise InvalidValueError("give the deal a name on one line")
    meta: dict[str, Any] = {"name": name}
    for key, values in new.values.items():
        value = deal_value(vault, key, values)
        if value not in ([], "", None):
            meta[key] = value
    meta.setdefault("stage", next((s.name for s in vault.config.pipeline if s.open), vault.config.pipeline[0].name))
    meta["created"] = vault.today().isoformat()
    meta["uid"] = new_uid()
    ordered = {key: meta[key] for key in DEAL_KEYS if key in meta} | meta
    with transaction(vault, f"Add deal {name}") as tx:
        handle = unique(slugify(name), {p.stem for p in vault.deal_files()})
        path = vault.deals_dir / f"{handle}.md"
        tx.write(path, render(Contact(handle, ordered, notes=new.note), keep_order=True).encode("utf-8"))
    return finished(vault, tx, Change(handle, path, tx.message))


# Changing


def change(vault: Vault, query: str, edit: Edit) -> Change:
    """``edit`` made to the deal ``query`` names (a `set`, `log` or `task` edit made as to a contact)."""
    return apply_edit(vault, query, edit, DEALS)


def set_value(vault: Vault, query: str, key: str, values: list[str]) -> Change:
    if key == "name":
        raise InvalidValueError("a deal's name is its file's name too: use 'contacts deal mv DEAL NEW-NAME'")
    if key == "stage":
        return move(vault, query, " ".join(values))
    return change(vault, query, value_edit(key, deal_value(vault, key, values)))


def unset_value(vault: Vault, query: str, key: str) -> Change:
    if key in ("name", "uid"):
        raise InvalidValueError(f"a deal needs its {key}")
    from vault_tool.store.mutations import unset_edit

    return change(vault, query, unset_edit(key))


def _stage_edit(changes: dict[str, Any], message: str) -> Edit:
    def make(record: Contact) -> tuple[bytes | None, str]:
        wanted = {key: value for key, value in changes.items()
                  if not (value is yamledit.REMOVE and key not in record.meta) and record.meta.get(key) != value}
        if not wanted:
            return None, f"{record.name} is already {changes['stage']}"
        return edited(record, wanted), message.format(name=record.name)

    return Edit(make, lambda n: message.format(name=f"{n} deals"))


def move(vault: Vault, query: str, stage_name: str, on: dt.date | None = None, reason: str = "") -> Change:
    """The deal moved to ``stage_name``: a won or lost stage closes it (closed: the day), an open one reopens it."""
    stage = stage_of(vault, stage_name)
    day = (on or vault.today()).isoformat()
    changes: dict[str, Any] = {"stage": stage.name}
    if stage.outcome:
        changes["closed"] = day
    else:
        changes["closed"] = yamledit.REMOVE
    changes["lost_reason"] = reason.strip() if stage.outcome == LOST and reason.strip() else yamledit.REMOVE
    if "\n" in reason or "\r" in reason:
        raise InvalidValueError("the reason must be one line")
    message = {WON: "Win {name}", LOST: "Lose {name}" + (f": {reason.strip()}" if reason.strip() else "")}
    return change(vault, query, _stage_edit(changes, message.get(stage.outcome, f"Move {{name}} to {stage.name}")))


def close_deal(vault: Vault, query: str, outcome: str, on: dt.date | None = None, reason: str = "") -> Change:
    """`deal won` / `deal lost`: the deal moved to the pipeline's first won (lost) stage."""
    stage = next((s for s in vault.config.pipeline if s.outcome == outcome), None)
    if stage is None:
        raise VaultError(f"vault.yaml's pipeline has no stage with outcome: {outcome}: add one, "
                         f"e.g. {{stage: {outcome}, probability: {100 if outcome == WON else 0}, outcome: {outcome}}}")
    return move(vault, query, stage.name, on, reason)


def remove_deal(vault: Vault, query: str) -> Change:
    with transaction(vault) as tx:
        deal = find_deal(vault, query)
        assert deal.path is not None
        tx.message = f"Remove deal {deal.name}"
        tx.delete(deal.path)
    return finished(vault, tx, Change(deal.handle, deal.path, tx.message))


def rename_deal(vault: Vault, query: str, new_name: str) -> Change:
    """A new name, and the file moved to the handle made from it, in one commit."""
    new_name = new_name.strip()
    if not new_name or "\n" in new_name or "\r" in new_name:
        raise InvalidValueError("give the new name on one line")
    with transaction(vault) as tx:
        deal = find_deal(vault, query)
        old = deal.path
        assert old is not None
        handle = unique(slugify(new_name), {p.stem for p in vault.deal_files()} - {deal.handle})
        new = old.with_name(f"{handle}.md")
        if new == old and deal.name == new_name:
            return Change(deal.handle, old, f"{deal.name} is already called that ({handle})", changed=False)
        tx.message = f"Rename deal {deal.name} to {new_name}"

        def renamed(blob: bytes) -> bytes:
            return edited(parse_deal(old, blob, deal.handle).record, {"name": new_name})

        if new == old:
            tx.edit(old, renamed)
        else:
            tx.move(old, new, renamed)
    return finished(vault, tx, Change(handle, new, tx.message))
