"""What a value given for a field must look like, and the value that is stored for it."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import phonenumbers

from vault_tool.errors import InvalidValueError
from vault_tool.format.config import VaultConfig
from vault_tool.format.contact import KINDS, LIST_FIELDS
from vault_tool.format.dates import is_birthday, parse_duration
from vault_tool.format.fieldtable import COMPUTED_FIELDS

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)
_SCALAR_TEXT = ("company", "title", "owner", "address", "uid")


def email_problem(value: str) -> str | None:
    return None if EMAIL.match(value) else f"'{value}' does not look like an email address"


def phone_problem(value: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    return parsed_phone_problem(value, number, region)


def parsed_phone_problem(value: str, number: phonenumbers.PhoneNumber | None, region: str) -> str | None:
    """What is wrong with ``value``, already parsed as ``number`` (None: it does not parse)."""
    if number is None:
        return f"'{value}' is not a phone number"
    if not phonenumbers.is_possible_number(number):
        return f"'{value}' is not a possible phone number in region {region}"
    return None


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
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidValueError(f"{name} must be a date YYYY-MM-DD, not '{text}'") from None
    if spec_type == "integer":
        if not re.fullmatch(r"[-+]?\d+", text):
            raise InvalidValueError(f"{name} must be a whole number, not '{text}'")
        return int(text)
    if spec_type == "number":
        try:
            return float(text)
        except ValueError:
            raise InvalidValueError(f"{name} must be a number, not '{text}'") from None
    if spec_type == "boolean":
        if text.lower() not in ("true", "false"):
            raise InvalidValueError(f"{name} must be true or false, not '{text}'")
        return text.lower() == "true"
    return text


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
    if field == "birthday" and not is_birthday(text):
        raise InvalidValueError(f"birthday must be YYYY-MM-DD, or --MM-DD without a year, not '{text}'")
    if field == "keep_in_touch":
        parse_duration(text)
    if field in _SCALAR_TEXT or field in ("kind", "stage", "birthday", "keep_in_touch"):
        return text
    spec = config.fields.get(field)
    return _custom(spec.type, spec.choices, field, text) if spec else text


def list_items(field: str, values: list[str], config: VaultConfig) -> list[str]:
    """Items for a list field, each checked: emails look like emails, phones parse, tags are words."""
    items = [v.strip() for v in values if v.strip()]
    if field == "emails":
        return _check_all(items, email_problem)
    if field == "phones":
        return _check_all(items, lambda v: phone_problem(v, config.default_region))
    return _check_all(items, tag_problem)
