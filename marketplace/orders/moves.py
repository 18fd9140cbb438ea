"""The life of an order: every status move of a vendor order, by whoever makes it.

`accept_vendor_order` … `mark_delivered` are the cooperative's moves, `cancel_by_shopper` and
`confirm_receipt` the shopper's, `cancel_by_admin` a city administrator's,
`mark_vendor_order_paid` / `mark_order_paid` / `refund_vendor_order` the payment service's,
`expire_vendor_order` / `complete_vendor_order` the system's (the periodic jobs). Every move
goes through `_move`, which checks `lifecycle.TRANSITIONS`, changes the status with a guarded
UPDATE (`marketplace.transitions.guarded_move`), records the event, releases or sells the stock,
sends `signals.vendor_order_moved` (the payments capability refunds and settles on it), and
queues the emails (`marketplace.orders.notices`): the shopper's (unless a receiver wrote one
itself), the cooperative's "new order" when a part is paid, and its notice when someone else
cancels a part it had been told about.

`note_proof_sent` / `note_proof_rejected` put a transfer proof's review on the part's timeline
without moving its status (the payments capability calls them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.models import CooperativeMember
from marketplace.database import as_utc
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.orders import couriers
from marketplace.orders.exceptions import (
    InvalidTransition,
    MissingDetail,
    ReceiptNotDue,
    UnusualTrackingNumber,
)
from marketplace.orders.lifecycle import (
    HOLDS_STOCK,
    MACHINE,
    find_transition,
    pays_at_pickup,
)
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    EventKind,
    Order,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.orders.notices import (
    in_default_language,
    queue_cooperative_email,
    queue_status_email,
    tell_cooperative_cancelled,
)
from marketplace.orders.signals import vendor_order_moved
from marketplace.transitions import guarded_move, guarded_update

S = VendorOrderStatus


def _cooperative_was_told(vendor_order: VendorOrder, source: VendorOrderStatus) -> bool:
    """Whether the cooperative heard of this part before it left ``source``: it was paid (or is
    paid at pickup), or a transfer proof for it was waiting for the cooperative's check."""
    return (
        source != S.AWAITING_PAYMENT
        or pays_at_pickup(vendor_order)
        or vendor_order.proof_under_review is not None
    )


# ------------------------------------------------------------------------------------------
# Moving a vendor order
# ------------------------------------------------------------------------------------------


def _quantities(vendor_order: VendorOrder) -> dict[int, int]:
    return stock.quantities_of((line.variant_id, line.quantity) for line in vendor_order.lines)


def _move(
    vendor_order: VendorOrder,
    target: VendorOrderStatus,
    actor: ActorKind,
    *,
    actor_id: int | None = None,
    note: str = "",
    values: dict[str, Any] | None = None,
) -> VendorOrderEvent:
    """Apply one transition of the status machine (see the module docstring)."""
    find_transition(vendor_order, target, actor)
    source = vendor_order.state
    # Read before the move: whether a transfer proof was waiting is on the part's timeline.
    cooperative_knew = _cooperative_was_told(vendor_order, source)
    now = clock.now()
    guarded_move(
        MACHINE, vendor_order, target, source=source, values={"updated_at": now, **(values or {})}
    )
    event = VendorOrderEvent(
        vendor_order_id=vendor_order.id,
        from_status=source,
        to_status=target,
        actor_kind=actor,
        actor_id=actor_id,
        note=note[:2000],
        created_at=now,
    )
    db.session.add(event)
    if target == S.CANCELLED and source in HOLDS_STOCK:
        stock.release(_quantities(vendor_order))
    elif target == S.DELIVERED:
        stock.sell(
            _quantities(vendor_order), note=vendor_order.order.number or "", actor_id=actor_id
        )
    audit.record(
        f"vendor_order.{target}",
        vendor_order,
        actor_id=actor_id,
        cooperative_id=vendor_order.cooperative_id,
        data={"from": str(source), "number": vendor_order.order.number},
    )
    db.session.flush()
    replies = vendor_order_moved.send(
        vendor_order, source=source, target=target, actor=actor, actor_id=actor_id, event=event
    )
    # One email per action: when a receiver wrote to the shopper about this move itself (the
    # payment's confirmation, a refund that says why), the status email would say it twice.
    if not any(told for _receiver, told in replies):
        queue_status_email(vendor_order, event)
    if target == S.PAID:
        queue_cooperative_email(vendor_order, "vendor_new_order")
    elif target == S.CANCELLED and actor != ActorKind.COOPERATIVE and cooperative_knew:
        # It may be packing the goods: someone else cancelled what it was told to prepare.
        tell_cooperative_cancelled(vendor_order, event)
    return event


