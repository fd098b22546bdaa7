"""Lead scoring: points from vault.yaml's `scoring:` rules, explained line by line.

A score depends on today (recent interactions, overdue tasks), so it is never
stored: the search index keeps a contact's ``Facts`` (JSON) and computes the
score when a query asks for it.

    scoring:
      - {tag: vip, points: 20}
      - {stage: [prospect, customer], points: 10}      # any of these stages
      - {owner: alice, points: 1}
      - {kind: organization, points: 5}
      - {field: industry, value: manufacturing, points: 15}   # value: a word or a list; none: "is set"
      - {field: employees, min: 500, points: 10}       # a number at least / at most (min, max)
      - {interactions: 30d, points: 15}                # an interaction in the last 30 days
      - {interactions: 90d, at_least: 3, points: 10}   # at least 3 in the last 90 days
      - {silent: 90d, points: -20}                     # no interaction in the last 90 days
      - {appointment: 14d, points: 10}                 # an appointment in the next 14 days
      - {overdue_task: true, points: -10}              # an open task past its due date
      - {deal_stage: negotiation, points: 20}          # a deal naming it is at this stage (a word or a list)
      - {open_deal: true, points: 10}                  # a deal naming it is open
      - {tag: vip, points: 20, label: Key account}     # label: how `show` names the rule

The deal rules look at the deals that name the contact in their `contacts:` (an organisation: also
those whose `company` is its handle or its name). A contact's facts in the index never hold them
(its document depends on its own file alone): they are added when a score is computed, from the
deals' index (`DealLinks`).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.format.dates import parse_duration

if TYPE_CHECKING:
    from vault_tool.format.config import VaultConfig
    from vault_tool.format.contact import Contact

CONDITIONS = (
    "tag", "stage", "owner", "kind", "field", "interactions", "silent", "appointment", "overdue_task",
    "deal_stage", "open_deal",
)
DEAL_CONDITIONS = frozenset({"deal_stage", "open_deal"})
_OPTIONS = {"field": {"value", "min", "max"}, "interactions": {"at_least"}}
_WINDOWS = ("interactions", "silent", "appointment")


class DealLike(Protocol):
    """What the deal rules read of a deal (search/deals.py's DealView is one)."""

    @property
    def handle(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def contacts(self) -> tuple[str, ...]: ...
    @property
    def company(self) -> str: ...


@dataclass(frozen=True)
class DealFact:
    """A deal that names a contact, as the deal rules see it."""

    handle: str
    name: str
    stage: str
    status: str  # "open", "won" or "lost"

    @classmethod
    def of(cls, view: DealLike) -> DealFact:
        return cls(view.handle, view.name, view.stage, view.status)


@dataclass(slots=True)  # a report holds one per contact
class Facts:
    """What a score is computed from; JSON-serialisable, so an index can store it (all but ``deals``)."""

    tags: list[str] = field(default_factory=list)
    stage: str = ""
    owner: str = ""
    kind: str = "person"
    fields: dict[str, str] = field(default_factory=dict)  # every scalar front-matter field, as text
    interactions: list[str] = field(default_factory=list)  # ISO dates, past and future, sorted
    open_task_dues: list[str] = field(default_factory=list)  # ISO due dates of open tasks, sorted
    deals: list[DealFact] = field(default_factory=list)  # added at scoring time (DealLinks), never stored

    def to_data(self) -> dict[str, Any]:
        # not dataclasses.asdict: the values are already plain, and asdict deep-copies them all
        return {key: getattr(self, key) for key in _STORED_FACTS}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Facts:
        """Facts from ``to_data``'s dict, as the index keeps it (its values are this one's own)."""
        return cls(**data)


_STORED_FACTS = tuple(f.name for f in fields(Facts) if f.name != "deals")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def facts_of(contact: Contact) -> Facts:
    """The facts of ``contact`` that rules can look at."""
    scalars = {
        str(k): _text(v) for k, v in contact.meta.items() if v is not None and not isinstance(v, (list, dict))
    }
    return Facts(
        tags=contact.tags,
        stage=contact.text_field("stage"),
        owner=contact.text_field("owner"),
        kind=contact.kind,
        fields=scalars,
        interactions=sorted(i.date.isoformat() for i in contact.interactions),
        open_task_dues=sorted(t.due.isoformat() for t in contact.tasks if not t.done and t.due is not None),
    )


@dataclass(frozen=True)
class Rule:
    """One scoring rule: ``points`` when ``condition`` holds of ``target``."""

    points: int
    condition: str  # one of CONDITIONS
    target: tuple[str, ...] = ()  # tag/stage/owner/kind names, the field name, or the window (`30d`)
    values: tuple[str, ...] = ()  # field: the values it may have (any of them)
    minimum: float | None = None  # field: numeric bounds; interactions: at_least
    maximum: float | None = None
    label: str = ""


@dataclass
class Score:
    total: int = 0
    lines: list[tuple[int, str]] = field(default_factory=list)  # (points, reason), in rule order


# Reading rules from vault.yaml


def _rule_error(number: int, raw: Any, message: str) -> VaultError:
    shown = json.dumps(raw, ensure_ascii=False, default=str) if isinstance(raw, dict) else repr(raw)
    return VaultError(f"vault.yaml: scoring rule {number} {shown}: {message}")


def _words(value: Any) -> tuple[str, ...] | None:
    items = value if isinstance(value, list) else [value]
    if not items or any(isinstance(v, (list, dict)) or v is None or str(v).strip() == "" for v in items):
        return None
    return tuple(_text(v).strip() for v in items)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _parse_rule(number: int, raw: Any, stages: list[str], pipeline: list[str]) -> Rule:
    if not isinstance(raw, dict):
        raise _rule_error(number, raw, "a rule is a mapping like {tag: vip, points: 20}")
    points = raw.get("points")
    if isinstance(points, bool) or not isinstance(points, int):
        raise _rule_error(number, raw, "'points' must be a whole number (negative to take points off)")
    found = [k for k in CONDITIONS if k in raw]
    if len(found) != 1:
        raise _rule_error(number, raw, f"name exactly one condition: {', '.join(CONDITIONS)}")
    condition = found[0]
    allowed = {"points", "label", condition} | _OPTIONS.get(condition, set())
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise _rule_error(number, raw, f"unknown key {', '.join(unknown)} (a {condition} rule takes "
                                       f"{', '.join(sorted(allowed))})")
    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise _rule_error(number, raw, "'label' must be text")
    rule = _CONDITION_PARSERS[condition](number, raw)
    if condition in ("stage", "deal_stage"):
        known = stages if condition == "stage" else pipeline
        wrong = [s for s in rule.target if s not in known]
        if wrong:
            what = "stages" if condition == "stage" else "deal stages of the pipeline"
            raise _rule_error(number, raw, f"'{wrong[0]}' is not one of the {what} ({', '.join(known)})")
    return Rule(points, condition, rule.target, rule.values, rule.minimum, rule.maximum, label or "")


def _names_rule(condition: str) -> Callable[[int, dict[Any, Any]], Rule]:
    def parse(number: int, raw: dict[Any, Any]) -> Rule:
        names = _words(raw[condition])
        if names is None:
            raise _rule_error(number, raw, f"'{condition}' must be a name or a list of names")
        if condition == "kind" and any(n not in ("person", "organization") for n in names):
            raise _rule_error(number, raw, "'kind' must be person or organization")
        return Rule(0, condition, names)

    return parse


def _field_rule(number: int, raw: dict[Any, Any]) -> Rule:
    name = raw["field"]
    if not isinstance(name, str) or not name.strip():
        raise _rule_error(number, raw, "'field' must name a front-matter field, e.g. field: industry")
    values = _words(raw["value"]) if "value" in raw else ()
    if values is None:
        raise _rule_error(number, raw, "'value' must be a value or a list of values")
    bounds = {k: _number(raw[k]) for k in ("min", "max") if k in raw}
    if any(v is None for v in bounds.values()):
        raise _rule_error(number, raw, "'min' and 'max' must be numbers")
    if values and bounds:
        raise _rule_error(number, raw, "give 'value' or 'min'/'max', not both")
    return Rule(0, "field", (name.strip(),), values, bounds.get("min"), bounds.get("max"))


def _window_rule(condition: str) -> Callable[[int, dict[Any, Any]], Rule]:
    def parse(number: int, raw: dict[Any, Any]) -> Rule:
        window = "".join(str(raw[condition]).split()).lower()
        try:
            parse_duration(window)
        except InvalidValueError:
            raise _rule_error(number, raw, f"'{condition}' must be a duration like 30d, 6w, 3m or 1y") from None
        at_least = None
        if "at_least" in raw:
            at_least = raw["at_least"]
            if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
                raise _rule_error(number, raw, "'at_least' must be a whole number of 1 or more")
        return Rule(0, condition, (window,), minimum=at_least)

    return parse


def _true_rule(condition: str) -> Callable[[int, dict[Any, Any]], Rule]:
    def parse(number: int, raw: dict[Any, Any]) -> Rule:
        if raw[condition] is not True:
            raise _rule_error(number, raw, f"write {condition}: true")
        return Rule(0, condition)

    return parse


_CONDITION_PARSERS: dict[str, Callable[[int, dict[Any, Any]], Rule]] = {
    "tag": _names_rule("tag"), "stage": _names_rule("stage"), "owner": _names_rule("owner"),
    "kind": _names_rule("kind"), "field": _field_rule, "interactions": _window_rule("interactions"),
    "silent": _window_rule("silent"), "appointment": _window_rule("appointment"),
    "overdue_task": _true_rule("overdue_task"), "deal_stage": _names_rule("deal_stage"),
    "open_deal": _true_rule("open_deal"),
}


def rules_from_config(config: VaultConfig) -> list[Rule]:
    """The rules in vault.yaml's `scoring:` list; a VaultError naming the rule if one is wrong."""
    pipeline = [stage.name for stage in config.pipeline]
    return [_parse_rule(i, raw, config.stages, pipeline) for i, raw in enumerate(config.scoring, start=1)]


# Scoring


_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


def span(window: str) -> str:
    """A duration as words: `30d` -> `30 days`, `1y` -> `1 year`."""
    number, unit = int(window[:-1]), _UNITS[window[-1].lower()]
    return f"{number} {unit}" + ("" if number == 1 else "s")


def _plural(n: int, word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}" if n == 1 else f"{n} {word}s"


def _in_list(rule: Rule, facts: Facts) -> str | None:
    have = {t.casefold(): t for t in facts.tags}
    found = next((have[t.casefold()] for t in rule.target if t.casefold() in have), None)
    return f"tag {found}" if found else None


def _one_of(attribute: str) -> Callable[[Rule, Facts, dt.date], str | None]:
    def match(rule: Rule, facts: Facts, today: dt.date) -> str | None:
        value = getattr(facts, attribute)
        return f"{attribute} {value}" if value and value.casefold() in {t.casefold() for t in rule.target} else None

    return match


def _field(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    name = rule.target[0]
    value = facts.fields.get(name, "").strip()
    if not value:
        return None
    if rule.values:
        return f"{name}: {value}" if value.casefold() in {v.casefold() for v in rule.values} else None
    if rule.minimum is None and rule.maximum is None:
        return f"{name} is set"
    try:
        number = float(value)
    except ValueError:
        return None
    if (rule.minimum is not None and number < rule.minimum) or (rule.maximum is not None and number > rule.maximum):
        return None
    bounds = [f"≥ {rule.minimum:g}"] if rule.minimum is not None else []
    bounds += [f"≤ {rule.maximum:g}"] if rule.maximum is not None else []
    return f"{name} {value} ({', '.join(bounds)})"


def _window_start(rule: Rule, today: dt.date) -> dt.date:
    return today - parse_duration(rule.target[0])


def _interactions(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    start, end = _window_start(rule, today).isoformat(), today.isoformat()
    count = sum(1 for d in facts.interactions if start <= d <= end)
    if count < (rule.minimum or 1):
        return None
    return f"{_plural(count, 'interaction')} in the last {span(rule.target[0])}"


def _silent(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    past = [d for d in facts.interactions if d <= today.isoformat()]
    last = max(past) if past else None
    if last is not None and last >= _window_start(rule, today).isoformat():
        return None
    return f"no interaction in the last {span(rule.target[0])} (" + (f"last {last})" if last else "never)")


def _appointment(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    end = (today + parse_duration(rule.target[0])).isoformat()
    upcoming = [d for d in facts.interactions if today.isoformat() < d <= end]
    return f"appointment on {min(upcoming)} (within {span(rule.target[0])})" if upcoming else None


def _overdue(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    late = sorted(d for d in facts.open_task_dues if d < today.isoformat())
    return f"{_plural(len(late), 'overdue task')} (due {late[0]})" if late else None


def _deal_stage(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    wanted = {stage.casefold() for stage in rule.target}
    found = [deal for deal in facts.deals if deal.stage.casefold() in wanted]
    if not found:
        return None
    stages = ", ".join(dict.fromkeys(deal.stage for deal in found))
    return f"deal stage {stages} ({', '.join(deal.name for deal in found)})"


def _open_deal(rule: Rule, facts: Facts, today: dt.date) -> str | None:
    found = [deal for deal in facts.deals if deal.status == "open"]
    return f"{_plural(len(found), 'open deal')} ({', '.join(deal.name for deal in found)})" if found else None


_MATCHERS: dict[str, Callable[[Rule, Facts, dt.date], str | None]] = {
    "tag": lambda rule, facts, today: _in_list(rule, facts), "stage": _one_of("stage"),
    "owner": _one_of("owner"), "kind": _one_of("kind"), "field": _field, "interactions": _interactions,
    "silent": _silent, "appointment": _appointment, "overdue_task": _overdue,
    "deal_stage": _deal_stage, "open_deal": _open_deal,
}


def score(facts: Facts, rules: list[Rule], today: dt.date) -> Score:
    """The points ``rules`` give ``facts`` on ``today``, with a reason for each rule that applied."""
    result = Score()
    for rule in rules:
        reason = _MATCHERS[rule.condition](rule, facts, today)
        if reason is None:
            continue
        result.total += rule.points
        result.lines.append((rule.points, f"{rule.label} ({reason})" if rule.label else reason))
    return result


def contact_score(
    contact: Contact, config: VaultConfig, today: dt.date, deals: list[DealFact] | None = None,
) -> Score | None:
    """``contact``'s score under vault.yaml's rules, or None when there are no rules; ``deals``: those that name
    it (see DealLinks), for the deal rules."""
    rules = rules_from_config(config)
    if not rules:
        return None
    facts = facts_of(contact)
    facts.deals = list(deals or [])
    return score(facts, rules, today)


def uses_deals(rules: list[Rule]) -> bool:
    """Whether a rule looks at deals (then the deals' index is read to score)."""
    return any(rule.condition in DEAL_CONDITIONS for rule in rules)


@dataclass
class DealLinks:
    """Which deals name which contacts, from the deals' index: by a handle in their `contacts:`, and by their
    `company` (an organisation's handle, or its name folded)."""

    people: dict[str, list[DealFact]] = field(default_factory=dict)
    companies: dict[str, list[DealFact]] = field(default_factory=dict)

    @classmethod
    def of(cls, views: Iterable[DealLike]) -> DealLinks:
        from vault_tool.format.handles import fold

        links = cls()
        for view in views:
            fact = DealFact.of(view)
            for handle in dict.fromkeys(view.contacts):
                links.people.setdefault(handle, []).append(fact)
            for key in dict.fromkeys((view.company, fold(view.company))) if view.company else ():
                links.companies.setdefault(key, []).append(fact)
        return links

    def deals_of(self, handle: str, kind: str = "person", name: str = "") -> list[DealFact]:
        """The deals that name the contact ``handle`` (an organisation, of ``kind``: also as their company, by
        its handle or ``name``), each once."""
        from vault_tool.format.handles import fold

        found = list(self.people.get(handle, []))
        if kind == "organization":
            found += self.companies.get(handle, []) + (self.companies.get(fold(name), []) if name.strip() else [])
        return list(dict.fromkeys(found))

    def facts_deals(self, handle: str, facts: Facts) -> list[DealFact]:
        """``deals_of`` the contact whose index facts are ``facts``."""
        return self.deals_of(handle, facts.kind, facts.fields.get("name", ""))

