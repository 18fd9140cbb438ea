"""Carts and their lines. A signed-in shopper has one cart; a guest's cart is found by the
random token in a signed cookie and merges into the user's cart at login."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalogue.models import ProductVariant
from marketplace.database import TimestampMixin, money_column
from marketplace.extensions import Model


class Cart(TimestampMixin, Model):
    __tablename__ = "carts"
    __table_args__ = (
        # Exactly one owner: a user, or a guest holding the token.
        CheckConstraint("(user_id IS NULL) <> (token IS NULL)", name="one_owner"),
        Index("ix_carts_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str | None] = mapped_column(String(64), unique=True)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(TimestampMixin, Model):
    """A variant and how many. ``unit_price_when_added`` is the unit price the shopper saw, so a
    later price change can be pointed out before checkout; the order uses the current price."""

    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_when_added >= 0", name="unit_price_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    unit_price_when_added: Mapped[int] = money_column()

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[ProductVariant] = relationship()
