"""Virtual accounts and e-wallets for the whole order (marketplace/payments/online.py) against the
fake Xendit server: the bank or e-wallet picked on our page, one payment request at a time, the
VA number with the bank's steps, the e-wallet's link or OVO's request in its app, expiry, and
what a shopper can get wrong."""

from __future__ import annotations

import re
from datetime import timedelta
from types import ModuleType

import pytest
from flask import Flask

from marketplace.extensions import db
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments.models import Payment, PaymentFlag, PaymentStatus
from tests.payments.paying import payments_of, placed_order, refresh, shopper_client
from tests.payments.test_online_qris import post_callback, stock_reserved
from tests.xendit_fake import FakeXendit

S = VendorOrderStatus
P = PaymentStatus
VA = PaymentMethod.VIRTUAL_ACCOUNT
EWALLET = PaymentMethod.EWALLET


def page_of(client: object, order: Order) -> str:
    return client.get(f"/orders/{order.number}/payment/online").get_data(as_text=True)  # type: ignore[attr-defined]


def choose(client: object, order: Order, channel: str, **fields: str) -> object:
    return client.post(  # type: ignore[attr-defined]
        f"/orders/{order.number}/payment/online", data={"channel": channel, **fields}
    )


def only_payment(order: Order) -> Payment:
    (payment,) = [p for p in payments_of(order) if p.state == P.PENDING]
    return payment


def test_checkout_offers_qris_then_ewallets_then_virtual_accounts_before_card_and_transfer(
    app: Flask, app_ctx: Flask, config: dict[str, object]
) -> None:
    assert VA not in order_checkout.payment_methods()
    assert EWALLET not in order_checkout.payment_methods()
    config.update(
        XENDIT_SECRET_KEY="xnd_development_x",
        XENDIT_CALLBACK_TOKEN="token",
        STRIPE_SECRET_KEY="sk_test_x",
    )
    assert order_checkout.payment_methods()[:5] == [
        PaymentMethod.QRIS,
        EWALLET,
        VA,
        PaymentMethod.CARD,
        PaymentMethod.BANK_TRANSFER,
    ]


