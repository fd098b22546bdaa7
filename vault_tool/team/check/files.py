"""Checks of one contact file. Each takes a FileRecord and the CheckContext and returns problems."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import phonenumbers
import yaml

from vault_tool.errors import InvalidValueError
from vault_tool.format import yamlsafe
from vault_tool.format.contact import KINDS, Contact
from vault_tool.format.dates import is_birthday, parse_duration
from vault_tool.format.fields import (
    URL,
    computed_key_problem,
    email_problem,
    parsed_phone_problem,
    phone_doubt,
    phone_problem,
    tag_problem,
)
from vault_tool.team.check import scalars
from vault_tool.team.check.records import (
    ERROR,
    WARNING,
    CheckContext,
    FileCheck,
    FileRecord,
    Problem,
    conflict_markers_in,
    describe_type,
    iter_items,
)
from vault_tool.team.check.documents import check_documents
from vault_tool.team.check.relations import check_relations

TEXT_FIELDS = ("company", "title", "stage", "owner", "address", "uid", "kind", "keep_in_touch")
FAR_PAST = dt.date(1900, 1, 1)
FAR_FUTURE_YEARS = 10


def check_parses(record: FileRecord, context: CheckContext) -> list[Problem]:
    """The file is UTF-8, has front matter, the YAML parses, is a mapping and has a name.

    A file with a conflict marker is reported for the marker only: that is what to fix first.
    """
    if record.error is None or (record.text is not None and conflict_markers_in(record.path, record.text)):
        return []  # a conflict marker is the cause: check_conflict_markers reports it
    return [Problem(record.path, record.error.line or 1, ERROR, record.error.message, "parse")]


def check_conflict_markers(record: FileRecord, context: CheckContext) -> list[Problem]:
    return conflict_markers_in(record.path, record.text) if record.text is not None else []


def _meta(record: FileRecord) -> dict[str, Any]:
    return record.contact.meta if record.contact is not None else {}


def _field_problems(record: FileRecord, context: CheckContext) -> Iterator[tuple[int, str]]:
    """(line, message) of each error in the known fields but emails, phones and links (`_value_problems`)."""
    meta = _meta(record)
    for key in TEXT_FIELDS + ("name",):
        if isinstance(meta.get(key), (list, dict)):
            yield record.line_of(key), f"{key} must be text, not {describe_type(meta[key])}"
    kind = meta.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        yield record.line_of("kind"), f"kind must be person or organization, not '{kind}'"
    stage = meta.get("stage")
    if isinstance(stage, str) and stage not in context.config.stages:
        yield record.line_of("stage"), (
            f"stage '{stage}' is not one of vault.yaml's stages ({', '.join(context.config.stages)})"
        )
    yield from _date_field_problems(record, context)


def _value_problems(record: FileRecord, context: CheckContext) -> Iterator[tuple[int, str, tuple[str, str]]]:
    """(line, message, (field, value)) of each email, phone number and link that is none."""
    yield from _list_field_problems(record, context)
    yield from _links_problems(record)


def _as_imported(record: FileRecord) -> dict[str, set[str]]:
    """The values of emails, phones and links that `vcard:` holds too: kept as written by an import.

    An import keeps a value that is no email, phone number or URL as it was written, with a line
    of its property (`TEL: +1-800-MYFAX`). While the field and the line agree, the value is the
    imported one, and a problem with it is a warning: a value typed or changed by hand is an error.
    """
    from vault_tool.interop.importing import imported_value
    from vault_tool.interop.vcard import VCARD_FIELD, from_mapping

    fields = {"EMAIL": "emails", "TEL": "phones", "URL": "links"}
    found: dict[str, set[str]] = {name: set() for name in fields.values()}
    for prop in from_mapping(_meta(record).get(VCARD_FIELD)):
        if prop.name in fields and prop.raw is None:
            found[fields[prop.name]].add(imported_value(prop.text()))
    return found


def _value_problem_list(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Emails, phone numbers and links that are none: errors, or warnings for values kept as imported."""
    found = list(_value_problems(record, context))
    imported = _as_imported(record) if found and isinstance(_meta(record).get("vcard"), dict) else {}
    problems = []
    for line, message, (key, value) in found:
        if value and value.strip() in imported.get(key, ()):
            problems.append(Problem(record.path, line, WARNING, f"{message} (kept as imported: correct it)", "fields"))
        else:
            problems.append(Problem(record.path, line, ERROR, message, "fields"))
    return problems


