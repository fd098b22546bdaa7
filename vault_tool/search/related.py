"""Relations in queries: `related:charles`, `reports_to:charles`, `manages:ada`, `handle:ada-lovelace`.

A relation is written on one side only (format/relations.py), so a clause has two halves. The
written half is a term of the `related` field (`reports_to/charles-babbage` in Ada's document).
The derived half needs the other contact's document: `reports_to:charles` also finds the contacts
that Charles's own file says he `manages`; their handles are read from the views of the contacts
the value names, and the clause becomes `handle:` terms. The value names contacts by handle (the
one contact whose handle it is), else by whole words of handles (`charles`, `"charles babbage"`,
`babb*`); `*` alone names every contact.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from vault_tool.errors import InvalidValueError
from vault_tool.format.handles import slugify
from vault_tool.format.relations import edge_term, inverses, term

if TYPE_CHECKING:
    from whoosh.index import Index

NOTHING = "handle:%00"  # a term no document has: no file is named with a NUL
CONTACT_FIELDS = ("handle", "related")


class RelationClauses:
    """The relation clauses of queries over index ``ix`` (``custom``: its custom fields; ``types``: vault.yaml's
    relation types with their inverses), for query.prepare's ``relations``."""

    def __init__(self, ix: Index, custom: list[str], types: dict[str, str]) -> None:
        self._ix, self._custom = ix, custom
        self.types = inverses(types)

    @property
    def names(self) -> list[str]:
        """The fields a query may name for relations besides the index's own (each relation type)."""
        return sorted(self.types)

    def __call__(self, name: str, value: str) -> str | None:
        if name not in CONTACT_FIELDS and name not in self.types:
            return None
        text = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
        if not text or text[0] in "[{<>" or text.startswith('"'):
            raise InvalidValueError(f"{name}: wants a contact: {name}:charles, {name}:charles-babbage, "
                                    f"{name}:\"charles babbage\" (one clause each: {name}:ada OR {name}:charles)")
        if name == "handle":
            return f"handle:{term(text[:-1])}*" if text.endswith("*") else f"handle:{term(text)}"
        wanted = self.handles_named(text)
        if not wanted:
            return NOTHING
        type_ = None if name == "related" else name
        written = [f"related:{edge_term(type_, h) if type_ else term(h)}" for h in wanted]
        derived = [f"handle:{term(h)}" for h in self._derived(type_, wanted)]
        return "(" + " OR ".join(dict.fromkeys(written + derived)) + ")"

    @functools.cached_property
    def _handles(self) -> set[str]:
        """Every handle in the index, and every handle a relation names (lower case)."""
        from vault_tool.search.lookup import field_terms

        named = {unquote(t) for t in field_terms(self._ix, "related") if "/" not in t}
        return {unquote(t) for t in field_terms(self._ix, "handle")} | named

    def _is_handle(self, text: str) -> bool:
        """Whether ``text`` is in `_handles`, asked of the index's term lists (not read whole, as `_handles` is:
        a second on 100,000 contacts, for `show`'s relations of a contact)."""
        from vault_tool.search.lookup import has_term

        return any(has_term(self._ix, field, term(text)) for field in ("handle", "related"))

    def handles_named(self, text: str) -> list[str]:
        """The handles ``text`` names: itself if it is one; else those it is whole words of (`*`: word starts)."""
        prefix = text.endswith("*")
        text = text.rstrip("*").strip()
        if not text:
            return sorted(self._handles) if prefix else []
        if not prefix and self._is_handle(text.lower()):
            return [text.lower()]
        slug = slugify(text)
        if not re.search(r"\w", text) or slug == "contact" and "contact" not in text.lower():
            return []
        pattern = re.compile(rf"(?:^|-){re.escape(slug)}{'' if prefix else '(?:-|$)'}")
        return sorted(h for h in self._handles if pattern.search(h))

    def _derived(self, type_: str | None, handles: list[str]) -> list[str]:
        """The handles that the files of ``handles`` relate them to by the inverse of ``type_`` (any when None)."""
        from vault_tool.search import columns
        from vault_tool.search.lookup import parse

        inverse = self.types.get(type_, type_) if type_ is not None else None

        def keep(view: Any, _: None) -> list[str]:
            return [target.lower() for kind, target in view.get("relations", ()) if inverse is None or kind == inverse]

        # Every handle there is (`related:*`): read every view, not a query naming each. Only asked when the
        # handles were listed from `_handles`, which is not read whole for one handle.
        every = "_handles" in self.__dict__ and set(handles) >= self._handles
        parsed = None if every else parse(self._ix, " OR ".join(f"handle:{term(h)}" for h in handles), self._custom)
        return sorted({target for found in columns.views(self._ix, None, parsed, keep) for target in found})
