"""The one module that changes stock.

Each change is a guarded UPDATE whose WHERE clause re-checks the rule, so concurrent requests can
never take the quantity below zero: if another transaction got there first, the row count is 0
and we raise `InsufficientStock` instead of overselling. Every change of on hand writes a
`StockMovement` with the resulting balance.
"""

from __future__ import annotations

from sqlalchemy import select, update

from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity
from marketplace.inventory.models import MovementReason, StockMovement


def _movement(
    variant_id: int, quantity: int, reason: MovementReason, note: str, actor_id: int | None
) -> StockMovement:
    balance = db.session.scalar(
        select(ProductVariant.on_hand).where(ProductVariant.id == variant_id)
    )
    assert balance is not None
    movement = StockMovement(
        variant_id=variant_id,
        quantity=quantity,
        balance_after=balance,
        reason=reason,
        note=note[:255],
        actor_id=actor_id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def _expire_variant(variant_id: int) -> None:
    variant = db.session.get(ProductVariant, variant_id)
    if variant is not None:
        db.session.expire(variant, ["on_hand", "reserved"])


def restock(
    variant_id: int,
    quantity: int,
    *,
    reason: MovementReason = MovementReason.RESTOCK,
    note: str = "",
    actor_id: int | None = None,
) -> StockMovement:
    """Add received goods to on hand."""
    if quantity <= 0:
        raise InvalidQuantity()
    db.session.flush()
    db.session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == variant_id)
        .values(on_hand=ProductVariant.on_hand + quantity)
        .execution_options(synchronize_session=False)
    )
    _expire_variant(variant_id)
    return _movement(variant_id, quantity, reason, note, actor_id)


def remove(
    variant_id: int,
    quantity: int,
    *,
    reason: MovementReason,
    note: str = "",
    actor_id: int | None = None,
) -> StockMovement:
    """Take units off on hand (correction, damage or loss), never below what is reserved."""
    if quantity <= 0:
        raise InvalidQuantity()
    db.session.flush()
    result = db.session.execute(
        update(ProductVariant)
        .where(
            ProductVariant.id == variant_id,
            ProductVariant.on_hand - ProductVariant.reserved >= quantity,
        )
        .values(on_hand=ProductVariant.on_hand - quantity)
        .execution_options(synchronize_session=False)
    )
    _expire_variant(variant_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        available = db.session.scalar(
            select(ProductVariant.on_hand - ProductVariant.reserved).where(
                ProductVariant.id == variant_id
            )
        )
        raise InsufficientStock(int(available or 0))
    return _movement(variant_id, -quantity, reason, note, actor_id)


def ledger_balance(variant_id: int) -> int:
    """The sum of a variant's movements; always equal to its on hand."""
    from sqlalchemy import func

    total = db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
            StockMovement.variant_id == variant_id
        )
    )
    return int(total or 0)
