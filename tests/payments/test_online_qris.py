"""QRIS for the whole order (marketplace/payments/online.py) against the fake Xendit server: one
payment request for every cooperative's part, our page with its QR code, the callback verified
and read back before anything is marked paid, and everything that can go wrong."""

from __future__ import annotations

import re
from datetime import timedelta
from types import ModuleType

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.audit import AuditLog
from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.orders.payment_options import OnlineGateway, online_gateway
from marketplace.payments.models import (
    GatewayCallbackRecord,
    Payment,
    PaymentFlag,
    PaymentStatus,
)
from tests.payments.paying import payments_of, placed_order, refresh, shopper_client
from tests.xendit_fake import Callback, FakeXendit

S = VendorOrderStatus
P = PaymentStatus
QRIS = PaymentMethod.QRIS
CALLBACK = "/payments/xendit/callback"


def post_callback(client: FlaskClient, callback: Callback) -> tuple[int, str]:
    response = client.post(CALLBACK, data=callback.payload, headers=callback.headers)
    body = response.get_json(silent=True) or {}
    return response.status_code, str(body.get("outcome", body.get("error", "")))


def qris_order(app: Flask, cooperatives: int = 2) -> tuple[Order, Payment]:
    order = placed_order(app, payment=QRIS, cooperatives=cooperatives)
    (payment,) = payments_of(order)
    return order, payment


