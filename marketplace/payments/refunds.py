"""Refunds: money going back to the shopper for one part of an order.

A cancelled part that was paid is refunded by the amount it was paid (its goods and its delivery
fee), never more than the payment still holds:

* paid by card: through Stripe, as a partial refund of the PaymentIntent, with an idempotency key
  fixed per refund (``opop-refund-<id>``), so retries never refund twice. Stripe is called after
  the transaction that decided the refund has committed (`jobs.after_commit`), never while it
  holds the order's lock; a call that fails is retried by the periodic task
  ``payments.retry_refunds`` and, after ``PAYMENT_REFUND_MAX_ATTEMPTS``, flagged for the city.
* paid online through Xendit (QRIS, e-wallet): through its Refund API, and paid by virtual
  account: as a payout to the bank account the shopper gives; both in `payments.gateway_refunds`.
* paid by bank transfer (or with no payment record): recorded as "to be returned by transfer";
  a city administrator transfers the money back and records it with the bank's reference.

When a refund completes, a cancelled part that had been marked paid moves to "refunded" through
`orders.moves.refund_vendor_order`, and the payment becomes "refunded" once all of it went back.
"""

from __future__ import annotations

import logging

from flask import current_app, has_request_context
from sqlalchemy import select

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.jobs import after_commit, each_in_own_transaction
from marketplace.mail import dispatch_queued, queue_email
from marketplace.observability import count_event, count_refund
from marketplace.orders import moves as order_moves
from marketplace.orders import notices as order_notices
from marketplace.orders.exceptions import InvalidTransition
from marketplace.orders.models import PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.orders.payment_options import OnlineGateway, is_online, online_gateway
from marketplace.payments import settlement, stripe_gateway
from marketplace.payments.exceptions import MissingReason, PaymentError, ProviderError
from marketplace.payments.models import (
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from marketplace.payments.records import lock_order, log_event, move_payment, raise_flag
from marketplace.payments.states import MONEY_RECEIVED
from marketplace.transitions import TransitionTable, guarded_move, row
from marketplace.urls import absolute_url, site_request_context

log = logging.getLogger(__name__)

PROCESS_REFUND = "marketplace.payments.refunds:process_refund"
#: The job that sends each kind of refund at once (a payout waits for the shopper's account).
PROCESSORS = {
    RefundMethod.CARD: PROCESS_REFUND,
    RefundMethod.GATEWAY: "marketplace.payments.gateway_refunds:process_refund",
}

R = RefundStatus
#: A refund's status machine (`marketplace.transitions`): it completes or fails while pending,
#: and a failed card refund goes back to pending when the city retries it. Any other move is
#: refused with the desk's message (`default_refund_message`).
MACHINE: TransitionTable[RefundStatus, None, Refund] = TransitionTable(
    RefundStatus,
    (
        row(R.PENDING, R.SUCCEEDED),
        row(R.PENDING, R.FAILED),
        row(R.FAILED, R.PENDING),
    ),
    lambda _source, _target: PaymentError(default_refund_message()),
)


def _move_refund(refund: Refund, target: RefundStatus, **values: object) -> None:
    """One move of the refund's machine, as a guarded update (`transitions.guarded_move`)."""
    source = refund.status
    MACHINE.find(source, target)
    guarded_move(MACHINE, refund, target, source=source, values=values)


def refunds_of(payment_id: int) -> list[Refund]:
    """A payment's refunds as the database has them now, oldest first."""
    db.session.flush()
    return list(
        db.session.scalars(
            select(Refund)
            .where(Refund.payment_id == payment_id)
            .order_by(Refund.id)
            .execution_options(populate_existing=True)
        )
    )


def refunded_total(payment_id: int) -> int:
    """What of a payment has gone back or is on its way back (failed refunds excluded)."""
    return sum(r.amount for r in refunds_of(payment_id) if r.status != RefundStatus.FAILED)


def _method_for(payment: Payment | None) -> RefundMethod:
    if payment is not None and payment.method == PaymentMethod.CARD:
        return RefundMethod.CARD
    if (
        payment is not None
        and payment.provider_reference
        and is_online(payment.method)
        and online_gateway(current_app.config) is OnlineGateway.XENDIT
    ):
        # A virtual account cannot be refunded: it is paid out to the shopper's account.
        if payment.method == PaymentMethod.VIRTUAL_ACCOUNT:
            return RefundMethod.PAYOUT
        return RefundMethod.GATEWAY
    return RefundMethod.TRANSFER


def refund_allocation(
    payment: Payment | None,
    vendor_order: VendorOrder,
    amount: int,
    reason: RefundReason,
    actor_id: int | None = None,
    *,
    notify: bool = True,
    complaint_id: int | None = None,
    by_cooperative: bool = False,
) -> Refund | None:
    """Record that ``amount`` of ``payment`` goes back for this part (once per payment and
    part; a complaint's refund once per complaint, beside any other refund of the part). Card
    refunds are sent to Stripe after the commit. None when nothing is left to refund.
    ``notify``: email the shopper about it (else the caller does). ``by_cooperative``: the
    cooperative collected the money itself and returns it (`RefundMethod.COOPERATIVE`)."""
    if complaint_id is not None:
        existing = db.session.scalar(select(Refund).where(Refund.complaint_id == complaint_id))
        if existing is not None:
            return existing
    if payment is not None:
        if complaint_id is None:
            existing = db.session.scalar(
                select(Refund).where(
                    Refund.payment_id == payment.id,
                    Refund.vendor_order_id == vendor_order.id,
                    Refund.complaint_id.is_(None),
                )
            )
            if existing is not None:
                return existing
        amount = min(amount, payment.amount - refunded_total(payment.id))
    if amount <= 0:
        return None
    method = RefundMethod.COOPERATIVE if by_cooperative else _method_for(payment)
    if complaint_id is not None:
        key = f"opop-refund-c{complaint_id}"
    elif payment is not None:
        key = f"opop-refund-p{payment.id}-vo{vendor_order.id}"
    else:
        key = f"opop-refund-vo{vendor_order.id}"
    refund = Refund(
        payment_id=payment.id if payment is not None else None,
        vendor_order_id=vendor_order.id,
        order_id=vendor_order.order_id,
        method=method,
        status=RefundStatus.PENDING,
        reason=reason,
        amount=amount,
        idempotency_key=key,
        requested_by=actor_id,
        complaint_id=complaint_id,
    )
    db.session.add(refund)
    db.session.flush()
    if payment is not None:
        log_event(
            payment,
            "refund_requested",
            note=f"{vendor_order.cooperative_name}: {amount}",
            actor_id=actor_id,
            data={"refund_id": refund.id, "amount": amount, "reason": str(reason)},
        )
    audit.record(
        "refund.requested",
        refund,
        actor_id=actor_id,
        cooperative_id=vendor_order.cooperative_id,
        data={
            "amount": amount,
            "method": str(method),
            "reason": str(reason),
            "number": vendor_order.order.number,
        },
    )
    count_event("refund_requested")
    if notify:
        _queue_refund_email([refund], vendor_order)
    if method in PROCESSORS:
        after_commit(PROCESSORS[method], refund.id)
    return refund


def refund_cancelled_part(vendor_order: VendorOrder, actor_id: int | None = None) -> list[Refund]:
    """A paid part was cancelled: refund what each payment paid for it. The shopper gets one
    email, saying the part was cancelled and why, and how the money comes back. Returns the
    refunds requested now (none: nothing was left to return, and no email)."""
    before = set(
        db.session.scalars(select(Refund.id).where(Refund.vendor_order_id == vendor_order.id))
    )
    rows = db.session.execute(
        select(Payment, PaymentAllocation)
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(
            PaymentAllocation.vendor_order_id == vendor_order.id,
            Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]),
        )
        .order_by(Payment.id)
    ).all()
    refunds = []
    for payment, allocation in rows:
        refund = refund_allocation(
            payment, vendor_order, allocation.amount, RefundReason.CANCELLED, actor_id, notify=False
        )
        if refund is not None and refund.id not in before:
            refunds.append(refund)
    if not rows:
        # Marked paid without a payment record (older data, or paid outside the app): the money
        # is returned by transfer, by people.
        refund = refund_allocation(
            None, vendor_order, vendor_order.total, RefundReason.CANCELLED, actor_id, notify=False
        )
        if refund is not None and refund.id not in before:
            refunds.append(refund)
    if refunds:
        _queue_refund_email(refunds, vendor_order, cancelled=True)
    return refunds


