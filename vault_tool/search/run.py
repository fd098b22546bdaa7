"""Search: the query language over an index that is brought up to date before every answer."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.fieldtable import CUSTOM_PREFIX, DATE_FIELDS, QUERY_FIELDS
from vault_tool.search import columns, freshness, lookup
from vault_tool.search import index as ix_mod
from vault_tool.search.query import expand_segments, prepare, typed_words

if TYPE_CHECKING:
    from whoosh.index import Index

    from vault_tool.search.freshness import Problem, Progress
    from vault_tool.search.scan import BackgroundScan
    from vault_tool.search.scoring import DealFact, DealLinks
    from vault_tool.store.vault import Vault

SORTS = ("relevance", "name", "last", "created", "score")
_SORT_FIELDS = {"last": "last_contact"}
INSIDE_FROM = 2  # letters typed before a part inside an address is looked for (see typed_query)


@dataclass
class Result:
    """The rows that matched (best or sorted first), the total, and what the index update had to say."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    words: list[str] = field(default_factory=list)  # indexed words the query matched in text fields
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def compile_query(vault: Vault, ix: Index, text: str, today: dt.date) -> Any:
    """``text`` in the query language as a Whoosh query; an empty text matches every contact."""
    from vault_tool.search.documents import country_clause, phone_query_digits
    from vault_tool.search.related import RelationClauses

    if text.strip() in ("", "*"):  # `*` alone: every contact (not a wildcard over every word of the index)
        return lookup.everything()
    custom = lookup.custom_fields(ix)
    relations = RelationClauses(ix, custom, vault.config.relations)
    deals = DealClauses(vault, ix, custom, today)
    known = [*QUERY_FIELDS, *custom, *vault.config.fields, *relations.names]
    region = vault.config.default_region

    def clause(name: str, value: str) -> str | None:
        if name == "country":
            return country_clause(value)
        return deals(name, value) if name in DEAL_CLAUSES else relations(name, value)

    def prepared(query: str, source: str) -> str:
        return prepare(query, today, known, lambda value: phone_query_digits(value, region), source, clause)

    rewritten = expand_segments(prepared(text, "the query"), vault.config.segments, prepare=prepared)
    try:
        parsed = lookup.parse(ix, rewritten, custom)
    except ix_mod.IndexBroken:
        raise
    except Exception as exc:  # noqa: BLE001 - Whoosh's parser raises assorted errors on odd input
        raise InvalidValueError(f"cannot read the query '{text}': {exc}") from None
    _check_phrases(ix, parsed, text)
    if "score:" in rewritten:
        parsed = lookup.replace_score_ranges(parsed, lambda low, high: _scored_between(vault, ix, today, low, high))
    return columns.column_ranges(parsed, (), DATE_FIELDS)


DEAL_CLAUSES = ("deal_stage", "has_open_deal")
_ANSWERS = {"yes": True, "true": True, "no": False, "false": False}


