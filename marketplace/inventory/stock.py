"""The one module that changes stock.

Each change is a guarded UPDATE whose WHERE clause re-checks the rule, so concurrent requests can
never take the quantity below zero: if another transaction got there first, the row count is 0
and we raise `InsufficientStock` instead of overselling. Every change of on hand writes a
`StockMovement` with the resulting balance.

Orders hold stock in three steps: `reserve` when the order is placed (``reserved`` grows, on hand
stays), then either `release` when it is cancelled or `sell` when it is delivered (on hand and
reserved both drop, a SALE movement is written and the product's sold count grows). When several
variants change together their rows are updated in ascending id order, so two orders touching the
same variants always lock them in the same order and cannot deadlock.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import Select, case, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from marketplace import audit
from marketplace.catalogue.listing import refresh_stock_flags
from marketplace.catalogue.management import owned_variant
from marketplace.catalogue.models import Product, ProductStatus, ProductVariant
from marketplace.extensions import db
from marketplace.inventory.exceptions import (
    InsufficientStock,
    InvalidQuantity,
    NoteRequired,
    ReservationMismatch,
)

# MovementReason is part of this module's interface: callers pass `stock.MovementReason.X`.
from marketplace.inventory.models import MovementReason as MovementReason
from marketplace.inventory.models import StockMovement


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
    # Only a variant the session already holds needs refreshing; never load one for this.
    variant = db.session.identity_map.get(identity_key(ProductVariant, variant_id))
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
    refresh_stock_flags(db.session(), [variant_id])
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
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        available = db.session.scalar(
            select(ProductVariant.on_hand - ProductVariant.reserved).where(
                ProductVariant.id == variant_id
            )
        )
        raise InsufficientStock(int(available or 0))
    refresh_stock_flags(db.session(), [variant_id])
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


def quantities_of(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Sum (variant id, quantity) pairs into one quantity per variant."""
    totals: dict[int, int] = defaultdict(int)
    for variant_id, quantity in pairs:
        totals[variant_id] += quantity
    return dict(totals)


def _in_lock_order(quantities: Mapping[int, int]) -> list[tuple[int, int]]:
    """The changes sorted by variant id (the fixed lock order); every quantity must be > 0."""
    if any(quantity <= 0 for quantity in quantities.values()):
        raise InvalidQuantity()
    return sorted(quantities.items())


def _rowcount(result: object) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def shortage(variant_id: int) -> InsufficientStock:
    """The error for a variant that has too few free units, naming it and what is left."""
    row = db.session.execute(
        select(Product.name, ProductVariant.name, ProductVariant.on_hand - ProductVariant.reserved)
        .join(ProductVariant.product)
        .where(ProductVariant.id == variant_id)
    ).one_or_none()
    if row is None:
        return InsufficientStock(0, variant_id=variant_id)
    product_name, variant_name, available = row
    label = f"{product_name} ({variant_name})" if variant_name else product_name
    available = max(int(available), 0)
    if available == 0:
        message = _("Stok %(name)s sudah habis.", name=label)
    else:
        message = _("Stok %(name)s hanya tinggal %(n)d.", name=label, n=available)
    return InsufficientStock(available, message, variant_id=variant_id)


