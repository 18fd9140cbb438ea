"""The treasurer's payment of an invoice (by bank transfer or government card, which may close
the order), and the cooperative's list of its invoices and payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.paging import Page, paginate
from marketplace.payments import settlement
from marketplace.procurement import freezing, rules, tax
from marketplace.procurement.common import (
    cooperative_id_of,
    cooperative_members,
    move,
    procurement_settings,
    today,
)
from marketplace.procurement.exceptions import InvalidProcurementInput, InvalidTransition
from marketplace.procurement.fulfilment import agency_invoice, cooperative_invoice
from marketplace.procurement.lifecycle import (
    find_transition,
)
from marketplace.procurement.listing import PER_PAGE, ListQuery, in_period
from marketplace.procurement.models import (
    Actor,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    PaymentMethod,
    ProcurementRole,
    PurchaseOrder,
)
from marketplace.procurement.notifications import notify
from marketplace.procurement.purchasing import close_if_settled
from marketplace.procurement.tax_records import spp_spm_numbers

BENDAHARA = ProcurementRole.BENDAHARA


def record_faktur_pajak(user: User, invoice_id: int, number: str, on: date | None) -> Invoice:
    """A PKP cooperative records the faktur pajak it made for its invoice (number and date),
    any time before the invoice is paid; it may correct it until then. Refused, changing
    nothing, for a cooperative that was not PKP on the Surat Pesanan, a number that is not 16
    or 17 digits, a date in the future or before the delivery."""
    invoice = cooperative_invoice(user, invoice_id)
    if not invoice.purchase_order.is_pkp:
        raise InvalidProcurementInput(
            _("Faktur pajak hanya dibuat oleh koperasi PKP; invoice ini tanpa PPN.")
        )
    digits = tax.faktur_pajak_digits(number)
    if digits is None:
        raise InvalidProcurementInput(
            _("Nomor faktur pajak terdiri dari 16 atau 17 angka, misalnya 04002600000000123.")
        )
    if on is None:
        raise InvalidProcurementInput(_("Isi tanggal faktur pajak."))
    if on > today():
        raise InvalidProcurementInput(_("Tanggal faktur pajak tidak boleh di masa depan."))
    delivered_on = invoice.bast.delivery.delivered_on
    if on < delivered_on:
        raise InvalidProcurementInput(
            _("Tanggal faktur pajak tidak boleh sebelum tanggal pengiriman barang.")
        )
    # Guarded: a payment recorded meanwhile closes the invoice to changes.
    result = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.ISSUED)
        .values(faktur_pajak_number=digits, faktur_pajak_date=on)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        db.session.refresh(invoice)
        if invoice.status == InvoiceStatus.CANCELLED:
            raise InvalidProcurementInput(
                _("Invoice ini sudah dibatalkan; catat faktur pajak pada invoice penggantinya.")
            )
        raise InvalidProcurementInput(
            _("Invoice ini sudah dibayar; faktur pajaknya tidak dapat diubah lagi.")
        )
    db.session.refresh(invoice)
    audit.record(
        "procurement.invoice.faktur_pajak",
        invoice,
        actor_id=user.id,
        cooperative_id=invoice.cooperative_id,
        data={"number": invoice.number, "faktur_pajak": digits, "date": on.isoformat()},
    )
    # The faktur pajak is printed on the invoice: a new version, never the issued bytes changed.
    freezing.freeze("invoice", invoice.id, user, freezing.AS_COOPERATIVE)
    return invoice


def cooperative_payments(user: User, query: ListQuery) -> Page:
    """The cooperative's paid invoices with their payments, newest first, one page of the list
    filtered by the day each was paid."""
    statement = (
        select(Invoice)
        .where(
            Invoice.cooperative_id == cooperative_id_of(user),
            Invoice.status == InvoiceStatus.PAID,
        )
        .options(selectinload(Invoice.payment), selectinload(Invoice.purchase_order))
        .order_by(Invoice.paid_at.desc(), Invoice.id.desc())
    )
    statement = in_period(statement, Invoice.paid_at, query)
    return paginate(statement, query.page, PER_PAGE)


# --- payment -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDetails:
    method: str
    reference: str
    paid_on: date | None
    bukti_potong_number: str = ""
    spp_number: str = ""
    spm_number: str = ""


def card_charged_to_payee(order: PurchaseOrder) -> int:
    """What government cards already paid the cooperative for this order."""
    return sum(
        invoice.payment.amount
        for invoice in order.invoices
        if invoice.payment is not None and invoice.payment.method == PaymentMethod.CARD
    )


def record_payment(user: User, invoice_id: int, details: PaymentDetails) -> InvoicePayment:
    """The bendahara records paying an invoice: by transfer (its SP2D, with the SPP and SPM it
    was issued on when typed) or government card
    (within the limit per payee), with the taxes withheld as the invoice computed them and the
    withholding slip's number. The cooperative is told and the amount enters its settlement
    ledger; a fully paid, delivered order closes."""
    invoice = agency_invoice(user, invoice_id, BENDAHARA)
    find_transition(invoice, InvoiceStatus.PAID, Actor.BENDAHARA)
    order = invoice.purchase_order
    try:
        method = PaymentMethod(details.method)
    except ValueError:
        raise InvalidProcurementInput(_("Pilih cara pembayaran.")) from None
    reference = details.reference.strip()
    if not 3 <= len(reference) <= 60:
        if method == PaymentMethod.TRANSFER:
            raise InvalidProcurementInput(_("Isi nomor SP2D (3–60 karakter)."))
        raise InvalidProcurementInput(_("Isi nomor transaksi kartu (3–60 karakter)."))
    paid_on = details.paid_on
    if paid_on is None:
        raise InvalidProcurementInput(_("Isi tanggal pembayaran."))
    if paid_on > today():
        raise InvalidProcurementInput(_("Tanggal pembayaran tidak boleh di masa depan."))
    if paid_on < invoice.issued_on:
        raise InvalidProcurementInput(_("Tanggal pembayaran tidak boleh sebelum tanggal invoice."))
    slip = details.bukti_potong_number.strip()
    if len(slip) > 60:
        raise InvalidProcurementInput(_("Nomor bukti potong paling banyak 60 karakter."))
    if invoice.pph22 > 0 and not slip:
        raise InvalidProcurementInput(_("Isi nomor bukti potong PPh 22."))
    spp, spm = spp_spm_numbers(method, details.spp_number, details.spm_number)
    if method == PaymentMethod.CARD:
        rules.check_card_payment(
            invoice.payable,
            procurement_settings(),
            already_charged_to_payee=card_charged_to_payee(order),
        )
    payment = InvoicePayment(
        invoice_id=invoice.id,
        method=method,
        reference=reference,
        paid_on=paid_on,
        amount=invoice.payable,
        ppn_withheld=invoice.ppn_collected,
        pph22_withheld=invoice.pph22,
        bukti_potong_number=slip or None,
        spp_number=spp,
        spm_number=spm,
        recorded_by_id=user.id,
        recorded_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition(InvoiceStatus.PAID, InvoiceStatus.PAID) from None
    db.session.expire(invoice, ["payment"])
    move(
        invoice,
        InvoiceStatus.PAID,
        Actor.BENDAHARA,
        user,
        note=reference,
        values={"paid_at": clock.now()},
        data={
            "method": str(method),
            "reference": reference,
            "amount": payment.amount,
            "ppn_withheld": payment.ppn_withheld,
            "pph22_withheld": payment.pph22_withheld,
            "bukti_potong": payment.bukti_potong_number,
            "spp": spp,
            "spm": spm,
        },
    )
    settlement.post_invoice_payment(
        invoice.cooperative_id,
        invoice.id,
        invoice.number or "",
        payment_id=payment.id,
        received=payment.amount,
        price_excluding_ppn=invoice.subtotal,
        paid_on=paid_on,
        actor_id=user.id,
    )
    notify(
        cooperative_members(invoice.cooperative_id),
        lambda: _(
            "Invoice %(invoice)s dibayar %(amount)s (%(method)s %(reference)s). Dipungut PPN "
            "%(ppn)s, dipotong PPh 22 %(pph)s, bukti potong %(slip)s.",
            invoice=invoice.number,
            amount=rupiah(payment.amount),
            method=method.label,
            reference=reference,
            ppn=rupiah(payment.ppn_withheld),
            pph=rupiah(payment.pph22_withheld),
            slip=payment.bukti_potong_number or "–",
        ),
        "procurement.coop_order",
        order_id=order.id,
    )
    # "LUNAS" is printed on the invoice: its next version says so; the one issued stays as it was.
    freezing.freeze("invoice", invoice.id, user, freezing.AS_TREASURER)
    close_if_settled(order, Actor.BENDAHARA, user)
    return payment
