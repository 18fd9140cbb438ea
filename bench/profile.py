"""Where a page's time goes: per kind of page, time and queries in-process, then a profile.

Builds the catalogue benchmark's data (``bench/catalogue.py``: a throwaway database, migrated,
bulk-loaded) at one size, then for each kind of page — home, listing, category, search, typo,
product, search suggestions, and the listing and product page for a signed-in shopper with a
cart — serves it with the test client from the production configuration, cache off:

* the median and 95th percentile of ``--requests`` requests, and the queries of one request;
* with ``--queries``, the SQL of that one request, one line each (shortened);
* with ``--profile``, cProfile's top functions by cumulative time (``PROFILE_SORT=tottime``: by
  their own time) over the same requests, so a change shows its gain where it was made.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/profile.py --products 10000 --requests 200 --profile

Not part of the test suite: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on the path and its name would hide the
# standard library's `profile`, which cProfile imports: search the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench import catalogue as bench  # noqa: E402

Page = tuple[str, Callable[[random.Random], str], bool]


def pages(generated: bench.Generated) -> list[Page]:
    """(name, path maker, signed in) for each kind of page."""
    tops = [top.slug for top in bench.CATEGORIES]
    slugs = generated.visible_slugs
    return [
        ("home", lambda rng: "/", False),
        ("listing", lambda rng: "/products", False),
        ("category", lambda rng: f"/categories/{rng.choice(tops)}", False),
        ("search", lambda rng: f"/products?q={bench.prefix_query(rng)}", False),
        ("typo", lambda rng: f"/products?q={bench.typo_query(rng)}", False),
        ("product", lambda rng: f"/products/{rng.choice(slugs)}", False),
        ("suggest", lambda rng: f"/search/suggestions?q={bench.keystrokes(rng)}", False),
        ("listing (signed in)", lambda rng: "/products", True),
        ("product (signed in)", lambda rng: f"/products/{rng.choice(slugs)}", True),
    ]


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = bench.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VARIANT = re.compile(r'name="variant_id" value="(\d+)"')


class SiteClient:
    """The test client speaking to the production site's own address (its cookies are
    Secure, its hosts trusted), as a browser would."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()

    def get(self, path: str) -> Any:
        return self.client.get(path, base_url=bench.SITE)

    def post_form(self, path: str, page: str, data: dict[str, object]) -> Any:
        token = CSRF.search(page)
        fields = {**data, "csrf_token": token.group(1) if token else ""}
        # Flask-WTF checks over HTTPS that a form comes from the site's own pages.
        headers = {"Referer": bench.SITE + path}
        return self.client.post(path, data=fields, base_url=bench.SITE, headers=headers)


def signed_in_shopper(app: Flask, generated: bench.Generated) -> SiteClient:
    """A client signed in as a new shopper with three products in the cart."""
    from marketplace.accounts.models import User
    from marketplace.accounts.passwords import hash_password
    from marketplace.clock import now

    email = f"profile-{secrets.token_hex(3)}@example.test"
    password = secrets.token_urlsafe(12)
    with app.app_context():
        bench.db.session.add(
            User(
                email=email,
                full_name="Pembeli Profil",
                password_hash=hash_password(password),
                email_verified_at=now(),
            )
        )
        bench.db.session.commit()
    client = SiteClient(app)
    login = client.get("/account/login").get_data(as_text=True)
    client.post_form("/account/login", login, {"email": email, "password": password})
    for slug in generated.visible_slugs[:3]:
        page = client.get(f"/products/{slug}").get_data(as_text=True)
        variant = VARIANT.search(page)
        if variant:
            client.post_form("/cart/add", page, {"variant_id": variant.group(1), "quantity": 1})
    cart = client.get("/cart").get_data(as_text=True)
    if "Keluar" not in cart or '<span class="nav-count">3</span>' not in cart:
        print("warning: no shopper signed in with 3 products in the cart; those rows are a guest's")
    return client


def measure(
    app: Flask,
    client: SiteClient,
    make_path: Callable[[random.Random], str],
    requests: int,
    profile: bool,
    show_queries: bool = False,
) -> tuple[list[float], int, str]:
    rng = random.Random(20261207)
    paths = [make_path(rng) for _ in range(requests)]
    for path in paths[:3]:  # warm: templates compiled, caches of the process filled
        client.get(path)
    with counting(app) as statements:
        assert client.get(paths[0]).status_code == 200, paths[0]
    queries = len(statements)
    if show_queries:
        for number, statement in enumerate(statements, 1):
            print(f"  {number:2d}. {' '.join(statement.split())[:300]}")
    seconds: list[float] = []
    profiler = cProfile.Profile() if profile else None
    for path in paths:
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        client.get(path)
        if profiler:
            profiler.disable()
        seconds.append(time.perf_counter() - start)
    text = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("PROFILE_SORT", "cumulative")
        ).print_stats(18)
        text = out.getvalue()
    return seconds, queries, text


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per kind of page")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--only", help="comma-separated page names to run")
    parser.add_argument(
        "--queries", action="store_true", help="print the SQL of each page's counted request"
    )
    args = parser.parse_args(argv)
    settings = bench.parse_args(["--products", str(args.products)])
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    with tempfile.TemporaryDirectory(prefix="opop-profile-") as folder:
        workdir = Path(folder)
        with bench.benchmark_database(settings, args.products, workdir) as url:
            app = bench.make_app(url, secrets.token_hex(32), workdir / "uploads")
            bench.migrate(app)
            generated = bench.generate(app, args.products, settings.seed)
            where = "PostgreSQL" if settings.server_url else "SQLite"
            print(
                f"{args.products:,} products on {where}; cache off; {args.requests} requests each"
            )
            print(f"{'page':<20} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
            shopper = signed_in_shopper(app, generated)
            guest = SiteClient(app)
            for name, make_path, signed_in in pages(generated):
                if only and name not in only:
                    continue
                seconds, queries, text = measure(
                    app,
                    shopper if signed_in else guest,
                    make_path,
                    args.requests,
                    args.profile,
                    args.queries,
                )
                print(
                    f"{name:<20} {statistics.median(seconds) * 1000:8.1f} "
                    f"{percentile(seconds, 0.95) * 1000:8.1f} {queries:8d}"
                )
                if text:
                    print(text)
            if settings.server_url:
                bench.end_queries(settings, url)
    return 0


if __name__ == "__main__":
    os.environ.pop("REDIS_URL", None)  # cache off: every request does the whole work
    raise SystemExit(main())