def reserve(quantities: Mapping[int, int]) -> None:
    """Hold units for an order: all of them or none (raises `InsufficientStock`).

    ``UPDATE ... SET reserved = reserved + q WHERE on_hand - reserved >= q``: on PostgreSQL a
    concurrent buyer waits for the row lock and then re-checks the condition on the new row.
    """
    changes = _in_lock_order(quantities)
    db.session.flush()
    with db.session.begin_nested():
        for variant_id, quantity in changes:
            result = db.session.execute(
                update(ProductVariant)
                .where(
                    ProductVariant.id == variant_id,
                    ProductVariant.on_hand - ProductVariant.reserved >= quantity,
                )
                .values(reserved=ProductVariant.reserved + quantity)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                raise shortage(variant_id)
        refresh_stock_flags(db.session(), quantities)
    for variant_id, _quantity in changes:
        _expire_variant(variant_id)


def release(quantities: Mapping[int, int]) -> None:
    """Give reserved units back (a cancelled or expired order)."""
    changes = _in_lock_order(quantities)
    db.session.flush()
    with db.session.begin_nested():
        for variant_id, quantity in changes:
            result = db.session.execute(
                update(ProductVariant)
                .where(ProductVariant.id == variant_id, ProductVariant.reserved >= quantity)
                .values(reserved=ProductVariant.reserved - quantity)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                raise ReservationMismatch()
        refresh_stock_flags(db.session(), quantities)
    for variant_id, _quantity in changes:
        _expire_variant(variant_id)


def sell(
    quantities: Mapping[int, int], *, note: str = "", actor_id: int | None = None
) -> list[StockMovement]:
    """Turn reserved units into a sale: on hand and reserved drop together, a SALE movement is
    written per variant and each product's sold count grows."""
    changes = _in_lock_order(quantities)
    db.session.flush()
    movements = []
    sold_per_product: dict[int, int] = defaultdict(int)
    with db.session.begin_nested():
        for variant_id, quantity in changes:
            result = db.session.execute(
                update(ProductVariant)
                .where(ProductVariant.id == variant_id, ProductVariant.reserved >= quantity)
                .values(
                    on_hand=ProductVariant.on_hand - quantity,
                    reserved=ProductVariant.reserved - quantity,
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                raise ReservationMismatch()
            _expire_variant(variant_id)
            movements.append(_movement(variant_id, -quantity, MovementReason.SALE, note, actor_id))
        refresh_stock_flags(db.session(), quantities)
        rows = db.session.execute(
            select(ProductVariant.id, ProductVariant.product_id).where(
                ProductVariant.id.in_([variant_id for variant_id, _q in changes])
            )
        ).tuples()
        product_ids = dict(rows.all())
        for variant_id, quantity in changes:
            sold_per_product[product_ids[variant_id]] += quantity
        for product_id, quantity in sorted(sold_per_product.items()):
            db.session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(sold_count=Product.sold_count + quantity)
                .execution_options(synchronize_session=False)
            )
            product = db.session.identity_map.get(identity_key(Product, product_id))
            if product is not None:
                db.session.expire(product, ["sold_count"])
    return movements


def send_replacement(
    quantities: Mapping[int, int], *, note: str = "", actor_id: int | None = None
) -> list[StockMovement]:
    """Goods sent again for a complaint settled with a replacement: they leave on hand (a
    REPLACEMENT movement per variant; not a sale, so "Terjual" stays). All of them or none:
    `InsufficientStock` (naming the variant) when one has too few units free."""
    changes = _in_lock_order(quantities)
    if any(quantity <= 0 for _variant, quantity in changes):
        raise InvalidQuantity()
    movements = []
    with db.session.begin_nested():
        for variant_id, quantity in changes:
            try:
                movements.append(
                    remove(
                        variant_id,
                        quantity,
                        reason=MovementReason.REPLACEMENT,
                        note=note,
                        actor_id=actor_id,
                    )
                )
            except InsufficientStock as shortage:
                raise InsufficientStock(shortage.available, variant_id=variant_id) from None
    return movements


def take_back(
    quantities: Mapping[int, int],
    *,
    sellable: bool,
    note: str = "",
    actor_id: int | None = None,
) -> list[StockMovement]:
    """Goods a shopper sent back after a complaint: each product's sold count drops by the
    units returned (never below zero), and when the cooperative says they can be sold again
    they go back on hand (a RETURN movement per variant). Unsellable goods change no stock."""
    changes = _in_lock_order(quantities)
    if any(quantity <= 0 for _variant, quantity in changes):
        raise InvalidQuantity()
    db.session.flush()
    movements = []
    if sellable:
        for variant_id, quantity in changes:
            movements.append(
                restock(
                    variant_id,
                    quantity,
                    reason=MovementReason.RETURN,
                    note=note,
                    actor_id=actor_id,
                )
            )
    product_ids = dict(
        db.session.execute(
            select(ProductVariant.id, ProductVariant.product_id).where(
                ProductVariant.id.in_([variant_id for variant_id, _q in changes])
            )
        )
        .tuples()
        .all()
    )
    returned: dict[int, int] = defaultdict(int)
    for variant_id, quantity in changes:
        returned[product_ids[variant_id]] += quantity
    for product_id, quantity in sorted(returned.items()):
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(
                sold_count=case(
                    (Product.sold_count >= quantity, Product.sold_count - quantity), else_=0
                )
            )
            .execution_options(synchronize_session=False)
        )
        product = db.session.identity_map.get(identity_key(Product, product_id))
        if product is not None:
            db.session.expire(product, ["sold_count"])
    return movements


class Adjustment(enum.StrEnum):
    """What a cooperative records on the stock screen."""

    RESTOCK = "restock"
    CORRECTION = "correction"  # the quantity is the counted on hand, not a difference
    DAMAGE = "damage"
    LOSS = "loss"


def adjust(
    cooperative_id: int,
    variant_id: int,
    kind: Adjustment,
    quantity: int,
    *,
    note: str,
    actor_id: int,
) -> StockMovement | None:
    """Record a restock, a stock count (correction), damage or loss for one of the cooperative's
    own variants, with who and why; audited. Returns None when a count matched on hand.

    A correction sets on hand to the counted quantity; it can never go below zero nor below what
    open orders have reserved (the guarded update in `remove` refuses it).
    """
    variant = owned_variant(cooperative_id, variant_id)
    note = note.strip()
    if kind != Adjustment.RESTOCK and not note:
        raise NoteRequired()
    if quantity < 0 or (kind != Adjustment.CORRECTION and quantity == 0):
        raise InvalidQuantity()
    movement: StockMovement | None
    if kind == Adjustment.RESTOCK:
        movement = restock(variant.id, quantity, note=note, actor_id=actor_id)
    elif kind == Adjustment.CORRECTION:
        db.session.flush()
        on_hand = db.session.scalar(
            select(ProductVariant.on_hand).where(ProductVariant.id == variant.id).with_for_update()
        )
        difference = quantity - int(on_hand or 0)
        if difference == 0:
            return None
        if difference > 0:
            movement = restock(
                variant.id,
                difference,
                reason=MovementReason.CORRECTION,
                note=note,
                actor_id=actor_id,
            )
        else:
            movement = remove(
                variant.id,
                -difference,
                reason=MovementReason.CORRECTION,
                note=note,
                actor_id=actor_id,
            )
    else:
        reason = MovementReason.DAMAGE if kind == Adjustment.DAMAGE else MovementReason.LOSS
        movement = remove(variant.id, quantity, reason=reason, note=note, actor_id=actor_id)
    audit.record(
        "stock.adjusted",
        variant,
        actor_id=actor_id,
        cooperative_id=cooperative_id,
        data={
            "kind": str(kind),
            "sku": variant.sku,
            "quantity": movement.quantity,
            "balance_after": movement.balance_after,
            "note": note,
        },
    )
    return movement


def ledger(cooperative_id: int, variant_id: int, limit: int = 200) -> list[StockMovement]:
    """A variant's movements, newest first (the variant must be the cooperative's)."""
    variant = owned_variant(cooperative_id, variant_id)
    return list(
        db.session.scalars(
            select(StockMovement)
            .where(StockMovement.variant_id == variant.id)
            .order_by(StockMovement.id.desc())
            .limit(limit)
        )
    )


def _stock_rows(cooperative_id: int) -> Select[tuple[ProductVariant]]:
    return (
        select(ProductVariant)
        .join(Product, Product.id == ProductVariant.product_id)
        .options(joinedload(ProductVariant.product))
        .where(
            Product.cooperative_id == cooperative_id,
            Product.status != ProductStatus.ARCHIVED,
            ProductVariant.is_active,
        )
    )


def stock_overview(cooperative_id: int) -> list[ProductVariant]:
    """Every active variant of the cooperative's current products, by product name."""
    return list(
        db.session.scalars(
            _stock_rows(cooperative_id).order_by(Product.name, ProductVariant.position)
        )
    )


def low_stock(cooperative_id: int) -> list[ProductVariant]:
    """Variants whose available quantity is at or below their low-stock threshold."""
    return list(
        db.session.scalars(
            _stock_rows(cooperative_id)
            .where(
                ProductVariant.on_hand - ProductVariant.reserved
                <= ProductVariant.low_stock_threshold
            )
            .order_by(ProductVariant.on_hand - ProductVariant.reserved, Product.name)
        )
    )
