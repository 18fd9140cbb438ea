"""A vendor order's goods stay reserved from the moment it is placed until they are handed over
(then sold) or the part is cancelled (then released), whoever cancels it and whatever it had
reached: paid, accepted or set out for pickup. Nothing is ever taken off the shelf by a
cancellation, so the stock ledger still sums to what is on hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.inventory.models import StockMovement
from marketplace.orders import moves as order_moves
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant

S = VendorOrderStatus
A = ActorKind

ON_SHELF = 10
ORDERED = 3

#: The domain, independently of `lifecycle`: the goods of a part are reserved for the shopper
#: while it waits for payment, is paid, is being packed, is on its way or waits at the
#: cooperative; handed over (delivered, completed) they are sold; cancelled or refunded, back on
#: sale.
RESERVED_WHILE = {S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.SHIPPED, S.READY_FOR_PICKUP}
SOLD_ONCE = {S.DELIVERED, S.COMPLETED}


class Part:
    """One part of an order (one variant, ``ORDERED`` of ``ON_SHELF``) and the people around it."""

    def __init__(self, payment: PaymentMethod, delivery: DeliveryMethod) -> None:
        self.shopper = UserFactory()
        self.variant: ProductVariant = stocked_variant(ON_SHELF)
        self.member = CooperativeMemberFactory(cooperative=self.variant.product.cooperative).user
        self.admin = UserFactory(is_city_admin=True)
        order = place(self.shopper, (self.variant, ORDERED), delivery=delivery, payment=payment)
        self.vendor_order: VendorOrder = order.vendor_orders[0]

    @property
    def status(self) -> S:
        db.session.refresh(self.vendor_order)
        return self.vendor_order.state

    def stock(self) -> tuple[int, int, int]:
        """(on hand, reserved, the ledger's sum) of the variant."""
        db.session.refresh(self.variant)
        ledger = db.session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                StockMovement.variant_id == self.variant.id
            )
        )
        return self.variant.on_hand, self.variant.reserved, int(ledger)

    # -- moves forward, each through the service its actor uses --
    def pay(self) -> None:
        order_moves.mark_vendor_order_paid(self.vendor_order, reference="TRF-1")

    def accept(self) -> None:
        order_moves.accept_vendor_order(self.member, self.vendor_order.id)

    def set_out(self) -> None:
        order_moves.mark_ready_for_pickup(self.member, self.vendor_order.id)

    def ship(self) -> None:
        order_moves.mark_shipped(self.member, self.vendor_order.id, "Pak Darto")

    def hand_over(self) -> None:
        order_moves.mark_delivered(self.member, self.vendor_order.id)


def cancel(part: Part, actor: ActorKind, clock: ModuleType) -> None:
    vo = part.vendor_order
    if actor == A.SHOPPER:
        order_moves.cancel_by_shopper(part.shopper, vo.order.number or "", vo.id, "Tidak jadi")
    elif actor == A.COOPERATIVE:
        order_moves.reject_vendor_order(part.member, vo.id, "Bahan baku habis")
    elif actor == A.CITY_ADMIN:
        order_moves.cancel_by_admin(part.admin, vo.id, "Koperasi tidak dapat melayani")
    else:
        clock.advance(timedelta(days=30))  # past any payment or pickup deadline
        assert order_moves.expire_vendor_order(vo.id)


IN_ADVANCE, AT_PICKUP = PaymentMethod.BANK_TRANSFER, PaymentMethod.PAY_AT_PICKUP
PICKUP, LOCAL = DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY

#: How a part reaches each status from which it may be cancelled, and by whom (the domain: before
#: acceptance the shopper, the cooperative and the payment deadline; a city administrator until
#: the goods leave the cooperative; an unpaid pickup that is never collected expires).
CANCELLATIONS: list[tuple[str, PaymentMethod, list[str], S, ActorKind]] = [
    ("unpaid", IN_ADVANCE, [], S.AWAITING_PAYMENT, actor)
    for actor in (A.SHOPPER, A.COOPERATIVE, A.SYSTEM, A.CITY_ADMIN)
] + [
    ("paid", IN_ADVANCE, ["pay"], S.PAID, actor)
    for actor in (A.SHOPPER, A.COOPERATIVE, A.CITY_ADMIN)
] + [
    ("accepted", IN_ADVANCE, ["pay", "accept"], S.ACCEPTED, A.CITY_ADMIN),
    ("accepted unpaid", AT_PICKUP, ["accept"], S.ACCEPTED, A.CITY_ADMIN),
    ("waiting at the cooperative", IN_ADVANCE, ["pay", "accept", "set_out"], S.READY_FOR_PICKUP,
     A.CITY_ADMIN),
    ("never collected", AT_PICKUP, ["accept", "set_out"], S.READY_FOR_PICKUP, A.SYSTEM),
    ("never collected", AT_PICKUP, ["accept", "set_out"], S.READY_FOR_PICKUP, A.CITY_ADMIN),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "payment", "steps", "source", "actor"),
    CANCELLATIONS,
    ids=[f"{name}-{actor}" for name, _, _, _, actor in CANCELLATIONS],
)
def test_every_cancellation_puts_the_reserved_goods_back_on_sale(
    app_ctx: Flask,
    clock: ModuleType,
    name: str,
    payment: PaymentMethod,
    steps: list[str],
    source: S,
    actor: ActorKind,
) -> None:
    part = Part(payment, PICKUP)
    for step in steps:
        getattr(part, step)()
    assert part.status == source
    assert part.stock() == (ON_SHELF, ORDERED, ON_SHELF)  # reserved, still on the shelf

    cancel(part, actor, clock)

    assert part.status == S.CANCELLED
    # Back on sale in full; nothing was taken off the shelf or written to the ledger.
    assert part.stock() == (ON_SHELF, 0, ON_SHELF)
    assert part.variant.available == ON_SHELF


JOURNEYS: list[tuple[PaymentMethod, DeliveryMethod, list[str]]] = [
    (IN_ADVANCE, PICKUP, ["pay", "accept", "set_out", "hand_over"]),
    (IN_ADVANCE, LOCAL, ["pay", "accept", "ship", "hand_over"]),
    (AT_PICKUP, PICKUP, ["accept", "set_out", "hand_over"]),
]


@pytest.mark.parametrize(("payment", "delivery", "steps"), JOURNEYS)
def test_the_goods_stay_reserved_until_handed_over_then_are_sold_once(
    app_ctx: Flask,
    clock: ModuleType,
    payment: PaymentMethod,
    delivery: DeliveryMethod,
    steps: list[str],
) -> None:
    part = Part(payment, delivery)
    moves: list[Callable[[], Any]] = [getattr(part, step) for step in steps]
    moves.append(lambda: order_moves.complete_vendor_order(part.vendor_order.id))
    clock.advance(timedelta(days=1))
    seen = [part.status]
    assert part.stock() == (ON_SHELF, ORDERED, ON_SHELF)
    for move in moves:
        if move is moves[-1]:
            clock.advance(timedelta(days=30))  # long enough to complete by itself
        move()
        status = part.status
        seen.append(status)
        if status in RESERVED_WHILE:
            assert part.stock() == (ON_SHELF, ORDERED, ON_SHELF), status
        else:
            assert status in SOLD_ONCE
            assert part.stock() == (ON_SHELF - ORDERED, 0, ON_SHELF - ORDERED), status
    assert seen[-2:] == [S.DELIVERED, S.COMPLETED]
