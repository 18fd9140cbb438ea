"""City agencies (OPD), the procurement roles their members hold, and the procurement workflow's
records: requests, quotations and their rounds, Surat Pesanan, deliveries, BAST, invoices,
payments, the timeline, notifications and the agencies' goods budgets."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.invitations import InvitationMixin
from marketplace.accounts.models import User
from marketplace.catalogue.models import Category, ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.procurement.rules import DocumentType


class ProcurementRole(enum.StrEnum):
    PEJABAT_PENGADAAN = "pejabat_pengadaan"  # prepares requests and negotiates
    PPK = "ppk"  # commitment officer: approves and signs
    PENERIMA = "penerima"  # receives and inspects deliveries
    BENDAHARA = "bendahara"  # records payment and withholding

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    ProcurementRole.PEJABAT_PENGADAAN: _l("Pejabat Pengadaan"),
    ProcurementRole.PPK: _l("PPK (Pejabat Pembuat Komitmen)"),
    ProcurementRole.PENERIMA: _l("Pemeriksa/Penerima Barang"),
    ProcurementRole.BENDAHARA: _l("Bendahara Pengeluaran"),
}


class Agency(TimestampMixin, Model):
    """A city office (Organisasi Perangkat Daerah) that buys through the marketplace."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    npwp: Mapped[str | None] = mapped_column(String(20))
    is_demo: Mapped[bool] = mapped_column(default=False)

    members: Mapped[list[AgencyMember]] = relationship(
        back_populates="agency", cascade="all, delete-orphan"
    )


class AgencyMember(TimestampMixin, Model):
    """One procurement role held by one user in one agency; a person may hold several."""

    __tablename__ = "agency_members"
    __table_args__ = (
        UniqueConstraint("agency_id", "user_id", "role", name="uq_agency_members_agency_user_role"),
        CheckConstraint(in_check(ProcurementRole, "role"), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))

    agency: Mapped[Agency] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class AgencyInvitation(InvitationMixin, TimestampMixin, Model):
    """The city's invitation for someone without an account to hold a role in an agency.

    The emailed link is signed and expires (``AGENCY_INVITATION_MAX_AGE``); this row lets the city
    see and revoke what is outstanding, and makes each link usable once.
    """

    __tablename__ = "agency_invitations"
    __table_args__ = (
        CheckConstraint(in_check(ProcurementRole, "role"), name="role"),
        Index("ix_agency_invitations_agency_id_email", "agency_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Served by the (agency_id, email) index.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(30))

    agency: Mapped[Agency] = relationship()


# ------------------------------------------------------------------------------------------
# The workflow: request → quotations (rounds) → Surat Pesanan → deliveries → BAST → invoices
# → payments. Each stateful object has its status machine in `procurement.lifecycle`.
# ------------------------------------------------------------------------------------------


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    AWARDED = "awarded"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(REQUEST_STATUS_LABELS[self])


REQUEST_STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Draf"),
    RequestStatus.SENT: _l("Dikirim ke koperasi"),
    RequestStatus.AWARDED: _l("Surat Pesanan terbit"),
    RequestStatus.CANCELLED: _l("Dibatalkan"),
}


class QuotationStatus(enum.StrEnum):
    INVITED = "invited"  # waiting for the cooperative's first offer
    QUOTED = "quoted"  # the cooperative's offer waits for the pejabat pengadaan
    COUNTERED = "countered"  # the agency's counter-offer waits for the cooperative
    AGREED = "agreed"  # both agree on the latest round's prices
    FORWARDED = "forwarded"  # waiting for the PPK
    RETURNED = "returned"  # sent back by the PPK with a reason
    APPROVED = "approved"  # a Surat Pesanan was issued
    DECLINED = "declined"  # the cooperative declined
    LAPSED = "lapsed"  # an offer or counter-offer was left unanswered too long
    WITHDRAWN = "withdrawn"  # the request was cancelled or went to another cooperative

    @property
    def label(self) -> str:
        return str(QUOTATION_STATUS_LABELS[self])


QUOTATION_STATUS_LABELS = {
    QuotationStatus.INVITED: _l("Menunggu penawaran"),
    QuotationStatus.QUOTED: _l("Penawaran masuk"),
    QuotationStatus.COUNTERED: _l("Tawaran balik dikirim"),
    QuotationStatus.AGREED: _l("Harga disepakati"),
    QuotationStatus.FORWARDED: _l("Menunggu persetujuan PPK"),
    QuotationStatus.RETURNED: _l("Dikembalikan PPK"),
    QuotationStatus.APPROVED: _l("Disetujui PPK"),
    QuotationStatus.DECLINED: _l("Ditolak koperasi"),
    QuotationStatus.LAPSED: _l("Kedaluwarsa"),
    QuotationStatus.WITHDRAWN: _l("Ditutup"),
}


class RoundKind(enum.StrEnum):
    OFFER = "offer"  # the cooperative's prices
    COUNTER = "counter"  # the agency's counter-offer

    @property
    def label(self) -> str:
        return str(ROUND_KIND_LABELS[self])


ROUND_KIND_LABELS = {
    RoundKind.OFFER: _l("Penawaran koperasi"),
    RoundKind.COUNTER: _l("Tawaran balik OPD"),
}


class OrderStatus(enum.StrEnum):
    ISSUED = "issued"  # waiting for the cooperative's acceptance
    ACCEPTED = "accepted"
    PARTLY_DELIVERED = "partly_delivered"  # some goods accepted by inspection
    DELIVERED = "delivered"  # every line accepted (or the rest ended by the PPK)
    CLOSED = "closed"  # delivered, fully invoiced and paid
    DECLINED = "declined"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(ORDER_STATUS_LABELS[self])


ORDER_STATUS_LABELS = {
    OrderStatus.ISSUED: _l("Menunggu diterima koperasi"),
    OrderStatus.ACCEPTED: _l("Diterima koperasi"),
    OrderStatus.PARTLY_DELIVERED: _l("Diterima sebagian"),
    OrderStatus.DELIVERED: _l("Barang diterima lengkap"),
    OrderStatus.CLOSED: _l("Selesai dan lunas"),
    OrderStatus.DECLINED: _l("Ditolak koperasi"),
    OrderStatus.LAPSED: _l("Kedaluwarsa"),
    OrderStatus.CANCELLED: _l("Dibatalkan"),
}


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"  # delivered with a surat jalan, waiting for inspection
    INSPECTED = "inspected"  # a BAST was issued
    WITHDRAWN = "withdrawn"  # recorded by mistake, withdrawn by the cooperative

    @property
    def label(self) -> str:
        return str(DELIVERY_STATUS_LABELS[self])


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.SENT: _l("Menunggu pemeriksaan"),
    DeliveryStatus.INSPECTED: _l("Sudah diperiksa (BAST)"),
    DeliveryStatus.WITHDRAWN: _l("Ditarik koperasi"),
}


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"
    PAID = "paid"

    @property
    def label(self) -> str:
        return str(INVOICE_STATUS_LABELS[self])


