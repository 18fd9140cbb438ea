"""Applying a checked plan through the services the screens use, so prices and stock changes
are audited and each stock change writes a movement."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from marketplace.catalogue import management
from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.bulk.plan import PROGRESS_EVERY, Plan, Row, product_values
from marketplace.inventory.models import MovementReason


def apply_plan(
    cooperative_id: int,
    actor_id: int,
    plan: Plan,
    note: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Create and update the plan's products and variants, and set their stock."""
    done = 0
    for key, group in plan.groups.items():
        first = group[0].product
        product_data = management.ProductData(
            category_id=first["category_id"],
            name=first["name"],
            description=first["description"],
            unit=first["unit"],
            weight_grams=first["weight_grams"],
            min_order_qty=first["min_order_qty"],
            halal_number=first["halal_number"],
            halal_valid_until=first["halal_valid_until"],
            pirt_number=first["pirt_number"],
            bpom_md_number=first["bpom_md_number"],
        )
        rows = list(group)
        if isinstance(key, int):
            product = management.owned_product(cooperative_id, key)
            if product_values(product) != first:
                management.update_product(cooperative_id, product.id, actor_id, product_data)
        else:
            row = rows.pop(0)
            product, variant = management.create_product(
                cooperative_id, actor_id, product_data, _variant_data(row, [])
            )
            if row.stock:
                stock.restock(
                    variant.id,
                    row.stock,
                    reason=MovementReason.INITIAL,
                    note=note,
                    actor_id=actor_id,
                )
            done += 1
        existing = {v.sku: v for v in product.variants}
        for row in rows:
            variant_or_none = existing.get(row.sku) or _variant_by_sku(cooperative_id, row.sku)
            if variant_or_none is None:
                variant = management.add_variant(
                    cooperative_id, product.id, actor_id, _variant_data(row, [])
                )
                if row.stock:
                    stock.restock(
                        variant.id,
                        row.stock,
                        reason=MovementReason.INITIAL,
                        note=note,
                        actor_id=actor_id,
                    )
            else:
                variant = variant_or_none
                tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
                data = _variant_data(row, tiers)
                if (
                    variant.price != data.price
                    or variant.options != data.options
                    or variant.low_stock_threshold != data.low_stock_threshold
                ):
                    management.update_variant(cooperative_id, variant.id, actor_id, data)
                if variant.on_hand != row.stock:
                    stock.adjust(
                        cooperative_id,
                        variant.id,
                        stock.Adjustment.CORRECTION,
                        row.stock,
                        note=note,
                        actor_id=actor_id,
                    )
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
    db.session.flush()


def _variant_by_sku(cooperative_id: int, sku: str) -> ProductVariant | None:
    return db.session.scalar(
        select(ProductVariant).where(
            ProductVariant.cooperative_id == cooperative_id, ProductVariant.sku == sku
        )
    )


def _variant_data(row: Row, tiers: list[tuple[int, int]]) -> management.VariantData:
    return management.VariantData(
        sku=row.sku,
        price=row.price,
        size=row.size,
        colour=row.colour,
        low_stock_threshold=row.low_stock_threshold,
        tiers=tiers,
    )
