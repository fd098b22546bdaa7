"""Asking the Whoosh index: a query parsed and run, the stored rows of some documents, the terms of a field.

What search, the vocabulary, relations and mail ask of the index beside the columns (columns.py);
index.py makes, opens and writes it. Imported after index.py, which imports Whoosh quickly.
"""
from __future__ import annotations

import marshal
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.format.fieldtable import CUSTOM_PREFIX, DATE_FIELDS, INDEX_FIELDS
from vault_tool.search.index import reading

from whoosh import query, sorting  # noqa: E402,I001 - after index, which imports Whoosh quickly

if TYPE_CHECKING:
    from whoosh.index import Index


def stored_rows(ix: Index, rels: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of the documents for ``rels`` that are in the index."""

    def rows() -> dict[str, dict[str, Any]]:
        found = {}
        with ix.searcher() as searcher:
            for rel in rels:
                fields_ = searcher.document(path=rel)
                if fields_ is not None:
                    found[rel] = fields_["row"]
        return found

    return reading(rows)


def custom_fields(ix: Index) -> list[str]:
    """The custom fields (without their prefix) some contact in the index has."""

    def names() -> list[str]:
        with ix.reader() as reader:
            indexed = reader.indexed_field_names()
            return sorted(n[len(CUSTOM_PREFIX):] for n in indexed if n.startswith(CUSTOM_PREFIX))

    return [name for name in reading(names) if name not in INDEX_FIELDS]


def field_terms(ix: Index, name: str) -> list[str]:
    """The distinct terms of index field ``name`` (a tag, a stage, a path each), sorted; none if no contact has one."""

    def terms() -> list[str]:
        with ix.reader() as reader:
            if name not in reader.indexed_field_names():
                return []
            return [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in reader.lexicon(name)]

    return reading(terms)


def has_term(ix: Index, name: str, text: str) -> bool:
    """Whether some document (one replaced or removed since, too) has ``text`` as a term of field ``name``."""

    def found() -> bool:
        with ix.reader() as reader:
            return (name, text) in reader

    return reading(found)


def parse(ix: Index, text: str, custom: list[str]) -> query.Query:
    """A Whoosh query from query text already rewritten by query.py (dates and phones made explicit).

    ``custom``: the custom fields (`custom_fields`), none named like an index field. IndexBroken if
    the index's schema cannot be read; any other error is the query's.
    """
    from whoosh import qparser  # imported by a query only: 5 ms of a follow-up's start that asks none

    schema_ = reading(lambda: ix.schema)
    # Bare words look in names too, so that a name ranks its own contact first.
    parser = qparser.MultifieldParser(["name", "text"], schema_, fieldboosts={"name": 3.0, "text": 1.0})
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({CUSTOM_PREFIX + name: [name] for name in custom}))
    return parser.parse(text)


@dataclass
class Hit:
    row: dict[str, Any]
    relevance: float
    facts: dict[str, Any] = field(default_factory=dict)


def run(
    ix: Index, parsed: query.Query, limit: int | None, sort: str, facts: bool = True,
) -> tuple[list[Hit], int, list[tuple[str, str]]]:
    """Hits for ``parsed`` sorted by relevance, `name`, or a date field (newest first); the total; matched words.

    ``facts``: read each hit's scoring facts too (else each has none).
    """

    def answer() -> tuple[list[Hit], int, list[tuple[str, str]]]:
        with ix.searcher() as searcher:
            results = searcher.search(parsed, limit=limit, sortedby=_facet(sort))
            held = searcher.reader().column_reader("facts") if len(results) and facts else None
            hits = [Hit(hit["row"], hit.score if isinstance(hit.score, float) else 0.0,
                        marshal.loads(held[hit.docnum]) if held is not None else {}) for hit in results]
            words = sorted({
                (field, text.decode("utf-8") if isinstance(text, bytes) else text)
                for leaf in parsed.leaves()
                for field, text in leaf.existing_terms(searcher.reader(), expand=True)
                if field in ("text", "name", "company", "title")
            })
            return hits, len(results), words

    return reading(answer)


def _facet(sort: str) -> sorting.FacetType | None:
    if sort == "name":
        return sorting.MultiFacet([sorting.FieldFacet("sort_name"), sorting.FieldFacet("path")])
    if sort in DATE_FIELDS:
        return sorting.MultiFacet([sorting.FieldFacet(sort, reverse=True), sorting.FieldFacet("path")])
    return None


def replace_score_ranges(parsed: query.Query, matching: Any) -> query.Query:
    """``parsed`` with every `score:` range replaced by the contacts ``matching(low, high)`` returns."""

    def visit(node: query.Query) -> query.Query:
        if isinstance(node, query.NumericRange) and node.fieldname == "score":
            low = None if node.start is None else node.start + (1 if node.startexcl else 0)
            high = None if node.end is None else node.end - (1 if node.endexcl else 0)
            paths = sorted(matching(low, high))
            return query.Or([query.Term("path", p) for p in paths]) if paths else query.NullQuery
        if isinstance(node, query.Term) and node.fieldname == "score":
            value = int(node.text) if isinstance(node.text, int) else None
            return visit(query.NumericRange("score", value, value))
        return node.apply(visit)

    return visit(parsed)


def everything() -> query.Query:
    """The query every document matches."""
    return query.Every()


def all_of(queries: list[query.Query]) -> query.Query:
    """The documents every one of ``queries`` matches."""
    return query.And(queries)


def phrase_without_positions(ix: Index, parsed: query.Query) -> tuple[str, list[str]] | None:
    """(field, words) of a phrase in ``parsed`` on a field that keeps no word positions, or None:
    Whoosh would only refuse it while it searches."""
    schema = reading(lambda: ix.schema)
    for leaf in parsed.leaves():
        if isinstance(leaf, query.Phrase) and leaf.fieldname in schema \
                and not schema[leaf.fieldname].format.supports("positions"):
            return leaf.fieldname, list(leaf.words)
    return None


def typed_words_query(words: list[str], inside_from: int) -> query.Query:
    """Each of ``words`` starts a word of the name or a part of an address: prefix queries on the
    name and email fields, and for a word of ``inside_from`` letters or more, a pattern for a part
    inside an address's local part or domain (it reads the email field's whole term list)."""
    if not words:
        return query.Every()

    def one(word: str) -> query.Query:
        starts: list[query.Query] = [query.Prefix("name", word), query.Prefix("email", word)]
        inside = [query.Regex("email", f".+[._+-]{re.escape(word)}")] if len(word) >= inside_from else []
        return query.Or(starts + inside)

    return query.And([one(word) for word in words])