# The payment service's moves -------------------------------------------------------------


def mark_vendor_order_paid(vendor_order: VendorOrder, *, reference: str = "") -> None:
    """The money for this part arrived (called by the payments capability, e.g. its webhook)."""
    _move(
        vendor_order,
        S.PAID,
        ActorKind.PAYMENT,
        note=reference,
        values={"paid_at": clock.now(), "payment_due_at": None},
    )


def mark_order_paid(order: Order, *, reference: str = "") -> None:
    """One payment for the whole order: every part still awaiting payment becomes paid."""
    for vendor_order in order.vendor_orders:
        if vendor_order.state == S.AWAITING_PAYMENT:
            mark_vendor_order_paid(vendor_order, reference=reference)


def refund_vendor_order(vendor_order: VendorOrder, *, reference: str = "") -> None:
    """The money of a cancelled, paid part went back to the shopper."""
    _move(vendor_order, S.REFUNDED, ActorKind.PAYMENT, note=reference)


def note_proof_sent(
    vendor_order: VendorOrder,
    *,
    actor_id: int,
    review_until: datetime,
    reviewed_by_cooperative: bool,
) -> VendorOrderEvent:
    """A transfer proof for this unpaid part was sent (by the payments capability): the part
    stays open at least until ``review_until`` for the review, and its timeline says what it
    waits on, so the shopper is not told it will be cancelled while the proof is checked."""
    extend_payment_deadline(vendor_order, review_until)
    note = (
        "Menunggu konfirmasi koperasi."
        if reviewed_by_cooperative
        else "Menunggu konfirmasi Pasar OPOP."
    )
    return _add_step(
        vendor_order,
        EventKind.PROOF_SENT,
        ActorKind.SHOPPER,
        actor_id,
        in_default_language(note),
    )


def note_proof_rejected(
    vendor_order: VendorOrder, *, actor: ActorKind, actor_id: int, reason: str
) -> VendorOrderEvent:
    """The proof for this part was rejected with ``reason``: the part awaits payment again."""
    return _add_step(vendor_order, EventKind.PROOF_REJECTED, actor, actor_id, reason)


def note_complaint_step(
    vendor_order: VendorOrder, actor: ActorKind, actor_id: int | None, note: str
) -> VendorOrderEvent:
    """A step of a complaint about this part (the complaints capability calls this) on the
    part's timeline; the part's status stays as it is."""
    return _add_step(vendor_order, EventKind.COMPLAINT, actor, actor_id, note)


def _add_step(
    vendor_order: VendorOrder,
    kind: EventKind,
    actor: ActorKind,
    actor_id: int | None,
    note: str,
) -> VendorOrderEvent:
    """A timeline entry that is no move: the status stays as it is."""
    status = vendor_order.state
    event = VendorOrderEvent(
        vendor_order_id=vendor_order.id,
        kind=kind,
        from_status=status,
        to_status=status,
        actor_kind=actor,
        actor_id=actor_id,
        note=note[:2000],
        created_at=clock.now(),
    )
    db.session.add(event)
    db.session.flush()
    db.session.expire(vendor_order, ["events"])
    return event


