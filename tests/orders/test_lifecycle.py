"""The vendor order's status machine: every allowed move, every refused one, and what each move
does (events, stock, emails)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.exceptions import (
    InvalidTransition,
    MissingDetail,
    ReceiptNotDue,
    UnusualTrackingNumber,
)
from marketplace.orders.lifecycle import can_move, find_transition
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant

S = VendorOrderStatus
A = ActorKind


def expected_moves(
    payment: PaymentMethod, delivery: DeliveryMethod, paid: bool
) -> set[tuple[S, S, A]]:
    """The business rules, written out independently of lifecycle.TRANSITIONS."""
    at_pickup = payment == PaymentMethod.PAY_AT_PICKUP
    picked_up = delivery == DeliveryMethod.PICKUP
    moves = {
        (S.AWAITING_PAYMENT, S.CANCELLED, A.SHOPPER),
        (S.AWAITING_PAYMENT, S.CANCELLED, A.COOPERATIVE),
        (S.AWAITING_PAYMENT, S.CANCELLED, A.SYSTEM),
        (S.PAID, S.ACCEPTED, A.COOPERATIVE),
        (S.PAID, S.CANCELLED, A.SHOPPER),
        (S.PAID, S.CANCELLED, A.COOPERATIVE),
        (S.SHIPPED, S.DELIVERED, A.COOPERATIVE),
        (S.READY_FOR_PICKUP, S.DELIVERED, A.COOPERATIVE),
        # The shopper confirms receipt, or the periodic job completes the part days later.
        (S.DELIVERED, S.COMPLETED, A.SHOPPER),
        (S.DELIVERED, S.COMPLETED, A.SYSTEM),
        # A city administrator may cancel any part that has not left the cooperative.
        (S.AWAITING_PAYMENT, S.CANCELLED, A.CITY_ADMIN),
        (S.PAID, S.CANCELLED, A.CITY_ADMIN),
        (S.ACCEPTED, S.CANCELLED, A.CITY_ADMIN),
        (S.READY_FOR_PICKUP, S.CANCELLED, A.CITY_ADMIN),
    }
    if at_pickup:
        moves.add((S.AWAITING_PAYMENT, S.ACCEPTED, A.COOPERATIVE))
        if not paid:
            moves.add((S.READY_FOR_PICKUP, S.CANCELLED, A.SYSTEM))
    else:
        moves.add((S.AWAITING_PAYMENT, S.PAID, A.PAYMENT))
    moves.add(
        (S.ACCEPTED, S.READY_FOR_PICKUP, A.COOPERATIVE)
        if picked_up
        else (S.ACCEPTED, S.SHIPPED, A.COOPERATIVE)
    )
    if paid:
        moves.add((S.CANCELLED, S.REFUNDED, A.PAYMENT))
    return moves


CONTEXTS = list(
    itertools.product(
        [PaymentMethod.BANK_TRANSFER, PaymentMethod.PAY_AT_PICKUP],
        [DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY],
        [False, True],
    )
)


@pytest.mark.parametrize(("payment", "delivery", "paid"), CONTEXTS)
def test_exactly_the_allowed_moves_are_allowed(
    payment: PaymentMethod, delivery: DeliveryMethod, paid: bool
) -> None:
    allowed = expected_moves(payment, delivery, paid)
    for source, target, actor in itertools.product(S, S, A):
        vendor_order = VendorOrder(
            status=source,
            delivery_method=delivery,
            paid_at=datetime(2026, 12, 1, tzinfo=UTC) if paid else None,
            order=Order(payment_method=payment),
        )
        if (source, target, actor) in allowed:
            assert find_transition(vendor_order, target, actor).target == target
            assert can_move(vendor_order, target, actor)
        else:
            with pytest.raises(InvalidTransition):
                find_transition(vendor_order, target, actor)
            assert not can_move(vendor_order, target, actor), (source, target, actor)


# ---- what the moves do ----------------------------------------------------------------


def setup_order(
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    delivery: DeliveryMethod = DeliveryMethod.PICKUP,
    quantity: int = 2,
) -> tuple[Any, VendorOrder, Any, Any]:
    """An order of one part; returns (shopper, vendor order, cooperative member, variant)."""
    shopper = UserFactory()
    variant = stocked_variant(10, product__name="Jamu Kunyit")
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    order = place(shopper, (variant, quantity), delivery=delivery, payment=payment)
    return shopper, order.vendor_orders[0], member, variant


def events(vendor_order: VendorOrder) -> list[tuple[str | None, str, str]]:
    db.session.refresh(vendor_order)
    return [(e.from_status, e.to_status, e.actor_kind) for e in vendor_order.events]


def status_emails() -> list[str]:
    return [
        e.subject
        for e in db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.template == "order_status_changed")
            .order_by(OutboxEmail.id)
        )
    ]


def test_a_paid_pickup_order_goes_all_the_way(app_ctx: Flask, clock: ModuleType) -> None:
    _, part, member, variant = setup_order()
    order_moves.mark_order_paid(part.order, reference="TRF-001")
    assert part.status == S.PAID and part.paid_at is not None and part.payment_due_at is None
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    assert part.payment_due_at is None  # already paid: nothing to expire
    order_moves.mark_delivered(member, part.id, note="Diambil sendiri")
    assert part.status == S.DELIVERED
    assert (variant.on_hand, variant.reserved, variant.product.sold_count) == (8, 0, 2)
    assert stock.ledger_balance(variant.id) == 8
    assert events(part) == [
        (None, "awaiting_payment", "shopper"),
        ("awaiting_payment", "paid", "payment"),
        ("paid", "accepted", "cooperative"),
        ("accepted", "ready_for_pickup", "cooperative"),
        ("ready_for_pickup", "delivered", "cooperative"),
    ]
    assert part.events[1].note == "TRF-001"
    assert part.events[2].actor_id == member.id
    number = part.order.number
    # "Paid" is the payment's own email (payments.services.apply_received), not a status email.
    assert status_emails() == [
        f"Pesanan {number}: Diproses koperasi",
        f"Pesanan {number}: Siap diambil",
        f"Pesanan {number}: Diterima pembeli",
    ]


def test_a_delivered_order_is_shipped_with_courier_and_tracking(app_ctx: Flask) -> None:
    _, part, member, _ = setup_order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    with pytest.raises(InvalidTransition):
        order_moves.mark_ready_for_pickup(member, part.id)  # it is being delivered, not picked up
    with pytest.raises(MissingDetail):
        order_moves.mark_shipped(member, part.id, "  ")
    order_moves.mark_shipped(member, part.id, "Kurir koperasi")
    assert (part.status, part.courier_name, part.tracking_number) == (
        S.SHIPPED,
        "Kurir koperasi",
        None,
    )
    assert (
        "sudah mengirim pesanan Anda. Dikirim lewat Kurir koperasi."
        in db.session.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id)).all()[-1]
    )


def test_a_courier_parcel_needs_a_tracking_number(app_ctx: Flask) -> None:
    _, part, member, _ = setup_order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    part.delivery_method = DeliveryMethod.COURIER
    db.session.flush()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    with pytest.raises(MissingDetail, match="Tulis nomor resi pengiriman"):
        order_moves.mark_shipped(member, part.id, "JNE")
    order_moves.mark_shipped(member, part.id, "JNE", "JNE1234567890")
    assert part.tracking_number == "JNE1234567890"


@pytest.mark.parametrize(
    ("courier", "usual", "unusual"),
    [
        ("JNE", "CGK1234567890", "12345"),
        ("J&T Express", "JP1234567890", "JP12345"),
        ("SiCepat", "001234567890", "SC-1234"),
        ("Pos Indonesia", "P2212345678", "123"),
        ("AnterAja", "10001234567890", "AA123456"),
    ],
)
def test_a_tracking_number_unlike_its_couriers_is_checked_again_not_refused(
    app_ctx: Flask, courier: str, usual: str, unusual: str
) -> None:
    _, part, member, _ = setup_order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    part.delivery_method = DeliveryMethod.COURIER
    db.session.flush()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    # Unlike the courier's numbers: sent back with the courier named, nothing changed.
    with pytest.raises(UnusualTrackingNumber, match=f"tidak seperti nomor resi {courier}"):
        order_moves.mark_shipped(member, part.id, courier, unusual)
    assert (part.status, part.tracking_number) == (S.ACCEPTED, None)
    # Confirmed by the cooperative, who holds the receipt: accepted as typed.
    order_moves.mark_shipped(member, part.id, courier.lower(), unusual, resi_confirmed=True)
    assert (part.status, part.tracking_number) == (S.SHIPPED, unusual)
    # A usual one (spaces and lower case forgiven) goes through at once.
    _, other, member, _ = setup_order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    other.delivery_method = DeliveryMethod.COURIER
    db.session.flush()
    order_moves.mark_vendor_order_paid(other)
    order_moves.accept_vendor_order(member, other.id)
    typed = f" {usual[:4].lower()} {usual[4:]} "
    order_moves.mark_shipped(member, other.id, courier, typed)
    assert (other.status, other.tracking_number) == (S.SHIPPED, typed.strip())


def test_a_courier_not_listed_takes_any_tracking_number(app_ctx: Flask) -> None:
    _, part, member, _ = setup_order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    part.delivery_method = DeliveryMethod.COURIER
    db.session.flush()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_shipped(member, part.id, "Lion Parcel", "x")
    assert (part.status, part.tracking_number) == (S.SHIPPED, "x")


def test_pay_at_pickup_is_accepted_before_payment_and_paid_at_handover(
    app_ctx: Flask, clock: ModuleType
) -> None:
    _, part, member, variant = setup_order(payment=PaymentMethod.PAY_AT_PICKUP)
    with pytest.raises(InvalidTransition):
        order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    assert part.payment_due_at.replace(tzinfo=UTC) == clock.now() + timedelta(days=3)
    order_moves.mark_delivered(member, part.id)
    assert part.paid_at is not None and part.payment_due_at is None
    assert variant.product.sold_count == 2


def test_the_shopper_cancels_before_acceptance_and_the_stock_returns(app_ctx: Flask) -> None:
    shopper, part, _, variant = setup_order()
    assert variant.reserved == 2
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id, "Salah pilih")
    assert (part.status, part.cancel_reason) == (S.CANCELLED, "Salah pilih")
    assert (variant.reserved, variant.on_hand) == (0, 10)
    assert events(part)[-1] == ("awaiting_payment", "cancelled", "shopper")


def test_the_shopper_cannot_cancel_once_accepted(app_ctx: Flask) -> None:
    shopper, part, member, variant = setup_order()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    with pytest.raises(InvalidTransition) as error:
        order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    assert error.value.message == (
        "Pesanan berstatus \u201cDiproses koperasi\u201d tidak dapat diubah menjadi "
        "\u201cDibatalkan\u201d."
    )
    assert variant.reserved == 2


def test_a_paid_cancellation_can_be_refunded_by_the_payment_service(app_ctx: Flask) -> None:
    shopper, part, _, _ = setup_order()
    order_moves.mark_vendor_order_paid(part)
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    order_moves.refund_vendor_order(part, reference="RFD-9")
    assert part.status == S.REFUNDED


def test_an_unpaid_cancellation_cannot_be_refunded(app_ctx: Flask) -> None:
    shopper, part, _, _ = setup_order()
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    with pytest.raises(InvalidTransition):
        order_moves.refund_vendor_order(part)


def test_the_cooperative_rejects_with_a_reason(app_ctx: Flask) -> None:
    _, part, member, variant = setup_order()
    with pytest.raises(MissingDetail):
        order_moves.reject_vendor_order(member, part.id, " ")
    assert part.status == S.AWAITING_PAYMENT
    order_moves.reject_vendor_order(member, part.id, "Bahan baku habis")
    assert (part.status, part.cancel_reason, variant.reserved) == (
        S.CANCELLED,
        "Bahan baku habis",
        0,
    )
    assert events(part)[-1] == ("awaiting_payment", "cancelled", "cooperative")
    assert (
        "Alasan pembatalan: Bahan baku habis"
        in db.session.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id)).all()[-1]
    )


def test_a_city_administrator_cancels_an_accepted_part_with_a_reason(app_ctx: Flask) -> None:
    _, part, member, variant = setup_order()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    admin = UserFactory(is_city_admin=True)
    with pytest.raises(MissingDetail):
        order_moves.cancel_by_admin(admin, part.id, "  ")
    with pytest.raises(NotFound):
        order_moves.cancel_by_admin(member, part.id, "Bukan admin")
    order_moves.cancel_by_admin(admin, part.id, "Koperasi tidak dapat mengirim")
    assert (part.status, part.cancel_reason, variant.reserved) == (
        S.CANCELLED,
        "Koperasi tidak dapat mengirim",
        0,
    )
    assert events(part)[-1] == ("accepted", "cancelled", "city_admin")
    assert part.events[-1].actor_id == admin.id


def test_every_move_is_announced_to_the_packages_above(app_ctx: Flask) -> None:
    from marketplace.orders.signals import vendor_order_moved

    heard: list[tuple[int, str, str, str]] = []

    def listen(sender: VendorOrder, **kwargs: Any) -> None:
        heard.append((sender.id, kwargs["source"], kwargs["target"], kwargs["actor"]))

    shopper, part, _, _ = setup_order()
    with vendor_order_moved.connected_to(listen):
        order_moves.mark_vendor_order_paid(part)
        order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    assert heard == [
        (part.id, "awaiting_payment", "paid", "payment"),
        (part.id, "paid", "cancelled", "shopper"),
    ]


def test_a_payment_deadline_is_only_ever_extended(app_ctx: Flask, clock: ModuleType) -> None:
    _, part, _, _ = setup_order()
    due = part.payment_due_at.replace(tzinfo=UTC)
    assert not order_moves.extend_payment_deadline(part, due - timedelta(hours=1))
    assert order_moves.extend_payment_deadline(part, due + timedelta(hours=5))
    assert part.payment_due_at.replace(tzinfo=UTC) == due + timedelta(hours=5)
    order_moves.mark_vendor_order_paid(part)
    assert not order_moves.extend_payment_deadline(part, due + timedelta(days=9))
    assert part.payment_due_at is None


def test_a_cancelled_order_cannot_be_delivered(app_ctx: Flask) -> None:
    shopper, part, member, variant = setup_order()
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    for move in (order_moves.accept_vendor_order, order_moves.mark_delivered):
        with pytest.raises(InvalidTransition):
            move(member, part.id)
    assert (variant.on_hand, variant.reserved, variant.product.sold_count) == (10, 0, 0)


def test_a_member_of_another_cooperative_cannot_touch_the_order(app_ctx: Flask) -> None:
    _, part, _, _ = setup_order()
    stranger = CooperativeMemberFactory().user
    with pytest.raises(NotFound):
        order_moves.accept_vendor_order(stranger, part.id)
    with pytest.raises(NotFound):
        order_moves.accept_vendor_order(UserFactory(), part.id)
    assert part.status == S.AWAITING_PAYMENT


def test_another_shopper_cannot_cancel(app_ctx: Flask) -> None:
    _, part, _, _ = setup_order()
    with pytest.raises(NotFound):
        order_moves.cancel_by_shopper(UserFactory(), part.order.number, part.id)


def test_a_stale_copy_cannot_move_an_order_twice(app_ctx: Flask) -> None:
    """The status changes with a guarded UPDATE: a second move from the same old status finds
    no row and is refused, so the stock is released only once."""
    shopper, part, member, variant = setup_order()
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    # What another request, loaded a moment earlier, still believes:
    set_committed_value(part, "status", S.AWAITING_PAYMENT)
    with pytest.raises(InvalidTransition):
        order_moves.reject_vendor_order(member, part.id, "telat")
    db.session.refresh(part)
    assert part.status == S.CANCELLED
    assert variant.reserved == 0
    assert len(events(part)) == 2


# ---- the shopper confirms receipt --------------------------------------------------------


def delivered_order() -> tuple[Any, VendorOrder, Any, Any]:
    """A paid pickup order handed over to the shopper."""
    shopper, part, member, variant = setup_order()
    order_moves.mark_vendor_order_paid(part)
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    order_moves.mark_delivered(member, part.id)
    return shopper, part, member, variant


def test_the_shopper_confirms_receipt_and_the_part_completes_at_once(app_ctx: Flask) -> None:
    shopper, part, _, variant = delivered_order()
    assert order_moves.confirm_receipt(shopper, part.order.number, part.id) is True
    assert part.status == S.COMPLETED
    assert events(part)[-1] == ("delivered", "completed", "shopper")
    assert (part.events[-1].actor_id, part.events[-1].note) == (
        shopper.id,
        "Pembeli mengonfirmasi pesanan sudah diterima.",
    )
    entry = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.subject_id, entry.actor_id, entry.data["from"]) == (
        "vendor_order.completed",
        part.id,
        shopper.id,
        "delivered",
    )
    assert status_emails()[-1] == f"Pesanan {part.order.number}: Selesai"
    # The stock was sold at delivery; completing it changes nothing more.
    assert (variant.on_hand, variant.reserved, variant.product.sold_count) == (8, 0, 2)


def test_confirming_receipt_twice_changes_nothing_the_second_time(app_ctx: Flask) -> None:
    shopper, part, _, _ = delivered_order()
    assert order_moves.confirm_receipt(shopper, part.order.number, part.id) is True
    emails = status_emails()
    assert order_moves.confirm_receipt(shopper, part.order.number, part.id) is False
    assert part.status == S.COMPLETED
    assert [e[2] for e in events(part)].count("shopper") == 2  # placed, confirmed: once
    assert status_emails() == emails


def test_receipt_confirmed_after_the_job_completed_the_part_is_harmless(app_ctx: Flask) -> None:
    """The timer came first while the shopper's page still showed the button: the guarded
    update finds no delivered row, and the shopper is told the part is completed."""
    shopper, part, _, _ = delivered_order()
    order_moves._move(part, S.COMPLETED, A.SYSTEM, note="Selesai otomatis setelah diterima.")
    set_committed_value(part, "status", S.DELIVERED)  # the stale copy the shopper acted on
    assert order_moves.confirm_receipt(shopper, part.order.number, part.id) is False
    assert events(part)[-1] == ("delivered", "completed", "system")


@pytest.mark.parametrize("status", [S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.READY_FOR_PICKUP])
def test_receipt_cannot_be_confirmed_before_the_handover(app_ctx: Flask, status: S) -> None:
    shopper, part, member, _ = setup_order()
    if status != S.AWAITING_PAYMENT:
        order_moves.mark_vendor_order_paid(part)
    if status in (S.ACCEPTED, S.READY_FOR_PICKUP):
        order_moves.accept_vendor_order(member, part.id)
    if status == S.READY_FOR_PICKUP:
        order_moves.mark_ready_for_pickup(member, part.id)
    before = events(part)
    with pytest.raises(ReceiptNotDue) as error:
        order_moves.confirm_receipt(shopper, part.order.number, part.id)
    assert error.value.message == (
        "Penerimaan hanya dapat dikonfirmasi setelah koperasi menyerahkan pesanan kepada Anda."
    )
    assert (part.status, events(part)) == (status, before)


def test_a_cancelled_part_cannot_be_confirmed_received(app_ctx: Flask) -> None:
    shopper, part, _, _ = setup_order()
    order_moves.cancel_by_shopper(shopper, part.order.number, part.id)
    with pytest.raises(ReceiptNotDue):
        order_moves.confirm_receipt(shopper, part.order.number, part.id)
    assert part.status == S.CANCELLED


def test_only_the_shopper_of_the_order_can_confirm_receipt(app_ctx: Flask) -> None:
    _, part, member, _ = delivered_order()
    for stranger in (UserFactory(), member):
        with pytest.raises(NotFound):
            order_moves.confirm_receipt(stranger, part.order.number, part.id)
    assert part.status == S.DELIVERED
