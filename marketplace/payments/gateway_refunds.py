"""Refunds of online payments through the Indonesian gateway (Xendit), issue 20 step 3.

A part paid online and then cancelled gets its money back the way the payment came in:

* QRIS and e-wallets (`RefundMethod.GATEWAY`): through Xendit's Refund API, for exactly the
  part's amount, under an idempotency key fixed per refund (``opop-refund-p<payment>-vo<part>``;
  a new round after a refund Xendit settled as failed, see `Refund.gateway_round`). The call is
  made after the deciding transaction committed (`refunds.PROCESSORS`), never under a lock; a
  call that goes unanswered is sent again, with the same key, by the periodic task
  ``payments.retry_gateway_refunds``, and after ``PAYMENT_REFUND_MAX_ATTEMPTS`` the refund is
  failed and on the city's desk, as a card refund is. Xendit settles a refund later:
  its callback (``refund.succeeded``/``refund.failed``) is stored once by `online.handle_callback`
  and only what the refund READ BACK from Xendit says is applied, under the order's lock.
* virtual accounts, and any payment Xendit answers ``REFUND_NOT_SUPPORTED`` (`RefundMethod.PAYOUT`):
  the refund waits until the shopper gives a bank account on the order's payment page
  (`give_account`), then goes out as a payout (``opop-refund-<id>-<round>``, its idempotency key
  from the same round). The payout's callback is read back the same way; a payout the bank
  refuses empties the account so the shopper can correct it, and the next payout gets a new key.

Every change is in the audit log (``refund.*``) and the metrics; the refund's completion is
`refunds.complete_refund`, shared with cards and transfers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.jobs import after_commit, each_in_own_transaction
from marketplace.mail import dispatch_queued, queue_email
from marketplace.observability import count_event, count_refund
from marketplace.orders.models import Order
from marketplace.orders.payment_options import OnlineGateway, online_gateway
from marketplace.payments import xendit_gateway
from marketplace.payments.exceptions import PaymentError
from marketplace.payments.gateway_exceptions import (
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
)
from marketplace.payments.models import (
    GatewayCallbackRecord,
    PaymentFlag,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from marketplace.payments.records import lock_order, raise_flag
from marketplace.payments.refunds import (
    _move_refund,
    complete_refund,
    default_refund_message,
)
from marketplace.payments.xendit_records import (
    GatewayCallback,
    GatewayPayout,
    GatewayRefund,
    Status,
)
from marketplace.payments.xendit_records import RefundReason as GatewayReason
from marketplace.urls import absolute_url, site_request_context

log = logging.getLogger(__name__)

PROCESS_PAYOUT = "marketplace.payments.gateway_refunds:process_payout"
#: Every payout made for a refund has a reference with this prefix: `online.handle_callback`
#: sends only these payout callbacks here (the cooperatives' payouts are another module's).
PAYOUT_PREFIX = "opop-refund-"
#: The banks a refund can be paid out to (Xendit's payout channel codes), in the form's order.
PAYOUT_BANKS: dict[str, str] = {
    "ID_BCA": "BCA",
    "ID_BNI": "BNI",
    "ID_BRI": "BRI",
    "ID_MANDIRI": "Mandiri",
    "ID_PERMATA": "Permata",
    "ID_BSI": "BSI (Bank Syariah Indonesia)",
}
#: Refusals that say the destination account is wrong: the shopper corrects it.
ACCOUNT_REFUSALS = frozenset(
    {"API_VALIDATION_ERROR", "INVALID_DESTINATION", "INVALID_ACCOUNT", "RECIPIENT_NOT_FOUND"}
)
_REASONS = {
    RefundReason.CANCELLED: GatewayReason.CANCELLATION,
    RefundReason.PAID_AFTER_CANCEL: GatewayReason.CANCELLATION,
    RefundReason.DUPLICATE: GatewayReason.DUPLICATE,
    RefundReason.COMPLAINT: GatewayReason.REQUESTED_BY_CUSTOMER,
}


def _gateway() -> ModuleType:
    """Refunds and payouts go through Xendit only (the simulation gateway has neither). With
    its keys removed, a refund waits (a call that could not be made) until they are back, or
    fails after the attempts like any unanswered call."""
    if online_gateway(current_app.config) is not OnlineGateway.XENDIT:
        raise GatewayUnavailable(
            detail="Xendit is not configured (XENDIT_SECRET_KEY, XENDIT_CALLBACK_TOKEN)"
        )
    return xendit_gateway


def refund_key(refund: Refund) -> str:
    """The idempotency key of the refund's current round at the gateway."""
    if refund.gateway_round == 0:
        return refund.idempotency_key
    return f"{refund.idempotency_key}-r{refund.gateway_round}"[:80]


