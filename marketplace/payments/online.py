"""Paying the whole order online through the Indonesian gateway (Xendit's Payment Request API,
or in development without keys the simulation gateway behind the same calls): QRIS, a bank's
virtual account, or an e-wallet.

An online order has ONE payment for every cooperative's part (a `Payment` allocated to each
vendor order) and one payment request at the gateway. A QRIS order gets its code as it is placed;
for a virtual account or an e-wallet the shopper picks the bank or the e-wallet on our payment
page, which then shows the VA number with the bank's steps, or the e-wallet's link (OVO asks in
its own app, given the phone number). Reopening the page reuses the request; picking another
bank or e-wallet replaces it. Nothing the shopper's browser or a callback says marks anything
paid: a callback (its token checked by `xendit_records.verify_callback_token`) is stored once
under its unique key, then the payment request is READ BACK from the gateway, and only what the
gateway answers is applied, under the order's lock, to the rupiah: another amount, currency or
reference is held for the city's desk. Repeated, simultaneous, late and out-of-order callbacks
all end the same way, as in `payments.card`. A request lapses with the order's payment window;
an order cancelled unpaid closes its payment (money arriving later is refunded and flagged).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.observability import count_event, count_payment, count_webhook
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.orders.payment_options import (
    ONLINE_METHODS,
    OnlineGateway,
    is_online,
    online_gateway,
)
from marketplace.payments import gateway_refunds, gateway_simulation, payouts, xendit_gateway
from marketplace.payments.exceptions import NothingToPay, PaymentError
from marketplace.payments.gateway_exceptions import GatewayError, GatewayNotConfigured
from marketplace.payments.how_to_pay import channel_name
from marketplace.payments.models import (
    GatewayCallbackRecord,
    Payee,
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
)
from marketplace.payments.records import lock_order, locked, log_event, move_payment, raise_flag
from marketplace.payments.services import apply_received, earliest_due
from marketplace.payments.states import can_transition
from marketplace.payments.xendit_records import (
    CallbackKind,
    GatewayCallback,
    GatewayPayment,
    Method,
    Status,
)
from marketplace.urls import absolute_url
from marketplace.validators import normalize_whatsapp

log = logging.getLogger(__name__)

P = PaymentStatus
S = VendorOrderStatus
CURRENCY = "IDR"
PROVIDER = "xendit"
#: How the gateway names each of our online methods.
GATEWAY_METHODS: dict[PaymentMethod, Method] = {
    PaymentMethod.QRIS: Method.QRIS,
    PaymentMethod.VIRTUAL_ACCOUNT: Method.VIRTUAL_ACCOUNT,
    PaymentMethod.EWALLET: Method.EWALLET,
}
QRIS_CHANNEL = "QRIS"


class OnlinePaymentUnavailable(PaymentError):
    """Online payment (or its simulation) is not offered here, or not for this order."""

    status_code = 409
    default_message = _l("Pembayaran online sedang tidak tersedia.")


class Gateway(Protocol):
    """The calls an online payment needs: `payments.xendit_gateway` and
    `payments.gateway_simulation` both."""

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
        customer_name: str | None = None,
        mobile_number: str | None = None,
        success_url: str | None = None,
        failure_url: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> GatewayPayment: ...

    def get_payment(self, payment_request_id: str) -> GatewayPayment: ...

    def simulate_payment(self, payment_request_id: str) -> None: ...


def mode() -> OnlineGateway | None:
    """Which gateway takes online payments now (None: they are not offered)."""
    return online_gateway(current_app.config)


def is_simulation() -> bool:
    return mode() is OnlineGateway.SIMULATION


def gateway() -> Gateway:
    chosen = mode()
    if chosen is OnlineGateway.XENDIT:
        return xendit_gateway
    if chosen is OnlineGateway.SIMULATION:
        return gateway_simulation
    raise GatewayNotConfigured()


def channels(method: PaymentMethod) -> tuple[str, ...]:
    """The banks or e-wallets (or QRIS) a shopper may pick for ``method``, in the page's order."""
    return xendit_gateway.CHANNELS[GATEWAY_METHODS[method]]


def needs_mobile_number(channel: str | None) -> bool:
    """OVO asks the shopper in its app: it needs the phone number of the OVO account."""
    return channel in xendit_gateway.PUSH_EWALLETS


# ------------------------------------------------------------------------------------------
# Opening the payment request
# ------------------------------------------------------------------------------------------


