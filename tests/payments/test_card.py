"""Card payments through Stripe Checkout, against the fake Stripe server: the session the shopper
is sent to, the signed webhook that marks the order paid, and everything that can go wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import PaymentMethod, VendorOrderStatus
from marketplace.payments.models import (
    PaymentFlag,
    PaymentStatus,
    StripeEvent,
)
from tests.factories import UserFactory
from tests.payments.paying import (
    SHOPPER,
    payments_of,
    placed_order,
    post_event,
    refresh,
    shopper_client,
)
from tests.shopping import fill_cart, stocked_variant
from tests.stripe_fake import FakeStripe

S = VendorOrderStatus
P = PaymentStatus


def start(client: FlaskClient, number: str) -> str:
    """Press "pay by card": the shopper is sent (303) to the session's page."""
    response = client.post(f"/orders/{number}/payment/card")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def emails(template: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.template == template).order_by(OutboxEmail.id)
        )
    )


def test_a_shopper_pays_by_card_and_the_webhook_marks_the_order_paid(
    app: Flask, stripe_fake: FakeStripe, clock: ModuleType
) -> None:
    order = placed_order(app, cooperatives=2)
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Bayar dengan kartu" in page

    location = start(client, order.number)

    session = stripe_fake.only_session
    assert location == session["url"] == f"{stripe_fake.url}/pay/{session['id']}"
    # One line item per cooperative's part, in hundredths of a rupiah, in IDR.
    items = session["_line_items"]
    assert [item["price_data"]["currency"] for item in items] == ["idr", "idr"]
    assert sorted(int(item["price_data"]["unit_amount"]) for item in items) == sorted(
        part.total * 100 for part in order.vendor_orders
    )
    assert session["amount_total"] == order.grand_total * 100
    assert session["metadata"]["order_id"] == str(order.id)
    assert session["metadata"]["order_number"] == order.number
    # The session ends when the order's payment window does (60 minutes for cards).
    assert session["expires_at"] == int((clock.now() + timedelta(minutes=60)).timestamp())
    assert session["success_url"].endswith(
        f"/orders/{order.number}/payment/card/return?session_id={{CHECKOUT_SESSION_ID}}"
    )
    created = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert created[0].idempotency_key and created[0].idempotency_key.startswith("opop-checkout-")
    [payment] = payments_of(order)
    assert (payment.state, payment.provider_reference, payment.amount) == (
        P.PENDING,
        session["id"],
        order.grand_total,
    )

    response = post_event(client, stripe_fake.complete(session["id"]))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "paid"
    refresh(order, *order.vendor_orders)
    assert [part.status for part in order.vendor_orders] == [S.PAID, S.PAID]
    [payment] = payments_of(order)
    assert payment.state == P.SUCCEEDED and payment.payment_intent.startswith("pi_")
    [confirmed] = emails("payment_confirmed")
    assert confirmed.subject == f"Pembayaran pesanan {order.number} diterima"
    assert db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "payment.card_paid")
    )
    page = client.get(f"/orders/{order.number}/payment/card/return?session_id={session['id']}")
    assert "Pembayaran diterima." in page.get_data(as_text=True)


