"""Field names: the ones the tool knows, and a name that is a slip of one (`stgae` for `stage`).

A name given for a field (`contacts set ada stgae customer`) that is not a field the tool knows
nor one the vault uses, but is one or two edits from one, is most likely a typing slip: a
command refuses it with "did you mean …?" instead of creating a new custom field. Edits are
counted as Levenshtein distance (rapidfuzz), where swapping two letters is two edits; a name
of three characters or fewer may be one edit off, a longer one two (`nmae` is a slip of `name`),
so short custom fields such as `zip` and `url` stay free to use.
"""
from __future__ import annotations

from collections.abc import Iterable

from vault_tool.format.config import VaultConfig
from vault_tool.format.contact import KNOWN_FIELDS
from vault_tool.format.fieldtable import FIELDS

SHORT_NAME = 3  # a name this long or shorter is a slip only one edit off


def known_fields(config: VaultConfig) -> list[str]:
    """The fields a contact may have by the format or by vault.yaml: known keys, searchable fields, `fields:`."""
    names = [*KNOWN_FIELDS, *(f.name for f in FIELDS if not f.computed), *config.fields]
    return list(dict.fromkeys(names))


def near_miss(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` is a slip of, or None: ``name`` is a candidate itself, or near none.

    A slip differs only in case, or is at most two edits away (one for a name of up to
    three characters); the closest candidate wins, the first of equals.
    """
    from rapidfuzz.distance import Levenshtein  # only when a name is not a known one

    names = list(dict.fromkeys(candidates))
    if name in names:
        return None
    allowed = 1 if len(name) <= SHORT_NAME else 2
    best: tuple[int, str] | None = None
    for candidate in names:
        distance = Levenshtein.distance(name.casefold(), candidate.casefold(), score_cutoff=allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def field_name_problem(name: str, known: Iterable[str], used: Iterable[str] = ()) -> str | None:
    """Why ``name`` is refused as a field, or None: a slip of a ``known`` field or of one the vault ``used``.

    A known name is accepted as written; a used one in any case (the index holds them in lower case).
    """
    known = list(known)
    used = list(used)
    if name in known or name.casefold() in {u.casefold() for u in used}:
        return None
    suggestion = near_miss(name, [*known, *used])
    if suggestion is None:
        return None
    return f"'{name}' is not a field: did you mean '{suggestion}'?"
