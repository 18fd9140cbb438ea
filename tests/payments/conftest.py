"""Fixtures for the payment tests: the fake Stripe server (one per test process), switched on in
the app's configuration for the tests that ask for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.stripe_fake import FakeStripe

STRIPE_SETTINGS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "STRIPE_TIMEOUT_SECONDS",
    "STRIPE_MAX_NETWORK_RETRIES",
)


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(stripe_server: FakeStripe, app: Flask) -> Iterator[FakeStripe]:
    """Card payments on, against the fake server (emptied for this test)."""
    stripe_server.reset()
    saved = {name: app.config[name] for name in STRIPE_SETTINGS}
    app.config.update(
        STRIPE_SECRET_KEY=stripe_server.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_API_BASE=stripe_server.url,
        STRIPE_TIMEOUT_SECONDS=2.0,
        STRIPE_MAX_NETWORK_RETRIES=0,
    )
    try:
        yield stripe_server
    finally:
        app.config.update(saved)
        stripe_server.reset()


@pytest.fixture
def config(app: Flask) -> Iterator[dict[str, object]]:
    """Change app settings for one test: ``config["X"] = ...``; put back afterwards."""
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)
