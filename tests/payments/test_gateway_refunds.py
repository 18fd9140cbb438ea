"""Refunds of online payments through Xendit (marketplace/payments/gateway_refunds.py) against the
fake Xendit server: an e-wallet or QRIS part cancelled after payment goes back through the
Refund API and completes only when the refund read back from Xendit says so; a virtual account
waits for the shopper's bank account and goes out as one payout; failures are retried under the
same idempotency key, and the shopper sees each refund's status."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments import desk as payment_desk
from marketplace.payments import gateway_refunds
from marketplace.payments import refunds as refund_service
from marketplace.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from tests.conftest import login
from tests.factories import UserFactory
from tests.payments.paying import payments_of, placed_order, refresh, shopper_client
from tests.payments.test_online_qris import post_callback
from tests.xendit_fake import FakeXendit

S = VendorOrderStatus
P = PaymentStatus
EWALLET = PaymentMethod.EWALLET
VA = PaymentMethod.VIRTUAL_ACCOUNT


def paid_online(
    app: Flask, fake: FakeXendit, method: PaymentMethod, channel: str
) -> tuple[Order, FlaskClient]:
    """A two-cooperative order paid online by ``channel``, the payment applied."""
    order = placed_order(app, payment=method, cooperatives=2)
    client = shopper_client(app)
    if method != PaymentMethod.QRIS:
        client.post(f"/orders/{order.number}/payment/online", data={"channel": channel})
    (payment,) = payments_of(order)
    paid = fake.payment_succeeded(payment.provider_reference or "")
    assert post_callback(app.test_client(), paid) == (200, "paid")
    refresh(*order.vendor_orders)
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}
    return order, client


def cancel_first(client: FlaskClient, order: Order) -> Any:
    part = order.vendor_orders[0]
    return client.post(
        f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": "Salah pilih"}
    )


def only_refund(order: Order) -> Refund:
    (refund,) = db.session.scalars(
        select(Refund).where(Refund.order_id == order.id).execution_options(populate_existing=True)
    ).all()
    return refund


def actions_of(refund: Refund) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.subject_type == "Refund", AuditLog.subject_id == refund.id)
            .order_by(AuditLog.id)
        )
    )


def last_email() -> OutboxEmail:
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()


def pay_page(client: FlaskClient, order: Order) -> str:
    return client.get(f"/orders/{order.number}/payment").get_data(as_text=True)


def order_page(client: FlaskClient, order: Order) -> str:
    return client.get(f"/orders/{order.number}").get_data(as_text=True)


# ------------------------------------------------------------------------------------------
# E-wallets and QRIS: the Refund API
# ------------------------------------------------------------------------------------------


def test_an_ewallet_refund_completes_only_after_the_callback_is_read_back(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "DANA")
    first, second = order.vendor_orders
    (payment,) = payments_of(order)
    xendit_fake.refund_fee = 1_665  # Xendit's fee on the refund, kept as the platform's cost
    assert cancel_first(client, order).status_code == 302
    refund = only_refund(order)
    # Sent at once, for exactly the part's amount, under the refund's own key.
    (call,) = xendit_fake.calls("POST", "/refunds")
    assert (
        call.idempotency_key == refund.idempotency_key == f"opop-refund-p{payment.id}-vo{first.id}"
    )
    assert call.body["amount"] == first.total
    assert call.body["payment_request_id"] == payment.provider_reference
    assert call.body["reason"] == "CANCELLATION"
    assert call.body["reference_id"] == f"opop-refund-{refund.id}-0"
    (at_xendit,) = xendit_fake.refunds.values()
    assert (refund.method, refund.status, refund.reason) == (
        RefundMethod.GATEWAY,
        RefundStatus.PENDING,
        RefundReason.CANCELLED,
    )
    assert refund.provider_reference == at_xendit["id"] and refund.attempts == 1
    # Xendit has not settled it yet: the shopper sees it on its way.
    assert "Pengembalian dana Rp" in order_page(client, order)
    assert "Sedang diproses" in order_page(client, order)
    assert "Ke e-wallet atau aplikasi yang membayar" in pay_page(client, order)
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert "ke e-wallet atau aplikasi yang Anda pakai" in emails[-1].body_text
    refresh(first)
    assert first.state == S.CANCELLED

    settled = xendit_fake.refund_settled(at_xendit["id"])
    assert post_callback(app.test_client(), settled) == (200, "refund_completed")
    assert post_callback(app.test_client(), settled) == (200, "duplicate")
    refund = only_refund(order)
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.provider_reference == at_xendit["id"] and refund.completed_at is not None
    assert refund.gateway_fee == 1_665
    # Read back from Xendit before anything was marked.
    assert len(xendit_fake.calls("GET", f"/refunds/{at_xendit['id']}")) == 1
    refresh(first, second, payment)
    assert (first.state, second.state) == (S.REFUNDED, S.PAID)
    assert payment.state == P.SUCCEEDED  # it still pays the other cooperative
    assert actions_of(refund) == ["refund.requested", "refund.sent", "refund.completed"]
    assert "Selesai" in order_page(client, order)
    assert len(xendit_fake.refunds) == 1


def test_a_qris_refund_goes_through_the_refund_api_too(app: Flask, xendit_fake: FakeXendit) -> None:
    order, client = paid_online(app, xendit_fake, PaymentMethod.QRIS, "QRIS")
    cancel_first(client, order)
    assert only_refund(order).method == RefundMethod.GATEWAY
    assert len(xendit_fake.refunds) == 1


def test_a_callback_is_news_not_proof_late_and_out_of_order_ones_change_nothing(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "SHOPEEPAY")
    cancel_first(client, order)
    (refund_id,) = xendit_fake.refunds
    data = {k: v for k, v in xendit_fake.refunds[refund_id].items() if k[0] != "_"}
    # A "succeeded" callback while Xendit still says PENDING: nothing is completed.
    early = xendit_fake.callback("refund.succeeded", {**data, "status": "SUCCEEDED"})
    assert post_callback(app.test_client(), early) == (200, "refund_pending")
    assert only_refund(order).status == RefundStatus.PENDING
    settled = xendit_fake.refund_settled(refund_id)
    assert post_callback(app.test_client(), settled) == (200, "refund_completed")
    # A "failed" callback arriving after (another delivery): Xendit says SUCCEEDED, and the
    # refund is done already.
    late = xendit_fake.callback("refund.failed", {**data, "status": "FAILED"})
    assert post_callback(app.test_client(), late) == (200, "already_applied")
    assert only_refund(order).status == RefundStatus.SUCCEEDED
    # A refund that is not ours is acknowledged and ignored.
    stranger = xendit_fake.callback(
        "refund.succeeded", {**data, "id": "rfd-unknown", "reference_id": "someone-else"}
    )
    assert post_callback(app.test_client(), stranger) == (200, "unknown_refund")


def test_a_refund_xendit_reports_failed_goes_to_the_desk_and_the_city_retries_it_once(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "SHOPEEPAY")
    cancel_first(client, order)
    (first_id,) = xendit_fake.refunds
    failed = xendit_fake.refund_settled(first_id, "FAILED")
    assert post_callback(app.test_client(), failed) == (200, "refund_failed")
    refund = only_refund(order)
    assert refund.status == RefundStatus.FAILED and "INSUFFICIENT_BALANCE" in refund.last_error
    with app.test_request_context():
        assert [r.id for r in payment_desk.desk().failed_refunds] == [refund.id]
    assert "Gagal" in order_page(client, order)
    admin = UserFactory(email="kota@example.test", is_city_admin=True)
    db.session.commit()
    city = app.test_client()
    login(city, admin.email)
    assert "Kirim ulang ke Xendit" in city.get(f"/admin/payments/refunds/{refund.id}").get_data(
        as_text=True
    )
    xendit_fake.fail_next(500)  # the retry's own call fails first: the job sends it again
    assert city.post(f"/admin/payments/refunds/{refund.id}/retry").status_code == 302
    refund = only_refund(order)
    assert refund.status == RefundStatus.PENDING and refund.gateway_round == 1
    assert refund.provider_reference is None and refund.attempts == 1
    # The first round's failure, delivered again now, is about a refund since retried.
    old = {k: v for k, v in xendit_fake.refunds[first_id].items() if k[0] != "_"}
    late = xendit_fake.callback("refund.failed", old)
    assert post_callback(app.test_client(), late) == (200, "stale")
    assert only_refund(order).status == RefundStatus.PENDING
    with app.test_request_context():
        gateway_refunds.retry_pending()
    # A new round at Xendit (the old key names the failed refund), and only one new refund.
    first_call, failed_call, second_call = xendit_fake.calls("POST", "/refunds")
    assert failed_call.idempotency_key == second_call.idempotency_key
    assert second_call.idempotency_key == f"{first_call.idempotency_key}-r1"
    refund = only_refund(order)
    assert refund.status == RefundStatus.PENDING and refund.gateway_round == 1
    (second_id,) = set(xendit_fake.refunds) - {first_id}
    assert refund.provider_reference == second_id
    # The first refund's callback, delivered again late, changes nothing.
    late = xendit_fake.callback(
        "refund.failed", {**{k: v for k, v in xendit_fake.refunds[first_id].items() if k[0] != "_"}}
    )
    assert post_callback(app.test_client(), late) == (200, "stale")
    settled = xendit_fake.refund_settled(second_id)
    assert post_callback(app.test_client(), settled) == (200, "refund_completed")
    assert "refund.retried" in actions_of(only_refund(order))


def test_a_gateway_that_fails_is_retried_with_the_same_key_never_refunding_twice(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "LINKAJA")
    xendit_fake.fail_next(503, "SERVER_ERROR")
    cancel_first(client, order)
    refund = only_refund(order)
    assert refund.status == RefundStatus.PENDING and refund.provider_reference is None
    assert refund.attempts == 1 and "503" in (refund.last_error or "")
    assert xendit_fake.refunds == {}
    assert "refund.call_failed" in actions_of(refund)
    # The call times out, though Xendit makes the refund: the next run asks again with the
    # same key and gets that refund back.
    app.config["XENDIT_TIMEOUT_SECONDS"] = 0.3
    xendit_fake.hang(0.8)
    with app.test_request_context():
        assert gateway_refunds.retry_pending() == 0
    xendit_fake.settle()
    xendit_fake.hang(0)
    app.config["XENDIT_TIMEOUT_SECONDS"] = 10.0
    assert len(xendit_fake.refunds) == 1
    with app.test_request_context():
        gateway_refunds.retry_pending()
    calls = xendit_fake.calls("POST", "/refunds")
    assert len(calls) == 3
    assert {c.idempotency_key for c in calls} == {refund.idempotency_key}
    assert len(xendit_fake.refunds) == 1
    refund = only_refund(order)
    assert refund.provider_reference == next(iter(xendit_fake.refunds))
    assert refund.attempts == 3
    # Nothing left to send.
    with app.test_request_context():
        assert gateway_refunds.retry_pending() == 0
    assert len(xendit_fake.calls("POST", "/refunds")) == 3


def test_a_refund_the_gateway_keeps_refusing_fails_after_the_last_attempt(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    app.config["PAYMENT_REFUND_MAX_ATTEMPTS"], saved = 2, app.config["PAYMENT_REFUND_MAX_ATTEMPTS"]
    try:
        order, client = paid_online(app, xendit_fake, EWALLET, "DANA")
        xendit_fake.fail_next(500, times=2)
        cancel_first(client, order)
        assert only_refund(order).status == RefundStatus.PENDING
        with app.test_request_context():
            gateway_refunds.retry_pending()
        refund = only_refund(order)
        assert refund.status == RefundStatus.FAILED and refund.attempts == 2
        assert actions_of(refund)[-1] == "refund.failed"
        with app.test_request_context():
            assert gateway_refunds.retry_pending() == 0  # failed: the city's now
        # The city retries: the same key (Xendit never made that refund), attempts counted anew.
        admin = UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
        with app.test_request_context():
            refund_service.retry_refund(admin, refund.id)
            db.session.commit()
            gateway_refunds.process_refund(refund.id)
        refund = only_refund(order)
        assert (refund.status, refund.gateway_round, refund.attempts) == (
            RefundStatus.PENDING,
            0,
            1,
        )
        calls = xendit_fake.calls("POST", "/refunds")
        assert {c.idempotency_key for c in calls} == {refund.idempotency_key}
        assert len(calls) == 3 and len(xendit_fake.refunds) == 1
    finally:
        app.config["PAYMENT_REFUND_MAX_ATTEMPTS"] = saved


def test_a_payment_the_gateway_cannot_refund_waits_for_the_shoppers_account(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "DANA")
    xendit_fake.fail_next(400, "REFUND_NOT_SUPPORTED", "Refund is not supported")
    cancel_first(client, order)
    refund = only_refund(order)
    assert (refund.method, refund.status) == (RefundMethod.PAYOUT, RefundStatus.PENDING)
    assert refund.needs_account and refund.last_error is None
    assert "refund.needs_account" in actions_of(refund)
    email = last_email()
    assert email.template == "refund_account_needed"
    assert "tidak dapat dikembalikan ke cara bayar semula" in email.body_text
    assert f"/orders/{order.number}/payment#refund-{refund.id}" in email.body_text
    assert "Isi rekening bank" in order_page(client, order)
    with app.test_request_context():
        assert gateway_refunds.retry_pending() == 0
    assert xendit_fake.calls("POST", "/v2/payouts") == []


def test_without_the_gateway_an_online_payment_is_refunded_by_hand(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "DANA")
    app.config["XENDIT_SECRET_KEY"] = None  # the simulation (or nothing) cannot refund
    cancel_first(client, order)
    assert only_refund(order).method == RefundMethod.TRANSFER
    assert xendit_fake.calls("POST", "/refunds") == []


def test_the_city_retries_only_failed_card_or_gateway_refunds(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "BCA")
    cancel_first(client, order)
    refund = only_refund(order)
    admin = UserFactory(email="kota@example.test", is_city_admin=True)
    db.session.commit()
    with app.test_request_context(), pytest.raises(refund_service.PaymentError):
        refund_service.retry_refund(admin, refund.id)  # still waiting
    refund.status = RefundStatus.FAILED  # a payout the city gave up on
    db.session.commit()
    with app.test_request_context(), pytest.raises(refund_service.PaymentError):
        refund_service.retry_refund(admin, refund.id)  # a payout waits for the shopper instead
    assert only_refund(order).status == RefundStatus.FAILED


@pytest.mark.parametrize(
    ("method", "reference", "gateway", "expected"),
    [
        (PaymentMethod.CARD, "cs_1", "xendit", RefundMethod.CARD),
        (PaymentMethod.EWALLET, "pr-1", "xendit", RefundMethod.GATEWAY),
        (PaymentMethod.QRIS, "pr-1", "xendit", RefundMethod.GATEWAY),
        (PaymentMethod.VIRTUAL_ACCOUNT, "pr-1", "xendit", RefundMethod.PAYOUT),
        (PaymentMethod.EWALLET, None, "xendit", RefundMethod.TRANSFER),
        (PaymentMethod.BANK_TRANSFER, "x-1", "xendit", RefundMethod.TRANSFER),
        (PaymentMethod.QRIS, "pr-1", "simulation", RefundMethod.TRANSFER),
        (PaymentMethod.VIRTUAL_ACCOUNT, "pr-1", "off", RefundMethod.TRANSFER),
    ],
)
def test_each_payment_is_refunded_the_way_it_came_in(
    app: Flask,
    config: dict[str, object],
    method: PaymentMethod,
    reference: str | None,
    gateway: str,
    expected: RefundMethod,
) -> None:
    config.update(XENDIT_SECRET_KEY=None, XENDIT_CALLBACK_TOKEN=None)
    if gateway == "xendit":
        config.update(XENDIT_SECRET_KEY="xnd_development_x", XENDIT_CALLBACK_TOKEN="token")
    elif gateway == "simulation":
        config.update(ENV_NAME="development")
    payment = Payment(method=method, provider_reference=reference)
    with app.test_request_context():
        assert refund_service._method_for(payment) is expected
    assert refund_service._method_for(None) is RefundMethod.TRANSFER


def test_a_refund_sent_while_xendit_is_switched_off_waits_for_its_keys(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, EWALLET, "DANA")
    xendit_fake.fail_next(503)
    cancel_first(client, order)
    app.config["XENDIT_CALLBACK_TOKEN"] = None
    with app.test_request_context():
        gateway_refunds.retry_pending()
    refund = only_refund(order)
    assert refund.status == RefundStatus.PENDING and refund.attempts == 2
    assert "Xendit is not configured" in (refund.last_error or "")
    assert len(xendit_fake.calls("POST", "/refunds")) == 1
