"""The product's "in stock" flag, which the in-stock facet and filter read, follows every stock
change: the stock module's guarded updates as well as edits of variants."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import MovementReason
from tests.catalogue.conftest import Catalogue
from tests.factories import ProductFactory, VariantFactory


def in_stock(product_id: int) -> bool:
    flag = db.session.scalar(select(Product.in_stock).where(Product.id == product_id))
    assert flag is not None
    return flag


def test_a_restock_puts_a_sold_out_product_in_stock(app: Flask, catalogue: Catalogue) -> None:
    with app.test_request_context():
        assert not in_stock(catalogue.singkong.id)
        stock.restock(catalogue.singkong.variants[0].id, 5)
        assert in_stock(catalogue.singkong.id)


def test_reserving_the_last_units_takes_it_out_and_releasing_puts_it_back(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        variant = catalogue.sambal.variants[0]
        stock.reserve({variant.id: 3})
        assert not in_stock(catalogue.sambal.id)
        stock.release({variant.id: 3})
        assert in_stock(catalogue.sambal.id)


def test_selling_the_last_units_and_removing_stock_take_it_out(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        sambal = catalogue.sambal.variants[0]
        stock.reserve({sambal.id: 3})
        stock.sell({sambal.id: 3})
        assert not in_stock(catalogue.sambal.id)
        batik = catalogue.batik.variants[0]
        stock.remove(batik.id, 4, reason=MovementReason.DAMAGE, note="Sobek")
        assert not in_stock(catalogue.batik.id)


def test_a_product_stays_in_stock_while_another_variant_has_units(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        first = catalogue.tempe.variants[0]
        second = VariantFactory(product=catalogue.tempe, sku="TEMPE-BESAR", price=15000, position=1)
        stock.restock(second.id, 2)
        stock.reserve({first.id: 50})
        assert in_stock(catalogue.tempe.id)
        stock.reserve({second.id: 2})
        assert not in_stock(catalogue.tempe.id)


def test_deactivating_the_only_variant_with_units_takes_it_out(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        catalogue.tempe.variants[0].is_active = False
        db.session.flush()
        assert not in_stock(catalogue.tempe.id)
        assert catalogue.tempe.in_stock is False  # the loaded product was refreshed too


def test_a_new_product_without_stock_is_not_in_stock(app: Flask, catalogue: Catalogue) -> None:
    with app.test_request_context():
        product = ProductFactory(cooperative=catalogue.hikmah, category=catalogue.snacks)
        VariantFactory(product=product, price=1000)
        db.session.flush()
        assert not in_stock(product.id)


def test_the_in_stock_filter_reads_the_flag(client: FlaskClient, catalogue: Catalogue) -> None:
    html = client.get("/products?in_stock=1").get_data(as_text=True)
    assert "Keripik Singkong Balado" not in html and "Sambal Bawang Pedas" in html
    with client.application.test_request_context():
        stock.reserve({catalogue.sambal.variants[0].id: 3})
        db.session.commit()
    html = client.get("/products?in_stock=1").get_data(as_text=True)
    assert "Sambal Bawang Pedas" not in html
