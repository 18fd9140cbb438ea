"""Payouts to cooperatives through the gateway (Xendit's Payout API).

A city administrator pays a cooperative's *available* balance to its bank account: the balance
(`settlement.balance`) less what its parts not yet completed brought in (a part's money is
available once the part is completed). Starting a payout locks the cooperative's row, as
`settlement.record_payout` does, so two payouts started at once never exceed the balance:

* at most PAYOUT_APPROVAL_THRESHOLD rupiah: the amount leaves the balance at once (a ``payout``
  entry through `settlement.record_payout`, its reference ``opop-payout-...``) and the payout is
  sent to the gateway after the commit (`send_payout`), never while a lock is held;
* above it: the payout waits for a SECOND, different city administrator's approval, and only
  then leaves the balance and goes out (the balance is checked again under the lock).

Each payout has one idempotency key for every attempt, so a retry after a timeout (by the city's
"send again" or the periodic task) never pays twice. A payout's callback (``payout.succeeded``,
``payout.failed``, ``payout.reversed``) is stored once by `online.handle_callback`, then the payout
is READ BACK from the gateway before anything changes. A failed (or reversed) payout returns its
amount to the balance as a ``returned`` entry, exactly once (the payout's row is locked and its
status moves once). After a cooperative's bank account changes its payouts wait
PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE (its owners were told by email). The manual path stays:
`settlement.record_payout`, and `pending_csv` for a bank's bulk transfer.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from marketplace import audit, clock, exports
from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.database import as_utc
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import format_day, rupiah
from marketplace.jobs import after_commit, each_in_own_transaction
from marketplace.observability import count_event
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.payments import settlement, xendit_gateway
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.gateway_exceptions import GatewayError
from marketplace.payments.models import (
    ENTRY_SIGNS,
    CooperativePayout,
    PayoutStatus,
    SettlementEntry,
)
from marketplace.payments.settlement import available
from marketplace.payments.xendit_records import CallbackKind, GatewayCallback, GatewayPayout, Status
from marketplace.transitions import TransitionTable, guarded_move, row
from marketplace.urls import site_request_context

log = logging.getLogger(__name__)

PREFIX = "opop-payout-"
SEND_PAYOUT = "marketplace.payments.payouts:send_payout"
P = PayoutStatus
#: Bank names (as a cooperative writes them, upper case, without "BANK") and Xendit's payout
#: channel for each. A bank not listed is paid by hand (the manual path).
CHANNELS = {
    "BCA": "ID_BCA",
    "BNI": "ID_BNI",
    "BRI": "ID_BRI",
    "MANDIRI": "ID_MANDIRI",
    "PERMATA": "ID_PERMATA",
    "BSI": "ID_BSI",
    "SYARIAH INDONESIA": "ID_BSI",
}
_SIGNED = case(
    *((SettlementEntry.kind == kind, sign) for kind, sign in ENTRY_SIGNS.items()), else_=0
)


#: A payout's machine, in the shape of every status machine (`marketplace.transitions`).
MACHINE: TransitionTable[PayoutStatus, None, CooperativePayout] = TransitionTable(
    PayoutStatus,
    (
        row(PayoutStatus.AWAITING_APPROVAL, PayoutStatus.REQUESTED),
        row(PayoutStatus.AWAITING_APPROVAL, PayoutStatus.CANCELLED),
        row(PayoutStatus.REQUESTED, PayoutStatus.SUCCEEDED),
        row(PayoutStatus.REQUESTED, PayoutStatus.FAILED),
        # The bank sent a paid payout back.
        row(PayoutStatus.SUCCEEDED, PayoutStatus.FAILED),
    ),
    lambda _source, _target: PayoutProblem(_("Pembayaran ini sudah diproses.")),
)


def _move(payout: CooperativePayout, target: PayoutStatus, **values: object) -> None:
    """One move of the payout's machine, as a guarded update (`transitions.guarded_move`)."""
    source = payout.status
    MACHINE.find(source, target)
    guarded_move(MACHINE, payout, target, source=source, values=values)


def channel_for(bank_name: str | None) -> str | None:
    """Xendit's payout channel for a bank's name, or None (paid by hand)."""
    name = " ".join((bank_name or "").upper().replace(".", " ").split())
    name = name.removeprefix("PT ").removeprefix("BANK ").removesuffix(" TBK")
    return CHANNELS.get(name)


def is_enabled() -> bool:
    """The "pay through Xendit" button shows only with Xendit's keys."""
    return xendit_gateway.is_configured()


# ------------------------------------------------------------------------------------------
# What may be paid
# ------------------------------------------------------------------------------------------


