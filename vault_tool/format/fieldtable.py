"""The index's fields, defined once: what each holds, how it is indexed, whether a query may name it.

The index schema (search/index.py), the fields a query may name and the date fields it compares
(search/query.py), the keys a contact may not use because the tool computes them (format/fields.py,
the checks), the query help of `contacts search --help` and the index's schema version are all
derived from `FIELDS`: adding a searchable field is one entry here (and the code that fills it in
search/documents.py). Standard library only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zlib import crc32

# How a field is indexed (search/index.py maps each to a Whoosh field type):
#   words: analysed text, phrases; short: words that weigh twice (names); plain: words, no phrases;
#   list: comma-separated values (tags); terms: space-separated exact terms (emails, phone tails);
#   day: a date as YYYYMMDD (ranges, sorting, a column); number: an integer, never filled (a query's
#   clause answered otherwise: `score:` from the facts, `deal_stage:` from the deals' index);
#   id: one exact value with a column; stored: kept with the hit; column: bytes read by document;
#   decimal: a number a query compares (`amount:>10000`), kept as the field n_<name>.
KINDS = ("words", "short", "plain", "list", "terms", "day", "number", "id", "stored", "column", "decimal")


@dataclass(frozen=True)
class IndexField:
    name: str
    kind: str  # one of KINDS
    source: str  # "key": the front matter key of that name; "gathered": from several keys; "computed"
    query: bool = False  # a query may name it (`tag:vip`)
    help: str = ""  # for the query help: what a query finds by it

    @property
    def computed(self) -> bool:
        return self.source == "computed"

    @property
    def date(self) -> bool:
        """A date a query compares with dates as people write them (`last_contact:<-90days`)."""
        return self.kind == "day" and self.query


FIELDS = (
    IndexField("name", "short", "key", True, "the contact's name"),
    IndexField("company", "short", "key", True, "the organisation a person works at"),
    IndexField("title", "plain", "key", True, "job title"),
    IndexField("stage", "list", "key", True, "the pipeline stage (vault.yaml's stages)"),
    IndexField("owner", "list", "key", True, "who looks after the contact"),
    IndexField("kind", "list", "key", True, "person, organization, or an interaction kind it has"),
    IndexField("birthday", "terms", "key", True, "birthday:12 finds birthdays in December"),
    IndexField("tag", "list", "gathered", True, "a tag (the tags: list)"),
    IndexField("email", "terms", "gathered", True, "an address whole, its local part or its domain"),
    IndexField("phone", "terms", "gathered", True, "digits of any number, however written (in the contact's country)"),
    IndexField("city", "short", "gathered", True, "from the address"),
    IndexField("country", "short", "gathered", True, "from the address, by name or ISO code"),
    IndexField("handle", "terms", "computed", True, "the file name without .md: handle:ada-lovelace"),
    IndexField("related", "terms", "computed", True,
               "a relation to a contact either way; each relation type is a field too: reports_to:charles"),
    IndexField("file", "plain", "computed", True,
               "a document's name or a word of it: file:contract (bare words search their text too)"),
    IndexField("text", "words", "computed", True,
               "what bare words search: names, emails, notes, interactions, documents"),
    IndexField("last_contact", "day", "computed", True, "the last interaction on or before today"),
    IndexField("created", "day", "computed", True, "the day the file was first committed"),
    IndexField("next_date", "day", "computed"),  # the first interaction after the day it was indexed
    IndexField("score", "number", "computed"),  # `score:` is answered by search from the facts
    # Answered from the deals' index (search/run.py DealClauses), never filled: a document holds no deal.
    IndexField("deal_stage", "number", "computed", True,
               "a deal names it (an organisation: as its company) at this stage: deal_stage:negotiation"),
    IndexField("has_open_deal", "number", "computed", True, "has_open_deal:yes (or no): an open deal names it"),
    IndexField("sort_name", "id", "computed"),
    IndexField("path", "id", "computed"),
    IndexField("row", "stored", "computed"),  # what a search prints
    IndexField("facts", "column", "computed"),  # lead-scoring facts
    IndexField("view", "column", "computed"),  # what relations, the graph and a query's organisations read (search/view.py)
    IndexField("follow", "column", "computed"),  # the part of the view follow-ups read (view.follow_of)
    IndexField("card", "column", "computed"),  # what keep-in-touch and stale rows show (view.card_of)
    IndexField("summary", "column", "computed"),  # what every report reads: stage, dates, kinds (view.summed_of)
    IndexField("summary_fields", "column", "computed"),  # the fields a report may count by (view.summed_fields_of)
    IndexField("task_due", "day", "computed"),  # the earliest due day of an open task
    IndexField("touch_due", "day", "computed"),  # when a contact's own keep-in-touch cadence runs out
    IndexField("problems", "day", "computed"),  # how many follow-up values do not parse
    IndexField("birthday_day", "day", "computed"),  # the birthday as MMDD
    IndexField("done_day", "day", "computed"),  # the last day a task was ticked off
    IndexField("digest", "column", "computed"),  # of the file's bytes as indexed (search/freshness.py `_as_indexed`)
    IndexField("dupe_keys", "column", "computed"),  # identity and block keys (format/identity.py)
    IndexField("dupe_view", "column", "computed"),  # what dupes reads of the contacts it lists (view.dupe_view_of)
    IndexField("who", "column", "computed"),  # the name, handle and emails folded, to name a contact by (Vault.get)
    IndexField("mail_ids", "terms", "computed"),  # `handle/message-id` of each mail logged (format/mailmark.py)
)

INDEX_FIELDS = tuple(f.name for f in FIELDS)
COMPUTED_FIELDS = tuple(f.name for f in FIELDS if f.computed)
QUERY_FIELDS = tuple(f.name for f in FIELDS if f.query)
DATE_FIELDS = tuple(f.name for f in FIELDS if f.date)
DAY_MAX = 99991231  # the largest value of a "day" field; a column gives a missing value as 2**32 - 1
VIEW_VERSION = 6  # bump when what documents hold changes without a change of this table
SCHEMA_VERSION = f"{crc32(repr((FIELDS, VIEW_VERSION)).encode()):08x}"  # any change to the table changes it


# The deals' index (.vault/deals-index): the same kinds, the same query language (`contacts deals`).
DEAL_FIELDS = (
    IndexField("name", "short", "key", True, "the deal's name"),
    IndexField("company", "short", "key", True, "the organisation it is with, by handle or name"),
    IndexField("contact", "list", "gathered", True, "the handle of one of its contacts (the contacts: list)"),
    IndexField("stage", "list", "key", True, "the stage (vault.yaml's pipeline)"),
    IndexField("status", "list", "computed", True, "open, won or lost (by its stage)"),
    IndexField("owner", "list", "key", True, "who works the deal"),
    IndexField("tag", "list", "gathered", True, "a tag (the tags: list)"),
    IndexField("currency", "list", "key", True, "its ISO 4217 code (vault.yaml's currency when it names none)"),
    IndexField("amount", "decimal", "key", True, "amount:>10000, amount:[5000 to 20000]"),
    IndexField("probability", "decimal", "computed", True, "the win probability in percent (its own, else its stage's)"),
    IndexField("close", "day", "key", True, "the expected close date: close:<+30days, close:<today"),
    IndexField("closed", "day", "key", True, "the day it was won or lost"),
    IndexField("created", "day", "computed", True, "its created: date, else the day it was first committed"),
    IndexField("handle", "terms", "computed", True, "the file name without .md"),
    IndexField("text", "words", "computed", True, "what bare words search: name, company, notes, interactions"),
    IndexField("sort_name", "id", "computed"),
    IndexField("path", "id", "computed"),
    IndexField("row", "stored", "computed"),  # the created date, read back when the deal is indexed again
    IndexField("view", "column", "computed"),  # what `deals`, the board and the report read (search/deals.py)
    IndexField("digest", "column", "computed"),  # of the file's bytes as indexed (search/freshness.py `_as_indexed`)
)
DEAL_QUERY_FIELDS = tuple(f.name for f in DEAL_FIELDS if f.query)
DEAL_DATE_FIELDS = tuple(f.name for f in DEAL_FIELDS if f.date)
DEAL_VIEW_VERSION = 2  # bump when a deal's view changes without a change of this table
DEAL_SCHEMA_VERSION = f"{crc32(repr((DEAL_FIELDS, DEAL_VIEW_VERSION)).encode()):08x}"


CUSTOM_PREFIX = "x_"  # a custom field's words: `industry:computing`
NUMBER_PREFIX = "n_"  # a custom field whose value is a number, for ranges: `employees:>300`
HUNDREDTHS_PREFIX = "h_"  # the column of a decimal field (a deal's amount) in hundredths, for its ranges


NO_NUMBER = -(2**63)  # a document without a value in a column of hundredths


def hundredths(value: Decimal) -> int:
    """A decimal field's value as its column holds it: a whole number of hundredths (12000.10 -> 1200010)."""
    return int((value * 100).to_integral_value(ROUND_HALF_EVEN))


def as_number(value: Any) -> float | None:
    """A custom field's value as a number, if it is one (`1200`, `4.5`, `"1 200"` is not)."""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def day_number(day: dt.date) -> int:
    """A date as a "day" field holds it: the integer YYYYMMDD, so ranges and sorting are numeric."""
    return day.year * 10000 + day.month * 100 + day.day


def day_text(number: int) -> str:
    """A "day" field's value (day_number's YYYYMMDD) as an ISO date: 20261123 -> `2026-11-23`."""
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def query_help(table: tuple[IndexField, ...] = FIELDS) -> str:
    """The fields a query may name, a line each, for `contacts search --help` (`contacts deals --help`)."""
    width = max(len(f.name) for f in table if f.query) + 2
    return "\n".join(f"  {f.name + ':':<{width}} {f.help}".rstrip() for f in table if f.query)
