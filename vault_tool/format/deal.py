"""A deal: `deals/<handle>.md`, and the pipeline its stage belongs to (vault.yaml's `pipeline:`, DESIGN §2).

A deal file is written like a contact: YAML front matter, notes, tasks and interactions as dated
sections, read by the same parser (`contact.parse`) and merged by the same driver. `Deal` reads
its typed keys: the amount is a Decimal exactly as written (`12000.10` stays 12000.10: the front
matter is loaded with numbers as Decimals), dates are ISO dates, the currency an ISO 4217 code
(pycountry's list).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from vault_tool.errors import ParseError
from vault_tool.format.contact import Contact, as_list, parse

DEALS = "deals"  # the folder of deal files, beside contacts/
DEAL_KEYS = (
    "name", "contacts", "company", "amount", "currency", "stage", "close", "owner", "tags",
    "probability", "created", "closed", "lost_reason", "uid",
)
DATE_KEYS = ("close", "created", "closed")
DEFAULT_CURRENCY = "EUR"
WON, LOST = "won", "lost"


@dataclass(frozen=True)
class DealStage:
    """A stage of the deal pipeline: its name, its win probability in percent, and "won"/"lost" for a closing one."""

    name: str
    probability: int
    outcome: str = ""

    @property
    def open(self) -> bool:
        return not self.outcome


DEFAULT_PIPELINE = (
    DealStage("qualified", 10), DealStage("proposal", 30), DealStage("negotiation", 60),
    DealStage(WON, 100, WON), DealStage(LOST, 0, LOST),
)
PIPELINE_HELP = "e.g. pipeline: [{stage: qualified, probability: 10}, {stage: won, probability: 100, outcome: won}]"


def pipeline_from(path: Path, raw: Any) -> list[DealStage]:
    """vault.yaml's `pipeline:`: a list of {stage, probability, outcome}; the defaults when it says nothing."""
    if raw is None:
        return list(DEFAULT_PIPELINE)
    if not isinstance(raw, list) or not raw:
        raise ParseError(path, f"'pipeline' must list the deal stages in order, {PIPELINE_HELP}")
    stages: list[DealStage] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("stage"), str) or not item["stage"].strip():
            raise ParseError(path, f"pipeline: each stage is a mapping with a name, {PIPELINE_HELP}")
        name = item["stage"].strip()
        if any(stage.name == name for stage in stages):
            raise ParseError(path, f"pipeline: the stage '{name}' is listed twice")
        outcome = str(item.get("outcome") or "")
        if outcome not in ("", WON, LOST):
            raise ParseError(path, f"pipeline: {name}: outcome must be won or lost, not '{outcome}'")
        stages.append(DealStage(name, _percent(path, name, item.get("probability")), outcome))
    return stages


def _percent(path: Path, stage: str, value: Any) -> int:
    """A probability as vault.yaml writes it: 30, 30% or 0.3 is not allowed (ambiguous): 0 to 100."""
    text = str(value).strip().removesuffix("%") if value is not None and not isinstance(value, bool) else ""
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise ParseError(path, f"pipeline: {stage}: probability must be a whole percent from 0 to 100, not '{value}'")
    return int(text)


@lru_cache(maxsize=256)
def is_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code (`EUR`, `USD`), upper case."""
    import pycountry

    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def currency_from(path: Path, raw: Any, checked: bool = False) -> str:
    """vault.yaml's `currency:`, the currency of a deal that names none (default EUR); ``checked``: the codes were
    found to be ISO 4217 codes when the settings were read before (not looked up again)."""
    code = DEFAULT_CURRENCY if raw is None else str(raw).strip()
    if not checked and not is_currency(code):
        raise ParseError(path, f"currency: '{raw}' is not an ISO 4217 currency code (e.g. EUR, USD, GBP)")
    return code


def rates_from(path: Path, raw: Any, currency: str, checked: bool = False) -> dict[str, Decimal]:
    """vault.yaml's `rates:`: what one unit of each other currency is worth in ``currency`` (never fetched);
    ``checked`` as for `currency_from`."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParseError(path, f"'rates' must map currencies to their value in {currency}, e.g. rates: {{USD: 0.92}}")
    rates: dict[str, Decimal] = {}
    for code, value in raw.items():
        amount = decimal_of(value)
        if not (checked or is_currency(str(code))) or amount is None or amount <= 0:
            raise ParseError(path, f"rates: {code}: {value} is not a currency code with a rate above 0")
        rates[str(code)] = amount
    return rates


def decimal_of(value: Any) -> Decimal | None:
    """A number as a Decimal (from the text written, never through a float's rounding); None if it is none."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace("_", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def date_of(value: Any) -> dt.date | None:
    """An ISO date (`2027-01-31`); None if ``value`` is none or no such date."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


@dataclass
class Deal:
    """A deal as read from its file: the record (front matter, notes, tasks, interactions) and its typed keys."""

    record: Contact

    @property
    def handle(self) -> str:
        return self.record.handle

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def path(self) -> Path | None:
        return self.record.path

    @property
    def contacts(self) -> list[str]:
        return as_list(self.record.meta.get("contacts"))

    @property
    def company(self) -> str:
        return self.record.text_field("company").strip()

    @property
    def amount(self) -> Decimal | None:
        return decimal_of(self.record.meta.get("amount"))

    def currency(self, default: str) -> str:
        return self.record.text_field("currency").strip() or default

    @property
    def stage(self) -> str:
        return self.record.text_field("stage").strip()

    @property
    def owner(self) -> str:
        return self.record.text_field("owner").strip()

    @property
    def tags(self) -> list[str]:
        return self.record.tags

    def date(self, key: str) -> dt.date | None:
        """One of DATE_KEYS as a date (None if missing or not a date: `check` reports it)."""
        return date_of(self.record.meta.get(key))

    @property
    def probability(self) -> int | None:
        """The deal's own win probability in percent (it overrides its stage's), if it gives one."""
        value = decimal_of(self.record.meta.get("probability"))
        return int(value) if value is not None and 0 <= value <= 100 and value == int(value) else None

    @property
    def lost_reason(self) -> str:
        return self.record.text_field("lost_reason").strip()


def parse_deal(path: Path, data: bytes, handle: str | None = None) -> Deal:
    """Read a deal from the bytes of its file (ParseError names the file and line)."""
    return Deal(parse(path, data, handle, record="deal", decimals=True))


def stage_named(pipeline: list[DealStage], name: str) -> DealStage | None:
    return next((stage for stage in pipeline if stage.name == name), None)


def win_probability(deal: Deal, pipeline: list[DealStage]) -> int:
    """The deal's win probability in percent: its own, else its stage's (0 for a stage the pipeline lacks)."""
    stage = stage_named(pipeline, deal.stage)
    if stage is not None and stage.outcome:
        return stage.probability  # a closed deal is won or lost, whatever it once said
    own = deal.probability
    return own if own is not None else stage.probability if stage is not None else 0