def _queue_refund_email(
    refunds: list[Refund], vendor_order: VendorOrder, *, cancelled: bool = False
) -> None:
    """One email for the money going back for a part; ``cancelled``: because the part was
    cancelled just now, which the email then tells too (the status email is not sent)."""
    order = vendor_order.order
    shopper = order.user
    queue_email(
        shopper.email,
        "refund_started",
        shopper.locale,
        user=shopper,
        order=order,
        vendor_order=vendor_order,
        amount=sum(refund.amount for refund in refunds),
        by_card=all(refund.method == RefundMethod.CARD for refund in refunds),
        methods={str(refund.method) for refund in refunds},
        cancelled=cancelled,
        display_note=order_notices.display_note,
        order_url=absolute_url("orders.detail", number=order.number),
    )


# ------------------------------------------------------------------------------------------
# Completing refunds
# ------------------------------------------------------------------------------------------


def complete_refund(
    refund: Refund,
    reference: str,
    actor_id: int | None = None,
    raw: dict[str, object] | None = None,
) -> None:
    """The money went back: record it, move the part to "refunded" when it had been marked
    paid, and the payment to "refunded" when nothing of it is left."""
    values: dict[str, object] = {
        "provider_reference": reference[:255],
        "completed_at": clock.now(),
        "completed_by": actor_id,
        "last_error": None,
    }
    if raw is not None:
        values["raw_payload"] = dict(raw)
    _move_refund(refund, RefundStatus.SUCCEEDED, **values)
    vendor_order = refund.vendor_order
    if (
        vendor_order is not None
        and vendor_order.state == VendorOrderStatus.CANCELLED
        and vendor_order.paid_at is not None
    ):
        try:
            with db.session.begin_nested():
                order_moves.refund_vendor_order(vendor_order, reference=reference)
        except InvalidTransition:
            log.info("vendor order %s was already refunded", vendor_order.id)
    payment = refund.payment
    if payment is not None:
        db.session.refresh(payment)
        log_event(
            payment,
            "refund_completed",
            note=reference,
            actor_id=actor_id,
            data={"refund_id": refund.id, "amount": refund.amount},
        )
        returned = sum(
            r.amount for r in refunds_of(payment.id) if r.status == RefundStatus.SUCCEEDED
        )
        if returned >= payment.amount and payment.state in (
            PaymentStatus.SUCCEEDED,
            PaymentStatus.HELD,
        ):
            move_payment(payment, PaymentStatus.REFUNDED, kind="refunded", actor_id=actor_id)
    if vendor_order is not None and refund.reason != RefundReason.DUPLICATE:
        # A duplicate payment was never the part's money: returning it, even after the part's
        # earning is in the ledger, takes nothing from the cooperative. A complaint's refund is
        # of goods only: their commission comes back (`settlement.post_refund`); money the
        # cooperative returned itself never passed through the platform, so only that.
        settlement.post_refund(
            vendor_order,
            refund.amount,
            actor_id=actor_id,
            goods=refund.amount if refund.reason == RefundReason.COMPLAINT else 0,
            from_platform=refund.method != RefundMethod.COOPERATIVE,
        )
    audit.record(
        "refund.completed",
        refund,
        actor_id=actor_id,
        cooperative_id=vendor_order.cooperative_id if vendor_order else None,
        data={"amount": refund.amount, "reference": reference, "method": refund.method},
    )
    count_event("payment_refunded")
    count_refund(refund.method, "completed")


