"""The checks of a contact's `relations:` (format/relations.py): what one file can tell.

`relations:` maps types to a handle or a list of handles (an error otherwise), a contact is not
related to itself (an error), and each type is one vault.yaml's `relations:` names, as a type or an
inverse (a warning: a type of its own still reads, but search and `show` cannot turn it round).
Whether each handle names a contact is a vault-wide check (vaultwide.py, `check_relation_targets`).
"""
from __future__ import annotations

from vault_tool.format.relations import KEY, inverses, shape_problems, written
from vault_tool.team.check.records import (
    ERROR,
    WARNING,
    CheckContext,
    FileRecord,
    Problem,
)


def relation_lines(record: FileRecord) -> list[tuple[str, str, int]]:
    """(type, handle, line) of each relation the file writes."""
    if record.contact is None:
        return []
    return [(r.type, r.target, _line(record, r.type, r.target)) for r in written(record.handle, record.contact.meta)]


def _line(record: FileRecord, type_: str, target: str = "") -> int:
    """The line of ``type_``'s entry under `relations:` (of ``target`` in a block list under it)."""
    line = record.line_of_item(KEY, f"{type_}:")
    if not target or record.text is None:
        return line
    lines = record.lines
    for number in range(line, min(len(lines), line + 50) + 1):
        text = lines[number - 1]
        if target in text:
            return number
        if number > line and not text.startswith((" ", "\t")):
            break
    return line


def check_relations(record: FileRecord, context: CheckContext) -> list[Problem]:
    """`relations:` maps known types to handles other than the file's own."""
    if record.contact is None or KEY not in record.contact.meta:
        return []
    problems = [
        Problem(record.path, _line(record, kind) if kind else record.line_of(KEY), ERROR, message, "relations")
        for kind, message in shape_problems(record.contact.meta.get(KEY))
    ]
    known = inverses(context.config.relations)
    named = ", ".join(sorted(known)) or "none"
    unknown: set[str] = set()  # each reported once
    for kind, target, line in relation_lines(record):
        if target == record.handle:
            problems.append(Problem(record.path, line, ERROR, f"relation '{kind}' names this contact itself: "
                                    "a contact is not related to itself; remove it", "relations"))
        if kind not in known and kind not in unknown:
            unknown.add(kind)
            problems.append(Problem(
                record.path, line, WARNING,
                f"relation type '{kind}' is not in vault.yaml's relations ({named}): add it there with its "
                "inverse, or use one of those", "relations",
            ))
    return problems
