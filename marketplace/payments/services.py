"""Paying for orders: what an order's payment looks like, applying money that arrived, and
cash at pickup. Card payments are in `payments.card`, transfers in `payments.transfers`.

Orders are paid by card (Stripe Checkout), by bank transfer (a proof the cooperative or the
city confirms) or at pickup (cash, recorded when the goods are handed over).

A vendor order is marked paid only through `orders.moves.mark_vendor_order_paid`, and only
here, when money has arrived: Stripe's signed webhook for cards (the authority; the page the
shopper returns to only reports), a confirmed proof for transfers. Money that arrives for a part
that can no longer take it (cancelled meanwhile, or already paid) is refunded at once and the
payment is flagged for the city; money that does not match the order is held and flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.observability import count_event, count_payment
from marketplace.orders import moves as order_moves
from marketplace.orders import queries as order_queries
from marketplace.orders.exceptions import InvalidTransition
from marketplace.orders.models import (
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from marketplace.payments import refunds, settings, stripe_gateway
from marketplace.payments.models import (
    Payee,
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundReason,
)
from marketplace.payments.records import log_event, raise_flag
from marketplace.payments.settings import BankAccount
from marketplace.urls import absolute_url

S = VendorOrderStatus
P = PaymentStatus


# ------------------------------------------------------------------------------------------
# What an order's payment looks like (the order page, the payment page)
# ------------------------------------------------------------------------------------------


@dataclass
class TransferBox:
    """One transfer to make: to which account, how much, with which reference, for which
    parts; and where its proof stands."""

    key: int | None  # the vendor order id (transfers to each cooperative), None (platform)
    account: BankAccount
    amount: int
    reference: str
    parts: list[VendorOrder]
    due_at: datetime | None
    pending: Payment | None = None
    rejected: Payment | None = None

    @property
    def can_upload(self) -> bool:
        return self.pending is None and any(p.state == S.AWAITING_PAYMENT for p in self.parts)


@dataclass
class OrderPayments:
    order: Order
    card_enabled: bool
    card_amount: int
    card_session: Payment | None
    transfer_boxes: list[TransferBox]
    payments: list[Payment]
    refunds: list[Refund]
    awaiting: list[VendorOrder] = field(default_factory=list)

    @property
    def method(self) -> PaymentMethod:
        return self.order.payment

    @property
    def can_pay_by_card(self) -> bool:
        return self.method == PaymentMethod.CARD and self.card_enabled and self.card_amount > 0

    @property
    def needs_payment(self) -> bool:
        return bool(self.awaiting) and self.method != PaymentMethod.PAY_AT_PICKUP


def _account_of(cooperative: Cooperative) -> BankAccount:
    return BankAccount(
        bank_name=cooperative.bank_name,
        number=cooperative.bank_account_number,
        holder=cooperative.bank_account_holder,
        payee=Payee.COOPERATIVE,
    )


def transfer_reference(order: Order, vendor_order: VendorOrder | None) -> str:
    """What the shopper writes in the transfer's message: the order number, and the part's
    position when each cooperative is paid separately (``OPOP-2026-000123-2``)."""
    if vendor_order is None:
        return order.number or ""
    position = [vo.id for vo in order.vendor_orders].index(vendor_order.id) + 1
    return f"{order.number}-{position}"


def _payments_of(order: Order) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id)
            .options(selectinload(Payment.allocations), selectinload(Payment.refunds))
            .order_by(Payment.id)
            .execution_options(populate_existing=True)
        )
    )


def _transfer_boxes(order: Order, payments: Sequence[Payment]) -> list[TransferBox]:
    transfers = [p for p in payments if p.method == PaymentMethod.BANK_TRANSFER]
    open_parts = [vo for vo in order.vendor_orders if vo.state == S.AWAITING_PAYMENT]
    boxes: list[TransferBox] = []
    if settings.transfer_payee() == Payee.PLATFORM:
        covered = {vo.id for p in transfers if p.state == P.PENDING for vo in _parts(p)}
        parts = [vo for vo in order.vendor_orders if vo.id in covered] or open_parts
        if parts:
            boxes.append(
                TransferBox(
                    key=None,
                    account=settings.platform_account(),
                    amount=sum(vo.total for vo in parts),
                    reference=transfer_reference(order, None),
                    parts=parts,
                    due_at=earliest_due(parts),
                )
            )
    else:
        for vo in order.vendor_orders:
            has_pending = any(
                p.state == P.PENDING and vo.id in {a.vendor_order_id for a in p.allocations}
                for p in transfers
            )
            if vo.state != S.AWAITING_PAYMENT and not has_pending:
                continue
            boxes.append(
                TransferBox(
                    key=vo.id,
                    account=_account_of(vo.cooperative),
                    amount=vo.total,
                    reference=transfer_reference(order, vo),
                    parts=[vo],
                    due_at=vo.payment_due_at,
                )
            )
    for box in boxes:
        ids = {vo.id for vo in box.parts}
        for payment in transfers:
            if not ids & {a.vendor_order_id for a in payment.allocations}:
                continue
            if payment.state == P.PENDING:
                box.pending = payment
            elif payment.state == P.REJECTED:
                box.rejected = payment
    return boxes


def _parts(payment: Payment) -> list[VendorOrder]:
    return [allocation.vendor_order for allocation in payment.allocations]


def earliest_due(parts: Sequence[VendorOrder]) -> datetime | None:
    dues = [as_utc(vo.payment_due_at) for vo in parts if vo.payment_due_at is not None]
    return min(dues) if dues else None


def order_payments(order: Order) -> OrderPayments:
    """Everything the order and payment pages show about paying this order."""
    payments = _payments_of(order)
    awaiting = [vo for vo in order.vendor_orders if vo.state == S.AWAITING_PAYMENT]
    now = clock.now()
    open_sessions = [
        p
        for p in payments
        if p.method == PaymentMethod.CARD
        and p.state == P.PENDING
        and p.checkout_url
        and p.expires_at is not None
        and as_utc(p.expires_at) > now
    ]
    boxes = _transfer_boxes(order, payments) if order.payment == PaymentMethod.BANK_TRANSFER else []
    order_refunds = list(
        db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))
    )
    return OrderPayments(
        order=order,
        card_enabled=stripe_gateway.is_configured(),
        card_amount=sum(vo.total for vo in awaiting),
        card_session=open_sessions[-1] if open_sessions else None,
        transfer_boxes=boxes,
        payments=payments,
        refunds=order_refunds,
        awaiting=awaiting,
    )


def shopper_order(user: User, number: str) -> Order:
    """One of the user's orders as its pages show it (a due expiry shown, not written)."""
    return order_queries.open_order(user, number)


