"""The treasurer's tax records: the SPP and SPM a transfer was paid on, the remittance of each
tax withheld on a paid invoice (billing code, NTPN, day), and the monthly tax recap per agency
that the treasurer's SPT Masa is filled from (a page and an XLSX).

A tax withheld belongs to the month of the payment that withheld it (the tax period, *masa
pajak*); the recap lists that month's payments with something withheld, what was remitted of
it and what is still to remit. Amounts are the payment's own (copied from the invoice when it
was paid), whole rupiah.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select

from marketplace import audit, exports
from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.paging import Page, paginate
from marketplace.procurement import tax
from marketplace.procurement.common import agency_ids, today
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.fulfilment import agency_invoice
from marketplace.procurement.models import (
    Agency,
    Invoice,
    InvoicePayment,
    PaymentMethod,
    ProcurementRole,
    PurchaseOrder,
)

BENDAHARA = ProcurementRole.BENDAHARA
#: Rows of the recap shown a page (the totals and the XLSX cover the whole month).
RECAP_PER_PAGE = 50
#: The taxes the treasurer remits, by the prefix of their columns: (column prefix, name).
TAXES = (("ppn", "PPN"), ("pph22", "PPh 22"))


# --- SPP and SPM -------------------------------------------------------------------------------


def spp_spm_numbers(method: PaymentMethod, spp: str, spm: str) -> tuple[str | None, str | None]:
    """A payment's SPP and SPM numbers, checked: optional for a transfer (the SP2D is the one
    that must be there), 3–60 characters when given; a government card payment has neither,
    because it is not paid on an SPP and SPM of its own."""
    spp, spm = spp.strip(), spm.strip()
    if method == PaymentMethod.CARD:
        if spp or spm:
            raise InvalidProcurementInput(
                _(
                    "Pembayaran dengan kartu kredit pemerintah tidak memakai SPP dan SPM; "
                    "kosongkan nomornya."
                )
            )
        return None, None
    if spp and not 3 <= len(spp) <= 60:
        raise InvalidProcurementInput(_("Nomor SPP terdiri dari 3–60 karakter."))
    if spm and not 3 <= len(spm) <= 60:
        raise InvalidProcurementInput(_("Nomor SPM terdiri dari 3–60 karakter."))
    return spp or None, spm or None


# --- remittance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Remittance:
    """One tax's remittance as typed: all three empty means not remitted (yet)."""

    billing_code: str = ""
    ntpn: str = ""
    remitted_on: date | None = None

    @property
    def empty(self) -> bool:
        return not self.billing_code.strip() and not self.ntpn.strip() and self.remitted_on is None


@dataclass(frozen=True)
class TaxRecordDetails:
    spp_number: str = ""
    spm_number: str = ""
    ppn: Remittance = Remittance()
    pph22: Remittance = Remittance()


def _checked(
    name: str, withheld: int, remittance: Remittance, paid_on: date
) -> tuple[str, str, date] | None:
    """A tax's billing code, NTPN and day, checked; None when nothing was typed for it."""
    if remittance.empty:
        return None
    if withheld == 0:
        raise InvalidProcurementInput(
            _(
                "%(tax)s tidak dipotong atau dipungut pada pembayaran ini; tidak ada setoran "
                "%(tax)s untuk dicatat.",
                tax=name,
            )
        )
    billing_code = tax.billing_code_digits(remittance.billing_code)
    if billing_code is None:
        raise InvalidProcurementInput(_("Kode billing %(tax)s terdiri dari 15 angka.", tax=name))
    ntpn = tax.ntpn_of(remittance.ntpn)
    if ntpn is None:
        raise InvalidProcurementInput(_("NTPN %(tax)s terdiri dari 16 huruf dan angka.", tax=name))
    on = remittance.remitted_on
    if on is None:
        raise InvalidProcurementInput(_("Isi tanggal setor %(tax)s.", tax=name))
    if on > today():
        raise InvalidProcurementInput(
            _("Tanggal setor %(tax)s tidak boleh di masa depan.", tax=name)
        )
    if on < paid_on:
        raise InvalidProcurementInput(
            _("Tanggal setor %(tax)s tidak boleh sebelum tanggal pembayaran.", tax=name)
        )
    return billing_code, ntpn, on


