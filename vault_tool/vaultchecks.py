"""Checks of the vault as a whole: what no single file can tell."""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable

import phonenumbers

from .checks import ERROR, WARNING, CheckContext, FileRecord, Problem, VaultCheck, iter_items
from .contact import Contact
from .handles import fold, slugify


def _rel(record: FileRecord, context: CheckContext) -> str:
    return os.path.relpath(record.path, context.root)


def check_same_handle(records: list[FileRecord], context: CheckContext) -> list[Problem]:
    """Two files with the same name in different folders: a handle must name one contact."""
    by_handle: dict[str, list[FileRecord]] = defaultdict(list)
    for record in records:
        by_handle[record.handle].append(record)
    problems = []
    for handle, group in by_handle.items():
        for record in group if len(group) > 1 else ():
            others = ", ".join(_rel(r, context) for r in group if r is not record)
            problems.append(Problem(
                record.path, 1, ERROR,
                f"the handle '{handle}' is also {others}: rename one file (contacts mv)", "same-handle",
            ))
    return problems


def normal_phone(value: str, context: CheckContext) -> str | None:
    """A phone number in E.164 form, for comparing; None if it does not parse."""
    number = context.phone(value)
    return None if number is None else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _works_at(person: Contact, organisation: Contact) -> bool:
    company = person.text_field("company")
    return bool(company) and (fold(company) == fold(organisation.name) or slugify(company) == organisation.handle)


def _shared_by_colleague(a: Contact, b: Contact) -> bool:
    """An organisation and a person who works there may share its switchboard or its info@ address."""
    pairs = ((a, b), (b, a))
    return any(org.kind == "organization" and person.kind != "organization" and _works_at(person, org)
               for org, person in pairs)


def _shared_values(
    records: list[FileRecord], context: CheckContext, field: str, normalise: Callable[[str], str | None],
    what: str, hint: str, colleagues_may_share: bool = True,
) -> list[Problem]:
    owners: dict[str, list[tuple[FileRecord, str]]] = defaultdict(list)
    for record in records:
        if record.contact is None:
            continue
        seen: set[str] = set()
        for item in iter_items(record.contact.meta.get(field)):
            key = normalise(str(item))
            if key and key not in seen:
                seen.add(key)
                owners[key].append((record, str(item)))
    problems = []
    for group in owners.values():
        for record, written in group:
            others = [
                r for r, _ in group
                if r is not record and not (colleagues_may_share and _shared_by_colleague(r.contact, record.contact))
            ]
            if others:
                names = ", ".join(_rel(r, context) for r in others)
                problems.append(Problem(
                    record.path, record.line_of_item(field, written), ERROR,
                    f"the {what} {written} is also on {names}: {hint}", "duplicate",
                ))
    return problems


def check_shared_emails(records: list[FileRecord], context: CheckContext) -> list[Problem]:
    """The same email address on two contacts (not counting a person and their organisation)."""
    return _shared_values(
        records, context, "emails", lambda v: v.strip().casefold() or None, "email", "the same person twice?"
    )


def check_shared_phones(records: list[FileRecord], context: CheckContext) -> list[Problem]:
    """The same phone number (compared in E.164 form) on two contacts (not a person and their organisation)."""
    return _shared_values(
        records, context, "phones", lambda v: normal_phone(v, context), "phone number", "the same person twice?"
    )


def check_shared_uids(records: list[FileRecord], context: CheckContext) -> list[Problem]:
    """Two files with the same uid: one was copied from the other."""
    return _shared_values(
        records, context, "uid", lambda v: v.strip() or None, "uid",
        "a copied file? a uid names one contact: give one of them a new uid or merge them",
        colleagues_may_share=False,
    )


def check_company_exists(records: list[FileRecord], context: CheckContext) -> list[Problem]:
    """A `company` that names no organisation file (a warning; an error under --strict)."""
    organisations = [r.contact for r in records if r.contact is not None and r.contact.kind == "organization"]
    names = {fold(o.name) for o in organisations} | {o.handle for o in organisations}
    problems = []
    for record in records:
        company = record.contact.meta.get("company") if record.contact is not None else None
        if not isinstance(company, str) or not company.strip():
            continue
        if fold(company.strip()) not in names and slugify(company) not in names:
            problems.append(Problem(
                record.path, record.line_of("company"), WARNING,
                f"company '{company}' names no organisation in the vault: "
                f"add it (contacts add \"{company}\" --kind organization) or correct the name",
                "company",
            ))
    return problems


VAULT_CHECKS: tuple[VaultCheck, ...] = (
    check_same_handle, check_shared_emails, check_shared_phones, check_shared_uids, check_company_exists,
)
