"""The city's payment desk: what waits for it, flags, and an order's payments."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import gateway_refunds, reconciliation, settlement
from marketplace.payments.exceptions import MissingReason
from marketplace.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundStatus,
)
from marketplace.payments.records import locked, log_event
from marketplace.payments.transfers import transfers_query

P = PaymentStatus


@dataclass
class Desk:
    waiting_transfers: list[Payment]
    flagged: list[Payment]
    refunds_to_return: list[Refund]
    failed_refunds: list[Refund]
    balances: list[tuple[Cooperative, int]]
    #: Payout refunds waiting for the shopper's bank account.
    awaiting_account: list[Refund] = field(default_factory=list)
    #: Differences the daily reconciliation with Xendit found, not yet resolved.
    open_differences: int = 0


def desk() -> Desk:
    """What the city's payment desk lists."""
    waiting = list(
        db.session.scalars(
            transfers_query().where(Payment.status == P.PENDING).order_by(Payment.id)
        )
    )
    flagged = list(
        db.session.scalars(
            select(Payment)
            .where(Payment.flag.is_not(None), Payment.flag_resolved_at.is_(None))
            .options(selectinload(Payment.order))
            .order_by(Payment.flagged_at, Payment.id)
        )
    )
    # The lists show each refund's order number and cooperative: loaded with them, not per row.
    with_order = (selectinload(Refund.order), selectinload(Refund.vendor_order))
    to_return = list(
        db.session.scalars(
            select(Refund)
            .where(Refund.status == RefundStatus.PENDING, Refund.method == RefundMethod.TRANSFER)
            .options(*with_order)
            .order_by(Refund.id)
        )
    )
    failed = list(
        db.session.scalars(
            select(Refund)
            .where(Refund.status == RefundStatus.FAILED)
            .options(*with_order)
            .order_by(Refund.id)
        )
    )
    return Desk(
        waiting,
        flagged,
        to_return,
        failed,
        settlement.balances(),
        gateway_refunds.refunds_awaiting_account(),
        reconciliation.open_difference_count(),
    )


def resolve_flag(admin: User, payment_id: int, note: str) -> Payment:
    """The city looked at a flagged payment and says what it did."""
    if not admin.is_city_admin:
        raise NotFound()
    note = (note or "").strip()
    if not note:
        raise MissingReason(_("Tulis apa yang sudah dilakukan."))
    payment = db.session.get(Payment, payment_id)
    if payment is None or not payment.is_flag_open:
        raise NotFound()
    payment = locked(payment)
    payment.flag_resolved_at = clock.now()
    payment.flag_resolved_by = admin.id
    payment.flag_resolution = note
    log_event(payment, "flag_resolved", note=note, actor_id=admin.id)
    audit.record(
        "payment.flag_resolved",
        payment,
        actor_id=admin.id,
        data={"flag": payment.flag, "note": note[:500]},
    )
    return payment


def admin_order(admin: User, number: str) -> Order:
    if not admin.is_city_admin:
        raise NotFound()
    order = db.session.scalar(
        select(Order)
        .where(or_(Order.number == number.strip(), Order.number == number.strip().upper()))
        .options(selectinload(Order.vendor_orders))
    )
    if order is None:
        raise NotFound()
    return order