def _snapshot(payment: InvoicePayment) -> dict[str, Any]:
    values: dict[str, Any] = {"spp": payment.spp_number, "spm": payment.spm_number}
    for prefix, _name in TAXES:
        on = getattr(payment, f"{prefix}_remitted_on")
        values[f"{prefix}_billing_code"] = getattr(payment, f"{prefix}_billing_code")
        values[f"{prefix}_ntpn"] = getattr(payment, f"{prefix}_ntpn")
        values[f"{prefix}_remitted_on"] = on.isoformat() if on else None
    return values


def record_tax_records(user: User, invoice_id: int, details: TaxRecordDetails) -> InvoicePayment:
    """The agency's treasurer records, on a paid invoice, the SPP and SPM beside its SP2D and the
    remittance of each tax withheld: the billing code, the NTPN and the day, for the PPN and
    the PPh 22 apart, each only where that tax was withheld, never in the future nor before the
    payment. A tax left empty is not remitted yet (emptying one corrects a mistake; the audit
    log keeps what it was). Refused as a whole, changing nothing; another agency's invoice is
    not found."""
    invoice = agency_invoice(user, invoice_id, BENDAHARA)
    payment = invoice.payment
    if payment is None:
        raise InvalidProcurementInput(
            _("Invoice ini belum dibayar; catat pembayarannya lebih dahulu.")
        )
    spp, spm = spp_spm_numbers(payment.payment_method, details.spp_number, details.spm_number)
    checked = {
        prefix: _checked(
            name, getattr(payment, f"{prefix}_withheld"), getattr(details, prefix), payment.paid_on
        )
        for prefix, name in TAXES
    }
    ppn, pph22 = checked["ppn"], checked["pph22"]
    if ppn and pph22 and (ppn[0] == pph22[0] or ppn[1] == pph22[1]):
        raise InvalidProcurementInput(
            _(
                "PPN dan PPh 22 disetor dengan kode billing dan NTPN masing-masing; keduanya "
                "tidak boleh sama."
            )
        )
    before = _snapshot(payment)
    payment.spp_number, payment.spm_number = spp, spm
    for prefix, values in checked.items():
        billing_code, ntpn, on = values or (None, None, None)
        setattr(payment, f"{prefix}_billing_code", billing_code)
        setattr(payment, f"{prefix}_ntpn", ntpn)
        setattr(payment, f"{prefix}_remitted_on", on)
    db.session.flush()
    audit.record(
        "procurement.invoice.tax_records",
        invoice,
        actor_id=user.id,
        data={"number": invoice.number, "before": before, "after": _snapshot(payment)},
    )
    return payment