class DealClauses:
    """`deal_stage:negotiation` and `has_open_deal:yes` (or `no`) as the contacts the deals name, read from the
    deals' index and written as `handle:` terms: a contact's document never holds its deals (it depends on its
    own file alone). A deal names the contacts of its `contacts:`, and an organisation as its `company` (by
    handle or by name); for query.prepare's ``relations``."""

    def __init__(self, vault: Vault, ix: Index, custom: list[str], today: dt.date) -> None:
        self._vault, self._ix, self._custom, self._today = vault, ix, custom, today

    def __call__(self, name: str, value: str) -> str | None:
        if name not in DEAL_CLAUSES:
            return None
        text = (value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value).strip()
        if not text or text[0] in "[{<>":
            one = "deal_stage:proposal OR deal_stage:negotiation" if name == "deal_stage" else "has_open_deal:yes"
            raise InvalidValueError(f"{name}: takes one value per clause: {one}")
        if name == "deal_stage":
            stage = self._stage(text)
            return _handles_clause(self._named(lambda deal: deal.stage == stage))
        answer = _ANSWERS.get(text.lower())
        if answer is None:
            raise InvalidValueError(f"has_open_deal: wants yes or no (has_open_deal:yes, has_open_deal:no), "
                                    f"not '{text}'")
        found = _handles_clause(self._named(lambda deal: deal.status == "open"))
        return found if answer else f"(NOT {found})"

    def _stage(self, text: str) -> str:
        stages = [stage.name for stage in self._vault.config.pipeline]
        found = next((stage for stage in stages if stage.casefold() == text.casefold()), None)
        if found is None:
            raise InvalidValueError(f"deal_stage: wants a stage of vault.yaml's pipeline ({', '.join(stages)}), "
                                    f"not '{text}'")
        return found

    @functools.cached_property
    def _links(self) -> DealLinks:
        return deal_links(self._vault, self._today)

    @functools.cached_property
    def _organisations(self) -> list[tuple[str, str]]:
        """(handle, name) of every organisation in the contacts' index."""
        def keep(view: Any, _: None) -> tuple[str, str] | None:
            meta = view["meta"]
            return (view["handle"], str(meta.get("name", ""))) if meta.get("kind") == "organization" else None

        parsed = lookup.parse(self._ix, "kind:organization", self._custom)
        return [found for found in columns.views(self._ix, None, parsed, keep) if found is not None]

    def _named(self, wanted: Callable[[DealFact], bool]) -> list[str]:
        """The handles of the contacts named by a deal that is ``wanted``."""
        links = self._links
        found = {handle for handle, deals in links.people.items() if any(map(wanted, deals))}
        if any(wanted(deal) for deals in links.companies.values() for deal in deals):
            found |= {handle for handle, name in self._organisations
                      if any(map(wanted, links.deals_of(handle, "organization", name)))}
        return sorted(found)


def _handles_clause(handles: list[str]) -> str:
    """A clause that matches the contacts ``handles`` (none: no contact)."""
    from vault_tool.format.relations import term
    from vault_tool.search.related import NOTHING

    return "(" + " OR ".join(f"handle:{term(handle)}" for handle in handles) + ")" if handles else NOTHING


def _check_phrases(ix: Index, parsed: Any, text: str) -> None:
    """An error for a phrase in a field that keeps no word positions (`title:"head of"`), which Whoosh
    would only refuse while it searches, as if the index were damaged."""
    from vault_tool.search.query import QueryError

    found = lookup.phrase_without_positions(ix, parsed)
    if found is None:
        return
    field_name, words = found
    name = field_name.removeprefix(CUSTOM_PREFIX)
    problem = f"{name}: is searched by words, not phrases; write each word: " + " ".join(f"{name}:{w}" for w in words)
    at = text.find(f"{name}:")
    raise QueryError(text, at, problem) if at >= 0 else InvalidValueError(f"{problem} (in '{text}')")


def _rules(vault: Vault) -> list[Any]:
    from vault_tool.search.scoring import rules_from_config

    return rules_from_config(vault.config)


def deal_links(vault: Vault, today: dt.date | None = None) -> DealLinks:
    """Which deals name which contacts, read from the deals' index."""
    from vault_tool.search.deals import find_deals
    from vault_tool.search.scoring import DealLinks

    return DealLinks.of(find_deals(vault, "", today).deals)


def _links(vault: Vault, rules: list[Any], today: dt.date) -> DealLinks | None:
    """The deals' links to contacts when a rule looks at deals (read from the deals' index), else None."""
    from vault_tool.search.scoring import uses_deals

    return deal_links(vault, today) if uses_deals(rules) else None


def _score_of(facts: dict[str, Any], rules: list[Any], today: dt.date, links: DealLinks | None = None,
              handle: str = "") -> int:
    """The score of the contact ``handle`` whose index facts are ``facts`` (its deals from ``links``)."""
    from vault_tool.search.scoring import Facts, score

    found = Facts.from_data(facts)
    if links is not None:
        found.deals = links.facts_deals(handle, found)
    return score(found, rules, today).total


def _scored_between(vault: Vault, ix: Index, today: dt.date, low: int | None, high: int | None) -> set[str]:
    """Paths of the contacts whose score today is within [low, high] (None: unbounded)."""
    rules = _rules(vault)
    if not rules:
        raise InvalidValueError("score: needs scoring rules in vault.yaml (scoring:); there are none")
    links = _links(vault, rules, today)
    found = set()
    for path, facts in columns.all_facts(ix):
        points = _score_of(facts, rules, today, links, PurePosixPath(path).stem)
        if (low is None or points >= low) and (high is None or points <= high):
            found.add(path)
    return found


