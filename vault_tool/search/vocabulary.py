"""The words a vault uses, from the index: handles, tags, stages, owners, custom field names.

Shell completion offers them, and a field name is checked against them (`format/fieldnames.py`):
each is one read of the index's terms, after the freshness check every reading command makes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError
from vault_tool.format.contact import KNOWN_FIELDS
from vault_tool.format.fieldnames import field_name_problem, known_fields
from vault_tool.search import freshness, lookup

if TYPE_CHECKING:
    from whoosh.index import Index

    from vault_tool.store.vault import Vault

# What a kind of word is read from: an index field's terms, and what vault.yaml adds to them.
WORDS = ("handles", "tags", "stages", "owners", "fields", "deals", "deal_stages")
_TERMS = {"tags": "tag", "stages": "stage", "owners": "owner"}


def words(vault: Vault, kind: str) -> list[str]:
    """The ``kind`` of words (one of WORDS) the vault uses or vault.yaml names, sorted.

    Fields are a contact's keys: the known ones, vault.yaml's `fields:` and the custom fields in use.
    """
    if kind not in WORDS:
        raise InvalidValueError(f"words are one of {', '.join(WORDS)}, not '{kind}'")
    if kind == "deal_stages":
        return [stage.name for stage in vault.config.pipeline]  # in the pipeline's order
    if kind == "deals":
        from vault_tool.search.deals import SHELF

        paths, _ = freshness.answer(vault, vault.today(), lambda ix: lookup.field_terms(ix, "path"), shelf=SHELF)
        return sorted(path.rsplit("/", 1)[-1].removesuffix(".md") for path in paths)

    def ask(ix: Index) -> list[str]:
        if kind == "handles":
            return [path.rsplit("/", 1)[-1].removesuffix(".md") for path in lookup.field_terms(ix, "path")]
        if kind == "fields":
            return lookup.custom_fields(ix)
        return lookup.field_terms(ix, _TERMS[kind])

    found, _ = freshness.answer(vault, vault.today(), ask)
    configured = {"stages": vault.config.stages, "owners": list(vault.config.owners),
                  "fields": [*KNOWN_FIELDS, *vault.config.fields]}.get(kind, [])
    return sorted({*configured, *found})


def used_fields(vault: Vault) -> list[str]:
    """The custom fields some contact has (in lower case, as the index holds them)."""
    found, _ = freshness.answer(vault, vault.today(), lookup.custom_fields)
    return found


def field_problem(vault: Vault, name: str) -> str | None:
    """Why ``name`` looks like a slip of a known or used field ("did you mean 'stage'?"), or None.

    A name the format or vault.yaml knows is accepted without reading the index.
    """
    known = known_fields(vault.config)
    if name in known:
        return None
    return field_name_problem(name, known, used_fields(vault))


def check_field_name(vault: Vault, name: str, otherwise: str = "") -> None:
    """InvalidValueError if ``name`` is a slip of a known or used field; ``otherwise``: what else to do."""
    problem = field_problem(vault, name)
    if problem:
        raise InvalidValueError(f"{problem}{' (' + otherwise + ')' if otherwise else ''}")
