"""The daily reconciliation with the gateway: Xendit's own list of the day's transactions is
compared with our records, Xendit's fee is recorded on each payment it matches, and every
difference goes to the city's payment desk.

A day is a calendar day in Kota Mojokerto (WIB). For each PAYMENT Xendit reports that day, the
online payment with that reference (the order number) and that amount must be recorded here as
received: otherwise "paid there, not here" (or "amounts differ" when only the amount is off).
Each online payment received here that day must be among Xendit's transactions: otherwise
"recorded here, not paid there". Money is compared gross; fees are recorded apart (borne by the
platform) and summed per day. Xendit records a payment a little before or after our callback
arrives, so our side is looked up in Xendit's list with an hour's margin on each side.

Running a day again records nothing twice (each difference has a unique key, the day's run is
replaced). The periodic task runs the previous day once it has ended, only with Xendit on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.observability import count_event
from marketplace.orders.payment_options import ONLINE_METHODS, OnlineGateway, online_gateway
from marketplace.payments import settlement, xendit_gateway
from marketplace.payments.exceptions import MissingReason
from marketplace.payments.models import (
    CooperativePayout,
    Payment,
    PaymentEvent,
    PaymentStatus,
    PayoutStatus,
)
from marketplace.payments.reconciliation_models import (
    DifferenceKind,
    ReconciliationDifference,
    ReconciliationRun,
)
from marketplace.payments.states import MONEY_RECEIVED
from marketplace.payments.xendit_records import GatewayTransaction

log = logging.getLogger(__name__)

P = PaymentStatus
K = DifferenceKind
#: How far apart Xendit's time of a payment and ours may be.
MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class DayResult:
    day: date
    transactions: int
    matched: int
    differences: int
    gross: int
    fees: int
    payouts: int = 0
    payout_fees: int = 0


def _received_online(references: set[str]) -> list[Payment]:
    if not references:
        return []
    return list(
        db.session.scalars(
            select(Payment)
            .where(
                Payment.method.in_(ONLINE_METHODS),
                Payment.reference.in_(references),
                Payment.status.in_(MONEY_RECEIVED),
            )
            .order_by(Payment.id)
        )
    )


def _received_during(start: datetime, end: datetime) -> list[Payment]:
    """Online payments that became received here between ``start`` and ``end``."""
    received_at = (
        select(PaymentEvent.payment_id)
        .where(
            PaymentEvent.to_status.in_((P.SUCCEEDED, P.HELD)),
            PaymentEvent.created_at >= start,
            PaymentEvent.created_at < end,
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Payment)
            .where(
                Payment.id.in_(received_at),
                Payment.method.in_(ONLINE_METHODS),
                Payment.status.in_(MONEY_RECEIVED),
            )
            .order_by(Payment.id)
        )
    )


def _fees_charged() -> bool:
    return bool(current_app.config["GATEWAY_FEES_CHARGED_TO_COOPERATIVES"])


def fee_shares(fee: int, amounts: list[int]) -> list[int]:
    """``fee`` split in proportion to ``amounts``, in whole rupiah adding up to it exactly:
    each share rounded down, the rupiah left over going to the largest remainders (the first
    part on a tie)."""
    total = sum(amounts)
    if total <= 0:
        raise ValueError("nothing to share a fee over")
    shares = [fee * amount // total for amount in amounts]
    by_remainder = sorted(range(len(amounts)), key=lambda i: (-(fee * amounts[i] % total), i))
    for i in by_remainder[: fee - sum(shares)]:
        shares[i] += 1
    return shares


def _charge_payment_fee(payment: Payment, transaction: GatewayTransaction) -> None:
    """With the city's setting, each part's share of the payment's fee is charged to its
    cooperative, the first time the fee is known."""
    if not _fees_charged() or transaction.fee <= 0:
        return
    allocations = list(payment.allocations)
    shares = fee_shares(transaction.fee, [a.amount for a in allocations])
    for allocation, share in zip(allocations, shares, strict=True):
        part = allocation.vendor_order
        settlement.post_gateway_fee(
            part.cooperative_id, share, vendor_order=part, reference=transaction.id
        )


def _reference(transaction: GatewayTransaction | None, payment: Payment | None) -> str:
    if transaction is not None and transaction.reference:
        return transaction.reference
    return payment.reference if payment is not None else ""


def _difference(
    day: date,
    kind: DifferenceKind,
    *,
    transaction: GatewayTransaction | None = None,
    payment: Payment | None = None,
    payout: CooperativePayout | None = None,
) -> bool:
    """Record one difference once; True when it is new."""
    key = f"{kind}:{transaction.id if transaction else ''}:{payment.id if payment else ''}"
    if payout is not None:
        key += f":payout-{payout.id}"
    row = ReconciliationDifference(
        dedup_key=key,
        day=day,
        kind=kind,
        gateway_id=transaction.id if transaction else None,
        payment_id=payment.id if payment else None,
        payout_id=payout.id if payout else None,
        reference=(payout.reference if payout else _reference(transaction, payment))[:80],
        gateway_amount=transaction.amount if transaction else None,
        our_amount=payout.amount if payout else (payment.amount if payment else None),
        found_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    audit.record(
        "payment.reconciliation_difference",
        payment,
        data={
            "day": day.isoformat(),
            "kind": str(kind),
            "transaction": row.gateway_id,
            "reference": row.reference,
            "gateway_amount": row.gateway_amount,
            "our_amount": row.our_amount,
        },
    )
    count_event("reconciliation_difference")
    return True


def reconcile_day(day: date) -> DayResult:
    """Compare one day (WIB) with Xendit; writes in the caller's transaction."""
    start = clock.day_start(day)
    end = clock.day_start(day + timedelta(days=1))
    listed = xendit_gateway.list_transactions(start - MARGIN, end + MARGIN)
    paid = [t for t in listed if t.type == "PAYMENT" and t.succeeded and t.currency == "IDR"]
    of_the_day = [t for t in paid if t.created is not None and start <= t.created < end]
    today_ids = {t.id for t in of_the_day}
    ours = _received_online({t.reference for t in paid if t.reference})
    claimed: set[int] = set()
    matched = differences = 0
    for transaction in sorted(paid, key=lambda t: (t.created or start, t.id)):
        candidates = [
            p
            for p in ours
            if p.reference == transaction.reference
            and p.id not in claimed
            and p.gateway_transaction_id in (None, transaction.id)
        ]
        exact = [p for p in candidates if p.amount == transaction.amount]
        payment = exact[0] if exact else None
        if payment is not None:
            claimed.add(payment.id)
            if payment.gateway_fee is None:
                _charge_payment_fee(payment, transaction)
            payment.gateway_transaction_id = transaction.id
            payment.gateway_fee = transaction.fee
            if transaction.id in today_ids:
                matched += 1
            continue
        if transaction.id not in today_ids:
            continue  # the neighbouring day's run answers for it
        kind = K.AMOUNT_DIFFERS if candidates else K.PAID_NOT_RECORDED
        other = candidates[0] if candidates else None
        differences += _difference(day, kind, transaction=transaction, payment=other)
        if other is not None:
            claimed.add(other.id)
    for payment in _received_during(start, end):
        if payment.id in claimed or payment.gateway_transaction_id is not None:
            continue
        differences += _difference(day, K.RECORDED_NOT_PAID, payment=payment)
    sent = [t for t in listed if t.type == "DISBURSEMENT" and t.succeeded]
    payout_matched, payout_differences = _reconcile_payouts(day, start, end, sent)
    sent_today = [t for t in sent if t.created is not None and start <= t.created < end]
    ours_sent = [t for t in sent_today if (t.reference or "").startswith(PAYOUT_PREFIX)]
    result = DayResult(
        day=day,
        transactions=len(of_the_day) + len(ours_sent),
        matched=matched + payout_matched,
        differences=differences + payout_differences,
        gross=sum(t.amount for t in of_the_day),
        fees=sum(t.fee for t in of_the_day),
        payouts=sum(t.amount for t in ours_sent),
        payout_fees=sum(t.fee for t in ours_sent),
    )
    _record_run(result)
    return result


