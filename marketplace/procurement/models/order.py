"""The Surat Pesanan and what follows it: deliveries, BAST, invoices and their payment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import Category
from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.procurement.models.agency import Agency
from marketplace.procurement.models.budget import BudgetLine
from marketplace.procurement.models.request import ProcurementRequest, Quotation
from marketplace.procurement.models.status import (
    DeliveryStatus,
    InvoiceStatus,
    OrderStatus,
    PaymentMethod,
    non_negative,
)
from marketplace.procurement.rules import DocumentType


class PurchaseOrder(TimestampMixin, Model):
    """The Surat Pesanan: the approved quotation's lines and totals, the parties copied in, the
    document type of its value band, and the progress of delivery, invoicing and payment."""

    __tablename__ = "procurement_purchase_orders"
    __table_args__ = (
        CheckConstraint(in_check(OrderStatus, "status"), name="status"),
        CheckConstraint(in_check(DocumentType, "document_type"), name="document_type"),
        *non_negative("subtotal", "ppn", "total"),
        CheckConstraint("total = subtotal + ppn", name="total_sum"),
        Index("ix_procurement_purchase_orders_agency_id_status", "agency_id", "status", "id"),
        Index(
            "ix_procurement_purchase_orders_cooperative_id_status", "cooperative_id", "status", "id"
        ),
        Index(
            "ix_procurement_purchase_orders_status_acceptance_due_at",
            "status",
            "acceptance_due_at",
        ),
        # The lists' period filters, for the agency's and the cooperative's Surat Pesanan.
        Index("ix_procurement_purchase_orders_agency_id_issued_at", "agency_id", "issued_at"),
        Index(
            "ix_procurement_purchase_orders_cooperative_id_issued_at", "cooperative_id", "issued_at"
        ),
        # A budget line's commitments: its live Surat Pesanan.
        Index("ix_procurement_purchase_orders_budget_line_id_status", "budget_line_id", "status"),
        # The splitting check looks for the same agency's orders from the same cooperative.
        Index(
            "ix_procurement_purchase_orders_agency_cooperative_issued",
            "agency_id",
            "cooperative_id",
            "issued_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="RESTRICT"), index=True
    )
    quotation_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotations.id", ondelete="RESTRICT"), unique=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.ISSUED)
    document_type: Mapped[str] = mapped_column(String(20))
    is_pkp: Mapped[bool]
    subtotal: Mapped[int] = money_column()
    ppn: Mapped[int] = money_column()
    total: Mapped[int] = money_column()
    agency_name: Mapped[str] = mapped_column(String(200))
    cooperative_name: Mapped[str] = mapped_column(String(160))
    kode_rup: Mapped[str] = mapped_column(String(30))
    #: The request's budget line, which this order commits (a line is never edited in place,
    #: so its code and name as printed stay what they were at issue).
    budget_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_budget_lines.id", ondelete="RESTRICT")
    )
    delivery_date: Mapped[date]
    delivery_addresses: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When an unaccepted Surat Pesanan lapses.
    acceptance_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    closed_at: Mapped[datetime | None]
    #: The splitting warning the PPK saw, and the reason recorded to approve anyway.
    splitting_warning: Mapped[str | None] = mapped_column(Text)
    splitting_reason: Mapped[str | None] = mapped_column(Text)
    #: Why it was declined, cancelled or ended short.
    status_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ProcurementRequest] = relationship()
    quotation: Mapped[Quotation] = relationship()
    agency: Mapped[Agency] = relationship()
    budget_line: Mapped[BudgetLine | None] = relationship()
    cooperative: Mapped[Cooperative] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order",
        order_by="PurchaseOrderLine.id",
        cascade="all, delete-orphan",
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="purchase_order", order_by="Delivery.id", cascade="all, delete-orphan"
    )
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="purchase_order", order_by="Invoice.id"
    )

    @property
    def state(self) -> OrderStatus:
        return OrderStatus(self.status)

    @property
    def document(self) -> DocumentType:
        return DocumentType(self.document_type)

    def address_list(self) -> list[str]:
        return [line.strip() for line in self.delivery_addresses.splitlines() if line.strip()]


class PurchaseOrderLine(Model):
    """A line of the Surat Pesanan. ``variant_id`` is set only for the cooperative's own
    catalogue products: those hold stock from acceptance until delivery."""

    __tablename__ = "procurement_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
        CheckConstraint("accepted_quantity >= 0", name="accepted_quantity_non_negative"),
        CheckConstraint("accepted_quantity <= quantity", name="accepted_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="CASCADE"), index=True
    )
    request_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_request_lines.id", ondelete="RESTRICT"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int]
    unit_price: Mapped[int] = money_column()
    line_total: Mapped[int] = money_column()
    #: Accepted by inspection so far (BASTs).
    accepted_quantity: Mapped[int] = mapped_column(default=0)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    category: Mapped[Category] = relationship()

    @property
    def outstanding(self) -> int:
        return self.quantity - self.accepted_quantity


class Delivery(TimestampMixin, Model):
    """A delivery with its surat jalan (delivery note); the receiver's inspection of it issues
    the BAST."""

    __tablename__ = "procurement_deliveries"
    __table_args__ = (
        CheckConstraint(in_check(DeliveryStatus, "status"), name="status"),
        Index("ix_procurement_deliveries_purchase_order_id_id", "purchase_order_id", "id"),
        Index("ix_procurement_deliveries_status_purchase_order_id", "status", "purchase_order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The surat jalan number: SJ-<year>-<id>.
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.SENT)
    delivered_on: Mapped[date]
    driver: Mapped[str] = mapped_column(String(120), default="")
    vehicle: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="deliveries")
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list[DeliveryLine]] = relationship(
        back_populates="delivery", order_by="DeliveryLine.id", cascade="all, delete-orphan"
    )
    bast: Mapped[Bast | None] = relationship(back_populates="delivery", uselist=False)

    @property
    def state(self) -> DeliveryStatus:
        return DeliveryStatus(self.status)


class DeliveryLine(Model):
    __tablename__ = "procurement_delivery_lines"
    __table_args__ = (
        UniqueConstraint(
            "delivery_id", "order_line_id", name="uq_procurement_delivery_lines_delivery_line"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "accepted_quantity IS NULL OR accepted_quantity >= 0",
            name="accepted_quantity_non_negative",
        ),
        CheckConstraint(
            "rejected_quantity IS NULL OR rejected_quantity >= 0",
            name="rejected_quantity_non_negative",
        ),
        CheckConstraint(
            "(accepted_quantity IS NULL AND rejected_quantity IS NULL) OR "
            "accepted_quantity + rejected_quantity = quantity",
            name="inspected_quantities_sum",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_deliveries.id", ondelete="CASCADE")
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_order_lines.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int]
    accepted_quantity: Mapped[int | None]
    rejected_quantity: Mapped[int | None]
    #: The receiver's note on this line (why goods were rejected).
    note: Mapped[str] = mapped_column(String(500), default="")

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    order_line: Mapped[PurchaseOrderLine] = relationship()


class Bast(Model):
    """Berita Acara Serah Terima: the receiver's record of what one delivery brought and what
    was accepted. Payment is due only for the accepted goods."""

    __tablename__ = "procurement_basts"
    __table_args__ = (CheckConstraint("accepted_total >= 0", name="accepted_total_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_deliveries.id", ondelete="CASCADE"), unique=True
    )
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The day the goods were inspected, as the team entered it (not always the day the BAST
    #: was recorded); BASTs recorded before it was asked for have their issue day.
    inspected_on: Mapped[date | None]
    receiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The accepted goods' value excluding PPN.
    accepted_total: Mapped[int] = money_column()
    note: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[Delivery] = relationship(back_populates="bast")
    purchase_order: Mapped[PurchaseOrder] = relationship()
    receiver: Mapped[User | None] = relationship()
    #: The BAST's current invoice. A cancelled one stays on record (`invoices`) but no longer
    #: bills the BAST, which may then be invoiced again.
    invoice: Mapped[Invoice | None] = relationship(
        primaryjoin="and_(Bast.id == foreign(Invoice.bast_id), Invoice.status != 'cancelled')",
        viewonly=True,
        uselist=False,
    )
    invoices: Mapped[list[Invoice]] = relationship(back_populates="bast", order_by="Invoice.id")
    inspectors: Mapped[list[BastInspector]] = relationship(
        back_populates="bast", cascade="all, delete-orphan", order_by="BastInspector.position"
    )


class BastInspector(Model):
    """One member of the team that inspected a delivery (the PPHP: its chair and members), as
    printed on the BAST: name, NIP and role copied when the BAST is issued, so later changes to
    an account or a member's NIP never change an issued record."""

    __tablename__ = "procurement_bast_inspectors"
    __table_args__ = (
        UniqueConstraint("bast_id", "position", name="uq_procurement_bast_inspectors_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bast_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_basts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    #: The agency member chosen, when the inspector was chosen rather than typed.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    nip: Mapped[str | None] = mapped_column(String(18))
    role: Mapped[str] = mapped_column(String(60))

    bast: Mapped[Bast] = relationship(back_populates="inspectors")


class Invoice(Model):
    """The cooperative's invoice (kuitansi) for one BAST's accepted goods, with the tax
    breakdown of `tax.calculate_invoice` judged on the Surat Pesanan's total."""

    __tablename__ = "procurement_invoices"
    __table_args__ = (
        CheckConstraint(in_check(InvoiceStatus, "status"), name="status"),
        *non_negative(
            "subtotal",
            "dpp",
            "ppn",
            "ppn_collected",
            "pph22",
            "total",
            "payable",
            "stamp_duty_amount",
            "order_total_excluding_ppn",
            "order_total_including_ppn",
        ),
        CheckConstraint("total = subtotal + ppn", name="total_sum"),
        CheckConstraint("payable = total - ppn_collected - pph22", name="payable_sum"),
        Index("ix_procurement_invoices_agency_id_status", "agency_id", "status", "id"),
        Index("ix_procurement_invoices_cooperative_id_status", "cooperative_id", "status", "id"),
        # The cooperative's payments list, by the day paid.
        Index("ix_procurement_invoices_cooperative_id_paid_at", "cooperative_id", "paid_at"),
        # One invoice bills a BAST at a time; cancelled ones stay beside it on record.
        Index(
            "uq_procurement_invoices_bast_id_current",
            "bast_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)",
            name="cancellation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    bast_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_basts.id", ondelete="RESTRICT"), index=True
    )
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="RESTRICT"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED)
    #: The cancelled invoice of the same BAST this one replaces (its number stays on record).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="RESTRICT"), unique=True
    )
    #: Who cancelled it, when and why (the cooperative, before it was paid).
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subtotal: Mapped[int] = money_column()
    dpp: Mapped[int] = money_column()
    ppn: Mapped[int] = money_column()
    ppn_collected_by_treasurer: Mapped[bool]
    ppn_collected: Mapped[int] = money_column()
    pph22_final: Mapped[bool]
    pph22_rate_label: Mapped[str] = mapped_column(String(40))
    pph22: Mapped[int] = money_column()
    #: The PP 55/2022 certificate the final rate was granted on, copied at issue: a later
    #: renewal of the cooperative's certificate does not change an issued invoice.
    pp55_certificate_number: Mapped[str | None] = mapped_column(String(60))
    pp55_valid_until: Mapped[date | None]
    #: The cooperative's faktur pajak (PKP only), recorded at or after issue, before payment.
    faktur_pajak_number: Mapped[str | None] = mapped_column(String(17))
    faktur_pajak_date: Mapped[date | None]
    total: Mapped[int] = money_column()
    payable: Mapped[int] = money_column()
    stamp_duty_amount: Mapped[int] = money_column()
    total_in_words: Mapped[str] = mapped_column(String(500))
    order_total_excluding_ppn: Mapped[int] = money_column()
    order_total_including_ppn: Mapped[int] = money_column()
    paid_at: Mapped[datetime | None]

    bast: Mapped[Bast] = relationship(back_populates="invoices")
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="invoices")
    cooperative: Mapped[Cooperative] = relationship()
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    replaces: Mapped[Invoice | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id], back_populates="replaced_by"
    )
    replaced_by: Mapped[Invoice | None] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces", uselist=False
    )
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id", cascade="all, delete-orphan"
    )
    #: The payment that stands; a reversed one stays on record (`payments`).
    payment: Mapped[InvoicePayment | None] = relationship(
        primaryjoin="and_(Invoice.id == foreign(InvoicePayment.invoice_id), "
        "InvoicePayment.reversed_at.is_(None))",
        viewonly=True,
        uselist=False,
    )
    payments: Mapped[list[InvoicePayment]] = relationship(
        back_populates="invoice", order_by="InvoicePayment.id"
    )

    @property
    def state(self) -> InvoiceStatus:
        return InvoiceStatus(self.status)

    @property
    def cancelled(self) -> bool:
        return self.status == InvoiceStatus.CANCELLED

    @property
    def reversed_payments(self) -> list[InvoicePayment]:
        return [payment for payment in self.payments if payment.reversed_at is not None]

    @property
    def stamp_duty_required(self) -> bool:
        return self.stamp_duty_amount > 0

    @property
    def withheld(self) -> int:
        return self.ppn_collected + self.pph22

    @property
    def ppn_applies(self) -> bool:
        """Whether PPN applies: the cooperative was PKP when the Surat Pesanan was issued."""
        return self.purchase_order.is_pkp


