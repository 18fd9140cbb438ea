"""The public pages' markup for a phone: the cart outside the folded menu, the listing's filters
folded behind a summary, the cards' buttons named without a stray colon. (How they look is
held by tests/e2e/test_public_layout.py.)"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.catalogue.conftest import Catalogue
from tests.factories import VariantFactory


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_cart_and_its_count_sit_in_the_bar_outside_the_menu(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = page(client, "/")
    menu = html.split('<nav id="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "/cart" not in menu
    bar = html.split('<header class="site-header">', 1)[1].split('<nav id="main-nav"', 1)[0]
    assert re.search(
        r'<a href="/cart" class="header-cart">.*?<span class="nav-count">0</span>', bar, re.S
    )


def test_the_filters_fold_behind_a_summary_counting_those_in_force(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = page(client, "/products")
    assert '<details class="filters-panel">' in html  # closed: no `open` for a phone
    assert "<summary>Saring</summary>" in html
    narrowed = page(client, "/products?halal=1&kecamatan=Magersari&price_min=5000")
    assert "<summary>Saring (3)</summary>" in narrowed
    # On a category's page the category is the page, not a filter.
    assert "<summary>Saring</summary>" in page(client, "/categories/keripik")
    assert "<summary>Filter (3)</summary>" in page(
        client, "/products?halal=1&kecamatan=Magersari&price_min=5000&lang=en"
    )


def test_a_card_s_buttons_name_the_product_after_a_colon_without_a_space_before_it(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    VariantFactory(product=catalogue.batik, name="XL", price=475000, sku="KB-XL")
    html = page(client, "/products")
    assert 'aria-label="Tambah ke keranjang: Keripik Tempe Original"' in html
    assert 'aria-label="Pilih varian: Kemeja Batik Tulis"' in html
    assert '<span class="visually-hidden">:' not in html
