"""The stock ledger. Every change of a variant's on-hand quantity writes one row here."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalogue.models import ProductVariant
from marketplace.database import in_check, utcnow
from marketplace.extensions import Model


class MovementReason(enum.StrEnum):
    INITIAL = "initial"
    RESTOCK = "restock"
    CORRECTION = "correction"
    DAMAGE = "damage"
    SALE = "sale"
    RETURN = "return"


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
