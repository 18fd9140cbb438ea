"""Browser tests: the real app served over HTTP on 127.0.0.1, driven by headless Chromium.

The live server runs in a thread of this process against its own committed database (never the
per-test rolled-back transaction of ``tests/conftest.py``), so e2e tests must not request the
``app`` or ``client`` fixtures. CSRF protection is on, as in production.

Only Debian's Chromium at ``/usr/bin/chromium`` is used; Playwright's own browser downloads are
never needed. All tests here are marked ``slow`` and so run on PostgreSQL only.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from marketplace.extensions import db
from tests.conftest import make_test_app, migrate_to_head
from tests.databases import fresh_database
from tests.ports import free_port
from tests.xendit_fake import FakeXendit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing but the live server resolves: a stray request to another host fails fast.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOCAL_HOST = "127.0.0.1"

#: The phase reports of a test (setup/call/teardown), for the screenshot-on-failure logic.
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def _no_rolled_back_app(request: pytest.FixtureRequest) -> None:
    """The shared ``app`` fixture wraps each test in a transaction the live server cannot see."""
    for name in ("app", "client"):
        if name in request.fixturenames:
            pytest.fail(
                f"e2e tests must not use the `{name}` fixture: its data lives in a transaction "
                "that is rolled back and invisible to the live server. Use `live_server.app`."
            )


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask

    def path(self, path: str) -> str:
        """The absolute URL of a path on the live server."""
        return self.url + path


@contextmanager
def serve_app(workdir: Path, **overrides: Any) -> Iterator[LiveServer]:
    """The app with the demo data, committed, served on 127.0.0.1 in a daemon thread, with
    ``overrides`` in its configuration."""
    from marketplace.demo import seed_demo
    from marketplace.regions.loader import load as load_regions
    from tests.regions_data import SUBSET as REGION_SUBSET

    _require_compiled_catalogues()
    uploads = workdir / "uploads"
    uploads.mkdir()
    with fresh_database(str(workdir), prefix="opop_e2e") as database_url:
        app = make_test_app(
            database_url,
            str(uploads),
            WTF_CSRF_ENABLED=True,
            MAIL_BACKEND="memory",
            **overrides,
        )
        # The "testing" config turns CSRF off; the override must win for the browser.
        assert app.config["WTF_CSRF_ENABLED"] is True, "CSRF must be on for the live server"
        migrate_to_head(app)
        with app.app_context():
            seed_demo()
            # The address form's region lists: Kota Mojokerto whole, a little of Surabaya and
            # Jakarta (tests/regions_data.py), as `flask regions load` would give in full.
            load_regions(REGION_SUBSET)
            db.session.commit()

        port = free_port()
        # Links that leave the site (emails, Stripe's return page) are built on this address.
        app.config["SERVER_BASE_URL"] = f"http://{LOCAL_HOST}:{port}"
        server: BaseWSGIServer = make_server(LOCAL_HOST, port, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, name=f"e2e-live-server-{port}", daemon=True
        )
        thread.start()
        live = LiveServer(url=f"http://{LOCAL_HOST}:{port}", app=app)
        try:
            _wait_until_serving(live)
            yield live
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="module")
def fake_xendit() -> Iterator[FakeXendit]:
    """A fake Xendit API for one module's live server (`FakeXendit.settings` points it there)."""
    fake = FakeXendit().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo data, committed, served on 127.0.0.1 in a daemon thread."""
    with serve_app(tmp_path_factory.mktemp("e2e")) as live:
        yield live


def _require_compiled_catalogues() -> None:
    """The .mo files are build output (git-ignored): missing or stale, English pages go wrong."""
    for po in sorted((PROJECT_ROOT / "marketplace" / "translations").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or _translations(po) != _translations(mo):
            pytest.fail(
                f"{mo.relative_to(PROJECT_ROOT)} is missing or does not match its .po: run "
                "`pybabel compile -d marketplace/translations` first.",
                pytrace=False,
            )


def _translations(path: Path) -> dict[object, object]:
    """The translated, non-fuzzy messages of a catalogue (what `pybabel compile` keeps)."""
    with path.open("rb") as file:
        catalog = read_po(file) if path.suffix == ".po" else read_mo(file)
    return {
        _hashable(message.id): _hashable(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


def _hashable(value: object) -> object:
    """Plural messages come as lists from a .po and as tuples from a .mo."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _wait_until_serving(live: LiveServer) -> None:
    try:
        with urllib.request.urlopen(live.path("/healthz"), timeout=10) as response:  # noqa: S310
            assert response.status == 200
    except Exception as error:  # noqa: BLE001 - any failure here means the server is unusable
        pytest.fail(f"the live server at {live.url} did not answer /healthz: {error!r}")


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium` "
            "(never `playwright install`; it downloads browsers and there is no internet here).",
            pytrace=False,
        )
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; a screenshot when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(report.failed for report in reports.values()):
            _save_failure_artifacts(page, request.node.nodeid)
        context.close()


def _save_failure_artifacts(page: Page, nodeid: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", nodeid).strip("_")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Error as error:  # the page may be gone; the test's own failure matters more
        print(f"could not save failure artifacts for {nodeid}: {error}")


@dataclass
class PageEvents:
    """What the page did besides rendering: console errors, uncaught errors, foreign requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if parts.hostname != LOCAL_HOST:
            self.foreign_requests.append(f"{request.method} {request.url}")

    def assert_clean(self) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.foreign_requests, f"requests left 127.0.0.1: {self.foreign_requests}"


@pytest.fixture
def page_events(page: Page) -> PageEvents:
    """Listens from before the first navigation; call ``assert_clean()`` at the end of a test."""
    events = PageEvents()
    page.on("console", events.on_console)
    page.on("pageerror", events.on_page_error)
    page.on("request", events.on_request)
    return events
