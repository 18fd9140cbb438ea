"""Races on PostgreSQL, each delivery a real request with its own connection, on a database
whose writes really commit: Stripe delivering the same event twice at once, or two events for
the same payment at once, marks the order paid exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import (
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.payments.models import Payment, PaymentStatus, StripeEvent
from tests.factories import UserFactory
from tests.payments.paying import SHOPPER, shopper_client
from tests.shopping import place, stocked_variant
from tests.stripe_fake import FakeStripe, SignedEvent

pytestmark = pytest.mark.postgres
CARD = PaymentMethod.CARD


@pytest.fixture
def card_app(committed_app: Flask, stripe_server: FakeStripe) -> Iterator[Flask]:
    stripe_server.reset()
    committed_app.config.update(
        STRIPE_SECRET_KEY=stripe_server.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_API_BASE=stripe_server.url,
    )
    yield committed_app
    stripe_server.reset()


def deliver_at_once(app: Flask, events: list[SignedEvent]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(events))
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def post(signed: SignedEvent) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/payments/stripe/webhook", data=signed.payload, headers=signed.headers
            )
            results.append((response.status_code, response.get_json()["outcome"]))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=post, args=(signed,)) for signed in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def started(app: Flask, fake: FakeStripe) -> str:
    """A card order of two parts, its Checkout Session open: the session's id."""
    with app.test_request_context():
        shopper = UserFactory(email=SHOPPER)
        order = place(shopper, (stocked_variant(10), 1), (stocked_variant(10), 2), payment=CARD)
        db.session.commit()
        number = order.number
    assert shopper_client(app).post(f"/orders/{number}/payment/card").status_code == 303
    return str(fake.only_session["id"])


def assert_paid_once(app: Flask) -> None:
    with app.app_context():
        statuses = db.session.scalars(select(VendorOrder.status)).all()
        assert statuses == [VendorOrderStatus.PAID] * 2
        paid_events = db.session.scalar(
            select(func.count())
            .select_from(VendorOrderEvent)
            .where(VendorOrderEvent.to_status == VendorOrderStatus.PAID)
        )
        assert paid_events == 2  # one per part
        assert db.session.scalars(select(Payment.status)).all() == [PaymentStatus.SUCCEEDED]
        confirmations = db.session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.template == "payment_confirmed")
        )
        assert confirmations == 1


def test_the_same_event_delivered_twice_at_once_pays_exactly_once(
    card_app: Flask, stripe_server: FakeStripe
) -> None:
    signed = stripe_server.complete(started(card_app, stripe_server))

    results = deliver_at_once(card_app, [signed, signed])

    assert sorted(results) == [(200, "duplicate"), (200, "paid")]
    with card_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert_paid_once(card_app)


def test_two_completed_events_for_one_session_at_once_pay_exactly_once(
    card_app: Flask, stripe_server: FakeStripe
) -> None:
    session_id = started(card_app, stripe_server)
    first = stripe_server.complete(session_id)
    second = stripe_server.complete(session_id)  # another event id, the same session

    results = deliver_at_once(card_app, [first, second])

    assert sorted(results) == [(200, "already_applied"), (200, "paid")]
    assert_paid_once(card_app)
