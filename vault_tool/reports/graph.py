"""Who knows whom: a contact's relations both ways and an organisation's people (for `show`), and the graph
of people, organisations and relations (`contacts graph`) as Graphviz DOT, Mermaid or JSON.

Everything is read from the index: each contact's view holds the relations its file writes
(search/documents.py), and `related:` finds the contacts on the other side of them (search/related.py).
No contact file is parsed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, ParseError
from vault_tool.format.handles import fold, slugify
from vault_tool.format.relations import Relation, inverses, label

if TYPE_CHECKING:
    from vault_tool.format.contact import Contact
    from vault_tool.store.vault import Vault

FORMATS = ("dot", "mermaid", "json")
WORKS_AT = "works_at"  # the type of the edge from a person to the organisation their `company` names


@dataclass(frozen=True)
class Node:
    handle: str
    name: str
    kind: str = "person"
    title: str = ""
    company: str = ""


@dataclass(frozen=True)
class Related:
    """One relation as seen from a contact: `reports to` Charles Babbage (``node`` None: no such contact)."""

    type: str
    handle: str
    node: Node | None

    @property
    def name(self) -> str:
        return self.node.name if self.node is not None else self.handle


@dataclass
class Around:
    """What `show` lists besides the file: relations both ways, and an organisation's people."""

    relations: list[Related] = field(default_factory=list)
    people: list[Node] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _node(view: dict[str, Any]) -> Node:
    meta = view["meta"]
    return Node(view["handle"], str(meta.get("name", view["handle"])), str(meta.get("kind") or "person"),
                str(meta.get("title") or ""), str(meta.get("company") or ""))


def _quoted(text: str) -> str:
    """``text`` as one quoted query value (a quote in it cannot end the phrase)."""
    return '"' + text.replace('"', " ") + '"'


def works_at(company: str, organisation: Node) -> bool:
    """Whether a `company` value names ``organisation``: by its name (case and accents aside) or its handle."""
    company = company.strip()
    return bool(company) and (fold(company) == fold(organisation.name) or slugify(company) == organisation.handle)


def _views(vault: Vault, query: str | None) -> tuple[list[dict[str, Any]], list[ParseError], list[str]]:
    from vault_tool.search.selection import read_views

    return read_views(vault, vault.today(), lambda view, _: view, None, query)


def around(vault: Vault, contact: Contact) -> Around:
    """``contact``'s relations, the written ones and those other contacts write (seen from it: `manages`), and,
    for an organisation, the people whose `company` names it, by name."""
    wanted = [f"related:{_quoted(contact.handle)}"]
    if contact.kind == "organization":
        phrases = [" ".join(re.findall(r"\w+", text)) for text in (contact.name, contact.handle.replace("-", " "))]
        wanted += [f"company:{_quoted(words)}" for words in dict.fromkeys(phrases) if words]
    views, _, notices = _views(vault, " OR ".join(wanted))
    nodes = {view["handle"]: _node(view) for view in views}
    both = inverses(vault.config.relations)
    found = [Related(r.type, r.target, nodes.get(r.target)) for r in _written(contact)]
    own = contact.handle.lower()
    for view in sorted(views, key=lambda v: (fold(_node(v).name), v["handle"])):
        for kind, target in view.get("relations", ()):
            if target.lower() == own and view["handle"] != contact.handle:
                found.append(Related(both.get(kind, kind), view["handle"], nodes[view["handle"]]))
    me = Node(contact.handle, contact.name, contact.kind)
    people = sorted((n for n in nodes.values() if n.kind != "organization" and works_at(n.company, me)),
                    key=lambda n: (fold(n.name), n.handle)) if contact.kind == "organization" else []
    return Around(list(dict.fromkeys(found)), people, notices)


def _written(contact: Contact) -> list[Relation]:
    from vault_tool.format.relations import written

    return written(contact.handle, contact.meta)


