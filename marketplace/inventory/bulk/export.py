"""Exporting a shop's products and stock in the import's columns, and the example template."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace import clock, exports
from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.inventory.bulk.read import COLUMNS


def export_rows(cooperative_id: int) -> list[list[Any]]:
    """The shop's current products (not archived), one row per active variant, as imported."""
    slugs: dict[int, str] = {}
    for category_id, slug in db.session.execute(select(Category.id, Category.slug)):
        slugs[category_id] = slug
    products = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status != ProductStatus.ARCHIVED)
        .options(selectinload(Product.variants))
        .order_by(func.lower(Product.name), Product.id)
    )
    rows: list[list[Any]] = []
    for product in products:
        for variant in product.variants:
            if not variant.is_active:
                continue
            rows.append(
                [
                    variant.sku,
                    product.name,
                    slugs.get(product.category_id, ""),
                    product.unit,
                    variant.price,
                    variant.on_hand,
                    variant.options.get("ukuran", ""),
                    variant.options.get("warna", ""),
                    variant.low_stock_threshold,
                    product.min_order_qty,
                    product.weight_grams,
                    product.description,
                    product.halal_number or "",
                    product.halal_valid_until.isoformat() if product.halal_valid_until else "",
                    product.pirt_number or "",
                    product.bpom_md_number or "",
                ]
            )
    return rows


def template_rows() -> list[list[Any]]:
    """Example rows for the downloadable template (a product in two sizes and a simple one)."""
    category = (
        db.session.scalar(
            select(Category.slug).where(Category.parent_id.is_not(None)).order_by(Category.position)
        )
        or db.session.scalar(select(Category.slug).order_by(Category.position))
        or "kategori"
    )
    in_a_year = (clock.today() + timedelta(days=365)).isoformat()
    return [
        [
            "CONTOH-KRP-100",
            "Keripik Tempe Contoh",
            category,
            "bungkus",
            8000,
            20,
            "100 g",
            "",
            5,
            1,
            270,
            "Keripik tempe renyah (contoh).",
            "ID35110000000000001",
            in_a_year,
            "206351601010123",
            "",
        ],
        [
            "CONTOH-KRP-250",
            "Keripik Tempe Contoh",
            category,
            "bungkus",
            "17.500",
            10,
            "250 g",
            "",
            5,
            1,
            270,
            "Keripik tempe renyah (contoh).",
            "ID35110000000000001",
            in_a_year,
            "206351601010123",
            "",
        ],
        [
            "CONTOH-SBL-01",
            "Sambal Bawang Contoh",
            category,
            "botol",
            22000,
            15,
            "",
            "",
            3,
            1,
            250,
            "Sambal bawang pedas (contoh).",
            "",
            "",
            "206351601010124",
            "",
        ],
    ]


def write_file(rows: list[list[Any]], fmt: str) -> bytes:
    return exports.write(exports.Sheet("produk", COLUMNS, rows), fmt)


def export_file(cooperative_id: int, fmt: str) -> tuple[bytes, str]:
    """(content, file name) of the shop's products and stock."""
    cooperative = db.session.get(Cooperative, cooperative_id)
    slug = cooperative.slug if cooperative else "koperasi"
    name = f"produk-{slug}-{clock.today():%Y%m%d}.{fmt}"
    return write_file(export_rows(cooperative_id), fmt), name
