"""Keeps each product's listing summary (prices, in stock, what its card shows, search text) in
step with its data.

After every flush that touches a product, one of its variants or photos, a category or a
cooperative, the affected products' summary columns (`SUMMARY_FIELDS`) are recomputed in SQL.
Stock changes are guarded UPDATEs that bypass the flush, so `inventory.stock` calls
`refresh_stock_flags` after each (``in_stock`` and the card's quick-add variant depend on
stock). The full-text search follows
``search_text`` by itself: on PostgreSQL a generated tsvector column that triggers copy into
``product_search_rows`` (and its words into ``search_words``), on SQLite FTS5 triggers (see the
migrations that created them).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, or_, select, update
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import identity_key

from marketplace.catalogue.models import Category, Product, ProductImage, ProductVariant
from marketplace.cooperatives.models import Cooperative

SUMMARY_FIELDS = (
    "price_from",
    "price_to",
    "in_stock",
    "variants_on_sale",
    "quick_add_variant_id",
    "cover_image_id",
    "search_title",
    "search_text",
)


def _joined(*parts: Any) -> ColumnElement[str]:
    expression: ColumnElement[str] = func.coalesce(parts[0], "")
    for part in parts[1:]:
        expression = expression + literal(" ") + func.coalesce(part, "")
    return expression


@lru_cache(maxsize=1)
def summary_values() -> dict[str, Any]:
    """The SQL expressions of every summary column, correlated to the products row."""
    parent = aliased(Category)
    category_names = (
        select(_joined(Category.name, Category.name_en, parent.name, parent.name_en))
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(Category.id == Product.category_id)
        .scalar_subquery()
    )
    cooperative_names = (
        select(_joined(Cooperative.name, Cooperative.pesantren_name, Cooperative.kecamatan))
        .where(Cooperative.id == Product.cooperative_id)
        .scalar_subquery()
    )
    lowest_price, highest_price = (
        select(func.coalesce(aggregate(ProductVariant.price), 0))
        .where(ProductVariant.product_id == Product.id, ProductVariant.is_active)
        .scalar_subquery()
        for aggregate in (func.min, func.max)
    )
    first_photo = (
        select(ProductImage.id)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .scalar_subquery()
    )
    return {
        "price_from": lowest_price,
        "price_to": highest_price,
        "in_stock": _has_free_units(),
        "variants_on_sale": _variants_on_sale(),
        "quick_add_variant_id": _quick_add_variant(),
        "cover_image_id": first_photo,
        "search_title": func.substr(
            _joined(Product.name, category_names, cooperative_names), 1, 500
        ),
        "search_text": _joined(
            Product.name, Product.description, category_names, cooperative_names
        ),
    }


def _has_free_units() -> ColumnElement[bool]:
    return exists().where(
        ProductVariant.product_id == Product.id,
        ProductVariant.is_active,
        ProductVariant.on_hand > ProductVariant.reserved,
    )


def _variants_on_sale() -> ColumnElement[int]:
    return (
        select(func.count(ProductVariant.id))
        .where(ProductVariant.product_id == Product.id, ProductVariant.is_active)
        .scalar_subquery()
    )


def _quick_add_variant() -> ColumnElement[int | None]:
    """The only variant on sale, while it has the product's minimum order free."""
    orderable = (
        select(func.max(ProductVariant.id))
        .where(
            ProductVariant.product_id == Product.id,
            ProductVariant.is_active,
            ProductVariant.on_hand - ProductVariant.reserved >= Product.min_order_qty,
        )
        .scalar_subquery()
    )
    return case((_variants_on_sale() == 1, orderable), else_=None)


def refresh_stock_flags(session: Session, variant_ids: Iterable[int]) -> None:
    """Recompute ``in_stock`` and the quick-add variant of the products of some variants whose
    stock just changed.

    Only rows where either actually changes are written (and so locked), in ascending product id
    order like the stock code's other locks; ``updated_at`` stays: stock is not an edit.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return
    connection = session.connection()
    product_ids = sorted(
        set(connection.scalars(select(ProductVariant.product_id).where(ProductVariant.id.in_(ids))))
    )
    if not product_ids:
        return
    flag = _has_free_units()
    quick_add = _quick_add_variant()
    flipped = connection.scalars(
        update(Product)
        .where(
            Product.id.in_(product_ids),
            or_(
                Product.in_stock != flag,
                # IS DISTINCT FROM: either side may be NULL (no variant to add from a card).
                Product.quick_add_variant_id.is_distinct_from(quick_add),
            ),
        )
        .values(in_stock=flag, quick_add_variant_id=quick_add, updated_at=Product.updated_at)
        .returning(Product.id)
    ).all()
    for product_id in flipped:
        product = session.identity_map.get(identity_key(Product, product_id))
        if product is not None:
            session.expire(product, ["in_stock", "quick_add_variant_id"])


def refresh_summaries(session: Session, product_ids: set[int] | None = None) -> None:
    """Recompute the summaries of some products (all when ``product_ids`` is None)."""
    statement = update(Product).values(**summary_values())
    if product_ids is not None:
        if not product_ids:
            return
        statement = statement.where(Product.id.in_(sorted(product_ids)))
    session.connection().execute(statement.execution_options(synchronize_session=False))


def _affected_products(session: Session) -> tuple[set[int], set[int], set[int]]:
    products: set[int] = set()
    categories: set[int] = set()
    cooperatives: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Product) and obj not in session.deleted and obj.id is not None:
            products.add(obj.id)
        elif isinstance(obj, ProductVariant | ProductImage) and obj.product_id is not None:
            products.add(obj.product_id)
        elif isinstance(obj, Category) and obj.id is not None:
            categories.add(obj.id)
        elif isinstance(obj, Cooperative) and obj.id is not None:
            cooperatives.add(obj.id)
    return products, categories, cooperatives


@listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    products, categories, cooperatives = _affected_products(session)
    if categories or cooperatives:
        products |= set(
            session.connection().scalars(
                select(Product.id).where(
                    Product.category_id.in_(categories) | Product.cooperative_id.in_(cooperatives)
                )
            )
        )
    if not products:
        return
    refresh_summaries(session, products)
    session.info.setdefault("refreshed_products", set()).update(products)


@listens_for(Session, "after_flush_postexec")
def _expire_refreshed(session: Session, _context: Any) -> None:
    refreshed: set[int] = session.info.pop("refreshed_products", set())
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Product) and obj.id in refreshed:
            session.expire(obj, [*SUMMARY_FIELDS, "cover_image"])