def gateway_reference(refund: Refund) -> str:
    """The reference of the refund's current round at the gateway (its refund or payout): a
    late callback about an earlier round names another one."""
    return f"{PAYOUT_PREFIX}{refund.id}-{refund.gateway_round}"


def _in_site_context(work: Callable[[int], bool], refund_id: int) -> bool:
    """Jobs run outside a request: links in the emails they queue use SERVER_BASE_URL."""
    if not has_request_context():
        with site_request_context():
            return work(refund_id)
    return work(refund_id)


def _record_sent(
    refund: Refund, gateway_id: str, raw: Mapping[str, Any], action: str, data: dict[str, Any]
) -> None:
    """Xendit made the refund or the payout: keep its id and answer, and audit it."""
    refund.provider_reference = gateway_id
    refund.raw_payload = dict(raw)
    refund.last_error = None
    audit.record(
        action,
        refund,
        cooperative_id=_cooperative_id(refund),
        data={"amount": refund.amount, **data},
    )


def _cooperative_id(refund: Refund) -> int | None:
    return refund.vendor_order.cooperative_id if refund.vendor_order else None


def _relock(refund: Refund) -> bool:
    """Take the order's lock and read the refund again: True when it still waits."""
    lock_order(refund.order_id)
    db.session.refresh(refund)
    return refund.status == RefundStatus.PENDING


# ------------------------------------------------------------------------------------------
# Sending refunds and payouts
# ------------------------------------------------------------------------------------------


def process_refund(refund_id: int) -> bool:
    """Ask Xendit to refund a pending gateway refund and record the answer: its own unit of
    work (it commits). Twice at once is safe: the same key gets the same refund back."""
    return _in_site_context(_process_refund, refund_id)


def _process_refund(refund_id: int) -> bool:
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if (
        refund is None
        or refund.status != RefundStatus.PENDING
        or refund.method != RefundMethod.GATEWAY
        or refund.payment is None
    ):
        db.session.commit()
        return False
    payment = refund.payment
    result: GatewayRefund | None = None
    failure: GatewayError | None = None
    try:
        result = _gateway().create_refund(
            payment_request_id=payment.provider_reference or "",
            amount=refund.amount,
            reason=_REASONS[RefundReason(refund.reason)],
            idempotency_key=refund_key(refund),
            reference=gateway_reference(refund),
            metadata={"refund_id": str(refund.id), "order_id": str(refund.order_id)},
        )
    except GatewayError as error:
        failure = error
    if not _relock(refund):
        db.session.commit()
        return False
    refund.attempts += 1
    if result is not None:
        _record_sent(
            refund,
            result.id,
            result.raw,
            "refund.sent",
            {"gateway": result.id, "status": result.gateway_status},
        )
        outcome = _settle_refund(refund, result)
        db.session.commit()
        dispatch_queued()
        return outcome == "refund_completed"
    assert failure is not None
    if isinstance(failure, GatewayRefused) and failure.code == "REFUND_NOT_SUPPORTED":
        _to_payout(refund, failure.detail)
    else:
        _call_failed(refund, failure)
    db.session.commit()
    dispatch_queued()
    return False


def _to_payout(refund: Refund, detail: str) -> None:
    """Xendit cannot refund this payment: the money goes out as a payout to the shopper's
    account, once given."""
    refund.method = RefundMethod.PAYOUT
    refund.last_error = None
    audit.record(
        "refund.needs_account",
        refund,
        cooperative_id=_cooperative_id(refund),
        data={"amount": refund.amount, "why": detail[:300]},
    )
    count_event("refund_needs_account")
    _ask_for_account(refund)