def extend_payment_deadline(vendor_order: VendorOrder, until: datetime) -> bool:
    """Keep an unpaid part open at least until ``until`` (a transfer proof awaits review).

    Only ever moves the deadline later, and only while the part still awaits payment: a guarded
    update, so it never revives a part that expired meanwhile. True when it changed.
    """
    changed = guarded_update(
        vendor_order,
        VendorOrder.status == S.AWAITING_PAYMENT,
        VendorOrder.paid_at.is_(None),
        VendorOrder.payment_due_at.is_not(None),
        VendorOrder.payment_due_at < until,
        values={"payment_due_at": until},
    )
    db.session.expire(vendor_order, ["payment_due_at"])
    return changed


# The shopper's move ----------------------------------------------------------------------


def shopper_vendor_order(user: User, number: str, vendor_order_id: int) -> VendorOrder:
    """A part of one of the user's orders; anything else is not found."""
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .join(VendorOrder.order)
        .where(
            VendorOrder.id == vendor_order_id,
            Order.number == number,
            Order.user_id == user.id,
        )
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def cancel_by_shopper(user: User, number: str, vendor_order_id: int, reason: str = "") -> None:
    """The shopper cancels a part before the cooperative accepted it; its stock is released."""
    vendor_order = shopper_vendor_order(user, number, vendor_order_id)
    reason = reason.strip() or in_default_language("Dibatalkan oleh pembeli.")
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.SHOPPER,
        actor_id=user.id,
        note=reason,
        values={"cancel_reason": reason},
    )


#: The note of the shopper's confirmation, in the site's language when written.
RECEIVED_NOTE = "Pembeli mengonfirmasi pesanan sudah diterima."


def confirm_receipt(user: User, number: str, vendor_order_id: int) -> bool:
    """The shopper says the goods arrived ("Pesanan diterima"): the delivered part completes now
    rather than ORDER_AUTO_COMPLETE_DAYS after delivery. The settlement ledger is not touched:
    the part's earnings were posted at delivery, and completion posts nothing, whoever makes it.

    True when the part moved; False when it was already completed (a second press, another tab,
    or the periodic job first). A part not handed over yet raises `ReceiptNotDue`.
    """
    vendor_order = shopper_vendor_order(user, number, vendor_order_id)
    try:
        _move(
            vendor_order,
            S.COMPLETED,
            ActorKind.SHOPPER,
            actor_id=user.id,
            note=in_default_language(RECEIVED_NOTE),
        )
    except InvalidTransition:
        # Not the shopper's move from this status (the table says), or the part moved meanwhile
        # (the row is refreshed then): completed already is what the shopper asked for.
        if vendor_order.state == S.COMPLETED:
            return False
        raise ReceiptNotDue() from None
    return True


# A city administrator's move ---------------------------------------------------------------


def cancel_by_admin(admin: User, vendor_order_id: int, reason: str) -> VendorOrder:
    """A city administrator cancels a part that has not left the cooperative (for instance when
    it cannot deliver); its stock is released and, when it was paid, the payments capability
    refunds it."""
    if not admin.is_city_admin:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise MissingDetail(_("Tulis alasan pembatalan untuk pembeli dan koperasi."))
    vendor_order = db.session.get(VendorOrder, vendor_order_id)
    if vendor_order is None:
        raise NotFound()
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.CITY_ADMIN,
        actor_id=admin.id,
        note=reason,
        values={"cancel_reason": reason},
    )
    return vendor_order


# The cooperative's moves (its screens come with the vendor workspace) --------------------


def member_vendor_order(member: User, vendor_order_id: int) -> VendorOrder:
    """A vendor order of the member's own cooperative; any other is not found."""
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .join(
            CooperativeMember,
            CooperativeMember.cooperative_id == VendorOrder.cooperative_id,
        )
        .where(VendorOrder.id == vendor_order_id, CooperativeMember.user_id == member.id)
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def accept_vendor_order(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """The cooperative takes the order on (paid, or pay at pickup before payment)."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    _move(vendor_order, S.ACCEPTED, ActorKind.COOPERATIVE, actor_id=member.id, note=note)
    return vendor_order


def reject_vendor_order(member: User, vendor_order_id: int, reason: str) -> VendorOrder:
    """The cooperative declines before accepting: a cancellation with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise MissingDetail(_("Tulis alasan penolakan untuk pembeli."))
    vendor_order = member_vendor_order(member, vendor_order_id)
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=reason,
        values={"cancel_reason": reason},
    )
    return vendor_order


