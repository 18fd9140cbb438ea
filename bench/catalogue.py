"""Catalogue benchmark: how the public listing, search, product page and API hold up at scale.

For each catalogue size it creates a throwaway database (PostgreSQL when ``DATABASE_URL`` names
a server, else a SQLite file in a temporary folder), migrates it, bulk-loads a realistic
catalogue, times ``search_products`` in-process, then serves the app with gunicorn and drives it
with concurrent keep-alive HTTP clients. A bare Flask + Jinja app (``bench/bare_app.py``) served
the same way gives the floor the listing is compared with. Everything it starts or creates is
removed on exit, also on Ctrl-C.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/catalogue.py --products 10000 100000 --duration 10

Not part of the test suite: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import itertools
import json
import os
import platform
import random
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

sys.dont_write_bytecode = True  # write nothing into the repository
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The project's modules, importable once the repository root is on the path.
from flask import Flask  # noqa: E402
from sqlalchemy import Table, create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Connection, make_url  # noqa: E402

from bench.wordlists import (  # noqa: E402
    BANKS,
    CATEGORIES,
    DESCRIPTION_CLOSINGS,
    DESCRIPTION_MIDDLES,
    DESCRIPTION_OPENINGS,
    KELURAHAN,
    KOPERASI_NAMES,
    KOPERASI_PREFIXES,
    PESANTREN_FIRST,
    PESANTREN_SECOND,
    STREETS,
    Subcategory,
)
from marketplace import create_app  # noqa: E402
from marketplace.catalogue.listing import refresh_summaries  # noqa: E402
from marketplace.catalogue.models import (  # noqa: E402
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductVariant,
)
from marketplace.catalogue.search import ProductQuery, search_products  # noqa: E402
from marketplace.cooperatives.models import KECAMATAN, Cooperative  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.inventory.models import StockMovement  # noqa: E402
from tests.ports import free_port  # noqa: E402

BATCH = 5_000
MIN_PRICE, MAX_PRICE = 5_000, 500_000
RAISED_RATE_LIMIT = "1000000 per minute"
#: The public address the benchmark's servers are configured with: production wants an https
#: one (marketplace/production.py); the clients reach the servers on 127.0.0.1, which production
#: trusts too, and never follow a link built on it.
SITE = "https://pasar-opop.example"
HEALTH_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0  # a request slower than this counts as an error (status 0)
IDLE_TIMEOUT = 5.0  # after a scenario, a server still busy after this long is restarted
SEARCH_BUDGET = 30.0  # seconds per kind of in-process search timing (keeps a run ~15 min)
MAX_REQUESTS_PER_SCENARIO = 500_000
SEARCH_TARGET_MS = 50.0
RATIO_TARGET = 0.5
TARGET_PRODUCTS = 100_000

# --------------------------------------------------------------------------------------------
# Settings and the machine
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    products: tuple[int, ...]
    duration: float
    warmup: float
    concurrency: int
    workers: int
    threads: int
    search_queries: int
    scenarios: tuple[str, ...] | None
    seed: int
    keep: bool
    json_path: Path | None
    server_url: str | None  # a PostgreSQL server (SQLAlchemy URL), or None for SQLite
    redis_url: str | None = None  # the app's catalogue cache (REDIS_URL); None = no cache


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        description="Benchmark the catalogue (listing, search, product page, API) at scale.",
        epilog="The database comes from DATABASE_URL: PostgreSQL when it names a server "
        "(a database is created and dropped there), otherwise SQLite in a temporary folder.",
    )
    parser.add_argument(
        "--products", type=int, nargs="+", default=[10_000, 100_000], help="catalogue sizes"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="unmeasured seconds before each scenario"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="gunicorn workers (default: one per core)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (1 = sync worker, as in the README)",
    )
    parser.add_argument(
        "--search-queries", type=int, default=200, help="queries for the in-process search timing"
    )
    parser.add_argument(
        "--scenarios", help="comma-separated subset of: " + ", ".join(SCENARIO_NAMES)
    )
    parser.add_argument("--seed", type=int, default=20261129, help="random seed for the data")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--redis-url",
        help="serve the app with REDIS_URL set, so its catalogue cache is on (as in production); "
        "the benchmark deletes opop:catalogue:* keys in that Redis database before and after "
        "each size, so give it a database of its own, e.g. redis://127.0.0.1:6379/14",
    )
    args = parser.parse_args(argv)
    scenarios = None
    if args.scenarios:
        scenarios = tuple(s.strip() for s in args.scenarios.split(",") if s.strip())
        unknown = set(scenarios) - set(SCENARIO_NAMES)
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if min(args.products) < 100:
        parser.error("--products must be at least 100")
    return Settings(
        products=tuple(args.products),
        duration=args.duration,
        warmup=args.warmup,
        concurrency=args.concurrency,
        workers=args.workers,
        threads=args.threads,
        search_queries=args.search_queries,
        scenarios=scenarios,
        seed=args.seed,
        keep=args.keep,
        json_path=args.json,
        server_url=postgres_server_url(os.environ.get("DATABASE_URL", "")),
        redis_url=args.redis_url,
    )


def postgres_server_url(raw: str) -> str | None:
    """The psycopg (v3) SQLAlchemy URL of a PostgreSQL server, or None when it is not one."""
    url = raw.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url if url.startswith("postgresql+") else None


def machine_info(settings: Settings) -> dict[str, Any]:
    """Cores, CPU, memory, software versions and the database server's version."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    if settings.server_url:
        engine = create_engine(settings.server_url)
        try:
            with engine.connect() as conn:
                database = str(conn.scalar(text("SELECT version()")))
        finally:
            engine.dispose()
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(memory_gib, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        "versions": {
            name: metadata.version(name)
            for name in ("Flask", "SQLAlchemy", "Jinja2", "gunicorn", "psycopg")
        },
    }


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_postgres_database(server_url: str, name: str, keep: bool = False) -> Iterator[str]:
    """Create the empty PostgreSQL database ``name`` on ``server_url``'s server, yield its URL,
    then drop it (unless ``keep``), ending whatever still runs in it."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            if keep:
                print(f"  kept database {name}")
            else:
                end_backends(server_url, name)
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


def end_backends(server_url: str, name: str) -> None:
    """End the sessions still connected to database ``name`` (a stopped server's, ours)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    finally:
        admin.dispose()


@contextlib.contextmanager
def benchmark_database(settings: Settings, size: int, workdir: Path) -> Iterator[str]:
    """Create an empty database for one catalogue size, yield its URL, then drop it."""
    if settings.server_url is None:
        yield f"sqlite:///{workdir / f'opop_bench_{size}.sqlite3'}"
        return
    name = f"opop_bench_{size}_{secrets.token_hex(3)}"
    with scratch_postgres_database(settings.server_url, name, settings.keep) as url:
        yield url


def end_queries(settings: Settings, database_url: str) -> None:
    """End what the benchmark database still runs for a stopped server (our own backends)."""
    assert settings.server_url is not None
    end_backends(settings.server_url, str(make_url(database_url).database))


def make_app(database_url: str, secret_key: str, upload_folder: Path) -> Flask:
    """The application as production builds it, pointed at the benchmark database."""
    import logging

    app = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret_key,
            "UPLOAD_FOLDER": str(upload_folder),
            "MAIL_BACKEND": "log",
            "SERVER_BASE_URL": SITE,
            "TRUSTED_HOSTS": None,  # SITE's host and the loopback names
            "RATELIMIT_STORAGE_URI": "memory://",
        },
    )
    logging.getLogger("flask_limiter").setLevel(logging.ERROR)
    gc.freeze()  # as wsgi.py does after building the app
    return app


