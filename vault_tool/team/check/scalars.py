"""Unquoted front-matter values that YAML reads as something other than the text that was meant.

This tool's loader keeps `NO`, `01234` and `12:30` as text, but a YAML 1.1 tool
(PyYAML's defaults, many editors' plugins) reads them as false, 668 and 750;
and `+442079460000` or `1999` read as numbers in both. Where a field means
text, such values should be quoted. Finding them needs the YAML node tree (was
the value quoted?), which costs a second parse, so the values are screened
first and only a file with a suspect value is composed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from vault_tool.format.contact import LIST_FIELDS

if TYPE_CHECKING:
    from vault_tool.format.config import VaultConfig

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
NUMBERS_AND_BOOLEANS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_TEXT_KNOWN = ("name", "kind", "company", "title", "stage", "owner", "address", "uid", "keep_in_touch", "links")
_TEXT_TYPES = ("text", "choice", "url", "email", "phone")


class TagResolver(Protocol):
    """A YAML 1.1 resolver (PyYAML's Resolver, whose stubs leave ``resolve`` unannotated): the tag of a value."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str: ...


@dataclass(frozen=True)
class Ambiguous:
    """One unquoted value: where it is and what it reads as."""

    key: str
    sub: str | int | None  # list index or mapping key inside the field, None for the field's own value
    line: int  # 1-based line in the file
    text: str  # the value as written
    message: str
    node: yaml.ScalarNode


def expectation(key: str, config: VaultConfig) -> str:
    """What a field holds: "text", "typed" (a date, number or boolean is meant) or "any" (no schema)."""
    if key in _TEXT_KNOWN or key in LIST_FIELDS:
        return "text"
    if key == "birthday":
        return "typed"
    spec = config.fields.get(key)
    if spec is None:
        return "any"
    return "text" if spec.type in _TEXT_TYPES else "typed"


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict):
        yield from value.values()
    else:
        yield value


def _suspect(value: Any, expected: str, numeric11: re.Pattern[str]) -> bool:
    if value is None or expected == "typed":
        return False
    if not isinstance(value, str):
        return expected == "text" and not isinstance(value, (list, dict))
    return numeric11.match(value) is not None


def has_suspects(meta: dict[str, Any], config: VaultConfig, numeric11: re.Pattern[str]) -> bool:
    """Cheap screening on loaded values: could any of them have been an ambiguous plain scalar?

    ``numeric11`` matches what YAML 1.1 reads as a number or a boolean.
    """
    return any(
        _suspect(v, expectation(str(key), config), numeric11) for key, value in meta.items() for v in _values(value)
    )


def _plain_scalars(root: yaml.Node) -> Iterator[tuple[str, str | int | None, yaml.ScalarNode]]:
    """(key, position inside it, node) of every unquoted scalar up to one level inside a field."""
    if not isinstance(root, yaml.MappingNode):
        return
    for key_node, value in root.value:
        key = str(key_node.value)
        children: list[tuple[str | int | None, yaml.Node]] = [(None, value)]
        if isinstance(value, yaml.SequenceNode):
            children = list(enumerate(value.value))
        elif isinstance(value, yaml.MappingNode):
            children = [(str(k.value), v) for k, v in value.value]
        for sub, node in children:
            if isinstance(node, yaml.ScalarNode) and not node.style and node.value != "":
                yield key, sub, node


def _reads_as(text: str) -> str:
    value = yaml.safe_load(text)
    return "true" if value is True else "false" if value is False else repr(value)


def _message(key: str, sub: str | int | None, node: yaml.ScalarNode, expected: str, tag11: str) -> str | None:
    where = key if sub is None else f"{key}[{sub}]" if isinstance(sub, int) else f"{key}.{sub}"
    kind = {"tag:yaml.org,2002:bool": "a boolean", "tag:yaml.org,2002:int": "a number"}.get(tag11, "a number")
    if node.tag != STR and node.tag != NULL and expected == "text":
        return f"{where}: {node.value} is read as {kind}, not text: quote it (\"{node.value}\")"
    if node.tag == STR and tag11 in NUMBERS_AND_BOOLEANS and expected in ("text", "any"):
        return (
            f"{where}: unquoted {node.value} is read as {kind} ({_reads_as(node.value)}) by YAML 1.1 tools: "
            f"quote it (\"{node.value}\")"
        )
    return None


def find(root: yaml.Node | None, first_line: int, config: VaultConfig, yaml11: TagResolver) -> list[Ambiguous]:
    """Every ambiguous unquoted value under ``root`` (a composed front matter starting at ``first_line``)."""
    found = []
    for key, sub, node in _plain_scalars(root) if root is not None else ():
        tag11 = yaml11.resolve(yaml.ScalarNode, node.value, (True, False))
        message = _message(key, sub, node, expectation(key, config), tag11)
        if message:
            found.append(Ambiguous(key, sub, first_line + node.start_mark.line, node.value, message, node))
    return found