def mark_shipped(
    member: User,
    vendor_order_id: int,
    courier_name: str,
    tracking_number: str = "",
    resi_confirmed: bool = False,
) -> VendorOrder:
    """Sent out, by the cooperative's own courier (local delivery) or a courier service (its
    tracking number required; one unlike that courier's is accepted once confirmed)."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    courier_name = (courier_name or "").strip()
    tracking_number = (tracking_number or "").strip()
    if not courier_name:
        raise MissingDetail(_("Tulis nama kurir atau pengantar."))
    if vendor_order.delivery_method == DeliveryMethod.COURIER and not tracking_number:
        raise MissingDetail(_("Tulis nomor resi pengiriman."))
    courier = couriers.courier_named(courier_name)
    if (
        courier is not None
        and couriers.looks_unusual(courier, tracking_number)
        and not resi_confirmed
    ):
        raise UnusualTrackingNumber(
            _(
                "Nomor resi %(number)s tidak seperti nomor resi %(courier)s biasanya. "
                "Periksa lagi; bila sudah benar, centang \u201cNomor resi sudah benar\u201d "
                "lalu kirim lagi.",
                number=tracking_number,
                courier=courier.name,
            )
        )
    note = f"{courier_name} {tracking_number}".strip()
    _move(
        vendor_order,
        S.SHIPPED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values={"courier_name": courier_name[:60], "tracking_number": tracking_number[:80] or None},
    )
    return vendor_order


def mark_ready_for_pickup(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """Packed and waiting at the cooperative. Pay at pickup: collect within ORDER_PICKUP_DAYS."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    values: dict[str, Any] = {}
    if pays_at_pickup(vendor_order):
        days = current_app.config["ORDER_PICKUP_DAYS"]
        values["payment_due_at"] = clock.now() + timedelta(days=days)
    _move(
        vendor_order,
        S.READY_FOR_PICKUP,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values=values,
    )
    return vendor_order


