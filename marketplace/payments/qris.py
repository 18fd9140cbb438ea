"""QRIS for the whole order, through Xendit's Payment Request API (or, in development without
keys, the simulation gateway behind the same calls).

Placing a QRIS order opens ONE payment for every cooperative's part (a `Payment` allocated to
each vendor order) and one payment request at the gateway, ending when the order's payment
window does; our own page shows its QR code, and reopening it reuses the request. Nothing the
shopper's browser or a callback says marks anything paid: a callback (its token checked by
`xendit_records.read_callback`) is stored once under its unique key, then the payment request
is READ BACK from the gateway, and only what the gateway answers is applied, under the order's
lock, to the rupiah: another amount, currency or reference is held for the city's desk.
Repeated, simultaneous, late and out-of-order callbacks all end the same way, as in
`payments.card`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.database import as_utc
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.observability import count_event, count_payment, count_webhook
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.orders.payment_options import QrisGateway, qris_gateway
from marketplace.payments import qris_simulation, xendit_gateway
from marketplace.payments.exceptions import NothingToPay, PaymentError
from marketplace.payments.gateway_exceptions import GatewayError, GatewayNotConfigured
from marketplace.payments.models import (
    GatewayCallbackRecord,
    Payee,
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
)
from marketplace.payments.qr import qr_svg
from marketplace.payments.records import lock_order, locked, log_event, move_payment, raise_flag
from marketplace.payments.services import apply_received, earliest_due
from marketplace.payments.states import can_transition
from marketplace.payments.xendit_records import (
    CallbackKind,
    GatewayCallback,
    GatewayPayment,
    Method,
    Status,
    payment_from,
)

log = logging.getLogger(__name__)

P = PaymentStatus
S = VendorOrderStatus
QRIS = PaymentMethod.QRIS
CURRENCY = "IDR"
CHANNEL = "QRIS"
PROVIDER = "xendit"


class QrisUnavailable(PaymentError):
    """QRIS (or its simulation) is not offered here: the shopper's own order, the wrong step."""

    status_code = 409
    default_message = _l("Pembayaran QRIS sedang tidak tersedia.")


class Gateway(Protocol):
    """The calls QRIS needs: `payments.xendit_gateway` and `payments.qris_simulation` both."""

    def create_payment(
        self,
        *,
        amount: int,
        method: Method,
        channel: str,
        reference: str,
        idempotency_key: str,
        expires_at: datetime,
        description: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> GatewayPayment: ...

    def get_payment(self, payment_request_id: str) -> GatewayPayment: ...

    def simulate_payment(self, payment_request_id: str) -> None: ...


def mode() -> QrisGateway | None:
    """Which gateway pays QRIS orders now (None: QRIS is not offered)."""
    return qris_gateway(current_app.config)


def is_simulation() -> bool:
    return mode() is QrisGateway.SIMULATION


def gateway() -> Gateway:
    chosen = mode()
    if chosen is QrisGateway.XENDIT:
        return xendit_gateway
    if chosen is QrisGateway.SIMULATION:
        return qris_simulation
    raise GatewayNotConfigured()


# ------------------------------------------------------------------------------------------
# Opening the payment request
# ------------------------------------------------------------------------------------------


def _awaiting(order: Order) -> list[VendorOrder]:
    return [vo for vo in order.vendor_orders if vo.state == S.AWAITING_PAYMENT]


def _qris_payments(order: Order) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.method == QRIS)
            .options(selectinload(Payment.allocations))
            .order_by(Payment.id)
            .execution_options(populate_existing=True)
        )
    )


def _open_payment(order: Order) -> Payment | None:
    """The order's QRIS payment still waiting (the latest), if any."""
    pending = [p for p in _qris_payments(order) if p.state == P.PENDING]
    return pending[-1] if pending else None


def start_for_new_order(order: Order, actor_id: int | None) -> Payment | None:
    """`orders.signals.order_placed`: a QRIS order gets its payment request with it. A gateway
    that fails leaves the order placed and unpaid; the page offers to try again."""
    if order.payment != QRIS:
        return None
    if mode() is None:
        log.error("QRIS order %s placed while QRIS is off", order.number)
        return None
    return open_qris_payment(order, actor_id)


