"""Fixtures: one migrated database per test session, each test inside a transaction rolled back
at its end (SQLAlchemy's "join a session into an external transaction" recipe)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import scoped_session, sessionmaker

from marketplace import create_app
from marketplace.extensions import db, limiter
from tests.databases import backend, fresh_database
from tests.payments.xendit_fixtures import (  # noqa: F401 - the fake Xendit, for every suite
    callback_receiver,
    gateway_app,
    xendit,
    xendit_fake,
    xendit_server,
)
from tests.regions_data import regions  # noqa: F401 - the regions subset, for every suite

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {backend()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests for the other database are deselected (reported as such), never skipped."""
    on_postgres = backend() == "postgres"
    keep, drop = [], []
    for item in items:
        if (
            (item.get_closest_marker("postgres") and not on_postgres)
            or (item.get_closest_marker("sqlite") and on_postgres)
            or (item.get_closest_marker("slow") and not on_postgres)
            or (item.get_closest_marker("redis") and not on_postgres)
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def make_test_app(database_url: str, upload_folder: str, **overrides: Any) -> Flask:
    return create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": upload_folder, **overrides},
    )


def migrate_to_head(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(str(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_test_app(database_url, str(tmp_path_factory.mktemp("uploads")))
    migrate_to_head(application)
    yield application
    with application.app_context():
        db.engine.dispose()


class _TestSession(scoped_session):  # type: ignore[type-arg]
    """The test's session outlives each request, so objects made by factories stay usable.

    At the end of a request Flask-SQLAlchemy removes the session; here that only expires what
    the session holds, so the next access reloads from the database as a new session would.
    """

    def remove(self) -> None:
        if self.registry.has():
            self.registry().expire_all()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the test inside a transaction that is rolled back afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    # No application context stays pushed during the test: each request of the test client must
    # get its own (and its own ``g``), as in production.
    with application.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = _TestSession(  # type: ignore[assignment]
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    with application.app_context():
        limiter.reset()
    application.extensions["mail_backend"].sent.clear()
    application.extensions["mail_backend"].fail_with = None
    application.config["WTF_CSRF_ENABLED"] = False
    try:
        yield
    finally:
        scoped_session.remove(db.session)
        db.session = original  # type: ignore[assignment]
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def committed_app(tmp_path: Any) -> Iterator[Flask]:
    """An app on a database of its own whose writes really commit: for races between
    connections, the browser and several servers. The database is dropped afterwards. It has
    the regions subset (tests/regions_data.py), as a site has after `flask regions load`."""
    from marketplace.regions.loader import load as load_regions
    from tests.regions_data import SUBSET as REGION_SUBSET

    with fresh_database(str(tmp_path), prefix="opop_commit") as url:
        application = make_test_app(url, str(tmp_path / "uploads"))
        migrate_to_head(application)
        with application.app_context():
            load_regions(REGION_SUBSET)
            db.session.commit()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> str:
    """A Redis database for tests: TEST_REDIS_URL's for the first pytest-xdist worker, the one
    below it for the second, and so on, because tests flush their database and must not flush
    another worker's in the middle of its test. Its keys are flushed before use."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("TEST_REDIS_URL is not set: the Redis tests run with the PostgreSQL suite")
    from urllib.parse import urlsplit

    from redis import Redis
    from redis.connection import parse_url

    worker = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    base = int(parse_url(url).get("db", 0))
    if worker > base:
        pytest.fail(f"{url}: too few Redis databases below it for worker {worker_id}")
    url = urlsplit(url)._replace(path=f"/{base - worker}").geturl()
    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """A request context for tests that call services directly (not with the test client)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sent_mail(app: Flask) -> list[Any]:
    """What the memory mail backend sent during the test."""
    sent: list[Any] = app.extensions["mail_backend"].sent
    return sent


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def clock() -> Iterator[ModuleType]:
    """The app's clock frozen at 1 December 2026, 10:00 in Mojokerto; move it with
    ``clock.advance(timedelta(...))``. Back to the system clock after the test."""
    from marketplace import clock as app_clock

    app_clock.freeze(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    try:
        yield app_clock
    finally:
        app_clock.unfreeze()


def login(client: FlaskClient, email: str, password: str = "password123") -> Any:
    return client.post(
        "/account/login", data={"email": email, "password": password}, follow_redirects=False
    )


def logout(client: FlaskClient) -> Any:
    return client.post("/account/logout")
