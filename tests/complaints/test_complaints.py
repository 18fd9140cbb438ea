"""Complaints and returns: the window, who may complain, each move of the machine, the money
back through the ledger, the goods back into stock, the job, and who is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.catalogue.models import Product, ProductVariant
from marketplace.complaints import escalation, money, queries, services
from marketplace.complaints.exceptions import ComplaintMoveRefused, ComplaintProblem
from marketplace.complaints.machine import MACHINE
from marketplace.complaints.models import Complaint, ComplaintStatus, Resolution
from marketplace.database import as_utc
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inventory.models import StockMovement
from marketplace.notifications.models import Notification, NotificationKind
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind, EventKind, PaymentMethod, VendorOrderEvent
from marketplace.payments import refunds, settlement
from marketplace.payments.exceptions import PaymentError
from marketplace.payments.models import EntryKind, Refund, RefundMethod, RefundStatus
from marketplace.payments.settings import commission_on, commission_rate
from tests.complaints.filing import Delivered, delivered, ledger, settings, signed_sum
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.payments.paying import image_bytes

C = ComplaintStatus


def complain(bought: Delivered, quantity: int = 2, **kwargs: object) -> Complaint:
    values: dict[str, object] = {
        "reason": "damaged",
        "message": "Dua bungkus sobek.",
        "quantities": {bought.line_id: quantity},
    }
    values.update(kwargs)
    return services.open_complaint(
        bought.shopper,
        bought.number,
        bought.part_id,
        **values,  # type: ignore[arg-type]
    )


def notices(user_id: int, kind: NotificationKind) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        )
    )


# The window ---------------------------------------------------------------------------------


def test_a_complaint_may_be_opened_until_the_window_ends_and_not_at_its_end(
    app_ctx: Flask, clock: ModuleType
) -> None:
    early, late = delivered(), delivered()
    days = app_ctx.config["ORDER_COMPLAINT_DAYS"]
    clock.advance(timedelta(days=days) - timedelta(seconds=1))
    assert queries.can_complain(early.part)
    complaint = complain(early)
    assert complaint.state == C.OPEN

    clock.advance(timedelta(seconds=1))
    assert not queries.can_complain(late.part)
    with pytest.raises(ComplaintProblem, match="Batas waktu komplain"):
        complain(late)
    assert queries.complaint_of_part(late.part_id) is None


def test_a_completed_part_may_still_get_a_complaint_inside_the_window(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()
    assert order_moves.confirm_receipt(bought.shopper, bought.number, bought.part_id)
    clock.advance(timedelta(days=1))
    assert complain(bought).state == C.OPEN


def test_a_part_not_handed_over_cannot_get_a_complaint(app_ctx: Flask, clock: ModuleType) -> None:
    from tests.shopping import place, stocked_variant

    shopper = UserFactory()
    order = place(shopper, (stocked_variant(5), 1))
    part = order.vendor_orders[0]
    with pytest.raises(ComplaintProblem, match="setelah pesanan diterima"):
        services.open_complaint(
            shopper,
            order.number or "",
            part.id,
            reason="damaged",
            message="x",
            quantities={part.lines[0].id: 1},
        )


def test_foreign_and_missing_parts_and_lines_are_not_found(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought, other = delivered(), delivered()
    stranger = UserFactory()
    with pytest.raises(NotFound):
        services.open_complaint(
            stranger,
            bought.number,
            bought.part_id,
            reason="damaged",
            message="x",
            quantities={bought.line_id: 1},
        )
    with pytest.raises(NotFound):  # another order's part under this order's number
        services.open_complaint(
            bought.shopper,
            bought.number,
            other.part_id,
            reason="damaged",
            message="x",
            quantities={other.line_id: 1},
        )
    with pytest.raises(NotFound):  # a line of another part
        complain(bought, quantities={other.line_id: 1})
    with pytest.raises(NotFound):
        queries.shopper_complaint(bought.shopper, bought.number, 999_999)
    complaint = complain(bought)
    with pytest.raises(NotFound):
        queries.shopper_complaint(stranger, bought.number, bought.part_id)
    with pytest.raises(NotFound):
        queries.cooperative_complaint(other.cooperative_id, complaint.id)
    with pytest.raises(NotFound):
        queries.admin_complaint(bought.member, complaint.id)


def test_bad_input_is_refused_and_changes_nothing(app_ctx: Flask, clock: ModuleType) -> None:
    bought = delivered(quantity=3)
    for kwargs, message in (
        ({"quantities": {bought.line_id: 4}}, "antara 1 dan 3"),
        ({"quantities": {bought.line_id: -1}}, "antara 1 dan 3"),
        ({"quantities": {}}, "Pilih barang"),
        ({"reason": "bored"}, "Pilih alasan"),
        ({"message": "   "}, "Ceritakan"),
        ({"photos": [image_bytes()] * 4}, "Paling banyak 3"),
        ({"photos": [b"not an image"]}, "Jenis berkas"),
    ):
        with pytest.raises(DomainError, match=message):
            complain(bought, **kwargs)
    assert queries.complaint_of_part(bought.part_id) is None


def test_one_complaint_per_part(app_ctx: Flask, clock: ModuleType) -> None:
    bought = delivered()
    complain(bought)
    with pytest.raises(ComplaintProblem, match="sudah memiliki komplain"):
        complain(bought)


def test_photos_are_checked_and_kept_private(app_ctx: Flask, clock: ModuleType) -> None:
    bought = delivered()
    complaint = complain(bought, photos=[image_bytes(), image_bytes("JPEG")])
    assert [photo.content_type for photo in complaint.photos] == ["image/png", "image/jpeg"]
    assert all(photo.storage_key.startswith("private/") for photo in complaint.photos)
    data, content_type = queries.photo_of(complaint, complaint.photos[0].id)
    assert content_type == "image/png" and data.startswith(b"\x89PNG")
    with pytest.raises(NotFound):
        queries.photo_of(complaint, complaint.photos[0].id + 1000)


# The cooperative's window -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # Mojokerto times (UTC+7): Friday 10:00 → Tuesday 10:00; Saturday → Tuesday; Monday →
        # Wednesday; Thursday 23:30 → Monday 23:30.
        (datetime(2026, 12, 4, 3, 0, tzinfo=UTC), datetime(2026, 12, 8, 3, 0, tzinfo=UTC)),
        (datetime(2026, 12, 5, 3, 0, tzinfo=UTC), datetime(2026, 12, 8, 3, 0, tzinfo=UTC)),
        (datetime(2026, 12, 7, 3, 0, tzinfo=UTC), datetime(2026, 12, 9, 3, 0, tzinfo=UTC)),
        (datetime(2026, 12, 3, 16, 30, tzinfo=UTC), datetime(2026, 12, 7, 16, 30, tzinfo=UTC)),
    ],
)
def test_the_answer_is_due_in_two_working_days(app: Flask, opened: datetime, due: datetime) -> None:
    with app.app_context():
        assert queries.answer_due(opened) == due


def test_the_job_escalates_an_unanswered_complaint_only_after_its_deadline(
    app_ctx: Flask, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    bought = delivered()  # Tuesday 1 December 2026
    complaint = complain(bought)
    assert as_utc(complaint.answer_due_at) == datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert escalation.lapsed_ids() == []
    assert not escalation.escalate_one(complaint.id)

    clock.advance(timedelta(seconds=1))
    assert escalation.lapsed_ids() == [complaint.id]
    assert escalation.escalate_one(complaint.id)
    assert not escalation.escalate_one(complaint.id)  # a second run changes nothing
    db.session.refresh(complaint)
    assert (complaint.state, complaint.escalated_by) == (C.ESCALATED, "system")
    assert notices(admin.id, NotificationKind.COMPLAINT_ESCALATED)
    assert notices(bought.shopper.id, NotificationKind.COMPLAINT_ESCALATED)
    assert notices(bought.member.id, NotificationKind.COMPLAINT_ESCALATED)


def test_the_periodic_task_escalates_each_lapsed_complaint_once(
    app_ctx: Flask, clock: ModuleType
) -> None:
    lapsed, answered = complain(delivered()), complain(bought := delivered())
    services.reject(bought.member, bought.cooperative_id, answered.id, "Tidak.")
    clock.advance(timedelta(days=2))
    assert escalation.escalate_lapsed() == 1
    assert escalation.escalate_lapsed() == 0
    db.session.expire_all()
    assert (lapsed.status, answered.status) == ("escalated", "rejected")


def test_the_periodic_task_is_registered() -> None:
    from marketplace.jobs import periodic_tasks

    task = next(task for task in periodic_tasks() if task.name == "complaints.escalate")
    assert task.function == "marketplace.complaints.escalation:escalate_lapsed"


# The machine --------------------------------------------------------------------------------


def test_the_table_allows_exactly_these_moves() -> None:
    allowed = {(t.source, t.target, actor) for t in MACHINE for actor in (t.actors or frozenset())}
    S, K, A, Y = ActorKind.SHOPPER, ActorKind.COOPERATIVE, ActorKind.CITY_ADMIN, ActorKind.SYSTEM
    expected = {
        (C.OPEN, C.REFUND_ACCEPTED, K),
        (C.OPEN, C.REPLACEMENT_ACCEPTED, K),
        (C.OPEN, C.RETURN_REQUESTED, K),
        (C.OPEN, C.REJECTED, K),
        (C.RETURN_REQUESTED, C.RETURN_SHIPPED, S),
        (C.RETURN_SHIPPED, C.REFUND_ACCEPTED, K),
        (C.REJECTED, C.CLOSED, S),
        (C.REPLACEMENT_ACCEPTED, C.CLOSED, S),
        (C.OPEN, C.ESCALATED, Y),
        (C.ESCALATED, C.RESOLVED, A),
    }
    for source in (C.OPEN, C.REJECTED, C.RETURN_REQUESTED, C.RETURN_SHIPPED):
        expected |= {(source, C.ESCALATED, S), (source, C.ESCALATED, K)}
    expected |= {(C.REPLACEMENT_ACCEPTED, C.ESCALATED, S), (C.REPLACEMENT_ACCEPTED, C.ESCALATED, K)}
    assert allowed == expected
    for terminal in (C.REFUND_ACCEPTED, C.RESOLVED, C.CLOSED):
        assert not any(t.source == terminal for t in MACHINE)


def test_a_rejection_needs_a_reason_then_the_shopper_asks_the_city_which_decides_once(
    app_ctx: Flask, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    bought = delivered()
    complaint = complain(bought)
    with pytest.raises(ComplaintProblem, match="alasan"):
        services.reject(bought.member, bought.cooperative_id, complaint.id, " ")
    services.reject(bought.member, bought.cooperative_id, complaint.id, "Foto tidak jelas.")
    assert complaint.state == C.REJECTED
    # A rejected complaint cannot be accepted any more.
    with pytest.raises(ComplaintMoveRefused):
        services.accept_replacement(bought.member, bought.cooperative_id, complaint.id)
    with pytest.raises(ComplaintProblem, match="Admin Kota"):
        escalation.escalate_as_shopper(bought.shopper, bought.number, bought.part_id, "")
    escalation.escalate_as_shopper(bought.shopper, bought.number, bought.part_id, "Tolong cek.")
    assert (complaint.state, complaint.escalated_by) == (C.ESCALATED, "shopper")
    assert complaint in queries.escalated_complaints()

    with pytest.raises(ComplaintProblem, match="paling banyak"):
        escalation.decide(admin, complaint.id, refund_amount=20_001, reason="Terlalu banyak")
    with pytest.raises(ComplaintProblem, match="alasan"):
        escalation.decide(admin, complaint.id, refund_amount=0, reason="")
    with pytest.raises(NotFound):
        escalation.decide(bought.member, complaint.id, refund_amount=0, reason="x")
    escalation.decide(admin, complaint.id, refund_amount=0, reason="Barang sesuai foto toko.")
    assert (complaint.state, complaint.resolution, complaint.decided_by) == (
        C.RESOLVED,
        Resolution.REJECTED,
        admin.id,
    )
    assert complaint.decision_reason == "Barang sesuai foto toko."
    with pytest.raises(ComplaintMoveRefused):  # final
        escalation.decide(admin, complaint.id, refund_amount=10_000, reason="Berubah pikiran")
    assert queries.refund_of(complaint) is None


def test_a_replacement_is_closed_by_the_shopper_and_a_closed_complaint_moves_no_more(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()
    complaint = complain(bought)
    services.accept_replacement(bought.member, bought.cooperative_id, complaint.id, "Besok.")
    assert (complaint.state, complaint.resolution) == (C.REPLACEMENT_ACCEPTED, "replacement")
    services.close_by_shopper(bought.shopper, bought.number, bought.part_id)
    assert complaint.state == C.CLOSED and complaint.closed_at is not None
    with pytest.raises(ComplaintMoveRefused):
        escalation.escalate_as_shopper(bought.shopper, bought.number, bought.part_id, "lagi")
    with pytest.raises(ComplaintMoveRefused):
        services.close_by_shopper(bought.shopper, bought.number, bought.part_id)


def test_a_replacement_takes_the_goods_off_the_cooperative_s_stock_and_not_off_terjual(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()  # 20 stocked, 3 sold
    complaint = complain(bought, quantity=2)
    variant = db.session.get(ProductVariant, bought.variant_id)
    product = db.session.get(Product, bought.product_id)
    assert variant is not None and product is not None
    sold_before, on_hand_before = product.sold_count, variant.on_hand
    services.accept_replacement(bought.member, bought.cooperative_id, complaint.id, "")
    db.session.refresh(variant)
    db.session.refresh(product)
    assert variant.on_hand == on_hand_before - 2
    assert product.sold_count == sold_before
    movement = db.session.scalars(
        select(StockMovement)
        .where(StockMovement.variant_id == variant.id)
        .order_by(StockMovement.id.desc())
    ).first()
    assert movement is not None
    assert (movement.reason, movement.quantity, movement.actor_id) == (
        "replacement",
        -2,
        bought.member.id,
    )
    assert bought.number in movement.note


def test_a_replacement_without_the_stock_for_it_is_refused_and_changes_nothing(
    app_ctx: Flask, clock: ModuleType
) -> None:
    from marketplace.inventory import stock
    from marketplace.inventory.exceptions import InsufficientStock
    from marketplace.inventory.models import MovementReason

    bought = delivered()
    complaint = complain(bought, quantity=2)
    variant = db.session.get(ProductVariant, bought.variant_id)
    assert variant is not None
    stock.remove(variant.id, variant.available - 1, reason=MovementReason.LOSS)
    movements = db.session.scalars(select(StockMovement.id)).all()
    with pytest.raises(InsufficientStock, match=r"tersedia 1\)"):
        services.accept_replacement(bought.member, bought.cooperative_id, complaint.id, "")
    db.session.refresh(variant)
    assert variant.available == 1
    assert db.session.scalars(select(StockMovement.id)).all() == movements
    assert complaint.state == C.OPEN


def test_an_open_complaint_cannot_be_closed_by_the_shopper_nor_shipped_back(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()
    complain(bought)
    with pytest.raises(ComplaintMoveRefused):
        services.close_by_shopper(bought.shopper, bought.number, bought.part_id)
    with pytest.raises(ComplaintMoveRefused):
        services.record_return_shipment(bought.shopper, bought.number, bought.part_id, "JNE", "1")


def test_every_step_is_on_the_part_s_timeline_and_in_the_audit_log(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()
    complaint = complain(bought)
    services.reject(bought.member, bought.cooperative_id, complaint.id, "Tidak terbukti.")
    escalation.escalate_as_cooperative(
        bought.member, bought.cooperative_id, complaint.id, "Mohon diputuskan."
    )
    steps = db.session.scalars(
        select(VendorOrderEvent).where(
            VendorOrderEvent.vendor_order_id == bought.part_id,
            VendorOrderEvent.kind == EventKind.COMPLAINT,
        )
    ).all()
    assert [(step.actor_kind, step.title) for step in steps] == [
        ("shopper", "Komplain"),
        ("cooperative", "Komplain"),
        ("cooperative", "Komplain"),
    ]
    assert "Tidak terbukti." in steps[1].note and "Mohon diputuskan." in steps[2].note
    assert queries.timeline(complaint) == steps
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.cooperative_id == bought.cooperative_id)
    ).all()
    assert {"complaint.opened", "complaint.rejected", "complaint.escalated"} <= set(actions)


# Money ----------------------------------------------------------------------------------------


def test_a_partial_refund_per_line_is_checked_against_what_was_paid(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered(quantity=3, price=10_000)
    complaint = complain(bought, quantity=2)
    for amounts in ({bought.line_id: 20_001}, {bought.line_id: 0}, {bought.line_id: -5}):
        with pytest.raises(ComplaintProblem):
            services.accept_refund(bought.member, bought.cooperative_id, complaint.id, amounts)
    with pytest.raises(NotFound):
        services.accept_refund(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id + 999: 1}
        )
    assert complaint.state == C.OPEN and queries.refund_of(complaint) is None

    services.accept_refund(
        bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 15_000}
    )
    assert (complaint.state, complaint.refund_amount) == (C.REFUND_ACCEPTED, 15_000)
    assert complaint.lines[0].refund_amount == 15_000


def test_a_refund_of_money_the_platform_holds_reverses_the_ledger_exactly(
    app_ctx: Flask, clock: ModuleType
) -> None:
    """Paid to the platform: the city returns the money by transfer; the ledger gets the
    refund out and the commission on the refunded goods back, and what stays charged is the
    commission the kept goods would have had."""
    admin = UserFactory(is_city_admin=True)
    with settings(app_ctx, PLATFORM_COMMISSION_PERCENT="2.5", PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered(quantity=3, price=12_345)
        complaint = complain(bought, quantity=2)
        services.accept_refund(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 12_345 + 6_000}
        )
        refund = queries.refund_of(complaint)
        assert refund is not None
        assert (refund.method, refund.reason, refund.amount, refund.status) == (
            RefundMethod.TRANSFER,
            "complaint",
            18_345,
            RefundStatus.PENDING,
        )
        assert refund.idempotency_key == f"opop-refund-c{complaint.id}"
        refunds.mark_returned(admin, refund.id, "BCA-REF-1")

    part = bought.part
    rate = commission_rate("2.5")
    charged = commission_on(37_035, rate)
    back = charged - commission_on(37_035 - 18_345, rate)
    assert ledger(bought.cooperative_id) == [
        (EntryKind.EARNING, part.total),
        (EntryKind.COMMISSION, charged),
        (EntryKind.REFUND, 18_345),
        (EntryKind.COMMISSION_REVERSAL, back),
    ]
    assert charged - back == commission_on(37_035 - 18_345, rate)
    assert settlement.balance(bought.cooperative_id) == signed_sum(bought.cooperative_id)
    assert settlement.balance(bought.cooperative_id) == part.total - 18_345 - (charged - back)
    # The part itself stays delivered: only the money moved.
    assert part.status == "delivered"


def test_money_the_cooperative_collected_is_refunded_by_it_with_a_proof_the_shopper_confirms(
    app_ctx: Flask, clock: ModuleType
) -> None:
    with settings(app_ctx, PLATFORM_COMMISSION_PERCENT="10"):
        bought = delivered(quantity=3, price=10_000, payment=PaymentMethod.PAY_AT_PICKUP)
        before = ledger(bought.cooperative_id)
        complaint = complain(bought, quantity=1)
        services.accept_refund(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 10_000}
        )
        refund = queries.refund_of(complaint)
        assert refund is not None and refund.method == RefundMethod.COOPERATIVE
        with pytest.raises(ComplaintProblem, match="menunggu konfirmasi"):
            money.confirm_cooperative_refund(bought.shopper, bought.number, bought.part_id)
        money.record_cooperative_refund(
            bought.member, bought.cooperative_id, complaint.id, image_bytes()
        )
        assert complaint.refund_proof_key and complaint.refund_proof_key.startswith("private/")
        assert notices(bought.shopper.id, NotificationKind.COMPLAINT_ANSWERED)
        money.confirm_cooperative_refund(bought.shopper, bought.number, bought.part_id)
        with pytest.raises(ComplaintProblem):
            money.confirm_cooperative_refund(bought.shopper, bought.number, bought.part_id)

    db.session.refresh(refund)
    assert refund.status == RefundStatus.SUCCEEDED
    # The money never passed through the platform: no refund entry, only the commission back.
    assert ledger(bought.cooperative_id) == [
        *before,
        (EntryKind.COMMISSION_REVERSAL, 3_000 - 2_000),
    ]
    assert settlement.balance(bought.cooperative_id) == signed_sum(bought.cooperative_id) == -2_000


def test_a_complaint_refund_beside_another_refund_of_the_same_payment_and_part(
    app_ctx: Flask, clock: ModuleType
) -> None:
    """The payment-and-part uniqueness is for cancellation refunds; a complaint's is apart."""
    bought = delivered()
    other = refunds.refund_allocation(None, bought.part, 1_000, refunds.RefundReason.DUPLICATE)
    complaint = complain(bought, quantity=1)
    services.accept_refund(
        bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 500}
    )
    found = db.session.scalars(
        select(Refund).where(Refund.vendor_order_id == bought.part_id).order_by(Refund.id)
    ).all()
    assert other is not None
    assert [(r.id == other.id, r.complaint_id) for r in found] == [
        (True, None),
        (False, complaint.id),
    ]
    # Asking again returns the same refund.
    again = refunds.refund_allocation(
        None, bought.part, 500, refunds.RefundReason.COMPLAINT, complaint_id=complaint.id
    )
    assert again is not None and again.id == found[-1].id