INVOICE_STATUS_LABELS = {
    InvoiceStatus.ISSUED: _l("Menunggu pembayaran"),
    InvoiceStatus.PAID: _l("Lunas"),
}


class PaymentMethod(enum.StrEnum):
    TRANSFER = "transfer"  # bank transfer, with its SP2D reference
    CARD = "card"  # Kartu Kredit Pemerintah (KKP), within its limit

    @property
    def label(self) -> str:
        return str(PAYMENT_METHOD_LABELS[self])


PAYMENT_METHOD_LABELS = {
    PaymentMethod.TRANSFER: _l("Transfer bank (SP2D)"),
    PaymentMethod.CARD: _l("Kartu Kredit Pemerintah (KKP)"),
}


class Actor(enum.StrEnum):
    """Who made a move: an agency member in one of the roles, the cooperative, or the system."""

    PEJABAT_PENGADAAN = ProcurementRole.PEJABAT_PENGADAAN.value
    PPK = ProcurementRole.PPK.value
    PENERIMA = ProcurementRole.PENERIMA.value
    BENDAHARA = ProcurementRole.BENDAHARA.value
    COOPERATIVE = "cooperative"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        if self == Actor.COOPERATIVE:
            return str(_l("Koperasi"))
        if self == Actor.SYSTEM:
            return str(_l("Sistem"))
        return ProcurementRole(self.value).label


class Subject(enum.StrEnum):
    """The object a timeline event is about."""

    REQUEST = "request"
    QUOTATION = "quotation"
    PURCHASE_ORDER = "purchase_order"
    DELIVERY = "delivery"
    INVOICE = "invoice"


def _non_negative(*columns: str) -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in columns)


