"""The mutation score of each module `make mutation` covers, from mutmut's and the table results.

Reads mutmut's results (mutants/**/*.py.meta) and scripts/table_mutants.py's
(mutants/table-mutants.json), leaves out the equivalent mutants listed in
scripts/mutation_equivalents.txt (each with why), and prints, per module: mutants, killed,
equivalent, not killed and the score (killed / non-equivalent). Exits 1 when a module is under
the target or a listed equivalent no longer exists (the list must follow the code).

    python scripts/mutation_report.py [--target 95]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.txt"

#: mutmut's exit codes (mutmut/stats.py): 1 and 3 kill a mutant, a timeout or the type
#: checker catches it; 0 lets it survive; anything else is "not killed" too.
KILLED_CODES = {1, 3, 36, 37, -24, 24, 152, 255}


def equivalents() -> dict[str, str]:
    """Mutant name → why it is equivalent (no behaviour can tell it from the original)."""
    listed: dict[str, str] = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, why = line.partition(" ")
        listed[name] = why.strip()
    return listed


def code_results() -> dict[str, dict[str, bool]]:
    """module path → {mutant name: killed} from mutmut's .meta files."""
    modules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"]
    results: dict[str, dict[str, bool]] = {}
    for module in modules:
        meta = MUTANTS / f"{module}.meta"
        if not meta.exists():
            results[module] = {}
            continue
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        results[module] = {name: code in KILLED_CODES for name, code in exit_codes.items()}
    return results


def table_results() -> dict[str, dict[str, bool]]:
    results: dict[str, dict[str, bool]] = {}
    path = MUTANTS / "table-mutants.json"
    if path.exists():
        for mutant in json.loads(path.read_text()):
            name = f"table:{mutant['module']}:{mutant['description']}".replace(" ", "_")
            results.setdefault(mutant["module"], {})[name] = mutant["status"] in {
                "killed",
                "timeout",
            }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", type=float, default=95.0)
    args = parser.parse_args()

    listed = equivalents()
    code, tables = code_results(), table_results()
    seen: set[str] = set()
    failed = False
    header = ("module", "kind", "mutants", "killed", "equiv", "left", "score")
    print("{:38} {:6} {:>7} {:>7} {:>6} {:>5} {:>7}".format(*header))
    for module in sorted(set(code) | set(tables)):
        for kind, results in (("code", code.get(module, {})), ("tables", tables.get(module, {}))):
            if not results:
                if kind == "code" and module in code:
                    print(f"{module:38} {kind:6} not measured: run `mutmut run` first")
                    failed = True
                continue  # a module with tables only
            counts: Counter[str] = Counter()
            survivors = []
            for name, killed in results.items():
                if killed:
                    counts["killed"] += 1
                elif name in listed:
                    counts["equivalent"] += 1
                    seen.add(name)
                else:
                    counts["left"] += 1
                    survivors.append(name)
            total = len(results)
            judged = total - counts["equivalent"]
            score = 100.0 * counts["killed"] / judged if judged else 0.0
            below = not judged or score < args.target
            failed |= below
            print(
                f"{module:38} {kind:6} {total:7} {counts['killed']:7} {counts['equivalent']:6} "
                f"{counts['left']:5} {score:6.1f}%{'  < target' if below else ''}"
            )
            for name in survivors:
                print(f"    not killed: {name}")
    stale = sorted(set(listed) - seen)
    for name in stale:
        print(f"listed as equivalent but not a surviving mutant any more: {name}")
    if not code or all(not results for results in code.values()):
        print("no mutmut results: run `mutmut run` first (make mutation does)", file=sys.stderr)
        return 1
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