def _call_failed(refund: Refund, failure: GatewayError) -> None:
    """The call was refused or went unanswered: try again later with the same key, or give up
    (refused, or too many attempts) and put it on the city's desk."""
    refund.last_error = failure.detail[:2000] or str(failure.message)
    if failure.retryable and refund.attempts < current_app.config["PAYMENT_REFUND_MAX_ATTEMPTS"]:
        audit.record(
            "refund.call_failed",
            refund,
            cooperative_id=_cooperative_id(refund),
            data={"attempts": refund.attempts, "error": refund.last_error[:500]},
        )
        return
    _fail(refund, refund.last_error)


def _fail(refund: Refund, detail: str) -> None:
    _move_refund(refund, RefundStatus.FAILED, last_error=detail[:2000])
    count_event("refund_failed")
    count_refund(refund.method, "failed")
    audit.record(
        "refund.failed",
        refund,
        cooperative_id=_cooperative_id(refund),
        data={"amount": refund.amount, "error": detail[:500]},
    )


def process_payout(refund_id: int) -> bool:
    """Pay a refund out to the account the shopper gave: its own unit of work (it commits).
    Twice at once is safe: the same key gets the same payout back."""
    return _in_site_context(_process_payout, refund_id)


def _process_payout(refund_id: int) -> bool:
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if (
        refund is None
        or refund.status != RefundStatus.PENDING
        or refund.method != RefundMethod.PAYOUT
        or not refund.payout_account_number
        or refund.provider_reference
    ):
        db.session.commit()
        return False
    sent_round = refund.gateway_round
    result: GatewayPayout | None = None
    failure: GatewayError | None = None
    try:
        result = _gateway().create_payout(
            reference=gateway_reference(refund),
            amount=refund.amount,
            channel_code=refund.payout_channel or "",
            account_number=refund.payout_account_number,
            account_holder_name=refund.payout_account_holder or "",
            idempotency_key=f"{refund.idempotency_key}-payout-{sent_round}"[:80],
            description=_("Pengembalian dana %(number)s", number=refund.order.number),
            metadata={"refund_id": str(refund.id), "order_id": str(refund.order_id)},
        )
    except GatewayError as error:
        failure = error
    if not _relock(refund) or refund.gateway_round != sent_round:
        db.session.commit()
        return False
    refund.attempts += 1
    if result is not None:
        _record_sent(
            refund,
            result.id,
            result.raw,
            "refund.paid_out",
            {"payout": result.id, "bank": refund.payout_channel},
        )
        outcome = _settle_payout(refund, result)
        db.session.commit()
        dispatch_queued()
        return outcome == "refund_completed"
    assert failure is not None
    if not failure.retryable and failure.code in ACCOUNT_REFUSALS:
        _account_refused(refund, failure.detail)
    else:
        _call_failed(refund, failure)
    db.session.commit()
    dispatch_queued()
    return False


def retry_pending() -> int:
    """The periodic task: gateway refunds and payouts whose call failed (or never ran) are sent
    again, with the same key."""
    rows = db.session.execute(
        select(Refund.id, Refund.method)
        .where(
            Refund.status == RefundStatus.PENDING,
            Refund.provider_reference.is_(None),
            Refund.method.in_([RefundMethod.GATEWAY, RefundMethod.PAYOUT]),
            (Refund.method == RefundMethod.GATEWAY) | Refund.payout_account_number.is_not(None),
        )
        .order_by(Refund.id)
        .limit(100)
    ).all()
    db.session.commit()
    done = each_in_own_transaction(
        list(rows),
        lambda row: (process_refund if row[1] == RefundMethod.GATEWAY else process_payout)(row[0]),
        lambda row: f"refund {row[0]} could not be sent",
        logger=log,
    )
    return sum(done)


# ------------------------------------------------------------------------------------------
# What the gateway settled
# ------------------------------------------------------------------------------------------


def _settle_refund(refund: Refund, read: GatewayRefund) -> str:
    """Apply a refund as Xendit reports it (an answer, or read back), under the order's lock."""
    if read.status is Status.SUCCEEDED:
        refund.gateway_fee = read.fee
        complete_refund(refund, read.id, raw=read.raw)
        return "refund_completed"
    if read.status in (Status.FAILED, Status.CANCELED):
        _fail(refund, f"Xendit refund {read.id}: {read.failure_code or read.gateway_status}")
        return "refund_failed"
    return "refund_pending"


