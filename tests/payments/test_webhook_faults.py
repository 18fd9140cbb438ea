"""Stripe's webhook while the database is locked (PostgreSQL, really committed): the event is
answered 5xx only when nothing of it was recorded, so Stripe's retry applies it later, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text

from marketplace.extensions import db
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.payments.models import Payment, StripeEvent
from tests.payments.paying import post_event
from tests.payments.test_concurrency import assert_paid_once, started
from tests.stripe_fake import FakeStripe

pytestmark = pytest.mark.postgres


@pytest.fixture
def impatient_card_app(committed_app: Flask, stripe_server: FakeStripe) -> Iterator[Flask]:
    """Card payments on, and every connection of the app gives up a lock after 300 ms."""
    stripe_server.reset()
    committed_app.config.update(
        STRIPE_SECRET_KEY=stripe_server.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_API_BASE=stripe_server.url,
    )
    with committed_app.app_context():
        engine = db.engine

        def set_lock_timeout(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("SET lock_timeout = '300ms'")
            cursor.close()

        event.listen(engine, "connect", set_lock_timeout)
        engine.dispose()  # new connections only
    yield committed_app
    stripe_server.reset()


def test_a_webhook_meeting_a_locked_payment_is_refused_unrecorded_then_applied_on_retry(
    impatient_card_app: Flask, stripe_server: FakeStripe
) -> None:
    app = impatient_card_app
    signed = stripe_server.complete(started(app, stripe_server))
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.connect() as holder:
        # Another transaction (a slow desk action, a vacuum, a migration) holds the payment.
        holder.execute(text("SELECT id FROM payments FOR UPDATE"))
        response = post_event(app.test_client(), signed)
        holder.rollback()
    other.dispose()

    assert 500 <= response.status_code < 600
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
        assert (
            db.session.scalars(select(VendorOrder.status)).all()
            == [VendorOrderStatus.AWAITING_PAYMENT] * 2
        )
        assert db.session.scalar(select(Payment.provider_reference)) is not None

    # Stripe delivers the same event again later: it is applied, once.
    retried = post_event(app.test_client(), signed)
    assert retried.status_code == 200 and retried.get_json()["outcome"] == "paid"
    assert_paid_once(app)
