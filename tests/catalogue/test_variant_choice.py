"""A product that grows a second variant: every choice on the public pages has a name, and a
card says "from" only when the choices cost different amounts."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from marketplace.catalogue import management
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.inventory import stock
from tests.factories import CategoryFactory, CooperativeFactory, UserFactory


def listed_with_a_second_variant(
    client: FlaskClient, *, second_price: int, second_size: str = "Pedas"
) -> Product:
    """A product made in the workspace's way (its first variant without size or colour, as
    most are), published and stocked, then given a named variant."""
    with client.application.test_request_context():
        actor = UserFactory().id
        cooperative = CooperativeFactory().id
        product, default = management.create_product(
            cooperative,
            actor,
            management.ProductData(
                category_id=CategoryFactory().id,
                name="Sambal Bawang",
                description="Pedas.",
                unit="botol",
                weight_grams=200,
                min_order_qty=1,
            ),
            management.VariantData(sku="SMB-01", price=20000),
        )
        named = management.add_variant(
            cooperative,
            product.id,
            actor,
            management.VariantData(sku="SMB-02", price=second_price, size=second_size),
        )
        product.status = ProductStatus.ACTIVE
        stock.restock(default.id, 10)
        stock.restock(named.id, 10)
        db.session.commit()
    return product


def choices(html: str) -> list[str]:
    return re.findall(r'<label class="variant-option"[^>]*>.*?<span>(.*?)</span>', html, re.S)


@pytest.mark.parametrize(("language", "default"), [("id", "Standar"), ("en", "Standard")])
def test_the_first_variant_is_offered_as_standard_beside_the_new_one(
    client: FlaskClient, language: str, default: str
) -> None:
    product = listed_with_a_second_variant(client, second_price=25000)
    html = client.get(f"/products/{product.slug}?lang={language}").get_data(as_text=True)
    assert choices(html) == [default, "Pedas"]


def test_the_cart_names_the_standard_variant_of_a_product_with_choices(
    client: FlaskClient,
) -> None:
    product = listed_with_a_second_variant(client, second_price=25000)
    default = product.variants[0]
    client.post(
        "/cart/add", data={"product": product.slug, "variant_id": default.id, "quantity": 1}
    )
    html = client.get("/cart").get_data(as_text=True)
    assert re.search(r"Sambal Bawang</a>\s*<br><span class=\"muted\">Standar</span>", html)


def test_a_card_says_from_only_when_the_prices_differ(client: FlaskClient) -> None:
    same = listed_with_a_second_variant(client, second_price=20000)
    html = client.get("/products").get_data(as_text=True)
    assert "mulai Rp20.000" not in html and "Rp20.000" in html

    pricier = same.variants[1]
    pricier.price = 25000
    db.session.commit()
    assert "mulai Rp20.000" in client.get("/products").get_data(as_text=True)


def test_a_variant_taken_off_sale_leaves_a_simple_product(client: FlaskClient) -> None:
    product = listed_with_a_second_variant(client, second_price=25000)
    default, named = product.variants
    with client.application.test_request_context():
        management.set_variant_active(product.cooperative_id, named.id, UserFactory().id, False)
        db.session.commit()
    card = client.get("/products").get_data(as_text=True)
    assert "Pilih varian" not in card and "mulai" not in card
    assert f'name="variant_id" value="{default.id}"' in card
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert choices(page) == []
    assert page.count('name="variant_id"') == 1
