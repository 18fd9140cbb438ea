"""Refunds of virtual account payments (and of any payment Xendit cannot refund) through Xendit
(marketplace/payments/gateway_refunds.py), against the fake Xendit server: the refund waits for
the shopper's bank account, given on the payment page, then goes out as one payout; a refused
account is corrected by the shopper; nobody else can give it; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments import desk as payment_desk
from marketplace.payments import gateway_refunds
from marketplace.payments.models import (
    PaymentFlag,
    Refund,
    RefundMethod,
    RefundStatus,
)
from tests.payments.paying import payments_of, placed_order, refresh, shopper_client
from tests.payments.test_gateway_refunds import (
    actions_of,
    cancel_first,
    last_email,
    only_refund,
    order_page,
    paid_online,
    pay_page,
)
from tests.payments.test_online_qris import post_callback
from tests.xendit_fake import FakeXendit

S = VendorOrderStatus
VA = PaymentMethod.VIRTUAL_ACCOUNT


def give_account(client: FlaskClient, order: Order, refund: Refund, **fields: str) -> Any:
    data = {
        f"refund{refund.id}-bank": "ID_BCA",
        f"refund{refund.id}-account_number": "1234 5678 90",
        f"refund{refund.id}-holder": "Ani Rahmawati",
    }
    data.update({f"refund{refund.id}-{k}": v for k, v in fields.items()})
    return client.post(f"/orders/{order.number}/refunds/{refund.id}/account", data=data)


def test_a_virtual_account_refund_waits_for_the_account_then_pays_out_once(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "BNI")
    first = order.vendor_orders[0]
    cancel_first(client, order)
    refund = only_refund(order)
    assert (refund.method, refund.status) == (RefundMethod.PAYOUT, RefundStatus.PENDING)
    # Nothing is asked of Xendit: no refund (a VA cannot be), no payout yet.
    assert xendit_fake.calls("POST", "/refunds") == []
    assert xendit_fake.calls("POST", "/v2/payouts") == []
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert "Isi nomor rekening tujuan di halaman pesanan" in emails[-1].body_text
    # The shopper is asked, on the order page and the payment page; the city sees it waiting.
    assert "Menunggu rekening bank Anda" in order_page(client, order)
    assert "Isi rekening bank" in order_page(client, order)
    page = pay_page(client, order)
    assert f'id="refund-{refund.id}"' in page and ">BCA</option>" in page
    assert "Kirim ke rekening ini" in page
    with app.test_request_context():
        assert [r.id for r in payment_desk.desk().awaiting_account] == [refund.id]

    response = give_account(client, order, refund)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/payment#refund-{refund.id}")
    (call,) = xendit_fake.calls("POST", "/v2/payouts")
    assert call.idempotency_key == f"{refund.idempotency_key}-payout-0"
    assert call.body["reference_id"] == f"opop-refund-{refund.id}-0"
    assert call.body["amount"] == first.total
    assert call.body["channel_code"] == "ID_BCA"
    assert call.body["channel_properties"] == {
        "account_number": "1234567890",
        "account_holder_name": "Ani Rahmawati",
    }
    refund = only_refund(order)
    assert refund.status == RefundStatus.PENDING and not refund.needs_account
    assert "Sedang ditransfer ke rekening Anda" in order_page(client, order)
    assert f'id="refund-{refund.id}"' not in pay_page(client, order)
    # Giving it again is refused: the payout is on its way.
    again = give_account(client, order, refund, account_number="999999999")
    assert again.status_code == 302
    assert "sudah diproses" in pay_page(client, order)
    assert len(xendit_fake.calls("POST", "/v2/payouts")) == 1

    (payout_id,) = xendit_fake.payouts
    settled = xendit_fake.payout_settled(payout_id)
    assert post_callback(app.test_client(), settled) == (200, "refund_completed")
    assert post_callback(app.test_client(), settled) == (200, "duplicate")
    assert len(xendit_fake.calls("GET", f"/v2/payouts/{payout_id}")) == 1
    refund = only_refund(order)
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_reference == payout_id
    refresh(first)
    assert first.state == S.REFUNDED
    assert actions_of(refund) == [
        "refund.requested",
        "refund.account_given",
        "refund.paid_out",
        "refund.completed",
    ]
    assert "Selesai" in order_page(client, order)
    with app.test_request_context():
        assert payment_desk.desk().awaiting_account == []
    # Later the bank sends the money back: the city's desk is told, the refund stays done.
    reversed_ = xendit_fake.payout_settled(payout_id, "REVERSED")
    assert post_callback(app.test_client(), reversed_) == (200, "payout_reversed")
    (payment,) = payments_of(order)
    assert payment.flag == PaymentFlag.REFUND_RETURNED and payout_id in (payment.flag_note or "")
    assert only_refund(order).status == RefundStatus.SUCCEEDED
    assert actions_of(refund)[-1] == "refund.payout_reversed"
    with app.test_request_context():
        assert [p.id for p in payment_desk.desk().flagged] == [payment.id]


def test_a_payout_the_bank_refuses_lets_the_shopper_correct_the_account(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "MANDIRI")
    cancel_first(client, order)
    refund = only_refund(order)
    give_account(client, order, refund, bank="ID_MANDIRI")
    (first_payout,) = xendit_fake.payouts
    failed = xendit_fake.payout_settled(first_payout, "FAILED")
    assert post_callback(app.test_client(), failed) == (200, "payout_failed")
    refund = only_refund(order)
    assert refund.needs_account and refund.gateway_round == 1
    assert refund.provider_reference is None and "INVALID_DESTINATION" in (refund.last_error or "")
    assert "Transfer ke rekening sebelumnya gagal" in pay_page(client, order)
    email = last_email()
    assert email.template == "refund_account_needed"
    assert "Mandiri menolaknya" in email.body_text
    assert "Menunggu rekening bank Anda" in order_page(client, order)

    give_account(client, order, refund, account_number="5550001112")
    _first, second_call = xendit_fake.calls("POST", "/v2/payouts")
    assert second_call.idempotency_key == f"{refund.idempotency_key}-payout-1"
    assert second_call.body["reference_id"] == f"opop-refund-{refund.id}-1"
    (second_payout,) = set(xendit_fake.payouts) - {first_payout}
    # The first payout's failure, delivered again, is about an account since corrected.
    late = xendit_fake.callback("payout.failed", dict(xendit_fake.payouts[first_payout]))
    assert post_callback(app.test_client(), late) == (200, "stale")
    settled = xendit_fake.payout_settled(second_payout)
    assert post_callback(app.test_client(), settled) == (200, "refund_completed")
    assert "refund.payout_failed" in actions_of(only_refund(order))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bank": "ID_XYZ"}, "Pilih bank tujuan dari daftar."),
        ({"bank": ""}, "Pilih bank tujuan dari daftar."),
        ({"account_number": "12ab5678"}, "Nomor rekening hanya berisi angka, 6 sampai 20 digit."),
        ({"account_number": "123"}, "Nomor rekening hanya berisi angka, 6 sampai 20 digit."),
        (
            {"account_number": "１２３４５６７８"},
            "Nomor rekening hanya berisi angka, 6 sampai 20 digit.",
        ),
        ({"account_number": "1" * 21}, "Nomor rekening hanya berisi angka, 6 sampai 20 digit."),
        ({"account_number": ""}, "Nomor rekening: Wajib diisi."),
        ({"holder": "A"}, "Tulis nama pemilik rekening seperti tertulis di buku tabungan."),
        ({"holder": "12345"}, "Tulis nama pemilik rekening seperti tertulis di buku tabungan."),
    ],
)
def test_bad_account_input_gets_a_clear_message_and_changes_nothing(
    app: Flask, xendit_fake: FakeXendit, fields: dict[str, str], message: str
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "BRI")
    cancel_first(client, order)
    refund = only_refund(order)
    assert give_account(client, order, refund, **fields).status_code == 302
    assert message in pay_page(client, order)
    refund = only_refund(order)
    assert refund.needs_account and refund.payout_account_number is None
    assert xendit_fake.calls("POST", "/v2/payouts") == []
    assert "refund.account_given" not in actions_of(refund)


def test_another_shopper_cannot_give_an_account_for_someone_elses_refund(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "BCA")
    cancel_first(client, order)
    refund = only_refund(order)
    placed_order(app, payment=VA, email="budi@example.test")
    other = shopper_client(app, "budi@example.test")
    assert give_account(other, order, refund).status_code == 404
    missing = other.post(f"/orders/{order.number}/refunds/{refund.id + 999}/account", data={})
    assert missing.status_code == 404
    assert only_refund(order).needs_account
    assert xendit_fake.calls("POST", "/v2/payouts") == []


def test_a_payout_call_that_fails_is_retried_with_the_same_key(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "PERMATA")
    cancel_first(client, order)
    refund = only_refund(order)
    xendit_fake.fail_next(502, "SERVER_ERROR")
    give_account(client, order, refund)
    refund = only_refund(order)
    assert not refund.needs_account and refund.provider_reference is None
    assert xendit_fake.payouts == {}
    with app.test_request_context():
        gateway_refunds.retry_pending()
    calls = xendit_fake.calls("POST", "/v2/payouts")
    assert [c.idempotency_key for c in calls] == [f"{refund.idempotency_key}-payout-0"] * 2
    assert len(xendit_fake.payouts) == 1
    assert only_refund(order).provider_reference == next(iter(xendit_fake.payouts))


def test_a_payout_for_an_account_xendit_refuses_asks_the_shopper_again(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, client = paid_online(app, xendit_fake, VA, "BSI")
    cancel_first(client, order)
    refund = only_refund(order)
    xendit_fake.fail_next(400, "API_VALIDATION_ERROR", "account_number is invalid")
    give_account(client, order, refund, bank="ID_BSI")
    refund = only_refund(order)
    assert refund.needs_account and refund.gateway_round == 1
    assert "BSI (Bank Syariah Indonesia) menolaknya" in last_email().body_text


def test_payout_callbacks_that_are_not_refunds_are_left_to_others(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    # A payout to a cooperative goes to the cooperatives' payouts (which know no such one here).
    callback = xendit_fake.callback(
        "payout.succeeded",
        {"id": "disb-1", "reference_id": "opop-payout-coop-7", "status": "SUCCEEDED", "amount": 5},
    )
    assert post_callback(app.test_client(), callback) == (200, "unknown_payout")
    # A payout that is neither ours to a cooperative nor a refund's is ignored.
    stranger = xendit_fake.callback(
        "payout.succeeded",
        {"id": "disb-2", "reference_id": "another-system-9", "status": "SUCCEEDED", "amount": 5},
    )
    assert post_callback(app.test_client(), stranger) == (200, "ignored")