def mark_delivered(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """Handed over. The reservation becomes a sale; pay at pickup is paid now."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    now = clock.now()
    values: dict[str, Any] = {"delivered_at": now}
    if vendor_order.paid_at is None and pays_at_pickup(vendor_order):
        values.update(paid_at=now, payment_due_at=None)
    _move(
        vendor_order,
        S.DELIVERED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values=values,
    )
    return vendor_order


# The system's moves: expiry and automatic completion -------------------------------------


def is_overdue(vendor_order: VendorOrder, now: datetime) -> bool:
    return (
        vendor_order.state in (S.AWAITING_PAYMENT, S.READY_FOR_PICKUP)
        and vendor_order.paid_at is None
        and vendor_order.payment_due_at is not None
        and as_utc(vendor_order.payment_due_at) <= now
    )


def auto_complete_at(vendor_order: VendorOrder) -> datetime | None:
    """When a delivered part completes by itself: ORDER_AUTO_COMPLETE_DAYS after delivery."""
    if vendor_order.delivered_at is None:
        return None
    days = current_app.config["ORDER_AUTO_COMPLETE_DAYS"]
    return as_utc(vendor_order.delivered_at) + timedelta(days=days)


def is_completable(vendor_order: VendorOrder, now: datetime) -> bool:
    due = auto_complete_at(vendor_order)
    return vendor_order.state == S.DELIVERED and due is not None and due <= now


def overdue_vendor_order_ids(limit: int = 500) -> list[int]:
    """Unpaid parts whose payment (or pickup) time has passed, oldest first."""
    return list(
        db.session.scalars(
            select(VendorOrder.id)
            .where(
                VendorOrder.status.in_([S.AWAITING_PAYMENT, S.READY_FOR_PICKUP]),
                VendorOrder.payment_due_at <= clock.now(),
                VendorOrder.paid_at.is_(None),
            )
            .order_by(VendorOrder.payment_due_at, VendorOrder.id)
            .limit(limit)
        )
    )


def completable_vendor_order_ids(limit: int = 500) -> list[int]:
    """Delivered parts older than ORDER_AUTO_COMPLETE_DAYS."""
    days = current_app.config["ORDER_AUTO_COMPLETE_DAYS"]
    return list(
        db.session.scalars(
            select(VendorOrder.id)
            .where(
                VendorOrder.status == S.DELIVERED,
                VendorOrder.delivered_at <= clock.now() - timedelta(days=days),
            )
            .order_by(VendorOrder.delivered_at, VendorOrder.id)
            .limit(limit)
        )
    )


def _system_move(
    vendor_order_id: int,
    target: VendorOrderStatus,
    check: Callable[[VendorOrder, datetime], bool],
    note: str,
) -> bool:
    """One system move if it is still due; False when it is not (or another run made it)."""
    vendor_order = db.session.get(VendorOrder, vendor_order_id, populate_existing=True)
    if vendor_order is None or not check(vendor_order, clock.now()):
        return False
    values = {"cancel_reason": note} if target == S.CANCELLED else {}
    try:
        with db.session.begin_nested():
            _move(vendor_order, target, ActorKind.SYSTEM, note=note, values=values)
    except InvalidTransition:
        return False
    return True


#: The system's notes, in the site's language when written (`in_default_language`).
EXPIRED_NOTE = "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat."
COMPLETED_NOTE = "Selesai otomatis setelah diterima."


def due_move(vendor_order: VendorOrder, now: datetime) -> tuple[VendorOrderStatus, str] | None:
    """The system's move that is due on this part now (expiry, completion) and the note it
    writes, or None. The periodic jobs write it; pages show it without writing."""
    if is_overdue(vendor_order, now):
        return S.CANCELLED, in_default_language(EXPIRED_NOTE)
    if is_completable(vendor_order, now):
        return S.COMPLETED, in_default_language(COMPLETED_NOTE)
    return None


def expire_vendor_order(vendor_order_id: int) -> bool:
    """Cancel an unpaid part whose time ran out and release its stock (idempotent)."""
    return _system_move(
        vendor_order_id,
        S.CANCELLED,
        is_overdue,
        in_default_language(EXPIRED_NOTE),
    )


def complete_vendor_order(vendor_order_id: int) -> bool:
    """Mark a long-delivered part completed (idempotent)."""
    return _system_move(
        vendor_order_id,
        S.COMPLETED,
        is_completable,
        in_default_language(COMPLETED_NOTE),
    )


def refresh_vendor_order(vendor_order: VendorOrder) -> bool:
    """Apply what is due on this part now (expiry, completion); True when it moved."""
    now = clock.now()
    if is_overdue(vendor_order, now):
        return expire_vendor_order(vendor_order.id)
    if is_completable(vendor_order, now):
        return complete_vendor_order(vendor_order.id)
    return False


def refresh_order(order: Order) -> None:
    """Apply what is due on this order now (expiry, completion): before acting on an order (a
    payment starting, a webhook), so nothing is done to a part whose time ran out."""
    for vendor_order in order.vendor_orders:
        refresh_vendor_order(vendor_order)


def order_to_act_on(user: User, number: str) -> Order:
    """One of the user's orders with what is due applied (expiry, completion), for a service
    about to act on it (a POST: a card payment starting, a transfer proof sent)."""
    order = db.session.scalar(select(Order).where(Order.number == number, Order.user_id == user.id))
    if order is None:
        raise NotFound()
    refresh_order(order)
    db.session.refresh(order)
    return order
