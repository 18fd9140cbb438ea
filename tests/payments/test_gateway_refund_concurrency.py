"""Refund and payout callbacks racing on PostgreSQL, each a real request with its own
connection, on a database whose writes really commit (and built by the migrations): two
callbacks for one refund at once complete it exactly once, and two sends of the same refund at
once make one refund at Xendit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import PaymentMethod, VendorOrderEvent
from marketplace.orders.models import VendorOrderStatus as S
from marketplace.payments import gateway_refunds, online
from marketplace.payments.models import (
    EntryKind,
    Payment,
    Refund,
    RefundStatus,
    SettlementEntry,
)
from tests.factories import UserFactory
from tests.payments.paying import SHOPPER
from tests.payments.test_qris_concurrency import deliver_at_once
from tests.payments.xendit_fixtures import switch_on
from tests.shopping import place, stocked_variant
from tests.xendit_fake import FakeXendit

pytestmark = pytest.mark.postgres


@pytest.fixture
def race_app(committed_app: Flask, xendit_server: FakeXendit) -> Iterator[Flask]:
    xendit_server.reset()
    switch_on(committed_app, xendit_server)
    yield committed_app
    xendit_server.reset()


def cancelled_after_payment(
    app: Flask, fake: FakeXendit, method: PaymentMethod, channel: str
) -> int:
    """An order of two parts paid online by ``channel``, its first part then cancelled by the
    shopper: the refund's id (not sent yet)."""
    with app.test_request_context():
        shopper = UserFactory(email=SHOPPER)
        order = place(shopper, (stocked_variant(10), 1), (stocked_variant(10), 2), payment=method)
        db.session.commit()
        online.choose_channel(shopper, order.number or "", channel)
        db.session.commit()
        request_id = db.session.scalar(
            select(Payment.provider_reference).where(Payment.order_id == order.id)
        )
    paid = fake.payment_succeeded(request_id or "")
    response = app.test_client().post(
        "/payments/xendit/callback", data=paid.payload, headers=paid.headers
    )
    assert response.get_json()["outcome"] == "paid"
    with app.test_request_context():
        shopper = db.session.scalar(select(UserFactory._meta.model).filter_by(email=SHOPPER))
        order_moves.cancel_by_shopper(shopper, order.number or "", order.vendor_orders[0].id)
        db.session.commit()
        refund_id = db.session.scalar(select(Refund.id))
    assert refund_id is not None
    return refund_id


def send_at_once(app: Flask, work: object, refund_id: int) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.test_request_context():
                barrier.wait(timeout=30)
                work(refund_id)  # type: ignore[operator]
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def assert_completed_once(app: Flask, refund_id: int) -> None:
    with app.app_context():
        refund = db.session.get(Refund, refund_id)
        assert refund is not None and refund.status == RefundStatus.SUCCEEDED
        completed = db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "refund.completed", AuditLog.subject_id == refund_id)
        )
        assert completed == 1
        refunded_moves = db.session.scalar(
            select(func.count())
            .select_from(VendorOrderEvent)
            .where(VendorOrderEvent.to_status == S.REFUNDED)
        )
        assert refunded_moves == 1
        ledger_refunds = db.session.scalar(
            select(func.count())
            .select_from(SettlementEntry)
            .where(SettlementEntry.kind == EntryKind.REFUND)
        )
        assert ledger_refunds <= 1  # posted only against an earning already in the ledger


def test_two_refund_callbacks_at_once_complete_the_refund_once(
    race_app: Flask, xendit_server: FakeXendit
) -> None:
    refund_id = cancelled_after_payment(race_app, xendit_server, PaymentMethod.EWALLET, "DANA")
    send_at_once(race_app, gateway_refunds.process_refund, refund_id)
    # The same key twice at once: one refund at Xendit.
    calls = xendit_server.calls("POST", "/refunds")
    assert len(calls) == 2 and len({c.idempotency_key for c in calls}) == 1
    assert len(xendit_server.refunds) == 1
    (xendit_id,) = xendit_server.refunds
    first = xendit_server.refund_settled(xendit_id)
    second = xendit_server.refund_settled(xendit_id)  # another webhook id

    results = deliver_at_once(race_app, [first, second, first])

    assert sorted(results) == [
        (200, "already_applied"),
        (200, "duplicate"),
        (200, "refund_completed"),
    ]
    assert_completed_once(race_app, refund_id)


def test_two_payout_callbacks_at_once_complete_the_refund_once(
    race_app: Flask, xendit_server: FakeXendit
) -> None:
    refund_id = cancelled_after_payment(
        race_app, xendit_server, PaymentMethod.VIRTUAL_ACCOUNT, "BCA"
    )
    with race_app.test_request_context():
        refund = db.session.get(Refund, refund_id)
        assert refund is not None
        shopper = refund.order.user
        gateway_refunds.give_account(
            shopper, refund.order.number or "", refund_id, "ID_BCA", "1234567890", "Ani Rahmawati"
        )
        db.session.commit()
    send_at_once(race_app, gateway_refunds.process_payout, refund_id)
    assert len(xendit_server.payouts) == 1
    (payout_id,) = xendit_server.payouts
    first = xendit_server.payout_settled(payout_id)
    second = xendit_server.payout_settled(payout_id)

    results = deliver_at_once(race_app, [first, second])

    assert sorted(results) == [(200, "already_applied"), (200, "refund_completed")]
    assert_completed_once(race_app, refund_id)
