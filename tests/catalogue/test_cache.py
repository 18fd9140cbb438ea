"""With Redis, catalogue pages come from the cache until the catalogue changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.catalogue.cache import CSRF_PLACEHOLDER
from marketplace.extensions import db
from marketplace.inventory import stock
from tests.catalogue.conftest import Catalogue
from tests.conftest import login, make_test_app
from tests.factories import UserFactory
from tests.queries import counted

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
    with counted(app, db.session.get_bind()) as statements:
        html = app.test_client().get(url).get_data(as_text=True)
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


# Whole pages for anonymous visitors --------------------------------------------------------


def queries_and_html(app: Flask, client: FlaskClient, url: str) -> tuple[int, str]:
    with counted(app, db.session.get_bind()) as statements:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
    return len(statements), html


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


@pytest.mark.parametrize("url", ["/", "/products", "/products?q=keripik", "/categories/makanan"])
def test_an_anonymous_page_comes_whole_from_the_cache(
    cached_app: Flask, catalogue: Catalogue, url: str
) -> None:
    first, html = queries_and_html(cached_app, cached_app.test_client(), url)
    again, cached = queries_and_html(cached_app, cached_app.test_client(), url)
    assert first > 0 and again == 0
    assert CSRF_PLACEHOLDER not in cached
    assert re.sub(r'value="[^"]{40,}"', "", cached) == re.sub(r'value="[^"]{40,}"', "", html)


def test_a_cached_page_carries_the_visitors_own_csrf_token(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    cached_app.config["WTF_CSRF_ENABLED"] = True
    cached_app.test_client().get("/products")  # fills the cache
    client = cached_app.test_client()
    html = client.get("/products").get_data(as_text=True)
    (token,) = csrf_tokens(html)
    variant = catalogue.tempe.variants[0]
    response = client.post(
        "/cart/add",
        data={
            "csrf_token": token,
            "product": "keripik-tempe",
            "variant_id": variant.id,
            "quantity": 1,
        },
    )
    assert response.status_code == 302
    other = cached_app.test_client().get("/products").get_data(as_text=True)
    assert csrf_tokens(other) != {token}


def test_a_product_edit_shows_at_once_on_cached_pages(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    client = cached_app.test_client()
    assert "Keripik Tempe Original" in client.get("/products/keripik-tempe").get_data(as_text=True)
    assert "Keripik Tempe Original" in client.get("/products").get_data(as_text=True)
    with cached_app.test_request_context():
        catalogue.tempe.name = "Keripik Tempe Renyah"
        db.session.commit()
    assert "Keripik Tempe Renyah" in client.get("/products").get_data(as_text=True)
    assert "Keripik Tempe Renyah" in client.get("/products/keripik-tempe").get_data(as_text=True)


def test_visitors_with_their_own_header_get_their_own_page(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    cached_app.test_client().get("/products")  # the anonymous page is cached
    shopper = cached_app.test_client()
    with cached_app.app_context():
        UserFactory(email="pembeli@example.test")
        db.session.commit()
    login(shopper, "pembeli@example.test")
    assert "Keluar" in shopper.get("/products").get_data(as_text=True)

    guest = cached_app.test_client()
    variant = catalogue.tempe.variants[0]
    guest.post(
        "/cart/add", data={"product": "keripik-tempe", "variant_id": variant.id, "quantity": 1}
    )
    html = guest.get("/products").get_data(as_text=True)
    assert re.search(r'class="nav-count">1<', html)


def test_a_missing_product_is_not_cached(cached_app: Flask, catalogue: Catalogue) -> None:
    client = cached_app.test_client()
    assert client.get("/products/keripik-draf").status_code == 404
    with cached_app.test_request_context():
        catalogue.draft.status = "active"
        db.session.commit()
    assert client.get("/products/keripik-draf").status_code == 200


def test_saving_the_synonyms_drops_the_cached_search_pages(
    cached_app: Flask, catalogue: Catalogue
) -> None:
    from marketplace.catalogue import synonyms

    client = cached_app.test_client()
    assert "Menampilkan hasil untuk: keripik." in client.get("/products?q=kripik").get_data(
        as_text=True
    )
    with cached_app.test_request_context():
        synonyms.save(UserFactory(email="kota@example.test", is_city_admin=True), "kripik, keripik")
        db.session.commit()
    html = client.get("/products?q=kripik").get_data(as_text=True)
    assert "Menampilkan hasil untuk" not in html and "Keripik Tempe Original" in html
