"""A message in a thread between a shopper and a cooperative: the thread of one vendor-order part,
or a question about a product before buying (`ProductThread`, one per shopper and product). A
message is unread by the other side until that side marks the thread read (a POST) or writes in
it; it may carry up to three photos (`MessagePhoto`, private files)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product
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


class ProductThread(Model):
    """A shopper's questions about one product to its cooperative, before buying: one thread
    per shopper and product (a unique constraint), reused however often they ask."""

    __tablename__ = "product_threads"
    __table_args__ = (
        UniqueConstraint("shopper_id", "product_id", name="uq_product_threads_shopper_product"),
        Index("ix_product_threads_cooperative_last", "cooperative_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    shopper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    shopper: Mapped[User] = relationship()


class OrderMessage(Model):
    """A message of a part's thread (``vendor_order_id``) or of a product question
    (``product_thread_id``): exactly one of the two."""

    __tablename__ = "order_messages"
    __table_args__ = (
        CheckConstraint(in_check(Side, "side"), name="side"),
        CheckConstraint(
            "(vendor_order_id IS NULL) <> (product_thread_id IS NULL)", name="one_thread"
        ),
        CheckConstraint("reply_seconds IS NULL OR reply_seconds >= 0", name="reply_seconds"),
        Index("ix_order_messages_vendor_order_id_id", "vendor_order_id", "id"),
        Index("ix_order_messages_product_thread_id_id", "product_thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE")
    )
    product_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_threads.id", ondelete="CASCADE")
    )
    side: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the other side read it (marked the thread read, or wrote after it).
    read_at: Mapped[datetime | None]
    #: On the cooperative's first answer to a thread's first shopper message: how long the
    #: shopper waited (the cooperative's response time on its public page).
    reply_seconds: Mapped[int | None]

    author: Mapped[User | None] = relationship()
    photos: Mapped[list[MessagePhoto]] = relationship(
        order_by="MessagePhoto.position", cascade="all, delete-orphan"
    )

    @property
    def side_label(self) -> str:
        return str(Side(self.side).label)


class MessagePhoto(Model):
    """A photo of a message, stored privately (served only to the thread's two sides and the
    city, by `messages.routes.photo`)."""

    __tablename__ = "message_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("order_messages.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
