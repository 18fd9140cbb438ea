"""The import graph of the `marketplace` package, and the layers it must respect.

Every import counts, including those inside functions (a deferred import is still a
dependency); only `if TYPE_CHECKING:` blocks are left out. A package's `__init__` importing its
own modules (a blueprint registering its routes) is inside the package and not counted.

    python scripts/import_graph.py            # package → packages it imports
    python scripts/import_graph.py --mermaid  # the same as a Mermaid diagram (docs/architecture.md)
    python scripts/import_graph.py --check    # upward imports and circles; exit 1 if any

tests/core/test_architecture.py runs the check in CI.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "marketplace"

#: The layers, from the ground up. A module may import from its own package and from any
#: package of a lower layer; never from above, nor from its own layer's other packages (the
#: workspaces stay apart), except in the open layers. Circles are refused everywhere.
GROUND = "ground"
#: Layers whose packages may import one another (the ground's small modules; the application).
OPEN_LAYERS = {GROUND, "application"}
LAYERS: list[tuple[str, set[str]]] = [
    (
        GROUND,
        {
            "audit",
            "backups",
            "clock",
            "database",
            "errors",
            "exports",
            "extensions",
            "fields",
            "http",
            "i18n",
            "jobs",
            "labels",
            "mail",
            "observability",
            "paging",
            "pdf",
            "policy",
            "production",
            "settings",
            "slugs",
            "storage",
            "transitions",
            "uploads",
            "urls",
            "validators",
        },
    ),
    ("regions", {"regions"}),
    ("accounts", {"accounts"}),
    ("notifications", {"notifications"}),
    ("cooperatives", {"cooperatives"}),
    ("shipping", {"shipping"}),
    ("catalogue", {"catalogue"}),
    ("certificates", {"certificates"}),
    ("inventory", {"inventory"}),
    ("cart", {"cart"}),
    ("orders", {"orders"}),
    ("reviews", {"reviews"}),
    ("messages", {"messages"}),
    ("payments", {"payments"}),
    ("complaints", {"complaints"}),
    ("procurement", {"procurement"}),
    ("workspaces", {"vendors", "admin", "site"}),
    # The application: the factory, the command line, the demo and the model registry.
    ("application", {"__init__", "cli", "ops_cli", "demo", "demo_data", "models"}),
]


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        yield from (
            name for child in node.orelse for name in _imported_names(child, module, is_package)
        )
        return
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
            base = ".".join([*anchor, base] if base else anchor)
        # Each name: a module (`from marketplace import clock`) or a name in one
        # (`from marketplace import create_app`); module_graph keeps the longest known module.
        yield from (f"{base}.{alias.name}" for alias in node.names)
    for child in ast.iter_child_nodes(node):
        yield from _imported_names(child, module, is_package)


def module_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imported_names(tree, module, is_package):
            target = name
            while target and target not in known:
                target = target.rpartition(".")[0]
            if not target or target == module:
                continue
            if is_package and target.startswith(module + "."):
                continue  # a package registering its own modules
            graph[module].add(target)
        graph.setdefault(module, set())
    return dict(graph)


def package_of(module: str) -> str:
    """`marketplace.orders.checkout` → `orders`; `marketplace.clock` → `clock`;
    `marketplace` → `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(package: str) -> int:
    for rank, (_, packages) in enumerate(LAYERS):
        if package in packages:
            return rank
    raise KeyError(f"marketplace/{package} is in no layer: add it to LAYERS in {__file__}")


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in module_graph().items():
        source = package_of(module)
        graph.setdefault(source, set())
        for target in targets:
            if package_of(target) != source:
                graph[source].add(package_of(target))
    return dict(graph)


def upward_imports() -> list[str]:
    """Each import of a module from its own layer's other packages or from a higher layer."""
    found = []
    for module, targets in sorted(module_graph().items()):
        source = package_of(module)
        for target in sorted(targets):
            destination = package_of(target)
            if destination == source:
                continue
            low, high = layer_of(destination), layer_of(source)
            if low < high or (low == high and LAYERS[low][0] in OPEN_LAYERS):
                continue
            found.append(
                f"{module} imports {target} ({LAYERS[low][0]} is not below {LAYERS[high][0]})"
            )
    return found


def circles() -> list[list[str]]:
    """Every set of modules that import one another round a circle (Tarjan's components)."""
    graph = module_graph()
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def mermaid() -> str:
    """The domain packages as a Mermaid flowchart, one box per layer, an arrow for each import
    between packages. Every package stands on the ground and the application assembles them
    all, so those arrows are left out: the picture shows what the layers say."""
    graph = package_graph()
    ground = LAYERS[0][1]
    application = LAYERS[-1][1]
    lines = ["flowchart BT"]
    for rank, (name, packages) in enumerate(LAYERS[1:-1], start=1):
        members = sorted(packages & set(graph))
        if len(members) == 1 and members[0] == name:
            lines.append(f"  {name}")
            continue
        lines.append(f'  subgraph L{rank}["{name}"]')
        lines.extend(f"    {package}" for package in members)
        lines.append("  end")
    for source in sorted(graph):
        if source in ground or source in application:
            continue
        lines.extend(
            f"  {source} --> {target}"
            for target in sorted(graph[source])
            if target not in ground and target not in application
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mermaid", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.mermaid:
        print(mermaid())
        return 0
    if args.check:
        problems = upward_imports() + [" → ".join(c) + " (a circle)" for c in circles()]
        print("\n".join(problems) or "imports run one way, no circles")
        return 1 if problems else 0
    for package, targets in sorted(package_graph().items()):
        print(f"{package}: {', '.join(sorted(targets))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
