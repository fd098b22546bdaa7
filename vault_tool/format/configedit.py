"""Minimal-diff edits of one entry of a nested mapping in vault.yaml (`segments:` → `hot-leads: "…"`).

yamledit changes top-level keys; this changes one entry below one: it replaces
that entry's lines, appends a line after the mapping's last entry, or removes
the entry's lines. Every other byte stays. A mapping written in flow style
(`segments: {}`) is rewritten as a block. The result is read back and compared
with what was meant, as yamledit does.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from vault_tool.format import yamledit, yamlsafe

REMOVE = yamledit.REMOVE
_COMMENT = re.compile(r"^[ \t]+#.*$")


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just after the line break that ends the line holding ``index`` (a block value may end at a line start)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _entry_line(name: str, value: str, indent: str, newline: str) -> str:
    return f"{indent}{yamlsafe.scalar(name)}: {yamlsafe.double_quoted(value)}{newline}"


def _edit_block(text: str, node: yaml.MappingNode, name: str, value: Any, newline: str) -> str:
    """Change the entry ``name`` in a block mapping, in place."""
    pairs = node.value
    indent = " " * pairs[0][0].start_mark.column
    found = next(((k, v) for k, v in pairs if k.value == name), None)
    if found is None:
        if value is REMOVE:
            return text
        end = _line_end(text, pairs[-1][1].end_mark.index)
        head = text[:end] if text[:end].endswith("\n") else text[:end] + newline
        return head + _entry_line(name, value, indent, newline) + text[end:]
    key_node, value_node = found
    start, end = _line_start(text, key_node.start_mark.index), _line_end(text, value_node.end_mark.index)
    if value is REMOVE:
        return text[:start] + text[end:]
    rest = text[value_node.end_mark.index : end].rstrip("\r\n")
    tail = rest if _COMMENT.match(rest) and "\n" not in text[key_node.start_mark.index : end].rstrip("\r\n") else ""
    line = _entry_line(name, value, indent, newline)
    return text[:start] + line[: -len(newline)] + tail + newline + text[end:]


def set_entry(text: str, key: str, name: str, value: Any) -> str:
    """``text`` with ``key``'s mapping holding ``name: value`` (or without ``name``, for REMOVE)."""
    newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
    before = yamlsafe.load(text) if text.strip() else {}
    before = before if isinstance(before, dict) else {}
    current = before.get(key) or {}
    if not isinstance(current, dict):
        raise yamledit.EditError(f"'{key}' is not a mapping")
    wanted = {k: v for k, v in current.items() if k != name} if value is REMOVE else {**current, name: value}
    root = yamlsafe.compose(text) if text.strip() else None
    node = next((v for k, v in (root.value if root is not None else []) if k.value == key), None)
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value and wanted:
        result = _edit_block(text, node, name, value, newline)
    else:  # missing, null, flow style, or emptied: the key's lines are written anew
        result = yamledit.edit_mapping(text, {key: wanted}, newline, frozenset({key}))
    after = yamlsafe.load(result)
    if after != {**before, key: wanted}:
        raise yamledit.EditError(f"the edit would change more than '{key}: {name}'")
    return result
