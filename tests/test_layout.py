"""The packages show the architecture: each imports only those before it, and no module imports itself back."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vault_tool"
LEAVES = {"errors", "output", "fileio", "forked"}  # used by every area
RANK = {"format": 1, "store": 2, "search": 3, "followups": 4, "deals": 4.5, "interop": 5, "reports": 5, "mail": 5,
        "team": 6, "cli": 7}


def modules() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (at the top, in functions, for types)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = {
            node.module for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vault_tool")
        }
    return found


def area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANK) else "(top)"


def edges() -> Iterator[tuple[str, str]]:
    for module, imported in modules().items():
        for target in imported:
            yield module, target


@pytest.mark.parametrize("module,target", sorted(edges()))
def test_an_area_imports_only_the_areas_before_it(module: str, target: str) -> None:
    source, destination = area(module), area(target)
    if destination == "(top)" or source in ("(top)", destination):
        return  # the leaf modules and the package's own top; an area within itself
    assert RANK[destination] < RANK[source], f"{module} imports {target}: {source} may not import {destination}"


def test_no_module_imports_itself_back() -> None:
    graph = modules()
    cycles = [module for module in graph if _reaches(graph, module)]
    assert cycles == []


def _reaches(graph: dict[str, set[str]], start: str) -> bool:
    seen: set[str] = set()
    todo = [t for t in graph.get(start, ()) if t in graph]
    while todo:
        module = todo.pop()
        if module == start:
            return True
        if module not in seen:
            seen.add(module)
            todo += [t for t in graph.get(module, ()) if t in graph]
    return False


def test_every_package_says_what_it_holds_and_what_it_may_import() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        text = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert text, f"{init} has no docstring"
        if init.parent.name in RANK and init.parent.name != "cli":
            assert "May import" in text or "may import" in text, init