def not_yet_completed(cooperative_id: int) -> int:
    """What the cooperative's parts not yet completed brought to its balance (never below 0)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(SettlementEntry.amount * _SIGNED), 0))
        .join(VendorOrder, VendorOrder.id == SettlementEntry.vendor_order_id)
        .where(
            SettlementEntry.cooperative_id == cooperative_id,
            VendorOrder.status != VendorOrderStatus.COMPLETED,
        )
    )
    return max(0, int(total or 0))


def held_until(cooperative: Cooperative) -> datetime | None:
    """When payouts to a changed bank account may go out again; None when they may now."""
    changed = cooperative.bank_account_changed_at
    if changed is None:
        return None
    until = as_utc(changed) + timedelta(
        hours=current_app.config["PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"]
    )
    return until if clock.now() < until else None


@dataclass(frozen=True)
class CooperativeRow:
    cooperative: Cooperative
    balance: int
    available: int
    held_until: datetime | None
    channel: str | None


@dataclass(frozen=True)
class Overview:
    cooperatives: list[CooperativeRow]
    awaiting_approval: list[CooperativePayout]
    open: list[CooperativePayout]  # sent, waiting for the bank
    recent: list[CooperativePayout]


def overview(admin: User) -> Overview:
    """The city's payout page: each cooperative with a balance, and the payouts under way."""
    _require_admin(admin)
    rows = [
        CooperativeRow(
            cooperative,
            balance,
            available(cooperative.id),
            held_until(cooperative),
            channel_for(cooperative.bank_name),
        )
        for cooperative, balance in settlement.balances()
    ]

    def payouts(*statuses: PayoutStatus, limit: int = 100) -> list[CooperativePayout]:
        return list(
            db.session.scalars(
                select(CooperativePayout)
                .where(CooperativePayout.status.in_(statuses))
                .order_by(CooperativePayout.id.desc())
                .limit(limit)
            )
        )

    return Overview(
        rows,
        payouts(P.AWAITING_APPROVAL),
        payouts(P.REQUESTED),
        payouts(P.SUCCEEDED, P.FAILED, P.CANCELLED, limit=20),
    )


def _require_admin(admin: User) -> None:
    if not admin.is_city_admin:
        raise NotFound()


# ------------------------------------------------------------------------------------------
# Starting, approving and sending
# ------------------------------------------------------------------------------------------