def test_the_same_event_delivered_twice_changes_nothing(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    event = stripe_fake.complete(stripe_fake.only_session["id"])

    first, second = post_event(client, event), post_event(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["outcome"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    [part] = order.vendor_orders
    refresh(part)
    assert part.status == S.PAID
    assert [e.to_status for e in part.events].count("paid") == 1
    assert len(emails("payment_confirmed")) == 1


def test_a_second_completed_event_for_a_paid_session_changes_nothing(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    post_event(client, stripe_fake.complete(session_id))
    again = post_event(client, stripe_fake.complete(session_id))  # a new event id, same session
    assert again.get_json()["outcome"] == "already_applied"
    assert len(emails("payment_confirmed")) == 1


def test_completed_before_the_shopper_returns_shows_paid(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    post_event(client, stripe_fake.complete(session_id))

    page = client.get(f"/orders/{order.number}/payment/card/return?session_id={session_id}")

    assert "Pembayaran diterima." in page.get_data(as_text=True)


def test_completed_after_the_shopper_returns_shows_confirming_then_paid(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    signed = stripe_fake.complete(session_id)  # paid at Stripe; the webhook is on its way
    return_url = f"/orders/{order.number}/payment/card/return?session_id={session_id}"

    page = client.get(return_url).get_data(as_text=True)

    assert "Pembayaran sedang dikonfirmasi." in page
    [part] = order.vendor_orders
    refresh(part)
    assert part.status == S.AWAITING_PAYMENT  # the return page never marks paid
    post_event(client, signed)
    assert "Pembayaran diterima." in client.get(return_url).get_data(as_text=True)


def test_the_return_page_of_an_unfinished_session_offers_to_continue(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    page = client.get(f"/orders/{order.number}/payment/card/return?session_id={session_id}")
    assert "Pembayaran belum selesai." in page.get_data(as_text=True)
    # Pressing "pay" again goes back to the same open session, not a new one.
    assert start(client, order.number) == stripe_fake.only_session["url"]
    assert len(stripe_fake.sessions) == 1


def test_another_shoppers_return_page_is_not_found(app: Flask, stripe_fake: FakeStripe) -> None:
    order = placed_order(app)
    start(shopper_client(app), order.number)
    placed_order(app, email="budi@example.test")
    other = shopper_client(app, "budi@example.test")
    session_id = stripe_fake.only_session["id"]
    response = other.get(f"/orders/{order.number}/payment/card/return?session_id={session_id}")
    assert response.status_code == 404
    assert other.post(f"/orders/{order.number}/payment/card").status_code == 404


def test_an_amount_mismatch_is_held_and_flagged_not_paid(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]

    response = post_event(client, stripe_fake.complete(session_id, amount_total=100))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "amount_mismatch"
    [part] = order.vendor_orders
    refresh(part)
    assert part.status == S.AWAITING_PAYMENT
    [payment] = payments_of(order)
    assert payment.state == P.HELD
    assert payment.flag == PaymentFlag.AMOUNT_MISMATCH and payment.is_flag_open
    assert "100 idr" in payment.flag_note
    page = client.get(f"/orders/{order.number}/payment/card/return?session_id={session_id}")
    assert "tidak sesuai pesanan" in page.get_data(as_text=True)


def test_a_currency_mismatch_is_held_too(app: Flask, stripe_fake: FakeStripe) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session = stripe_fake.only_session
    signed = stripe_fake.complete(session["id"], currency="usd")
    assert post_event(client, signed).get_json()["outcome"] == "amount_mismatch"
    assert payments_of(order)[0].state == P.HELD


def test_a_bad_signature_is_refused_and_changes_nothing(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    forged = stripe_fake.event(
        "checkout.session.completed", {"id": session_id}, secret="whsec_someone_else"
    )
    genuine = stripe_fake.complete(session_id)
    tampered = genuine.payload.replace(b'"paid"', b'"paid" ')

    for payload, headers in (
        (forged.payload, forged.headers),
        (tampered, genuine.headers),
        (genuine.payload, {"Content-Type": "application/json"}),  # no signature at all
    ):
        response = client.post("/payments/stripe/webhook", data=payload, headers=headers)
        assert response.status_code == 400

    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    assert payments_of(order)[0].state == P.PENDING


def test_a_body_that_is_not_utf8_is_refused_like_a_bad_signature(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    # Stripe's signature check decodes the body and used to let the error out as a 500.
    signed = stripe_fake.event("customer.created", {"id": "cus_1"})
    body = b"\x89PNG\r\n" + signed.payload
    response = app.test_client().post("/payments/stripe/webhook", data=body, headers=signed.headers)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_a_stale_signature_is_refused(
    app: Flask, stripe_fake: FakeStripe, clock: ModuleType
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    session_id = stripe_fake.only_session["id"]
    ten_minutes_ago = int((clock.now() - timedelta(minutes=10)).timestamp())
    signed = stripe_fake.complete(session_id)
    stale = {
        **signed.headers,
        "Stripe-Signature": stripe_fake.sign(signed.payload, ten_minutes_ago),
    }

    response = client.post("/payments/stripe/webhook", data=signed.payload, headers=stale)

    assert response.status_code == 400
    assert payments_of(order)[0].state == P.PENDING
    assert post_event(client, signed).status_code == 200  # the fresh delivery still works


def test_an_expired_session_leaves_the_order_to_expire_and_release_its_stock(
    app: Flask, stripe_fake: FakeStripe, clock: ModuleType
) -> None:
    order = placed_order(app, quantity=3)
    client = shopper_client(app)
    start(client, order.number)
    [part] = order.vendor_orders
    variant = part.lines[0].variant
    assert variant.reserved == 3

    clock.advance(timedelta(minutes=61))
    response = post_event(client, stripe_fake.expire(stripe_fake.only_session["id"]))

    assert response.get_json()["outcome"] == "expired"
    assert payments_of(order)[0].state == P.EXPIRED
    refresh(part, variant)
    # The order's own deadline passed too: its lifecycle cancels it and releases the stock.
    assert part.status == S.CANCELLED
    assert (variant.reserved, variant.on_hand) == (0, 10)


def test_an_expired_session_before_the_deadline_keeps_the_order_open(
    app: Flask, stripe_fake: FakeStripe, clock: ModuleType
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    post_event(client, stripe_fake.expire(stripe_fake.only_session["id"]))
    [part] = order.vendor_orders
    refresh(part)
    assert part.status == S.AWAITING_PAYMENT
    # The shopper may start again: a new session.
    start(client, order.number)
    assert len(stripe_fake.sessions) == 2


def test_a_declined_card_keeps_the_order_unpaid(app: Flask, stripe_fake: FakeStripe) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    start(client, order.number)
    signed = stripe_fake.payment_failed(stripe_fake.only_session["id"], "Kartu ditolak bank.")
    response = post_event(client, signed)
    assert response.get_json()["outcome"] == "attempt_failed"
    [payment] = payments_of(order)
    assert (payment.state, payment.error) == (P.PENDING, "Kartu ditolak bank.")
    assert order.vendor_orders[0].status == S.AWAITING_PAYMENT


def test_a_stripe_error_while_creating_the_session_leaves_the_order_unpaid(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    client = shopper_client(app)
    stripe_fake.fail_next(500)

    response = client.post(f"/orders/{order.number}/payment/card", follow_redirects=True)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Layanan pembayaran kartu sedang tidak dapat dihubungi" in page
    assert "belum dibayar" in page
    [payment] = payments_of(order)
    assert payment.state == P.FAILED and "APIError" in payment.error
    refresh(*order.vendor_orders)
    assert order.vendor_orders[0].status == S.AWAITING_PAYMENT
    # Once Stripe answers again, the shopper can pay.
    start(client, order.number)
    assert len(stripe_fake.sessions) == 1


def test_a_timeout_while_creating_the_session_leaves_the_order_unpaid(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    app.config["STRIPE_TIMEOUT_SECONDS"] = 0.3
    order = placed_order(app)
    client = shopper_client(app)
    stripe_fake.hang(1.0)
    try:
        response = client.post(f"/orders/{order.number}/payment/card", follow_redirects=True)
    finally:
        stripe_fake.hang(0)
    assert "Layanan pembayaran kartu sedang tidak dapat dihubungi" in response.get_data(
        as_text=True
    )
    [payment] = payments_of(order)
    assert payment.state == P.FAILED and "APIConnectionError" in payment.error
    assert order.vendor_orders[0].status == S.AWAITING_PAYMENT


def test_a_retried_call_reuses_its_idempotency_key(app: Flask, stripe_fake: FakeStripe) -> None:
    app.config["STRIPE_MAX_NETWORK_RETRIES"] = 1
    order = placed_order(app)
    stripe_fake.fail_next(500)  # Stripe's library retries this one with the same key
    start(shopper_client(app), order.number)
    first, second = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key
    assert len(stripe_fake.sessions) == 1


def test_the_session_lasts_at_least_stripes_thirty_minutes(
    app: Flask, stripe_fake: FakeStripe, clock: ModuleType
) -> None:
    order = placed_order(app)
    clock.advance(timedelta(minutes=50))  # ten minutes of the order's window left
    start(shopper_client(app), order.number)
    expires_at = datetime.fromtimestamp(stripe_fake.only_session["expires_at"], UTC)
    assert expires_at == clock.now() + timedelta(minutes=31)


def test_without_stripe_keys_the_card_option_is_hidden(app: Flask) -> None:
    assert not app.config["STRIPE_SECRET_KEY"]
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER)
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 404
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Bayar dengan kartu" not in page
    assert "Unggah bukti transfer" in page


def test_the_card_payment_page_needs_the_webhook_secret_too(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app)
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 404
    assert stripe_fake.sessions == {}


def test_the_webhook_ignores_events_it_does_not_handle(app: Flask, stripe_fake: FakeStripe) -> None:
    signed = stripe_fake.event("customer.created", {"id": "cus_1"})
    response = post_event(app.test_client(), signed)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    stored = db.session.scalar(select(StripeEvent))
    assert stored is not None and stored.event_id == signed.id


def test_the_webhook_needs_no_csrf_token(
    app: Flask, stripe_fake: FakeStripe, csrf_enabled: None
) -> None:
    signed = stripe_fake.event("customer.created", {"id": "cus_1"})
    assert post_event(app.test_client(), signed).status_code == 200


def test_the_checkout_page_offers_cards_only_with_stripe_configured(
    app: Flask, stripe_server: FakeStripe
) -> None:
    with app.test_request_context():
        fill_cart(UserFactory(email=SHOPPER), (stocked_variant(5), 1))
        db.session.commit()
    client = shopper_client(app)
    assert "Kartu kredit/debit" not in client.get("/checkout").get_data(as_text=True)
    app.config.update(
        STRIPE_SECRET_KEY=stripe_server.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
    )
    try:
        assert "Kartu kredit/debit" in client.get("/checkout").get_data(as_text=True)
    finally:
        app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)


def test_the_pages_stripe_sends_the_shopper_back_to_are_on_the_site_whatever_the_host(
    app: Flask, stripe_fake: FakeStripe, config: dict[str, object]
) -> None:
    """Stripe redirects the shopper to these addresses after paying: a forged Host must not
    make them the attacker's pages."""
    from tests.conftest import login
    from tests.hosts import SITE, forged_host_client

    config["SERVER_BASE_URL"] = SITE
    order = placed_order(app)
    client = forged_host_client(app)
    assert login(client, SHOPPER).status_code == 302

    start(client, order.number or "")

    session = stripe_fake.only_session
    assert session["success_url"] == (
        f"{SITE}/orders/{order.number}/payment/card/return?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert session["cancel_url"] == f"{SITE}/orders/{order.number}/payment"
