"""The shape of the house (docs/architecture.md): imports run one way, no circles, short modules.

scripts/import_graph.py reads every import of the package (deferred ones too) and knows the
layers; these tests hold the code to them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]

#: Modules that are data, not code, and may be long.
DATA_MODULES = {"marketplace/demo_data.py"}
LONGEST = 600


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


import_graph = _load("import_graph")


def test_every_package_has_a_place_in_the_layers() -> None:
    for package in import_graph.package_graph():
        import_graph.layer_of(package)  # raises for a package in no layer


def test_no_module_imports_upward_or_across_the_workspaces() -> None:
    assert import_graph.upward_imports() == []


def test_no_modules_import_one_another_round_a_circle() -> None:
    assert import_graph.circles() == []


def test_the_check_sees_a_deferred_upward_import(tmp_path: Path, monkeypatch) -> None:
    """A function-level import counts: a domain reaching up to a workspace is caught."""
    package = tmp_path / "marketplace"
    (package / "orders").mkdir(parents=True)
    (package / "vendors").mkdir()
    (package / "__init__.py").write_text("")
    (package / "orders" / "__init__.py").write_text("")
    (package / "vendors" / "__init__.py").write_text("")
    (package / "vendors" / "screens.py").write_text("from marketplace.orders import services\n")
    (package / "orders" / "services.py").write_text(
        "def f():\n    from marketplace.vendors.screens import g\n"
    )
    monkeypatch.setattr(import_graph, "ROOT", tmp_path)
    monkeypatch.setattr(import_graph, "PACKAGE", package)
    assert import_graph.upward_imports() == [
        "marketplace.orders.services imports marketplace.vendors.screens "
        "(workspaces is not below orders)"
    ]
    assert import_graph.circles() == [
        ["marketplace.orders.services", "marketplace.vendors.screens"]
    ]


def test_no_module_of_the_package_is_past_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): length
        for path in sorted((ROOT / "marketplace").rglob("*.py"))
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert {path: n for path, n in long.items() if path not in DATA_MODULES} == {}


def test_the_architecture_page_draws_the_imports_as_they_are() -> None:
    """docs/architecture.md's diagram is the script's drawing of today's code, and the page
    names every package of the layers."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = page.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert drawn == import_graph.mermaid(), "redraw: python scripts/import_graph.py --mermaid"
    for _, packages in import_graph.LAYERS:
        for package in packages:
            assert f"`{package}`" in page, f"docs/architecture.md does not name {package}"