@dataclass
class Graph:
    """People and organisations (by handle; an organisation with no file of its own by its name's handle),
    and the edges between them: relations in the direction vault.yaml names first, and `works_at`."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, type, to)
    symmetric: set[str] = field(default_factory=set)  # types that are their own inverse
    problems: list[ParseError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def graph(vault: Vault, query: str | None = None) -> Graph:
    """The contacts ``query`` matches (every one when None or blank), their organisations, and the relations
    between them (written on either side, each once)."""
    views, problems, notices = _views(vault, query if query and query.strip() else None)
    types = vault.config.relations
    result = Graph(problems=problems, notices=notices, symmetric={t for t, i in inverses(types).items() if t == i})
    nodes = {view["handle"]: _node(view) for view in sorted(views, key=lambda v: v["handle"])}
    result.nodes = dict(nodes)
    by_key = {n.handle.lower(): n.handle for n in nodes.values()}
    edges: dict[tuple[str, str, str], None] = {}
    for view in views:
        for kind, target in view.get("relations", ()):
            if target.lower() in by_key:
                relation = _canonical(Relation(view["handle"], kind, by_key[target.lower()]), types)
                if relation.type in result.symmetric:
                    relation = _ordered(relation)
                edges[(relation.source, relation.type, relation.target)] = None
    _add_organisations(result, nodes, edges)
    result.edges = sorted(edges)
    return result


def _ordered(relation: Relation) -> Relation:
    """A relation of a type that is its own inverse, its two ends in one order, so that it is drawn once."""
    first, second = sorted((relation.source, relation.target))
    return Relation(first, relation.type, second)


def _canonical(relation: Relation, types: dict[str, str]) -> Relation:
    """The relation in the direction vault.yaml names first (`reports_to`, not `manages`)."""
    if relation.type in types:
        return relation
    return relation.flipped(inverses(types)) if relation.type in inverses(types) else relation


def _add_organisations(result: Graph, nodes: dict[str, Node], edges: dict[tuple[str, str, str], None]) -> None:
    """An edge from each person to the organisation their `company` names (a node of its own if it has no file)."""
    organisations = [n for n in nodes.values() if n.kind == "organization"]
    for person in [n for n in nodes.values() if n.kind != "organization" and n.company.strip()]:
        organisation = next((o for o in organisations if works_at(person.company, o)), None)
        if organisation is None:
            key = slugify(person.company)
            while key in nodes:  # a contact's handle: the organisation with no file is another node
                key += "-org"
            organisation = result.nodes.setdefault(key, Node(key, person.company.strip(), "organization"))
        edges[(person.handle, WORKS_AT, organisation.handle)] = None


# Rendering -------------------------------------------------------------------------------------


def render(found: Graph, fmt: str) -> str:
    """The graph as `dot` (Graphviz), `mermaid` (a flowchart for a Markdown page) or `json`."""
    if fmt == "dot":
        return to_dot(found)
    if fmt == "mermaid":
        return to_mermaid(found)
    if fmt == "json":
        return to_json(found)
    raise InvalidValueError(f"graph formats are {', '.join(FORMATS)}, not '{fmt}'")


def _dot_string(*lines: str) -> str:
    """``lines`` as one DOT double-quoted string, `\\n` between them: backslashes and quotes escaped, control
    characters as spaces."""
    escaped = [re.sub(r"[\x00-\x1f\x7f]", " ", text).replace("\\", "\\\\").replace('"', '\\"') for text in lines]
    return '"' + "\\n".join(escaped) + '"'


def _caption(node: Node) -> str:
    return node.name + (f"\n{node.title}" if node.title and node.kind != "organization" else "")


def to_dot(found: Graph) -> str:
    lines = ["digraph contacts {", "  rankdir=LR;", "  node [shape=ellipse];"]
    for node in found.nodes.values():
        caption = _dot_string(*_caption(node).split("\n"))
        shape = ", shape=box" if node.kind == "organization" else ""
        lines.append(f"  {_dot_string(node.handle)} [label={caption}{shape}];")
    for source, kind, target in found.edges:
        style = ", style=dashed" if kind == WORKS_AT else ", dir=none" if kind in found.symmetric else ""
        lines.append(f"  {_dot_string(source)} -> {_dot_string(target)} [label={_dot_string(label(kind))}{style}];")
    return "\n".join([*lines, "}"]) + "\n"


_MERMAID = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;", "&": "#38;"}


def _mermaid_text(text: str) -> str:
    """``text`` inside a Mermaid quoted label: characters Mermaid reads as syntax or markup as entity codes."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return "".join(_MERMAID.get(char, char) for char in text)


def to_mermaid(found: Graph) -> str:
    ids = {handle: f"n{number}" for number, handle in enumerate(found.nodes)}
    lines = ["flowchart LR"]
    for handle, node in found.nodes.items():
        caption = "<br/>".join(_mermaid_text(part) for part in _caption(node).split("\n"))
        lines.append(f'  {ids[handle]}[["{caption}"]]' if node.kind == "organization" else f'  {ids[handle]}["{caption}"]')
    for source, kind, target in found.edges:
        arrow = "-.->" if kind == WORKS_AT else "---" if kind in found.symmetric else "-->"
        lines.append(f'  {ids[source]} {arrow}|"{_mermaid_text(label(kind))}"| {ids[target]}')
    return "\n".join(lines) + "\n"


def to_json(found: Graph) -> str:
    nodes = [{"id": n.handle, "name": n.name, "kind": n.kind, "title": n.title or None, "company": n.company or None}
             for n in found.nodes.values()]
    edges = [{"from": source, "to": target, "type": kind, "via": "company" if kind == WORKS_AT else "relations"}
             for source, kind, target in found.edges]
    return json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False, indent=2) + "\n"
