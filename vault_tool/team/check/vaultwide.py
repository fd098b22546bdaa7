"""Checks of the vault as a whole: what no single file can tell.

They work on Facts, the little that each file contributes (its handle, kind,
name, company, and its emails, phones and uid already normalised for
comparing, with their lines), so that files can be read in other processes
and only these facts travel back.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from vault_tool.format.handles import fold, slugify
from vault_tool.format.identity import names_fit
from vault_tool.format.layout import CONTACTS
from vault_tool.format.relations import KEY as RELATIONS
from vault_tool.team.check.records import (
    ERROR,
    WARNING,
    CheckContext,
    FileRecord,
    Problem,
    iter_items,
)
from vault_tool.team.check.relations import relation_lines

SHARED_FIELDS = ("emails", "phones", "uid")


@dataclass(frozen=True)
class Value:
    normal: str  # for comparing: an email in lower case, a phone in E.164
    written: str
    line: int


@dataclass
class Facts:
    """What one file tells the vault-wide checks; ``rel`` is its path relative to the contacts folder."""

    folder: Path  # the contacts folder
    rel: str
    handle: str
    parsed: bool = False
    kind: str = "person"
    name: str = ""
    company: str = ""
    company_line: int = 0
    values: dict[str, list[Value]] = field(default_factory=dict)  # emails, phones, uid

    @property
    def path(self) -> Path:
        """Made when a problem names the file: most files have none, and a vault has 100,000."""
        return self.folder / self.rel


def normal_phone(value: str, context: CheckContext, region: str | None = None) -> str | None:
    """A phone number in E.164 form, for comparing; None if it does not parse (``region``: the contact's)."""
    number = context.phone(value, region)
    return None if number is None else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _normal(field_name: str, written: str, context: CheckContext, region: str | None = None) -> str | None:
    if field_name == "phones":
        return normal_phone(written, context, region)
    return (written.strip().casefold() if field_name == "emails" else written.strip()) or None


def facts(record: FileRecord, context: CheckContext) -> Facts:
    """The facts of one read file (a file that did not parse has only its path and handle)."""
    folder = context.root / CONTACTS
    found = Facts(folder, record.path.relative_to(folder).as_posix(), record.handle)
    contact = record.contact
    if contact is None:
        return found
    company = contact.meta.get("company")
    found.parsed, found.kind, found.name = True, contact.kind, contact.name
    if isinstance(company, str) and company.strip():
        found.company, found.company_line = company, record.line_of("company")
    for name in SHARED_FIELDS:
        seen: set[str] = set()
        values = []
        for item in iter_items(contact.meta.get(name)):
            written = str(item)
            normal = _normal(name, written, context, context.region_of(contact.meta).code)
            if normal and normal not in seen:
                seen.add(normal)
                # One string when both are the same (most emails): kept results (kept.py) then hold it once.
                values.append(Value(written if normal == written else normal, written,
                                    record.line_of_item(name, written)))
        found.values[name] = values
    # The handles the file's relations name, as values too (normal: the handle, written: the type).
    found.values[RELATIONS] = [Value(target, kind, line) for kind, target, line in relation_lines(record)]
    return found


def _rel(item: Facts, context: CheckContext) -> str:
    return f"{CONTACTS}/{item.rel}"


def check_same_handle(items: list[Facts], context: CheckContext) -> list[Problem]:
    """Two files with the same name in different folders: a handle must name one contact."""
    by_handle: dict[str, list[Facts]] = defaultdict(list)
    for item in items:
        by_handle[item.handle].append(item)
    problems = []
    for handle, group in by_handle.items():
        for item in group if len(group) > 1 else ():
            others = ", ".join(_rel(other, context) for other in group if other is not item)
            problems.append(Problem(
                item.path, 1, ERROR, f"the handle '{handle}' is also {others}: rename one file (contacts mv)",
                "same-handle",
            ))
    return problems


def _works_at(person: Facts, organisation: Facts) -> bool:
    company = person.company
    return bool(company) and (fold(company) == fold(organisation.name) or slugify(company) == organisation.handle)


def _colleagues(a: Facts, b: Facts) -> bool:
    """An organisation and a person who works there may share its switchboard or its info@ address."""
    return any(
        org.kind == "organization" and person.kind != "organization" and _works_at(person, org)
        for org, person in ((a, b), (b, a))
    )


def _two_people(a: Facts, b: Facts) -> bool:
    """Two people a shared phone number does not make one: they share no email and each has some, or
    they work at the same company (the office's line), or their names cannot be one person's."""
    mine, theirs = ({v.normal for v in item.values.get("emails", ())} for item in (a, b))
    if mine & theirs:
        return False
    if mine and theirs:
        return True
    if a.company.strip() and fold(a.company.strip()) == fold(b.company.strip()):
        return True
    return not names_fit(a.name, b.name)


def _shared_values(
    items: list[Facts], context: CheckContext, field_name: str, what: str, hint: str, colleagues_may_share: bool = True,
    apart: Callable[[Facts, Facts], bool] | None = None,
) -> list[Problem]:
    """Each value on two contacts or more: an error, or a warning where ``apart`` says they are two people."""
    holders: dict[str, list[tuple[Facts, Value]]] = defaultdict(list)
    for item in items:
        for value in item.values.get(field_name, ()):
            holders[value.normal].append((item, value))
    problems = []
    for group in holders.values():
        for item, value in group if len(group) > 1 else ():
            others = [
                other for other, _ in group
                if other is not item and not (colleagues_may_share and _colleagues(other, item))
            ]
            if not others:
                continue
            names = ", ".join(_rel(other, context) for other in others)
            if apart is not None and all(apart(item, other) for other in others):
                message = f"the {what} {value.written} is also on {names}: a shared line? (two people, not one)"
                problems.append(Problem(item.path, value.line, WARNING, message, "duplicate"))
            else:
                message = f"the {what} {value.written} is also on {names}: {hint}"
                problems.append(Problem(item.path, value.line, ERROR, message, "duplicate"))
    return problems


def check_shared_emails(items: list[Facts], context: CheckContext) -> list[Problem]:
    """The same email address on two contacts (not counting a person and their organisation)."""
    return _shared_values(items, context, "emails", "email", "the same person twice?")


def check_shared_phones(items: list[Facts], context: CheckContext) -> list[Problem]:
    """The same phone number (compared in E.164 form) on two contacts (not a person and their organisation).

    A warning where the contacts are two people (other emails, the same company: a switchboard, as an
    import brings in), an error where nothing tells them apart.
    """
    return _shared_values(items, context, "phones", "phone number", "the same person twice?", apart=_two_people)


def check_shared_uids(items: list[Facts], context: CheckContext) -> list[Problem]:
    """Two files with the same uid: one was copied from the other."""
    return _shared_values(
        items, context, "uid", "uid", "a copied file? a uid names one contact: give one of them a new uid or merge them",
        colleagues_may_share=False,
    )


def check_company_exists(items: list[Facts], context: CheckContext) -> list[Problem]:
    """A `company` that names no organisation file (a warning; an error under --strict).

    vault.yaml's `checks: {company_without_organisation: off}` turns it off.
    """
    if not context.config.check_enabled("company_without_organisation"):
        return []
    organisations = [i for i in items if i.parsed and i.kind == "organization"]
    names = {fold(o.name) for o in organisations} | {o.handle for o in organisations}
    return [
        Problem(
            item.path, item.company_line, WARNING,
            f"company '{item.company}' names no organisation in the vault: "
            f"add it (contacts add \"{item.company}\" --kind organization) or correct the name",
            "company",
        )
        for item in items
        if item.company and fold(item.company.strip()) not in names and slugify(item.company) not in names
    ]


def check_relation_targets(items: list[Facts], context: CheckContext) -> list[Problem]:
    """A relation that names a handle no contact file has (format/relations.py)."""
    handles = {item.handle for item in items}
    return [
        Problem(item.path, value.line, ERROR,
                f"relation '{value.written}' names '{value.normal}', which is no contact's handle: correct it "
                f"(contacts list shows the handles) or remove it (contacts unlink {item.handle} {value.written} "
                f"{value.normal})", "relations")
        for item in items for value in item.values.get(RELATIONS, ()) if value.normal not in handles
    ]


VAULT_CHECKS = (check_same_handle, check_shared_emails, check_shared_phones, check_shared_uids, check_company_exists,
                check_relation_targets)