def migrate(app: Flask) -> None:
    """Flask-Migrate's ``upgrade()`` to head. Alembic's env.py re-reads its logging config, so
    its INFO lines are muted by level for the duration instead."""
    import logging

    from flask_migrate import upgrade

    logging.disable(logging.INFO)
    try:
        with app.app_context():
            upgrade()
    finally:
        logging.disable(logging.NOTSET)


# --------------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------------


@dataclass
class Generated:
    products: int
    variants: int
    cooperatives: int
    seconds: dict[str, float]
    visible_slugs: list[str] = field(repr=False)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _round_price(amount: float) -> int:
    return int(min(max(round(amount / 500) * 500, MIN_PRICE), MAX_PRICE))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def category_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Subcategory]]:
    """Top categories, subcategories (with explicit ids) and the subcategory specs by id."""
    tops: list[dict[str, Any]] = []
    children: list[dict[str, Any]] = []
    leaves: list[Subcategory] = []
    next_id = len(CATEGORIES) + 1
    for position, top in enumerate(CATEGORIES):
        top_id = position + 1
        tops.append(
            {
                "id": top_id,
                "parent_id": None,
                "slug": top.slug,
                "name": top.name,
                "name_en": top.name_en,
                "position": position,
            }
        )
        for child_position, child in enumerate(top.children):
            children.append(
                {
                    "id": next_id,
                    "parent_id": top_id,
                    "slug": child.slug,
                    "name": child.name,
                    "name_en": child.name_en,
                    "position": child_position,
                }
            )
            leaves.append(child)
            next_id += 1
    return tops, children, leaves


