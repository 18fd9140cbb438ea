"""Lighthouse on a phone: the five pages of a purchase, as production serves them.

It creates a fresh PostgreSQL database (``flask db upgrade``), loads the demo data (``flask
seed-demo --force``, as an officer would for a demonstration), and starts the production stack
on 127.0.0.1: gunicorn as production runs it (``MARKETPLACE_CONFIG=production``,
gunicorn.conf.py, ``PROXY_FIX_*=1``) behind Debian's nginx with the site as shipped
(deploy/nginx-pasar-opop.conf inside Debian's /etc/nginx/nginx.conf: TLS, HTTP/2, /static/
from disk with a 7-day expiry, compression), with a self-signed certificate for the site's name.
The demo shopper signs in and puts three products in the cart. Then Lighthouse (pinned below,
from the npm registry, installed on first use under ``bench/.lighthouse``) audits home, listing,
product, cart and checkout at https://pasar-opop.mojokertokota.go.id/ with Debian's Chromium,
which reaches nginx for that name (``--host-resolver-rules``) and trusts its certificate
(``--ignore-certificate-errors-spki-list``), with Lighthouse's default mobile profile: a
mid-range phone's screen and a CPU 4x slower than this machine's on a slow 4G connection,
simulated. The cart and checkout are audited signed in: the shopper's cookies go with every
request (``--extra-headers``), as does ``Accept-Language: id``, the site's own language.

Each page is audited ``--runs`` times (3); the table shows the medians of the four category
scores and of the Core Web Vitals (LCP, CLS, TBT) with FCP and Speed Index, then checks the
targets: performance at least 95, accessibility and best practices 100 on every page, SEO 100
on the public pages (the cart and checkout are closed to search engines on purpose, in
robots.txt). For each miss it lists the audits that fell short in the median run.

    .venv/bin/python bench/lighthouse.py \\
        --database postgresql://postgres@127.0.0.1:5432/postgres \\
        --redis-url redis://127.0.0.1:6379/13

Needs nginx and openssl (Debian's), Chromium at /usr/bin/chromium, and Node 18.16 or later for
Lighthouse 12 (Debian 12: ``apt-get install nodejs npm``; Lighthouse 13 needs a newer Node than
Debian's). The Redis database is flushed before and after: give it its own. Not part of the
test suite (pytest does not collect bench/): it prints figures, and exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.dont_write_bytecode = True  # write nothing into the repository
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.catalogue import scratch_postgres_database  # noqa: E402
from bench.cluster import (  # noqa: E402
    _psycopg,
    flush_redis,
    migrate,
    start_process,
    stop_process,
    wait_until_ready,
)
from marketplace.demo import DEMO_PASSWORD  # noqa: E402
from tests.nginx import SITE_NAME, public_key_pin, rendered_nginx, running_nginx  # noqa: E402
from tests.ports import free_port  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
LIGHTHOUSE_DIR = ROOT / "bench" / ".lighthouse"
NODE_MINIMUM = (18, 16)
CHROMIUM = Path("/usr/bin/chromium")
SITE = f"https://{SITE_NAME}"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = (
    # (audit, column, unit): the Core Web Vitals Lighthouse measures, then FCP and Speed Index.
    ("largest-contentful-paint", "LCP", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("total-blocking-time", "TBT", "ms"),
    ("first-contentful-paint", "FCP", "ms"),
    ("speed-index", "SI", "ms"),
)
SHOPPER = "pembeli@demo.test"
#: Products the shopper puts in the cart: demo products of three cooperatives, one variant each.
CART_PRODUCTS = 3
REQUEST_TIMEOUT = 30.0
LIGHTHOUSE_TIMEOUT = 300.0


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    public: bool  # open to search engines: SEO counts


PAGES = (
    Target("home", "/", True),
    Target("listing", "/products", True),
    Target("product", "/products/keripik-tempe-original-al-hikmah", True),
    Target("cart", "/cart", False),
    Target("checkout", "/checkout", False),
)


@dataclass
class Result:
    page: Target
    runs: list[dict[str, Any]] = field(default_factory=list)

    def scores(self, run: dict[str, Any]) -> dict[str, int]:
        return {name: round(100 * (run["categories"][name]["score"] or 0)) for name in CATEGORIES}

    def median_score(self, category: str) -> float:
        return statistics.median(self.scores(run)[category] for run in self.runs)

    def median_metric(self, audit: str) -> float:
        return statistics.median(run["audits"][audit]["numericValue"] for run in self.runs)

    def median_run(self) -> dict[str, Any]:
        """The run whose performance score is the median (Lighthouse's own advice for
        reading one run's details out of several)."""
        ordered = sorted(self.runs, key=lambda run: self.scores(run)["performance"])
        return ordered[len(ordered) // 2]


# --------------------------------------------------------------------------------------------
# Lighthouse and the browser
# --------------------------------------------------------------------------------------------


def node_version() -> tuple[int, int]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is missing: `apt-get install nodejs npm` (Debian 12's Node 18)")
    text = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"v(\d+)\.(\d+)", text.strip())
    if match is None:
        raise SystemExit(f"cannot read node's version from {text!r}")
    return int(match.group(1)), int(match.group(2))


def lighthouse_cli(directory: Path) -> Path:
    """Lighthouse's command line, installed from the npm registry at the pinned version."""
    if node_version() < NODE_MINIMUM:
        raise SystemExit(f"Lighthouse {LIGHTHOUSE_VERSION} needs Node {NODE_MINIMUM} or later")
    package = directory / "node_modules" / "lighthouse"
    installed = None
    with contextlib.suppress(OSError, ValueError):
        installed = json.loads((package / "package.json").read_text())["version"]
    if installed != LIGHTHOUSE_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is missing: `apt-get install nodejs npm`")
        print(f"  installing lighthouse@{LIGHTHOUSE_VERSION} under {directory}")
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(directory),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return package / "cli" / "index.js"


def audit(
    cli: Path, url: str, chrome_flags: str, headers: dict[str, str], output: Path, log: Path
) -> dict[str, Any]:
    """One Lighthouse run of ``url`` with the default mobile profile; its JSON report."""
    argv = [
        "node",
        str(cli),
        url,
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={chrome_flags}",
        f"--extra-headers={json.dumps(headers)}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    with log.open("ab") as handle:
        subprocess.run(
            argv,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=LIGHTHOUSE_TIMEOUT,
        )
    report: dict[str, Any] = json.loads(output.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse could not audit {url}: {report['runtimeError']}")
    return report


# --------------------------------------------------------------------------------------------
# The server and the shopper
# --------------------------------------------------------------------------------------------


def server_environment(
    database_url: str, redis_url: str, workdir: Path, port: int
) -> dict[str, str]:
    """What the app server gets from /etc/pasar-opop/env (deploy/env.example), pointed here."""
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
        SECRET_KEY=secrets.token_hex(32),
        UPLOAD_FOLDER=str(workdir / "uploads"),
        MAIL_BACKEND="log",
        # The site's address; TRUSTED_HOSTS unset: its name and the loopback names.
        SERVER_BASE_URL=SITE,
        PROXY_FIX_X_FOR="1",  # nginx in front, as the README's Production section says
        PROXY_FIX_X_PROTO="1",
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG=os.devnull,
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
    )
    (workdir / "metrics").mkdir()
    return env


def seed_demo(env: dict[str, str]) -> None:
    flask = Path(sys.executable).with_name("flask")
    subprocess.run(
        [str(flask), "--app", "wsgi", "seed-demo", "--force"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass(frozen=True)
class Stack:
    https_port: int  # nginx's
    certificate: Path

    def chrome_flags(self) -> str:
        """Chromium reaches nginx for the site's name, trusts its certificate, and nothing
        else resolves: a stray request elsewhere fails at once."""
        rules = f"MAP {SITE_NAME} 127.0.0.1:{self.https_port}, MAP * ~NOTFOUND"
        return (
            f'{CHROME_FLAGS} --host-resolver-rules="{rules}" '
            f"--ignore-certificate-errors-spki-list={public_key_pin(self.certificate)}"
        )


@contextlib.contextmanager
def running_stack(database_url: str, redis_url: str, workdir: Path) -> Iterator[Stack]:
    """Migrate and seed the database, start gunicorn as production does and nginx with the
    site in front of it."""
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    env = server_environment(database_url, redis_url, workdir, app_port)
    flush_redis(redis_url)
    seconds = migrate(env)
    started = time.perf_counter()
    seed_demo(env)
    print(
        f"  database migrated in {seconds:.1f} s, demo data loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process, log = start_process("gunicorn", [gunicorn, "wsgi:app"], env, workdir)
    nginx_dir = workdir / "nginx"
    nginx_dir.mkdir()
    try:
        wait_until_ready(app_port, process, log)
        conf = rendered_nginx(
            nginx_dir, http_port=http_port, https_port=https_port, app_port=app_port, debian=True
        )
        with running_nginx(conf, https_port):
            print(
                f"  gunicorn (production configuration) on 127.0.0.1:{app_port}, behind nginx "
                f"(deploy/nginx-pasar-opop.conf in Debian's nginx.conf) on 127.0.0.1:{https_port}"
            )
            yield Stack(https_port, nginx_dir / "fullchain.pem")
    finally:
        stop_process(process)
        with contextlib.suppress(Exception):
            flush_redis(redis_url)


class _SiteConnection(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1 for the site's name (SNI), checked against its certificate."""

    def __init__(self, stack: Stack) -> None:
        context = ssl.create_default_context(cafile=str(stack.certificate))
        super().__init__(SITE_NAME, stack.https_port, timeout=REQUEST_TIMEOUT, context=context)
        self._context = context

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=SITE_NAME)


class Shopper:
    """The demo shopper's browser, for signing in and filling the cart: cookies and forms."""

    _FIELD = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
    _CARD_FORM = re.compile(r'<form method="post" action="/cart/add"[^>]*>(.*?)</form>', re.S)

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        headers = {"Accept-Language": "id", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = SITE + path  # over https, Flask-WTF wants the same site's
        conn = _SiteConnection(self.stack)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status not in (200, 302):
            raise RuntimeError(f"{method} {path} answered {response.status}")
        return text

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def sign_in(self, email: str, password: str) -> None:
        page = self.request("GET", "/account/login")
        token = dict(self._FIELD.findall(page))["csrf_token"]
        self.request(
            "POST", "/account/login", {"email": email, "password": password, "csrf_token": token}
        )
        if "/account/profile" not in self.request("GET", "/"):
            raise RuntimeError(f"{email} could not sign in")

    def fill_cart(self, count: int) -> int:
        """Add the first ``count`` products of the listing that go straight into the cart."""
        forms = [
            dict(self._FIELD.findall(form))
            for form in self._CARD_FORM.findall(self.request("GET", "/products"))
        ]
        for fields in forms[:count]:
            self.request("POST", "/cart/add", fields)
        cart = self.request("GET", "/cart")
        lines = len(re.findall(r'action="/cart/lines/\d+/remove"', cart))
        if lines < min(count, len(forms)) or lines == 0:
            raise RuntimeError(f"the cart holds {lines} lines after adding {count} products")
        self.request("GET", "/checkout")  # it opens: the cart is ready to check out
        return lines


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def run_audits(
    cli: Path, stack: Stack, cookies: str, runs: int, pages: Sequence[Target], workdir: Path
) -> list[Result]:
    results = []
    log = workdir / "lighthouse.log"
    chrome_flags = stack.chrome_flags()
    for page in pages:
        headers = {"Accept-Language": "id"}
        if not page.public:
            headers["Cookie"] = cookies
        result = Result(page)
        for number in range(1, runs + 1):
            started = time.perf_counter()
            output = workdir / f"{page.name}-{number}.json"
            report = audit(cli, SITE + page.path, chrome_flags, headers, output, log)
            if urlsplit(report["finalDisplayedUrl"]).path != urlsplit(page.path).path:
                raise RuntimeError(f"{page.path} ended on {report['finalDisplayedUrl']}")
            result.runs.append(report)
            scores = result.scores(report)
            print(
                f"  {page.name} run {number}: "
                + ", ".join(f"{name} {scores[name]}" for name in CATEGORIES)
                + f" ({time.perf_counter() - started:.0f} s)"
            )
        results.append(result)
    return results


def missed_targets(result: Result, performance_target: int) -> list[str]:
    missed = []
    if result.median_score("performance") < performance_target:
        missed.append("performance")
    for category in ("accessibility", "best-practices"):
        if result.median_score(category) < 100:
            missed.append(category)
    if result.page.public and result.median_score("seo") < 100:
        missed.append("seo")
    return missed


def shortfalls(run: dict[str, Any], category: str, limit: int = 6) -> list[str]:
    """The audits of ``category`` that did not pass in this run, weightiest first, with what
    Lighthouse says they would save."""
    found = []
    for ref in run["categories"][category]["auditRefs"]:
        result = run["audits"][ref["id"]]
        score = result.get("score")
        mode = result.get("scoreDisplayMode")
        if score is None or score >= 1 or mode in ("notApplicable", "manual", "informative"):
            continue
        detail = result.get("displayValue") or ""
        found.append((ref.get("weight", 0), f"{result['id']} ({score:.2f}) {detail}".strip()))
    found.sort(key=lambda item: -item[0])
    return [text for _, text in found[:limit]]


def format_metric(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"
    return f"{value:.3f}"


def print_table(results: list[Result]) -> None:
    header = ["page", "perf", "a11y", "bp", "seo", *(column for _, column, _ in METRICS)]
    rows = []
    for result in results:
        rows.append(
            [
                result.page.name,
                *(f"{result.median_score(name):g}" for name in CATEGORIES),
                *(format_metric(result.median_metric(a), unit) for a, _, unit in METRICS),
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (any database on it); a fresh database is created and dropped",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="a Redis database of its own: it is flushed before and after",
    )
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page")
    parser.add_argument(
        "--pages", nargs="+", choices=[p.name for p in PAGES], default=[p.name for p in PAGES]
    )
    parser.add_argument("--performance-target", type=int, default=95)
    parser.add_argument(
        "--lighthouse-dir",
        type=Path,
        default=LIGHTHOUSE_DIR,
        help=f"where lighthouse@{LIGHTHOUSE_VERSION} is installed with npm (--prefix)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reports", type=Path, help="also copy the JSON reports to this folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: `apt-get install chromium`")
    cli = lighthouse_cli(args.lighthouse_dir)
    chromium = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print("=== Setup ===")
    print(
        f"  Lighthouse {LIGHTHOUSE_VERSION}, Node {'.'.join(map(str, node_version()))}, "
        f"{chromium}; {os.cpu_count()} cores, load average "
        f"{[round(x, 2) for x in os.getloadavg()]}"
    )
    pages = [page for page in PAGES if page.name in args.pages]
    name = f"opop_lighthouse_{secrets.token_hex(4)}"
    with (
        tempfile.TemporaryDirectory(prefix="opop-lighthouse-") as tmp,
        scratch_postgres_database(_psycopg(args.database), name, args.keep) as database_url,
    ):
        workdir = Path(tmp)
        with running_stack(database_url, args.redis_url, workdir) as stack:
            shopper = Shopper(stack)
            shopper.sign_in(SHOPPER, DEMO_PASSWORD)
            lines = shopper.fill_cart(CART_PRODUCTS)
            print(f"  {SHOPPER} signed in, {lines} products in the cart")
            print(f"=== Lighthouse: {len(pages)} pages, {args.runs} runs each (mobile) ===")
            results = run_audits(cli, stack, shopper.cookie_header(), args.runs, pages, workdir)
        if args.reports:
            args.reports.mkdir(parents=True, exist_ok=True)
            for report in workdir.glob("*.json"):
                shutil.copy(report, args.reports / report.name)
    benchmark = statistics.median(
        run["environment"]["benchmarkIndex"] for result in results for run in result.runs
    )
    print(f"=== Medians of {args.runs} runs (Lighthouse's CPU benchmark index {benchmark:.0f}) ===")
    print_table(results)
    print(
        f"=== Targets: performance >= {args.performance_target}, accessibility and best "
        f"practices 100, SEO 100 on the public pages ==="
    )
    missed_any = False
    for result in results:
        missed = missed_targets(result, args.performance_target)
        if not missed:
            print(f"  [ok] {result.page.name}")
            continue
        missed_any = True
        print(f"  [MISSED] {result.page.name}: {', '.join(missed)}")
        for category in missed:
            for line in shortfalls(result.median_run(), category):
                print(f"      {category}: {line}")
    return 1 if missed_any else 0


if __name__ == "__main__":
    sys.exit(main())