class ProcurementRequest(TimestampMixin, Model):
    """A request for quotations (permintaan penawaran) prepared by a pejabat pengadaan."""

    __tablename__ = "procurement_requests"
    __table_args__ = (
        CheckConstraint(in_check(RequestStatus, "status"), name="status"),
        CheckConstraint("ceiling > 0", name="ceiling_positive"),
        Index("ix_procurement_requests_agency_id_status", "agency_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PMT-<year>-<id, six digits>; set from the id in the transaction that inserts it.
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kode_rup: Mapped[str] = mapped_column(String(30))
    #: The price ceiling (HPS/pagu), including PPN.
    ceiling: Mapped[int] = money_column()
    delivery_date: Mapped[date]
    #: One delivery address per line.
    delivery_addresses: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.DRAFT)
    sent_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list[RequestLine]] = relationship(
        back_populates="request", order_by="RequestLine.position", cascade="all, delete-orphan"
    )
    quotations: Mapped[list[Quotation]] = relationship(
        back_populates="request", order_by="Quotation.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ProcurementEvent]] = relationship(
        back_populates="request", order_by="ProcurementEvent.id", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> RequestStatus:
        return RequestStatus(self.status)

    def address_list(self) -> list[str]:
        return [line.strip() for line in self.delivery_addresses.splitlines() if line.strip()]


class RequestLine(Model):
    """What the agency wants: a catalogue product (``variant_id``) or a written specification,
    with a quantity. The category says which kind of goods it is (for the splitting check and
    the reports)."""

    __tablename__ = "procurement_request_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "reference_unit_price IS NULL OR reference_unit_price >= 0",
            name="reference_unit_price_non_negative",
        ),
        Index("ix_procurement_request_lines_request_id_position", "request_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    #: The cooperative whose catalogue the product comes from (None for a specification).
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int]
    #: The catalogue's tier price for this quantity when the line was added (a starting point).
    reference_unit_price: Mapped[int | None] = money_column()

    request: Mapped[ProcurementRequest] = relationship(back_populates="lines")
    variant: Mapped[ProductVariant | None] = relationship()
    category: Mapped[Category] = relationship()

    @property
    def is_catalogue(self) -> bool:
        return self.variant_id is not None


