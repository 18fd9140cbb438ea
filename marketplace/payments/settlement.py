"""The cooperatives' settlement ledger: what the platform owes each cooperative.

Entries are only ever added, each with a non-negative amount whose sign is its kind's
(`models.ENTRY_SIGNS`). The balance is *defined* as the signed sum of the entries: no balance is
stored anywhere that could drift from them. A positive balance is what the platform owes the
cooperative; a negative one what the cooperative owes the platform (commission on money it
collected itself).

When a part is delivered (and, the same way, when an agency's treasurer pays a government
invoice: `post_invoice_payment`, with what the cooperative received after withholding):

* ``earning``    + the part's total (goods and delivery fee; the cooperative delivers);
* ``commission`` − PLATFORM_COMMISSION_PERCENT of the part's goods (not of the delivery fee),
  rounded down to the whole rupiah, so the cooperative keeps the fraction;
* ``collected``  − the part's total again when the money went straight to the cooperative
  (a transfer to its own account, cash at pickup), since the platform does not hold it.

Later: ``refund`` − money returned to the shopper out of an earning already posted (a
complaint's refund, `post_refund`), with ``comm_refund`` + the commission on the refunded goods
(what stays charged is the commission the kept goods would have had, rounded down the same
way), and
``payout`` − what a city administrator paid out, with its date and bank reference. A payout
may not exceed the balance; payouts for one cooperative are recorded one at a time (its row is
locked). A payout sent through the gateway (`payments.payouts`) is such a payout; when it fails,
``returned`` + gives its amount back. A government invoice's payment reversed by the
treasurer (`reverse_invoice_payment`) posts ``earn_rev`` −, ``comm_rev`` + and ``coll_rev`` +,
each the amount of the entry it reverses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select

from marketplace import audit, clock, exports
from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.services import active_members
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify
from marketplace.observability import count_event
from marketplace.orders.models import PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.payments import settings
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.models import (
    ENTRY_SIGNS,
    EntryKind,
    Payee,
    Payment,
    PaymentAllocation,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
    SettlementEntry,
)

_SIGNED = case(
    *((SettlementEntry.kind == kind, sign) for kind, sign in ENTRY_SIGNS.items()), else_=0
)


def balance(cooperative_id: int) -> int:
    """The signed sum of the cooperative's entries."""
    db.session.flush()
    total = db.session.scalar(
        select(func.coalesce(func.sum(SettlementEntry.amount * _SIGNED), 0)).where(
            SettlementEntry.cooperative_id == cooperative_id
        )
    )
    return int(total or 0)


#: Parts whose money an upper layer holds back (a complaint still open): each function gives
#: a SELECT of vendor-order ids; the complaints capability registers its own (payments never
#: imports it).
_HOLDS: list[Callable[[], Select[tuple[int]]]] = []


def register_hold(parts: Callable[[], Select[tuple[int]]]) -> None:
    _HOLDS.append(parts)


def held(cooperative_id: int) -> int:
    """What the cooperative's parts whose money is not available yet brought to its balance
    (never below 0). A part's money is available at the later of its completion and the end of
    its complaint window (ORDER_COMPLAINT_DAYS after delivery), and not while a complaint about
    it is open or its complaint's refund is still on its way."""
    window_start = clock.now() - timedelta(days=current_app.config["ORDER_COMPLAINT_DAYS"])
    total = db.session.scalar(
        select(func.coalesce(func.sum(SettlementEntry.amount * _SIGNED), 0))
        .join(VendorOrder, VendorOrder.id == SettlementEntry.vendor_order_id)
        .where(
            SettlementEntry.cooperative_id == cooperative_id,
            or_(
                VendorOrder.status != VendorOrderStatus.COMPLETED,
                VendorOrder.delivered_at > window_start,
                VendorOrder.id.in_(
                    select(Refund.vendor_order_id).where(
                        Refund.reason == RefundReason.COMPLAINT,
                        Refund.status == RefundStatus.PENDING,
                    )
                ),
                *(VendorOrder.id.in_(parts()) for parts in _HOLDS),
            ),
        )
    )
    return max(0, int(total or 0))


def available(cooperative_id: int) -> int:
    """The balance that may be paid out now: the money of completed parts whose complaint
    window is over and that no complaint holds, less what was paid."""
    return max(0, balance(cooperative_id) - held(cooperative_id))


def _add(
    cooperative_id: int,
    kind: EntryKind,
    amount: int,
    *,
    vendor_order: VendorOrder | None = None,
    note: str = "",
    actor_id: int | None = None,
    paid_on: date | None = None,
    bank_reference: str | None = None,
) -> SettlementEntry:
    entry = SettlementEntry(
        cooperative_id=cooperative_id,
        kind=kind,
        amount=amount,
        vendor_order_id=vendor_order.id if vendor_order is not None else None,
        order_number=vendor_order.order.number if vendor_order is not None else None,
        note=note[:2000],
        created_by=actor_id,
        paid_on=paid_on,
        bank_reference=bank_reference,
    )
    db.session.add(entry)
    return entry


