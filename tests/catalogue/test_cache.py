"""With Redis, catalogue pages come from the cache until the catalogue changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.inventory import stock
from tests.catalogue.conftest import Catalogue
from tests.conftest import make_test_app

pytestmark = pytest.mark.redis


@pytest.fixture
def cached_app(app: Flask, redis_url: str, tmp_path: Path) -> Flask:
    cached = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url
    )
    with cached.app_context():
        from marketplace.extensions import redis_client

        redis_client().flushdb()
    return cached


def queries_and_names(app: Flask, url: str) -> tuple[int, list[str]]:
    statements: list[str] = []
    engine = db.session.get_bind()

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        html = app.test_client().get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements), re.findall(r'<h3 class="product-card__name">([^<]+)</h3>', html)


def test_a_repeated_page_is_served_from_the_cache(cached_app: Flask, catalogue: Catalogue) -> None:
    first, names = queries_and_names(cached_app, "/products?q=keripik")
    second, again = queries_and_names(cached_app, "/products?q=keripik")
    assert again == names
    assert second < first


def test_a_price_change_shows_at_once(cached_app: Flask, catalogue: Catalogue) -> None:
    client = cached_app.test_client()
    assert "Rp8.000" in client.get("/products?sort=price_asc").get_data(as_text=True)
    with cached_app.test_request_context():
        catalogue.tempe.variants[0].price = 9500
        db.session.commit()
    html = client.get("/products?sort=price_asc").get_data(as_text=True)
    assert "Rp9.500" in html and "Rp8.000" not in html


def test_selling_out_through_a_guarded_update_invalidates_too(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    assert (
        queries_and_names(cached_app, "/products?in_stock=1")[1].count("Keripik Tempe Original")
        == 1
    )
    with cached_app.test_request_context():
        variant = catalogue.tempe.variants[0]
        stock.reserve({variant.id: variant.on_hand})  # the stock module's guarded UPDATE
        db.session.commit()
    assert "Keripik Tempe Original" not in queries_and_names(cached_app, "/products?in_stock=1")[1]


def test_a_suspended_cooperative_disappears_from_cached_pages(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    assert "Sambal Bawang Pedas" in queries_and_names(cached_app, "/products")[1]
    with cached_app.test_request_context():
        catalogue.huda.status = "suspended"
        db.session.commit()
    assert "Sambal Bawang Pedas" not in queries_and_names(cached_app, "/products")[1]
