"""Safe YAML loading in which strings stay strings, and scalar rendering that keeps them so.

PyYAML's default resolvers follow YAML 1.1: ``NO`` becomes ``False``, ``01234``
becomes 668, ``12:30`` becomes 750 and ``2026-01-01`` a date. A contact file is
edited by people, so the loader resolves only what is unambiguous: ``null``/``~``,
``true``/``false``, decimal integers without a leading zero, and decimal
numbers with a dot. Everything else, dates included, is a string; the model
parses dates where a field is typed as one.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, TypeVar, cast

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Resolver = TypeVar("_Resolver", bound=type[yaml.resolver.BaseResolver])

_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    ("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
        "-+0123456789.",
    ),
]


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice (usually a bad merge)."""


class AnchorError(yaml.MarkedYAMLError):
    """The text defines an anchor (``&name``) or repeats one (``*name``).

    People's files have no use for them, and a few aliases of aliases (a "billion laughs")
    stand for more values than memory holds: they are refused before anything is built.
    """

    def __init__(self, written: str, mark: yaml.Mark | None) -> None:
        self.written = written  # `&name` or `*name`
        super().__init__(None, None, f"anchors and aliases are not allowed ('{written}')", mark)

    def refusal(self, where: str) -> str:
        """The one-line message for a file: ``where`` is what the file is ("a contact", "vault.yaml")."""
        return (f"anchors and aliases are not allowed in {where}: "
                f"write each value out in full, without '{self.written}'")


def _with_strict_resolvers(cls: _Resolver) -> _Resolver:
    cls.yaml_implicit_resolvers = {}
    for tag, pattern, first in _RESOLVERS:
        cls.add_implicit_resolver(tag, pattern, list(first))
    return cls


def _construct_mapping(
    loader: yaml.SafeLoader | yaml.CSafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark
            )
        if key in seen:
            raise DuplicateKeyError(
                "while reading a mapping", node.start_mark,
                f"the key '{key}' appears twice", key_node.start_mark,
            )
        seen[key] = key_node
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=True)


@_with_strict_resolvers
class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Fast loader (libyaml where present) with strings-stay-strings resolvers."""


@_with_strict_resolvers
class StrictPyLoader(yaml.SafeLoader):
    """Pure-Python twin of StrictLoader; its node marks index the text by character."""


for _cls in (StrictLoader, StrictPyLoader):
    _cls.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


class DecimalLoader(StrictLoader):
    """StrictLoader whose numbers with a dot are Decimals, exactly as written (a deal's `amount: 12000.10`)."""


DecimalLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(node.value))


def load(text: str, anchors: bool = True, decimals: bool = False) -> Any:
    """Load one YAML document with the strict resolvers.

    ``anchors=False`` is for the files people write (a contact, vault.yaml): an anchor or an alias
    in them is an AnchorError, found before anything is built. ``decimals``: numbers with a dot
    are Decimals (amounts of money), not floats.
    """
    if not anchors and ("&" in text or "*" in text):  # only then can there be one: the usual text loads at once
        refuse_anchors(text)
    return yaml.load(text, Loader=DecimalLoader if decimals else StrictLoader)  # noqa: S506 - SafeLoader subclasses


def refuse_anchors(text: str) -> None:
    """AnchorError at the first anchor or alias of ``text``, found from the parser's events (nothing is built)."""
    for event in yaml.parse(text, Loader=StrictLoader):
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            # libyaml's Mark (the fast loader's) has the fields of yaml.Mark that a MarkedYAMLError reads
            raise AnchorError(f"{sign}{event.anchor}", cast("yaml.Mark | None", event.start_mark))


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML document, with marks that index ``text`` by character."""
    return yaml.compose(text, Loader=StrictPyLoader)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it has one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def load_problem(exc: yaml.YAMLError, where: str) -> str:
    """Why a file did not load, in one line: ``where`` is what the file is ("a contact", "vault.yaml")."""
    return exc.refusal(where) if isinstance(exc, AnchorError) else f"invalid YAML: {error_text(exc)}"


def error_text(exc: yaml.YAMLError) -> str:
    """A short one-line description of a YAML error."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = ", ".join(p for p in parts if p) or str(exc).splitlines()[0]
    return " ".join(text.split())


# Plain scalars that some YAML reader (1.1 or 1.2) would not read back as a string.
_PLAIN_UNSAFE = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|="
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


# Characters a double-quoted scalar must escape beyond what JSON escapes: C1 controls and
# DEL (not printable in YAML), NEL/LS/PS (YAML line breaks, folded to spaces if raw), BOM,
# non-characters and lone surrogates.
_QUOTED_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")


# Plain text yaml.dump writes as it is: a letter first, then words of letters, digits and `.@&/()+'-,:#`
# (`#` not first in a word) between single spaces; no `: ` and no `:` at the end. A word some YAML
# reads as a bool or null goes the slow way.
_FAST_PLAIN = re.compile(r"^(?!.*: )(?!.*:$)[^\W\d_][\w.@&/()+'\-,:#]*(?: [\w.@&/()+'\-,:][\w.@&/()+'\-,:#]*)*$")
_RESERVED_WORD = re.compile(r"^(?:y|n|yes|no|on|off|true|false|null)$", re.I)
# Codes of letters and digits with two letters or more (uids): no number, date or word resolves from them.
_FAST_CODE = re.compile(r"^(?!0[xXoObB])(?=(?:[0-9]*[A-Za-z]){2})[0-9A-Za-z]+$")


def double_quoted(text: str) -> str:
    """``text`` as a double-quoted scalar on one line that every YAML reader reads back."""
    return _QUOTED_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def scalar(value: Any, force_quotes: bool = False) -> str:
    """Render one scalar so that both this loader and a YAML 1.1 reader get ``value`` back."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:f}"  # `12000.10` as written, never `1.2E+4`: it reads back as the same Decimal
    text = str(value)
    if force_quotes or _LINE_BREAKS.search(text):
        return double_quoted(text)
    if (_FAST_PLAIN.match(text) or _FAST_CODE.match(text)) and not _RESERVED_WORD.match(text):
        return text  # what yaml.dump writes for it, without the emitter's cost (a file of 10,000 new contacts)
    dumped = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_flow_style=True, allow_unicode=True, width=1 << 30
    )
    dumped = dumped.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    if "\n" in dumped or _PLAIN_UNSAFE.match(dumped):
        return double_quoted(text)
    return dumped


def flow_list(items: list[Any], force_quotes: bool = False) -> str:
    """A flow-style list: ``[a, "b, c"]``; items that hold a flow indicator are quoted."""
    rendered = []
    for item in items:
        text = scalar(item, force_quotes)
        # Plain text that is fine in block context may not be in a flow list: `,[]{}` and `?`
        # anywhere (PyYAML ends a flow plain scalar at `?`), `:` at the start.
        if not force_quotes and isinstance(item, str) and re.search(r"[,\[\]{}?]|^:", text):
            if not text.startswith(("'", '"')):
                text = double_quoted(item)
        rendered.append(text)
    return "[" + ", ".join(rendered) + "]"
