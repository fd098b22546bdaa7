"""The packages show the architecture: each imports only those before it, and no module imports itself back."""
from __future__ import annotations

import ast
import re
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


def _design_tree() -> dict[str, str]:
    """DESIGN §6's tree of the package: the text of each folder's lines (its own line, its modules' lines), by path."""
    design = (PACKAGE.parent / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    section = design[design.index("## 6. Layout of the code"):]
    block = section[section.index("```\n") + 4:]
    block = block[:block.index("```")]
    texts: dict[str, str] = {}
    folders: list[tuple[int, str]] = []  # (indent, name) of the folders the current line is in
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        header = re.match(r"(\w[\w-]*)/(\s|$)", line.lstrip())
        folders = [(depth, name) for depth, name in folders if depth < indent]  # a line no deeper leaves a folder
        if header:
            folders.append((indent, header.group(1)))
        where = "/".join(name for _, name in folders)
        texts[where] = texts.get(where, "") + line + "\n"
    return texts


def test_the_design_names_every_module_in_its_folder() -> None:
    """docs/DESIGN.md §6 says what each module does: a module added or moved is named there, in its folder (a
    folder's line stands for its `__init__.py`)."""
    tree = _design_tree()
    modules = [path for path in sorted(PACKAGE.rglob("*.py")) if path.stem != "__init__" or path.parent == PACKAGE]
    missing = [str(path.relative_to(PACKAGE.parent)) for path in modules
               if not re.search(rf"\b{path.stem}\b", tree.get(str(path.parent.relative_to(PACKAGE.parent)), ""))]
    assert missing == []