def _locked_cooperative(cooperative_id: int) -> Cooperative:
    cooperative = db.session.scalar(
        select(Cooperative)
        .where(Cooperative.id == cooperative_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if cooperative is None:
        raise NotFound()
    return cooperative


def _check(cooperative: Cooperative, amount: int) -> str:
    """Whether ``amount`` may go to the (locked) cooperative now; its payout channel."""
    if not is_enabled():
        raise PayoutProblem(_("Xendit belum diatur: catat transfer bank secara manual."))
    if amount <= 0:
        raise PayoutProblem(_("Jumlah harus lebih dari nol."))
    until = held_until(cooperative)
    if until is not None:
        raise PayoutProblem(
            _(
                "Rekening bank %(name)s baru diubah: pembayaran ditahan sampai %(when)s.",
                name=cooperative.name,
                when=format_day(until),
            )
        )
    channel = channel_for(cooperative.bank_name)
    if channel is None:
        raise PayoutProblem(
            _(
                "Bank %(bank)s tidak dapat dibayar lewat Xendit: catat transfer secara manual.",
                bank=cooperative.bank_name,
            )
        )
    free = available(cooperative.id)
    if amount > free:
        raise PayoutProblem(
            _(
                "Jumlah melebihi saldo tersedia %(name)s (%(balance)s).",
                name=cooperative.name,
                balance=rupiah(free),
            )
        )
    return channel


def start_payout(
    admin: User, cooperative_id: int, amount: int, note: str = ""
) -> CooperativePayout:
    """Pay ``amount`` of the cooperative's available balance through the gateway: sent after
    the commit, or (above PAYOUT_APPROVAL_THRESHOLD) left for a second administrator."""
    _require_admin(admin)
    cooperative = _locked_cooperative(cooperative_id)
    _check(cooperative, amount)
    token = secrets.token_hex(12)
    payout = CooperativePayout(
        cooperative_id=cooperative.id,
        amount=amount,
        reference=f"{PREFIX}{token}",
        idempotency_key=f"opop-payout-key-{token}",
        status=P.AWAITING_APPROVAL,
        note=note.strip()[:500],
        requested_by=admin.id,
    )
    db.session.add(payout)
    db.session.flush()
    _audit("payout.started", payout, admin.id)
    if amount > current_app.config["PAYOUT_APPROVAL_THRESHOLD"]:
        count_event("payout_awaiting_approval")
        return payout
    _release(payout, cooperative, admin)
    return payout


def approve_payout(admin: User, payout_id: int) -> CooperativePayout:
    """A second city administrator approves a payout above the threshold: it is checked again
    against the balance (under the lock) and sent."""
    payout = _admin_payout(admin, payout_id)
    cooperative = _locked_cooperative(payout.cooperative_id)
    payout = _locked_payout(payout_id)
    if payout.status != P.AWAITING_APPROVAL:
        raise PayoutProblem(_("Pembayaran ini sudah diproses."))
    if payout.requested_by == admin.id:
        raise PayoutProblem(_("Pembayaran ini harus disetujui oleh admin kota yang lain."))
    _check(cooperative, payout.amount)
    payout.approved_by = admin.id
    _release(payout, cooperative, admin)
    return payout


def cancel_payout(admin: User, payout_id: int) -> CooperativePayout:
    """A payout waiting for approval is refused; nothing left the balance."""
    _admin_payout(admin, payout_id)
    payout = _locked_payout(payout_id)
    if payout.status != P.AWAITING_APPROVAL:
        raise PayoutProblem(_("Pembayaran ini sudah diproses."))
    _move(payout, P.CANCELLED)
    _audit("payout.cancelled", payout, admin.id)
    count_event("payout_cancelled")
    return payout


def retry_payout(admin: User, payout_id: int) -> CooperativePayout:
    """Send again a payout whose call did not get an answer (same idempotency key)."""
    _admin_payout(admin, payout_id)
    payout = _locked_payout(payout_id)
    if payout.status != P.REQUESTED or payout.gateway_id:
        raise PayoutProblem(_("Pembayaran ini sudah diproses."))
    _audit("payout.retried", payout, admin.id)
    after_commit(SEND_PAYOUT, payout.id)
    return payout


def _release(payout: CooperativePayout, cooperative: Cooperative, admin: User) -> None:
    """Take the amount from the balance (the ledger's own payout) and send after the commit."""
    entry = settlement.record_payout(
        admin,
        cooperative.id,
        payout.amount,
        clock.today(),
        payout.reference,
        payout.note or "Xendit",
    )
    _move(
        payout,
        P.REQUESTED,
        entry_id=entry.id,
        bank_name=cooperative.bank_name,
        channel_code=channel_for(cooperative.bank_name),
        account_number=cooperative.bank_account_number,
        account_holder=cooperative.bank_account_holder,
    )
    _audit("payout.requested", payout, admin.id)
    count_event("payout_requested")
    after_commit(SEND_PAYOUT, payout.id)


def _admin_payout(admin: User, payout_id: int) -> CooperativePayout:
    _require_admin(admin)
    payout = db.session.get(CooperativePayout, payout_id)
    if payout is None:
        raise NotFound()
    return payout


def _locked_payout(payout_id: int) -> CooperativePayout:
    payout = db.session.get(
        CooperativePayout, payout_id, with_for_update=True, populate_existing=True
    )
    if payout is None:
        raise NotFound()
    return payout


def send_payout(payout_id: int) -> bool:
    """The job after the commit: ask the gateway to pay (no lock held during the call), then
    record its answer under the payout's lock. A call without an answer leaves the payout
    requested, to be sent again with the same idempotency key."""
    if not has_request_context():
        with site_request_context():
            return _send(payout_id)
    return _send(payout_id)


def _send(payout_id: int) -> bool:
    payout = db.session.get(CooperativePayout, payout_id, populate_existing=True)
    if payout is None or payout.status != P.REQUESTED or payout.gateway_id:
        db.session.commit()
        return False
    failure: GatewayError | None = None
    read: GatewayPayout | None = None
    try:
        read = xendit_gateway.create_payout(
            reference=payout.reference,
            amount=payout.amount,
            channel_code=payout.channel_code or "",
            account_number=payout.account_number or "",
            account_holder_name=payout.account_holder or "",
            idempotency_key=payout.idempotency_key,
            description=f"Pasar OPOP {payout.reference}",
            metadata={"payout_id": str(payout.id), "cooperative_id": str(payout.cooperative_id)},
        )
    except GatewayError as error:
        failure = error
    payout = _locked_payout(payout_id)
    payout.attempts += 1
    if read is not None:
        outcome = _apply(payout, read, via="created")
    elif payout.status != P.REQUESTED:  # settled meanwhile (a callback, another attempt)
        outcome = "payout_unchanged"
    else:
        assert failure is not None
        payout.last_error = failure.detail[:2000]
        if failure.retryable:
            outcome = "payout_unanswered"
            count_event("payout_unanswered")
        else:
            payout.failure_code = (failure.code or "REFUSED")[:80]
            _fail(payout, None)
            outcome = "payout_failed"
    db.session.commit()
    return outcome in ("payout_requested", "payout_succeeded")


def retry_unanswered(limit: int = 100) -> int:
    """The periodic task: payouts sent without an answer go again (same idempotency key)."""
    ids = list(
        db.session.scalars(
            select(CooperativePayout.id)
            .where(CooperativePayout.status == P.REQUESTED, CooperativePayout.gateway_id.is_(None))
            .order_by(CooperativePayout.id)
            .limit(limit)
        )
    )
    db.session.commit()
    sent = each_in_own_transaction(
        ids, send_payout, lambda payout_id: f"payout {payout_id} not sent", logger=log
    )
    return sum(sent)


# ------------------------------------------------------------------------------------------
# What the gateway says
# ------------------------------------------------------------------------------------------


def is_ours(callback: GatewayCallback) -> bool:
    """Whether a callback is about a payout to a cooperative."""
    return callback.kind is CallbackKind.PAYOUT and (callback.reference or "").startswith(PREFIX)


def on_callback(callback: GatewayCallback) -> str:
    """A payout callback (already stored once): read the payout back, then apply it."""
    payout = db.session.scalar(
        select(CooperativePayout).where(CooperativePayout.reference == callback.reference)
    )
    gateway_id = callback.object_id or (payout.gateway_id if payout else None)
    if payout is None or not gateway_id:
        log.warning("Xendit payout callback %s names no payout of ours", callback.dedup_key)
        return "unknown_payout"
    read = xendit_gateway.get_payout(gateway_id)
    payout = _locked_payout(payout.id)
    return _apply(payout, read, via=callback.event)


def _apply(payout: CooperativePayout, read: GatewayPayout, *, via: str) -> str:
    """What the gateway says about a (locked) payout: it succeeded, failed, or is on its way."""
    if read.reference != payout.reference or read.amount != payout.amount:
        payout.last_error = (
            f"{via}: the gateway's payout {read.id} is {read.reference} for {read.amount}"
        )[:2000]
        log.error("Xendit payout %s does not match payout %s", read.id, payout.id)
        count_event("payout_mismatch")
        return "payout_mismatch"
    payout.gateway_id = payout.gateway_id or read.id
    payout.gateway_status = read.gateway_status[:30]
    if payout.status == P.REQUESTED and read.status is Status.SUCCEEDED:
        _move(payout, P.SUCCEEDED, settled_at=clock.now())
        _audit("payout.succeeded", payout, None, via=via)
        settlement.tell_paid(payout.cooperative_id, payout.amount)
        count_event("payout_succeeded")
        return "payout_succeeded"
    returned = (Status.FAILED, Status.CANCELED, Status.REVERSED)
    if payout.status in (P.REQUESTED, P.SUCCEEDED) and read.status in returned:
        payout.failure_code = (read.failure_code or read.gateway_status)[:80]
        _fail(payout, via)
        return "payout_failed"
    return "payout_requested" if payout.status == P.REQUESTED else "payout_unchanged"


def _fail(payout: CooperativePayout, via: str | None) -> None:
    """The payout failed (or came back): its amount returns to the balance, once."""
    _move(payout, P.FAILED, settled_at=clock.now())
    entry = settlement.post_payout_returned(
        payout.cooperative_id, payout.amount, payout.reference, payout.failure_code or ""
    )
    payout.returned_entry_id = entry.id
    db.session.flush()  # the unique returned_entry_id: one return per payout
    _audit("payout.failed", payout, None, via=via or "refused")
    count_event("payout_failed")


def _audit(action: str, payout: CooperativePayout, actor_id: int | None, **extra: str) -> None:
    audit.record(
        action,
        payout,
        actor_id=actor_id,
        cooperative_id=payout.cooperative_id,
        data={
            "amount": payout.amount,
            "reference": payout.reference,
            "status": str(payout.status),
            "gateway_id": payout.gateway_id,
            "failure_code": payout.failure_code,
            **extra,
        },
    )


# ------------------------------------------------------------------------------------------
# The statement and the manual path
# ------------------------------------------------------------------------------------------


def by_reference(references: list[str | None]) -> dict[str, CooperativePayout]:
    """The gateway payouts behind a statement's entries, by their reference."""
    wanted = [r for r in references if r and r.startswith(PREFIX)]
    if not wanted:
        return {}
    found = db.session.scalars(
        select(CooperativePayout).where(CooperativePayout.reference.in_(wanted))
    )
    return {payout.reference: payout for payout in found}


def pending_csv(admin: User) -> bytes:
    """Each cooperative's available balance with its bank account, for a bank's bulk transfer
    (the manual path): cooperatives whose account is on hold are left out."""
    data = overview(admin)
    header = [
        _("Koperasi"),
        _("Bank"),
        _("Nomor rekening"),
        _("Atas nama"),
        _("Jumlah (Rp)"),
    ]
    rows = [
        [
            row.cooperative.name,
            row.cooperative.bank_name,
            row.cooperative.bank_account_number,
            row.cooperative.bank_account_holder,
            row.available,
        ]
        for row in data.cooperatives
        if row.available > 0 and row.held_until is None
    ]
    return exports.write_csv(exports.Sheet("pembayaran", header, rows))
