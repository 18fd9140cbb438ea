"""A delivered part to complain about (written as the cooperative's requests would)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, OrderLine, PaymentMethod, VendorOrder
from marketplace.payments.models import ENTRY_SIGNS, SettlementEntry
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant


@dataclass
class Delivered:
    shopper: Any
    member: Any
    number: str
    part_id: int
    line_id: int
    variant_id: int
    product_id: int
    cooperative_id: int

    @property
    def part(self) -> VendorOrder:
        part = db.session.get(VendorOrder, self.part_id, populate_existing=True)
        assert part is not None
        return part


def delivered(
    *,
    quantity: int = 3,
    price: int = 10_000,
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    shopper: Any = None,
) -> Delivered:
    """A part of ``quantity`` units at ``price`` handed over (pickup): paid as marked by the
    payment service (no payment record), or at pickup."""
    variant = stocked_variant(20, price=price)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    shopper = shopper or UserFactory()
    order = place(shopper, (variant, quantity), payment=payment)
    part = order.vendor_orders[0]
    if payment != PaymentMethod.PAY_AT_PICKUP:
        order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    order_moves.mark_delivered(member, part.id)
    number = db.session.scalar(select(Order.number).where(Order.id == order.id))
    line_id = db.session.scalar(select(OrderLine.id).where(OrderLine.vendor_order_id == part.id))
    assert number is not None and line_id is not None
    return Delivered(
        shopper,
        member,
        number,
        part.id,
        line_id,
        variant.id,
        variant.product_id,
        variant.product.cooperative_id,
    )


def ledger(cooperative_id: int) -> list[tuple[str, int]]:
    return [
        (entry.kind, entry.amount)
        for entry in db.session.scalars(
            select(SettlementEntry)
            .where(SettlementEntry.cooperative_id == cooperative_id)
            .order_by(SettlementEntry.id)
        )
    ]


def signed_sum(cooperative_id: int) -> int:
    """The entries' signed sum, counted here independently of `settlement.balance`."""
    return sum(ENTRY_SIGNS[kind] * amount for kind, amount in ledger(cooperative_id))  # type: ignore[index]


@contextmanager
def settings(app: Flask, **values: object) -> Iterator[None]:
    saved = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)
