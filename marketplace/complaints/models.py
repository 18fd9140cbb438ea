"""A complaint about one delivered part of an order (komplain), its lines and its photos.

One complaint per part, ever: a part's complaint is settled once (answered, escalated, decided),
and its timeline is the part's (`VendorOrderEvent` of kind ``complaint``)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import TimestampMixin, in_check, money_column
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum
from marketplace.orders.models import OrderLine, VendorOrder


class ComplaintReason(LabelledEnum):
    WRONG_ITEM = "wrong_item", _l("Barang salah")
    DAMAGED = "damaged", _l("Barang rusak")
    MISSING_QUANTITY = "missing_quantity", _l("Jumlah kurang")
    NOT_AS_DESCRIBED = "not_as_described", _l("Tidak sesuai deskripsi")
    NOT_RECEIVED = "not_received", _l("Barang tidak diterima")


class ComplaintStatus(LabelledEnum):
    """Where a complaint stands (the machine is `complaints.machine.MACHINE`)."""

    OPEN = "open", _l("Menunggu jawaban koperasi")
    REFUND_ACCEPTED = "refund_accepted", _l("Diterima: dana dikembalikan")
    REPLACEMENT_ACCEPTED = "replacement_accepted", _l("Diterima: barang diganti")
    RETURN_REQUESTED = "return_requested", _l("Koperasi meminta barang dikembalikan")
    RETURN_SHIPPED = "return_shipped", _l("Barang dikirim kembali")
    REJECTED = "rejected", _l("Ditolak koperasi")
    ESCALATED = "escalated", _l("Diteruskan ke Admin Kota")
    RESOLVED = "resolved", _l("Diputuskan Admin Kota")
    CLOSED = "closed", _l("Selesai")


#: Statuses in which a complaint still waits for someone (the part's funds are held meanwhile).
OPEN_STATUSES = frozenset(
    {
        ComplaintStatus.OPEN,
        ComplaintStatus.REPLACEMENT_ACCEPTED,
        ComplaintStatus.RETURN_REQUESTED,
        ComplaintStatus.RETURN_SHIPPED,
        ComplaintStatus.REJECTED,
        ComplaintStatus.ESCALATED,
    }
)


class Resolution(LabelledEnum):
    """How a complaint was settled (by the cooperative's answer or the city's decision)."""

    REFUND = "refund", _l("Pengembalian dana")
    REPLACEMENT = "replacement", _l("Penggantian barang")
    RETURN = "return", _l("Barang dikembalikan, lalu dana dikembalikan")
    REJECTED = "rejected", _l("Ditolak")


class Side(LabelledEnum):
    """Who asked the city to decide."""

    SHOPPER = "shopper", _l("Pembeli")
    COOPERATIVE = "cooperative", _l("Koperasi")
    SYSTEM = "system", _l("Sistem (koperasi tidak menjawab)")


class Complaint(TimestampMixin, Model):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(in_check(ComplaintReason, "reason"), name="reason"),
        CheckConstraint(in_check(ComplaintStatus, "status"), name="status"),
        CheckConstraint(
            "resolution IS NULL OR " + in_check(Resolution, "resolution"), name="resolution"
        ),
        CheckConstraint(
            "escalated_by IS NULL OR " + in_check(Side, "escalated_by"), name="escalated_by"
        ),
        CheckConstraint("refund_amount IS NULL OR refund_amount >= 0", name="refund_non_negative"),
        # One complaint per part, ever: two tabs opening one both fail but one.
        UniqueConstraint("vendor_order_id", name="uq_complaints_vendor_order_id"),
        # The periodic job: open complaints past the cooperative's answer deadline.
        Index("ix_complaints_status_answer_due_at", "status", "answer_due_at"),
        # The cooperative's list (by status) and the city's queue (by status).
        Index("ix_complaints_cooperative_id_status", "cooperative_id", "status", "id"),
        Index("ix_complaints_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(ForeignKey("vendor_orders.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    #: The shopper who complained (the order's).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default=ComplaintStatus.OPEN)
    #: The cooperative answers before this (COMPLAINT_ANSWER_WORKING_DAYS working days).
    answer_due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The cooperative's words with its answer (the reason of a rejection).
    answer_note: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str | None] = mapped_column(String(12))
    #: What goes back to the shopper (the lines' refund amounts summed), once decided.
    refund_amount: Mapped[int | None] = money_column()
    return_courier: Mapped[str | None] = mapped_column(String(60))
    return_tracking_number: Mapped[str | None] = mapped_column(String(80))
    return_shipped_at: Mapped[datetime | None]
    return_received_at: Mapped[datetime | None]
    #: The cooperative's word on returned goods: sellable ones go back into stock.
    return_sellable: Mapped[bool | None]
    escalated_at: Mapped[datetime | None]
    escalated_by: Mapped[str | None] = mapped_column(String(12))
    escalation_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The city's reason, recorded with its (final) decision.
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    #: Money the cooperative collected itself is refunded by it: its proof of the transfer back,
    #: which the shopper then confirms (a private file, like the photos).
    refund_proof_key: Mapped[str | None] = mapped_column(String(200))
    refund_proof_content_type: Mapped[str | None] = mapped_column(String(40))
    refund_proof_at: Mapped[datetime | None]

    vendor_order: Mapped[VendorOrder] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    lines: Mapped[list[ComplaintLine]] = relationship(
        back_populates="complaint", order_by="ComplaintLine.id", cascade="all, delete-orphan"
    )
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        back_populates="complaint", order_by="ComplaintPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> ComplaintStatus:
        return ComplaintStatus(self.status)

    @property
    def reason_label(self) -> str:
        return ComplaintReason(self.reason).label

    @property
    def resolution_label(self) -> str:
        return Resolution(self.resolution).label if self.resolution else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATUSES


class ComplaintLine(Model):
    """A line of the part the complaint is about: how many units, and what of them is refunded."""

    __tablename__ = "complaint_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("refund_amount IS NULL OR refund_amount >= 0", name="refund_non_negative"),
        UniqueConstraint("complaint_id", "order_line_id", name="uq_complaint_lines_line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int]
    refund_amount: Mapped[int | None] = money_column()

    complaint: Mapped[Complaint] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

    @property
    def paid(self) -> int:
        """What the shopper paid for the complained units: the most this line may refund."""
        return self.order_line.unit_price * self.quantity


class ComplaintPhoto(Model):
    """A photo with a complaint: a private file (served only to the shopper, the cooperative
    and the city), checked as transfer proofs are."""

    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)

    complaint: Mapped[Complaint] = relationship(back_populates="photos")
