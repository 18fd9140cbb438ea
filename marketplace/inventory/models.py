"""The stock ledger. Every change of a variant's on-hand quantity writes one row here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import ProductVariant
from marketplace.database import TimestampMixin, in_check, utcnow
from marketplace.extensions import Model


class MovementReason(enum.StrEnum):
    INITIAL = "initial"
    RESTOCK = "restock"
    CORRECTION = "correction"
    DAMAGE = "damage"
    LOSS = "loss"
    SALE = "sale"
    RETURN = "return"
    #: Goods sent again to a shopper whose complaint the cooperative settled with a replacement.
    REPLACEMENT = "replacement"


class StockMovement(Model):
    """Append-only: ``quantity`` is signed, ``balance_after`` is on hand after this movement.

    Reservations are not movements (they live in ``ProductVariant.reserved``), so the sum of a
    variant's movements always equals its on-hand quantity.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(in_check(MovementReason, "reason"), name="reason"),
        CheckConstraint("balance_after >= 0", name="balance_non_negative"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        Index("ix_stock_movements_variant_id_id", "variant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="RESTRICT"))
    quantity: Mapped[int]
    balance_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    variant: Mapped[ProductVariant] = relationship()
    actor: Mapped[User | None] = relationship()


class ImportStatus(enum.StrEnum):
    VALIDATING = "validating"
    PREVIEWED = "previewed"
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"


class ImportJob(TimestampMixin, Model):
    """One uploaded product and stock file: its dry-run preview, then its application.

    ``processed_rows`` is written as the rows are worked through (from a connection of its own, so
    the page polling it sees the progress of a long import while it runs).
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(in_check(ImportStatus, "status"), name="status"),
        CheckConstraint("file_format IN ('csv', 'xlsx')", name="file_format"),
        CheckConstraint("total_rows >= 0", name="total_rows_non_negative"),
        CheckConstraint("processed_rows >= 0", name="processed_rows_non_negative"),
        Index("ix_import_jobs_cooperative_id_id", "cooperative_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(4))
    storage_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=ImportStatus.VALIDATING)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    #: {"create_products": n, "create_variants": n, "update_variants": n, "unchanged": n}
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: [{"row": 3, "column": "harga", "code": "not_integer", "params": {...}}]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The first changes, for the preview: [{"row": 2, "sku": "...", "action": "...", ...}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    finished_at: Mapped[datetime | None]

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.VALIDATING, ImportStatus.APPLYING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if not self.is_running else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
