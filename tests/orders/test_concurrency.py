"""Races on PostgreSQL, each buyer a real request with its own connection, on a database whose
writes really commit: the last units are never sold twice, a double submit makes one order."""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.catalogue.models import Product, ProductVariant
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import StockMovement
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders.models import (
    DeliveryMethod,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
)
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import ADDRESS, NEW_ADDRESS_FORM, fill_cart, stocked_variant

pytestmark = pytest.mark.postgres

BUYERS = 20
UNITS = 5


def ready_to_place(
    app: Flask, email: str, cooperative_id: int
) -> tuple[FlaskClient, dict[str, str]]:
    """A logged-in client that has chosen its delivery and holds the review page's form."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    response = client.post(
        "/checkout",
        data={
            **NEW_ADDRESS_FORM,
            f"delivery_{cooperative_id}": "pickup",
            "payment_method": "bank_transfer",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get("/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html)
    total = re.search(r'name="expected_total" value="(\d+)"', html)
    assert key and total
    return client, {"idempotency_key": key.group(1), "expected_total": total.group(1)}


def fire_at_once(posts: list[tuple[FlaskClient, dict[str, str]]]) -> list[tuple[int, str, str]]:
    """POST /checkout/place from every client at the same moment, each in its own thread."""
    barrier = threading.Barrier(len(posts))
    results: list[tuple[int, str, str]] = []
    errors: list[BaseException] = []

    def place(client: FlaskClient, form: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post("/checkout/place", data=form)
            results.append(
                (
                    response.status_code,
                    response.headers.get("Location", ""),
                    response.get_data(as_text=True),
                )
            )
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=place, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == len(posts)
    return results


def test_twenty_buyers_race_for_the_last_five_units(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        variant = stocked_variant(UNITS, product__name="Kemeja Batik Edisi Terbatas")
        for n in range(BUYERS):
            fill_cart(UserFactory(email=f"buyer{n}@example.test"), (variant, 1))
        db.session.commit()
        variant_id, product_id = variant.id, variant.product_id
        cooperative = variant.product.cooperative
        cooperative_id = cooperative.id
    posts = [ready_to_place(app, f"buyer{n}@example.test", cooperative_id) for n in range(BUYERS)]

    results = fire_at_once(posts)

    winners = [r for r in results if r[0] == 302]
    losers = [r for r in results if r[0] != 302]
    assert len(winners) == UNITS
    assert all(location.startswith("/orders/OPOP-") for _, location, _ in winners)
    assert len(losers) == BUYERS - UNITS
    for status, _, body in losers:
        assert status == 400
        assert re.search(r"Kemeja Batik Edisi Terbatas.{0,40}(habis|tinggal \d+)", body), body

    with app.test_request_context():
        variant = db.session.get(ProductVariant, variant_id)
        assert variant is not None
        assert (variant.on_hand, variant.reserved) == (UNITS, UNITS)
        assert db.session.scalar(select(func.count()).select_from(Order)) == UNITS
        # Deliver the five orders: the reservations become sales.
        member = CooperativeMemberFactory(cooperative=cooperative).user
        for part in db.session.scalars(select(VendorOrder)).all():
            order_moves.mark_vendor_order_paid(part)
            order_moves.accept_vendor_order(member, part.id)
            order_moves.mark_ready_for_pickup(member, part.id)
            order_moves.mark_delivered(member, part.id)
        db.session.commit()
        db.session.expire_all()
        variant = db.session.get(ProductVariant, variant_id)
        product = db.session.get(Product, product_id)
        assert variant is not None and product is not None
        assert (variant.on_hand, variant.reserved, product.sold_count) == (0, 0, UNITS)
        assert stock.ledger_balance(variant_id) == variant.on_hand
        lowest = db.session.scalar(
            select(func.min(StockMovement.balance_after)).where(
                StockMovement.variant_id == variant_id
            )
        )
        assert lowest == 0


def test_the_same_checkout_fired_twice_at_once_makes_one_order(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        variant = stocked_variant(10)
        fill_cart(UserFactory(email="twice@example.test"), (variant, 3))
        db.session.commit()
        variant_id, cooperative_id = variant.id, variant.cooperative_id
    client, form = ready_to_place(app, "twice@example.test", cooperative_id)
    twin = app.test_client()
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert session_cookie is not None
    twin.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie.value)

    results = fire_at_once([(client, form), (twin, form)])

    assert [status for status, _, _ in results] == [302, 302]
    assert results[0][1] == results[1][1]
    with app.test_request_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        variant = db.session.get(ProductVariant, variant_id)
        assert variant is not None and variant.reserved == 3


def test_two_expiry_runs_at_once_cancel_each_order_once(committed_app: Flask) -> None:
    from datetime import UTC, datetime, timedelta

    from marketplace import clock
    from marketplace.orders.cli import move_each
    from marketplace.orders.moves import expire_vendor_order, overdue_vendor_order_ids

    app = committed_app
    clock.freeze(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    try:
        with app.test_request_context():
            variant = stocked_variant(30)
            for n in range(10):
                user = UserFactory(email=f"late{n}@example.test")
                fill_cart(user, (variant, 2))
                order_checkout.place_order(
                    user,
                    order_checkout.CheckoutChoices(
                        ADDRESS,
                        {variant.cooperative_id: DeliveryMethod.PICKUP},
                        PaymentMethod.BANK_TRANSFER,
                    ),
                    order_checkout.new_idempotency_key(),
                )
            db.session.commit()
            variant_id = variant.id
        clock.advance(timedelta(days=2))
        barrier = threading.Barrier(2)
        counts: list[int] = []

        def run() -> None:
            with app.app_context():
                ids = overdue_vendor_order_ids()
                barrier.wait(timeout=30)
                counts.append(move_each(ids, expire_vendor_order))
                db.session.remove()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        clock.unfreeze()
    assert sum(counts) == 10
    with app.app_context():
        variant = db.session.get(ProductVariant, variant_id)
        assert variant is not None and (variant.reserved, variant.on_hand) == (0, 30)
        events = db.session.scalar(
            select(func.count())
            .select_from(VendorOrderEvent)
            .where(VendorOrderEvent.to_status == "cancelled")
        )
        assert events == 10
