"""Checking an import (the dry run): every row parsed against the shop's current data, grouped by
product, with every error and what would change. Nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.catalogue import management
from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.extensions import db
from marketplace.inventory.bulk.read import COLUMNS, cell_text, parse_date, read_file, row_error
from marketplace.validators import parse_rupiah

PROGRESS_EVERY = 250


@dataclass
class Row:
    number: int
    sku: str
    product: dict[str, Any]  # product fields, parsed
    price: int
    stock: int
    size: str
    colour: str
    low_stock_threshold: int


@dataclass
class Plan:
    """What an import would do: rows grouped by product, and every error."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    #: product key -> rows; a key is an existing product id or "new:<lower-cased name>"
    groups: dict[int | str, list[Row]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    total: int = 0


def _parse_row(
    number: int, values: dict[str, Any], categories: dict[str, int], errors: list[dict[str, Any]]
) -> Row | None:
    before = len(errors)

    def text(column: str, max_length: int, required: bool = False) -> str:
        value = cell_text(values.get(column))
        if required and not value:
            errors.append(row_error(number, column, "required"))
        elif len(value) > max_length:
            errors.append(row_error(number, column, "too_long", max=max_length))
        return value

    def whole(column: str, default: int | None, minimum: int = 0) -> int:
        value = values.get(column)
        if cell_text(value) == "":
            if default is None:
                errors.append(row_error(number, column, "required"))
                return 0
            return default
        amount = parse_rupiah(value)
        if amount is None:
            errors.append(row_error(number, column, "not_integer"))
            return 0
        if amount < minimum:
            errors.append(row_error(number, column, "min_one"))
        return amount

    sku = management.normalize_sku(text("sku", 60, required=True))
    if sku and not management.valid_sku(sku):
        errors.append(row_error(number, "sku", "bad_sku"))
    name = text("nama_produk", 160, required=True)
    category_text = text("kategori", 160, required=True)
    category_id = categories.get(category_text.lower())
    if category_text and category_id is None:
        errors.append(row_error(number, "kategori", "unknown_category"))
    unit = text("satuan", 30, required=True)
    price_value = values.get("harga")
    price = parse_rupiah(price_value) if cell_text(price_value) else None
    if cell_text(price_value) == "":
        errors.append(row_error(number, "harga", "required"))
    elif price is None:
        errors.append(row_error(number, "harga", "not_rupiah"))
    stock_count = whole("stok", None)
    halal_number = text("nomor_halal", 40)
    halal_until: date | None = None
    if cell_text(values.get("halal_berlaku_sampai")):
        try:
            halal_until = parse_date(values.get("halal_berlaku_sampai"))
        except ValueError:
            errors.append(row_error(number, "halal_berlaku_sampai", "not_date"))
    if halal_number and halal_until is None and not cell_text(values.get("halal_berlaku_sampai")):
        errors.append(row_error(number, "halal_berlaku_sampai", "halal_date_missing"))
    if halal_until and not halal_number:
        errors.append(row_error(number, "nomor_halal", "halal_number_missing"))
    pirt = management.normalize_pirt(text("nomor_pirt", 40))
    if pirt and not management.valid_pirt(pirt):
        errors.append(row_error(number, "nomor_pirt", "bad_pirt"))
    bpom_text = text("nomor_bpom_md", 40)
    bpom = management.normalize_bpom_md(bpom_text) if bpom_text else None
    if bpom_text and bpom is None:
        errors.append(row_error(number, "nomor_bpom_md", "bad_bpom"))
    product = {
        "name": name,
        "category_id": category_id,
        "unit": unit,
        "min_order_qty": whole("min_pembelian", 1, minimum=1),
        "weight_grams": whole("berat_gram", 0),
        "description": text("deskripsi", 5000),
        "halal_number": halal_number or None,
        "halal_valid_until": halal_until if halal_number else None,
        "pirt_number": pirt or None,
        "bpom_md_number": bpom,
    }
    row = Row(
        number=number,
        sku=sku,
        product=product,
        price=price or 0,
        stock=stock_count,
        size=text("ukuran", 40),
        colour=text("warna", 40),
        low_stock_threshold=whole("stok_minimum", 5),
    )
    return row if len(errors) == before else None


def _category_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for category in db.session.scalars(select(Category)):
        lookup[category.name.lower()] = category.id
        lookup[category.name_en.lower()] = category.id
        lookup[category.slug.lower()] = category.id
    return lookup


def product_values(product: Product) -> dict[str, Any]:
    """A product's fields as a parsed row holds them, to compare the two."""
    return {
        "name": product.name,
        "category_id": product.category_id,
        "unit": product.unit,
        "min_order_qty": product.min_order_qty,
        "weight_grams": product.weight_grams,
        "description": product.description,
        "halal_number": product.halal_number,
        "halal_valid_until": product.halal_valid_until,
        "pirt_number": product.pirt_number,
        "bpom_md_number": product.bpom_md_number,
    }


_PRODUCT_COLUMN = {
    "name": "nama_produk",
    "category_id": "kategori",
    "unit": "satuan",
    "min_order_qty": "min_pembelian",
    "weight_grams": "berat_gram",
    "description": "deskripsi",
    "halal_number": "nomor_halal",
    "halal_valid_until": "halal_berlaku_sampai",
    "pirt_number": "nomor_pirt",
    "bpom_md_number": "nomor_bpom_md",
}


def plan_import(
    cooperative_id: int, data: bytes, progress: Callable[[int], None] | None = None
) -> Plan:
    """Check every row against the shop's current data; change nothing."""
    plan = Plan()
    parsed = read_file(data)
    plan.errors.extend(parsed.errors)
    plan.total = len(parsed.rows)
    if parsed.errors:
        return plan
    categories = _category_lookup()
    variants = {
        v.sku: v
        for v in db.session.scalars(
            select(ProductVariant)
            .where(ProductVariant.cooperative_id == cooperative_id)
            .options(selectinload(ProductVariant.price_tiers))
        )
    }
    products = {
        p.id: p
        for p in db.session.scalars(select(Product).where(Product.cooperative_id == cooperative_id))
    }
    by_name: dict[str, list[int]] = {}
    for product in products.values():
        if product.status != ProductStatus.ARCHIVED:
            by_name.setdefault(product.name.strip().lower(), []).append(product.id)

    rows: list[Row] = []
    seen_sku: dict[str, int] = {}
    for index, (number, values) in enumerate(parsed.rows, start=1):
        row = _parse_row(number, values, categories, plan.errors)
        if row is not None:
            if row.sku in seen_sku:
                plan.errors.append(row_error(number, "sku", "duplicate_sku", row=seen_sku[row.sku]))
            else:
                seen_sku[row.sku] = number
                rows.append(row)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)

    # Known SKUs first: they fix which product a name means.
    name_to_key: dict[str, int | str] = {}
    for row in rows:
        variant = variants.get(row.sku)
        if variant is not None:
            plan.groups.setdefault(variant.product_id, []).append(row)
            name_to_key.setdefault(row.product["name"].lower(), variant.product_id)
    for row in rows:
        if row.sku in variants:
            continue
        lower = row.product["name"].lower()
        key: int | str | None = name_to_key.get(lower)
        if key is None:
            matches = by_name.get(lower, [])
            if len(matches) > 1:
                plan.errors.append(row_error(row.number, "nama_produk", "ambiguous_product"))
                continue
            key = matches[0] if matches else f"new:{lower}"
            name_to_key[lower] = key
        plan.groups.setdefault(key, []).append(row)

    summary = {"create_products": 0, "create_variants": 0, "update_variants": 0, "unchanged": 0}
    for key, group in plan.groups.items():
        first = group[0]
        for row in group[1:]:
            for name, value in row.product.items():
                if value != first.product[name]:
                    plan.errors.append(
                        row_error(row.number, _PRODUCT_COLUMN[name], "conflict", row=first.number)
                    )
                    break
        existing = products.get(key) if isinstance(key, int) else None
        product_changes = []
        if existing is None:
            summary["create_products"] += 1
        else:
            current = product_values(existing)
            product_changes = [
                _PRODUCT_COLUMN[name]
                for name, value in first.product.items()
                if current[name] != value
            ]
        for position, row in enumerate(group):
            variant = variants.get(row.sku)
            if variant is None:
                summary["create_variants"] += 1
                action = (
                    "create_product" if existing is None and position == 0 else "create_variant"
                )
                plan.changes.append(
                    {"row": row.number, "sku": row.sku, "action": action, "columns": []}
                )
                continue
            columns = list(product_changes) if position == 0 else []
            option_values = management.VariantData(
                sku=row.sku, price=row.price, size=row.size, colour=row.colour
            )
            if variant.price != row.price:
                columns.append("harga")
                tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
                if management.check_tiers(row.price, tiers):
                    plan.errors.append(
                        row_error(
                            row.number,
                            "harga",
                            "tiers",
                            price=min(p for _, p in tiers) if tiers else 0,
                        )
                    )
            if variant.options != option_values.options:
                columns.extend(
                    c
                    for c, k in (("ukuran", "ukuran"), ("warna", "warna"))
                    if variant.options.get(k, "") != option_values.options.get(k, "")
                )
            if variant.low_stock_threshold != row.low_stock_threshold:
                columns.append("stok_minimum")
            if variant.on_hand != row.stock:
                columns.append("stok")
                if row.stock < variant.reserved:
                    plan.errors.append(
                        row_error(row.number, "stok", "below_reserved", reserved=variant.reserved)
                    )
            if columns:
                summary["update_variants"] += 1
                plan.changes.append(
                    {"row": row.number, "sku": row.sku, "action": "update", "columns": columns}
                )
            else:
                summary["unchanged"] += 1
    plan.summary = summary
    plan.errors.sort(
        key=lambda e: (e["row"], COLUMNS.index(e["column"]) if e["column"] in COLUMNS else -1)
    )
    plan.changes.sort(key=lambda c: c["row"])
    if progress:
        progress(plan.total)
    return plan
