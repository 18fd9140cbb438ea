"""Card payments with Stripe Checkout, and Stripe's webhook.

The shopper is sent to a Checkout Session for the parts still awaiting payment (one line item
per cooperative's part, in IDR, ending when the order's payment window does but at least
Stripe's 30 minutes ahead). Only the signed webhook marks the order paid (`handle_stripe_event`);
the page the shopper returns to only reports. Each event is stored once under its unique id,
and every handler takes the order's lock first and checks where the payment stands, so repeated,
simultaneous and out-of-order deliveries all end the same way.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.observability import count_event, count_payment, count_webhook
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrder
from marketplace.payments import refunds, stripe_gateway
from marketplace.payments.exceptions import (
    CardPaymentsUnavailable,
    NothingToPay,
    PaymentError,
    ProviderError,
)
from marketplace.payments.models import (
    Payee,
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
    StripeEvent,
)
from marketplace.payments.records import lock_order, locked, log_event, move_payment, raise_flag
from marketplace.payments.services import (
    apply_received,
    earliest_due,
    order_payments,
    shopper_order,
)
from marketplace.payments.states import can_transition
from marketplace.urls import absolute_url

log = logging.getLogger(__name__)

P = PaymentStatus


@dataclass(frozen=True)
class CardStart:
    """Where to send the shopper (Stripe's page), or why not (the attempt is recorded)."""

    url: str | None
    error: str | None = None


def _session_expiry(parts: Sequence[VendorOrder], now: datetime) -> datetime:
    """The order's payment deadline, but within what Stripe accepts: at least 30 minutes ahead
    (plus a minute for the request's travel), at most 24 hours."""
    earliest = now + timedelta(seconds=stripe_gateway.MIN_SESSION_SECONDS + 60)
    latest = now + timedelta(seconds=stripe_gateway.MAX_SESSION_SECONDS - 60)
    due = earliest_due(parts) or latest
    return min(max(due, earliest), latest)


def start_card_payment(user: User, number: str) -> CardStart:
    """Open a Stripe Checkout Session for the parts still awaiting payment, or reuse the open
    one. A failure of Stripe is recorded on the attempt and reported; the order stays unpaid."""
    if not stripe_gateway.is_configured():
        raise CardPaymentsUnavailable()
    order = order_moves.order_to_act_on(user, number)
    lock_order(order.id)
    if order.payment_method != PaymentMethod.CARD:
        raise PaymentError(_("Pesanan ini tidak dibayar dengan kartu."))
    view = order_payments(order)
    parts = view.awaiting
    if not parts:
        raise NothingToPay()
    amount = sum(vo.total for vo in parts)
    session = view.card_session
    if (
        session is not None
        and session.amount == amount
        and {a.vendor_order_id for a in session.allocations} == {vo.id for vo in parts}
    ):
        return CardStart(session.checkout_url)
    payment = Payment(
        order_id=order.id,
        method=PaymentMethod.CARD,
        status=P.PENDING,
        amount=amount,
        payee=Payee.PLATFORM,
        reference=order.number or "",
        idempotency_key=f"opop-checkout-{secrets.token_urlsafe(24)}",
        created_by=user.id,
    )
    payment.allocations = [
        PaymentAllocation(vendor_order_id=vo.id, amount=vo.total) for vo in parts
    ]
    db.session.add(payment)
    db.session.flush()
    log_event(payment, "created", actor_id=user.id, data={"amount": amount})
    now = clock.now()
    lines = [
        stripe_gateway.LineItem(
            name=_(
                "%(cooperative)s · pesanan %(number)s",
                cooperative=vo.cooperative_name,
                number=order.number,
            ),
            amount=vo.total,
            description=_(
                "%(items)s barang dan ongkos kirim %(fee)s",
                items=sum(line.quantity for line in vo.lines),
                fee=rupiah(vo.delivery_fee),
            ),
        )
        for vo in parts
    ]
    try:
        session_data = stripe_gateway.create_checkout_session(
            lines=lines,
            metadata={
                "order_id": str(order.id),
                "order_number": order.number or "",
                "payment_id": str(payment.id),
            },
            idempotency_key=payment.idempotency_key or "",
            expires_at=_session_expiry(parts, now),
            success_url=absolute_url("payments.card_return", number=order.number)
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=absolute_url("payments.pay", number=order.number),
            customer_email=user.email,
            locale="id" if str(get_locale()) == "id" else "en",
            client_reference_id=str(payment.id),
        )
    except ProviderError as error:
        move_payment(
            payment,
            P.FAILED,
            kind="start_failed",
            note=error.detail,
            actor_id=user.id,
            values={"error": error.detail[:2000]},
        )
        audit.record(
            "payment.card_start_failed",
            payment,
            actor_id=user.id,
            data={"number": order.number, "error": error.detail[:500]},
        )
        count_event("card_session_failed")
        count_payment(PaymentMethod.CARD, "failed")
        return CardStart(None, error.message)
    payment.provider_reference = session_data.id
    payment.checkout_url = session_data.url
    payment.expires_at = (
        datetime.fromtimestamp(session_data.expires_at, tz=UTC) if session_data.expires_at else None
    )
    payment.raw_payload = session_data.raw
    log_event(payment, "session_created", actor_id=user.id, note=session_data.id)
    audit.record(
        "payment.card_started",
        payment,
        actor_id=user.id,
        data={"number": order.number, "amount": amount, "session": session_data.id},
    )
    count_event("card_session_created")
    return CardStart(session_data.url)


@dataclass(frozen=True)
class CardReturn:
    """What the page the shopper comes back to from Stripe says."""

    order: Order
    payment: Payment
    #: paid | confirming | open | not_paid | problem
    state: str


def card_return(user: User, number: str, session_id: str) -> CardReturn:
    """The shopper is back from Stripe. Only the webhook marks the order paid; this page may ask
    Stripe how the session stands, to say "being confirmed" rather than "not paid"."""
    order = shopper_order(user, number)
    payment = db.session.scalar(
        select(Payment)
        .where(
            Payment.order_id == order.id,
            Payment.method == PaymentMethod.CARD,
            Payment.provider_reference == session_id,
        )
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise NotFound()
    if payment.state in (P.SUCCEEDED, P.REFUNDED):
        return CardReturn(order, payment, "paid")
    if payment.state == P.HELD:
        return CardReturn(order, payment, "problem")
    if payment.state in (P.EXPIRED, P.FAILED):
        return CardReturn(order, payment, "not_paid")
    try:
        session = stripe_gateway.retrieve_checkout_session(session_id)
    except ProviderError:
        return CardReturn(order, payment, "confirming")
    if session.status == "open":
        return CardReturn(order, payment, "open")
    if session.status == "expired":
        return CardReturn(order, payment, "not_paid")
    return CardReturn(order, payment, "confirming")


# ------------------------------------------------------------------------------------------
# Stripe's webhook
# ------------------------------------------------------------------------------------------


def handle_stripe_event(event: dict[str, Any]) -> str:
    """Apply one verified Stripe event, once: its id is stored under a unique constraint, so a
    repeated delivery (even two at once) changes nothing. Returns what was done."""
    data = event.get("data") or {}
    obj = data.get("object") or {}
    record = StripeEvent(
        event_id=str(event["id"]),
        type=str(event.get("type", ""))[:80],
        payload=event,
        received_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        count_event("stripe_event_duplicate")
        count_webhook("stripe", record.type, "duplicate")
        return "duplicate"
    handler = _HANDLERS.get(record.type)
    outcome = handler(obj, record) if handler is not None else "ignored"
    record.outcome = outcome[:40]
    count_event(f"stripe_{outcome}"[:60])
    count_webhook("stripe", record.type, outcome)
    return outcome


def _payment_for_session(session: stripe_gateway.CheckoutSession) -> Payment | None:
    payment = db.session.scalar(
        select(Payment).where(
            Payment.method == PaymentMethod.CARD, Payment.provider_reference == session.id
        )
    )
    if payment is not None:
        return payment
    # The session was created but its id never saved (our side failed after Stripe answered).
    payment_id = session.metadata.get("payment_id", "")
    if payment_id.isdigit():
        candidate = db.session.get(Payment, int(payment_id))
        if (
            candidate is not None
            and candidate.method == PaymentMethod.CARD
            and candidate.provider_reference is None
            and str(candidate.order_id) == session.metadata.get("order_id")
        ):
            return candidate
    return None


def _on_session_completed(obj: dict[str, Any], record: StripeEvent) -> str:
    session = stripe_gateway.session_from_event(obj)
    payment = _payment_for_session(session)
    if payment is None:
        log.error("Stripe session %s completed but no payment records it", session.id)
        return "unknown_session"
    record.payment_id = payment.id
    payment = locked(payment)
    log_event(payment, "checkout.session.completed", data={"event": record.event_id})
    if payment.state in (P.SUCCEEDED, P.HELD, P.REFUNDED):
        return "already_applied"
    if session.payment_status != "paid":
        return "not_paid_yet"
    payment.provider_reference = session.id
    payment.payment_intent = session.payment_intent
    payment.raw_payload = session.raw
    expected = stripe_gateway.minor_units(payment.amount)
    if session.currency != stripe_gateway.CURRENCY or session.amount_total != expected:
        move_payment(payment, P.HELD, kind="amount_mismatch")
        raise_flag(
            payment,
            PaymentFlag.AMOUNT_MISMATCH,
            f"Stripe: {session.amount_total} {session.currency} (hundredths); "
            f"expected {expected} {stripe_gateway.CURRENCY}.",
        )
        audit.record(
            "payment.amount_mismatch",
            payment,
            data={
                "number": payment.order.number,
                "received": session.amount_total,
                "currency": session.currency,
                "expected": expected,
            },
        )
        count_event("payment_amount_mismatch")
        return "amount_mismatch"
    move_payment(payment, P.SUCCEEDED, kind="paid", note=session.payment_intent or "")
    audit.record(
        "payment.card_paid",
        payment,
        data={"number": payment.order.number, "amount": payment.amount, "session": session.id},
    )
    apply_received(payment)
    return "paid"


def _on_session_expired(obj: dict[str, Any], record: StripeEvent) -> str:
    session = stripe_gateway.session_from_event(obj)
    payment = _payment_for_session(session)
    if payment is None:
        return "unknown_session"
    record.payment_id = payment.id
    payment = locked(payment)
    if not can_transition(payment.state, P.EXPIRED):
        log_event(payment, "checkout.session.expired", note="ignored")
        return "ignored"
    move_payment(payment, P.EXPIRED, kind="session_expired", values={"raw_payload": session.raw})
    # The order itself expires as its lifecycle says (now, if its deadline has passed).
    order_moves.refresh_order(payment.order)
    return "expired"


def _on_payment_failed(obj: dict[str, Any], record: StripeEvent) -> str:
    metadata = obj.get("metadata") or {}
    payment_id = str(metadata.get("payment_id", ""))
    payment = None
    if payment_id.isdigit():
        payment = db.session.get(Payment, int(payment_id))
    if payment is None and obj.get("id"):
        payment = db.session.scalar(select(Payment).where(Payment.payment_intent == obj["id"]))
    if payment is None or payment.method != PaymentMethod.CARD:
        return "unknown_payment"
    record.payment_id = payment.id
    payment = locked(payment)
    error = obj.get("last_payment_error") or {}
    message = str(error.get("message") or error.get("code") or "payment failed")[:2000]
    # The session stays open for another try; the order expires as its lifecycle says.
    payment.error = message
    log_event(payment, "payment_intent.payment_failed", note=message)
    count_event("card_payment_failed")
    count_payment(PaymentMethod.CARD, "failed")
    return "attempt_failed"


def _on_charge_refunded(obj: dict[str, Any], record: StripeEvent) -> str:
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    payment = (
        db.session.scalar(select(Payment).where(Payment.payment_intent == intent))
        if intent
        else None
    )
    if payment is None:
        return "unknown_payment"
    record.payment_id = payment.id
    payment = locked(payment)
    refunded = int(obj.get("amount_refunded") or 0)
    log_event(payment, "charge.refunded", data={"amount_refunded": refunded})
    refunds.reconcile_card_refunds(payment, refunded, str(obj.get("id", "")))
    return "refund_reconciled"


_HANDLERS = {
    "checkout.session.completed": _on_session_completed,
    "checkout.session.expired": _on_session_expired,
    "payment_intent.payment_failed": _on_payment_failed,
    "charge.refunded": _on_charge_refunded,
}

#: The events to subscribe the webhook endpoint to (README).
SUBSCRIBED_EVENTS = tuple(_HANDLERS)
