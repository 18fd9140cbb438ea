"""The state-table mutant maker (scripts/table_mutants.py) makes the mutants it promises.

It is a tool of `make mutation`, never run in CI; this checks, cheaply, that each mutant it would
run is valid Python and takes exactly one row or one member out of one table, so a score it
reports means what it says.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "table_mutants", ROOT / "scripts/table_mutants.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


table_mutants = _load()


def _tables(source: str) -> dict[str, list[ast.AST]]:
    """Each module-level table's elements: its rows, members or entries."""
    tables: dict[str, list[ast.AST]] = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        elements: list[ast.AST] = []
        for collection in table_mutants._collections(value):
            if isinstance(collection, ast.Dict):
                pairs = zip(collection.keys, collection.values, strict=True)
                elements += [ast.Tuple([k, v]) for k, v in pairs]
            else:
                elements += list(collection.elts)
        if not elements:
            continue
        tables[target.id] = elements
    return tables


def _dumps(nodes: list[ast.AST]) -> list[str]:
    return [ast.dump(node) for node in nodes]


def _set_members(row: ast.AST) -> list[list[str]]:
    """The members of each set literal in a row; `set()` (a set emptied by a mutant) has none."""
    members = []
    for node in ast.walk(row):
        if isinstance(node, ast.Set):
            members.append(_dumps(node.elts))
        elif isinstance(node, ast.Call) and ast.unparse(node) == "set()":
            members.append([])
    return members


@pytest.mark.parametrize("module", sorted(table_mutants.TARGETS))
def test_each_mutant_takes_one_row_or_one_member_out_of_one_table(module: str) -> None:
    original = (ROOT / module).read_text(encoding="utf-8")
    before = _tables(original)
    mutants = table_mutants.mutants_of(module)
    assert len(mutants) >= sum(len(rows) for rows in before.values())
    for mutant in mutants:
        after = _tables(original[: mutant.start] + mutant.replacement + original[mutant.end :])
        changed = {t for t in before if _dumps(before[t]) != _dumps(after.get(t, []))}
        assert changed == {mutant.table}, mutant.description
        old, new = _dumps(before[mutant.table]), _dumps(after[mutant.table])
        if len(new) == len(old) - 1:  # a row deleted: the others stay, in order
            assert any(old[:i] + old[i + 1 :] == new for i in range(len(old))), mutant.description
            continue
        assert len(new) == len(old), mutant.description  # a member dropped from one row
        rows = [
            (a, b)
            for a, b in zip(before[mutant.table], after[mutant.table], strict=True)
            if ast.dump(a) != ast.dump(b)
        ]
        assert len(rows) == 1, mutant.description
        members_before, members_after = (_set_members(row) for row in rows[0])
        shrunk = [(a, b) for a, b in zip(members_before, members_after, strict=True) if a != b]
        assert len(shrunk) == 1, mutant.description
        a, b = shrunk[0]
        assert len(b) == len(a) - 1 and all(member in a for member in b), mutant.description


def test_every_table_module_names_tests_that_exist() -> None:
    for module, tests in table_mutants.TARGETS.items():
        assert (ROOT / module).exists(), module
        for test in tests:
            assert (ROOT / test).exists(), f"{module}: {test} does not exist"
