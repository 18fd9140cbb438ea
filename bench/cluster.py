"""Scale-out proof: two app servers on one PostgreSQL and one Redis, a server killed mid-run.

It creates a fresh PostgreSQL database (``flask db upgrade``), bulk-loads a catalogue with
cooperatives and stock (``bench/catalogue.py``'s generator), adds shoppers and cooperative
members, then starts

* two gunicorn servers, each exactly as ``gunicorn -w 2 -b 127.0.0.1:PORT wsgi:app`` with the
  production configuration, sharing the database and one Redis database (REDIS_URL: catalogue
  cache, rate limits, job queue), and one RQ worker (``flask jobs worker``) for the emails;
* a round-robin proxy on 127.0.0.1 in front of them (``bench/proxy.py``; nginx is not installed);
* the fake Stripe of the tests (``tests/stripe_fake.py``), which the servers call as Stripe.

Concurrent shoppers then browse the listing, search, open product pages, add the few "hot"
variants with little stock to their carts and check out by bank transfer or card; a card
payment is completed by a signed ``checkout.session.completed`` webhook, sometimes delivered
twice (one after the other, or both at once). Cooperative members accept, set out and hand over
the paid orders, so the settlement ledger gets entries. Halfway through, one server is killed
with SIGKILL (master and workers at once, as a crashed machine); the proxy skips it and the
other serves on.

Clients are honest browsers: they log in through the form, GET each form before posting it and
send back its ``csrf_token``, keep cookies, and follow the shop's own redirects. (They send the
session cookie, which production marks ``Secure``, over this plain-HTTP hop on 127.0.0.1: in
production nginx terminates TLS and the hop behind it is plain too.) A checkout whose POST is
cut off by the kill is sent again with the same idempotency key, as a browser's retry would be.

Afterwards it prints throughput and p50/p95/p99 per kind of request, then checks against the
database that every order a shopper was told about exists, no variant is oversold (on hand never
negative, reserved equals the open orders' quantities, the stock ledger sums to on hand), no
vendor order was paid twice, and the settlement ledger balances. It exits 1 if a check fails.

    .venv/bin/python bench/cluster.py --duration 45 \\
        --database postgresql://postgres@127.0.0.1:5432/postgres \\
        --redis-url redis://127.0.0.1:6379/12

The Redis database is flushed before and after: give it one of its own (not the tests' 15).
``tests/ops/test_cluster.py`` runs the same scenario, small, in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.dont_write_bytecode = True  # write nothing into the repository
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.catalogue import (  # noqa: E402
    SITE,
    generate,
    make_app,
    prefix_query,
    scratch_postgres_database,
)
from bench.proxy import RoundRobinProxy  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.stripe_fake import FakeStripe  # noqa: E402

PASSWORD = "kata-sandi-beban-2026"  # noqa: S105 - the seeded shoppers' password
COMMISSION_PERCENT = "2.5"
HEALTH_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
ORDER_PATH = re.compile(r"/orders/(OPOP-\d{4}-\d+)$")
HOLDS_STOCK = ("awaiting_payment", "paid", "accepted", "shipped", "ready_for_pickup")
SOLD = ("delivered", "completed")
PAID_OR_LATER = ("paid", "accepted", "shipped", "ready_for_pickup", "delivered", "completed")
#: The shoppers' new address at checkout, its regions picked from the lists (`seed` loads the
#: four regions, as `flask regions load` would with the whole country).
ADDRESS_FORM = {
    "address_choice": "new",
    "recipient_name": "Pembeli Beban",
    "phone": "081234567890",
    "street": "Jl. Majapahit No. 5",
    "province_code": "35",
    "regency_code": "35.76",
    "district_code": "35.76.03",
    "village_code": "35.76.03.1002",
    "postal_code": "61322",
}
ADDRESS_REGIONS = (
    ("35", "Jawa Timur", None),
    ("35.76", "Kota Mojokerto", None),
    ("35.76.03", "Kranggan", None),
    ("35.76.03.1002", "Miji", "61322"),
)

# --------------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotVariant:
    variant_id: int
    product_slug: str
    cooperative_id: int
    on_hand: int


@dataclass
class Seeded:
    products: int
    shoppers: list[str]
    members: dict[int, str]  # cooperative id → a member's email
    hot: list[HotVariant]
    slugs: list[str]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    killed_at: float | None = None

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a crashed machine."""
        self.killed_at = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    seeded: Seeded
    servers: list[Server]
    proxy: RoundRobinProxy
    stripe: FakeStripe
    workdir: Path

    @property
    def port(self) -> int:
        return self.proxy.port


