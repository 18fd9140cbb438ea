"""The /products listing: filters, facets, sorting and paging."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.catalogue.search import ProductQuery, search_products
from marketplace.extensions import db
from tests.catalogue.conftest import Catalogue
from tests.factories import ProductFactory, VariantFactory
from tests.queries import counted


def shown(client: FlaskClient, url: str) -> list[str]:
    html = client.get(url).get_data(as_text=True)
    return re.findall(r'<h3 class="product-card__name">([^<]+)</h3>', html)


def test_only_active_products_of_approved_cooperatives_are_listed(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    assert set(shown(client, "/products")) == {
        "Keripik Tempe Original",
        "Keripik Singkong Balado",
        "Sambal Bawang Pedas",
        "Kemeja Batik Tulis",
    }


def test_hidden_products_have_no_page(client: FlaskClient, catalogue: Catalogue) -> None:
    assert client.get("/products/keripik-draf").status_code == 404
    assert client.get("/products/keripik-tutup").status_code == 404
    assert client.get("/cooperatives/tutup").status_code == 404


def test_a_top_category_includes_its_subcategories(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    assert set(shown(client, "/products?category=makanan")) == {
        "Keripik Tempe Original",
        "Keripik Singkong Balado",
        "Sambal Bawang Pedas",
    }
    assert set(shown(client, "/categories/sambal")) == {"Sambal Bawang Pedas"}
    assert client.get("/categories/tidak-ada").status_code == 404


def test_filters_combine(client: FlaskClient, catalogue: Catalogue) -> None:
    assert shown(client, "/products?kecamatan=Kranggan&price_max=100000") == ["Sambal Bawang Pedas"]
    assert shown(client, "/products?cooperative=al-hikmah&in_stock=1") == ["Keripik Tempe Original"]
    assert set(shown(client, "/products?price_min=10000&price_max=30000")) == {
        "Keripik Singkong Balado",
        "Sambal Bawang Pedas",
    }


def test_halal_means_a_certificate_that_has_not_expired(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    assert shown(client, "/products?halal=1") == ["Keripik Tempe Original"]


def test_sorting(client: FlaskClient, catalogue: Catalogue) -> None:
    assert shown(client, "/products?sort=price_asc") == [
        "Keripik Tempe Original",
        "Keripik Singkong Balado",
        "Sambal Bawang Pedas",
        "Kemeja Batik Tulis",
    ]
    assert shown(client, "/products?sort=price_desc")[0] == "Kemeja Batik Tulis"
    catalogue.sambal.sold_count = 40
    catalogue.batik.sold_count = 7
    db.session.commit()
    assert shown(client, "/products?sort=best_selling")[:2] == [
        "Sambal Bawang Pedas",
        "Kemeja Batik Tulis",
    ]


def facet_counts(html: str, name: str) -> dict[str, int]:
    return {
        value: int(count)
        for value, count in re.findall(
            rf'name="{name}" value="([^"]+)"[^>]*> [^<]*<span class="facet__count">\((\d+)\)', html
        )
    }


def test_facets_count_the_current_query(client: FlaskClient, catalogue: Catalogue) -> None:
    html = client.get("/products?q=keripik").get_data(as_text=True)
    # "keripik" matches both chips and (by its description) the sambal.
    assert facet_counts(html, "category") == {"makanan": 3, "keripik": 2, "sambal": 1}
    assert facet_counts(html, "kecamatan") == {"Magersari": 2, "Kranggan": 1}
    assert re.search(r'name="halal" value="1"[^>]*> [^<]*<span class="facet__count">\(1\)', html)
    assert re.search(r'name="in_stock" value="1"[^>]*> [^<]*<span class="facet__count">\(2\)', html)


def test_a_facet_keeps_counting_its_other_values_when_one_is_chosen(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = client.get("/products?kecamatan=Kranggan").get_data(as_text=True)
    assert facet_counts(html, "kecamatan") == {"Magersari": 2, "Kranggan": 2}
    assert facet_counts(html, "category") == {"makanan": 1, "sambal": 1, "busana": 1}


def test_with_two_filters_each_facet_leaves_out_only_its_own(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = client.get("/products?kecamatan=Kranggan&category=busana").get_data(as_text=True)
    assert shown(client, "/products?kecamatan=Kranggan&category=busana") == ["Kemeja Batik Tulis"]
    assert facet_counts(html, "kecamatan") == {"Kranggan": 1}
    html = client.get("/products?kecamatan=Kranggan&halal=1").get_data(as_text=True)
    assert facet_counts(html, "kecamatan") == {"Magersari": 1}
    assert re.search(r'name="halal" value="1"[^>]*> [^<]*<span class="facet__count">\(0\)', html)
    assert re.search(r'<h2 id="results-heading"[^>]*>0 produk</h2>', html)


def test_paging_links_keep_the_filters(client: FlaskClient, catalogue: Catalogue) -> None:
    html = client.get("/products?category=makanan&per_page=2&sort=price_asc").get_data(as_text=True)
    assert shown(client, "/products?category=makanan&per_page=2&sort=price_asc") == [
        "Keripik Tempe Original",
        "Keripik Singkong Balado",
    ]
    next_link = re.search(r'rel="next" href="([^"]+)"', html)
    assert next_link is not None
    url = next_link.group(1).replace("&amp;", "&")
    assert "category=makanan" in url and "sort=price_asc" in url and "page=2" in url
    assert shown(client, url) == ["Sambal Bawang Pedas"]


def test_nonsense_parameters_give_a_normal_page(client: FlaskClient, catalogue: Catalogue) -> None:
    for url in (
        "/products?page=-5",
        "/products?page=99999999999999999999",
        "/products?per_page=100000",
        "/products?price_min=abc&price_max=1e9",
        "/products?sort=drop",
        "/products?kecamatan=Atlantis",
        "/products?category=%00",
        "/products?halal=yes&in_stock=maybe",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/products?price_min=abc").get_data(as_text=True)
    assert "filter harga diabaikan" in html


def test_a_page_after_the_last_offers_the_last_page(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = client.get("/products?page=50").get_data(as_text=True)
    assert "Ke halaman terakhir" in html


def count_queries(client: FlaskClient, url: str) -> int:
    with counted(client.application) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_listing_queries_do_not_grow_with_the_page_size(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    for n in range(100):
        VariantFactory(
            product=ProductFactory(
                cooperative=catalogue.hikmah, category=catalogue.snacks, name=f"Keripik {n}"
            ),
            price=1000 + n,
        )
    small = count_queries(client, "/products?per_page=24")
    large = count_queries(client, "/products?per_page=96")
    assert small == large
    assert small <= 15
    assert count_queries(client, "/products?q=keripik&per_page=96") == count_queries(
        client, "/products?q=keripik&per_page=24"
    )


BASE_QUERIES = [
    {},
    {"text": "keripik"},
    {"text": "kerip", "kecamatan": "Magersari"},
    {"kecamatan": "Kranggan", "halal": True},
    {"category": "makanan", "in_stock": True, "price_min": 0, "price_max": 24_999},
    {"text": "batik", "cooperative": "nurul-huda", "category": "busana"},
    {"cooperative": "al-hikmah", "halal": True, "in_stock": True},
]


@pytest.mark.parametrize("base", BASE_QUERIES, ids=lambda q: "&".join(map(str, q.items())))
def test_each_facet_count_is_the_total_its_choice_would_show(
    app: Flask, catalogue: Catalogue, base: dict[str, object]
) -> None:
    """Whatever filters are on, a facet value's count is the number of products the listing
    shows once that value is chosen (the other filters kept): counted in one aggregation, it
    must agree with the search itself."""
    today = date.today()
    with app.test_request_context():
        result = search_products(ProductQuery(**base), today=today)  # type: ignore[arg-type]
        checked = 0
        for facet, values in result.facets.items():
            for value in values:
                chosen: dict[str, object]
                if facet == "price":
                    low, high = value.value.split("-")
                    chosen = {"price_min": int(low), "price_max": int(high) - 1 if high else None}
                elif facet in ("halal", "in_stock"):
                    chosen = {facet: True}
                else:
                    chosen = {facet: value.value}
                query = replace(ProductQuery(**base), **chosen)  # type: ignore[arg-type]
                total = search_products(query, today=today, facets=False).total
                assert value.count == total, (facet, value.value)
                checked += 1
        assert checked >= 2