def retry_qris_payment(user: User, number: str) -> Payment:
    """The shopper asks again for a QR code (the first request failed or was replaced)."""
    order = _shopper_order(user, number)
    if mode() is None:
        raise QrisUnavailable()
    return open_qris_payment(order, user.id)


def open_qris_payment(order: Order, actor_id: int | None) -> Payment:
    """The order's QRIS payment for every part awaiting payment, with its payment request at
    the gateway: the open one when it still covers exactly those parts, else a new one."""
    order = lock_order(order.id)
    if order.payment != QRIS:
        raise PaymentError(_("Pesanan ini tidak dibayar dengan QRIS."))
    parts = _awaiting(order)
    if not parts:
        raise NothingToPay()
    due = earliest_due(parts)
    if due is None or due <= clock.now():
        raise PaymentError(_("Batas waktu pembayaran pesanan ini sudah lewat."))
    amount = sum(vo.total for vo in parts)
    payment = _open_payment(order)
    if payment is not None and (
        payment.amount != amount
        or {a.vendor_order_id for a in payment.allocations} != {vo.id for vo in parts}
    ):
        # A part was cancelled since: the old code would ask too much. Should it still be
        # paid, the money is taken (failed → succeeded) and the cancelled part refunded.
        move_payment(payment, P.FAILED, kind="replaced", actor_id=actor_id)
        payment = None
    if payment is not None and payment.provider_reference:
        return payment
    if payment is None:
        payment = Payment(
            order_id=order.id,
            method=QRIS,
            status=P.PENDING,
            amount=amount,
            payee=Payee.PLATFORM,
            reference=order.number or "",
            idempotency_key=f"opop-qris-{secrets.token_urlsafe(24)}",
            created_by=actor_id,
        )
        payment.allocations = [
            PaymentAllocation(vendor_order_id=vo.id, amount=vo.total) for vo in parts
        ]
        db.session.add(payment)
        db.session.flush()
        log_event(payment, "created", actor_id=actor_id, data={"amount": amount})
        count_payment(QRIS, "started")
    _request(payment, order, due, actor_id)
    return payment


def _request(payment: Payment, order: Order, due: datetime, actor_id: int | None) -> None:
    """Ask the gateway for the payment request (again with the same key after a failure that
    may be retried, so a request the gateway did make is answered back, never doubled)."""
    try:
        made = gateway().create_payment(
            amount=payment.amount,
            method=Method.QRIS,
            channel=CHANNEL,
            reference=payment.reference,
            idempotency_key=payment.idempotency_key or "",
            expires_at=due,
            description=_("Pesanan %(number)s di Pasar OPOP", number=order.number),
            metadata={
                "order_id": str(order.id),
                "order_number": order.number or "",
                "payment_id": str(payment.id),
            },
        )
    except GatewayError as error:
        payment.error = error.detail[:2000]
        log_event(payment, "start_failed", actor_id=actor_id, note=error.detail)
        if not error.retryable:
            move_payment(payment, P.FAILED, kind="refused", note=error.detail, actor_id=actor_id)
            count_payment(QRIS, "failed")
        audit.record(
            "payment.qris_start_failed",
            payment,
            actor_id=actor_id,
            data={"number": order.number, "error": error.detail[:500]},
        )
        count_event("qris_request_failed")
        return
    payment.provider_reference = made.id
    # The payment method's id (pm-...): an expiry callback names this one, not the request.
    payment.payment_intent = made.payment_method_id
    payment.expires_at = made.expires_at or due
    payment.raw_payload = made.raw
    payment.error = None
    log_event(payment, "request_created", actor_id=actor_id, note=made.id)
    audit.record(
        "payment.qris_started",
        payment,
        actor_id=actor_id,
        data={"number": order.number, "amount": payment.amount, "request": made.id},
    )
    count_event("qris_request_created")