# --- the monthly recap -------------------------------------------------------------------------


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def parse_month(value: str | None) -> date | None:
    """``YYYY-MM`` (what a month field sends) as the month's first day; None when it is not
    one between 2000 and 2100."""
    text = (value or "").strip()
    year, dash, month = text.partition("-")
    if not (dash and len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        return None
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        return None
    return month_start(int(year), int(month))


def treasurer_agency(user: User, agency_id: int) -> Agency:
    """The agency whose treasurer the user is; any other is not found (as a missing one)."""
    if agency_id not in agency_ids(user, BENDAHARA):
        raise NotFound()
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


@dataclass(frozen=True)
class RecapRow:
    invoice_id: int
    invoice_number: str
    cooperative: str
    npwp: str
    faktur_pajak_number: str | None
    faktur_pajak_date: date | None
    paid_on: date
    reference: str
    spp_number: str | None
    spm_number: str | None
    subtotal: int
    dpp: int
    ppn_withheld: int
    pph22_withheld: int
    bukti_potong_number: str | None
    ppn_billing_code: str | None
    ppn_ntpn: str | None
    ppn_remitted_on: date | None
    pph22_billing_code: str | None
    pph22_ntpn: str | None
    pph22_remitted_on: date | None

    @property
    def ppn_unremitted(self) -> int:
        return self.ppn_withheld if self.ppn_ntpn is None else 0

    @property
    def pph22_unremitted(self) -> int:
        return self.pph22_withheld if self.pph22_ntpn is None else 0


@dataclass(frozen=True)
class RecapTotals:
    invoices: int = 0
    subtotal: int = 0
    dpp: int = 0
    ppn_withheld: int = 0
    pph22_withheld: int = 0
    ppn_unremitted: int = 0
    pph22_unremitted: int = 0
    ppn_unremitted_invoices: int = 0
    pph22_unremitted_invoices: int = 0

    @property
    def ppn_remitted(self) -> int:
        return self.ppn_withheld - self.ppn_unremitted

    @property
    def pph22_remitted(self) -> int:
        return self.pph22_withheld - self.pph22_unremitted


@dataclass(frozen=True)
class TaxRecap:
    agency: Agency
    month: date
    rows: Page
    totals: RecapTotals


def _in_month(statement: Select[Any], agency_id: int, start: date) -> Select[Any]:
    return statement.where(
        Invoice.agency_id == agency_id,
        # A reversed payment withheld nothing in the end: its corrected payment is the record.
        InvoicePayment.reversed_at.is_(None),
        InvoicePayment.paid_on >= start,
        InvoicePayment.paid_on < next_month(start),
        or_(InvoicePayment.ppn_withheld > 0, InvoicePayment.pph22_withheld > 0),
    )


def _rows_statement(agency_id: int, start: date) -> Select[Any]:
    statement = (
        select(
            Invoice.id,
            Invoice.number,
            PurchaseOrder.cooperative_name,
            Cooperative.npwp,
            Invoice.faktur_pajak_number,
            Invoice.faktur_pajak_date,
            InvoicePayment.paid_on,
            InvoicePayment.reference,
            InvoicePayment.spp_number,
            InvoicePayment.spm_number,
            Invoice.subtotal,
            Invoice.dpp,
            InvoicePayment.ppn_withheld,
            InvoicePayment.pph22_withheld,
            InvoicePayment.bukti_potong_number,
            InvoicePayment.ppn_billing_code,
            InvoicePayment.ppn_ntpn,
            InvoicePayment.ppn_remitted_on,
            InvoicePayment.pph22_billing_code,
            InvoicePayment.pph22_ntpn,
            InvoicePayment.pph22_remitted_on,
        )
        .select_from(InvoicePayment)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .join(PurchaseOrder, PurchaseOrder.id == Invoice.purchase_order_id)
        .join(Cooperative, Cooperative.id == Invoice.cooperative_id)
        .order_by(InvoicePayment.paid_on, Invoice.id)
    )
    return _in_month(statement, agency_id, start)


def _recap_rows(rows: list[Any]) -> list[RecapRow]:
    return [RecapRow(*row) for row in rows]


def _totals(agency_id: int, start: date) -> RecapTotals:
    """The month's totals in one query, whatever the number of invoices."""
    ppn_open = InvoicePayment.ppn_ntpn.is_(None) & (InvoicePayment.ppn_withheld > 0)
    pph_open = InvoicePayment.pph22_ntpn.is_(None) & (InvoicePayment.pph22_withheld > 0)
    statement = (
        select(
            func.count(InvoicePayment.id),
            func.coalesce(func.sum(Invoice.subtotal), 0),
            func.coalesce(func.sum(Invoice.dpp), 0),
            func.coalesce(func.sum(InvoicePayment.ppn_withheld), 0),
            func.coalesce(func.sum(InvoicePayment.pph22_withheld), 0),
            func.coalesce(func.sum(case((ppn_open, InvoicePayment.ppn_withheld), else_=0)), 0),
            func.coalesce(func.sum(case((pph_open, InvoicePayment.pph22_withheld), else_=0)), 0),
            func.coalesce(func.sum(case((ppn_open, 1), else_=0)), 0),
            func.coalesce(func.sum(case((pph_open, 1), else_=0)), 0),
        )
        .select_from(InvoicePayment)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
    )
    row = db.session.execute(_in_month(statement, agency_id, start)).one()
    return RecapTotals(*(int(value) for value in row))


def tax_recap(user: User, agency_id: int, start: date, page: int = 1) -> TaxRecap:
    """One page of the month's recap for the agency's treasurer, with the whole month's
    totals (a fixed number of queries)."""
    agency = treasurer_agency(user, agency_id)
    result = paginate(_rows_statement(agency.id, start), page, RECAP_PER_PAGE, scalars=False)
    result.items = _recap_rows(result.items)
    return TaxRecap(agency, start, result, _totals(agency.id, start))


# --- the XLSX ----------------------------------------------------------------------------------


def recap_xlsx(user: User, agency_id: int, start: date) -> tuple[str, bytes]:
    """The whole month's recap as a workbook (its file name and content): a row per invoice
    with a totals row, and a summary per tax of what was withheld, remitted and is still to
    remit; every amount a whole number of rupiah, every day a date."""
    agency = treasurer_agency(user, agency_id)
    rows = _recap_rows(list(db.session.execute(_rows_statement(agency.id, start)).all()))
    totals = _totals(agency.id, start)
    header = [
        _("Tanggal bayar"),
        _("Nomor invoice"),
        _("Koperasi penyedia"),
        _("NPWP koperasi"),
        _("Nomor faktur pajak"),
        _("Tanggal faktur pajak"),
        _("SP2D/referensi"),
        _("SPP"),
        _("SPM"),
        _("Nilai tanpa PPN (DPP PPh 22)"),
        _("DPP PPN"),
        _("PPN dipungut"),
        _("PPh 22 dipotong"),
        _("Nomor bukti potong"),
        _("Kode billing PPN"),
        _("NTPN PPN"),
        _("Tanggal setor PPN"),
        _("Kode billing PPh 22"),
        _("NTPN PPh 22"),
        _("Tanggal setor PPh 22"),
        _("PPN belum disetor"),
        _("PPh 22 belum disetor"),
    ]
    body: list[list[Any]] = [
        [
            row.paid_on,
            row.invoice_number,
            row.cooperative,
            row.npwp,
            row.faktur_pajak_number,
            row.faktur_pajak_date,
            row.reference,
            row.spp_number,
            row.spm_number,
            row.subtotal,
            row.dpp,
            row.ppn_withheld,
            row.pph22_withheld,
            row.bukti_potong_number,
            row.ppn_billing_code,
            row.ppn_ntpn,
            row.ppn_remitted_on,
            row.pph22_billing_code,
            row.pph22_ntpn,
            row.pph22_remitted_on,
            row.ppn_unremitted,
            row.pph22_unremitted,
        ]
        for row in rows
    ]
    body.append(
        [_("Jumlah"), None, None, None, None, None, None, None, None]
        + [totals.subtotal, totals.dpp, totals.ppn_withheld, totals.pph22_withheld]
        + [None] * 7
        + [totals.ppn_unremitted, totals.pph22_unremitted]
    )
    summary = exports.Sheet(
        _("Ringkasan"),
        [_("Pajak"), _("Dipotong/dipungut"), _("Sudah disetor"), _("Belum disetor")],
        [
            ["PPN", totals.ppn_withheld, totals.ppn_remitted, totals.ppn_unremitted],
            ["PPh 22", totals.pph22_withheld, totals.pph22_remitted, totals.pph22_unremitted],
        ],
        [24, 20, 20, 20],
    )
    widths = [14, 22, 36, 22, 20, 14, 26, 24, 24] + [18] * 13
    content = exports.write_xlsx(exports.Sheet(_("Rekap pajak"), header, body, widths), summary)
    return f"rekap-pajak-{agency.slug}-{start:%Y-%m}.xlsx", content
