"""Unpaid orders expire (by `flask orders expire` and when opened); delivered ones complete."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.models import DeliveryMethod, PaymentMethod, VendorOrder, VendorOrderStatus
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant

S = VendorOrderStatus


def placed(
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER, user: object = None
) -> tuple[VendorOrder, object]:
    variant = stocked_variant(10)
    order = place(user, (variant, 3), payment=payment)  # type: ignore[arg-type]
    return order.vendor_orders[0], variant


def run(app: Flask, command: str) -> str:
    result = app.test_cli_runner().invoke(args=["orders", command])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_bank_transfer_expires_after_24_hours(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        part, variant = placed()
        db.session.commit()
    clock.advance(timedelta(hours=23, minutes=59))
    assert run(app, "expire") == "expired 0"
    clock.advance(timedelta(minutes=1))
    assert run(app, "expire") == "expired 1"
    db.session.refresh(part)
    db.session.refresh(variant)
    assert part.status == S.CANCELLED
    assert "batas waktu pembayaran" in part.cancel_reason
    assert variant.reserved == 0
    assert [e.actor_kind for e in part.events] == ["shopper", "system"]
    subjects = db.session.scalars(select(OutboxEmail.subject)).all()
    assert f"Pesanan {part.order.number}: Dibatalkan" in subjects


def test_a_card_order_expires_after_60_minutes(app_ctx: Flask, clock: ModuleType) -> None:
    app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        part, variant = placed(PaymentMethod.CARD)
    finally:
        app_ctx.config["STRIPE_SECRET_KEY"] = None
    clock.advance(timedelta(minutes=59))
    assert order_moves.overdue_vendor_order_ids() == []
    clock.advance(timedelta(minutes=1))
    assert order_moves.overdue_vendor_order_ids() == [part.id]
    assert order_moves.expire_vendor_order(part.id)
    assert not order_moves.expire_vendor_order(part.id)  # already done: nothing happens
    assert (part.status, variant.reserved) == (S.CANCELLED, 0)


def test_the_payment_windows_come_from_configuration(app_ctx: Flask, clock: ModuleType) -> None:
    app_ctx.config["ORDER_PAYMENT_MINUTES_BANK_TRANSFER"] = 30
    try:
        part, _ = placed()
    finally:
        app_ctx.config["ORDER_PAYMENT_MINUTES_BANK_TRANSFER"] = 24 * 60
    clock.advance(timedelta(minutes=30))
    assert order_moves.overdue_vendor_order_ids() == [part.id]


def test_a_paid_order_never_expires(app_ctx: Flask, clock: ModuleType) -> None:
    part, _ = placed()
    order_moves.mark_vendor_order_paid(part)
    clock.advance(timedelta(days=30))
    assert order_moves.overdue_vendor_order_ids() == []


def test_pay_at_pickup_expires_three_days_after_ready_for_pickup(
    app_ctx: Flask, clock: ModuleType
) -> None:
    part, variant = placed(PaymentMethod.PAY_AT_PICKUP)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    clock.advance(timedelta(days=10))
    assert order_moves.overdue_vendor_order_ids() == []  # waiting for the cooperative: no clock
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    clock.advance(timedelta(days=3) - timedelta(seconds=1))
    assert order_moves.overdue_vendor_order_ids() == []
    clock.advance(timedelta(seconds=1))
    assert order_moves.expire_vendor_order(part.id)
    assert (part.status, variant.reserved, variant.on_hand) == (S.CANCELLED, 0, 10)


def test_running_expire_twice_changes_nothing_the_second_time(
    app: Flask, clock: ModuleType
) -> None:
    with app.test_request_context():
        parts = [placed()[0] for _ in range(3)]
        db.session.commit()
    clock.advance(timedelta(days=2))
    assert run(app, "expire") == "expired 3"
    assert run(app, "expire") == "expired 0"
    for part in parts:
        db.session.refresh(part)
        assert len(part.events) == 2


def stored(part_id: int) -> VendorOrder:
    """The part as the database holds it (a page may have shown a copy)."""
    found = db.session.get(VendorOrder, part_id, populate_existing=True)
    assert found is not None
    return found


def test_opening_an_overdue_order_shows_it_expired_and_the_job_writes_it(
    client: FlaskClient, clock: ModuleType
) -> None:
    user = UserFactory(email="ani@example.test")
    with client.application.test_request_context():
        part, variant = placed(user=user)
        db.session.commit()
    number, part_id = part.order.number, part.id
    clock.advance(timedelta(hours=25))
    login(client, "ani@example.test")
    emails = db.session.scalar(select(func.count()).select_from(OutboxEmail))
    html = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Dibatalkan otomatis" in html
    assert "Batalkan pesanan dari" not in html  # no cancel button on a part shown cancelled
    # Stored in Indonesian, shown in the reader's language.
    english = client.get(f"/orders/{number}?lang=en").get_data(as_text=True)
    assert "Cancelled automatically: the time to pay or to collect has passed." in english
    # The pages wrote nothing: the part still awaits payment and holds its stock.
    part = stored(part_id)
    db.session.refresh(variant)
    assert (part.status, len(part.events), variant.reserved) == (S.AWAITING_PAYMENT, 1, 3)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == emails
    # The periodic job writes the expiry.
    assert run(client.application, "expire") == "expired 1"
    part = stored(part_id)
    db.session.refresh(variant)
    assert (part.status, variant.reserved) == (S.CANCELLED, 0)
    assert [e.actor_kind for e in part.events] == ["shopper", "system"]


def test_a_delivered_order_completes_after_seven_days(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        part, variant = placed()
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    assert run(app, "complete") == "completed 0"
    clock.advance(timedelta(minutes=1))
    assert run(app, "complete") == "completed 1"
    assert run(app, "complete") == "completed 0"
    db.session.refresh(part)
    assert part.status == S.COMPLETED
    assert part.events[-1].actor_kind == "system"


def test_opening_a_long_delivered_order_shows_it_completed_and_the_job_writes_it(
    client: FlaskClient, clock: ModuleType
) -> None:
    user = UserFactory(email="ani@example.test")
    with client.application.test_request_context():
        part, variant = placed(user=user)
        part.delivery_method = DeliveryMethod.PICKUP
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
    number, part_id = part.order.number, part.id
    clock.advance(timedelta(days=8))
    login(client, "ani@example.test")
    assert "Selesai" in client.get(f"/orders/{number}").get_data(as_text=True)
    assert stored(part_id).status == S.DELIVERED
    assert run(client.application, "complete") == "completed 1"
    assert stored(part_id).status == S.COMPLETED
