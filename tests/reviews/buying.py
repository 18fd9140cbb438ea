"""A shopper's completed purchase, ready to be reviewed (written as another request would)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from marketplace.catalogue.models import Product, ProductVariant
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, OrderLine
from tests.factories import CooperativeMemberFactory
from tests.shopping import place, stocked_variant


@dataclass
class Bought:
    number: str
    part_id: int
    line_id: int
    product_id: int
    cooperative_id: int
    member: Any


def buy(user: Any, variant: ProductVariant | None = None, *, complete: bool = True) -> Bought:
    """``user`` buys one unit of ``variant`` (a new product when None); the part is handed
    over and, unless asked otherwise, received."""
    variant = variant or stocked_variant(20)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    order = place(user, (variant, 1))
    part = order.vendor_orders[0]
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    order_moves.mark_delivered(member, part.id)
    number = db.session.scalar(select(Order.number).where(Order.id == order.id))
    assert number is not None
    if complete:
        order_moves.confirm_receipt(user, number, part.id)
    line_id = db.session.scalar(select(OrderLine.id).where(OrderLine.vendor_order_id == part.id))
    assert line_id is not None
    db.session.flush()
    return Bought(
        number, part.id, line_id, variant.product_id, variant.product.cooperative_id, member
    )


def product(product_id: int) -> Product:
    found = db.session.get(Product, product_id, populate_existing=True)
    assert found is not None
    return found