def _settle_payout(refund: Refund, read: GatewayPayout) -> str:
    if read.status is Status.SUCCEEDED:
        complete_refund(refund, read.id, raw=read.raw)
        return "refund_completed"
    if read.status in (Status.FAILED, Status.CANCELED, Status.REVERSED):
        _account_refused(refund, f"{read.failure_code or read.gateway_status}")
        return "payout_failed"
    return "payout_pending"


def _account_refused(refund: Refund, detail: str) -> None:
    """The bank (or Xendit) refused the account: the shopper gives it again; the next payout
    is a new round with its own key."""
    audit.record(
        "refund.payout_failed",
        refund,
        cooperative_id=_cooperative_id(refund),
        data={"bank": refund.payout_channel, "error": detail[:500]},
    )
    bank = PAYOUT_BANKS.get(refund.payout_channel or "", refund.payout_channel or "")
    refund.last_error = detail[:2000]
    refund.payout_channel = None
    refund.payout_account_number = None
    refund.payout_account_holder = None
    refund.provider_reference = None
    refund.gateway_round += 1
    count_event("refund_payout_failed")
    _ask_for_account(refund, refused_by=bank)


def _ask_for_account(refund: Refund, refused_by: str | None = None) -> None:
    """Email the shopper: give (or correct) the account the refund goes to."""
    order = refund.order
    shopper = order.user
    queue_email(
        shopper.email,
        "refund_account_needed",
        shopper.locale,
        user=shopper,
        order=order,
        refund=refund,
        refused=refused_by is not None,
        bank=refused_by or "",
        account_url=absolute_url(
            "payments.pay", number=order.number, _anchor=f"refund-{refund.id}"
        ),
    )


def _refund_named(callback: GatewayCallback, method: RefundMethod) -> Refund | None:
    if callback.object_id:
        found = db.session.scalar(
            select(Refund).where(
                Refund.provider_reference == callback.object_id, Refund.method == method
            )
        )
        if found is not None:
            return found
    match = re.fullmatch(rf"{PAYOUT_PREFIX}(\d+)(-\d+)?", callback.reference or "")
    if match is None:
        return None
    found = db.session.get(Refund, int(match.group(1)))
    return found if found is not None and found.method == method else None


def on_refund_callback(callback: GatewayCallback, record: GatewayCallbackRecord) -> str:
    """``refund.succeeded``/``refund.failed``, stored once already: the refund is read back from
    Xendit and applied; a callback that is late or out of order changes nothing."""
    refund = _refund_named(callback, RefundMethod.GATEWAY)
    if refund is None or not callback.object_id:
        log.warning("Xendit refund callback %s names no refund of ours", callback.dedup_key)
        return "unknown_refund"
    record.payment_id = refund.payment_id
    read = _gateway().get_refund(callback.object_id)
    if not _relock(refund):
        return "already_applied"
    payment = refund.payment
    if payment is None:
        return "unknown_refund"
    if read.payment_request_id != payment.provider_reference or read.amount != refund.amount:
        raise_flag(
            payment,
            PaymentFlag.REFUNDED_OUTSIDE,
            f"Xendit refund {read.id}: {read.amount} of {read.payment_request_id}; "
            f"refund {refund.id} asked {refund.amount}.",
        )
        return "refund_mismatch"
    if read.reference != gateway_reference(refund):
        return "stale"  # a refund of an earlier round, since retried
    if refund.provider_reference is None:
        refund.provider_reference = read.id  # the call's answer was lost; Xendit made it
    if refund.provider_reference != read.id:
        return "stale"
    return _settle_refund(refund, read)