def test_a_virtual_account_order_waits_for_the_bank_then_shows_its_number_and_steps(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order = placed_order(app, payment=VA, cooperatives=2)
    # Nothing is asked of the gateway before the shopper picks a bank.
    assert xendit_fake.calls("POST", "/payment_requests") == []
    assert payments_of(order) == []
    client = shopper_client(app)
    page = page_of(client, order)
    assert "Pilih bank untuk nomor virtual account" in page
    for bank in ("BCA", "BNI", "BRI", "Mandiri", "Permata", "BSI (Bank Syariah Indonesia)"):
        assert f">{bank}</button>" in page
    assert choose(client, order, "BCA").status_code == 302
    payment = only_payment(order)
    assert payment.method == VA and payment.channel == "BCA"
    assert payment.amount == order.grand_total
    assert sorted(a.vendor_order_id for a in payment.allocations) == sorted(
        vo.id for vo in order.vendor_orders
    )
    (created,) = xendit_fake.calls("POST", "/payment_requests")
    va = created.body["payment_method"]["virtual_account"]
    assert va["channel_code"] == "BCA"
    assert va["channel_properties"]["customer_name"] == order.recipient_name
    request = xendit_fake.payment_requests[payment.provider_reference or ""]
    kept = request["payment_method"]["virtual_account"]["channel_properties"]
    # The number lapses with the order's payment window (a day by default).
    due = clock.now() + timedelta(minutes=app.config["ORDER_PAYMENT_MINUTES_VIRTUAL_ACCOUNT"])
    assert kept["expires_at"] == due.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    number = kept["virtual_account_number"]
    page = page_of(client, order)
    assert number in page and 'data-copy="' + number + '"' in page
    assert "m-Transfer › BCA Virtual Account" in page  # the bank's own menu
    assert "Masukkan nomor virtual account " + number in page
    assert "WIB" in page and "js/payment-status.js" in page
    # Reopening the page, or picking the same bank again, asks for nothing new.
    page_of(client, order)
    choose(client, order, "BCA")
    assert len(xendit_fake.calls("POST", "/payment_requests")) == 1
    assert len(payments_of(order)) == 1


def test_a_paid_virtual_account_is_read_back_and_pays_every_part(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order = placed_order(app, payment=VA, cooperatives=2)
    client = shopper_client(app)
    choose(client, order, "BRI")
    payment = only_payment(order)
    paid = xendit_fake.payment_succeeded(payment.provider_reference or "")
    assert post_callback(app.test_client(), paid) == (200, "paid")
    assert post_callback(app.test_client(), paid) == (200, "duplicate")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.SUCCEEDED
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}
    assert "Pembayaran diterima" in page_of(client, order)


def test_a_virtual_account_paid_with_another_amount_is_held(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order = placed_order(app, payment=VA)
    choose(shopper_client(app), order, "MANDIRI")
    payment = only_payment(order)
    request_id = payment.provider_reference or ""
    xendit_fake.tamper("payment_requests", request_id, amount=payment.amount - 1)
    outcome = post_callback(app.test_client(), xendit_fake.payment_succeeded(request_id))
    assert outcome == (200, "amount_mismatch")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.HELD and payment.flag == PaymentFlag.AMOUNT_MISMATCH
    assert {vo.state for vo in order.vendor_orders} == {S.AWAITING_PAYMENT}


def test_picking_another_bank_replaces_the_request(app: Flask, xendit_fake: FakeXendit) -> None:
    order = placed_order(app, payment=VA)
    client = shopper_client(app)
    choose(client, order, "BCA")
    first = only_payment(order)
    choose(client, order, "BNI")
    second = only_payment(order)
    refresh(first)
    assert first.state == P.FAILED and second.channel == "BNI"
    assert [e.kind for e in first.events if e.to_status == P.FAILED] == ["replaced"]
    assert len(xendit_fake.calls("POST", "/payment_requests")) == 2
    # Should the old number still be paid, the money is taken and the order is paid by it.
    outcome = post_callback(
        app.test_client(), xendit_fake.payment_succeeded(first.provider_reference or "")
    )
    assert outcome == (200, "paid")
    refresh(first, *order.vendor_orders)
    assert first.state == P.SUCCEEDED
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}


@pytest.mark.parametrize(
    ("channel", "fields", "message"),
    [
        ("XYZ", {}, "Pilih salah satu bank atau e-wallet yang tersedia."),
        ("", {}, "Pilih salah satu bank atau e-wallet yang tersedia."),
        ("OVO", {}, "Pilih salah satu bank atau e-wallet yang tersedia."),  # not a bank
    ],
)
def test_a_channel_that_is_not_offered_is_refused_and_changes_nothing(
    app: Flask, xendit_fake: FakeXendit, channel: str, fields: dict[str, str], message: str
) -> None:
    order = placed_order(app, payment=VA)
    client = shopper_client(app)
    response = choose(client, order, channel, **fields)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert message in page_of(client, order)
    assert payments_of(order) == []
    assert xendit_fake.calls("POST", "/payment_requests") == []


def test_another_shoppers_order_cannot_be_paid_or_seen(app: Flask, xendit_fake: FakeXendit) -> None:
    order = placed_order(app, payment=VA)
    placed_order(app, payment=VA, email="budi@example.test")
    other = shopper_client(app, "budi@example.test")
    assert choose(other, order, "BCA").status_code == 404  # type: ignore[attr-defined]
    missing = other.post("/orders/OPOP-2099-999999/payment/online", data={"channel": "BCA"})
    assert missing.status_code == 404
    assert other.get(f"/orders/{order.number}/payment/online").status_code == 404
    assert payments_of(order) == []


def test_an_ewallet_link_returns_to_our_public_address_never_the_requests_host(
    app: Flask, xendit_fake: FakeXendit, config: dict[str, object]
) -> None:
    config["SERVER_BASE_URL"] = "https://pasar.example"
    order = placed_order(app, payment=EWALLET)
    client = shopper_client(app)
    page = page_of(client, order)
    for wallet in ("DANA", "ShopeePay", "LinkAja"):
        assert f">{wallet}</button>" in page
    assert "Nomor HP akun OVO" in page
    response = client.post(
        f"/orders/{order.number}/payment/online",
        data={"channel": "DANA"},  # asked on http://localhost/
    )
    assert response.status_code == 302
    payment = only_payment(order)
    (created,) = xendit_fake.calls("POST", "/payment_requests")
    properties = created.body["payment_method"]["ewallet"]["channel_properties"]
    base = app.config["SERVER_BASE_URL"].rstrip("/")
    expected = f"{base}/orders/{order.number}/payment/online"
    assert properties["success_return_url"] == expected
    assert properties["failure_return_url"] == expected
    page = page_of(client, order)
    link = re.search(r'class="button online-pay__wallet" href="([^"]+)"', page)
    assert link and link.group(1) == f"{xendit_fake.url}/ewallet/{payment.provider_reference}/app"
    assert "Bayar dengan DANA" in page


def test_ovo_needs_the_accounts_phone_number_and_asks_in_the_app(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order = placed_order(app, payment=EWALLET)
    client = shopper_client(app)
    choose(client, order, "OVO", mobile_number="12345")
    assert "Masukkan nomor HP yang terdaftar di OVO" in page_of(client, order)
    assert payments_of(order) == [] and xendit_fake.calls("POST", "/payment_requests") == []
    choose(client, order, "OVO", mobile_number="0812-3456-7890")
    payment = only_payment(order)
    (created,) = xendit_fake.calls("POST", "/payment_requests")
    ewallet = created.body["payment_method"]["ewallet"]
    assert ewallet["channel_properties"]["mobile_number"] == "+6281234567890"
    page = page_of(client, order)
    assert "Buka aplikasi OVO di ponsel Anda" in page
    # The shopper lets OVO's request lapse: the payment fails and the page offers a new choice.
    declined = xendit_fake.payment_failed(payment.provider_reference or "")
    assert post_callback(app.test_client(), declined) == (200, "failed")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.FAILED
    assert {vo.state for vo in order.vendor_orders} == {S.AWAITING_PAYMENT}
    page = page_of(client, order)
    assert "Pembayaran sebelumnya tidak selesai" in page and ">DANA</button>" in page
    choose(client, order, "DANA")
    assert only_payment(order).channel == "DANA"


def test_an_expired_virtual_account_expires_the_payment_and_returns_the_stock_once(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order = placed_order(app, payment=VA, cooperatives=2)
    choose(shopper_client(app), order, "PERMATA")
    payment = only_payment(order)
    assert stock_reserved(order) == 4
    clock.advance(timedelta(hours=24, minutes=1))
    expired = xendit_fake.payment_expired(payment.provider_reference or "")
    assert post_callback(app.test_client(), expired) == (200, "expired")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.EXPIRED
    assert {vo.state for vo in order.vendor_orders} == {S.CANCELLED}
    assert stock_reserved(order) == 0
    with app.test_request_context():
        assert all(not order_moves.expire_vendor_order(vo.id) for vo in order.vendor_orders)
    assert stock_reserved(order) == 0


def test_the_expiry_job_closes_the_waiting_payment_and_late_money_goes_back(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order = placed_order(app, payment=VA, cooperatives=2)
    choose(shopper_client(app), order, "BSI")
    payment = only_payment(order)
    clock.advance(timedelta(hours=24, minutes=1))
    with app.test_request_context():
        for vo in order.vendor_orders:
            order_moves.expire_vendor_order(vo.id)
        db.session.commit()
    refresh(payment)
    # The records say what the gateway will: this number can no longer be paid here.
    assert payment.state == P.EXPIRED
    assert [e.kind for e in payment.events if e.to_status == P.EXPIRED] == ["order_cancelled"]
    assert stock_reserved(order) == 0
    outcome = post_callback(
        app.test_client(), xendit_fake.payment_succeeded(payment.provider_reference or "")
    )
    assert outcome == (200, "paid")
    refresh(payment)
    assert payment.flag == PaymentFlag.PAID_AFTER_CANCEL
    assert sum(r.amount for r in payment.refunds) == payment.amount


def test_one_part_cancelled_leaves_the_payment_open_for_the_page_to_replace(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order = placed_order(app, payment=VA, cooperatives=2)
    client = shopper_client(app)
    choose(client, order, "BCA")
    first = only_payment(order)
    cancel = client.post(
        f"/orders/{order.number}/parts/{order.vendor_orders[0].id}/cancel",
        data={"reason": "salah pilih"},
    )
    assert cancel.status_code in (302, 303)
    refresh(first, *order.vendor_orders)
    assert order.vendor_orders[0].state == S.CANCELLED
    assert first.state == P.PENDING  # another part still waits for it
    # Picking the bank again asks only for what is left.
    choose(client, order, "BCA")
    second = only_payment(order)
    refresh(first)
    assert first.state == P.FAILED
    assert second.amount == order.vendor_orders[1].total


def test_in_development_a_virtual_account_and_an_ewallet_are_simulated(
    app: Flask, config: dict[str, object]
) -> None:
    config["ENV_NAME"] = "development"
    order = placed_order(app, payment=VA)
    client = shopper_client(app)
    choose(client, order, "BNI")
    payment = only_payment(order)
    page = page_of(client, order)
    assert "Simulasi — tidak ada uang yang berpindah" in page
    number = payment.raw_payload["payment_method"]["virtual_account"]["channel_properties"][
        "virtual_account_number"
    ]
    assert number.startswith("9999") and number in page
    assert client.post(f"/orders/{order.number}/payment/online/simulate").status_code == 302
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.SUCCEEDED
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}

    wallet_order = placed_order(app, payment=EWALLET)
    choose(client, wallet_order, "SHOPEEPAY")
    assert "Bayar (simulasi)" in page_of(client, wallet_order)
    client.post(f"/orders/{wallet_order.number}/payment/online/simulate")
    refresh(*wallet_order.vendor_orders)
    assert {vo.state for vo in wallet_order.vendor_orders} == {S.PAID}


def test_the_page_reads_in_english(app: Flask, xendit_fake: FakeXendit) -> None:
    order = placed_order(app, payment=VA)
    client = shopper_client(app)
    choose(client, order, "BCA")
    page = client.get(f"/orders/{order.number}/payment/online?lang=en").get_data(as_text=True)
    assert "Virtual account number" in page and "How to pay" in page
    assert "Waiting for payment" in page
