"""Relations between contacts: the `relations:` key of a contact's front matter, and the types vault.yaml names.

A relation is written on one side only. `relations: {reports_to: charles-babbage}` in Ada's file says
that Ada reports to Charles; that Charles manages Ada is derived through vault.yaml's `relations:`,
which names every type with its inverse (`reports_to: manages`, `spouse: spouse`). A value is a
handle, or a list of handles where there are several (`introduced: [ada-lovelace, mary-somerville]`).

Pure functions over front matter values and relation triples; the index stores each contact's
written relations (search/documents.py), and the reverse side is read from there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from vault_tool.errors import InvalidValueError

KEY = "relations"  # the front matter key
# The relation types of a vault whose vault.yaml says nothing: each type -> its inverse.
DEFAULT_RELATIONS = {
    "reports_to": "manages", "spouse": "spouse", "introduced_by": "introduced", "assistant_of": "has_assistant",
    "colleague": "colleague", "friend": "friend", "parent_of": "child_of",
}
TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, order=True)
class Relation:
    """``source`` (the contact whose file says so) is ``type`` of ``target``: (ada, reports_to, charles)."""

    source: str
    type: str
    target: str

    def flipped(self, inverses: dict[str, str]) -> Relation:
        """The same relation seen from the other side (charles, manages, ada); the type as is if unknown."""
        return Relation(self.target, inverses.get(self.type, self.type), self.source)


def inverses(types: dict[str, str]) -> dict[str, str]:
    """Every type of vault.yaml's `relations:` (``types``: type -> inverse) and every inverse, each to its other side."""
    both = dict(types)
    both.update({inverse: name for name, inverse in types.items()})
    return both


def type_problem(types: dict[str, str]) -> str | None:
    """What is wrong with vault.yaml's `relations:` mapping (type -> inverse), None if nothing."""
    seen: dict[str, str] = {}
    for name, inverse in types.items():
        for word in (name, inverse):
            if not TYPE_NAME.fullmatch(word):
                return f"relation type '{word}' must be a lower-case word (letters, digits, _), e.g. reports_to"
        for one, other in ((name, inverse), (inverse, name)):
            if seen.get(one, other) != other:
                return f"relation type '{one}' has two inverses ('{seen[one]}' and '{other}'): give it one"
            seen[one] = other
    return None


def label(type_: str) -> str:
    """A type as words: `reports_to` -> `reports to`."""
    return type_.replace("_", " ")


def targets(value: Any) -> list[str]:
    """The handles one relation type's value names (a handle or a list of them), as written; others left out."""
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def written(handle: str, meta: dict[str, Any]) -> list[Relation]:
    """The relations the front matter ``meta`` of ``handle`` writes, in file order; malformed values left out."""
    value = meta.get(KEY)
    if not isinstance(value, dict):
        return []
    return [Relation(handle, str(name), target) for name, item in value.items() for target in targets(item)]


def shape_problems(value: Any) -> list[tuple[str, str]]:
    """(the type or "" for the whole key, what is wrong) for a `relations:` value that is not type -> handle(s)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [("", "relations must map a relation type to a handle or a list of handles: "
                     + "relations: {reports_to: charles-babbage}")]
    problems = []
    for name, item in value.items():
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(one, str) and one.strip() for one in items) or not items:
            problems.append((str(name), f"relation '{name}' must name a handle or a list of handles"))
    return problems


def _as_value(handles: list[str]) -> str | list[str]:
    return handles[0] if len(handles) == 1 else handles


def with_relation(value: Any, type_: str, target: str) -> dict[str, Any] | None:
    """`relations:` with ``target`` added under ``type_``; None if it is there already."""
    current = dict(value) if isinstance(value, dict) else {}
    handles = targets(current.get(type_))
    if target in handles:
        return None
    current[type_] = _as_value([*handles, target])
    return current


def without_relation(value: Any, type_: str, target: str) -> dict[str, Any] | None:
    """`relations:` without ``target`` under ``type_`` (an empty mapping when nothing is left); None if it is not there."""
    if not isinstance(value, dict) or target not in targets(value.get(type_)):
        return None
    current = dict(value)
    left = [handle for handle in targets(current[type_]) if handle != target]
    if left:
        current[type_] = _as_value(left)
    else:
        del current[type_]
    return current


def retargeted(value: Any, old: str, new: str, own: str) -> dict[str, Any] | None:
    """`relations:` (of the file of ``own``) with every ``old`` handle made ``new``, a repeat kept once; a relation
    that would so become one of ``own`` to itself is dropped. None if nothing changes."""
    if not isinstance(value, dict):
        return None
    changed: dict[str, Any] = {}
    for name, item in value.items():
        handles = targets(item)
        if old not in handles:
            changed[name] = item
            continue
        kept = [h for h in dict.fromkeys(new if h == old else h for h in handles) if h != own or new != own]
        if kept:
            changed[name] = _as_value(kept)
    return None if changed == value else changed


def merged(values: list[Any], own: str, others: set[str]) -> dict[str, Any]:
    """The `relations:` of contacts merged into ``own``: the handles of each type unioned, in order, those of
    the merged contacts (``others``) read as ``own``, and a relation to ``own`` itself left out."""
    union: dict[str, list[str]] = {}
    for value in values:
        if not isinstance(value, dict):
            continue
        for name, item in value.items():
            for handle in targets(item):
                handle = own if handle in others else handle
                if handle != own and handle not in union.setdefault(str(name), []):
                    union[str(name)].append(handle)
    return {name: _as_value(handles) for name, handles in union.items() if handles}


def check_type(type_: str, types: dict[str, str]) -> str:
    """``type_`` if vault.yaml names it (as a type or an inverse); InvalidValueError listing them otherwise."""
    known = inverses(types)
    if type_ not in known:
        names = ", ".join(sorted(known)) or "none: add relations: to vault.yaml"
        raise InvalidValueError(f"'{type_}' is not a relation type in vault.yaml (types: {names})")
    return type_


def term(text: str) -> str:
    """A handle or type as one index term: lower case, and nothing a query or a space-separated list would split."""
    return quote(text.lower(), safe="").replace("~", "%7e").replace("*", "%2a").lower()


def edge_term(type_: str, target: str) -> str:
    """What the index holds for a written relation: `reports_to/charles-babbage`."""
    return f"{term(type_)}/{term(target)}"