# ------------------------------------------------------------------------------------------
# The shopper's page and its status (reads only)
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrisPage:
    """What the QRIS page and its status request show."""

    order: Order
    payment: Payment | None
    amount: int
    deadline: datetime | None
    #: waiting | paid | problem | expired | unavailable | closed
    state: str
    qr_string: str | None
    simulation: bool

    @property
    def qr(self) -> Markup | None:
        return qr_svg(self.qr_string, label=_("Kode QRIS")) if self.qr_string else None

    @property
    def can_retry(self) -> bool:
        return self.state == "unavailable"


def _shopper_order(user: User, number: str) -> Order:
    """One of the user's orders, as it is (nothing brought up to date: pages only read);
    another shopper's order is not found, exactly like a missing one."""
    order = db.session.scalar(
        select(Order)
        .where(Order.number == number, Order.user_id == user.id)
        .options(selectinload(Order.vendor_orders))
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound()
    return order


def qris_page(user: User, number: str) -> QrisPage:
    """The order's QR code, amount, deadline and where its payment stands; computed, so a
    lapsed code shows as lapsed before the job writes it (GET never writes)."""
    order = _shopper_order(user, number)
    payments = _qris_payments(order) if order.payment == QRIS else []
    now = clock.now()
    parts = _awaiting(order)
    due = earliest_due(parts)
    received = [p for p in payments if p.state in (P.SUCCEEDED, P.REFUNDED)]
    held = [p for p in payments if p.state == P.HELD]
    pending = [p for p in payments if p.state == P.PENDING]
    current = pending[-1] if pending else (payments[-1] if payments else None)
    qr_string = None
    if held:
        state, current = "problem", held[-1]
    elif received and not parts:
        state, current = "paid", received[-1]
    elif not parts or order.payment != QRIS:
        state = "closed"
    elif due is None or due <= now:
        state = "expired"
    elif current is not None and current.state == P.PENDING and current.provider_reference:
        expires = current.expires_at
        if expires is not None and as_utc(expires) <= now:
            state = "expired"
        else:
            state = "waiting"
            qr_string = payment_from(current.raw_payload).qr_string
    else:
        state = "unavailable"
    return QrisPage(
        order=order,
        payment=current,
        amount=current.amount if current is not None else sum(vo.total for vo in parts),
        deadline=(as_utc(current.expires_at) if current and current.expires_at else due),
        state=state,
        qr_string=qr_string,
        simulation=is_simulation(),
    )


# ------------------------------------------------------------------------------------------
# Callbacks, and applying what the gateway says
# ------------------------------------------------------------------------------------------


def handle_callback(callback: GatewayCallback) -> str:
    """Apply one callback whose token was checked, once: it is stored under its unique key, so
    a repeated delivery (even two at once) changes nothing. Returns what was done."""
    record = GatewayCallbackRecord(
        dedup_key=callback.dedup_key[:255],
        event=callback.event[:80],
        object_id=callback.payment_request_id or callback.payment_method_id or callback.object_id,
        payload=callback.raw,
        received_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        count_webhook(PROVIDER, callback.event, "duplicate")
        return "duplicate"
    outcome = _on_callback(callback, record)
    record.outcome = outcome[:40]
    count_event(f"xendit_{outcome}"[:60])
    count_webhook(PROVIDER, callback.event, outcome)
    return outcome


def _payment_for(callback: GatewayCallback) -> Payment | None:
    if callback.payment_request_id:
        found = db.session.scalar(
            select(Payment).where(
                Payment.method == QRIS, Payment.provider_reference == callback.payment_request_id
            )
        )
        if found is not None:
            return found
    if callback.payment_method_id:
        return db.session.scalar(
            select(Payment).where(
                Payment.method == QRIS, Payment.payment_intent == callback.payment_method_id
            )
        )
    return None


def _on_callback(callback: GatewayCallback, record: GatewayCallbackRecord) -> str:
    if callback.kind is not CallbackKind.PAYMENT:
        return "ignored"
    payment = _payment_for(callback)
    if payment is None or not payment.provider_reference:
        log.warning("Xendit callback %s names no payment of ours", callback.dedup_key)
        return "unknown_payment"
    record.payment_id = payment.id
    # The callback is news, not proof: what the gateway says now is what counts.
    read = gateway().get_payment(payment.provider_reference)
    return apply_gateway_payment(payment, read, via=callback.event)


def apply_gateway_payment(
    payment: Payment, read: GatewayPayment, *, via: str, actor_id: int | None = None
) -> str:
    """Apply the payment request as the gateway reported it (read back, never a callback's own
    word), under the order's lock. Paid to the rupiah, in IDR, with our reference: every part
    is marked paid; paid otherwise: held for the city's desk; lapsed: the payment expires and
    the order's expiry returns the stock. Anything already applied stays as it is."""
    payment = locked(payment)
    log_event(payment, via[:40], actor_id=actor_id, data={"status": read.gateway_status})
    if payment.state in (P.SUCCEEDED, P.HELD, P.REFUNDED):
        return "already_applied"
    if read.id != payment.provider_reference:
        raise PaymentError(f"read back {read.id} for {payment.provider_reference}")
    if read.status is Status.SUCCEEDED:
        return _received(payment, read, actor_id)
    if read.status in (Status.EXPIRED, Status.CANCELED):
        if can_transition(payment.state, P.EXPIRED):
            move_payment(payment, P.EXPIRED, kind="request_expired", actor_id=actor_id)
            audit.record(
                "payment.qris_expired",
                payment,
                actor_id=actor_id,
                data={"number": payment.order.number, "request": read.id},
            )
            count_payment(QRIS, "expired")
        # The order itself expires as its lifecycle says (now, if its deadline has passed).
        order_moves.refresh_order(payment.order)
        return "expired"
    if read.status is Status.FAILED:
        if can_transition(payment.state, P.FAILED):
            move_payment(payment, P.FAILED, kind="request_failed", note=read.failure_code or "")
            count_payment(QRIS, "failed")
        return "failed"
    return "not_paid_yet"


def _received(payment: Payment, read: GatewayPayment, actor_id: int | None) -> str:
    payment.raw_payload = read.raw
    if (
        read.currency != CURRENCY
        or read.amount != payment.amount
        or read.reference != payment.reference
    ):
        move_payment(payment, P.HELD, kind="amount_mismatch", actor_id=actor_id)
        raise_flag(
            payment,
            PaymentFlag.AMOUNT_MISMATCH,
            f"Xendit {read.id}: {read.amount} {read.currency}, reference {read.reference}; "
            f"expected {payment.amount} {CURRENCY}, reference {payment.reference}.",
        )
        audit.record(
            "payment.amount_mismatch",
            payment,
            actor_id=actor_id,
            data={
                "number": payment.order.number,
                "received": read.amount,
                "currency": read.currency,
                "expected": payment.amount,
            },
        )
        count_event("payment_amount_mismatch")
        count_payment(QRIS, "held")
        return "amount_mismatch"
    move_payment(payment, P.SUCCEEDED, kind="paid", note=read.id, actor_id=actor_id)
    audit.record(
        "payment.qris_paid",
        payment,
        actor_id=actor_id,
        data={"number": payment.order.number, "amount": payment.amount, "request": read.id},
    )
    apply_received(payment, actor_id)
    return "paid"


# ------------------------------------------------------------------------------------------
# The development simulation
# ------------------------------------------------------------------------------------------


def pay_simulated(user: User, number: str) -> str:
    """The "Bayar (simulasi)" button: the simulation gateway marks its request paid, then it is
    read back and applied exactly as a verified callback's is. Refused unless simulating."""
    order = _shopper_order(user, number)
    if not is_simulation() or order.payment != QRIS:
        raise QrisUnavailable()
    payment = _open_payment(order)
    if payment is None or not payment.provider_reference:
        raise NothingToPay()
    calls = gateway()
    calls.simulate_payment(payment.provider_reference)
    return apply_gateway_payment(
        payment,
        calls.get_payment(payment.provider_reference),
        via="simulated_payment",
        actor_id=user.id,
    )