# ------------------------------------------------------------------------------------------
# Applying money that arrived
# ------------------------------------------------------------------------------------------


def apply_received(payment: Payment, actor_id: int | None = None) -> list[VendorOrder]:
    """Mark the payment's parts paid; money for a part that can no longer take it (cancelled,
    or paid by another payment) goes back at once and the payment is flagged. Returns the
    parts this payment paid."""
    paid: list[VendorOrder] = []
    for allocation in payment.allocations:
        vendor_order = allocation.vendor_order
        db.session.refresh(vendor_order)
        if vendor_order.state == S.AWAITING_PAYMENT:
            try:
                with db.session.begin_nested():
                    order_moves.mark_vendor_order_paid(
                        vendor_order,
                        reference=payment.reference or payment.provider_reference or "",
                    )
                paid.append(vendor_order)
                continue
            except InvalidTransition:
                db.session.refresh(vendor_order)  # moved meanwhile: handled below
        cancelled = vendor_order.state in (S.CANCELLED, S.REFUNDED)
        reason = RefundReason.PAID_AFTER_CANCEL if cancelled else RefundReason.DUPLICATE
        refunds.refund_allocation(payment, vendor_order, allocation.amount, reason, actor_id)
        raise_flag(
            payment,
            PaymentFlag.PAID_AFTER_CANCEL if cancelled else PaymentFlag.DUPLICATE,
            f"{vendor_order.cooperative_name} ({vendor_order.status}): {allocation.amount}",
        )
        count_event("payment_paid_after_cancel" if cancelled else "payment_duplicate")
    if paid:
        count_event("payment_confirmed")
        count_payment(payment.method, "succeeded")
        _queue_confirmed_email(payment, paid)
    return paid


def _reference_of(payment: Payment) -> str:
    return payment.reference or payment.provider_reference or ""


def _queue_confirmed_email(payment: Payment, parts: Sequence[VendorOrder]) -> None:
    order = payment.order
    shopper = order.user
    queue_email(
        shopper.email,
        "payment_confirmed",
        shopper.locale,
        user=shopper,
        order=order,
        payment=payment,
        parts=list(parts),
        amount=sum(vo.total for vo in parts),
        order_url=absolute_url("orders.detail", number=order.number),
    )


# ------------------------------------------------------------------------------------------
# Pay at pickup, and the reactions to the order lifecycle (see receivers.py)
# ------------------------------------------------------------------------------------------


def record_pay_at_pickup(vendor_order: VendorOrder, actor_id: int | None) -> Payment | None:
    """Cash handed over with the goods: a payment to the cooperative, once per part."""
    exists = db.session.scalar(
        select(Payment.id)
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(
            PaymentAllocation.vendor_order_id == vendor_order.id,
            Payment.method == PaymentMethod.PAY_AT_PICKUP,
        )
    )
    if exists is not None:
        return None
    payment = Payment(
        order_id=vendor_order.order_id,
        method=PaymentMethod.PAY_AT_PICKUP,
        status=P.SUCCEEDED,
        amount=vendor_order.total,
        payee=Payee.COOPERATIVE,
        reference=vendor_order.order.number or "",
        created_by=actor_id,
        decided_at=clock.now(),
        decided_by=actor_id,
    )
    payment.allocations = [
        PaymentAllocation(vendor_order_id=vendor_order.id, amount=vendor_order.total)
    ]
    db.session.add(payment)
    db.session.flush()
    log_event(payment, "cash_received", actor_id=actor_id, to_status=P.SUCCEEDED)
    audit.record(
        "payment.pay_at_pickup",
        payment,
        actor_id=actor_id,
        cooperative_id=vendor_order.cooperative_id,
        data={"number": vendor_order.order.number, "amount": vendor_order.total},
    )
    count_event("payment_confirmed")
    count_payment(payment.method, "succeeded")
    return payment
