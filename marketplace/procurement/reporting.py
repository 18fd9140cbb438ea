"""Government sales as the reports outside procurement read them.

A government sale is an accepted line of a Surat Pesanan on an invoice the agency's treasurer
has paid: worth the line's amount **excluding PPN** (PPN is the state's, not the
cooperative's takings), counted when the invoice was paid. The city's programme dashboard
(`admin.reports.GOVERNMENT_SOURCE`) and the cooperative's sales report (`vendors.reports`) both
read these rows, so their figures agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.procurement.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)


def government_sales() -> Select[Any]:
    """One row per paid invoice line: ``invoice_id``, ``cooperative_id``, ``category_id``,
    ``product_id`` (NULL for goods bought to a written specification), ``quantity``,
    ``amount`` (whole rupiah, excluding PPN) and ``paid_at`` (UTC)."""
    return (
        select(
            Invoice.id.label("invoice_id"),
            Invoice.cooperative_id.label("cooperative_id"),
            InvoiceLine.category_id.label("category_id"),
            ProductVariant.product_id.label("product_id"),
            InvoiceLine.quantity.label("quantity"),
            InvoiceLine.amount.label("amount"),
            Invoice.paid_at.label("paid_at"),
        )
        .select_from(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == InvoiceLine.order_line_id)
        .outerjoin(ProductVariant, ProductVariant.id == PurchaseOrderLine.variant_id)
        .where(Invoice.status == InvoiceStatus.PAID, Invoice.paid_at.is_not(None))
    )


@dataclass(frozen=True)
class GovernmentSale:
    """A paid invoice, as a line of the cooperative's sales CSV."""

    number: str
    paid_at: datetime
    agency: str
    method: str
    goods: str
    amount: int


def paid_invoices(cooperative_id: int, start: datetime, end: datetime) -> list[GovernmentSale]:
    """The cooperative's invoices paid in [start, end), oldest first (a fixed number of
    queries)."""
    invoices = db.session.scalars(
        select(Invoice)
        .where(
            Invoice.cooperative_id == cooperative_id,
            Invoice.status == InvoiceStatus.PAID,
            Invoice.paid_at >= start,
            Invoice.paid_at < end,
        )
        .options(
            selectinload(Invoice.lines),
            selectinload(Invoice.payment),
            selectinload(Invoice.purchase_order).selectinload(PurchaseOrder.agency),
        )
        .order_by(Invoice.paid_at, Invoice.id)
    ).all()
    return [
        GovernmentSale(
            number=invoice.number or "",
            paid_at=invoice.paid_at or invoice.issued_at,
            agency=invoice.purchase_order.agency.name,
            method=invoice.payment.payment_method.label if invoice.payment else "",
            goods="; ".join(f"{line.name} × {line.quantity}" for line in invoice.lines),
            amount=invoice.subtotal,
        )
        for invoice in invoices
    ]
