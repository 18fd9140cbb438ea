"""Scans of signed documents, kept with their Surat Pesanan."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import in_check, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum
from marketplace.procurement.models.order import PurchaseOrder


class SignedDocument(LabelledEnum):
    """The documents that come back signed: the Surat Pesanan, each BAST, each invoice."""

    ORDER = "order", _l("Surat Pesanan")
    BAST = "bast", _l("BAST")
    INVOICE = "invoice", _l("Invoice")


class SignedScan(Model):
    """A scan (PDF or photo) of a document signed on paper, with the e-meterai where it needs
    one, uploaded back by a party of the procurement and kept with its Surat Pesanan. Never
    replaced or deleted: a second scan of the same document is listed above the first."""

    __tablename__ = "procurement_signed_scans"
    __table_args__ = (
        Index("ix_procurement_signed_scans_purchase_order_id", "purchase_order_id", "id"),
        CheckConstraint(in_check(SignedDocument, "kind"), name="kind"),
        CheckConstraint(in_check(("agency", "cooperative"), "side"), name="side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_purchase_orders.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(10))
    #: The Surat Pesanan's, BAST's or invoice's id, and its number when uploaded.
    document_id: Mapped[int]
    document_number: Mapped[str] = mapped_column(String(24))
    storage_key: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(60))
    #: Who sent it: the agency's official or the cooperative.
    side: Mapped[str] = mapped_column(String(12))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    purchase_order: Mapped[PurchaseOrder] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def document(self) -> SignedDocument:
        return SignedDocument(self.kind)