def _psycopg(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("postgresql+"):
        raise SystemExit(f"not a PostgreSQL URL: {url}")
    return url


@contextlib.contextmanager
def fresh_database(server_url: str, keep: bool = False) -> Iterator[str]:
    """An empty PostgreSQL database on ``server_url``'s server; dropped afterwards."""
    name = f"opop_cluster_{secrets.token_hex(4)}"
    with scratch_postgres_database(_psycopg(server_url), name, keep) as url:
        yield url


def server_environment(
    database_url: str, redis_url: str, secret_key: str, workdir: Path, stripe: FakeStripe
) -> dict[str, str]:
    """What an app server gets from /etc/pasar-opop/env, pointed at this run's services."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GUNICORN_", "STRIPE_", "PROMETHEUS_", "TEST_", "PYTEST_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TRUSTED_HOSTS"}
    }
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        MARKETPLACE_CONFIG="production",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secret_key,
        UPLOAD_FOLDER=str(workdir / "uploads"),
        MAIL_BACKEND="log",
        # Production's public address, and the hosts it answers for: the shoppers and the proxy
        # reach the servers as 127.0.0.1.
        SERVER_BASE_URL=SITE,
        TRUSTED_HOSTS=f"{urlsplit(SITE).hostname},127.0.0.1",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG=os.devnull,  # the clients keep the figures
        # Every shopper comes from 127.0.0.1: raise the per-address login limit; the per-account
        # checkout and proof limits would throttle the load, which measures the servers.
        RATELIMIT_LOGIN="100000 per minute",
        RATELIMIT_CHECKOUT="100000 per minute",
        RATELIMIT_PROOF_UPLOAD="100000 per minute",
        STRIPE_SECRET_KEY=stripe.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe.webhook_secret,
        STRIPE_API_BASE=stripe.url,
        STRIPE_CHECKOUT_ORIGIN=stripe.url,
        PLATFORM_COMMISSION_PERCENT=COMMISSION_PERCENT,
        METRICS_ENABLED="1",
    )
    return env


def migrate(env: dict[str, str]) -> float:
    """``flask db upgrade``, as the web unit runs it on deploy."""
    started = time.perf_counter()
    flask = Path(sys.executable).with_name("flask")
    subprocess.run(
        [str(flask), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - started


def seed(
    database_url: str,
    secret_key: str,
    workdir: Path,
    products: int,
    shoppers: int,
    hot_cooperatives: int,
    hot_variants: int,
    seed_value: int,
) -> Seeded:
    """The catalogue (bulk inserts), verified shoppers, members of the hot variants'
    cooperatives, and the hot variants: active, few in stock, from a few cooperatives."""
    from sqlalchemy import select

    from marketplace.accounts.models import User
    from marketplace.catalogue.models import Product, ProductStatus, ProductVariant
    from marketplace.cooperatives.models import CooperativeMember, MemberRole
    from marketplace.extensions import db

    app = make_app(database_url, secret_key, workdir / "uploads")
    generated = generate(app, products, seed_value)
    rng = random.Random(seed_value)
    with app.app_context():
        rows = db.session.execute(
            select(
                ProductVariant.id,
                Product.slug,
                ProductVariant.cooperative_id,
                ProductVariant.on_hand,
            )
            .join(Product, Product.id == ProductVariant.product_id)
            .where(
                Product.status == ProductStatus.ACTIVE,
                Product.min_order_qty == 1,
                ProductVariant.is_active.is_(True),
                ProductVariant.on_hand.between(2, 12),
            )
            .order_by(ProductVariant.id)
        ).all()
        by_cooperative: dict[int, list[HotVariant]] = defaultdict(list)
        for variant_id, slug, cooperative_id, on_hand in rows:
            by_cooperative[cooperative_id].append(
                HotVariant(variant_id, slug, cooperative_id, on_hand)
            )
        chosen = sorted(by_cooperative, key=lambda c: (-len(by_cooperative[c]), c))[
            :hot_cooperatives
        ]
        hot = [v for c in chosen for v in by_cooperative[c]]
        hot = sorted(rng.sample(hot, min(hot_variants, len(hot))), key=lambda v: v.variant_id)
        # One password hash for everyone (Argon2 on purpose takes a while).
        from marketplace.accounts.passwords import hash_password

        password_hash = hash_password(PASSWORD)
        now = db.func.now()
        emails = [f"pembeli{n:03d}@beban.test" for n in range(shoppers)]
        members: dict[int, str] = {}
        users = [
            User(
                email=email,
                password_hash=password_hash,
                full_name=f"Pembeli {n}",
                locale="id",
                email_verified_at=now,
            )
            for n, email in enumerate(emails)
        ]
        for cooperative_id in chosen:
            email = f"anggota{cooperative_id}@beban.test"
            members[cooperative_id] = email
            user = User(
                email=email,
                password_hash=password_hash,
                full_name=f"Anggota {cooperative_id}",
                locale="id",
                email_verified_at=now,
            )
            users.append(user)
            db.session.add(user)
            db.session.flush()
            db.session.add(
                CooperativeMember(
                    cooperative_id=cooperative_id, user_id=user.id, role=MemberRole.OWNER
                )
            )
        db.session.add_all(users)
        from marketplace.regions.loader import Row, load

        load([Row(code, name, postal_code) for code, name, postal_code in ADDRESS_REGIONS])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Seeded(products, emails, members, hot, generated.visible_slugs)


def wait_until_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while True:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server on {port} did not become ready:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def start_process(
    name: str, argv: list[str], env: dict[str, str], workdir: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so a kill takes its workers too
    )
    handle.close()
    return process, log


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def flush_redis(redis_url: str) -> None:
    from redis import Redis

    client = Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


@contextlib.contextmanager
def running_cluster(
    database_url: str,
    redis_url: str,
    *,
    products: int = 2_000,
    shoppers: int = 16,
    workers: int = 2,
    hot_cooperatives: int = 4,
    hot_variants: int = 24,
    seed_value: int = 20261130,
    log: Callable[[str], None] = print,
) -> Iterator[Cluster]:
    """Migrate and seed ``database_url`` (an empty database), start two servers, a worker, the
    proxy and the fake Stripe; stop them all afterwards."""
    secret_key = secrets.token_hex(32)
    stripe = FakeStripe().start()
    processes: list[subprocess.Popen[bytes]] = []
    proxy: RoundRobinProxy | None = None
    with tempfile.TemporaryDirectory(prefix="opop-cluster-") as tmp:
        workdir = Path(tmp)
        try:
            flush_redis(redis_url)
            env = server_environment(database_url, redis_url, secret_key, workdir, stripe)
            seconds = migrate(env)
            started = time.perf_counter()
            seeded = seed(
                database_url,
                secret_key,
                workdir,
                products,
                shoppers,
                hot_cooperatives,
                hot_variants,
                seed_value,
            )
            log(
                f"  database migrated in {seconds:.1f} s (flask db upgrade); seeded {products:,} "
                f"products, {len(seeded.shoppers)} shoppers, {len(seeded.members)} cooperative "
                f"members, {len(seeded.hot)} hot variants ({sum(v.on_hand for v in seeded.hot)} "
                f"units) in {time.perf_counter() - started:.1f} s"
            )
            gunicorn = str(Path(sys.executable).with_name("gunicorn"))
            servers = []
            for name in ("app-a", "app-b"):
                port = free_port()
                metrics_dir = workdir / f"metrics-{name}"
                metrics_dir.mkdir()
                server_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
                process, logfile = start_process(
                    name,
                    [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
                    server_env,
                    workdir,
                )
                processes.append(process)
                servers.append(Server(name, port, process, logfile))
            flask = str(Path(sys.executable).with_name("flask"))
            worker, _ = start_process(
                "worker", [flask, "--app", "wsgi", "jobs", "worker"], env, workdir
            )
            processes.append(worker)
            for server in servers:
                wait_until_ready(server.port, server.process, server.log)
            proxy = RoundRobinProxy(free_port(), [s.port for s in servers]).start()
            stripe.webhook_url = f"http://127.0.0.1:{proxy.port}/payments/stripe/webhook"
            log(
                f"  servers {', '.join(f'{s.name} :{s.port}' for s in servers)} "
                f"(gunicorn -w {workers}), proxy :{proxy.port}, fake Stripe :{stripe.port}, "
                f"Redis {redis_url}"
            )
            yield Cluster(database_url, redis_url, seeded, servers, proxy, stripe, workdir)
        finally:
            if proxy is not None:
                proxy.stop()
            for process in processes:
                stop_process(process)
            stripe.stop()
            with contextlib.suppress(Exception):
                flush_redis(redis_url)
            shutil.rmtree(workdir / "uploads", ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int  # 0: no answer (connection refused, reset or timed out)
    location: str
    body: str


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def csrf_token(page: str) -> str:
    match = _CSRF.search(page)
    value = _VALUE.search(match.group(0)) if match else None
    if value is None:
        raise LookupError("no csrf_token on the page")
    return value.group(1)


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise LookupError(f"no {name} on the page")
    return value.group(1)


class Browser:
    """One shopper's browser: cookies, forms, and a fresh connection per request (gunicorn's
    sync workers close it after each response anyway)."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        ok: Sequence[int] = (200,),
    ) -> Reply:
        sent = {"Connection": "close", "Accept-Language": "id", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException):
            self.stats.record(kind, time.perf_counter() - started, False, 0)
            return Reply(0, "", "")
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        good = response.status in ok
        self.stats.record(kind, time.perf_counter() - started, good, response.status)
        location = urlsplit(response.getheader("Location", "")).path
        return Reply(response.status, location, data.decode("utf-8", "replace"))

    def login(self, email: str) -> bool:
        page = self.request("login", "GET", "/account/login")
        if page.status != 200:
            return False
        reply = self.request(
            "login",
            "POST",
            "/account/login",
            form={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.body)},
            ok=(302,),
        )
        return reply.status == 302