def collected_by_cooperative(vendor_order: VendorOrder) -> bool:
    """Whether the part's money went straight to the cooperative."""
    payees = set(
        db.session.scalars(
            select(Payment.payee)
            .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
            .where(
                PaymentAllocation.vendor_order_id == vendor_order.id,
                Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]),
            )
        )
    )
    if payees:
        return Payee.COOPERATIVE in payees
    # No payment record (marked paid outside this capability): the order's method says.
    method = vendor_order.order.payment_method
    if method == PaymentMethod.PAY_AT_PICKUP:
        return True
    if method == PaymentMethod.BANK_TRANSFER:
        return settings.transfer_payee() == Payee.COOPERATIVE
    return False


def post_delivery(vendor_order: VendorOrder, actor_id: int | None = None) -> list[SettlementEntry]:
    """Post a delivered part's earning, commission and (when the cooperative collected the
    money itself) the collection. Once per part: a repeat posts nothing."""
    exists = db.session.scalar(
        select(SettlementEntry.id).where(
            SettlementEntry.vendor_order_id == vendor_order.id,
            SettlementEntry.kind == EntryKind.EARNING,
        )
    )
    if exists is not None:
        return []
    cooperative_id = vendor_order.cooperative_id
    number = vendor_order.order.number or ""
    entries = [
        _add(
            cooperative_id,
            EntryKind.EARNING,
            vendor_order.total,
            vendor_order=vendor_order,
            note=number,
            actor_id=actor_id,
        )
    ]
    commission = settings.commission_on(vendor_order.items_total)
    if commission > 0:
        entries.append(
            _add(
                cooperative_id,
                EntryKind.COMMISSION,
                commission,
                vendor_order=vendor_order,
                note=f"{current_app.config['PLATFORM_COMMISSION_PERCENT']}%",
                actor_id=actor_id,
            )
        )
    if collected_by_cooperative(vendor_order):
        entries.append(
            _add(
                cooperative_id,
                EntryKind.COLLECTED,
                vendor_order.total,
                vendor_order=vendor_order,
                note=number,
                actor_id=actor_id,
            )
        )
    db.session.flush()  # the unique (vendor order, kind) refuses a second posting
    return entries


def post_invoice_payment(
    cooperative_id: int,
    invoice_id: int,
    invoice_number: str,
    *,
    payment_id: int,
    received: int,
    price_excluding_ppn: int,
    paid_on: date,
    actor_id: int | None = None,
) -> list[SettlementEntry]:
    """A government invoice paid by an agency's treasurer (the procurement capability calls
    this in the same transaction as the payment): the amount the cooperative received is its
    earning and, since the treasurer paid the cooperative's own account, collected by it too;
    the commission is on the price excluding PPN. Once per payment (an invoice is paid again
    only after its earlier payment was reversed: `reverse_invoice_payment`)."""
    exists = db.session.scalar(
        select(SettlementEntry.id).where(
            SettlementEntry.invoice_payment_id == payment_id,
            SettlementEntry.kind == EntryKind.EARNING,
        )
    )
    if exists is not None:
        return []

    def add(kind: EntryKind, amount: int, note: str) -> SettlementEntry:
        entry = SettlementEntry(
            cooperative_id=cooperative_id,
            kind=kind,
            amount=amount,
            invoice_id=invoice_id,
            invoice_payment_id=payment_id,
            order_number=invoice_number[:24],
            note=note,
            created_by=actor_id,
            paid_on=paid_on,
        )
        db.session.add(entry)
        return entry

    entries = [add(EntryKind.EARNING, received, invoice_number)]
    commission = settings.commission_on(price_excluding_ppn)
    if commission > 0:
        entries.append(
            add(
                EntryKind.COMMISSION,
                commission,
                f"{current_app.config['PLATFORM_COMMISSION_PERCENT']}%",
            )
        )
    entries.append(add(EntryKind.COLLECTED, received, invoice_number))
    db.session.flush()  # the unique (payment, kind) refuses a second posting
    return entries


#: What each entry of an invoice payment's posting becomes when the payment is reversed.
INVOICE_REVERSALS = {
    EntryKind.EARNING: EntryKind.EARNING_REVERSAL,
    EntryKind.COMMISSION: EntryKind.COMMISSION_BACK,
    EntryKind.COLLECTED: EntryKind.COLLECTED_REVERSAL,
}