def test_a_refund_request_by_a_wrong_party_changes_nothing(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered(payment=PaymentMethod.PAY_AT_PICKUP)
    other = delivered()
    complaint = complain(bought, quantity=1)
    services.accept_refund(bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 1})
    with pytest.raises(NotFound):
        money.record_cooperative_refund(
            other.member, other.cooperative_id, complaint.id, image_bytes()
        )
    with pytest.raises(NotFound):
        money.confirm_cooperative_refund(other.shopper, bought.number, bought.part_id)
    refund = queries.refund_of(complaint)
    assert refund is not None and refund.status == RefundStatus.PENDING


# Goods back -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sellable", [True, False])
def test_returned_goods_go_back_into_stock_only_when_sellable_and_leave_terjual(
    app_ctx: Flask, clock: ModuleType, sellable: bool
) -> None:
    with settings(app_ctx, PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered(quantity=3)
        variant = db.session.get(ProductVariant, bought.variant_id)
        product = db.session.get(Product, bought.product_id)
        assert variant is not None and product is not None
        on_hand, sold = variant.on_hand, product.sold_count
        assert sold == 3
        complaint = complain(bought, quantity=2)
        services.request_return(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 20_000}
        )
        assert complaint.state == C.RETURN_REQUESTED and queries.refund_of(complaint) is None
        with pytest.raises(ComplaintProblem, match="resi"):
            services.record_return_shipment(
                bought.shopper, bought.number, bought.part_id, "JNE", ""
            )
        with pytest.raises(ComplaintMoveRefused):  # not shipped yet
            services.confirm_return_received(
                bought.member, bought.cooperative_id, complaint.id, sellable=sellable
            )
        services.record_return_shipment(
            bought.shopper, bought.number, bought.part_id, "JNE", "JNE123"
        )
        assert (complaint.return_courier, complaint.return_tracking_number) == ("JNE", "JNE123")
        assert notices(bought.member.id, NotificationKind.COMPLAINT_ANSWERED)
        services.confirm_return_received(
            bought.member, bought.cooperative_id, complaint.id, sellable=sellable
        )

    db.session.refresh(variant)
    db.session.refresh(product)
    assert complaint.state == C.REFUND_ACCEPTED and complaint.return_sellable is sellable
    assert variant.on_hand == on_hand + (2 if sellable else 0)
    assert product.sold_count == 1
    returns = db.session.scalars(
        select(StockMovement.quantity).where(
            StockMovement.variant_id == variant.id, StockMovement.reason == "return"
        )
    ).all()
    assert returns == ([2] if sellable else [])
    refund = queries.refund_of(complaint)
    assert refund is not None and refund.amount == 20_000