def typed_query(words: list[str]) -> Any:
    """The contacts a mail client's address field completes ``words`` (see query.typed_words) to.

    Each word starts a word of the name (as the index folds it) or a part of an address (split at
    `.` `_` `-` `+` `@`): prefix queries over the name field and the email field's terms (the
    address, its local part, its domain), and for a part inside a local part or a domain
    (`mueller` in `zoe.mueller@…`) a pattern over the email terms. That pattern reads the
    field's whole term list (about 70 ms at 10,000 contacts), so a word shorter than INSIDE_FROM,
    which would match a good part of them, is looked for at the starts only.
    """
    return lookup.typed_words_query(words, INSIDE_FROM)


def search(
    vault: Vault, text: str, today: dt.date, limit: int | None = None, sort: str = "relevance",
    progress: Progress | None = None, scanning: BackgroundScan | None = None, complete: bool = False,
    within: str = "",
) -> Result:
    """Contacts matching ``text``, as rows; ``limit`` None means all of them.

    ``scanning``: a scan of the contacts folder, if the caller started one early.
    ``complete``: ``text`` is what a person typed in a mail client's address field (see
    `typed_query`) unless it is in the query language; completions come by name for "relevance".
    ``within``: a query (the command line's filters) the contacts must match too.
    """
    if sort not in SORTS:
        raise InvalidValueError(f"sort by one of {', '.join(SORTS)}, not '{sort}'")
    typed = typed_words(text) if complete else None
    if typed is not None and sort == "relevance":
        sort = "name"
    run_limit = None if sort == "score" else limit

    def ask(ix: Index) -> tuple[list[lookup.Hit], int, list[tuple[str, str]]]:
        parsed = typed_query(typed) if typed is not None else compile_query(vault, ix, text, today)
        if within.strip():
            parsed = lookup.all_of([parsed, compile_query(vault, ix, within, today)])
        return lookup.run(ix, parsed, run_limit, _SORT_FIELDS.get(sort, sort), facts=bool(vault.config.scoring))

    (hits, total, words), fresh = freshness.answer(vault, today, ask, progress, scanning)
    rows = _rows(vault, hits, today)
    if sort == "score":
        rows.sort(key=lambda r: (-r.get("score", 0), r["name"].casefold(), r["path"]))
        rows = rows[:limit] if limit else rows
    return Result(rows, total, [w for _, w in words], fresh.notices, fresh.problems)


def _rows(vault: Vault, hits: list[lookup.Hit], today: dt.date) -> list[dict[str, Any]]:
    """The printable rows of ``hits``, with the lead score when vault.yaml has scoring rules."""
    rules = _rules(vault) if vault.config.scoring else []
    links = _links(vault, rules, today) if hits else None
    rows = []
    for hit in hits:
        row = dict(hit.row)
        row["email"] = row["emails"][0] if row.get("emails") else None
        row["relevance"] = round(hit.relevance, 3)
        if rules:
            row["score"] = _score_of(hit.facts, rules, today, links, row["handle"])
        rows.append(row)
    return rows


def matching_paths(vault: Vault, text: str, fresh: freshness.Refresh | None = None) -> set[Path]:
    """The files of the contacts ``text`` matches (``fresh``: an index just brought up to date, to ask again)."""
    return matching(vault, text, fresh)[0]


def matching(
    vault: Vault, text: str, fresh: freshness.Refresh | None = None,
) -> tuple[set[Path], list[ParseError]]:
    """The files of the contacts ``text`` matches, and the files left out of the index (they do not parse)."""
    today = vault.today()

    def ask(ix: Index) -> set[str]:
        return columns.all_paths(ix, compile_query(vault, ix, text, today))

    found, refreshed = freshness.answer(vault, today, ask, fresh=fresh)
    return {vault.root / rel for rel in found}, refreshed.left_out(vault.root)


def reindex(vault: Vault, today: dt.date, progress: Progress | None = None) -> freshness.Refresh:
    """Rebuild the index from every file."""
    return freshness.rebuild(vault, today, progress)

