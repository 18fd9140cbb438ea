"""One clock: nothing in marketplace/ reads the time or builds a time zone but marketplace/clock.py.

`clock.now()` is the time (frozen in tests), `clock.today()` and `clock.local_day()` are dates in
Kota Mojokerto, `clock.zone()` is its zone and `clock.day_start()` the UTC instant a local day
begins at. A `date.today()` elsewhere is the server's date (yesterday in UTC until 07:00 WIB) and
cannot be frozen by a test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import marketplace

PACKAGE = Path(marketplace.__file__).parent
ROOT = PACKAGE.parent

#: The clock itself may read the system clock and build the zone.
CLOCK = "marketplace/clock.py"
#: Precise exceptions: (file, what) -> why.
ALLOWED = {
    # The procurement calendar has its own configured zone (PROCUREMENT_TIMEZONE, the zone whose
    # working days the legal time limits count); settings.py is pure (no Flask, no app) and
    # checks the name at start-up, and the pure rules take the zone from it as data.
    ("marketplace/procurement/settings.py", "ZoneInfo("),
}

_DATE_CALLS = {"today", "now", "utcnow"}
_DATE_OWNERS = {"date", "datetime"}


def _name(node: ast.expr) -> str | None:
    """``date`` for ``date`` and for ``datetime.date``; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def clock_offences(source: str) -> list[tuple[int, str]]:
    """(line, what) for each way ``source`` reads the time or builds a zone by itself."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "time"
            and any(alias.name == "time" for alias in node.names)
        ):
            found.append((node.lineno, "from time import time"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = _name(func.value)
            if func.attr in _DATE_CALLS and owner in _DATE_OWNERS:
                found.append((node.lineno, f"{owner}.{func.attr}()"))
            elif func.attr == "time" and owner == "time":
                # Durations use time.monotonic(); a moment is clock.now().
                found.append((node.lineno, "time.time()"))
        if _name(func) == "ZoneInfo":
            found.append((node.lineno, "ZoneInfo("))
    return sorted(found)


def test_only_the_clock_reads_the_time_or_builds_a_zone() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == CLOCK:
            continue
        for line, what in clock_offences(path.read_text(encoding="utf-8")):
            if (relative, what) not in ALLOWED:
                offences.append(f"{relative}:{line}: {what}")
    assert offences == [], "use marketplace.clock instead:\n" + "\n".join(offences)


def test_the_exceptions_are_still_needed() -> None:
    """An exception nobody uses any more is removed, so it cannot hide a new offence."""
    for relative, what in ALLOWED:
        source = (ROOT / relative).read_text(encoding="utf-8")
        assert what in [w for _, w in clock_offences(source)], (relative, what)


def test_the_lint_sees_each_way_of_reading_the_time() -> None:
    source = """
import datetime as dt
import time
from datetime import date, datetime
from time import time as now_seconds
from zoneinfo import ZoneInfo
import zoneinfo

a = date.today()
b = datetime.now()
c = datetime.utcnow()
d = dt.datetime.now(dt.UTC)
e = dt.date.today()
f = time.time()
g = ZoneInfo("Asia/Jakarta")
h = zoneinfo.ZoneInfo("Asia/Jakarta")
i = datetime.today()
"""
    assert [what for _, what in clock_offences(source)] == [
        "from time import time",
        "date.today()",
        "datetime.now()",
        "datetime.utcnow()",
        "datetime.now()",
        "date.today()",
        "time.time()",
        "ZoneInfo(",
        "ZoneInfo(",
        "datetime.today()",
    ]


def test_the_lint_leaves_the_clock_and_durations_alone() -> None:
    source = """
import time
from marketplace import clock

a = clock.now()
b = clock.today()
c = time.monotonic()
d = clock.local_day(a)
"""
    assert clock_offences(source) == []
