"""Checks of the deal files (deals/<handle>.md, format/deal.py), for `contacts check`.

A deal file is read as `contacts deal` reads it (the contact parser, numbers with a dot as
Decimals) and checked on its own: it parses (one error, with its line, for one that does not: the
others are still checked), its stage is vault.yaml's pipeline's, its currency an ISO 4217 code, its
amount a number of 0 or more, its probability a whole percent, its dates ISO dates, a closed date
goes with a won or lost stage and a won or lost stage has one (warnings), and its headings,
interactions and tasks are checked as a contact's are. Then against the vault: each handle of
`contacts:` is a contact's (an error), a `company:` written like a handle names an organisation
(a warning; a company's name as it is spelt is fine), and no two deal files share a handle or a uid.

What a check of the deals found is kept in `.vault/check-deals` (`kept_deal_problems`) with what it
depended on: vault.yaml and the checks (kept.settings_key), every deal file's stat, the contacts'
handles, the stat of each contact file it read (to tell an organisation from a person), and the
days it holds: from the day it was made until the first day a date could read differently
(`valid_until`). A check that finds all of these as they were answers from it; one deal file too
young to trust its stat (kept.py) reads them all again. 10,000 deals took 2.5 s to check every time.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault_tool.errors import ParseError
from vault_tool.format import contact as contact_mod
from vault_tool.format.deal import (
    DATE_KEYS,
    DEALS,
    decimal_of,
    is_currency,
    stage_named,
)
from vault_tool.format.fields import tag_problem
from vault_tool.format.handles import is_valid
from vault_tool.format.layout import CONTACTS, Stat
from vault_tool.search.scan import RACY, stats_and_links, trusted
from vault_tool.store.vault import read_file, sorted_paths
from vault_tool.team.check import kept
from vault_tool.team.check.files import (
    FAR_FUTURE_YEARS,
    FAR_PAST,
    check_conflict_markers,
    check_headings,
    check_interactions,
    check_parses,
    check_tasks,
)
from vault_tool.team.check.records import (
    ERROR,
    WARNING,
    CheckContext,
    FileCheck,
    FileRecord,
    Problem,
    describe_type,
    iter_items,
    read_record,
)

DEAL_SUMMARY = "check-deals"  # in .vault/: the last check of the deals, and what it depended on
TEXT_KEYS = ("company", "currency", "stage", "owner", "lost_reason", "uid")
LINK = "a symbolic link, not followed: keep the file or folder itself in deals/ instead"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Reading


def read_deal_record(path: Path) -> FileRecord:
    """Read one deal file for checking as `contacts deal` reads it; one that does not parse keeps its text, error."""
    return read_record(path, deal=True)


def _meta(record: FileRecord) -> dict[str, Any]:
    return record.contact.meta if record.contact is not None else {}


# One deal file


def _text(value: Any) -> str:
    return str(value).strip()


def _scalar(meta: dict[str, Any], key: str) -> str:
    """A key's one value as text ("" when missing, empty, a list or a mapping)."""
    value = meta.get(key)
    return "" if value is None or isinstance(value, (list, dict)) else _text(value)


def _value_problems(record: FileRecord, context: CheckContext) -> Iterator[tuple[str, str]]:
    """(key, message) of each error in the deal's typed keys (a missing key is no error)."""
    meta = _meta(record)
    for key in TEXT_KEYS:
        if isinstance(meta.get(key), (list, dict)):
            yield key, f"{key} must be text, not {describe_type(meta[key])}"
    stage = _scalar(meta, "stage")
    if stage and stage_named(context.config.pipeline, stage) is None:
        names = ", ".join(s.name for s in context.config.pipeline)
        yield "stage", f"stage '{stage}' is not in vault.yaml's pipeline ({names})"
    currency = meta.get("currency")
    if currency is not None and not isinstance(currency, (list, dict)) and not is_currency(_text(currency)):
        upper = _text(currency).upper()
        hint = f": write {upper}" if is_currency(upper) else " (EUR, USD, GBP …)"
        yield "currency", f"currency '{currency}' is not an ISO 4217 currency code{hint}"
    yield from _number_problems(meta)
    yield from _date_problems(meta)


