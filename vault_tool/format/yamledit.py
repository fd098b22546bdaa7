"""Minimal-diff edits of a YAML mapping kept as text (a front matter, vault.yaml).

A change replaces the lines of one top-level key and nothing else: key order,
comments, quoting and the other keys stay byte for byte. Lists keep their
style: in a block list the surviving items keep their own lines and new items
are appended below them; in a flow list the surviving items keep their text.
After every edit the text is parsed again and compared with what was meant;
an edit that would change anything else raises instead of returning. (When one
key changed in a block mapping whose keys each start a line, its new lines are
the part parsed again: the other lines are unchanged and read the same.)
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from vault_tool.format import yamlsafe

REMOVE = object()  # a marker: remove the key
_COMMENT_TAIL = re.compile(r"^\s+#.*$")


class EditError(Exception):
    """An edit could not be made without touching more than it should."""


@dataclass
class _Entry:
    key: str
    key_node: yaml.Node
    value_node: yaml.Node
    start: int  # index of the key's first line
    end: int  # index just after the key's last line
    alone: bool = False  # a key of a block mapping that starts its line


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text):
        starts.append(match.end())
    return starts


def _line_of(starts: list[int], mark: Any) -> int:
    """The 0-based line (counting only `\\n`) of a mark, from its character index.

    The marks' own line numbers also count NEL, LS, PS and lone CRs as line breaks,
    which would not match the text's lines.
    """
    return bisect_right(starts, mark.index) - 1


def _entries(text: str) -> list[_Entry]:
    # libyaml's marks index the text by character as the pure-Python composer's do, fifteen times faster
    root = yaml.compose(text, Loader=yamlsafe.StrictLoader) if text.strip() else None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the YAML is not a mapping")
    starts = _line_starts(text)
    lines = text.split("\n")
    pairs = root.value
    entries: list[_Entry] = []
    for i, (key_node, value_node) in enumerate(pairs):
        first = _line_of(starts, key_node.start_mark)
        stop = _line_of(starts, pairs[i + 1][0].start_mark) if i + 1 < len(pairs) else len(starts) - 1
        # Blank lines and column-0 comments after a value belong to what follows it.
        while stop - 1 > first and (not lines[stop - 1].strip() or lines[stop - 1].startswith("#")):
            stop -= 1
        end = starts[stop] if stop < len(starts) else len(text)
        alone = not root.flow_style and key_node.start_mark.index == starts[first]
        entries.append(_Entry(str(key_node.value), key_node, value_node, starts[first], end, alone))
    return entries


def _tail_comment(text: str, node: yaml.Node) -> str:
    """An inline comment after a one-line value (`key: value  # why`), kept on rewrite."""
    if "\n" in text[node.start_mark.index : node.end_mark.index]:
        return ""
    line_end = text.find("\n", node.end_mark.index)
    rest = text[node.end_mark.index : len(text) if line_end < 0 else line_end].rstrip("\r")
    return rest if _COMMENT_TAIL.match(rest) else ""


def _same_items(old_nodes: list[yaml.Node], old_values: list[Any], new: list[Any]) -> list[yaml.Node | None]:
    """For each new item, the old node it keeps (first unused equal one), or None."""
    used: set[int] = set()
    kept: list[yaml.Node | None] = []
    for value in new:
        match = next((i for i, v in enumerate(old_values) if i not in used and v == value), None)
        if match is None:
            kept.append(None)
        else:
            used.add(match)
            kept.append(old_nodes[match])
    return kept


def _flow_list(text: str, entry: _Entry | None, values: list[Any], quote: bool, old: Any) -> str:
    node = entry.value_node if entry else None
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        kept = _same_items(node.value, old or [], values)
        parts = [
            text[k.start_mark.index : k.end_mark.index] if k is not None else yamlsafe.flow_list([v], quote)[1:-1]
            for k, v in zip(kept, values)
        ]
        return "[" + ", ".join(parts) + "]"
    return yamlsafe.flow_list(values, quote)


def _block_list(text: str, entry: _Entry, values: list[Any], quote: bool, newline: str, old: Any) -> str:
    """The key's lines with its block list set to ``values`` (``old``: the list as read).

    Each surviving item keeps its own lines; new items are appended after the last item.
    Comment and blank lines between items are never dropped with an item: they stay
    where they were, just above the item that followed them.
    """
    node = entry.value_node
    starts = _line_starts(text)
    lines = text.split("\n")
    items = node.value
    kept = _same_items(items, old or [], values)

    def filler(n: int) -> bool:
        stripped = lines[n].strip()
        return not stripped or stripped.startswith("#")

    def back_over_fillers(line: int, floor: int) -> int:
        while line - 1 > floor and filler(line - 1):
            line -= 1
        return line

    own_start: list[int] = []  # each item's first line
    lead_start: list[int] = []  # first comment/blank line just above it
    floor = _line_of(starts, entry.key_node.end_mark)
    for item in items:
        line = _line_of(starts, item.start_mark)
        own_start.append(line)
        lead_start.append(back_over_fillers(line, floor))
        floor = _line_of(starts, item.end_mark)
    end_line = bisect_right(starts, entry.end) - 1  # entry.end starts a line (or is len(text))
    tail_start = back_over_fillers(end_line, floor)  # comment lines after the last item stay
    stops = lead_start[1:] + [tail_start]

    def span(first: int, stop: int) -> str:
        return text[starts[first] : starts[stop]]

    prefix = text[starts[own_start[0]] : items[0].start_mark.index]  # e.g. "  - "
    out = [text[entry.start : starts[lead_start[0]]]]
    position = {id(item): i for i, item in enumerate(items)}
    emitted: set[int] = set()  # old items whose lead lines are out

    def leads_up_to(index: int) -> None:
        for i in range(index + 1):
            if i not in emitted:
                emitted.add(i)
                out.append(span(lead_start[i], own_start[i]))

    for keep, value in zip(kept, values):
        if keep is None:
            out.append(prefix + yamlsafe.scalar(value, quote) + newline)
            continue
        index = position[id(keep)]
        leads_up_to(index)
        out.append(span(own_start[index], stops[index]))
    leads_up_to(len(items) - 1)
    out.append(span(tail_start, end_line))
    return "".join(out)


def _render(text: str, entry: _Entry | None, key: str, value: Any, quote: bool, newline: str, old: Any = None) -> str:
    """The lines of ``key`` set to ``value`` (``old``: its value as read, whose list items a list keeps)."""
    key_text = text[entry.key_node.start_mark.index : entry.key_node.end_mark.index] if entry else yamlsafe.scalar(key)
    node = entry.value_node if entry else None
    if isinstance(value, list):
        if value and isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            return _block_list(text, entry, value, quote, newline, old)  # type: ignore[arg-type]
        tail = _tail_comment(text, node) if node is not None else ""
        return f"{key_text}: {_flow_list(text, entry, value, quote, old)}{tail}{newline}"
    if isinstance(value, dict):
        lines = [f"{key_text}:{newline}"]
        lines += [f"  {yamlsafe.scalar(k)}: {_nested(v, quote)}{newline}" for k, v in value.items()]
        return "".join(lines) if value else f"{key_text}: {{}}{newline}"
    tail = _tail_comment(text, node) if isinstance(node, yaml.ScalarNode) else ""
    return f"{key_text}: {_scalar(value, quote)}{tail}{newline}"


def _nested(value: Any, quote: bool) -> str:
    """A value inside a mapping value: a list of scalars as a flow list, else a scalar."""
    return yamlsafe.flow_list(value, quote) if isinstance(value, list) else _scalar(value, quote)


class Plain(str):
    """Text written without quotes where the loader reads it back as the same text.

    A date of a field typed as one (`birthday: 1975-03-14`, a custom `date` field): the loader
    keeps it a string, and a YAML 1.1 tool reads the date it is.
    """


_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _scalar(value: Any, quote: bool) -> str:
    if isinstance(value, Plain) and _PLAIN_DATE.fullmatch(value):
        return str(value)
    return yamlsafe.scalar(value, quote)


def _apply(text: str, key: str, value: Any, quote: bool, newline: str, old: Any) -> tuple[str, str | None]:
    """``text`` with ``key``'s lines replaced (or added, or removed), and the lines written when they read
    the same whatever comes before and after them; else None (a removal; a mapping whose keys do not all
    start a line, such as a flow mapping or a complex key; a text with an anchor or alias).

    The mapping's other lines are as they were, each key's lines from its key (at the start of a line)
    to the next key: the parser is at the start of a key of the top-level mapping when each begins, so
    they read as they did, and the new lines read as they do alone.
    """
    entries = _entries(text)
    entry = next((e for e in entries if e.key == key), None)
    if value is REMOVE:
        return (text, None) if entry is None else (text[: entry.start] + text[entry.end :], None)
    # with no alias in the text, no value stands for another key's
    alone = "&" not in text and "*" not in text and all(each.alone for each in entries)
    rendered = _render(text, entry, key, value, quote, newline, old)
    if entry is None:
        if text and not text.endswith("\n"):
            text += newline
        return text + rendered, rendered if alone else None
    return text[: entry.start] + rendered + text[entry.end :], rendered if alone else None


def edit_mapping(
    text: str, changes: dict[str, Any], newline: str = "\n", quoted: frozenset[str] = frozenset(),
    before: dict[str, Any] | None = None,
) -> str:
    """Apply ``changes`` (key -> new value, or REMOVE) to the YAML mapping in ``text``.

    Keys in ``quoted`` have their string values always double-quoted (phones).
    Raises EditError if the result would not read back as exactly the old
    mapping with ``changes`` applied. ``before``: what ``text`` reads as, when the caller has read
    it already (a contact's front matter): a bulk edit of 10,000 files reads each one once less.
    """
    decimals = any(isinstance(value, Decimal) for value in (*changes.values(), *(before or {}).values()))  # money
    if before is None:
        before = yamlsafe.load(text, decimals=decimals) if text.strip() else {}
    if text.strip() and not text.endswith("\n"):
        text += newline  # the last key's lines end like the others, so they can be replaced
    written: list[str | None] = []  # the lines each change wrote, where they read the same alone (see _apply)
    if text.strip():
        result = text
        # Each key's value as read, whose items a list keeps: not read again from the key's lines, which
        # took 0.3 s of CPU in a bulk tag of 10,000 files.
        read = before if isinstance(before, dict) else {}
        for key, value in changes.items():
            result, lines = _apply(result, key, value, key in quoted, newline, read.get(key))
            written.append(lines)
    else:  # a new mapping: nothing to find or keep, so no key's text needs composing (fast for imports)
        result = "".join(
            _render("", None, key, value, key in quoted, newline)
            for key, value in changes.items() if value is not REMOVE
        )
    expected = dict(before or {})
    for key, value in changes.items():
        if value is REMOVE:
            expected.pop(key, None)
        else:
            expected[key] = value
    if len(written) == 1 and written[0] is not None:
        # One key set, the mapping's other lines as they were and read as ``before`` says: only the new
        # lines are read back (reading each whole mapping again was a third of a bulk tag's CPU).
        _read_back(written[0], {key: expected[key] for key in changes}, decimals)
    else:
        _read_back(result, expected, decimals)
    return result


def _read_back(text: str, expected: dict[str, Any], decimals: bool) -> None:
    """EditError unless ``text`` reads as exactly ``expected``."""
    try:
        after = (yamlsafe.load(text, decimals=decimals) if text.strip() else {}) or {}
    except yaml.YAMLError as exc:
        raise EditError(f"the edit would break the YAML ({yamlsafe.error_text(exc)})") from exc
    if not isinstance(after, dict) or after != expected:
        got = after if isinstance(after, dict) else {}
        changed = sorted(k for k in set(expected) | set(got) if expected.get(k) != got.get(k))
        raise EditError(f"the edit would change more than asked ({', '.join(map(str, changed)) or 'the YAML'})")


def key_spans(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of the lines of each top-level key of the YAML mapping in ``text``.

    A key's lines run from its first line to the end of its value; blank lines and
    column-0 comments after a value belong to what follows it.
    """
    return [(entry.key, entry.start, entry.end) for entry in _entries(text)]