def reverse_invoice_payment(
    payment_id: int, reason: str, *, actor_id: int | None = None
) -> list[SettlementEntry]:
    """A treasurer reversed a government invoice's payment recorded by mistake: each entry the
    payment posted gets its opposite, amount for amount (nothing is edited or deleted), so the
    balance, the earnings and the commission are as if it had not been paid; a later payment
    posts afresh. Once per payment (the unique (payment, kind) refuses a second reversal)."""
    posted = db.session.scalars(
        select(SettlementEntry)
        .where(
            SettlementEntry.invoice_payment_id == payment_id,
            SettlementEntry.kind.in_(list(INVOICE_REVERSALS)),
        )
        .order_by(SettlementEntry.id)
    ).all()
    entries = []
    for entry in posted:
        reversal = SettlementEntry(
            cooperative_id=entry.cooperative_id,
            kind=INVOICE_REVERSALS[EntryKind(entry.kind)],
            amount=entry.amount,
            invoice_id=entry.invoice_id,
            invoice_payment_id=payment_id,
            order_number=entry.order_number,
            note=reason[:500],
            created_by=actor_id,
            paid_on=clock.today(),
        )
        db.session.add(reversal)
        entries.append(reversal)
    db.session.flush()
    return entries


def post_refund(
    vendor_order: VendorOrder,
    amount: int,
    actor_id: int | None = None,
    *,
    goods: int = 0,
    from_platform: bool = True,
) -> SettlementEntry | None:
    """Money returned for a part whose earning is already in the ledger comes out of it.

    ``goods``: the refund is of that much of the part's goods (a complaint's), so the
    commission charged on them comes back as a ``comm_refund`` entry: the commission on the
    goods before, less the commission on the goods kept, each rounded down as at delivery, so
    what stays charged is exactly the commission the kept goods would have had. With
    ``from_platform`` False the cooperative returned money it had collected itself: the
    ledger never held it, so no ``refund`` entry is posted, only the commission's return."""
    earned = db.session.scalar(
        select(SettlementEntry.id).where(
            SettlementEntry.vendor_order_id == vendor_order.id,
            SettlementEntry.kind == EntryKind.EARNING,
        )
    )
    if earned is None:
        return None
    entry = None
    number = vendor_order.order.number or ""
    if from_platform:
        entry = _add(
            vendor_order.cooperative_id,
            EntryKind.REFUND,
            amount,
            vendor_order=vendor_order,
            note=number,
            actor_id=actor_id,
        )
    if goods > 0:
        charged = (
            db.session.scalar(
                select(SettlementEntry.amount).where(
                    SettlementEntry.vendor_order_id == vendor_order.id,
                    SettlementEntry.kind == EntryKind.COMMISSION,
                )
            )
            or 0
        )
        kept = min(charged, settings.commission_on(max(vendor_order.items_total - goods, 0)))
        if charged - kept > 0:
            _add(
                vendor_order.cooperative_id,
                EntryKind.COMMISSION_REVERSAL,
                charged - kept,
                vendor_order=vendor_order,
                note=number,
                actor_id=actor_id,
            )
    db.session.flush()
    return entry


def record_payout(
    admin: User,
    cooperative_id: int,
    amount: int,
    paid_on: date,
    bank_reference: str,
    note: str = "",
) -> SettlementEntry:
    """A city administrator paid the cooperative: at most what is available of its balance
    (`available`: money of parts completed and past their complaint window), with the bank's
    reference. The cooperative's row is locked so two payouts cannot both pass the check."""
    if not admin.is_city_admin:
        raise NotFound()
    cooperative = db.session.scalar(
        select(Cooperative).where(Cooperative.id == cooperative_id).with_for_update()
    )
    if cooperative is None:
        raise NotFound()
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise PayoutProblem(_("Tulis nomor referensi transfer bank."))
    if amount <= 0:
        raise PayoutProblem(_("Jumlah harus lebih dari nol."))
    total = balance(cooperative_id)
    if amount > total:
        raise PayoutProblem(
            _(
                "Jumlah melebihi saldo %(name)s (%(balance)s).",
                name=cooperative.name,
                balance=_rupiah(total),
            )
        )
    free = available(cooperative_id)
    if amount > free:
        raise PayoutProblem(
            _(
                "Yang bisa dibayarkan ke %(name)s sekarang %(available)s dari saldo "
                "%(balance)s: uang pesanan yang belum selesai, masih dalam masa komplain, atau "
                "sedang dikomplain ditahan dulu.",
                name=cooperative.name,
                available=_rupiah(free),
                balance=_rupiah(total),
            )
        )
    entry = _add(
        cooperative_id,
        EntryKind.PAYOUT,
        amount,
        note=note.strip(),
        actor_id=admin.id,
        paid_on=paid_on,
        bank_reference=bank_reference[:80],
    )
    db.session.flush()
    audit.record(
        "settlement.payout",
        entry,
        actor_id=admin.id,
        cooperative_id=cooperative_id,
        data={"amount": amount, "paid_on": paid_on.isoformat(), "reference": bank_reference},
    )
    count_event("settlement_payout")
    tell_paid(cooperative_id, amount)
    return entry