def process_refund(refund_id: int) -> bool:
    """Send a pending card refund to Stripe and record the answer: its own unit of work (it
    commits). Safe to run twice at once: Stripe answers the same idempotency key with the same
    refund, and the result is recorded under the order's lock. True when it completed.

    Runs after a request's commit, in a worker or from cron: outside a request, links in the
    emails it queues use SERVER_BASE_URL."""
    if not has_request_context():
        with site_request_context():
            return _process_refund(refund_id)
    return _process_refund(refund_id)


def _process_refund(refund_id: int) -> bool:
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if (
        refund is None
        or refund.status != RefundStatus.PENDING
        or refund.method != RefundMethod.CARD
        or refund.payment is None
    ):
        db.session.commit()
        return False
    payment = refund.payment
    intent = payment.payment_intent
    metadata = {
        "refund_id": str(refund.id),
        "payment_id": str(payment.id),
        "order_id": str(refund.order_id),
        "vendor_order_id": str(refund.vendor_order_id or ""),
    }
    result = None
    failure: ProviderError | None = None
    if not intent:
        failure = ProviderError(
            detail="the payment has no PaymentIntent to refund", retryable=False
        )
    else:
        try:
            result = stripe_gateway.create_refund(
                payment_intent=intent,
                amount=refund.amount,
                idempotency_key=refund.idempotency_key,
                metadata=metadata,
            )
        except ProviderError as error:
            failure = error
    # Record the outcome under the order's lock (the call above held no lock).
    lock_order(refund.order_id)
    db.session.refresh(refund)
    if refund.status != RefundStatus.PENDING:
        db.session.commit()
        return False
    refund.attempts += 1
    if result is not None and result.status not in ("failed", "canceled"):
        complete_refund(refund, result.id, raw=result.raw)
        db.session.commit()
        dispatch_queued()
        return True
    detail = failure.detail if failure is not None else f"Stripe refund {result and result.status}"
    refund.last_error = detail[:2000]
    retryable = failure.retryable if failure is not None else False
    if not retryable or refund.attempts >= current_app.config["PAYMENT_REFUND_MAX_ATTEMPTS"]:
        _move_refund(refund, RefundStatus.FAILED)
        count_event("refund_failed")
        count_refund(refund.method, "failed")
        audit.record(
            "refund.failed",
            refund,
            cooperative_id=refund.vendor_order.cooperative_id if refund.vendor_order else None,
            data={"amount": refund.amount, "error": detail[:500]},
        )
    db.session.commit()
    return False


