"""vault.yaml: the vault's settings and schema."""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from vault_tool.errors import ParseError
from vault_tool.format.layout import CONFIG_NAME, RACY_NS
from vault_tool.format.deal import DEFAULT_CURRENCY, DEFAULT_PIPELINE, DealStage, currency_from, pipeline_from, rates_from
from vault_tool.format.relations import DEFAULT_RELATIONS, type_problem

CACHE_NAME = os.path.join(".vault", "config.json")
FIELD_TYPES = ("text", "choice", "url", "email", "phone", "date", "integer", "number", "boolean")
DEFAULT_STAGES = ["lead", "prospect", "customer", "churned"]
DEFAULT_KINDS = ["call", "email", "meeting", "message", "note"]
# The checks vault.yaml's `checks:` may turn off (`checks: {company_without_organisation: off}`).
CHECK_SWITCHES = ("company_without_organisation",)
DEFAULT_MAX_FILE_SIZE = 25 << 20  # bytes: the largest document `contacts attach` takes (max_file_size)
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}
_SWITCH_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}

DEFAULT_CONFIG_TEXT = """\
# Settings for this contact vault. See `contacts --help`.
version: 1
# The pipeline stages, in order.
stages: [lead, prospect, customer, churned]
# The kinds an interaction heading may name (## 2026-11-20 call — Renewal).
interaction_kinds: [call, email, meeting, message, note]
# Custom fields with a type: text, choice, url, email, phone, date, integer, number, boolean.
fields: {}
# Saved searches, used as @name in any query.
segments: {}
# Owner name -> git host handle (for CODEOWNERS).
owners: {}
# How often to be in touch with a contact that sets no keep_in_touch of its own.
keep_in_touch: 90d
git:
  auto_commit: true
# Region for phone numbers written without a country code.
default_region: GB
# How contacts relate (relations: {reports_to: charles-babbage} in a contact): each type -> its inverse.
# A relation is written on one side only; the other side is derived.
relations:
  reports_to: manages
  spouse: spouse
  introduced_by: introduced
  assistant_of: has_assistant
  colleague: colleague
  friend: friend
  parent_of: child_of
# The deal pipeline, in order: each stage's win probability, and the stages that close a deal.
pipeline:
  - {stage: qualified, probability: 10}
  - {stage: proposal, probability: 30}
  - {stage: negotiation, probability: 60}
  - {stage: won, probability: 100, outcome: won}
  - {stage: lost, probability: 0, outcome: lost}
# The currency of a deal that names none (ISO 4217). `rates: {USD: 0.92}` converts others into it.
currency: EUR
"""


@dataclass
class FieldSpec:
    name: str
    type: str = "text"
    choices: list[str] = field(default_factory=list)


@dataclass
class VaultConfig:
    version: int = 1
    stages: list[str] = field(default_factory=lambda: list(DEFAULT_STAGES))
    interaction_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_KINDS))
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    keep_in_touch: str = "90d"
    auto_commit: bool = True
    default_region: str = "GB"
    scoring: list[Any] = field(default_factory=list)  # lead-scoring rules, read by scoring.rules_from_config
    funnel: list[str] = field(default_factory=list)  # the stages `report` shows as a funnel (default: all)
    checks: dict[str, bool] = field(default_factory=dict)  # checks turned on or off (CHECK_SWITCHES)
    relations: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RELATIONS))  # type -> its inverse
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes: the largest document a contact may be given
    me: list[str] = field(default_factory=list)  # the user's own email addresses (`contacts mail log`)
    timezone: str = ""  # an IANA zone name for times the tool converts (mail); "": the machine's zone
    pipeline: list[DealStage] = field(default_factory=lambda: list(DEFAULT_PIPELINE))  # the deal stages, in order
    currency: str = DEFAULT_CURRENCY  # of a deal that names none
    rates: dict[str, Decimal] = field(default_factory=dict)  # what one unit of another currency is in `currency`
    raw: dict[str, Any] = field(default_factory=dict)

    def check_enabled(self, name: str) -> bool:
        """Whether `contacts check` runs the check ``name`` (one of CHECK_SWITCHES): on unless turned off."""
        return self.checks.get(name, True)


