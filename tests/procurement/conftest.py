"""Fixtures the procurement tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask


@pytest.fixture
def small_bands(app: Flask) -> Iterator[Callable[[], None]]:
    """Bands a few rupiah wide, so an ordinary order passes the top one, set when called (a
    request above the top band is refused when it is made)."""
    keys = {
        "PROCUREMENT_PROOF_OF_PURCHASE_MAX": 500_000,
        "PROCUREMENT_KUITANSI_MAX": 1_000_000,
        "PROCUREMENT_SPK_MAX": 1_500_000,
    }
    before = {key: app.config[key] for key in keys}
    yield lambda: app.config.update(keys)
    app.config.update(before)