def cooperative_rows(rng: random.Random, now: datetime, count: int = 100) -> list[dict[str, Any]]:
    """Approved cooperatives spread over the three kecamatan: 70 % Koppontren, 30 % koperasi."""
    rows = []
    koppontren = count * 7 // 10
    for index in range(count):
        kecamatan = KECAMATAN[index % len(KECAMATAN)]
        kelurahan, postcode = rng.choice(KELURAHAN[kecamatan])
        if index < koppontren:
            first = PESANTREN_FIRST[index % len(PESANTREN_FIRST)]
            second = PESANTREN_SECOND[(index // len(PESANTREN_FIRST)) % len(PESANTREN_SECOND)]
            short = f"Al-{second}" if first == "Al" else f"{first} {second}"
            name, kind, pesantren = f"Koppontren {short}", "koppontren", f"Pondok Pesantren {short}"
        else:
            other = index - koppontren
            prefix = KOPERASI_PREFIXES[(other // len(KOPERASI_NAMES)) % len(KOPERASI_PREFIXES)]
            name = f"{prefix} {KOPERASI_NAMES[other % len(KOPERASI_NAMES)]}"
            kind, pesantren = "koperasi", None
        slug = f"{_slugify(name)}-{index + 1}"
        rows.append(
            {
                "id": index + 1,
                "name": name,
                "slug": slug,
                "kind": kind,
                "pesantren_name": pesantren,
                "description": f"{name} di Kelurahan {kelurahan}, Kecamatan {kecamatan}, "
                "Kota Mojokerto, menjual produk buatan anggota dan santri.",
                "kecamatan": kecamatan,
                "kelurahan": kelurahan,
                "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, {kelurahan}",
                "postal_code": postcode,
                "whatsapp": "62812" + _digits(rng, 8),
                "email": f"{slug}@koperasi.test",
                "nib": _digits(rng, 13),
                "npwp": f"0{_digits(rng, 1)}.{_digits(rng, 3)}.{_digits(rng, 3)}.{_digits(rng, 1)}"
                f"-602.000",
                "is_pkp": rng.random() < 0.2,
                "pp55_certificate_number": None,
                "pp55_valid_until": None,
                "bank_name": rng.choice(BANKS),
                "bank_account_number": _digits(rng, 10),
                "bank_account_holder": name,
                "local_delivery_fee": rng.choice((0, 5_000, 10_000)),
                "status": "approved",
                "status_reason": None,
                "approved_at": now,
                "is_demo": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


@dataclass
class _Ids:
    variant: int = 0
    tier: int = 0
    movement: int = 0


def product_batch(
    rng: random.Random,
    first_id: int,
    count: int,
    leaves: list[tuple[int, Subcategory]],
    cooperatives: list[dict[str, Any]],
    cooperative_weights: list[float],
    ids: _Ids,
    now: datetime,
) -> tuple[list[dict[str, Any]], ...]:
    """Rows for ``count`` products: products, variants, price tiers and stock movements."""
    products: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []
    tiers: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    today = now.date()
    chosen = rng.choices(cooperatives, weights=cooperative_weights, k=count)
    for offset, cooperative in enumerate(chosen):
        product_id = first_id + offset
        category_id, sub = rng.choice(leaves)
        base, modifier = rng.choice(sub.bases), rng.choice(sub.modifiers)
        several = len(sub.sizes) >= 3 and rng.random() < 0.2
        sizes = sub.sizes[:3] if several else (rng.choice(sub.sizes),)
        name = f"{base} {modifier}" if several else f"{base} {modifier} {sizes[0].label}"
        base_price = rng.randint(*sub.price)
        roll = rng.random()
        status = (
            ProductStatus.ACTIVE
            if roll < 0.95
            else (ProductStatus.HIDDEN if roll < 0.97 else ProductStatus.DRAFT)
        )
        published = now - timedelta(days=rng.uniform(0, 730))
        halal_share = 0.65 if sub.food else 0.15
        halal = rng.random() < halal_share
        place = cooperative["pesantren_name"] or f"Kelurahan {cooperative['kelurahan']}"
        description = " ".join(
            (
                rng.choice(DESCRIPTION_OPENINGS).format(
                    name=name, cooperative=cooperative["name"], place=place
                ),
                *rng.sample(DESCRIPTION_MIDDLES, 2),
                rng.choice(DESCRIPTION_CLOSINGS),
            )
        )
        products.append(
            {
                "id": product_id,
                "cooperative_id": cooperative["id"],
                "category_id": category_id,
                "name": name,
                "slug": f"{_slugify(name)}-{product_id}",
                "description": description,
                "unit": sub.unit,
                "weight_grams": sizes[0].weight_grams,
                "min_order_qty": 10 if rng.random() < 0.03 else 1,
                "status": str(status),
                "is_featured": rng.random() < 0.01,
                "halal_number": f"ID3511{_digits(rng, 12)}" if halal else None,
                "halal_valid_until": today + timedelta(days=rng.randint(-200, 1500))
                if halal
                else None,
                "pirt_number": f"{_digits(rng, 13)}-{rng.randint(24, 30)}"
                if sub.food and rng.random() < 0.7
                else None,
                "bpom_md_number": f"MD {_digits(rng, 12)}"
                if sub.food and rng.random() < 0.1
                else None,
                "sni": rng.random() < 0.05,
                "sold_count": min(int(rng.paretovariate(1.3) * 3) - 3, 5_000),
                "published_at": published if status == ProductStatus.ACTIVE else None,
                "created_at": published,
                "updated_at": published,
            }
        )
        for position, size in enumerate(sizes):
            ids.variant += 1
            price = _round_price(base_price * size.price_factor)
            on_hand = 0 if rng.random() < 0.1 else rng.randint(1, 500)
            variants.append(
                {
                    "id": ids.variant,
                    "product_id": product_id,
                    "cooperative_id": cooperative["id"],
                    "sku": f"BN{product_id}-{position + 1}",
                    "name": size.label if several else "",
                    "options": {"Ukuran": size.label} if several else {},
                    "price": price,
                    "on_hand": on_hand,
                    "reserved": 0,
                    "position": position,
                    "is_active": True,
                    "created_at": published,
                    "updated_at": published,
                }
            )
            if on_hand:
                ids.movement += 1
                movements.append(
                    {
                        "id": ids.movement,
                        "created_at": published,
                        "variant_id": ids.variant,
                        "quantity": on_hand,
                        "balance_after": on_hand,
                        "reason": "initial",
                        "note": "Stok awal (benchmark)",
                        "actor_id": None,
                    }
                )
            if rng.random() < 0.1:
                for min_quantity, factor in ((10, 0.95), (50, 0.9)):
                    ids.tier += 1
                    tiers.append(
                        {
                            "id": ids.tier,
                            "variant_id": ids.variant,
                            "min_quantity": min_quantity,
                            "unit_price": int(price * factor) // 100 * 100,
                        }
                    )
    return products, variants, tiers, movements


def _reset_sequences(conn: Connection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the data (for --keep)."""
    for model in (Category, Cooperative, Product, ProductVariant, PriceTier, StockMovement):
        table = _table(model)
        highest = select(func.coalesce(func.max(table.c.id), 1)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))


def generate(app: Flask, size: int, seed: int) -> Generated:
    """Bulk-load ``size`` products (Core inserts in batches), then fill the derived columns."""
    rng = random.Random(seed + size)
    now = datetime.now(UTC)
    seconds: dict[str, float] = {}
    with app.app_context():
        started = time.perf_counter()
        tops, children, specs = category_rows()
        leaves = [(row["id"], spec) for row, spec in zip(children, specs, strict=True)]
        cooperatives = cooperative_rows(rng, now)
        weights = [rng.paretovariate(1.5) for _ in cooperatives]
        ids = _Ids()
        with db.engine.begin() as conn:
            conn.execute(insert(_table(Category)), tops)
            conn.execute(insert(_table(Category)), children)
            conn.execute(insert(_table(Cooperative)), cooperatives)
            for first in range(1, size + 1, BATCH):
                count = min(BATCH, size - first + 1)
                products, variants, tiers, movements = product_batch(
                    rng, first, count, leaves, cooperatives, weights, ids, now
                )
                conn.execute(insert(_table(Product)), products)
                conn.execute(insert(_table(ProductVariant)), variants)
                if tiers:
                    conn.execute(insert(_table(PriceTier)), tiers)
                if movements:
                    conn.execute(insert(_table(StockMovement)), movements)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
        seconds["insert"] = time.perf_counter() - started

        if db.engine.dialect.name == "postgresql":
            # Statistics first: without them PostgreSQL plans the summary's min(price) subquery
            # as a walk of ix_product_variants_price for every product (quadratic; >20 minutes
            # at 100,000 products instead of ~30 s).
            started = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
            seconds["analyze"] = time.perf_counter() - started

        started = time.perf_counter()
        refresh_summaries(db.session(), None)
        db.session.commit()
        seconds["summaries"] = time.perf_counter() - started

        started = time.perf_counter()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(
                text("INSERT INTO product_search(product_search) VALUES ('rebuild')")
            )
            db.session.commit()
            seconds["fts_rebuild"] = time.perf_counter() - started
        else:
            # VACUUM as well: the summary UPDATE rewrote every row, and autovacuum would clean
            # up after it in production; without it the first scans pay for the dead tuples.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            seconds["vacuum_analyze"] = time.perf_counter() - started

        visible = list(
            db.session.scalars(
                select(Product.slug)
                .join(Product.cooperative)
                .where(Product.status == ProductStatus.ACTIVE, Cooperative.status == "approved")
            )
        )
        db.session.remove()
        db.engine.dispose()
    return Generated(
        products=size,
        variants=ids.variant,
        cooperatives=len(cooperatives),
        seconds=seconds,
        visible_slugs=rng.sample(visible, min(len(visible), 5_000)),
    )


# --------------------------------------------------------------------------------------------
# What clients ask for
# --------------------------------------------------------------------------------------------


def search_vocabulary() -> list[str]:
    """Lower-case words of four letters or more from the product names."""
    words: set[str] = set()
    for top in CATEGORIES:
        for sub in top.children:
            for phrase in (*sub.bases, *sub.modifiers):
                words.update(w for w in re.findall(r"[a-z]+", phrase.lower()) if len(w) >= 4)
    return sorted(words)


def search_phrases() -> list[list[str]]:
    """Multi-word product bases ("keripik tempe"), for two-word queries."""
    phrases: list[list[str]] = []
    for top in CATEGORIES:
        for sub in top.children:
            phrases.extend(
                re.findall(r"[a-z]+", b.lower()) for b in sub.bases if len(b.split()) >= 2
            )
    return phrases


VOCABULARY = search_vocabulary()
PHRASES = search_phrases()


def prefix_query(rng: random.Random) -> str:
    """What a shopper types: a word or its prefix ("keri"), sometimes two words ("keripik te")."""
    if rng.random() < 0.3:
        first, second = rng.choice(PHRASES)[:2]
        return f"{first} {second[: rng.randint(min(3, len(second)), len(second))]}"
    word = rng.choice(VOCABULARY)
    return word[: rng.randint(3, len(word))]


def typo_query(rng: random.Random) -> str:
    """A word with one slip: a letter dropped, two swapped or one replaced ("keripk")."""
    word = rng.choice([w for w in VOCABULARY if len(w) >= 5])
    position = rng.randint(1, len(word) - 2)
    kind = rng.choice(("drop", "swap", "replace"))
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    letter = rng.choice([c for c in "aiueokrstn" if c != word[position]])
    return word[:position] + letter + word[position + 1 :]


def keystrokes(rng: random.Random) -> str:
    """What the search field holds as a shopper types: two letters or more of a word ("ke",
    "keri"), sometimes a whole first word and the start of the next ("keripik t")."""
    if rng.random() < 0.3:
        first, second = rng.choice(PHRASES)[:2]
        return f"{first} {second[: rng.randint(1, len(second))]}"
    word = rng.choice(VOCABULARY)
    return word[: rng.randint(2, len(word))]


PathMaker = Callable[[random.Random], str]


@dataclass(frozen=True)
class Scenario:
    name: str
    describe: str
    make_path: PathMaker


SCENARIO_NAMES = ("listing", "filtered", "search", "typo", "product", "api", "suggest")


def scenarios(generated: Generated, postgres: bool, only: tuple[str, ...] | None) -> list[Scenario]:
    from urllib.parse import quote

    tops = [top.slug for top in CATEGORIES]
    slugs = generated.visible_slugs
    all_scenarios = [
        Scenario("listing", "/products", lambda rng: "/products"),
        Scenario(
            "filtered",
            "/products?category=<top>&kecamatan=Magersari&halal=1&sort=price_asc",
            lambda rng: (
                f"/products?category={rng.choice(tops)}&kecamatan=Magersari&halal=1&sort=price_asc"
            ),
        ),
        Scenario(
            "search", "/products?q=<prefix>", lambda rng: f"/products?q={quote(prefix_query(rng))}"
        ),
        Scenario("typo", "/products?q=<typo>", lambda rng: f"/products?q={quote(typo_query(rng))}"),
        Scenario("product", "/products/<slug>", lambda rng: f"/products/{rng.choice(slugs)}"),
        Scenario(
            "api",
            "/api/v1/products?q=<prefix>",
            lambda rng: f"/api/v1/products?q={quote(prefix_query(rng))}",
        ),
        Scenario(
            "suggest",
            "/search/suggestions?q=<keystrokes>",
            lambda rng: f"/search/suggestions?q={quote(keystrokes(rng))}",
        ),
    ]
    # Both databases correct typos (pg_trgm on PostgreSQL, the same dictionary on SQLite).
    return [s for s in all_scenarios if only is None or s.name in only]


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


@dataclass
class Latency:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(seconds)

        def rank(p: float) -> float:
            # Nearest-rank percentile.
            index = min(len(ordered) - 1, max(0, int(-(-p * len(ordered) // 100)) - 1))
            return ordered[index] * 1000

        return cls(
            count=len(ordered),
            p50_ms=rank(50),
            p95_ms=rank(95),
            p99_ms=rank(99),
            mean_ms=statistics.fmean(ordered) * 1000,
            max_ms=ordered[-1] * 1000,
        )


@dataclass
class LoadResult:
    scenario: str
    path: str
    requests: int
    seconds: float
    requests_per_second: float
    latency: Latency
    errors: int
    statuses: dict[str, int]
    mean_bytes: float
    client_cpu_percent: float
    load_average: float  # the machine's 1-minute load at the end: is anything else busy?
    restarted_after: bool = False  # the server was still busy afterwards and was restarted


@dataclass
class _WorkerTally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    body_bytes: int = 0


def drive(
    port: int,
    make_path: PathMaker,
    seconds: float,
    concurrency: int,
    seed: int,
    stop: threading.Event,
) -> tuple[list[float], Counter[int], int, float, float]:
    """``concurrency`` threads, each with its own keep-alive connection, for ``seconds``.

    Returns latencies, status counts, body bytes, wall seconds and client CPU seconds. Bounded in
    time and in count; only ever talks to 127.0.0.1.
    """
    deadline = time.perf_counter() + seconds
    budget = itertools.count()

    def worker(index: int) -> _WorkerTally:
        rng = random.Random(seed * 1_000 + index)
        tally = _WorkerTally()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            while (
                not stop.is_set()
                and time.perf_counter() < deadline
                and next(budget) < MAX_REQUESTS_PER_SCENARIO
            ):
                path = make_path(rng)
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept-Language": "id"})
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()  # reconnects on the next request
                    body, status = b"", 0
                tally.latencies.append(time.perf_counter() - started)
                tally.statuses[status] += 1
                tally.body_bytes += len(body)
        finally:
            conn.close()
        return tally

    cpu_started, wall_started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="client") as pool:
        futures = [pool.submit(worker, i) for i in range(concurrency)]
        try:
            tallies = [f.result() for f in futures]
        except BaseException:
            stop.set()
            raise
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    latencies = [x for t in tallies for x in t.latencies]
    statuses: Counter[int] = Counter()
    for t in tallies:
        statuses.update(t.statuses)
    return latencies, statuses, sum(t.body_bytes for t in tallies), wall, cpu


def run_scenario(
    server: ManagedServer, scenario: Scenario, settings: Settings, stop: threading.Event
) -> LoadResult:
    """Warm up (unmeasured), then measure one scenario; leave the server idle afterwards."""
    if settings.warmup > 0:
        drive(
            server.port,
            scenario.make_path,
            settings.warmup,
            settings.concurrency,
            settings.seed,
            stop,
        )
        server.settle()
    restarts = server.restarts
    latencies, statuses, body_bytes, wall, cpu = drive(
        server.port,
        scenario.make_path,
        settings.duration,
        settings.concurrency,
        settings.seed + 1,
        stop,
    )
    load = os.getloadavg()[0]
    server.settle()
    requests = len(latencies)
    return LoadResult(
        scenario=scenario.name,
        path=scenario.describe,
        requests=requests,
        seconds=wall,
        requests_per_second=requests / wall if wall else 0.0,
        latency=Latency.of(latencies),
        errors=sum(n for status, n in statuses.items() if status != 200),
        statuses={str(k): v for k, v in sorted(statuses.items())},
        mean_bytes=body_bytes / requests if requests else 0.0,
        client_cpu_percent=100 * cpu / wall if wall else 0.0,
        load_average=load,
        restarted_after=server.restarts > restarts,
    )


@dataclass
class InProcessSearch:
    label: str
    latency: Latency
    median_hits: float
    zero_hit_share: float


def time_search(
    app: Flask,
    queries: list[str],
    *,
    facets: bool,
    label: str,
    budget_seconds: float = SEARCH_BUDGET,
) -> InProcessSearch:
    """``search_products`` called directly, one app context (one session) per query, like a
    request. Stops early after ``budget_seconds``."""
    today = date.today()
    with app.app_context():  # warm the connection pool and the ORM's compiled-statement cache
        for q in queries[:5]:
            search_products(ProductQuery(text=q), today=today, facets=facets)
    timings: list[float] = []
    hits: list[int] = []
    stop_at = time.perf_counter() + budget_seconds
    for q in queries:
        with app.app_context():
            started = time.perf_counter()
            result = search_products(ProductQuery(text=q), today=today, facets=facets)
            timings.append(time.perf_counter() - started)
            hits.append(result.total)
        if time.perf_counter() > stop_at:
            break
    return InProcessSearch(
        label=label,
        latency=Latency.of(timings),
        median_hits=statistics.median(hits) if hits else 0,
        zero_hit_share=sum(1 for h in hits if h == 0) / len(hits) if hits else 0.0,
    )


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path


class ManagedServer:
    """A gunicorn server that can be put back in a known state between scenarios.

    A closed loop of slow requests leaves a queue in gunicorn's backlog (and queries running in
    the database) when a scenario ends. ``settle`` waits briefly for the server to go idle and
    otherwise restarts it, calling ``after_stop`` (which ends the database's leftover queries).
    """

    def __init__(
        self,
        name: str,
        app_spec: str,
        env: dict[str, str],
        settings: Settings,
        workdir: Path,
        after_stop: Callable[[], None] | None = None,
    ) -> None:
        self.name, self.app_spec, self.env = name, app_spec, env
        self.settings, self.workdir, self.after_stop = settings, workdir, after_stop
        self.server: Server | None = None
        self.restarts = 0

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def start(self) -> None:
        self.server = start_server(self.name, self.app_spec, self.env, self.settings, self.workdir)

    def stop(self) -> None:
        if self.server is not None:
            stop_server(self.server)
            self.server = None
        if self.after_stop is not None:
            self.after_stop()

    def settle(self) -> None:
        if self.server is not None and wait_idle(self.server.port):
            return
        self.restarts += 1
        self.stop()
        self.start()

    def __enter__(self) -> ManagedServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def clear_catalogue_cache(redis_url: str | None) -> None:
    """Delete the app's catalogue cache entries (only those) in the benchmark's Redis database.

    Entries are keyed by a version counter that starts again with every fresh database, so a
    previous catalogue's entries would otherwise be served for the next one.
    """
    if not redis_url:
        return
    from redis import Redis

    client = Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match="opop:catalogue:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def server_environment(
    database_url: str, secret_key: str, workdir: Path, redis_url: str | None
) -> dict[str, str]:
    """The app's environment under gunicorn: production, a benchmark database, limits raised,
    and the catalogue cache on only when a Redis URL is given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "RATELIMIT_STORAGE_URI",
            "FLASK_APP",
            "GUNICORN_CMD_ARGS",
            "TRUSTED_HOSTS",
        }
    }
    env.update(
        MARKETPLACE_CONFIG="production",
        SECRET_KEY=secret_key,
        DATABASE_URL=database_url,
        MAIL_BACKEND="log",
        SERVER_BASE_URL=SITE,
        UPLOAD_FOLDER=str(workdir / "uploads"),
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_LOGIN=RAISED_RATE_LIMIT,
        RATELIMIT_REGISTER=RAISED_RATE_LIMIT,
        RATELIMIT_PASSWORD_RESET=RAISED_RATE_LIMIT,
        RATELIMIT_CHECKOUT=RAISED_RATE_LIMIT,
        RATELIMIT_PROOF_UPLOAD=RAISED_RATE_LIMIT,
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def gunicorn_environment(settings: Settings) -> dict[str, str]:
    """What the servers change of the repository's ``gunicorn.conf.py``, which they run with
    (the same for the app and the bare app): the workers and threads measured, a longer timeout
    for the slowest scenarios. Its worker recycling (``max_requests``), preloading and access
    log stay as in production: they are part of what a visitor waits for."""
    return {
        "GUNICORN_WORKERS": str(settings.workers),
        "GUNICORN_THREADS": str(settings.threads),
        "GUNICORN_TIMEOUT": "120",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "GUNICORN_LOG_LEVEL": "info",
    }


def start_server(
    name: str, app_spec: str, env: dict[str, str], settings: Settings, workdir: Path
) -> Server:
    """gunicorn on a free port of 127.0.0.1 (no access log), once /healthz answers."""
    log_path = workdir / f"gunicorn-{name}.log"
    env = {**env, **gunicorn_environment(settings)}
    for _attempt in range(3):
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--chdir",
            str(ROOT),
            "-w",
            str(settings.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",  # it would live in ~/.gunicorn and clash between servers
            app_spec,
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name, process, port, log_path)
        if wait_healthy(server):
            return server
        stop_server(server)
    raise RuntimeError(f"{name}: gunicorn did not start; see {log_path}:\n{log_tail(log_path)}")


def wait_healthy(server: Server) -> bool:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    return False


def wait_idle(port: int) -> bool:
    """True when /healthz answers within IDLE_TIMEOUT: nothing left queued."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=IDLE_TIMEOUT)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def stop_server(server: Server) -> None:
    """SIGTERM to the gunicorn master's process group (our child), SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=5)


def log_tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def print_load_table(title: str, results: list[LoadResult]) -> None:
    print(f"\n{title}")
    header = (
        f"  {'scenario':<10} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'KiB/resp':>8} {'client CPU':>10} {'load':>5}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in results:
        print(
            f"  {r.scenario:<10} {r.requests:>8} {r.requests_per_second:>8.1f} "
            f"{r.latency.p50_ms:>8.1f} {r.latency.p95_ms:>8.1f} {r.latency.p99_ms:>8.1f} "
            f"{r.errors:>6} {r.mean_bytes / 1024:>8.1f} {r.client_cpu_percent:>9.0f}% "
            f"{r.load_average:>5.1f}"
        )
        if r.errors:
            print(f"  {'':<10} statuses: {r.statuses} (0 = timed out after {REQUEST_TIMEOUT:g} s)")
        if r.restarted_after:
            print(f"  {'':<10} (server still busy {IDLE_TIMEOUT:g} s after the run: restarted)")


def print_search_table(results: list[InProcessSearch]) -> None:
    print(
        f"\n  In-process search_products() (no HTTP, no template), one app context per query:\n"
        f"  {'query kind':<34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'median hits':>11} {'0 hits':>6}"
    )
    for s in results:
        print(
            f"  {s.label:<34} {s.latency.count:>4} {s.latency.p50_ms:>8.1f} "
            f"{s.latency.p95_ms:>8.1f} {s.latency.p99_ms:>8.1f} {s.latency.max_ms:>8.1f} "
            f"{s.median_hits:>11.0f} {s.zero_hit_share:>6.0%}"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass
class SizeReport:
    products: int
    generation: dict[str, Any]
    in_process_search: list[InProcessSearch]
    http: list[LoadResult]
    listing_to_bare: float | None = None


def bench_bare(settings: Settings, workdir: Path, stop: threading.Event, when: str) -> LoadResult:
    """The bare Flask + Jinja app under the same gunicorn settings and the same load."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GUNICORN_CMD_ARGS"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    with ManagedServer("bare", "bench.bare_app:app", env, settings, workdir) as server:
        status, body = fetch(server.port, "/products")
        assert status == 200, f"bare app answered {status}"
        result = run_scenario(
            server,
            Scenario(f"bare {when}", "/products (bare)", lambda rng: "/products"),
            settings,
            stop,
        )
    print_load_table(
        f"Bare Flask + Jinja, {when} the catalogue runs (bench/bare_app.py, 24 cards from "
        f"memory, {len(body) / 1024:.1f} KiB/page):",
        [result],
    )
    return result


def bench_size(
    settings: Settings, size: int, workdir: Path, secret_key: str, stop: threading.Event
) -> SizeReport:
    postgres = settings.server_url is not None
    kind = "PostgreSQL" if postgres else "SQLite"
    print(f"\n=== {size:,} products on {kind} ===")
    with benchmark_database(settings, size, workdir) as url:
        app = make_app(url, secret_key, workdir / "uploads")
        started = time.perf_counter()
        migrate(app)
        migrated = time.perf_counter() - started
        generated = generate(app, size, settings.seed)
        total = migrated + sum(generated.seconds.values())
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in generated.seconds.items())
        print(
            f"  generated {generated.products:,} products, {generated.variants:,} variants, "
            f"{generated.cooperatives} cooperatives in {total:.1f} s "
            f"(migrate {migrated:.1f} s, {steps})"
        )

        rng = random.Random(settings.seed + 7)
        n = settings.search_queries
        prefixes = [prefix_query(rng) for _ in range(n)]
        searches = [
            time_search(app, prefixes, facets=True, label="prefix, with facets (as /products)"),
            time_search(app, prefixes, facets=False, label="prefix, without facets"),
        ]
        if postgres:
            typos = [typo_query(rng) for _ in range(n)]
            searches.append(time_search(app, typos, facets=True, label="typo, with facets"))
        print_search_table(searches)
        with app.app_context():
            db.engine.dispose()

        managed = ManagedServer(
            f"app-{size}",
            "wsgi:app",
            server_environment(url, secret_key, workdir, settings.redis_url),
            settings,
            workdir,
            after_stop=(lambda: end_queries(settings, url)) if postgres else None,
        )
        clear_catalogue_cache(settings.redis_url)
        try:
            with managed:
                results = [
                    run_scenario(managed, scenario, settings, stop)
                    for scenario in scenarios(generated, postgres, settings.scenarios)
                ]
        finally:
            clear_catalogue_cache(settings.redis_url)
        print_load_table(
            f"  HTTP through gunicorn ({settings.workers} workers"
            f"{f' × {settings.threads} threads' if settings.threads > 1 else ', sync'}), "
            f"{settings.concurrency} client threads, {settings.duration:g} s per scenario, "
            f"catalogue cache {'on (Redis)' if settings.redis_url else 'off (no REDIS_URL)'} "
            f"(latency includes queueing behind the workers):",
            results,
        )
    return SizeReport(
        products=size,
        generation={
            "seconds_total": total,
            "seconds_migrate": migrated,
            **{f"seconds_{k}": v for k, v in generated.seconds.items()},
            "variants": generated.variants,
            "cooperatives": generated.cooperatives,
        },
        in_process_search=searches,
        http=results,
    )


def summarise(settings: Settings, bare: list[LoadResult], reports: list[SizeReport]) -> None:
    """Search p95 and listing ÷ bare per size; the targets where they apply."""
    postgres = settings.server_url is not None
    print("\n=== Summary ===")
    bare_rate = statistics.fmean(b.requests_per_second for b in bare) if bare else 0.0
    if bare:
        runs = " and ".join(f"{b.requests_per_second:.1f}" for b in bare)
        print(f"  bare Flask + Jinja: {runs} req/s (before and after); mean {bare_rate:.1f}")
    for report in reports:
        listing = next((r for r in report.http if r.scenario == "listing"), None)
        search_http = next((r for r in report.http if r.scenario == "search"), None)
        in_process = report.in_process_search[0]
        line = (
            f"  {report.products:>7,} products: search_products p95 "
            f"{in_process.latency.p95_ms:.1f} ms in-process (with facets), "
            f"{report.in_process_search[1].latency.p95_ms:.1f} ms without facets"
        )
        if search_http:
            line += f"; /products?q= p95 {search_http.latency.p95_ms:.1f} ms over HTTP under load"
        print(line)
        if listing and bare_rate:
            report.listing_to_bare = listing.requests_per_second / bare_rate
            print(
                f"  {'':>7}           listing {listing.requests_per_second:.1f} req/s ÷ bare "
                f"{bare_rate:.1f} req/s = {report.listing_to_bare:.3f}"
            )
    target = next((r for r in reports if r.products == TARGET_PRODUCTS), None)
    if not postgres or target is None:
        print(f"  (the targets are defined for PostgreSQL at {TARGET_PRODUCTS:,} products)")
        return
    p95 = target.in_process_search[0].latency.p95_ms
    print(
        f"  Target search p95 < {SEARCH_TARGET_MS:g} ms (PostgreSQL, {TARGET_PRODUCTS:,}): "
        f"in-process {p95:.1f} ms — {verdict(p95 < SEARCH_TARGET_MS)}"
    )
    if target.listing_to_bare is not None:
        print(
            f"  Target listing ÷ bare ≥ {RATIO_TARGET:g} (PostgreSQL, {TARGET_PRODUCTS:,}): "
            f"{target.listing_to_bare:.3f} — {verdict(target.listing_to_bare >= RATIO_TARGET)}"
        )


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    wall_started = time.perf_counter()
    info = machine_info(settings)
    print("=== Machine ===")
    print(f"  cores: {info['cores']} ({info['usable_cores']} usable), {info['cpu']}")
    print(f"  memory: {info['memory_gib']} GiB, load average {info['load_average']}")
    if info["load_average"][0] > 0.5 * (info["usable_cores"] or 1):
        print("  WARNING: the machine is already busy; figures will be low and noisy")
    print(f"  Python {info['python']} on {info['platform']}")
    print(f"  database: {info['database']}")
    print("  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(
        f"  settings: products {list(settings.products)}, {settings.duration:g} s per scenario "
        f"(+{settings.warmup:g} s warm-up), concurrency {settings.concurrency}, "
        f"gunicorn workers {settings.workers}"
        f"{f' × {settings.threads} threads' if settings.threads > 1 else ' (sync)'}, "
        f"catalogue cache: {settings.redis_url or 'off (pass --redis-url to turn it on)'}"
    )

    stop = threading.Event()
    secret_key = secrets.token_hex(32)
    reports: list[SizeReport] = []
    bare: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="opop-bench-") as tmp:
        workdir = Path(tmp)
        try:
            bare.append(bench_bare(settings, workdir, stop, "before"))
            for size in settings.products:
                reports.append(bench_size(settings, size, workdir, secret_key, stop))
            bare.append(bench_bare(settings, workdir, stop, "after"))
        except KeyboardInterrupt:
            stop.set()
            print("\nInterrupted; cleaning up.", file=sys.stderr)
            return 130
        finally:
            stop.set()
        summarise(settings, bare, reports)
    elapsed = time.perf_counter() - wall_started
    print(f"\nTotal wall time {elapsed / 60:.1f} min; load average now {os.getloadavg()}")
    if settings.json_path:
        document = {
            "machine": info,
            "settings": {k: v for k, v in asdict(settings).items() if k != "server_url"}
            | {"json_path": str(settings.json_path) if settings.json_path else None},
            "bare": [asdict(b) for b in bare],
            "sizes": [asdict(r) for r in reports],
            "wall_seconds": elapsed,
        }
        settings.json_path.write_text(json.dumps(document, indent=2, default=str))
        print(f"Wrote {settings.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