def awaiting_parts(order: Order) -> list[VendorOrder]:
    return [vo for vo in order.vendor_orders if vo.state == S.AWAITING_PAYMENT]


def online_payments(order: Order) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.method.in_(ONLINE_METHODS))
            .options(selectinload(Payment.allocations))
            .order_by(Payment.id)
            .execution_options(populate_existing=True)
        )
    )


def _open_payment(order: Order) -> Payment | None:
    """The order's online payment still waiting (the latest), if any."""
    pending = [p for p in online_payments(order) if p.state == P.PENDING]
    return pending[-1] if pending else None


def start_for_new_order(order: Order, actor_id: int | None) -> Payment | None:
    """`orders.signals.order_placed`: a QRIS order gets its payment request with it (a bank or
    an e-wallet is picked on the payment page first). A gateway that fails leaves the order
    placed and unpaid; the page offers to try again."""
    if order.payment != PaymentMethod.QRIS:
        return None
    if mode() is None:
        log.error("QRIS order %s placed while online payments are off", order.number)
        return None
    return open_online_payment(order, actor_id, QRIS_CHANNEL)


def choose_channel(
    user: User, number: str, channel: str | None, mobile_number: str | None = None
) -> Payment:
    """The shopper asks for a payment request: by the bank or e-wallet picked on the page, or
    (QRIS) for a new code after the first could not be made."""
    order = shopper_order(user, number)
    if mode() is None or not is_online(order.payment):
        raise OnlinePaymentUnavailable()
    if order.payment == PaymentMethod.QRIS:
        channel = QRIS_CHANNEL
    return open_online_payment(order, user.id, channel or "", mobile_number)


def _mobile(channel: str, mobile_number: str | None) -> str | None:
    """OVO's number as the gateway wants it (+62...), or a clear refusal."""
    if not needs_mobile_number(channel):
        return None
    number = normalize_whatsapp(mobile_number or "")
    if not number.startswith("628") or not 10 <= len(number) <= 15 or not number.isdigit():
        raise PaymentError(
            _(
                "Masukkan nomor HP yang terdaftar di %(wallet)s, contoh 081234567890.",
                wallet=channel_name(channel),
            )
        )
    return "+" + number


def open_online_payment(
    order: Order, actor_id: int | None, channel: str, mobile_number: str | None = None
) -> Payment:
    """The order's online payment by ``channel`` for every part awaiting payment, with its
    payment request at the gateway: the open one when it still covers exactly those parts by
    that channel, else a new one."""
    order = lock_order(order.id)
    if not is_online(order.payment):
        raise PaymentError(_("Pesanan ini tidak dibayar secara online."))
    method = PaymentMethod(order.payment)
    if channel not in channels(method):
        raise PaymentError(_("Pilih salah satu bank atau e-wallet yang tersedia."))
    mobile = _mobile(channel, mobile_number)
    parts = awaiting_parts(order)
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
        or payment.channel != channel
    ):
        # A part was cancelled since (the old request would ask too much), or the shopper picked
        # another bank or e-wallet. Should the old one still be paid, the money is taken
        # (failed → succeeded) and whatever was paid twice is refunded.
        move_payment(payment, P.FAILED, kind="replaced", actor_id=actor_id)
        payment = None
    if payment is not None and payment.provider_reference:
        return payment
    if payment is None:
        payment = Payment(
            order_id=order.id,
            method=method,
            channel=channel,
            status=P.PENDING,
            amount=amount,
            payee=Payee.PLATFORM,
            reference=order.number or "",
            idempotency_key=f"opop-{method}-{secrets.token_urlsafe(24)}"[:80],
            created_by=actor_id,
        )
        payment.allocations = [
            PaymentAllocation(vendor_order_id=vo.id, amount=vo.total) for vo in parts
        ]
        db.session.add(payment)
        db.session.flush()
        log_event(payment, "created", actor_id=actor_id, data={"amount": amount})
        count_payment(method, "started")
    _request(payment, order, due, actor_id, mobile)
    return payment