class InvoiceLine(Model):
    __tablename__ = "procurement_invoice_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("amount = unit_price * quantity", name="amount_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_order_lines.id", ondelete="RESTRICT"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int]
    unit_price: Mapped[int] = money_column()
    amount: Mapped[int] = money_column()

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


def remittance_check(tax: str) -> str:
    """A tax's billing code, NTPN and remittance day are all empty, or all filled for a tax
    that was withheld."""
    columns = (f"{tax}_billing_code", f"{tax}_ntpn", f"{tax}_remitted_on")
    empty = " AND ".join(f"{c} IS NULL" for c in columns)
    filled = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    return f"({empty}) OR ({filled} AND {tax}_withheld > 0)"


class InvoicePayment(Model):
    """The treasurer's record of paying one invoice: how, the SP2D or card reference, the
    amounts withheld and the withholding slip (bukti potong)."""

    __tablename__ = "procurement_payments"
    __table_args__ = (
        CheckConstraint(in_check(PaymentMethod, "method"), name="method"),
        *non_negative("amount", "ppn_withheld", "pph22_withheld"),
        Index("ix_procurement_payments_paid_on", "paid_on"),
        # A tax's remittance is its billing code, NTPN and day together, and only for a tax
        # that was withheld (payment.record_remittance).
        CheckConstraint(remittance_check("ppn"), name="ppn_remittance"),
        CheckConstraint(remittance_check("pph22"), name="pph22_remittance"),
        # One payment stands per invoice; a reversed one stays beside it on record.
        Index(
            "uq_procurement_payments_invoice_id_current",
            "invoice_id",
            unique=True,
            sqlite_where=text("reversed_at IS NULL"),
            postgresql_where=text("reversed_at IS NULL"),
        ),
        CheckConstraint(
            "(reversed_at IS NULL) = (reversal_reason IS NULL)", name="reversal_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="RESTRICT"), index=True
    )
    method: Mapped[str] = mapped_column(String(10))
    #: The SP2D number (transfer) or the card transaction reference (KKP).
    reference: Mapped[str] = mapped_column(String(60))
    paid_on: Mapped[date]
    #: What the cooperative received.
    amount: Mapped[int] = money_column()
    ppn_withheld: Mapped[int] = money_column()
    pph22_withheld: Mapped[int] = money_column()
    bukti_potong_number: Mapped[str | None] = mapped_column(String(60))
    #: A transfer's SPP (the treasurer's request for payment) and SPM (the payment order the
    #: SP2D was issued on); a card payment has neither.
    spp_number: Mapped[str | None] = mapped_column(String(60))
    spm_number: Mapped[str | None] = mapped_column(String(60))
    #: The treasurer's remittance of the PPN collected to the state: the billing code paid,
    #: the NTPN the state gave back and the day it was paid; empty until remitted.
    ppn_billing_code: Mapped[str | None] = mapped_column(String(15))
    ppn_ntpn: Mapped[str | None] = mapped_column(String(16))
    ppn_remitted_on: Mapped[date | None]
    #: The same for the PPh 22 withheld.
    pph22_billing_code: Mapped[str | None] = mapped_column(String(15))
    pph22_ntpn: Mapped[str | None] = mapped_column(String(16))
    pph22_remitted_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The treasurer's reversal of a payment recorded by mistake: the row stays, stamped.
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reversal_reason: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")
    reversed_by: Mapped[User | None] = relationship(foreign_keys=[reversed_by_id])

    @property
    def payment_method(self) -> PaymentMethod:
        return PaymentMethod(self.method)

    @property
    def ppn_unremitted(self) -> int:
        """The PPN collected and not yet remitted (no NTPN recorded)."""
        return self.ppn_withheld if self.ppn_ntpn is None else 0

    @property
    def pph22_unremitted(self) -> int:
        """The PPh 22 withheld and not yet remitted (no NTPN recorded)."""
        return self.pph22_withheld if self.pph22_ntpn is None else 0