@dataclass
class Stats:
    """Latencies and outcomes per kind of request, and the counts the checks use."""

    started: float = field(default_factory=time.monotonic)
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    timeline: list[tuple[float, bool]] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)  # numbers the shop gave a shopper
    refused: Counter[str] = field(default_factory=Counter)  # sold out and the like
    retried_placements: int = 0
    webhook_outcomes: Counter[str] = field(default_factory=Counter)
    repeat_outcomes: Counter[str] = field(default_factory=Counter)
    delivered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool, status: int) -> None:
        with self.lock:
            self.samples[kind].append(seconds * 1000)
            self.statuses[(kind, status)] += 1
            self.timeline.append((time.monotonic(), ok))
            if not ok:
                self.failures[kind] += 1

    def note(self, counter: str, key: str) -> None:
        with self.lock:
            getattr(self, counter)[key] += 1


@dataclass
class Load:
    duration: float
    clients: int
    kill_after: float | None
    seed: int = 1


class Shopper:
    """Browses, searches, opens products, and now and then buys hot variants."""

    def __init__(self, cluster: Cluster, email: str, stats: Stats, rng: random.Random) -> None:
        self.cluster = cluster
        self.email = email
        self.stats = stats
        self.rng = rng
        self.browser = Browser(cluster.port, stats)
        self.logged_in = False
        self.cart_dirty = False

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.30:
            self.browser.request("listing", "GET", f"/products?page={self.rng.randint(1, 5)}")
        elif roll < 0.50:
            query = urlencode({"q": prefix_query(self.rng)})
            self.browser.request("search", "GET", f"/products?{query}")
        elif roll < 0.70:
            slug = self.rng.choice(self.cluster.seeded.slugs)
            self.browser.request("product", "GET", f"/products/{slug}")
        else:
            self.buy("card" if self.rng.random() < 0.5 else "bank_transfer")

    def clear_cart(self) -> None:
        page = self.browser.request("cart", "GET", "/cart")
        if page.status != 200:
            return
        for line_id in sorted(set(re.findall(r'action="/cart/lines/(\d+)/remove"', page.body))):
            self.browser.request(
                "cart",
                "POST",
                f"/cart/lines/{line_id}/remove",
                form={"csrf_token": csrf_token(page.body)},
                ok=(302,),
            )
        self.cart_dirty = False

    def buy(self, payment: str) -> None:
        if not self.logged_in:
            self.logged_in = self.browser.login(self.email)
            if not self.logged_in:
                return
        if self.cart_dirty:
            self.clear_cart()
        self.cart_dirty = True
        hot = self.cluster.seeded.hot
        chosen = self.rng.sample(hot, self.rng.choice((1, 1, 2)))
        for variant in chosen:
            page = self.browser.request("product", "GET", f"/products/{variant.product_slug}")
            if page.status != 200:
                return
            added = self.browser.request(
                "cart_add",
                "POST",
                "/cart/add",
                form={
                    "csrf_token": csrf_token(page.body),
                    "product": variant.product_slug,
                    "variant_id": variant.variant_id,
                    "quantity": self.rng.choice((1, 1, 2)),
                    "next": "",
                },
                ok=(302, 400),  # 400: sold out, the form says so
            )
            if added.status == 400:
                self.stats.note("refused", "add to cart: sold out")
        form_page = self.browser.request("checkout", "GET", "/checkout", ok=(200, 302))
        if form_page.status != 200:
            if form_page.status == 302:
                self.stats.note("refused", "checkout: cart has a sold-out line")
            return
        cooperatives = set(re.findall(r'name="delivery_(\d+)"', form_page.body))
        chose = self.browser.request(
            "checkout",
            "POST",
            "/checkout",
            form={
                **ADDRESS_FORM,
                **{f"delivery_{c}": "pickup" for c in cooperatives},
                "payment_method": payment,
                "csrf_token": csrf_token(form_page.body),
            },
            ok=(302,),
        )
        if chose.status != 302:
            return
        review = self.browser.request("review", "GET", "/checkout/review", ok=(200, 400))
        if review.status != 200:
            if review.status == 400:
                self.stats.note("refused", "review: sold out meanwhile")
            return
        form = {
            "csrf_token": csrf_token(review.body),
            "idempotency_key": hidden(review.body, "idempotency_key"),
            "expected_total": hidden(review.body, "expected_total"),
        }
        kind = f"place_{'card' if payment == 'card' else 'bank'}"
        placed = self.browser.request(kind, "POST", "/checkout/place", form=form, ok=(302,))
        attempts = 1
        while placed.status == 0 and attempts < 4:
            # Cut off (its server died): send the same form again, as a browser's retry would;
            # the idempotency key makes it the same order if the first one was placed.
            attempts += 1
            with self.stats.lock:
                self.stats.retried_placements += 1
            time.sleep(0.2)
            placed = self.browser.request(kind, "POST", "/checkout/place", form=form, ok=(302,))
        number = ORDER_PATH.search(placed.location) if placed.status == 302 else None
        if number is None:
            if placed.status == 400:
                self.stats.note("refused", "place order: sold out")
            return
        self.cart_dirty = False
        with self.stats.lock:
            self.stats.orders.append(number.group(1))
        if payment == "card":
            self.pay_by_card(number.group(1))

    def pay_by_card(self, number: str) -> None:
        page = self.browser.request("pay_page", "GET", f"/orders/{number}/payment")
        if page.status != 200:
            return
        started = self.browser.request(
            "card_start",
            "POST",
            f"/orders/{number}/payment/card",
            form={"csrf_token": csrf_token(page.body)},
            ok=(303,),
        )
        if started.status != 303 or "/pay/" not in started.location:
            return
        session_id = started.location.rsplit("/", 1)[-1]
        signed = self.cluster.stripe.complete(session_id)

        def deliver(kind: str) -> str:
            # Stripe, not this shopper, posts the event (no cookies), and sends it again after
            # a failure (no answer or a 5xx), as Stripe does, if sooner.
            stripe = Browser(self.cluster.port, self.stats)
            for attempt in range(4):
                reply = stripe.request(
                    kind if attempt == 0 else "webhook_retry",
                    "POST",
                    "/payments/stripe/webhook",
                    body=signed.payload,
                    headers=signed.headers,
                )
                if reply.status == 200:
                    return str(json.loads(reply.body).get("outcome"))
                if 0 < reply.status < 500:
                    break
                time.sleep(0.5)
            return f"status {reply.status}"

        roll = self.rng.random()
        if roll < 0.15:
            # Stripe retried while the first delivery was still being handled: both at once.
            outcomes: list[str] = []
            threads = [
                threading.Thread(target=lambda: outcomes.append(deliver("webhook")))
                for _ in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for outcome in sorted(outcomes, key=lambda o: o != "paid")[:1]:
                self.stats.note("webhook_outcomes", outcome)
            for outcome in sorted(outcomes, key=lambda o: o != "paid")[1:]:
                self.stats.note("repeat_outcomes", outcome)
            return
        self.stats.note("webhook_outcomes", deliver("webhook"))
        if roll < 0.45:
            self.stats.note("repeat_outcomes", deliver("webhook_repeat"))


class Member:
    """A cooperative member working through the paid orders: accept, set out, hand over."""

    def __init__(self, cluster: Cluster, email: str, stats: Stats) -> None:
        self.browser = Browser(cluster.port, stats)
        self.email = email
        self.stats = stats
        self.logged_in = False

    def step(self) -> None:
        if not self.logged_in:
            self.logged_in = self.browser.login(self.email)
            return
        listing = self.browser.request("fulfil", "GET", "/vendor/orders?group=to_accept")
        ids = sorted(set(re.findall(r'href="/vendor/orders/(\d+)"', listing.body)))
        for vendor_order_id in ids[:5]:
            page = self.browser.request("fulfil", "GET", f"/vendor/orders/{vendor_order_id}")
            if page.status != 200:
                continue
            token = csrf_token(page.body)
            moved = True
            for move in ("accept", "ready", "deliver"):
                reply = self.browser.request(
                    "fulfil",
                    "POST",
                    f"/vendor/orders/{vendor_order_id}/{move}",
                    form={"csrf_token": token},
                    ok=(302, 409),  # 409: moved meanwhile (a cancelled or expired order)
                )
                moved = moved and reply.status == 302
            if moved:
                with self.stats.lock:
                    self.stats.delivered += 1


def run_load(cluster: Cluster, load: Load, log: Callable[[str], None] = print) -> Stats:
    """Shoppers and members until ``load.duration`` has passed; one server is SIGKILLed after
    ``load.kill_after`` seconds."""
    stats = Stats()
    stop = threading.Event()
    errors: list[BaseException] = []
    emails = cluster.seeded.shoppers[: load.clients]

    def loop(actor: Shopper | Member, pause: float) -> None:
        try:
            while not stop.is_set():
                actor.step()
                if pause:
                    stop.wait(pause)
        except BaseException as error:  # noqa: BLE001 - reported after the run
            errors.append(error)
            stop.set()

    threads = [
        threading.Thread(
            target=loop,
            args=(Shopper(cluster, email, stats, random.Random(load.seed * 1000 + n)), 0.0),
            name=f"shopper-{n}",
        )
        for n, email in enumerate(emails)
    ] + [
        threading.Thread(target=loop, args=(Member(cluster, email, stats), 0.5), name="member")
        for email in cluster.seeded.members.values()
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    stats.started = started
    deadline = started + load.duration
    if load.kill_after is not None:
        stop.wait(max(0.0, started + load.kill_after - time.monotonic()))
        if not stop.is_set():
            victim = cluster.servers[0]
            victim.kill()
            log(
                f"  t={time.monotonic() - started:.1f} s: SIGKILL {victim.name} "
                f"(:{victim.port}, pid {victim.process.pid}, with its workers)"
            )
    stop.wait(max(0.0, deadline - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 10)
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]!r}") from errors[0]
    return stats


# --------------------------------------------------------------------------------------------
# Figures and checks
# --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def figures(stats: Stats, load: Load) -> list[dict[str, Any]]:
    rows = []
    for kind in sorted(stats.samples, key=lambda k: -len(stats.samples[k])):
        values = stats.samples[kind]
        rows.append(
            {
                "kind": kind,
                "requests": len(values),
                "failed": stats.failures[kind],
                "per_second": len(values) / load.duration,
                "p50_ms": statistics.median(values),
                "p95_ms": percentile(values, 95),
                "p99_ms": percentile(values, 99),
            }
        )
    return rows


def print_figures(rows: list[dict[str, Any]], stats: Stats, load: Load) -> None:
    total = sum(r["requests"] for r in rows)
    print(
        f"\n  {total:,} requests in {load.duration:g} s = {total / load.duration:.1f} req/s "
        f"through the proxy ({load.clients} shoppers + members, latency includes queueing):"
    )
    print(
        f"  {'kind':<15} {'requests':>8} {'failed':>6} {'req/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for r in rows:
        print(
            f"  {r['kind']:<15} {r['requests']:>8,} {r['failed']:>6} {r['per_second']:>7.1f} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f}"
        )


def around_the_kill(stats: Stats, cluster: Cluster) -> dict[str, Any] | None:
    victim = next((s for s in cluster.servers if s.killed_at is not None), None)
    if victim is None or victim.killed_at is None:
        return None
    after = [ok for at, ok in stats.timeline if at >= victim.killed_at]
    before = [ok for at, ok in stats.timeline if at < victim.killed_at]
    end = max((at for at, _ in stats.timeline), default=victim.killed_at)
    return {
        "killed": victim.name,
        "at_seconds": victim.killed_at - stats.started,
        "before_ok": sum(before),
        "before_failed": len(before) - sum(before),
        "after_ok": sum(after),
        "after_failed": len(after) - sum(after),
        "after_seconds": end - victim.killed_at,
    }


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_invariants(database_url: str, stats: Stats) -> list[Check]:
    """Read the database once the load has stopped: the orders, stock, payments and ledger."""
    engine = create_engine(_psycopg(database_url))
    checks: list[Check] = []
    try:
        with engine.connect() as conn:
            statuses = {"holding": HOLDS_STOCK, "sold": SOLD, "paid": PAID_OR_LATER}

            def rows(sql: str) -> list[Any]:
                params = {k: list(v) for k, v in statuses.items() if f":{k}" in sql}
                return list(conn.execute(text(sql), params).all())

            numbers = {r[0] for r in rows("SELECT number FROM orders")}
            lost = sorted(set(stats.orders) - numbers)
            checks.append(
                Check(
                    "no lost order",
                    not lost and len(set(stats.orders)) == len(stats.orders),
                    f"{len(stats.orders)} orders confirmed to shoppers, all in the database "
                    f"({len(numbers)} orders there)"
                    if not lost
                    else f"missing: {lost[:10]}",
                )
            )

            stock = rows(
                """
                SELECT v.id, v.on_hand, v.reserved, COALESCE(m.total, 0), COALESCE(h.held, 0),
                       COALESCE(m.sold, 0), COALESCE(s.sold, 0)
                FROM product_variants v
                LEFT JOIN (SELECT variant_id, SUM(quantity) AS total,
                                  -SUM(CASE WHEN reason = 'sale' THEN quantity ELSE 0 END) AS sold
                           FROM stock_movements GROUP BY variant_id) m ON m.variant_id = v.id
                LEFT JOIN (SELECT l.variant_id, SUM(l.quantity) AS held FROM order_lines l
                           JOIN vendor_orders vo ON vo.id = l.vendor_order_id
                           WHERE vo.status = ANY(:holding) GROUP BY l.variant_id) h
                       ON h.variant_id = v.id
                LEFT JOIN (SELECT l.variant_id, SUM(l.quantity) AS sold FROM order_lines l
                           JOIN vendor_orders vo ON vo.id = l.vendor_order_id
                           WHERE vo.status = ANY(:sold) GROUP BY l.variant_id) s
                       ON s.variant_id = v.id
                """
            )
            oversold = [r for r in stock if r[1] < 0 or r[2] < 0 or r[2] > r[1]]
            ledger = [r for r in stock if r[3] != r[1]]
            reserved = [r for r in stock if r[4] != r[2]]
            sales = [r for r in stock if r[5] != r[6]]
            sold_out = sum(1 for r in stock if r[1] - r[2] == 0 and r[4] + r[6] > 0)
            checks.append(
                Check(
                    "no variant oversold",
                    not oversold,
                    f"{len(stock):,} variants: on hand ≥ reserved ≥ 0 everywhere; {sold_out} "
                    f"ordered variants sold out"
                    if not oversold
                    else f"variants (id, on hand, reserved): {[r[:3] for r in oversold[:10]]}",
                )
            )
            checks.append(
                Check(
                    "reserved is what open orders hold, sold is what was handed over",
                    not reserved and not sales,
                    f"{sum(r[2] for r in stock)} units reserved, {sum(r[6] for r in stock)} sold"
                    if not reserved and not sales
                    else f"reserved ≠ held: {[(r[0], r[2], r[4]) for r in reserved[:10]]}; "
                    f"sale movements ≠ delivered lines: {[(r[0], r[5], r[6]) for r in sales[:10]]}",
                )
            )
            checks.append(
                Check(
                    "stock ledger sums to on hand",
                    not ledger,
                    f"{len(stock):,} variants"
                    if not ledger
                    else f"(id, on hand, ledger): {[(r[0], r[1], r[3]) for r in ledger[:10]]}",
                )
            )

            twice = rows(
                """
                SELECT a.vendor_order_id, COUNT(*) FROM payment_allocations a
                JOIN payments p ON p.id = a.payment_id
                WHERE p.status IN ('succeeded', 'refunded', 'held')
                GROUP BY a.vendor_order_id HAVING COUNT(*) > 1
                """
            )
            applied_twice = rows(
                "SELECT payment_id, COUNT(*) FROM stripe_events WHERE outcome = 'paid' "
                "GROUP BY payment_id HAVING COUNT(*) > 1"
            )
            unpaid_but_moved = rows(
                """
                SELECT vo.id FROM vendor_orders vo JOIN orders o ON o.id = vo.order_id
                WHERE vo.status = ANY(:paid) AND NOT EXISTS (
                    SELECT 1 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                    WHERE a.vendor_order_id = vo.id AND p.status = 'succeeded')
                """
            )
            paid_parts = rows("SELECT COUNT(*) FROM vendor_orders WHERE status = ANY(:paid)")[0][0]
            repeats_applied = stats.repeat_outcomes.get("paid", 0)
            checks.append(
                Check(
                    "no order paid twice",
                    not twice
                    and not applied_twice
                    and not unpaid_but_moved
                    and not repeats_applied,
                    f"{paid_parts} parts paid, each by one payment; "
                    f"{sum(stats.repeat_outcomes.values())} repeated webhook deliveries answered "
                    f"{dict(stats.repeat_outcomes)}"
                    if not (twice or applied_twice or unpaid_but_moved or repeats_applied)
                    else f"vendor orders with two payments: {twice[:10]}; payments applied twice: "
                    f"{applied_twice[:10]}; paid without a payment: {unpaid_but_moved[:10]}; "
                    f"repeats that paid: {repeats_applied}",
                )
            )

            rate = Fraction(COMMISSION_PERCENT)
            delivered = rows(
                """
                SELECT vo.id, vo.cooperative_id, vo.total, vo.items_total,
                       EXISTS (SELECT 1 FROM payment_allocations a
                               JOIN payments p ON p.id = a.payment_id
                               WHERE a.vendor_order_id = vo.id AND p.status = 'succeeded'
                                 AND p.payee = 'cooperative')
                FROM vendor_orders vo WHERE vo.status = ANY(:sold)
                """
            )
            entries = rows(
                "SELECT vendor_order_id, cooperative_id, kind, amount FROM settlement_entries"
            )
            signs = {"earning": 1, "commission": -1, "collected": -1, "refund": -1, "payout": -1}
            expected: dict[int, dict[str, int]] = {}
            owed: Counter[int] = Counter()
            for vo_id, cooperative_id, total, items_total, collected in delivered:
                commission = (items_total * rate.numerator) // (100 * rate.denominator)
                lines = {"earning": total}
                if commission:
                    lines["commission"] = commission
                if collected:
                    lines["collected"] = total
                expected[vo_id] = lines
                owed[cooperative_id] += total - commission - (total if collected else 0)
            posted: dict[int, dict[str, int]] = defaultdict(dict)
            balance: Counter[int] = Counter()
            for vo_id, cooperative_id, kind, amount in entries:
                if vo_id is not None:
                    posted[vo_id][kind] = posted[vo_id].get(kind, 0) + amount
                balance[cooperative_id] += signs[kind] * amount
            wrong = [vo for vo in set(expected) | set(posted) if expected.get(vo) != posted.get(vo)]
            unbalanced = [c for c in set(owed) | set(balance) if owed[c] != balance[c]]
            card_in = rows(
                "SELECT COALESCE(SUM(amount), 0) FROM payments "
                "WHERE method = 'card' AND status = 'succeeded'"
            )[0][0]
            card_owed = rows(
                """
                SELECT COALESCE(SUM(vo.total), 0) FROM vendor_orders vo
                JOIN orders o ON o.id = vo.order_id
                WHERE o.payment_method = 'card' AND vo.status = ANY(:paid)
                """
            )[0][0]
            ok = not wrong and not unbalanced and card_in == card_owed
            checks.append(
                Check(
                    "ledgers balance",
                    ok,
                    f"{len(delivered)} delivered parts, each with its earning and "
                    f"{COMMISSION_PERCENT}% commission; {len(balance)} cooperatives' balances "
                    f"= their entries (Rp{sum(balance.values()):,} owed); card money in "
                    f"Rp{card_in:,} = paid card parts Rp{card_owed:,}"
                    if ok
                    else f"parts posted wrong: {wrong[:10]}; cooperatives off: {unbalanced[:10]}; "
                    f"card money in {card_in} vs paid card parts {card_owed}",
                )
            )
    finally:
        engine.dispose()
    return checks


def server_metrics(port: int) -> dict[str, float]:
    """The surviving server's order and payment counters (all its workers: multiprocess)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
    except OSError:
        return {}
    found = {}
    for line in body.splitlines():
        if line.startswith(("opop_orders_placed_total", "opop_payments_total", "opop_webhook")):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (any database on it); a fresh database is created and dropped",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/12",
        help="a Redis database of its own: it is flushed before and after",
    )
    parser.add_argument("--duration", type=float, default=45.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=12, help="concurrent shoppers")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument(
        "--kill-at", type=float, default=0.5, help="kill a server at this share of the run"
    )
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    info = machine()
    print("=== Machine ===")
    print(
        f"  {info['cores']} cores ({info['cpu']}), load average {info['load_average']} "
        f"before the run; Python {info['python']}"
    )
    load = Load(
        duration=args.duration,
        clients=args.clients,
        kill_after=args.duration * args.kill_at if args.kill_at > 0 else None,
        seed=args.seed,
    )
    print("=== Cluster ===")
    with (
        fresh_database(args.database, keep=args.keep) as url,
        running_cluster(
            url,
            args.redis_url,
            products=args.products,
            shoppers=args.clients,
            workers=args.workers,
            seed_value=args.seed,
        ) as cluster,
    ):
        print(f"=== Load: {args.duration:g} s, {args.clients} shoppers ===")
        stats = run_load(cluster, load)
        load_after = [round(x, 2) for x in os.getloadavg()]
        rows = figures(stats, load)
        print_figures(rows, stats, load)
        kill = around_the_kill(stats, cluster)
        if kill:
            print(
                f"\n  {kill['killed']} killed at t={kill['at_seconds']:.1f} s. Before: "
                f"{kill['before_ok']:,} answered, {kill['before_failed']} failed. After "
                f"({kill['after_seconds']:.1f} s): {kill['after_ok']:,} answered by the survivor, "
                f"{kill['after_failed']} failed (cut off in flight)."
            )
        print(
            f"  proxy: connections per upstream {dict(cluster.proxy.stats.connections)}, refused "
            f"connects skipped {dict(cluster.proxy.stats.skipped)}, 502s "
            f"{cluster.proxy.stats.bad_gateway}"
        )
        print(
            f"  orders placed {len(stats.orders)} ({stats.retried_placements} placements resent "
            f"after a cut-off); refused: {dict(stats.refused)}; webhook first deliveries "
            f"{dict(stats.webhook_outcomes)}; parts delivered by members {stats.delivered}"
        )
        survivor = next(s for s in cluster.servers if s.killed_at is None)
        counters = server_metrics(survivor.port)
        if counters:
            print(f"  {survivor.name}'s /metrics (its share only): {counters}")
        print(f"  load average after the run {load_after}")
        print("=== Checks ===")
        checks = check_invariants(url, stats)
        for check in checks:
            print(f"  [{'ok' if check.ok else 'FAILED'}] {check.name}: {check.detail}")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": info,
                        "load_average_after": load_after,
                        "settings": vars(args) | {"json": str(args.json)},
                        "figures": rows,
                        "kill": kill,
                        "orders": len(stats.orders),
                        "checks": [vars(c) for c in checks],
                    },
                    indent=2,
                    default=str,
                )
            )
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
