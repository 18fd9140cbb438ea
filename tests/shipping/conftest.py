"""Biteship switched on against its fake (tests/biteship_fake.py), for the shipping tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.biteship_fake import FakeBiteship

NAMES = ("BITESHIP_API_KEY", "BITESHIP_API_BASE", "BITESHIP_COURIERS", "BITESHIP_TIMEOUT_SECONDS")


@pytest.fixture(scope="session")
def biteship_server() -> Iterator[FakeBiteship]:
    fake = FakeBiteship().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(biteship_server: FakeBiteship, app: Flask) -> Iterator[FakeBiteship]:
    """Biteship switched on against the fake, with an empty cache."""
    biteship_server.reset()
    saved = {name: app.config.get(name) for name in NAMES}
    app.config.update(biteship_server.settings())
    app.extensions.pop("shipping_cache", None)
    try:
        yield biteship_server
    finally:
        app.config.update(saved)
        app.extensions.pop("shipping_cache", None)
        biteship_server.reset()