#: The references of our payouts to cooperatives (`payments.payouts`); refund payouts to
#: shoppers (``opop-refund-``) are checked by their own callbacks.
PAYOUT_PREFIX = "opop-payout-"


def _reconcile_payouts(
    day: date, start: datetime, end: datetime, sent: list[GatewayTransaction]
) -> tuple[int, int]:
    """Each payout to a cooperative Xendit sent that day must be one recorded here as
    succeeded, for the same amount; each payout that succeeded here that day must be among
    Xendit's. Xendit's fee is recorded on the payout. Returns (matched, new differences)."""
    ours = [t for t in sent if (t.reference or "").startswith(PAYOUT_PREFIX)]
    by_reference = {
        payout.reference: payout
        for payout in db.session.scalars(
            select(CooperativePayout).where(
                CooperativePayout.reference.in_({t.reference for t in ours})
            )
        )
    }
    matched = differences = 0
    seen: set[int] = set()
    for transaction in ours:
        payout = by_reference.get(transaction.reference or "")
        if (
            payout is not None
            and payout.status == PayoutStatus.SUCCEEDED
            and payout.amount == transaction.amount
        ):
            seen.add(payout.id)
            if payout.gateway_fee is None and _fees_charged():
                settlement.post_gateway_fee(
                    payout.cooperative_id,
                    transaction.fee,
                    vendor_order=None,
                    reference=payout.reference,
                )
            payout.gateway_fee = transaction.fee
            if transaction.created is not None and start <= transaction.created < end:
                matched += 1
            continue
        if transaction.created is None or not start <= transaction.created < end:
            continue
        differences += _difference(day, K.PAYOUT_MISSING, transaction=transaction, payout=payout)
    succeeded_here = db.session.scalars(
        select(CooperativePayout).where(
            CooperativePayout.status == PayoutStatus.SUCCEEDED,
            CooperativePayout.settled_at >= start,
            CooperativePayout.settled_at < end,
        )
    )
    for payout in succeeded_here:
        if payout.id not in seen and payout.gateway_fee is None:
            differences += _difference(day, K.PAYOUT_MISSING, payout=payout)
    return matched, differences


