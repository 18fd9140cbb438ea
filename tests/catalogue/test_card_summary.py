"""What a product card shows is read from the product's summary columns (`catalogue.listing`),
kept in step with its variants, stock and photos, so a page of cards is one query."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.catalogue.models import Product, ProductImage, ProductVariant
from marketplace.extensions import db
from marketplace.inventory import stock
from tests.catalogue.conftest import Catalogue
from tests.factories import ProductFactory, VariantFactory
from tests.queries import counted


def card(html: str, name: str) -> str:
    """The card of the product named ``name`` on a listing page."""
    for article in re.findall(r'<article class="card product-card">.*?</article>', html, re.S):
        if f">{name}</h3>" in article:
            return article
    raise AssertionError(f"no card for {name}")


def listing(client: FlaskClient) -> str:
    return client.get("/products?per_page=96").get_data(as_text=True)


def photo(product_id: int, key: str, position: int) -> ProductImage:
    image = ProductImage(
        product_id=product_id, storage_key=key, width=40, height=30, position=position
    )
    db.session.add(image)
    db.session.flush()
    return image


def test_a_second_variant_on_sale_makes_the_card_ask_for_a_choice_and_say_from(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    tempe = catalogue.tempe
    single = card(listing(client), tempe.name)
    assert f'name="variant_id" value="{tempe.variants[0].id}"' in single
    assert "mulai" not in single and "Pilih varian" not in single
    with app.test_request_context():
        bigger = VariantFactory(product=tempe, sku="TEMPE-BESAR", price=99_000, position=1)
        stock.restock(bigger.id, 3)
        db.session.commit()
        bigger_id = bigger.id
    both = card(listing(client), tempe.name)
    assert "mulai" in both and "Pilih varian" in both and 'name="variant_id"' not in both
    with app.test_request_context():
        db.session.get(type(bigger), bigger_id).is_active = False  # type: ignore[union-attr]
        db.session.commit()
    again = card(listing(client), tempe.name)
    assert "mulai" not in again and "Pilih varian" not in again
    assert f'name="variant_id" value="{tempe.variants[0].id}"' in again


def test_the_card_offers_add_to_cart_only_while_the_minimum_order_is_free(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    sambal = catalogue.sambal
    variant_id = sambal.variants[0].id
    with app.test_request_context():
        sambal.min_order_qty = 2
        db.session.commit()
        free = sambal.variants[0].available
    assert free >= 2
    assert f'value="{variant_id}"' in card(listing(client), sambal.name)
    with app.test_request_context():
        stock.reserve({variant_id: free - 1})  # one unit left, two needed
        db.session.commit()
    one_left = card(listing(client), sambal.name)
    assert 'name="variant_id"' not in one_left and "Habis" not in one_left
    with app.test_request_context():
        stock.reserve({variant_id: 1})
        db.session.commit()
    assert "Habis" in card(listing(client), sambal.name)
    with app.test_request_context():
        stock.release({variant_id: free})
        db.session.commit()
    back = card(listing(client), sambal.name)
    assert f'value="{variant_id}"' in back and "Habis" not in back


def test_the_cover_is_the_first_photo_and_the_next_one_when_it_is_removed(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        second = photo(catalogue.batik.id, "products/kedua.jpg", 1)
        first = photo(catalogue.batik.id, "products/pertama.jpg", 0)
        db.session.commit()
        first_id, second_id = first.id, second.id
    assert "/media/products/pertama.jpg" in card(listing(client), catalogue.batik.name)
    with app.test_request_context():
        db.session.delete(db.session.get(ProductImage, first_id))
        db.session.commit()
    html = card(listing(client), catalogue.batik.name)
    assert "/media/products/kedua.jpg" in html and "pertama" not in html
    with app.test_request_context():
        db.session.delete(db.session.get(ProductImage, second_id))
        db.session.commit()
    assert "product-card__image--empty" in card(listing(client), catalogue.batik.name)


def test_a_page_of_cards_is_one_query_and_the_product_page_six(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        for n in range(30):
            product = ProductFactory(
                cooperative=catalogue.hikmah, category=catalogue.snacks, name=f"Keripik {n}"
            )
            for position in range(3):
                variant = VariantFactory(
                    product=product, sku=f"K{n}-{position}", price=1000 + position
                )
                stock.restock(variant.id, 5)
            photo(product.id, f"products/k{n}.jpg", 0)
        db.session.commit()
    with counted(app) as statements:
        assert client.get("/products?per_page=96").status_code == 200
    cards = [s for s in statements if "FROM products" in s and "LIMIT" in s.upper()]
    assert len(cards) == 1, cards  # cooperative and cover joined, no variants or photos
    assert not [s for s in statements if "FROM product_variants" in s]
    with counted(app) as statements:
        assert client.get("/products/keripik-tempe").status_code == 200
    # BEGIN; the product with its cooperative and categories; its variants, their bulk
    # prices, its photos; the related products' cards.
    assert len(statements) <= 6, statements


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["variant", "toggle", "price", "restock", "reserve", "release", "minimum", "photo"]
        ),
        st.integers(min_value=0, max_value=9),
    ),
    min_size=1,
    max_size=12,
)


@given(actions=ACTIONS)
def test_the_summary_equals_a_recount_after_any_edits(
    app: Flask, catalogue: Catalogue, actions: list[tuple[str, int]]
) -> None:
    with app.test_request_context():
        savepoint = db.session.begin_nested()
        try:
            _apply_and_recount(catalogue.tempe.id, actions)
        finally:
            savepoint.rollback()


def _apply_and_recount(product_id: int, actions: list[tuple[str, int]]) -> None:
    product = db.session.get(Product, product_id)
    assert product is not None
    for action, number in actions:
        variants = product.variants
        variant = variants[number % len(variants)]
        if action == "variant":
            # Not a factory: factories commit, and each example must roll back.
            db.session.add(
                ProductVariant(
                    product=product,
                    cooperative_id=product.cooperative_id,
                    sku=f"V{len(variants)}",
                    name=f"Ukuran {len(variants)}",
                    options={},
                    price=1000 * (number + 1),
                    position=len(variants),
                )
            )
        elif action == "toggle":
            variant.is_active = not variant.is_active
        elif action == "price":
            variant.price = 500 * (number + 1)
        elif action == "restock":
            stock.restock(variant.id, number + 1)
        elif action == "reserve" and variant.available:
            stock.reserve({variant.id: min(variant.available, number + 1)})
        elif action == "release" and variant.reserved:
            stock.release({variant.id: min(variant.reserved, number + 1)})
        elif action == "minimum":
            product.min_order_qty = number + 1
        elif action == "photo":
            if product.images and number % 2:
                db.session.delete(product.images[number % len(product.images)])
            else:
                photo(product.id, f"products/p{len(product.images)}-{number}.jpg", number)
        db.session.flush()
        db.session.expire_all()
    stored = db.session.execute(
        select(
            Product.price_from,
            Product.price_to,
            Product.in_stock,
            Product.variants_on_sale,
            Product.quick_add_variant_id,
            Product.cover_image_id,
        ).where(Product.id == product.id)
    ).one()
    on_sale = [v for v in product.variants if v.is_active]
    prices = [v.price for v in on_sale] or [0]
    quick_add = (
        on_sale[0].id
        if len(on_sale) == 1 and on_sale[0].available >= product.min_order_qty
        else None
    )
    photos = sorted(product.images, key=lambda image: (image.position, image.id))
    assert tuple(stored) == (
        min(prices),
        max(prices),
        any(v.available > 0 for v in on_sale),
        len(on_sale),
        quick_add,
        photos[0].id if photos else None,
    )


def test_the_api_reads_every_variant_in_queries_that_do_not_grow_with_the_page(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        for n in range(30):
            product = ProductFactory(
                cooperative=catalogue.hikmah, category=catalogue.snacks, name=f"Rengginang {n}"
            )
            for position in range(2):
                VariantFactory(product=product, sku=f"R{n}-{position}", price=2000 + position)
        db.session.commit()

    def queries(per_page: int) -> int:
        with counted(app) as statements:
            response = client.get(f"/api/v1/products?per_page={per_page}")
        assert response.status_code == 200
        items = response.get_json()["items"]
        assert len(items) == min(per_page, response.get_json()["total"])
        rengginang = [item for item in items if item["name"].startswith("Rengginang")]
        assert all(len(item["variants"]) == 2 and item["description"] for item in rengginang)
        return len(statements)

    assert queries(5) == queries(30)