def _number_problems(meta: dict[str, Any]) -> Iterator[tuple[str, str]]:
    amount = meta.get("amount")
    if amount is not None:
        number = decimal_of(amount)
        if number is None:
            yield "amount", f"amount must be a number such as 12000 or 12000.50, not '{amount}'"
        elif number < 0:
            yield "amount", f"amount {amount} is negative: an amount is 0 or more"
    probability = meta.get("probability")
    if probability is not None:
        number = decimal_of(probability)
        if number is None or not 0 <= number <= 100 or number != int(number):
            yield "probability", f"probability must be a whole percent from 0 to 100, not '{probability}'"


def _date_problems(meta: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in DATE_KEYS:
        value = meta.get(key)
        if value is None:
            continue
        text = _text(value)
        if not _ISO_DATE.fullmatch(text):
            yield key, f"{key} must be a date YYYY-MM-DD, not '{value}'"
            continue
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            yield key, f"{key}: '{value}' is not a date (month 01–12, a day that exists)"


def _date_of(meta: dict[str, Any], key: str) -> dt.date | None:
    text = _text(meta.get(key)) if meta.get(key) is not None else ""
    try:
        return dt.date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None


def _doubts(record: FileRecord, context: CheckContext) -> Iterator[tuple[str, str]]:
    """(key, message) of each warning: dates far off, closed against the stage, no stage, an owner or tag astray."""
    meta = _meta(record)
    for key in DATE_KEYS:
        day = _date_of(meta, key)
        if day is not None and day < FAR_PAST:
            yield key, f"{key} {day.isoformat()} is before 1900: a typo?"
        elif day is not None and day.year > context.today.year + FAR_FUTURE_YEARS:
            yield key, f"{key} {day.isoformat()} is more than {FAR_FUTURE_YEARS} years ahead: a typo?"
    yield from _stage_doubts(meta, context)
    owner, owners = meta.get("owner"), context.config.owners
    if owners and isinstance(owner, str) and owner.strip() not in owners:
        yield "owner", (f"owner '{owner}' is not in vault.yaml's owners ({', '.join(owners)}): "
                        "CODEOWNERS cannot name them")


def _stage_doubts(meta: dict[str, Any], context: CheckContext) -> Iterator[tuple[str, str]]:
    names = ", ".join(s.name for s in context.config.pipeline)
    if meta.get("stage") is None or (isinstance(meta["stage"], str) and not meta["stage"].strip()):
        yield "name", f"the deal has no stage: add one of vault.yaml's pipeline ({names})"
        return
    stage = stage_named(context.config.pipeline, _scalar(meta, "stage"))
    if stage is None:
        return  # not a stage: an error already
    if stage.open and meta.get("closed") is not None:
        yield "closed", (f"closed {meta['closed']} on the open stage '{stage.name}': move the deal to a won or "
                         "lost stage (contacts deal won/lost), or remove closed")
    elif not stage.open and meta.get("closed") is None:
        yield "stage", (f"stage '{stage.name}' closes the deal as {stage.outcome}, but it has no closed date: "
                        "add closed: YYYY-MM-DD")


def _list_problems(record: FileRecord) -> list[Problem]:
    """`contacts:` and `tags:` are lists of text (a single one is read as a list of one); tags are one word each."""
    meta = _meta(record)
    problems = []
    for key, example in (("contacts", "contacts: [ada-lovelace, charles-babbage]"), ("tags", "tags: [pilot, q1]")):
        value = meta.get(key)
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
            problems.append(Problem(record.path, record.line_of(key), ERROR,
                                    f"{key} must be a list of text items, e.g. {example}", "fields"))
    for tag in (t for t in iter_items(meta.get("tags")) if isinstance(t, str) and not isinstance(meta["tags"], dict)):
        message = tag_problem(tag)
        if message:
            problems.append(Problem(record.path, record.line_of_item("tags", tag), WARNING, message, "fields"))
    return problems


def check_deal_fields(record: FileRecord, context: CheckContext) -> list[Problem]:
    """The deal's keys have their types and agree with vault.yaml (pipeline, owners) and with each other."""
    if record.contact is None:
        return []
    problems = [Problem(record.path, record.line_of(key), ERROR, message, "fields")
                for key, message in _value_problems(record, context)]
    problems += [Problem(record.path, record.line_of(key), WARNING, message, "deal")
                 for key, message in _doubts(record, context)]
    return problems + _list_problems(record)


DEAL_FILE_CHECKS: tuple[FileCheck, ...] = (
    check_parses, check_conflict_markers, check_deal_fields, check_headings, check_interactions, check_tasks,
)


# Against the vault


@dataclass
class DealFacts:
    """What one deal file tells the checks of the deals against the vault."""

    record: FileRecord
    contacts: list[tuple[str, int]] = field(default_factory=list)  # (handle, line)
    company: tuple[str, int] | None = None
    uid: tuple[str, int] | None = None


def deal_facts(record: FileRecord) -> DealFacts:
    found = DealFacts(record)
    meta = _meta(record)
    contacts = meta.get("contacts")
    if record.contact is None or isinstance(contacts, dict):
        return found
    for item in iter_items(contacts):
        if not isinstance(item, (list, dict)) and _text(item):
            found.contacts.append((_text(item), record.line_of_item("contacts", _text(item))))
    for key in ("company", "uid"):
        value = meta.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and _text(value):
            setattr(found, key, (_text(value), record.line_of(key)))
    return found


@dataclass(frozen=True)
class ContactFiles:
    """The vault's contact files by handle (their paths relative to contacts/), and the kind of those read."""

    root: Path
    by_handle: dict[str, str]

    def kind(self, handle: str) -> str | None:
        """"organization" or "person" for a contact's handle; None for no contact's, or one that does not parse."""
        rel = self.by_handle.get(handle)
        if rel is None:
            return None
        path = self.root / CONTACTS / rel
        try:
            return contact_mod.parse(path, read_file(path)).kind
        except ParseError:
            return None


def _contact_problems(item: DealFacts, contacts: ContactFiles) -> list[Problem]:
    return [
        Problem(item.record.path, line, ERROR, f"contact '{handle}' is no contact's handle: correct it "
                "(contacts list shows the handles) or remove it from contacts:", "deal-contacts")
        for handle, line in item.contacts if handle not in contacts.by_handle
    ]


def _company_problems(item: DealFacts, contacts: ContactFiles, kinds: dict[str, str | None]) -> list[Problem]:
    """A company written like a handle (`analytical-engines`) that no organisation has: a typo, or a removed one."""
    if item.company is None:
        return []
    company, line = item.company
    if company in contacts.by_handle:
        if company not in kinds:
            kinds[company] = contacts.kind(company)
        if kinds[company] in ("organization", None):
            return []
        message = (f"company '{company}' is the handle of a person, not an organisation: write the organisation's "
                   "handle, or the company's name")
    elif is_valid(company) and "-" in company:
        message = (f"company '{company}' is written like a handle, but no organisation has it: write an "
                   "organisation's handle (contacts list shows them), or the company's name as it is spelt")
    else:
        return []  # a company's name: a deal may name a company the vault has no file for
    return [Problem(item.record.path, line, WARNING, message, "deal-company")]


def _shared(items: list[DealFacts], root: Path) -> list[Problem]:
    """Two deal files with one handle (in different folders), or one uid (a copied file)."""
    by_handle: dict[str, list[DealFacts]] = defaultdict(list)
    by_uid: dict[str, list[DealFacts]] = defaultdict(list)
    for item in items:
        by_handle[item.record.handle].append(item)
        if item.uid is not None:
            by_uid[item.uid[0]].append(item)
    problems = []
    for handle, group in by_handle.items():
        for item in group if len(group) > 1 else ():
            others = ", ".join(_rel(o, root) for o in group if o is not item)
            problems.append(Problem(item.record.path, 1, ERROR, f"the deal handle '{handle}' is also {others}: "
                                    "rename one (contacts deal mv)", "same-handle"))
    for uid, group in by_uid.items():
        for item in group if len(group) > 1 else ():
            others = ", ".join(_rel(o, root) for o in group if o is not item)
            problems.append(Problem(item.record.path, item.uid[1] if item.uid else 1, ERROR,
                                    f"the uid {uid} is also on {others}: a copied file? give one of them a new uid",
                                    "duplicate"))
    return problems


def _rel(item: DealFacts, root: Path) -> str:
    return item.record.path.relative_to(root).as_posix()


def valid_until(record: FileRecord, today: dt.date) -> dt.date:
    """The first day on which a check of this deal file could find something else than today: as a contact
    file's (kept.valid_until), and the first day a date of the deal now too far ahead no longer is."""
    meta = _meta(record)
    days = [day for key in DATE_KEYS if (day := _date_of(meta, key)) is not None]
    later = [far for far in map(kept.far_future_from, days) if far > today]
    return min([kept.valid_until(record, today), *later])


def kept_deal_problems(
    context: CheckContext, contact_files: Callable[[], dict[str, str]], contact_stats: dict[str, Stat],
) -> tuple[list[Problem], int]:
    """deal_problems, answered from `.vault/check-deals` when nothing it depended on changed (see the module).

    ``contact_files``: what gives the contact files by handle (see deal_problems), asked only to check the deals
    again; ``contact_stats``: each contact file's stat by its path relative to contacts/, RACY when too young.
    The handles are told by the paths, in the order listed (the last of two files with one handle counts).
    """
    state, folder = context.root / ".vault", context.root / DEALS
    found, links = stats_and_links(folder)  # names: a path is made only for a deal file checked again
    stats = trusted(found)
    depends = {"key": kept.settings_key(context.root, context.phone_format),
               "deals": kept.digest_of(stats, links), "handles": kept.digest(list(contact_stats))}
    data, today = kept.read_state(state / DEAL_SUMMARY), context.today.isoformat()
    try:
        if all(data.get(name) == value for name, value in depends.items()) and data["made"] <= today < data[
                "until"] and all(contact_stats.get(rel) == tuple(stat) != RACY for rel, stat in data["read"].items()):
            return kept.decoded(data["problems"], context.root), int(data["count"])
    except (KeyError, TypeError, ValueError):
        pass
    read: set[str] = set()
    until: list[dt.date] = []
    listed = (sorted_paths(folder, found), sorted_paths(folder, links))
    problems, count = deal_problems(context, contact_files(), listed, read, until)
    if RACY not in stats.values():
        kept.write_state(state / DEAL_SUMMARY, {
            **depends, "made": today, "until": min(until, default=dt.date.max).isoformat(),
            "read": {rel: contact_stats.get(rel, RACY) for rel in sorted(read)},
            "problems": kept.encoded(problems, context.root), "count": count})
    return problems, count


def deal_problems(
    context: CheckContext, contact_files: dict[str, str], listed: tuple[list[Path], list[Path]],
    read: set[str] | None = None, until: list[dt.date] | None = None,
) -> tuple[list[Problem], int]:
    """Every problem of the vault's deal files (each file's own, then against the contacts and each other), and
    how many deal files were checked.

    ``contact_files``: the contact files' paths relative to contacts/, by handle; ``listed``: the deal files and
    the links in deals/ (store.vault.listing). ``read`` (when given) receives the paths of the contact files
    read for their kind; ``until``, the first day on which each deal file's checks could read differently
    (`valid_until`).
    """
    files, links = listed
    problems = [Problem(link, 1, ERROR, LINK, "link") for link in links]
    if not files:
        return problems, 0
    contacts = ContactFiles(context.root, contact_files)
    kinds: dict[str, str | None] = {}
    items = []
    for path in files:
        record = read_deal_record(path)
        problems += [problem for check in DEAL_FILE_CHECKS for problem in check(record, context)]
        item = deal_facts(record)
        if until is not None:
            until.append(valid_until(record, context.today))
        problems += _contact_problems(item, contacts) + _company_problems(item, contacts, kinds)
        items.append(item)
    if read is not None:
        read.update(contact_files[handle] for handle in kinds)
    return problems + _shared(items, context.root), len(files)