def _record_run(result: DayResult) -> None:
    run = db.session.scalar(select(ReconciliationRun).where(ReconciliationRun.day == result.day))
    if run is None:
        run = ReconciliationRun(day=result.day)
        db.session.add(run)
    run.ran_at = clock.now()
    run.transactions = result.transactions
    run.matched = result.matched
    # Every difference found for the day, in this run or an earlier one.
    run.differences = (
        db.session.scalar(
            select(func.count())
            .select_from(ReconciliationDifference)
            .where(ReconciliationDifference.day == result.day)
        )
        or 0
    )
    run.gross = result.gross
    run.fees = result.fees
    run.payouts = result.payouts
    run.payout_fees = result.payout_fees
    db.session.flush()
    log.info(
        "Reconciled %s: %d transactions, %d matched, %d new differences",
        result.day,
        result.transactions,
        result.matched,
        result.differences,
    )


def reconcile_due() -> DayResult | None:
    """The periodic task: yesterday (WIB), once, with Xendit on."""
    if online_gateway(current_app.config) is not OnlineGateway.XENDIT:
        return None
    yesterday = clock.today() - timedelta(days=1)
    done = db.session.scalar(select(ReconciliationRun.id).where(ReconciliationRun.day == yesterday))
    if done is not None:
        return None
    return reconcile_day(yesterday)


# ------------------------------------------------------------------------------------------
# The city's page
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationPage:
    runs: list[ReconciliationRun]
    open_differences: list[ReconciliationDifference]
    month_gross: int
    month_fees: int
    month_payouts: int
    month_payout_fees: int


def reconciliation_page(days: int = 31) -> ReconciliationPage:
    since = clock.today() - timedelta(days=days)
    runs = list(
        db.session.scalars(
            select(ReconciliationRun)
            .where(ReconciliationRun.day > since)
            .order_by(ReconciliationRun.day.desc())
        )
    )
    open_differences = list(
        db.session.scalars(
            select(ReconciliationDifference)
            .where(ReconciliationDifference.resolved_at.is_(None))
            .options(
                selectinload(ReconciliationDifference.payment).selectinload(Payment.order),
                selectinload(ReconciliationDifference.payout).selectinload(
                    CooperativePayout.cooperative
                ),
            )
            .order_by(ReconciliationDifference.day, ReconciliationDifference.id)
        )
    )
    month = clock.today().replace(day=1)
    this_month = [run for run in runs if run.day >= month]
    return ReconciliationPage(
        runs=runs,
        open_differences=open_differences,
        month_gross=sum(run.gross for run in this_month),
        month_fees=sum(run.fees for run in this_month),
        month_payouts=sum(run.payouts for run in this_month),
        month_payout_fees=sum(run.payout_fees for run in this_month),
    )


def open_difference_count() -> int:
    """How many differences wait on the city's desk."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(ReconciliationDifference)
            .where(ReconciliationDifference.resolved_at.is_(None))
        )
        or 0
    )


def resolve_difference(admin: User, difference_id: int, note: str) -> ReconciliationDifference:
    """A city administrator says what was done about a difference; it leaves the desk."""
    if not admin.is_city_admin:
        raise NotFound()
    note = (note or "").strip()
    if not note:
        raise MissingReason(_("Tulis apa yang sudah dilakukan."))
    difference = db.session.get(ReconciliationDifference, difference_id, with_for_update=True)
    if difference is None or difference.resolved_at is not None:
        raise NotFound()
    difference.resolved_at = clock.now()
    difference.resolved_by = admin.id
    difference.resolution = note[:1000]
    audit.record(
        "payment.reconciliation_resolved",
        difference.payment,
        actor_id=admin.id,
        data={"difference": difference.id, "kind": difference.kind, "note": note[:500]},
    )
    return difference
