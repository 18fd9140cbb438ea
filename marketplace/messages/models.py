"""A message in the thread of one vendor-order part. A message is unread by the other side
until that side marks the thread read (a POST) or writes in it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import in_check, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class Side(LabelledEnum):
    """Who wrote a message: the part's shopper or one of the cooperative's members."""

    SHOPPER = "shopper", _l("Pembeli")
    COOPERATIVE = "cooperative", _l("Koperasi")

    @property
    def other(self) -> Side:
        return Side.COOPERATIVE if self is Side.SHOPPER else Side.SHOPPER


class OrderMessage(Model):
    __tablename__ = "order_messages"
    __table_args__ = (
        CheckConstraint(in_check(Side, "side"), name="side"),
        Index("ix_order_messages_vendor_order_id_id", "vendor_order_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(ForeignKey("vendor_orders.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the other side read it (marked the thread read, or wrote after it).
    read_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()

    @property
    def side_label(self) -> str:
        return str(Side(self.side).label)
