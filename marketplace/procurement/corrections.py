"""Corrections as auditors expect them: nothing issued is edited in place or deleted.

* An unpaid invoice with a mistake is cancelled by the cooperative that issued it, with a
  reason: its number stays on record, marked cancelled, and its BAST may be invoiced again; the
  new invoice names the one it replaces (`fulfilment.issue_invoice`). The cooperative, not the
  agency, cancels: the invoice is the cooperative's claim (its tagihan, under its signature),
  which the PPK and the treasurer verify; an agency that finds a mistake asks the cooperative,
  which then corrects its own document. The treasurer is told.
* A payment recorded by mistake is reversed by the agency's treasurer, with a reason: the
  payment's row stays, stamped with who reversed it, when and why; its settlement ledger entries
  get their opposites, amount for amount; the invoice waits for payment again and an order the
  payment had closed reopens. Paying again afterwards gives the figures of one correct payment.
  A payment whose taxes were already remitted (an NTPN recorded) is not reversed here: the state
  holds that money under that NTPN, and correcting it is a transfer (Pbk) with the tax office,
  which this system does not record; reversing the payment would leave a remittance with no
  withholding behind it in the tax recap.

Each correction is one transaction: the status moves through the lifecycle's table (a guarded
update), the timeline event and the audit entry are written with it, the other party is told.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.payments import settlement
from marketplace.procurement import freezing
from marketplace.procurement.common import (
    agency_members,
    cooperative_members,
    move,
)
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.fulfilment import agency_invoice, cooperative_invoice
from marketplace.procurement.models import (
    Actor,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    OrderStatus,
    ProcurementRole,
)
from marketplace.procurement.notifications import notify

#: The shortest and longest reason accepted for a correction.
REASON_MIN, REASON_MAX = 10, 1000


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidProcurementInput(
            _(
                "Tulis alasannya (%(low)d–%(high)d karakter): apa yang salah dan apa yang "
                "diperbaiki.",
                low=REASON_MIN,
                high=REASON_MAX,
            )
        )
    return reason


def cancel_invoice(user: User, invoice_id: int, reason: str) -> Invoice:
    """The cooperative cancels its unpaid invoice with a reason (see the module's docstring);
    a paid one is refused: its payment must be reversed by the treasurer first."""
    invoice = cooperative_invoice(user, invoice_id)
    if invoice.status == InvoiceStatus.PAID:
        raise InvalidProcurementInput(
            _(
                "Invoice %(number)s sudah dibayar; pembayarannya harus dibatalkan bendahara "
                "lebih dulu.",
                number=invoice.number,
            )
        )
    reason = _reason(reason)
    move(
        invoice,
        InvoiceStatus.CANCELLED,
        Actor.COOPERATIVE,
        user,
        note=reason,
        values={"cancelled_at": clock.now(), "cancelled_by_id": user.id, "cancel_reason": reason},
        data={"reason": reason, "total": invoice.total, "payable": invoice.payable},
    )
    # The BAST and the order read their current invoice before it was cancelled.
    db.session.expire(invoice.bast, ["invoice", "invoices"])
    db.session.expire(invoice.purchase_order, ["invoices"])
    # Its issued versions stay as they were; the next one says it was cancelled, and why.
    freezing.freeze("invoice", invoice.id, user, freezing.AS_COOPERATIVE)
    notify(
        agency_members(invoice.agency_id, ProcurementRole.BENDAHARA),
        lambda: _(
            "Invoice %(invoice)s dari %(name)s dibatalkan koperasi: %(reason)s. Jangan dibayar; "
            "koperasi akan menerbitkan invoice pengganti.",
            invoice=invoice.number,
            name=invoice.purchase_order.cooperative_name,
            reason=reason,
        ),
        "procurement.invoice",
        invoice_id=invoice.id,
    )
    return invoice


def _refuse_remitted(payment: InvoicePayment) -> None:
    """Refuse reversing a payment with a tax remitted, naming the NTPN (module docstring)."""
    remitted = [
        f"{name} (NTPN {ntpn})"
        for name, ntpn in (("PPN", payment.ppn_ntpn), ("PPh 22", payment.pph22_ntpn))
        if ntpn
    ]
    if remitted:
        raise InvalidProcurementInput(
            _(
                "Pajak dari pembayaran ini sudah disetor: %(taxes)s. Pembayaran yang pajaknya "
                "sudah disetor tidak dapat dibatalkan di sini; koreksi setoran dilakukan dengan "
                "pemindahbukuan (Pbk) di kantor pajak.",
                taxes=", ".join(remitted),
            )
        )


def reverse_payment(user: User, invoice_id: int, reason: str) -> InvoicePayment:
    """The treasurer reverses the invoice's payment recorded by mistake, with a reason (see the
    module's docstring). Refused for an unpaid invoice and for a payment whose taxes were
    remitted."""
    invoice = agency_invoice(user, invoice_id, ProcurementRole.BENDAHARA)
    payment = invoice.payment
    if payment is None or invoice.status != InvoiceStatus.PAID:
        raise InvalidProcurementInput(_("Invoice ini belum dibayar; tidak ada yang dibatalkan."))
    _refuse_remitted(payment)
    reason = _reason(reason)
    now = clock.now()
    # Guarded: two treasurers (or two tabs) reversing at once stamp the row once, and a
    # remittance recorded meanwhile keeps the payment.
    stamped = db.session.execute(
        update(InvoicePayment)
        .where(
            InvoicePayment.id == payment.id,
            InvoicePayment.reversed_at.is_(None),
            InvoicePayment.ppn_ntpn.is_(None),
            InvoicePayment.pph22_ntpn.is_(None),
        )
        .values(reversed_at=now, reversed_by_id=user.id, reversal_reason=reason)
    )
    if stamped.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        db.session.refresh(payment)
        _refuse_remitted(payment)
        raise InvalidProcurementInput(_("Pembayaran ini sudah dibatalkan."))
    db.session.refresh(payment)
    # The payment's own trail, beside the invoice's move below: what was reversed, and why.
    audit.record(
        "procurement.payment.reversed",
        payment,
        actor_id=user.id,
        cooperative_id=invoice.cooperative_id,
        data={
            "invoice": invoice.number,
            "reference": payment.reference,
            "paid_on": payment.paid_on.isoformat(),
            "amount": payment.amount,
            "reason": reason,
        },
    )
    db.session.expire(invoice, ["payment", "payments"])
    move(
        invoice,
        InvoiceStatus.ISSUED,
        Actor.BENDAHARA,
        user,
        note=reason,
        values={"paid_at": None},
        data={
            "reversed_payment": payment.id,
            "reference": payment.reference,
            "amount": payment.amount,
            "ppn_withheld": payment.ppn_withheld,
            "pph22_withheld": payment.pph22_withheld,
            "reason": reason,
        },
    )
    settlement.reverse_invoice_payment(payment.id, reason, actor_id=user.id)
    order = invoice.purchase_order
    db.session.refresh(order)
    if order.status == OrderStatus.CLOSED:
        move(
            order,
            OrderStatus.DELIVERED,
            Actor.BENDAHARA,
            user,
            note=reason,
            values={"closed_at": None},
        )
    # The version stamped "LUNAS" stays; the next one is unpaid again.
    freezing.freeze("invoice", invoice.id, user, freezing.AS_TREASURER)
    notify(
        cooperative_members(invoice.cooperative_id),
        lambda: _(
            "Pembayaran invoice %(invoice)s sebesar %(amount)s (%(reference)s) dibatalkan "
            "bendahara: %(reason)s. Invoice menunggu pembayaran lagi.",
            invoice=invoice.number,
            amount=rupiah(payment.amount),
            reference=payment.reference,
            reason=reason,
        ),
        "procurement.coop_order",
        order_id=order.id,
    )
    return payment