def _page(body: str, number: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", body).replace(number, "")


def callbacks_stored() -> int:
    return int(db.session.scalar(select(func.count()).select_from(GatewayCallbackRecord)) or 0)


def test_checkout_offers_qris_first_only_with_the_gateway(
    app: Flask, app_ctx: Flask, config: dict[str, object]
) -> None:
    assert QRIS not in order_checkout.payment_methods()
    config.update(XENDIT_SECRET_KEY="xnd_development_x", XENDIT_CALLBACK_TOKEN="token")
    assert order_checkout.payment_methods()[0] == QRIS
    assert QRIS.label == "QRIS (semua e-wallet dan m-banking)"
    config["XENDIT_CALLBACK_TOKEN"] = None  # a key alone reports nothing: not offered
    assert QRIS not in order_checkout.payment_methods()


def test_placing_a_two_cooperative_order_opens_one_payment_request_for_the_whole_order(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order, payment = qris_order(app)
    # One payment, allocated to each cooperative's part, adding up to the order's total.
    assert payment.method == QRIS and payment.state == P.PENDING
    assert payment.amount == order.grand_total
    assert sorted(a.vendor_order_id for a in payment.allocations) == sorted(
        vo.id for vo in order.vendor_orders
    )
    assert sum(a.amount for a in payment.allocations) == order.grand_total
    # One payment request at Xendit, for that amount, ending with the order's payment window.
    (created,) = xendit_fake.calls("POST", "/payment_requests")
    assert created.idempotency_key == payment.idempotency_key
    assert created.body["amount"] == order.grand_total
    assert created.body["currency"] == "IDR"
    assert created.body["payment_method"]["type"] == "QR_CODE"
    request = xendit_fake.payment_requests[payment.provider_reference]
    due = clock.now() + timedelta(minutes=app.config["ORDER_PAYMENT_MINUTES_QRIS"])
    expires = request["payment_method"]["qr_code"]["channel_properties"]["expires_at"]
    assert expires == due.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert {vo.payment_due_at is not None for vo in order.vendor_orders} == {True}


def test_the_payment_page_shows_the_qr_and_reopening_it_makes_no_second_request(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, _payment = qris_order(app)
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment/online")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<svg role="img"' in text and "Kode QRIS" in text
    assert "Rp" in text and "WIB" in text
    assert "pindai kode QR" in text
    assert "Perbarui status" in text
    assert "js/payment-status.js" in text
    assert "Simulasi" not in text
    client.get(f"/orders/{order.number}/payment/online")
    assert len(xendit_fake.calls("POST", "/payment_requests")) == 1
    assert len(payments_of(order)) == 1


def test_placing_through_the_pages_sends_the_shopper_to_the_qr_code(
    app: Flask, xendit_fake: FakeXendit, regions: None
) -> None:
    from tests.shopping import fill_cart, stocked_variant

    with app.test_request_context():
        from tests.factories import UserFactory

        user = UserFactory(email="qris@example.test")
        variants = [stocked_variant(10), stocked_variant(10)]
        fill_cart(user, *((v, 1) for v in variants))
        db.session.commit()
        delivery = {f"delivery_{v.cooperative_id}": "pickup" for v in variants}
    client = shopper_client(app, "qris@example.test")
    checkout = client.get("/checkout").get_data(as_text=True)
    assert checkout.index('value="qris"') < checkout.index('value="bank_transfer"')
    from tests.shopping import NEW_ADDRESS_FORM

    chosen = client.post(
        "/checkout", data={**NEW_ADDRESS_FORM, **delivery, "payment_method": "qris"}
    )
    assert chosen.status_code == 302, chosen.get_data(as_text=True)[:3000]
    review = client.get("/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', review)
    total = re.search(r'name="expected_total"[^>]*value="([^"]+)"', review)
    assert key and total
    placed = client.post(
        "/checkout/place", data={"idempotency_key": key.group(1), "expected_total": total.group(1)}
    )
    assert placed.status_code == 302
    assert re.search(r"/orders/OPOP-\d{4}-\d{6}/payment/online$", placed.headers["Location"])
    assert len(xendit_fake.calls("POST", "/payment_requests")) == 1


def test_a_paid_callback_is_read_back_and_marks_every_part_paid_once(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, payment = qris_order(app)
    client = app.test_client()
    paid = xendit_fake.payment_succeeded(payment.provider_reference or "")
    assert post_callback(client, paid) == (200, "paid")
    # The same delivery again (Xendit retries with its webhook-id): nothing more happens.
    assert post_callback(client, paid) == (200, "duplicate")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.SUCCEEDED
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}
    assert sum(a.amount for a in payment.allocations) == order.grand_total
    # The gateway was asked before anything was marked paid.
    assert xendit_fake.calls("GET", f"/payment_requests/{payment.provider_reference}")
    assert callbacks_stored() == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "payment.qris_paid")
        )
        == 1
    )
    # The page says so too.
    page = shopper_client(app).get(f"/orders/{order.number}/payment/online")
    assert "Pembayaran diterima" in page.get_data(as_text=True)


def test_a_second_callback_with_another_webhook_id_finds_the_payment_already_applied(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, payment = qris_order(app)
    client = app.test_client()
    request_id = payment.provider_reference or ""
    assert post_callback(client, xendit_fake.payment_succeeded(request_id))[1] == "paid"
    assert post_callback(client, xendit_fake.payment_succeeded(request_id))[1] == (
        "already_applied"
    )
    events = [e.kind for e in payments_of(order)[0].events if e.to_status == P.SUCCEEDED]
    assert events == ["paid"]


def test_a_callback_with_a_wrong_token_is_refused_and_changes_nothing(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, payment = qris_order(app)
    xendit_fake.callback_token = "not-our-token"
    try:
        forged = xendit_fake.payment_succeeded(payment.provider_reference or "")
    finally:
        xendit_fake.callback_token = app.config["XENDIT_CALLBACK_TOKEN"]
    assert post_callback(app.test_client(), forged)[0] == 403
    no_token = Callback(forged.event, forged.payload, {"Content-Type": "application/json"})
    assert post_callback(app.test_client(), no_token)[0] == 403
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.PENDING
    assert {vo.state for vo in order.vendor_orders} == {S.AWAITING_PAYMENT}
    assert callbacks_stored() == 0
    assert not xendit_fake.calls("GET", "/payment_requests/")


def test_a_payment_whose_read_back_amount_differs_is_held_for_the_city_not_applied(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, payment = qris_order(app)
    request_id = payment.provider_reference or ""
    callback = xendit_fake.payment_succeeded(request_id)
    # The callback says the full amount; Xendit itself reports one rupiah less.
    xendit_fake.tamper("payment_requests", request_id, amount=order.grand_total - 1)
    assert post_callback(app.test_client(), callback) == (200, "amount_mismatch")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.HELD
    assert payment.flag == PaymentFlag.AMOUNT_MISMATCH and payment.is_flag_open
    assert {vo.state for vo in order.vendor_orders} == {S.AWAITING_PAYMENT}


def test_a_payment_in_another_currency_is_held(app: Flask, xendit_fake: FakeXendit) -> None:
    _order, payment = qris_order(app, cooperatives=1)
    request_id = payment.provider_reference or ""
    callback = xendit_fake.payment_succeeded(request_id)
    xendit_fake.tamper("payment_requests", request_id, currency="USD")
    assert post_callback(app.test_client(), callback) == (200, "amount_mismatch")
    refresh(payment)
    assert payment.state == P.HELD


def test_another_shoppers_order_answers_exactly_like_a_missing_one(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    order, _payment = qris_order(app)
    with app.test_request_context():
        from tests.factories import UserFactory

        UserFactory(email="budi@example.test")
        db.session.commit()
    other = shopper_client(app, "budi@example.test")
    other.get("/")  # the welcome message is shown once, here
    for suffix in ("", "/status"):
        theirs = other.get(f"/orders/{order.number}/payment/online{suffix}")
        missing = other.get(f"/orders/OPOP-2099-999999/payment/online{suffix}")
        assert theirs.status_code == missing.status_code == 404
        # The same page but for its own address (the language switch returns to it) and the
        # CSRF token (signed with the time).
        assert _page(theirs.get_data(as_text=True), order.number or "") == _page(
            missing.get_data(as_text=True), "OPOP-2099-999999"
        )
    assert other.post(f"/orders/{order.number}/payment/online").status_code == 404


def test_the_status_request_reports_and_writes_nothing(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order, payment = qris_order(app)
    client = shopper_client(app)
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        waiting = client.get(f"/orders/{order.number}/payment/online/status")
        # Past the deadline the page computes "expired"; the job writes it, not this request.
        clock.advance(timedelta(minutes=61))
        lapsed = client.get(f"/orders/{order.number}/payment/online/status")
        page = client.get(f"/orders/{order.number}/payment/online")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert waiting.get_json()["state"] == "waiting"
    assert waiting.headers["Cache-Control"] == "no-store"
    assert lapsed.get_json()["state"] == "expired"
    assert page.status_code == 200
    writes = [
        s
        for s in statements
        if s.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "user_sessions" not in s
    ]
    assert writes == []
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.PENDING
    assert {vo.state for vo in order.vendor_orders} == {S.AWAITING_PAYMENT}


def stock_reserved(order: Order) -> int:
    variant_ids = [line.variant_id for vo in order.vendor_orders for line in vo.lines]
    return int(
        db.session.scalar(
            select(func.sum(ProductVariant.reserved)).where(ProductVariant.id.in_(variant_ids))
        )
        or 0
    )


def test_an_expired_code_expires_the_payment_and_returns_the_stock_once(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order, payment = qris_order(app)
    assert stock_reserved(order) == 4
    clock.advance(timedelta(minutes=61))
    expired = xendit_fake.payment_expired(payment.provider_reference or "")
    client = app.test_client()
    assert post_callback(client, expired) == (200, "expired")
    assert post_callback(client, expired) == (200, "duplicate")
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.EXPIRED
    assert {vo.state for vo in order.vendor_orders} == {S.CANCELLED}
    assert stock_reserved(order) == 0
    # The periodic expiry finds nothing left to do: the stock came back once.
    with app.test_request_context():
        assert all(not order_moves.expire_vendor_order(vo.id) for vo in order.vendor_orders)
    assert stock_reserved(order) == 0


def test_money_that_arrives_after_the_expiry_is_taken_and_given_back(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order, payment = qris_order(app, cooperatives=1)
    request_id = payment.provider_reference or ""
    clock.advance(timedelta(minutes=61))
    # The order expired by the job before any callback; then Xendit reports the payment.
    with app.test_request_context():
        order_moves.expire_vendor_order(order.vendor_orders[0].id)
        db.session.commit()
    outcome = post_callback(app.test_client(), xendit_fake.payment_succeeded(request_id))
    assert outcome == (200, "paid")
    refresh(payment)
    assert payment.state == P.SUCCEEDED
    assert payment.flag == PaymentFlag.PAID_AFTER_CANCEL
    assert [r.amount for r in payment.refunds] == [payment.amount]


def test_a_gateway_that_fails_leaves_the_order_placed_and_the_page_offers_a_retry(
    app: Flask, xendit_fake: FakeXendit
) -> None:
    xendit_fake.fail_next(503, "SERVER_ERROR")
    order, payment = qris_order(app)
    assert payment.state == P.PENDING and payment.provider_reference is None
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment/online").get_data(as_text=True)
    assert "Buat kode QR lagi" in page
    # The retry asks again with the same key: a request Xendit did make is never doubled.
    assert client.post(f"/orders/{order.number}/payment/online").status_code == 302
    first, second = xendit_fake.calls("POST", "/payment_requests")
    assert first.idempotency_key == second.idempotency_key == payment.idempotency_key
    refresh(payment)
    assert payment.provider_reference in xendit_fake.payment_requests
    assert len(payments_of(order)) == 1


# --- The development simulation ------------------------------------------------------------


def test_the_simulation_is_never_offered_in_testing_or_production() -> None:
    testing = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert online_gateway(testing.config) is None
    from config import ProductionConfig

    production = {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}
    assert production["ENV_NAME"] == "production"
    assert online_gateway({**production, "XENDIT_SECRET_KEY": None}) is None
    assert online_gateway({**production, "XENDIT_CALLBACK_TOKEN": None}) is None
    development = {"ENV_NAME": "development"}
    assert online_gateway(development) is OnlineGateway.SIMULATION
    # With keys, development uses Xendit (its test mode), not the simulation.
    keyed = {**development, "XENDIT_SECRET_KEY": "xnd_development_k", "XENDIT_CALLBACK_TOKEN": "t"}
    assert online_gateway(keyed) is OnlineGateway.XENDIT


@pytest.fixture
def simulating(app: Flask, config: dict[str, object]) -> Flask:
    config["ENV_NAME"] = "development"
    return app


def test_in_development_without_keys_the_simulation_pays_through_the_same_path(
    simulating: Flask,
) -> None:
    app = simulating
    order, payment = qris_order(app)
    assert payment.provider_reference and payment.provider_reference.startswith("sim-pr-")
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment/online").get_data(as_text=True)
    assert "Simulasi — tidak ada uang yang berpindah" in page
    assert "Bayar (simulasi)" in page and '<svg role="img"' in page
    response = client.post(f"/orders/{order.number}/payment/online/simulate")
    assert response.status_code == 302
    refresh(payment, *order.vendor_orders)
    assert payment.state == P.SUCCEEDED
    assert {vo.state for vo in order.vendor_orders} == {S.PAID}
    assert [e.kind for e in payment.events if e.to_status == P.SUCCEEDED] == ["paid"]
    # Pressing again changes nothing (the simulated request is paid already).
    again = client.post(f"/orders/{order.number}/payment/online/simulate")
    assert again.status_code in (302, 400, 409, 502)
    refresh(payment)
    assert payment.state == P.SUCCEEDED


def test_the_simulation_button_is_refused_with_the_real_gateway(
    app: Flask, xendit_fake: FakeXendit, config: dict[str, object]
) -> None:
    config["ENV_NAME"] = "development"  # keys set: Xendit, not the simulation
    order, payment = qris_order(app)
    client = shopper_client(app)
    assert "Bayar (simulasi)" not in client.get(f"/orders/{order.number}/payment/online").get_data(
        as_text=True
    )
    assert client.post(f"/orders/{order.number}/payment/online/simulate").status_code == 409
    refresh(payment)
    assert payment.state == P.PENDING


def test_a_simulation_callback_is_refused_for_want_of_a_token(simulating: Flask) -> None:
    _order, payment = qris_order(simulating)
    body = b'{"event": "payment.succeeded", "data": {}}'
    response = simulating.test_client().post(
        CALLBACK, data=body, headers={"x-callback-token": "anything"}
    )
    assert response.status_code == 403
    refresh(payment)
    assert payment.state == P.PENDING
