"""The agency's purchases for a period, one row per package (a Surat Pesanan), as an officer
keys them into the national systems (SiRUP, the e-purchasing reports): Kode RUP, the budget
account (kode rekening belanja), the package, the penyedia with NPWP and NIB, the values with
and without PPN, PPN and PPh 22, the days of request, Surat Pesanan, BAST and payment, and the
SP, BAST and SP2D numbers. Read from our own records only; no network call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import exports
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.procurement.common import local_day
from marketplace.procurement.listing import ListQuery, in_period
from marketplace.procurement.models import (
    Bast,
    Delivery,
    Invoice,
    OrderStatus,
    PurchaseOrder,
)
from marketplace.procurement.reports import visible_agencies

#: A Surat Pesanan the cooperative declined, that lapsed or was cancelled bought nothing.
NOT_PURCHASES = (OrderStatus.DECLINED, OrderStatus.LAPSED, OrderStatus.CANCELLED)
#: Several BASTs or payments of one package share a cell, in order.
JOIN = "; "


@dataclass(frozen=True)
class PackageRow:
    agency: str
    kode_rup: str
    account_code: str
    account_name: str
    package: str
    request_number: str
    requested_on: date | None
    cooperative: str
    npwp: str
    nib: str
    status: str
    order_number: str
    ordered_on: date
    subtotal: int
    ppn: int
    total: int
    pph22: int
    bast_numbers: str
    bast_days: str
    sp2d_numbers: str
    paid_days: str

    def values(self) -> list[Any]:
        return [
            self.agency,
            self.kode_rup,
            self.account_code,
            self.account_name,
            self.package,
            self.request_number,
            self.requested_on,
            self.cooperative,
            self.npwp,
            self.nib,
            self.status,
            self.order_number,
            self.ordered_on,
            self.subtotal,
            self.ppn,
            self.total,
            self.pph22,
            self.bast_numbers,
            self.bast_days,
            self.sp2d_numbers,
            self.paid_days,
        ]


def header() -> list[str]:
    return [
        _("OPD"),
        _("Kode RUP"),
        _("Kode rekening belanja"),
        _("Nama rekening belanja"),
        _("Nama paket"),
        _("Nomor permintaan"),
        _("Tanggal permintaan"),
        _("Penyedia"),
        _("NPWP penyedia"),
        _("NIB penyedia"),
        _("Status"),
        _("Nomor Surat Pesanan"),
        _("Tanggal Surat Pesanan"),
        _("Nilai tanpa PPN"),
        _("PPN"),
        _("Nilai termasuk PPN"),
        _("PPh 22"),
        _("Nomor BAST"),
        _("Tanggal BAST"),
        _("Nomor SP2D / transaksi KKP"),
        _("Tanggal pembayaran"),
    ]


def packages(user: User, start: date | None, end: date | None) -> list[PackageRow]:
    """The Surat Pesanan of the agencies the user may report on (every agency for the city),
    issued in the days given (WIB), in order of issue."""
    agencies = [agency.id for agency in visible_agencies(user)]
    statement = in_period(
        select(PurchaseOrder).where(
            PurchaseOrder.agency_id.in_(agencies),
            PurchaseOrder.status.not_in([str(status) for status in NOT_PURCHASES]),
        ),
        PurchaseOrder.issued_at,
        ListQuery(date_from=start, date_to=end),
    ).order_by(PurchaseOrder.issued_at, PurchaseOrder.id)
    orders = db.session.scalars(
        statement.options(
            joinedload(PurchaseOrder.request),
            joinedload(PurchaseOrder.budget_line),
            joinedload(PurchaseOrder.cooperative),
            selectinload(PurchaseOrder.deliveries).joinedload(Delivery.bast),
            selectinload(PurchaseOrder.invoices).joinedload(Invoice.payment),
        )
    ).unique()
    return [_row(order) for order in orders]


def _row(order: PurchaseOrder) -> PackageRow:
    basts: list[Bast] = [d.bast for d in order.deliveries if d.bast is not None]
    # A cancelled invoice billed nothing; a reversed payment is not `Invoice.payment`.
    invoices = [i for i in order.invoices if not i.cancelled]
    payments = [i.payment for i in invoices if i.payment is not None]
    request = order.request
    return PackageRow(
        agency=order.agency_name,
        kode_rup=order.kode_rup,
        account_code=order.budget_line.account_code if order.budget_line else "",
        account_name=order.budget_line.account_name if order.budget_line else "",
        package=request.title,
        request_number=request.number or "",
        requested_on=local_day(request.sent_at) if request.sent_at else None,
        cooperative=order.cooperative_name,
        npwp=order.cooperative.npwp,
        nib=order.cooperative.nib,
        status=str(order.state.label),
        order_number=order.number or "",
        ordered_on=local_day(order.issued_at),
        subtotal=order.subtotal,
        ppn=order.ppn,
        total=order.total,
        pph22=sum(invoice.pph22 for invoice in invoices),
        bast_numbers=JOIN.join(bast.number or "" for bast in basts),
        bast_days=JOIN.join(
            (bast.inspected_on or local_day(bast.issued_at)).isoformat() for bast in basts
        ),
        sp2d_numbers=JOIN.join(payment.reference for payment in payments),
        paid_days=JOIN.join(payment.paid_on.isoformat() for payment in payments),
    )


def export(user: User, start: date | None, end: date | None, fmt: str) -> bytes:
    rows = packages(user, start, end)
    sheet = exports.Sheet(
        _("Paket pengadaan"),
        header(),
        [row.values() for row in rows],
        widths=[30, 18, 20, 36, 40, 20, 14, 30, 22, 18, 22, 22, 14, 16, 14, 16, 14, 24, 24, 28, 24],
    )
    return exports.write(sheet, fmt)


def filename(start: date | None, end: date | None, fmt: str) -> str:
    period = "-".join(day.isoformat() for day in (start, end) if day) or "semua"
    return f"paket-pengadaan-{period}.{fmt}"