def _request(
    payment: Payment, order: Order, due: datetime, actor_id: int | None, mobile: str | None
) -> None:
    """Ask the gateway for the payment request (again with the same key after a failure that
    may be retried, so a request the gateway did make is answered back, never doubled)."""
    method = PaymentMethod(payment.method)
    back = absolute_url("payments.online", number=order.number)
    try:
        made = gateway().create_payment(
            amount=payment.amount,
            method=GATEWAY_METHODS[method],
            channel=payment.channel or "",
            reference=payment.reference,
            idempotency_key=payment.idempotency_key or "",
            expires_at=due,
            description=_("Pesanan %(number)s di Pasar OPOP", number=order.number),
            customer_name=order.recipient_name,
            mobile_number=mobile,
            success_url=back,
            failure_url=back,
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
            count_payment(method, "failed")
        audit.record(
            f"payment.{method}_start_failed",
            payment,
            actor_id=actor_id,
            data={"number": order.number, "error": error.detail[:500]},
        )
        count_event(f"{method}_request_failed")
        return
    payment.provider_reference = made.id
    # The payment method's id (pm-...): an expiry callback names this one, not the request.
    payment.payment_intent = made.payment_method_id
    payment.expires_at = min(made.expires_at, due) if made.expires_at else due
    payment.raw_payload = made.raw
    payment.error = None
    log_event(payment, "request_created", actor_id=actor_id, note=made.id)
    audit.record(
        f"payment.{method}_started",
        payment,
        actor_id=actor_id,
        data={
            "number": order.number,
            "amount": payment.amount,
            "request": made.id,
            "channel": payment.channel,
        },
    )
    count_event(f"{method}_request_created")


def shopper_order(user: User, number: str) -> Order:
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
                Payment.method.in_(ONLINE_METHODS),
                Payment.provider_reference == callback.payment_request_id,
            )
        )
        if found is not None:
            return found
    if callback.payment_method_id:
        return db.session.scalar(
            select(Payment).where(
                Payment.method.in_(ONLINE_METHODS),
                Payment.payment_intent == callback.payment_method_id,
            )
        )
    return None


def _on_callback(callback: GatewayCallback, record: GatewayCallbackRecord) -> str:
    if callback.kind is CallbackKind.REFUND:
        return gateway_refunds.on_refund_callback(callback, record)
    if callback.kind is CallbackKind.PAYOUT and gateway_refunds.is_refund_payout(callback):
        return gateway_refunds.on_payout_callback(callback, record)
    if payouts.is_ours(callback):  # a payout to a cooperative (payments.payouts)
        return payouts.on_callback(callback)
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
                f"payment.{payment.method}_expired",
                payment,
                actor_id=actor_id,
                data={"number": payment.order.number, "request": read.id},
            )
            count_payment(payment.method, "expired")
        # The order itself expires as its lifecycle says (now, if its deadline has passed).
        order_moves.refresh_order(payment.order)
        return "expired"
    if read.status is Status.FAILED:
        if can_transition(payment.state, P.FAILED):
            move_payment(payment, P.FAILED, kind="request_failed", note=read.failure_code or "")
            audit.record(
                f"payment.{payment.method}_failed",
                payment,
                actor_id=actor_id,
                data={"number": payment.order.number, "failure": read.failure_code or ""},
            )
            count_payment(payment.method, "failed")
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
        count_payment(payment.method, "held")
        return "amount_mismatch"
    move_payment(payment, P.SUCCEEDED, kind="paid", note=read.id, actor_id=actor_id)
    audit.record(
        f"payment.{payment.method}_paid",
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
    order = shopper_order(user, number)
    if not is_simulation() or not is_online(order.payment):
        raise OnlinePaymentUnavailable()
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


# ------------------------------------------------------------------------------------------
# A part cancelled unpaid
# ------------------------------------------------------------------------------------------


def close_for_cancelled_part(vendor_order: VendorOrder, actor_id: int | None) -> None:
    """A part cancelled before it was paid (the order's payment window lapsed, the shopper or
    the city cancelled it): an online payment waiting for it, with no other part left to pay,
    expires here, so the records say what the gateway will say. Money that still arrives is
    taken (expired → succeeded) and refunded as paid after cancellation."""
    if not is_online(vendor_order.order.payment):
        return
    for payment in online_payments(vendor_order.order):
        if payment.state != P.PENDING:
            continue
        covered = {a.vendor_order_id for a in payment.allocations}
        if vendor_order.id not in covered:
            continue
        waiting = [
            vo
            for vo in vendor_order.order.vendor_orders
            if vo.id in covered and vo.id != vendor_order.id and vo.state == S.AWAITING_PAYMENT
        ]
        if waiting:
            continue  # the page replaces it by a request for the parts left
        move_payment(payment, P.EXPIRED, kind="order_cancelled", actor_id=actor_id)
        count_payment(payment.method, "expired")
