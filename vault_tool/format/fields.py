"""What a value given for a field must look like, and the value that is stored for it."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import phonenumbers

from vault_tool.errors import InvalidValueError
from vault_tool.format.config import VaultConfig
from vault_tool.format.contact import KINDS, LIST_FIELDS, as_list
from vault_tool.format.dates import is_birthday, parse_duration
from vault_tool.format.fieldtable import COMPUTED_FIELDS
from vault_tool.format.regions import Region, contact_region

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)
_SCALAR_TEXT = ("company", "title", "owner", "address", "uid")


def email_problem(value: str) -> str | None:
    return None if EMAIL.match(value) else f"'{value}' does not look like an email address"


def parse_phone(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    """``value`` read as a phone number, in ``region`` when it has no country code; None if it does not parse."""
    try:
        return phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None


def phone_problem(value: str, region: str) -> str | None:
    """What makes ``value`` no phone number at all in ``region`` (an error); None if it is one."""
    return parsed_phone_problem(value, parse_phone(value, region), region)


def parsed_phone_problem(value: str, number: phonenumbers.PhoneNumber | None, region: str) -> str | None:
    """What is wrong with ``value``, already parsed as ``number`` (None: it does not parse)."""
    if number is None:
        return f"'{value}' is not a phone number"
    if not phonenumbers.is_possible_number(number):
        return f"'{value}' is not a possible phone number in region {region}"
    return None


def _unparsed_phone(value: str, region: str) -> str | None:
    """Whether ``value`` parses at all (whether it is possible depends on the contact's region)."""
    return None if parse_phone(value, region) else f"'{value}' is not a phone number"


def phone_doubt(value: str, number: phonenumbers.PhoneNumber | None, region: Region) -> str | None:
    """Why a possible number is still no number anyone has (a warning): no such number in its region.

    ``region`` is the contact's (format/regions.py); a number written without a country code was read in it.
    """
    if number is None or not phonenumbers.is_possible_number(number) or phonenumbers.is_valid_number(number):
        return None
    if not re.match(r"\s*(\+|00)", value):
        return (f"phone '{value}' is not a valid number in {region.code} ({region.source}): "
                "write it with its country code (+…) or correct it")
    where = phonenumbers.region_code_for_country_code(number.country_code or 0)
    country = where if where != phonenumbers.UNKNOWN_REGION else f"+{number.country_code}"
    return f"phone '{value}' is not a valid number in {country}: check its digits"


def phone_findings(values: list[str], region: Region) -> tuple[list[str], list[str]]:
    """(errors, warnings) for phone numbers a contact in ``region`` is given: not a number; not a valid one."""
    errors: list[str] = []
    warnings: list[str] = []
    for value in values:
        number = parse_phone(value, region.code)
        problem = parsed_phone_problem(value, number, region.code)
        doubt = None if problem else phone_doubt(value, number, region)
        errors += [problem] if problem else []
        warnings += [doubt] if doubt else []
    return errors, warnings


def contact_phones(meta: Mapping[str, Any], config: VaultConfig) -> list[str]:
    """The phone numbers of a contact: its `phones` and its custom fields typed `phone` in vault.yaml."""
    found = [str(v) for v in as_list(meta.get("phones"))]
    for key, spec in config.fields.items():
        value = meta.get(key)
        if spec.type == "phone" and isinstance(value, str):
            found.append(value)
    return found


def check_phones(values: list[str], meta: Mapping[str, Any], config: VaultConfig) -> list[str]:
    """Check ``values``, phone numbers of the contact ``meta`` describes, in its region.

    InvalidValueError if one is no phone number there; the warnings (not a valid number) otherwise.
    """
    errors, warnings = phone_findings(values, contact_region(meta, config.default_region))
    if errors:
        raise InvalidValueError(errors[0])
    return warnings


def tag_problem(value: str) -> str | None:
    if not re.search(r"[\s,]", value):
        return None
    suggestion = re.sub(r"[\s,]+", "-", value.strip())
    return f"tag '{value}' has a space or comma: use one word, e.g. '{suggestion}'"


def computed_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a custom field: the tool computes what it names (search uses that, not the key)."""
    if key.lower() not in COMPUTED_FIELDS:
        return None
    return f"'{key}' names what the tool computes for search ({', '.join(COMPUTED_FIELDS)}): give the field another name"


def _check_all(values: list[str], check: Any) -> list[str]:
    for value in values:
        problem = check(value)
        if problem:
            raise InvalidValueError(problem)
    return values


def _custom(spec_type: str, choices: list[str], name: str, text: str) -> Any:
    if spec_type == "choice" and text not in choices:
        raise InvalidValueError(f"{name} must be one of {', '.join(choices)}, not '{text}'")
    if spec_type == "url" and not URL.match(text):
        raise InvalidValueError(f"{name} must be a URL like https://example.com, not '{text}'")
    if spec_type == "email":
        _check_all([text], email_problem)
    if spec_type == "date":
        return _date(name, text)
    if spec_type == "integer":
        if not re.fullmatch(r"[-+]?\d+", text):
            raise InvalidValueError(f"{name} must be a whole number (e.g. 12), not '{text}'")
        return int(text)
    if spec_type == "number":
        return _number(name, text)
    if spec_type == "boolean":
        if text.lower() not in ("true", "false"):
            raise InvalidValueError(f"{name} must be true or false, not '{text}'")
        return text.lower() == "true"
    return text


def _date(name: str, text: str) -> str:
    """A date written unquoted (`1975-03-14`), as YAML writes a date; InvalidValueError if it is none."""
    from vault_tool.format.yamledit import Plain

    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return Plain(dt.date.fromisoformat(text).isoformat())
    except ValueError:
        pass
    raise InvalidValueError(f"{name} must be a date YYYY-MM-DD (e.g. 2026-03-14), not '{text}'")


def _number(name: str, text: str) -> int | float:
    """A whole number stays whole (`12000`, not `12000.0`); a fraction stays as typed (`12000.5`)."""
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not re.fullmatch(r"[-+]?[\d.eE+-]+", text):
        raise InvalidValueError(f"{name} must be a number (e.g. 12000 or 12000.5), not '{text}'")
    return number


def _links(values: list[str]) -> dict[str, str]:
    links = {}
    for value in values:
        label, sep, url = value.partition("=")
        if not sep or not URL.match(url):
            raise InvalidValueError(f"'{value}' is not a link: use label=https://…")
        links[label.strip()] = url.strip()
    return links


def coerce(field: str, values: list[str], config: VaultConfig) -> Any:
    """The value to store for ``field`` given the words typed for it; InvalidValueError if wrong."""
    if not re.fullmatch(r"[A-Za-z_][\w -]*", field):
        raise InvalidValueError(f"'{field}' is not a field name: use letters, digits, '_' or '-'")
    computed = computed_key_problem(field)
    if computed:
        raise InvalidValueError(computed)
    if field in LIST_FIELDS:
        return list_items(field, values, config)
    if field == "links":
        return _links(values)
    text = " ".join(v.strip() for v in values).strip()
    if not text:
        raise InvalidValueError(f"give a value for {field}, or use 'contacts unset' to remove it")
    if field == "name":
        return text
    if field == "kind" and text not in KINDS:
        raise InvalidValueError(f"kind must be person or organization, not '{text}'")
    if field == "stage" and text not in config.stages:
        raise InvalidValueError(f"stage must be one of {', '.join(config.stages)} (vault.yaml), not '{text}'")
    if field == "birthday":
        return _birthday(text)
    if field == "keep_in_touch":
        try:
            parse_duration(text)
        except InvalidValueError as exc:
            raise InvalidValueError(f"keep_in_touch: {exc}") from None
    if field in _SCALAR_TEXT or field in ("kind", "stage", "keep_in_touch"):
        return text
    spec = config.fields.get(field)
    return _custom(spec.type, spec.choices, field, text) if spec else text


def _birthday(text: str) -> str:
    """A birthday: a date written unquoted (`1975-03-14`), or `--MM-DD` without a year."""
    if not is_birthday(text):
        raise InvalidValueError(
            f"birthday must be YYYY-MM-DD, or --MM-DD without a year (e.g. 1975-03-14), not '{text}'"
        )
    return text if text.startswith("--") else _date("birthday", text)


def list_items(field: str, values: list[str], config: VaultConfig) -> list[str]:
    """Items for a list field, each checked: emails look like emails, phones parse, tags are words.

    Whether a phone number is possible depends on the contact's region: see ``check_phones``.
    """
    items = [v.strip() for v in values if v.strip()]
    if field == "emails":
        return _check_all(items, email_problem)
    if field == "phones":
        return _check_all(items, lambda v: _unparsed_phone(v, config.default_region))
    return _check_all(items, tag_problem)