def _strings(path: Path, data: dict[str, Any], key: str, default: list[str]) -> list[str]:
    value = data.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(path, f"'{key}' must be a list of words, e.g. {key}: [{', '.join(default[:2])}]")
    return value


def _fields(path: Path, data: dict[str, Any]) -> dict[str, FieldSpec]:
    raw = data.get("fields") or {}
    if not isinstance(raw, dict):
        raise ParseError(path, "'fields' must map field names to {type: …}")
    specs = {}
    for name, spec in raw.items():
        spec = spec or {}
        kind = spec.get("type", "text") if isinstance(spec, dict) else spec
        if kind not in FIELD_TYPES:
            raise ParseError(path, f"field '{name}': unknown type '{kind}' (use one of {', '.join(FIELD_TYPES)})")
        choices = spec.get("choices", []) if isinstance(spec, dict) else []
        specs[str(name)] = FieldSpec(str(name), kind, [str(c) for c in choices or []])
    return specs


def _mapping(path: Path, data: dict[str, Any], key: str) -> dict[str, str]:
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise ParseError(path, f"'{key}' must be a mapping of names to text")
    return {str(k): str(v) for k, v in raw.items()}


def _switches(path: Path, data: dict[str, Any]) -> dict[str, bool]:
    """`checks:`, a mapping of a check's name to on or off."""
    raw = data.get("checks") or {}
    if not isinstance(raw, dict):
        example = f"checks: {{{CHECK_SWITCHES[0]}: off}}"
        raise ParseError(path, f"'checks' must map checks to on or off, e.g. {example}")
    switches = {}
    for name, value in raw.items():
        if name not in CHECK_SWITCHES:
            raise ParseError(path, f"checks: unknown check '{name}' (the checks that can be turned off: "
                                   f"{', '.join(CHECK_SWITCHES)})")
        word = _SWITCH_WORDS.get(str(value).lower())
        if word is None:
            raise ParseError(path, f"checks: {name} must be on or off, not '{value}'")
        switches[str(name)] = word
    return switches


def _relations(path: Path, data: dict[str, Any]) -> dict[str, str]:
    """`relations:`, each relation type -> its inverse; the defaults when vault.yaml says nothing."""
    raw = data.get("relations")
    if raw is None:
        return dict(DEFAULT_RELATIONS)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ParseError(path, "'relations' must map each relation type to its inverse, "
                               "e.g. relations: {reports_to: manages, spouse: spouse}")
    types = {str(k): str(v) for k, v in raw.items()}
    from vault_tool.format.fieldtable import INDEX_FIELDS
    from vault_tool.format.relations import inverses

    problem = type_problem(types) or next(
        (f"relation type '{name}' is named like a search field: call it something else"
         for name in inverses(types) if name in INDEX_FIELDS), None)
    if problem:
        raise ParseError(path, f"relations: {problem}")
    return types


def _size(path: Path, value: Any) -> int:
    """`max_file_size`: a number of bytes, or one with a unit (`25MB`, `500 KB`, `1GB`; 1 KB = 1024 bytes)."""
    if value is None:
        return DEFAULT_MAX_FILE_SIZE
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*", str(value), re.IGNORECASE)
    if isinstance(value, bool) or match is None or float(match.group(1)) <= 0:
        raise ParseError(path, f"max_file_size must be a size such as 25MB, 500KB or 1GB, not '{value}'")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def size_text(size: int) -> str:
    """A size limit as vault.yaml would write it: `25 MB`, `512 KB`, `1000 bytes`."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _addresses(path: Path, data: dict[str, Any]) -> list[str]:
    """`me:`, the user's own email addresses: one, or a list."""
    raw = data.get("me")
    values = [] if raw is None else [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) and "@" in v for v in values):
        raise ParseError(path, "'me' must be your email address or a list of them, e.g. me: [ada@example.com]")
    return [v.strip() for v in values]


def _timezone(path: Path, data: dict[str, Any]) -> str:
    """`timezone:`, an IANA time zone name (`Europe/London`); "" for the machine's own."""
    raw = data.get("timezone")
    if raw is None or raw == "":
        return ""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(str(raw))
    except (LookupError, ValueError, OSError):
        raise ParseError(path, f"timezone: unknown time zone '{raw}' (use a name such as Europe/London)") from None
    return str(raw)


