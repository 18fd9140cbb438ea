"""The cooperative's view of its vendor orders: the work queues (`lifecycle.group_of`) name the
cooperative's next move in the status machine, and the SQL that lists them agrees with it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import update

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders import queries as order_queries
from marketplace.orders.lifecycle import FulfilmentGroup, can_move, group_of, vendor_order_group
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from tests.factories import CooperativeFactory, ProductFactory
from tests.shopping import place, stocked_variant

S = VendorOrderStatus
G = FulfilmentGroup
A = ActorKind


@pytest.mark.parametrize(
    ("payment", "delivery", "paid"),
    list(
        itertools.product(
            [PaymentMethod.BANK_TRANSFER, PaymentMethod.PAY_AT_PICKUP],
            [DeliveryMethod.PICKUP, DeliveryMethod.COURIER],
            [False, True],
        )
    ),
)
def test_each_group_is_named_after_the_next_move_the_table_allows(
    payment: PaymentMethod, delivery: DeliveryMethod, paid: bool
) -> None:
    for status in S:
        part = VendorOrder(
            status=status,
            delivery_method=delivery,
            paid_at=datetime(2026, 12, 1, tzinfo=UTC) if paid else None,
            order=Order(payment_method=payment),
        )
        expected = {
            G.TO_ACCEPT: can_move(part, S.ACCEPTED, A.COOPERATIVE),
            G.TO_PACK: can_move(part, S.SHIPPED, A.COOPERATIVE)
            or can_move(part, S.READY_FOR_PICKUP, A.COOPERATIVE),
            G.ON_THE_WAY: can_move(part, S.DELIVERED, A.COOPERATIVE),
            G.DELIVERED: can_move(part, S.COMPLETED, A.SYSTEM),
            G.AWAITING_PAYMENT: can_move(part, S.PAID, A.PAYMENT),
            G.CLOSED: status in (S.COMPLETED, S.CANCELLED, S.REFUNDED),
        }
        assert [group for group, holds in expected.items() if holds] == [
            vendor_order_group(part)
        ], (status, payment, delivery, paid)


def test_the_lists_and_counts_put_each_order_where_group_of_says(app_ctx: Flask) -> None:
    variant = stocked_variant(100)
    cooperative_id = variant.cooperative_id
    expected: dict[int, FulfilmentGroup] = {}
    for status, payment in itertools.product(
        S, [PaymentMethod.BANK_TRANSFER, PaymentMethod.PAY_AT_PICKUP]
    ):
        part = place(None, (variant, 1), payment=payment).vendor_orders[0]
        db.session.execute(
            update(VendorOrder).where(VendorOrder.id == part.id).values(status=status)
        )
        expected[part.id] = group_of(status, payment == PaymentMethod.PAY_AT_PICKUP)
    other = stocked_variant(5, product=ProductFactory(cooperative=CooperativeFactory()))
    place(None, (other, 1))  # another cooperative's order is never counted or listed

    counts = order_queries.fulfilment_counts(cooperative_id)
    for group in G:
        listed, has_next = order_queries.list_vendor_orders(cooperative_id, group, per_page=100)
        wanted = sorted(part_id for part_id, g in expected.items() if g == group)
        assert sorted(part.id for part in listed) == wanted, group
        assert counts[group] == len(wanted) and not has_next
    assert sum(counts.values()) == len(expected) == 18
    assert counts[G.CLOSED] == 6 and counts[G.TO_ACCEPT] == 3


def test_lists_are_paged_and_queues_list_the_oldest_first(app_ctx: Flask) -> None:
    variant = stocked_variant(20)
    ids = []
    for _ in range(5):
        part = place(None, (variant, 1)).vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        ids.append(part.id)
    first, has_next = order_queries.list_vendor_orders(variant.cooperative_id, G.TO_ACCEPT, 1, 2)
    second, _ = order_queries.list_vendor_orders(variant.cooperative_id, G.TO_ACCEPT, 2, 2)
    last, at_end = order_queries.list_vendor_orders(variant.cooperative_id, G.TO_ACCEPT, 3, 2)
    assert [p.id for p in first + second + last] == ids
    assert has_next and not at_end


def test_another_cooperatives_vendor_order_is_not_found(app_ctx: Flask) -> None:
    part = place(None, (stocked_variant(5), 1)).vendor_orders[0]
    assert order_queries.open_vendor_order(part.cooperative_id, part.id).id == part.id
    with pytest.raises(NotFound):
        order_queries.open_vendor_order(CooperativeFactory().id, part.id)