def _list_field_problems(record: FileRecord, context: CheckContext) -> Iterator[tuple[int, str, tuple[str, str]]]:
    meta = _meta(record)
    region = None  # the contact's, found at its first phone number
    for key in ("emails", "phones", "tags"):
        value = meta.get(key)
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
            yield record.line_of(key), f"{key} must be a list of text items", (key, "")
            continue
        for item in iter_items(value):
            if not isinstance(item, str):
                continue  # a number or boolean: the ambiguous-scalar check says so
            if key == "emails":
                problem = email_problem(item)
            elif key == "phones":
                region = region or context.region_of(meta).code
                problem = parsed_phone_problem(item, context.phone(item, region), region)
            else:
                problem = None
            if problem:
                yield record.line_of_item(key, item), problem, (key, item)


def _phone_doubts(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Phone numbers that parse and are possible but that no one can have in their region (a warning).

    A number without a country code is read in the contact's region (its country, its address's,
    else vault.yaml's default_region): `33 12 34 57` is no number in GB, and is not taken for one.
    """
    meta = _meta(record)
    region = context.region_of(meta)
    found = []
    for key, item in _phone_items(record, context):
        doubt = phone_doubt(item, context.phone(item, region.code), region)
        if doubt:
            line = record.line_of_item(key, item) if key == "phones" else record.line_of(key)
            found.append(Problem(record.path, line, WARNING, doubt, "phone"))
    return found


def _phone_items(record: FileRecord, context: CheckContext) -> Iterator[tuple[str, str]]:
    """(key, number) of each phone number: in `phones`, and in custom fields vault.yaml types as `phone`."""
    meta = _meta(record)
    value = meta.get("phones")
    if not isinstance(value, dict):
        yield from (("phones", item) for item in iter_items(value) if isinstance(item, str))
    for key, spec in context.config.fields.items():
        if spec.type == "phone" and isinstance(meta.get(key), str):
            yield key, meta[key]


def _tag_problems(record: FileRecord, context: CheckContext) -> list[Problem]:
    tags = [t for t in iter_items(_meta(record).get("tags")) if isinstance(t, str)]
    found = [(record.line_of_item("tags", t), tag_problem(t)) for t in tags]
    return [Problem(record.path, line, WARNING, message, "fields") for line, message in found if message]


def _date_field_problems(record: FileRecord, context: CheckContext) -> Iterator[tuple[int, str]]:
    meta = _meta(record)
    birthday = meta.get("birthday")
    if birthday is not None and not is_birthday(str(birthday)):
        yield record.line_of("birthday"), f"birthday must be YYYY-MM-DD, or --MM-DD without a year, not '{birthday}'"
    elif birthday is not None and not str(birthday).startswith("--"):
        if dt.date.fromisoformat(str(birthday)) > context.today:
            yield record.line_of("birthday"), f"birthday {birthday} is in the future"
    cadence = meta.get("keep_in_touch")
    if cadence is not None:
        try:
            parse_duration(str(cadence))
        except InvalidValueError as exc:
            yield record.line_of("keep_in_touch"), f"keep_in_touch: {exc}"


def _links_problems(record: FileRecord) -> Iterator[tuple[int, str, tuple[str, str]]]:
    links = _meta(record).get("links")
    if links is None:
        return
    if not isinstance(links, dict):
        yield record.line_of("links"), "links must map labels to URLs (links:\\n  github: https://…)", ("links", "")
        return
    for label, url in links.items():
        if not isinstance(url, str) or not URL.match(url):
            where = record.line_of_item("links", f"{label}:")
            yield where, f"link '{label}' is not a URL like https://example.com", ("links", str(url or ""))


def check_known_fields(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Known fields have their types: emails look like emails, phones parse, stage is in vault.yaml …"""
    if record.contact is None:
        return []
    errors = [Problem(record.path, line, ERROR, message, "fields") for line, message in _field_problems(record, context)]
    errors += _value_problem_list(record, context)
    return errors + _tag_problems(record, context) + _owner_problems(record, context) + _phone_doubts(record, context)


def _owner_problems(record: FileRecord, context: CheckContext) -> list[Problem]:
    owner = _meta(record).get("owner")
    owners = context.config.owners
    if not owners or not isinstance(owner, str) or owner in owners:
        return []
    message = f"owner '{owner}' is not in vault.yaml's owners ({', '.join(owners)}): CODEOWNERS cannot name them"
    return [Problem(record.path, record.line_of("owner"), WARNING, message, "fields")]


def _custom_problem(kind: str, choices: list[str], key: str, value: Any, region: str) -> str | None:
    if isinstance(value, (list, dict)):
        return f"{key} must be one value ({kind}), not {describe_type(value)}"
    text = str(value)
    if kind == "choice" and text not in choices:
        return f"{key} must be one of {', '.join(choices)}, not '{text}'"
    if kind == "url" and not URL.match(text):
        return f"{key} must be a URL like https://example.com, not '{text}'"
    if kind == "email":
        return email_problem(text)
    if kind == "phone":
        return phone_problem(text, region)
    if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{key} must be a date YYYY-MM-DD, not '{text}'"
    if kind == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return f"{key}: '{text}' is not a date"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"{key} must be a whole number, not '{text}'"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"{key} must be a number, not '{text}'"
    if kind == "boolean" and not isinstance(value, bool):
        return f"{key} must be true or false, not '{text}'"
    return None


def check_custom_fields(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Custom fields match vault.yaml's `fields:` schema."""
    problems = []
    for key, value in _meta(record).items():
        spec = context.config.fields.get(str(key))
        if spec is None or value is None:
            continue
        message = _custom_problem(spec.type, spec.choices, str(key), value, context.region_of(_meta(record)).code)
        if message:
            problems.append(Problem(record.path, record.line_of(str(key)), ERROR, message, "fields"))
    return problems


def check_computed_keys(record: FileRecord, context: CheckContext) -> list[Problem]:
    """No key is named like what the tool computes (`last_contact:`): search would use its own value."""
    found = [(str(key), computed_key_problem(str(key))) for key in _meta(record)]
    return [Problem(record.path, record.line_of(key), ERROR, message, "fields") for key, message in found if message]


def ambiguous_scalars(contact: Contact, context: CheckContext) -> list[scalars.Ambiguous]:
    """The ambiguous values of a parsed contact (composing its front matter only if screening finds a suspect)."""
    source = contact.source
    if source is None or not scalars.has_suspects(contact.meta, context.config, context.numeric11):
        return []
    root = yaml.compose(source.front_matter, Loader=yamlsafe.StrictLoader)
    first_line = source.fm_line
    return scalars.find(root, first_line, context.config, context.yaml11)


def check_ambiguous_scalars(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Unquoted values that YAML reads as numbers or booleans (here, or in YAML 1.1 tools) where text is meant."""
    if record.contact is None or record.contact.source is None:
        return []
    return [
        Problem(record.path, found.line, WARNING, found.message, "ambiguous", fixable=True)
        for found in ambiguous_scalars(record.contact, context)
    ]


def phone_in_format(value: str, context: CheckContext, region: str | None = None) -> str | None:
    """``value`` written the way vault.yaml's phone_format asks, or None if it is not a phone number.

    ``region``: the contact's (``CheckContext.region_of``), where a number without a country code is read.
    """
    number = context.phone(value, region)
    if number is None or not phonenumbers.is_possible_number(number):
        return None
    wanted = context.phone_format
    style = phonenumbers.PhoneNumberFormat.E164 if wanted == "e164" else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def check_phone_format(record: FileRecord, context: CheckContext) -> list[Problem]:
    """With `phone_format:` in vault.yaml, every phone is written that way (--fix rewrites them)."""
    if context.phone_format is None or record.contact is None:
        return []
    problems = []
    shown = {"e164": "E.164", "international": "international"}[context.phone_format]
    region = context.region_of(record.contact.meta).code
    for item in iter_items(record.contact.meta.get("phones")):
        if not isinstance(item, str):
            continue
        wanted = phone_in_format(item, context, region)
        if wanted is not None and wanted != item:
            problems.append(Problem(
                record.path, record.line_of_item("phones", item), WARNING,
                f"phone '{item}' is not in {shown} form ('{wanted}') as vault.yaml's phone_format asks",
                "phone-format", fixable=True,
            ))
    return problems


# The body


_DATED_HEADING = re.compile(r"^(?P<hashes>#{1,6})(?P<space>[ \t]*)(?P<date>\d{1,4}[-./]\d{1,2}[-./]\d{1,4})\b.*$", re.M)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _candidate_headings(contact: Contact) -> Iterator[tuple[int, re.Match[str]]]:
    """(line number, match) of each heading that starts with something like a date, outside code fences."""
    assert contact.source is not None
    body, first = contact.source.body, contact.source.body_line
    if "```" not in body and "~~~" not in body:
        number, counted = first, 0  # lines counted up to each match from the one before: linear in the body
        for match in _DATED_HEADING.finditer(body):
            number += body.count("\n", counted, match.start())
            counted = match.start()
            yield number, match
        return
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
        elif fence is None and line.startswith("#"):
            heading = _DATED_HEADING.match(line)
            if heading:
                yield first + offset, heading


def _heading_problem(line: str, hashes: str, space: str, date: str) -> str | None:
    if not _ISO.match(date):
        return f"'{date}' in a heading is not an ISO date: an interaction heading is '## YYYY-MM-DD [HH:MM] [kind] — summary'"
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return f"'{date}' is not a date (month 01–12, a day that exists)"
    if len(hashes) != 2:
        return f"a dated heading at level {len(hashes)} is not an interaction: write '## {date} …'"
    if not space:
        return f"write a space after '##': '## {date} …'"
    time = re.match(r"^##[ \t]+\S+[ T](\d{1,2}:\d{2})\b", line)
    if time:
        return f"'{time.group(1)}' is not a 24-hour time (HH:MM, 00:00–23:59)"
    return "this heading does not read as an interaction: '## YYYY-MM-DD [HH:MM] [kind] — summary'"


def check_headings(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Dated headings that are not well-formed interaction headings (and so would be read as notes)."""
    contact = record.contact
    if contact is None or contact.source is None:
        return []
    parsed = {item.line for item in contact.interactions}
    problems = []
    for number, match in _candidate_headings(contact):
        if number not in parsed:
            message = _heading_problem(match.group(0).rstrip("\r"), match["hashes"], match["space"], match["date"])
            severity = WARNING if len(match["hashes"]) != 2 else ERROR
            if message:
                problems.append(Problem(record.path, number, severity, message, "heading"))
    return problems


def _date_sanity(day: dt.date, today: dt.date) -> str | None:
    if day < FAR_PAST:
        return f"dated {day.isoformat()}, before 1900: a typo?"
    if day.year > today.year + FAR_FUTURE_YEARS:
        return f"dated {day.isoformat()}, more than {FAR_FUTURE_YEARS} years ahead: a typo?"
    return None


def check_interactions(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Interaction kinds are in vault.yaml, dates are sane, no interaction is there twice."""
    if record.contact is None:
        return []
    problems = []
    kinds = context.config.interaction_kinds
    seen: dict[tuple[str, str], int] = {}
    for item in record.contact.interactions:
        if item.kind not in kinds:
            hint = f"; a one-word summary reads as a kind: write '## {item.date} note — {item.kind}'" * (not item.summary)
            problems.append(Problem(
                record.path, item.line, ERROR,
                f"interaction kind '{item.kind}' is not in vault.yaml's interaction_kinds ({', '.join(kinds)}){hint}",
                "interaction",
            ))
        sanity = _date_sanity(item.date, context.today)
        if sanity:
            problems.append(Problem(record.path, item.line, WARNING, f"interaction {sanity}", "interaction"))
        key = (f"{item.date} {item.time} {item.kind} {item.summary}", item.text)
        if key in seen:
            problems.append(Problem(
                record.path, item.line, WARNING,
                f"this interaction is the same as the one at line {seen[key]}: remove one", "interaction",
            ))
        seen.setdefault(key, item.line)
    return problems


def check_tasks(record: FileRecord, context: CheckContext) -> list[Problem]:
    """Task dates (due:, done:, 📅, ✅) are real dates."""
    if record.contact is None:
        return []
    problems = []
    for task in record.contact.tasks:
        problems += [Problem(record.path, task.line, ERROR, f"task: {m}", "task") for m in task.problems]
        for day in (task.due, task.done_on):
            sanity = _date_sanity(day, context.today) if day else None
            if sanity:
                problems.append(Problem(record.path, task.line, WARNING, f"task {sanity}", "task"))
    return problems


FILE_CHECKS: tuple[FileCheck, ...] = (
    check_parses, check_conflict_markers, check_known_fields, check_custom_fields, check_computed_keys,
    check_ambiguous_scalars,
    check_phone_format, check_headings, check_interactions, check_tasks, check_relations, check_documents,
)