def _rule_list(path: Path, data: dict[str, Any]) -> list[Any]:
    raw = data.get("scoring") or []
    if not isinstance(raw, list):
        raise ParseError(path, "'scoring' must be a list of rules, e.g. scoring: [{tag: vip, points: 20}]")
    return raw


def parse_config(path: Path, text: str) -> VaultConfig:
    import yaml

    from vault_tool.format import yamlsafe

    try:
        data = yamlsafe.load(text, anchors=False) or {}
    except yaml.YAMLError as exc:
        raise ParseError(path, yamlsafe.load_problem(exc, CONFIG_NAME), yamlsafe.error_line(exc)) from None
    if not isinstance(data, dict):
        raise ParseError(path, "vault.yaml must be a mapping of settings", 1)
    return config_from_data(path, data)


def config_from_data(path: Path, data: dict[str, Any], cached: bool = False) -> VaultConfig:
    """Validate vault.yaml's mapping (as read from YAML, or ``cached`` in .vault/) into settings.

    The cache holds only settings that were valid when it was written, so their currency codes are not
    looked up again (the list of ISO 4217 codes takes a tenth of a quick command's time to load).
    """
    git = data.get("git") or {}
    return VaultConfig(
        version=int(data.get("version", 1)),
        stages=_strings(path, data, "stages", DEFAULT_STAGES),
        interaction_kinds=_strings(path, data, "interaction_kinds", DEFAULT_KINDS),
        fields=_fields(path, data),
        segments=_mapping(path, data, "segments"),
        owners=_mapping(path, data, "owners"),
        keep_in_touch=str(data.get("keep_in_touch", "90d")),
        auto_commit=bool(git.get("auto_commit", True)) if isinstance(git, dict) else True,
        default_region=str(data.get("default_region", "GB")),
        scoring=_rule_list(path, data),
        funnel=_strings(path, data, "funnel", DEFAULT_STAGES[:3]) if data.get("funnel") is not None else [],
        checks=_switches(path, data),
        relations=_relations(path, data),
        max_file_size=_size(path, data.get("max_file_size")),
        me=_addresses(path, data),
        timezone=_timezone(path, data),
        pipeline=pipeline_from(path, data.get("pipeline")),
        currency=(currency := currency_from(path, data.get("currency"), cached)),
        rates=rates_from(path, data.get("rates"), currency, cached),
        raw=data,
    )


def load_config(root: Path) -> VaultConfig:
    """vault.yaml's settings; read from a JSON copy in .vault/ while vault.yaml is unchanged.

    The copy keeps YAML off the path of quick read-only commands such as `contacts search`.
    """
    path = root / CONFIG_NAME
    cache = root / CACHE_NAME
    try:
        info = path.stat()
        stamp = [info.st_size, info.st_mtime_ns]
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("stamp") == stamp and isinstance(cached.get("data"), dict):
            return config_from_data(path, cached["data"], cached=True)
    except (OSError, ValueError):
        pass
    config = _read_config(path)
    _write_cache(root, cache, config.raw, path)
    return config


def _write_cache(root: Path, cache: Path, data: dict[str, Any], path: Path) -> None:
    """Best effort: a vault in a read-only folder simply reads vault.yaml every time."""
    from vault_tool.errors import VaultError
    from vault_tool.fileio import atomic_write

    try:
        info = path.stat()
        # A file changed within the clock's resolution could change again unseen at the same size and time.
        if not (root / ".vault").is_dir() or time.time_ns() - info.st_mtime_ns < RACY_NS:
            return
        payload = {"stamp": [info.st_size, info.st_mtime_ns], "data": data}
        atomic_write(cache, json.dumps(payload, ensure_ascii=False).encode("utf-8"), durable=False)
    except (OSError, TypeError, ValueError, VaultError):
        pass


def _read_config(path: Path) -> VaultConfig:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError(path, "not valid UTF-8: save the file as UTF-8") from None
    except OSError as exc:
        raise ParseError(path, f"cannot read ({exc.strerror})") from None
    return parse_config(path, text)