def on_payout_callback(callback: GatewayCallback, record: GatewayCallbackRecord) -> str:
    """``payout.*`` for a refund's payout, stored once already: read back and applied. A payout
    of an earlier round (an account since corrected) changes nothing."""
    refund = _refund_named(callback, RefundMethod.PAYOUT)
    if refund is None or not callback.object_id:
        log.warning("Xendit payout callback %s names no refund of ours", callback.dedup_key)
        return "unknown_refund"
    record.payment_id = refund.payment_id
    read = _gateway().get_payout(callback.object_id)
    if not _relock(refund):
        if refund.status == RefundStatus.SUCCEEDED and read.status is Status.REVERSED:
            return _returned_after_completion(refund, read)
        return "already_applied"
    if read.reference != gateway_reference(refund) or read.amount != refund.amount:
        return "stale"
    if refund.provider_reference is None:
        refund.provider_reference = read.id
    if refund.provider_reference != read.id:
        return "stale"
    return _settle_payout(refund, read)


def _returned_after_completion(refund: Refund, read: GatewayPayout) -> str:
    """The bank sent a completed payout back: the shopper does not have the money after all.
    The refund stays completed in the books; the city's desk gets the payment flagged."""
    if read.id != refund.provider_reference or refund.payment is None:
        return "stale"
    raise_flag(
        refund.payment,
        PaymentFlag.REFUND_RETURNED,
        f"Xendit payout {read.id} of refund {refund.id} ({refund.amount}) was reversed: "
        f"{read.failure_code or read.gateway_status}.",
    )
    audit.record(
        "refund.payout_reversed",
        refund,
        cooperative_id=_cooperative_id(refund),
        data={"amount": refund.amount, "payout": read.id},
    )
    count_event("refund_payout_reversed")
    return "payout_reversed"


def is_refund_payout(callback: GatewayCallback) -> bool:
    return (callback.reference or "").startswith(PAYOUT_PREFIX)


# ------------------------------------------------------------------------------------------
# The shopper's bank account
# ------------------------------------------------------------------------------------------


def shopper_refund(user: User, number: str, refund_id: int) -> Refund:
    """One of the user's refunds; another shopper's is not found, exactly like a missing one."""
    refund = db.session.scalar(
        select(Refund)
        .join(Order, Order.id == Refund.order_id)
        .where(Refund.id == refund_id, Order.number == number, Order.user_id == user.id)
    )
    if refund is None:
        raise NotFound()
    return refund


def _account_number(raw: str) -> str:
    number = re.sub(r"[\s.-]", "", raw or "")
    if not re.fullmatch(r"[0-9]{6,20}", number):
        raise PaymentError(_("Nomor rekening hanya berisi angka, 6 sampai 20 digit."))
    return number


def _holder(raw: str) -> str:
    holder = " ".join((raw or "").split())
    if not 3 <= len(holder) <= 100 or not re.fullmatch(r"[^\W\d_][\w .,'-]*", holder):
        raise PaymentError(_("Tulis nama pemilik rekening seperti tertulis di buku tabungan."))
    return holder


def give_account(
    user: User, number: str, refund_id: int, bank: str, account_number: str, holder: str
) -> Refund:
    """The shopper gives the bank account a payout refund goes to (or corrects one the bank
    refused); the payout is sent after the commit. Bad input changes nothing."""
    refund = shopper_refund(user, number, refund_id)
    if bank not in PAYOUT_BANKS:
        raise PaymentError(_("Pilih bank tujuan dari daftar."))
    account_number = _account_number(account_number)
    holder = _holder(holder)
    lock_order(refund.order_id)
    db.session.refresh(refund)
    if not refund.needs_account:
        raise PaymentError(default_refund_message())
    refund.payout_channel = bank
    refund.payout_account_number = account_number
    refund.payout_account_holder = holder
    refund.attempts = 0
    audit.record(
        "refund.account_given",
        refund,
        actor_id=user.id,
        cooperative_id=_cooperative_id(refund),
        data={"bank": bank, "account": f"…{account_number[-4:]}", "round": refund.gateway_round},
    )
    after_commit(PROCESS_PAYOUT, refund.id)
    return refund


def refunds_awaiting_account() -> list[Refund]:
    """For the city's desk: payouts still waiting for the shopper's account."""
    return list(
        db.session.scalars(
            select(Refund)
            .where(
                Refund.status == RefundStatus.PENDING,
                Refund.method == RefundMethod.PAYOUT,
                Refund.payout_account_number.is_(None),
            )
            .order_by(Refund.id)
        )
    )