def test_ledger_balance_is_the_sum_of_entries_after_a_return_and_its_refund(
    app_ctx: Flask, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    with settings(app_ctx, PLATFORM_COMMISSION_PERCENT="3", PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered(quantity=3, price=9_999)
        complaint = complain(bought, quantity=3)
        services.request_return(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 29_997}
        )
        services.record_return_shipment(bought.shopper, bought.number, bought.part_id, "J&T", "9")
        services.confirm_return_received(
            bought.member, bought.cooperative_id, complaint.id, sellable=True
        )
        refund = queries.refund_of(complaint)
        assert refund is not None
        refunds.mark_returned(admin, refund.id, "REF-9")
    # Everything came back: the cooperative keeps the delivery fee only, without commission.
    part = bought.part
    assert settlement.balance(bought.cooperative_id) == signed_sum(bought.cooperative_id)
    assert settlement.balance(bought.cooperative_id) == part.delivery_fee


def test_the_city_s_refund_is_spread_over_the_lines_and_paid_back(
    app_ctx: Flask, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    bought = delivered(quantity=3)
    complaint = complain(bought, quantity=2)
    escalation.escalate_as_cooperative(bought.member, bought.cooperative_id, complaint.id, "Ragu.")
    escalation.decide(admin, complaint.id, refund_amount=7_000, reason="Sebagian rusak.")
    assert (complaint.state, complaint.resolution, complaint.refund_amount) == (
        C.RESOLVED,
        Resolution.REFUND,
        7_000,
    )
    assert complaint.lines[0].refund_amount == 7_000
    refund = queries.refund_of(complaint)
    assert refund is not None and refund.amount == 7_000
    assert notices(bought.shopper.id, NotificationKind.COMPLAINT_ANSWERED)
    assert notices(bought.member.id, NotificationKind.COMPLAINT_ANSWERED)


# Who is told ------------------------------------------------------------------------------------


def test_the_cooperative_s_members_are_told_of_a_new_complaint_and_it_counts_as_waiting(
    app_ctx: Flask, clock: ModuleType
) -> None:
    bought = delivered()
    colleague = CooperativeMemberFactory(cooperative=bought.part.cooperative).user
    assert queries.waiting_count(bought.cooperative_id) == 0
    complaint = complain(bought)
    for member in (bought.member, colleague):
        [notice] = notices(member.id, NotificationKind.COMPLAINT_OPENED)
        assert bought.number in notice.message
        assert notice.link == f"/vendor/complaints/{complaint.id}"
    assert queries.waiting_count(bought.cooperative_id) == 1
    assert queries.cooperative_complaints(bought.cooperative_id, waiting=True) == [complaint]
    services.reject(bought.member, bought.cooperative_id, complaint.id, "Tidak.")
    assert queries.waiting_count(bought.cooperative_id) == 0
    [told] = notices(bought.shopper.id, NotificationKind.COMPLAINT_ANSWERED)
    assert told.link == f"/orders/{bought.number}/complaint/{bought.part_id}"


def test_payment_errors_from_a_second_completion_are_the_refund_machine_s(
    app_ctx: Flask, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    with settings(app_ctx, PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered()
        complaint = complain(bought, quantity=1)
        services.accept_refund(
            bought.member, bought.cooperative_id, complaint.id, {bought.line_id: 100}
        )
        refund = queries.refund_of(complaint)
        assert refund is not None and refund.method == RefundMethod.TRANSFER
        refunds.mark_returned(admin, refund.id, "R1")
        with pytest.raises(PaymentError):
            refunds.mark_returned(admin, refund.id, "R2")
    assert [kind for kind, _amount in ledger(bought.cooperative_id)].count(EntryKind.REFUND) == 1


# The money the cooperative may be paid -------------------------------------------------------


def test_a_part_s_money_is_available_at_the_later_of_completion_and_the_window_s_end(
    app_ctx: Flask, clock: ModuleType
) -> None:

    with settings(app_ctx, PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered(quantity=1, price=10_000)
        cooperative_id = bought.cooperative_id
        assert settlement.balance(cooperative_id) == 10_000
        assert settlement.available(cooperative_id) == 0  # delivered, not completed
        order_moves.confirm_receipt(bought.shopper, bought.number, bought.part_id)
        assert settlement.available(cooperative_id) == 0  # completed, inside the window
        clock.advance(timedelta(days=3) - timedelta(seconds=1))
        assert settlement.available(cooperative_id) == 0
        clock.advance(timedelta(seconds=1))
        assert settlement.available(cooperative_id) == 10_000


def test_an_open_complaint_and_its_refund_on_the_way_hold_the_part_s_money(
    app_ctx: Flask, clock: ModuleType
) -> None:

    admin = UserFactory(is_city_admin=True)
    with settings(app_ctx, PAYMENT_TRANSFER_ACCOUNT="platform"):
        bought = delivered(quantity=2, price=10_000)
        cooperative_id = bought.cooperative_id
        order_moves.confirm_receipt(bought.shopper, bought.number, bought.part_id)
        complaint = complain(bought, quantity=1)
        clock.advance(timedelta(days=4))
        assert settlement.available(cooperative_id) == 0  # the window is over, the complaint open
        escalation.escalate_as_shopper(bought.shopper, bought.number, bought.part_id, "Tolong.")
        assert settlement.available(cooperative_id) == 0
        escalation.decide(admin, complaint.id, refund_amount=4_000, reason="Sebagian.")
        assert settlement.available(cooperative_id) == 0  # the refund is on its way
        refund = queries.refund_of(complaint)
        assert refund is not None
        refunds.mark_returned(admin, refund.id, "TRF-4")
        assert settlement.available(cooperative_id) == 20_000 - 4_000
        assert settlement.balance(cooperative_id) == signed_sum(cooperative_id) == 16_000