def retry_pending_refunds(limit: int = 100) -> int:
    """The periodic task: card refunds still pending (a failed call, a crash) are sent again."""
    ids = list(
        db.session.scalars(
            select(Refund.id)
            .where(Refund.status == RefundStatus.PENDING, Refund.method == RefundMethod.CARD)
            .order_by(Refund.id)
            .limit(limit)
        )
    )
    db.session.commit()
    # process_refund commits itself (around the call to Stripe); the helper's commit then finds
    # nothing left to write.
    processed = each_in_own_transaction(
        ids,
        process_refund,
        lambda refund_id: f"refund {refund_id} could not be processed",
        logger=log,
    )
    return sum(processed)


# ------------------------------------------------------------------------------------------
# The city's actions
# ------------------------------------------------------------------------------------------


def _admin_refund(admin: User, refund_id: int) -> Refund:
    if not admin.is_city_admin:
        raise NotFound()
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound()
    lock_order(refund.order_id)
    db.session.refresh(refund)
    return refund


def mark_returned(admin: User, refund_id: int, bank_reference: str) -> Refund:
    """A city administrator transferred the money back: record it with the bank's reference."""
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise MissingReason()
    refund = _admin_refund(admin, refund_id)
    if refund.method != RefundMethod.TRANSFER or refund.status != RefundStatus.PENDING:
        raise PaymentError(default_refund_message())
    complete_refund(refund, bank_reference, actor_id=admin.id)
    return refund


def retry_refund(admin: User, refund_id: int) -> Refund:
    """Try a failed card or gateway refund again (after the city fixed what the provider
    complained about). A gateway refund that the gateway settled as failed is asked for again
    under a new idempotency key (the old one names the failed refund)."""
    refund = _admin_refund(admin, refund_id)
    if refund.kind not in PROCESSORS or refund.status != RefundStatus.FAILED:
        raise PaymentError(default_refund_message())
    values: dict[str, object] = {"attempts": 0}
    if refund.method == RefundMethod.GATEWAY and refund.provider_reference:
        values.update(gateway_round=refund.gateway_round + 1, provider_reference=None)
    _move_refund(refund, RefundStatus.PENDING, **values)
    audit.record("refund.retried", refund, actor_id=admin.id, data={"amount": refund.amount})
    after_commit(PROCESSORS[refund.kind], refund.id)
    return refund


def default_refund_message() -> str:
    from flask_babel import gettext as _

    return str(_("Pengembalian dana ini sudah diproses atau tidak dapat diubah lagi."))


# ------------------------------------------------------------------------------------------
# Stripe's view of refunds (charge.refunded)
# ------------------------------------------------------------------------------------------


def reconcile_card_refunds(payment: Payment, refunded_minor: int, charge_id: str) -> None:
    """Stripe says this much of the payment's charge has been refunded: complete the pending
    card refunds it covers, and flag money Stripe returned that the app did not ask for."""
    covered = refunded_minor
    refunds = refunds_of(payment.id)
    succeeded = [r for r in refunds if r.status == RefundStatus.SUCCEEDED]
    covered -= sum(stripe_gateway.minor_units(r.amount) for r in succeeded)
    for refund in refunds:
        if refund.status == RefundStatus.PENDING and refund.method == RefundMethod.CARD:
            needed = stripe_gateway.minor_units(refund.amount)
            if covered < needed:
                break
            refund.attempts += 1
            complete_refund(refund, charge_id)
            covered -= needed
    expected = sum(
        stripe_gateway.minor_units(r.amount)
        for r in refunds_of(payment.id)
        if r.status != RefundStatus.FAILED
    )
    if refunded_minor > expected and payment.state in MONEY_RECEIVED:
        raise_flag(
            payment,
            PaymentFlag.REFUNDED_OUTSIDE,
            f"Stripe refunded {refunded_minor / 100:.2f} IDR of charge {charge_id}; "
            f"Pasar OPOP asked for {expected / 100:.2f} IDR.",
        )
        count_event("payment_refunded_outside")