def tell_paid(cooperative_id: int, amount: int) -> None:
    """A payout left for the cooperative's bank account (recorded by hand, or confirmed by the
    gateway): its members are told, with a link to their statement."""
    notify(
        active_members(cooperative_id),
        NotificationKind.PAYOUT,
        lambda: _(
            "Pasar OPOP membayar %(amount)s ke rekening koperasi Anda. Lihat rinciannya di "
            "laporan saldo.",
            amount=_rupiah(amount),
        ),
        "payments.vendor_statement",
    )


def post_payout_returned(
    cooperative_id: int, amount: int, reference: str, note: str = ""
) -> SettlementEntry:
    """A payout sent through the gateway failed (or the bank sent it back): its amount returns
    to the balance. The caller (`payouts`) posts it once per payout, under the payout's lock."""
    entry = _add(
        cooperative_id,
        EntryKind.RETURNED,
        amount,
        note=note,
        bank_reference=reference[:80],
    )
    db.session.flush()
    return entry


def post_gateway_fee(
    cooperative_id: int, amount: int, *, vendor_order: VendorOrder | None, reference: str
) -> SettlementEntry | None:
    """The gateway's fee charged to the cooperative (only when the city says so): a part's share
    of its payment's fee (once per part), or a payout's fee. Nothing for a zero fee."""
    if amount <= 0:
        return None
    if vendor_order is not None and db.session.scalar(
        select(SettlementEntry.id).where(
            SettlementEntry.vendor_order_id == vendor_order.id,
            SettlementEntry.kind == EntryKind.GATEWAY_FEE,
        )
    ):
        return None  # a part paid twice (the second payment refunded) is charged once
    entry = _add(
        cooperative_id,
        EntryKind.GATEWAY_FEE if vendor_order is not None else EntryKind.PAYOUT_FEE,
        amount,
        vendor_order=vendor_order,
        note=reference,
    )
    db.session.flush()
    return entry


def _rupiah(amount: int) -> str:
    from marketplace.i18n import rupiah

    return rupiah(amount)


# ------------------------------------------------------------------------------------------
# The statement
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    entry: SettlementEntry
    signed_amount: int
    balance_after: int


@dataclass(frozen=True)
class Statement:
    cooperative: Cooperative
    lines: list[StatementLine]  # newest first
    balance: int
    earned: int
    paid_out: int


def statement(cooperative_id: int) -> Statement:
    """Every entry with the balance after it (computed here, newest first), and the totals."""
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound()
    entries = db.session.scalars(
        select(SettlementEntry)
        .where(SettlementEntry.cooperative_id == cooperative_id)
        .order_by(SettlementEntry.id)
    ).all()
    running = 0
    lines = []
    for entry in entries:
        running += entry.signed_amount
        lines.append(StatementLine(entry, entry.signed_amount, running))
    lines.reverse()
    return Statement(
        cooperative=cooperative,
        lines=lines,
        balance=running,
        earned=sum(e.amount for e in entries if e.kind == EntryKind.EARNING)
        - sum(e.amount for e in entries if e.kind == EntryKind.EARNING_REVERSAL),
        paid_out=sum(e.amount for e in entries if e.kind == EntryKind.PAYOUT)
        - sum(e.amount for e in entries if e.kind == EntryKind.RETURNED),
    )


def statement_csv(cooperative_id: int) -> bytes:
    """The statement as CSV (oldest first, amounts as plain signed integers of rupiah)."""
    data = statement(cooperative_id)
    header = [
        _("Tanggal"),
        _("Jenis"),
        _("Nomor pesanan"),
        _("Referensi bank"),
        _("Keterangan"),
        _("Jumlah (Rp)"),
        _("Saldo (Rp)"),
    ]
    rows = []
    for line in reversed(data.lines):
        entry = line.entry
        when = entry.paid_on or clock.local_day(entry.created_at)
        rows.append(
            [
                when.isoformat(),
                entry.entry_kind.label,
                entry.order_number,
                entry.bank_reference,
                entry.note,
                line.signed_amount,
                line.balance_after,
            ]
        )
    return exports.write_csv(exports.Sheet("laporan", header, rows))


def balances() -> list[tuple[Cooperative, int]]:
    """Every cooperative with entries, and its balance (largest first)."""
    rows = db.session.execute(
        select(Cooperative, func.sum(SettlementEntry.amount * _SIGNED))
        .join(SettlementEntry, SettlementEntry.cooperative_id == Cooperative.id)
        .group_by(Cooperative.id)
        .order_by(func.sum(SettlementEntry.amount * _SIGNED).desc(), Cooperative.name)
    ).all()
    return [(cooperative, int(total or 0)) for cooperative, total in rows]
