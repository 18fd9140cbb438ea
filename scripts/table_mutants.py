"""Mutants of the state tables, which mutmut leaves alone: delete a row, drop a member.

mutmut 3 mutates code inside functions only, so a state machine's table (a module-level tuple,
frozenset or dict) is never changed by it. This script makes those mutants itself: for every
module-level collection in the modules below it deletes one element at a time (a transition row,
a status from a set, an entry of a mapping) and, inside each element, drops one member of every
set literal (an actor who may make a move). Each mutant runs the module's tests; it is killed when
they fail.

It reads the tables' source, not their names or shapes, so it keeps working when a table changes
shape. Run by `make mutation`; never in CI. Results go to mutants/table-mutants.json for
scripts/mutation_report.py.

    python scripts/table_mutants.py [--jobs 2] [--list] [module ...]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutants" / "table-mutants.json"

#: The modules whose tables are mutated, each with the tests that concern it.
TARGETS: dict[str, list[str]] = {
    "marketplace/orders/lifecycle.py": [
        "tests/orders/test_lifecycle.py",
        "tests/orders/test_reservations.py",
        "tests/orders/test_cooperative_orders.py",
        "tests/vendors/test_dashboard.py",
    ],
    "marketplace/payments/states.py": [
        "tests/payments/test_states.py",
        "tests/payments/test_refunds.py",
    ],
    "marketplace/cooperatives/services.py": [
        "tests/core/test_transitions.py",
        "tests/vendors/test_cooperative_services.py",
    ],
    "marketplace/catalogue/management.py": [
        "tests/core/test_transitions.py",
        "tests/vendors/test_listing_services.py",
        "tests/admin/test_moderation.py",
    ],
    "marketplace/payments/refunds.py": [
        "tests/core/test_transitions.py",
        "tests/payments/test_refunds.py",
        "tests/payments/test_gateway_refunds.py",
    ],
}

COLLECTIONS = (ast.Tuple, ast.List, ast.Set, ast.Dict)
WRAPPERS = {"frozenset", "set", "tuple", "list", "dict", "MappingProxyType"}


@dataclass
class Mutant:
    module: str
    table: str
    line: int
    description: str
    start: int
    end: int
    replacement: str
    status: str = "not checked"


def _collections(value: ast.expr | None) -> list[ast.expr]:
    """The literal collections an assignment's value is or builds its table from: the value
    itself, unwrapped from frozenset(...) and the like, or the collection arguments of a call
    (`TransitionTable(Status, (row(...), ...), Error)`)."""
    if isinstance(value, COLLECTIONS):
        return [value]
    if not isinstance(value, ast.Call):
        return []
    if isinstance(value.func, ast.Name) and value.func.id in WRAPPERS and len(value.args) == 1:
        return _collections(value.args[0])
    arguments = [*value.args, *(keyword.value for keyword in value.keywords)]
    return [found for argument in arguments for found in _collections(argument)]


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0]
        for line in text.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line.encode("utf-8")))
        self._bytes = text.encode("utf-8")

    def offset(self, line: int, column: int) -> int:
        """A character offset from ast's (line, UTF-8 byte column)."""
        byte_offset = self._line_starts[line - 1] + column
        return len(self._bytes[:byte_offset].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def snippet(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return " ".join(self.text[start:end].split())


def _deletion(source: _Source, start: int, end: int) -> tuple[int, int]:
    """Widen an element's span to take its separating comma (the one after it, else before it)."""
    text = source.text
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        after += 1
        while after < len(text) and text[after] in " \t\n":
            after += 1
        return start, after
    before = start
    while before > 0 and text[before - 1] in " \t\n":
        before -= 1
    if before > 0 and text[before - 1] == ",":
        return before - 1, end
    return start, end


def _element_spans(
    source: _Source, collection: ast.expr
) -> Iterator[tuple[ast.AST, int, int, ast.AST]]:
    if isinstance(collection, ast.Dict):
        for key, value in zip(collection.keys, collection.values, strict=True):
            if key is None:
                continue
            start, _ = source.span(key)
            _, end = source.span(value)
            yield key, start, end, value
    else:
        for element in collection.elts:  # type: ignore[attr-defined]
            start, end = source.span(element)
            yield element, start, end, element


def _removal(source: _Source, collection: ast.expr, start: int, end: int) -> tuple[int, int, str]:
    """The span to replace and its replacement when one element leaves the collection."""
    count = len(collection.keys if isinstance(collection, ast.Dict) else collection.elts)  # type: ignore[attr-defined]
    if count == 1:
        empties = {ast.Set: "set()", ast.Dict: "{}", ast.List: "[]", ast.Tuple: "()"}
        empty = empties[type(collection)]
        outer_start, outer_end = source.span(collection)
        return outer_start, outer_end, empty
    cut_start, cut_end = _deletion(source, start, end)
    return cut_start, cut_end, ""


def mutants_of(module: str) -> list[Mutant]:
    """Every 'delete a row' and 'drop a member' mutant of the module's module-level tables."""
    text = (ROOT / module).read_text(encoding="utf-8")
    source = _Source(text)
    tree = ast.parse(text)
    found: list[Mutant] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        table = target.id
        rows = [
            (collection, *span)
            for collection in _collections(value)
            for span in _element_spans(source, collection)
        ]
        for collection, element, start, end, value_node in rows:
            cut_start, cut_end, replacement = _removal(source, collection, start, end)
            found.append(
                Mutant(
                    module,
                    table,
                    element.lineno,  # type: ignore[attr-defined]
                    f"{table}: delete {source.snippet(element)}",
                    cut_start,
                    cut_end,
                    replacement,
                )
            )
            # Members of the sets inside a row: who may make the move, for instance.
            for inner in ast.walk(value_node):
                if inner is collection or not isinstance(inner, ast.Set):
                    continue
                for member, m_start, m_end, _ in _element_spans(source, inner):
                    cut_start, cut_end, replacement = _removal(source, inner, m_start, m_end)
                    found.append(
                        Mutant(
                            module,
                            table,
                            member.lineno,  # type: ignore[attr-defined]
                            f"{table}: drop {source.snippet(member)} "
                            f"from {source.snippet(element)}",
                            cut_start,
                            cut_end,
                            replacement,
                        )
                    )
    for mutant in found:
        mutated = text[: mutant.start] + mutant.replacement + text[mutant.end :]
        compile(mutated, module, "exec")  # a mutant that does not parse is a bug of this script
    return found


def _copy_project(into: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv",
        ".venv-lock",
        "mutants",
        "__pycache__",
        ".pytest_cache",
        ".hypothesis",
        "instance",
        "test-artifacts",
        ".mypy_cache",
        ".ruff_cache",
        "node_modules",
        ".lighthouse",
    )
    shutil.copytree(ROOT, into, ignore=ignore, dirs_exist_ok=True)


def _run(mutant: Mutant, workspace: Path, timeout: int) -> str:
    path = workspace / mutant.module
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original[: mutant.start] + mutant.replacement + original[mutant.end :], encoding="utf-8"
    )
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-n",
                "0",
                "-p",
                "no:cacheprovider",
                *TARGETS[mutant.module],
            ],
            cwd=workspace,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        path.write_text(original, encoding="utf-8")
    return {0: "survived", 1: "killed", 3: "killed", 5: "no tests"}.get(
        completed.returncode, "suspicious"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", default=list(TARGETS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in TARGETS]
    if unknown:
        parser.error(f"not a table module: {', '.join(unknown)} (known: {', '.join(TARGETS)})")

    mutants = [mutant for module in args.modules for mutant in mutants_of(module)]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.module}:{mutant.line}  {mutant.description}")
        print(f"{len(mutants)} table mutants")
        return 0

    clean = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            *sorted({test for module in args.modules for test in TARGETS[module]}),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if clean.returncode != 0:
        print("the tests fail without any mutant: fix them first", file=sys.stderr)
        return 2

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="table-mutants-") as scratch:
        workspaces = [Path(scratch) / f"w{index}" for index in range(max(1, args.jobs))]
        for workspace in workspaces:
            _copy_project(workspace)
        queue = list(enumerate(mutants))

        def work(index: int) -> None:
            workspace = workspaces[index]
            while queue:
                try:
                    number, mutant = queue.pop(0)
                except IndexError:
                    return
                mutant.status = _run(mutant, workspace, args.timeout)
                print(f"[{number + 1}/{len(mutants)}] {mutant.status:9} {mutant.description}")

        with ThreadPoolExecutor(max_workers=len(workspaces)) as pool:
            list(pool.map(work, range(len(workspaces))))

    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    kept = [m for m in previous if m["module"] not in args.modules]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(kept + [asdict(m) for m in mutants], indent=1))
    survivors = [m for m in mutants if m.status != "killed" and m.status != "timeout"]
    print(
        f"{len(mutants)} table mutants, {len(mutants) - len(survivors)} killed, "
        f"{len(survivors)} not killed, in {time.monotonic() - started:.0f} s"
    )
    for mutant in survivors:
        print(f"  {mutant.status}: {mutant.module}:{mutant.line}  {mutant.description}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
