"""A review of one purchased order line, its photos, and reports of abuse."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product
from marketplace.database import TimestampMixin, in_check, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class ReviewStatus(LabelledEnum):
    #: Waiting for the city (only while review moderation is on).
    PENDING = "pending", _l("Menunggu pemeriksaan")
    VISIBLE = "visible", _l("Tampil")
    HIDDEN = "hidden", _l("Disembunyikan")


class Review(TimestampMixin, Model):
    """One review per purchased order line. Only a visible review counts in the product's and
    cooperative's stored rating counters (`reviews.counters`)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_line_id", name="uq_reviews_order_line"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint(in_check(ReviewStatus, "status"), name="status"),
        Index("ix_reviews_product_status_created", "product_id", "status", "created_at"),
        Index("ix_reviews_cooperative_created", "cooperative_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.VISIBLE, index=True)
    #: Why the city hid it (shown to the shopper).
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    #: The cooperative's one public answer.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Reports of abuse not yet looked at by the city (the queue's order).
    open_reports: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    product: Mapped[Product] = relationship()
    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review", order_by="ReviewPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> ReviewStatus:
        return ReviewStatus(self.status)

    @property
    def reviewer_name(self) -> str:
        """The shopper's first name and an initial: enough to be a person, not a profile."""
        parts = (self.user.full_name or "").split()
        if not parts:
            return str(_l("Pembeli"))
        return parts[0] + (f" {parts[-1][0]}." if len(parts) > 1 else "")


class ReviewPhoto(Model):
    __tablename__ = "review_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    review: Mapped[Review] = relationship(back_populates="photos")


class ReviewReport(Model):
    """Someone signed in says a review is abusive; it goes to the city's queue."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("review_id", "user_id", name="uq_review_reports_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
