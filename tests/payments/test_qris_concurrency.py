"""QRIS callbacks racing on PostgreSQL, each a real request with its own connection, on a
database whose writes really commit: the same callback twice at once, or two callbacks for the
same payment at once, mark the order paid exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import PaymentMethod, VendorOrder, VendorOrderEvent
from marketplace.orders.models import VendorOrderStatus as S
from marketplace.payments.models import GatewayCallbackRecord, Payment, PaymentStatus
from tests.factories import UserFactory
from tests.payments.paying import SHOPPER
from tests.payments.xendit_fixtures import switch_on
from tests.shopping import place, stocked_variant
from tests.xendit_fake import Callback, FakeXendit

pytestmark = pytest.mark.postgres


@pytest.fixture
def qris_app(committed_app: Flask, xendit_server: FakeXendit) -> Iterator[Flask]:
    xendit_server.reset()
    switch_on(committed_app, xendit_server)
    yield committed_app
    xendit_server.reset()


def deliver_at_once(app: Flask, callbacks: list[Callback]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(callbacks))
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def post(callback: Callback) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/payments/xendit/callback", data=callback.payload, headers=callback.headers
            )
            results.append((response.status_code, response.get_json()["outcome"]))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=post, args=(callback,)) for callback in callbacks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def started(app: Flask) -> str:
    """A QRIS order of two parts, its payment request open: the request's id."""
    with app.test_request_context():
        shopper = UserFactory(email=SHOPPER)
        order = place(
            shopper, (stocked_variant(10), 1), (stocked_variant(10), 2), payment=PaymentMethod.QRIS
        )
        db.session.commit()
        request_id = db.session.scalar(
            select(Payment.provider_reference).where(Payment.order_id == order.id)
        )
    assert request_id
    return request_id


def assert_paid_once(app: Flask) -> None:
    with app.app_context():
        assert db.session.scalars(select(VendorOrder.status)).all() == [S.PAID] * 2
        paid_events = db.session.scalar(
            select(func.count())
            .select_from(VendorOrderEvent)
            .where(VendorOrderEvent.to_status == S.PAID)
        )
        assert paid_events == 2  # one per part
        assert db.session.scalars(select(Payment.status)).all() == [PaymentStatus.SUCCEEDED]
        confirmations = db.session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.template == "payment_confirmed")
        )
        assert confirmations == 1


def test_the_same_callback_delivered_twice_at_once_pays_exactly_once(
    qris_app: Flask, xendit_server: FakeXendit
) -> None:
    callback = xendit_server.payment_succeeded(started(qris_app))

    results = deliver_at_once(qris_app, [callback, callback])

    assert sorted(results) == [(200, "duplicate"), (200, "paid")]
    with qris_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GatewayCallbackRecord)) == 1
    assert_paid_once(qris_app)


def test_two_callbacks_for_one_payment_at_once_pay_exactly_once(
    qris_app: Flask, xendit_server: FakeXendit
) -> None:
    request_id = started(qris_app)
    first = xendit_server.payment_succeeded(request_id)
    second = xendit_server.payment_succeeded(request_id)  # another webhook id

    results = deliver_at_once(qris_app, [first, second])

    assert sorted(results) == [(200, "already_applied"), (200, "paid")]
    assert_paid_once(qris_app)
