"""Who is told what, and once: the shopper's and the cooperative's emails around paying for an
order and cancelling a part of it."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.payments.paying import (
    SHOPPER,
    image_bytes,
    payments_of,
    placed_order,
    post_event,
    refresh,
    shopper_client,
)
from tests.payments.test_transfers import upload
from tests.shopping import place, stocked_variant
from tests.stripe_fake import FakeStripe

S = VendorOrderStatus
TRANSFER = PaymentMethod.BANK_TRANSFER


def mail_to(address: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
        )
    )


def subjects_to(address: str) -> list[str]:
    return [email.subject for email in mail_to(address)]


def signed_in(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


# --- "Pesanan baru" goes to the cooperative when the order is paid -------------------------


def placed_with_member(
    app: Flask, payment: PaymentMethod = TRANSFER, email: str = "koperasi@example.test"
) -> tuple[Order, Any]:
    """An order by the shopper from a cooperative that has a member (``email``) already."""
    with app.test_request_context():
        variant = stocked_variant(10)
        member = UserFactory(email=email)
        CooperativeMemberFactory(cooperative=variant.product.cooperative, user=member)
        shopper = db.session.scalar(select(User).filter_by(email=SHOPPER)) or UserFactory(
            email=SHOPPER
        )
        order = place(shopper, (variant, 2), payment=payment)
        db.session.commit()
        return order, member


def test_a_transfer_order_is_announced_to_the_cooperative_only_once_it_is_paid(
    app: Flask,
) -> None:
    order, member = placed_with_member(app)
    assert subjects_to(member.email) == []

    client = shopper_client(app)
    assert upload(client, order, image_bytes(), order.vendor_orders[0].id).status_code == 302
    # The money went to the cooperative's account: it is asked to check the proof.
    [review] = mail_to(member.email)
    assert review.subject == f"Bukti transfer pesanan {order.number} menunggu pemeriksaan"
    [payment] = payments_of(order)
    assert f"/vendor/transfers/{payment.id}" in review.body_text

    cooperative = signed_in(app, member)
    assert cooperative.post(f"/vendor/transfers/{payment.id}/confirm").status_code == 302
    announced = mail_to(member.email)[-1]
    assert announced.subject == (
        f"Pesanan baru {order.number} untuk {order.vendor_orders[0].cooperative_name}"
    )
    assert "Pesanan ini sudah dibayar" in announced.body_text
    assert f"/vendor/orders/{order.vendor_orders[0].id}" in announced.body_text


def test_an_order_never_paid_is_never_announced(app: Flask, clock: ModuleType) -> None:
    _order, member = placed_with_member(app)
    clock.advance(timedelta(days=2))
    assert app.test_cli_runner().invoke(args=["orders", "expire"]).output.strip() == "expired 1"
    assert mail_to(member.email) == []


def test_with_the_platforms_account_the_cooperative_is_not_asked_to_check_the_proof(
    app: Flask, config: dict[str, Any]
) -> None:
    config.update(
        PAYMENT_TRANSFER_ACCOUNT="platform",
        PLATFORM_BANK_NAME="Bank Jatim",
        PLATFORM_BANK_ACCOUNT_NUMBER="0099887766",
        PLATFORM_BANK_ACCOUNT_HOLDER="Pasar OPOP Kota Mojokerto",
    )
    order, member = placed_with_member(app)
    assert upload(shopper_client(app), order, image_bytes()).status_code == 302
    assert mail_to(member.email) == []


def test_a_pay_at_pickup_order_is_announced_when_it_is_placed(app: Flask) -> None:
    order, member = placed_with_member(app, PaymentMethod.PAY_AT_PICKUP)
    [announced] = mail_to(member.email)
    assert announced.subject == (
        f"Pesanan baru {order.number} untuk {order.vendor_orders[0].cooperative_name}"
    )
    assert "Pembeli membayar saat mengambil" in announced.body_text


# --- One confirmation, one email ------------------------------------------------------------


def test_confirming_a_transfer_sends_the_shopper_one_email(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    assert upload(client, order, image_bytes(), order.vendor_orders[0].id).status_code == 302
    [payment] = payments_of(order)
    before = len(mail_to(SHOPPER))

    admin = signed_in(app, UserFactory(email="admin@example.test", is_city_admin=True))
    assert admin.post(f"/admin/payments/transfers/{payment.id}/confirm").status_code == 302

    new = mail_to(SHOPPER)[before:]
    assert [email.subject for email in new] == [f"Pembayaran pesanan {order.number} diterima"]
    refresh(*order.vendor_orders)
    assert order.vendor_orders[0].status == S.PAID


def test_a_card_payment_for_two_cooperatives_sends_the_shopper_one_email(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app, cooperatives=2)
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 303
    before = len(mail_to(SHOPPER))

    assert (
        post_event(client, stripe_fake.complete(stripe_fake.only_session["id"])).status_code == 200
    )

    new = mail_to(SHOPPER)[before:]
    assert [email.subject for email in new] == [f"Pembayaran pesanan {order.number} diterima"]
    for part in order.vendor_orders:
        assert part.cooperative_name in new[0].body_text


# --- The cooperative hears of a cancellation it did not make --------------------------------


def paid_transfer_order(app: Flask) -> tuple[Order, Any]:
    """A transfer order whose part was confirmed by a city administrator; its cooperative's
    member."""
    order, member = placed_with_member(app)
    with app.test_request_context():
        order_moves.mark_vendor_order_paid(order.vendor_orders[0], reference="TRF-1")
        db.session.commit()
    return order, member


def test_the_cooperative_is_told_when_the_shopper_cancels_a_paid_part(app: Flask) -> None:
    order, member = paid_transfer_order(app)
    [part] = order.vendor_orders
    response = shopper_client(app).post(
        f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": "Salah ukuran"}
    )
    assert response.status_code == 302
    cancelled = mail_to(member.email)[-1]
    assert cancelled.subject == f"Pesanan {order.number} untuk {part.cooperative_name} dibatalkan"
    assert "dibatalkan oleh pembeli" in cancelled.body_text
    assert "Alasan pembatalan: Salah ukuran" in cancelled.body_text
    assert "Jangan siapkan atau kirim barangnya" in cancelled.body_text
    assert f"/vendor/orders/{part.id}" in cancelled.body_text


def test_the_cooperative_is_told_when_the_shopper_cancels_a_pay_at_pickup_part(
    app: Flask,
) -> None:
    order, member = placed_with_member(app, PaymentMethod.PAY_AT_PICKUP)
    [part] = order.vendor_orders
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/parts/{part.id}/cancel").status_code == 302
    cancelled = mail_to(member.email)[-1]
    assert "dibatalkan oleh pembeli" in cancelled.body_text
    assert "Dibatalkan oleh pembeli." in cancelled.body_text  # the reason, when none was given


def test_an_unpaid_part_the_cooperative_never_heard_of_is_cancelled_quietly(app: Flask) -> None:
    order, member = placed_with_member(app)
    [part] = order.vendor_orders
    assert (
        shopper_client(app).post(f"/orders/{order.number}/parts/{part.id}/cancel").status_code
        == 302
    )
    assert mail_to(member.email) == []


def test_the_cooperative_is_not_told_of_its_own_rejection(app: Flask) -> None:
    order, member = paid_transfer_order(app)
    [part] = order.vendor_orders
    with app.test_request_context():
        order_moves.reject_vendor_order(member, part.id, "Stok habis")
        db.session.commit()
    assert not any("dibatalkan" in subject for subject in subjects_to(member.email))


def test_the_cooperative_is_told_when_a_city_administrator_cancels_its_accepted_part(
    app: Flask,
) -> None:
    order, member = paid_transfer_order(app)
    [part] = order.vendor_orders
    with app.test_request_context():
        order_moves.accept_vendor_order(member, part.id)
        admin = UserFactory(is_city_admin=True)
        order_moves.cancel_by_admin(admin, part.id, "Koperasi tidak dapat mengirim")
        db.session.commit()
    cancelled = mail_to(member.email)[-1]
    assert "dibatalkan oleh admin kota" in cancelled.body_text
    assert "Alasan pembatalan: Koperasi tidak dapat mengirim" in cancelled.body_text
    assert "Yang sudah dibayar pembeli dikembalikan kepadanya." in cancelled.body_text


def test_an_english_speaking_member_reads_the_cancellation_in_english(app: Flask) -> None:
    order, member = paid_transfer_order(app)
    member.locale = "en"
    [part] = order.vendor_orders
    shopper_client(app).post(f"/orders/{order.number}/parts/{part.id}/cancel")
    cancelled = mail_to(member.email)[-1]
    assert cancelled.subject == f"Order {order.number} for {part.cooperative_name} cancelled"
    assert "cancelled by the shopper" in cancelled.body_text
    assert "Cancelled by the shopper." in cancelled.body_text
