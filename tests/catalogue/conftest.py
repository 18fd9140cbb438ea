"""A small catalogue whose every count is known, for listing, search and facet tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from marketplace.inventory import stock
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    PriceTierFactory,
    ProductFactory,
    VariantFactory,
)


@dataclass
class Catalogue:
    food: Category
    snacks: Category
    sauces: Category
    fashion: Category
    hikmah: Cooperative
    huda: Cooperative
    suspended: Cooperative
    tempe: Product
    singkong: Product
    sambal: Product
    batik: Product
    draft: Product
    hidden_coop_product: Product


def product(
    cooperative: Cooperative,
    category: Category,
    name: str,
    slug: str,
    price: int,
    on_hand: int,
    **fields: object,
) -> Product:
    item = ProductFactory(
        cooperative=cooperative, category=category, name=name, slug=slug, **fields
    )
    variant = VariantFactory(product=item, price=price, sku=f"{slug[:20].upper()}")
    if on_hand:
        with _request_context():
            stock.restock(variant.id, on_hand)
    return item


def _request_context():  # type: ignore[no-untyped-def]
    from flask import current_app

    return current_app.test_request_context()


@pytest.fixture
def catalogue(app: Flask) -> Catalogue:
    with app.app_context():
        return make_catalogue()


def make_catalogue() -> Catalogue:
    """Four visible products (two cooperatives, two kecamatan), a draft and a suspended
    cooperative's product, committed; needs an application context."""
    food = CategoryFactory(slug="makanan", name="Makanan & Minuman", name_en="Food & Drinks")
    snacks = CategoryFactory(slug="keripik", name="Keripik & Camilan", name_en="Chips", parent=food)
    sauces = CategoryFactory(slug="sambal", name="Sambal", name_en="Chilli sauce", parent=food)
    fashion = CategoryFactory(slug="busana", name="Fashion", name_en="Fashion")
    hikmah = CooperativeFactory(
        name="Koppontren Al-Hikmah", slug="al-hikmah", kecamatan="Magersari"
    )
    huda = CooperativeFactory(name="Koperasi Nurul Huda", slug="nurul-huda", kecamatan="Kranggan")
    suspended = CooperativeFactory(
        name="Koperasi Tutup",
        slug="tutup",
        status=CooperativeStatus.SUSPENDED,
        kecamatan="Kranggan",
    )
    today = date.today()
    tempe = product(
        hikmah,
        snacks,
        "Keripik Tempe Original",
        "keripik-tempe",
        8000,
        50,
        description="Tempe iris tipis, digoreng renyah.",
        halal_number="ID35110000000000001",
        halal_valid_until=today + timedelta(days=400),
    )
    singkong = product(
        hikmah,
        snacks,
        "Keripik Singkong Balado",
        "keripik-singkong",
        12000,
        0,
        description="Singkong pedas manis.",
        halal_number="ID35110000000000002",
        halal_valid_until=today - timedelta(days=3),
    )
    sambal = product(
        huda,
        sauces,
        "Sambal Bawang Pedas",
        "sambal-bawang",
        22000,
        3,
        description="Cocok untuk lauk keripik dan nasi.",
    )
    batik = product(
        huda,
        fashion,
        "Kemeja Batik Tulis",
        "kemeja-batik",
        450000,
        4,
        description="Batik tulis motif Surya Majapahit.",
    )
    PriceTierFactory(variant=tempe.variants[0], min_quantity=10, unit_price=7000)
    draft = product(
        hikmah,
        snacks,
        "Keripik Rahasia Draf",
        "keripik-draf",
        5000,
        10,
        status=ProductStatus.DRAFT,
    )
    hidden = product(suspended, snacks, "Keripik Koperasi Tutup", "keripik-tutup", 5000, 10)
    db.session.commit()
    return Catalogue(
        food,
        snacks,
        sauces,
        fashion,
        hikmah,
        huda,
        suspended,
        tempe,
        singkong,
        sambal,
        batik,
        draft,
        hidden,
    )