class Quotation(TimestampMixin, Model):
    """One invited cooperative's negotiation on a request: its rounds of offers and
    counter-offers, until it is agreed, forwarded and approved (or ends otherwise)."""

    __tablename__ = "procurement_quotations"
    __table_args__ = (
        UniqueConstraint(
            "request_id", "cooperative_id", name="uq_procurement_quotations_request_cooperative"
        ),
        CheckConstraint(in_check(QuotationStatus, "status"), name="status"),
        CheckConstraint("subtotal >= 0", name="subtotal_non_negative"),
        Index("ix_procurement_quotations_cooperative_id_status", "cooperative_id", "status", "id"),
        Index("ix_procurement_quotations_status_lapses_at", "status", "lapses_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=QuotationStatus.INVITED)
    #: The latest round's total excluding PPN (0 before the first offer).
    subtotal: Mapped[int] = money_column(default=0)
    #: When the pending offer or counter-offer lapses (None when nothing waits for an answer).
    lapses_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ProcurementRequest] = relationship(back_populates="quotations")
    cooperative: Mapped[Cooperative] = relationship()
    rounds: Mapped[list[QuotationRound]] = relationship(
        back_populates="quotation", order_by="QuotationRound.number", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> QuotationStatus:
        return QuotationStatus(self.status)

    @property
    def latest_round(self) -> QuotationRound | None:
        return self.rounds[-1] if self.rounds else None


class QuotationRound(Model):
    """One offer or counter-offer: a price per line, a message, who and when. Kept for ever."""

    __tablename__ = "procurement_quotation_rounds"
    __table_args__ = (
        UniqueConstraint(
            "quotation_id", "number", name="uq_procurement_quotation_rounds_quotation_number"
        ),
        CheckConstraint(in_check(RoundKind, "kind"), name="kind"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("subtotal >= 0", name="subtotal_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotations.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")
    #: The delivery date the cooperative offers (offers only).
    delivery_date: Mapped[date | None]
    subtotal: Mapped[int] = money_column()

    quotation: Mapped[Quotation] = relationship(back_populates="rounds")
    author: Mapped[User | None] = relationship()
    lines: Mapped[list[QuotationRoundLine]] = relationship(
        back_populates="round", order_by="QuotationRoundLine.id", cascade="all, delete-orphan"
    )

    @property
    def round_kind(self) -> RoundKind:
        return RoundKind(self.kind)

    def price_of(self, request_line_id: int) -> int | None:
        for line in self.lines:
            if line.request_line_id == request_line_id:
                return line.unit_price
        return None


class QuotationRoundLine(Model):
    __tablename__ = "procurement_quotation_round_lines"
    __table_args__ = (
        UniqueConstraint(
            "round_id", "request_line_id", name="uq_procurement_quotation_round_lines_round_line"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotation_rounds.id", ondelete="CASCADE"), index=True
    )
    request_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_request_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    unit_price: Mapped[int] = money_column()
    line_total: Mapped[int] = money_column()

    round: Mapped[QuotationRound] = relationship(back_populates="lines")
    request_line: Mapped[RequestLine] = relationship()


class PurchaseOrder(TimestampMixin, Model):
    """The Surat Pesanan: the approved quotation's lines and totals, the parties copied in, the
    document type of its value band, and the progress of delivery, invoicing and payment."""

    __tablename__ = "procurement_purchase_orders"
    __table_args__ = (
        CheckConstraint(in_check(OrderStatus, "status"), name="status"),
        CheckConstraint(in_check(DocumentType, "document_type"), name="document_type"),
        *_non_negative("subtotal", "ppn", "total"),
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
    receiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The accepted goods' value excluding PPN.
    accepted_total: Mapped[int] = money_column()
    note: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[Delivery] = relationship(back_populates="bast")
    purchase_order: Mapped[PurchaseOrder] = relationship()
    receiver: Mapped[User | None] = relationship()
    invoice: Mapped[Invoice | None] = relationship(back_populates="bast", uselist=False)


class Invoice(Model):
    """The cooperative's invoice (kuitansi) for one BAST's accepted goods, with the tax
    breakdown of `tax.calculate_invoice` judged on the Surat Pesanan's total."""

    __tablename__ = "procurement_invoices"
    __table_args__ = (
        CheckConstraint(in_check(InvoiceStatus, "status"), name="status"),
        *_non_negative(
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    bast_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_basts.id", ondelete="RESTRICT"), unique=True
    )
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="RESTRICT"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED)
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
    total: Mapped[int] = money_column()
    payable: Mapped[int] = money_column()
    stamp_duty_amount: Mapped[int] = money_column()
    total_in_words: Mapped[str] = mapped_column(String(500))
    order_total_excluding_ppn: Mapped[int] = money_column()
    order_total_including_ppn: Mapped[int] = money_column()
    paid_at: Mapped[datetime | None]

    bast: Mapped[Bast] = relationship(back_populates="invoice")
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="invoices")
    cooperative: Mapped[Cooperative] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id", cascade="all, delete-orphan"
    )
    payment: Mapped[InvoicePayment | None] = relationship(back_populates="invoice", uselist=False)

    @property
    def state(self) -> InvoiceStatus:
        return InvoiceStatus(self.status)

    @property
    def stamp_duty_required(self) -> bool:
        return self.stamp_duty_amount > 0

    @property
    def withheld(self) -> int:
        return self.ppn_collected + self.pph22


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


class InvoicePayment(Model):
    """The treasurer's record of paying one invoice: how, the SP2D or card reference, the
    amounts withheld and the withholding slip (bukti potong)."""

    __tablename__ = "procurement_payments"
    __table_args__ = (
        CheckConstraint(in_check(PaymentMethod, "method"), name="method"),
        *_non_negative("amount", "ppn_withheld", "pph22_withheld"),
        Index("ix_procurement_payments_paid_on", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="RESTRICT"), unique=True
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
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="payment")

    @property
    def payment_method(self) -> PaymentMethod:
        return PaymentMethod(self.method)


class ProcurementEvent(Model):
    """One step of a procurement's timeline: which object moved to which state, who, when."""

    __tablename__ = "procurement_events"
    __table_args__ = (
        CheckConstraint(in_check(Actor, "actor"), name="actor"),
        CheckConstraint(in_check(Subject, "subject"), name="subject"),
        Index("ix_procurement_events_request_id_id", "request_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    #: The object's number as documents show it.
    reference: Mapped[str] = mapped_column(String(30), default="")
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ProcurementRequest] = relationship(back_populates="events")
    actor_user: Mapped[User | None] = relationship()

    @property
    def actor_kind(self) -> Actor:
        return Actor(self.actor)


class Notification(Model):
    """An in-app notice for the next actor of a step, in the recipient's language."""

    __tablename__ = "procurement_notifications"
    __table_args__ = (
        Index("ix_procurement_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_procurement_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(String(500))
    #: A path on this site.
    link: Mapped[str] = mapped_column(String(300))


class Budget(TimestampMixin, Model):
    """An agency's yearly budget for goods, entered by the city administrator, against which
    the share spent here is reported."""

    __tablename__ = "procurement_budgets"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", name="uq_procurement_budgets_agency_year"),
        CheckConstraint("goods_budget >= 0", name="goods_budget_non_negative"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        Index("ix_procurement_budgets_year", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int]
    goods_budget: Mapped[int] = money_column()
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    agency: Mapped[Agency] = relationship()
