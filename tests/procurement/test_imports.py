"""Procurement's modules import one way: no module imports, even inside a function, one that
imports it back (the circle documents ↔ negotiation ↔ purchasing is gone for good)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = "marketplace.procurement"
ROOT = Path(__file__).resolve().parents[2] / "marketplace" / "procurement"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imported(tree: ast.AST, modules: set[str]) -> set[str]:
    """The package's modules this source imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from marketplace.procurement import deadlines` imports the module deadlines; a
            # name that is no module (`bp`) comes from the package itself.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in modules
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    graph = {}
    for path in paths:
        name = module_name(path)
        graph[name] = imported(ast.parse(path.read_text(encoding="utf-8")), modules) - {name}
    # The package creates the blueprint, then imports its views so that they register on it
    # (Flask's pattern, as every blueprint here): the views import `bp` from the package.
    graph[PACKAGE] = {m for m in graph[PACKAGE] if not m.endswith("routes")}
    return graph


def test_the_graph_sees_the_imports() -> None:
    graph = import_graph()
    assert f"{PACKAGE}.common" in graph[f"{PACKAGE}.documents"]
    assert f"{PACKAGE}.deadlines" in graph[f"{PACKAGE}.negotiation"]  # from ... import name
    assert f"{PACKAGE}.freezing" in graph[f"{PACKAGE}.purchasing"]  # from package import module
    assert f"{PACKAGE}.settings" in graph[PACKAGE]  # inside a function


def test_procurement_imports_in_no_circle() -> None:
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as error:
        pytest.fail(f"procurement modules import in a circle: {' -> '.join(error.args[1])}")


def test_the_documents_import_down_only() -> None:
    graph = import_graph()
    for higher in ("negotiation", "purchasing", "fulfilment", "requests", "worklist"):
        assert f"{PACKAGE}.{higher}" not in graph[f"{PACKAGE}.documents"]


def test_freezing_imports_down_only() -> None:
    """Every issuing service freezes its document: freezing must not import any of them."""
    graph = import_graph()
    for higher in ("negotiation", "purchasing", "fulfilment", "payment"):
        assert f"{PACKAGE}.{higher}" not in graph[f"{PACKAGE}.freezing"]
