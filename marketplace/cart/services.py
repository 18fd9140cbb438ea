"""Cart rules: adding, changing and removing lines, the guest cart and its merge at login, and the
cart as the shopper sees it (grouped by cooperative, bulk prices, what changed, what blocks).

The cart holds no stock: availability is checked when a line changes and shown on the cart page;
only placing the order reserves stock (`marketplace.orders.checkout.place_order`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.cart.exceptions import BelowMinimumOrder, ProductUnavailable, QuantityTooLarge
from marketplace.cart.models import Cart, CartLine
from marketplace.catalogue.models import Product, ProductImage, ProductStatus, ProductVariant
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InvalidQuantity


def is_purchasable(variant: ProductVariant) -> bool:
    """On sale now: an active variant of an active product of an approved cooperative."""
    product = variant.product
    return (
        variant.is_active
        and product.status == ProductStatus.ACTIVE
        and product.cooperative.status == CooperativeStatus.APPROVED
    )


def purchasable_variant(variant_id: int) -> ProductVariant:
    """The variant if it is on sale; otherwise `ProductUnavailable` (a 404)."""
    variant = db.session.scalar(
        select(ProductVariant)
        .join(ProductVariant.product)
        .join(Product.cooperative)
        .options(
            joinedload(ProductVariant.product).joinedload(Product.cooperative),
            selectinload(ProductVariant.price_tiers),
        )
        .where(
            ProductVariant.id == variant_id,
            ProductVariant.is_active.is_(True),
            Product.status == ProductStatus.ACTIVE,
            Cooperative.status == CooperativeStatus.APPROVED,
        )
    )
    if variant is None:
        raise ProductUnavailable()
    return variant


# ------------------------------------------------------------------------------------------
# Finding the cart
# ------------------------------------------------------------------------------------------


def find_cart(user: Any, guest_token: str | None) -> Cart | None:
    """The signed-in user's cart, or the guest's cart for the token; None when there is none."""
    if user is not None and user.is_authenticated:
        return db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if guest_token:
        return db.session.scalar(select(Cart).where(Cart.token == guest_token))
    return None


def _insert(obj: object) -> bool:
    """Insert in a savepoint; False when a unique constraint says another request did it first."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def user_cart(user: Any) -> Cart:
    """The user's cart, created on first use (safe when two requests create it at once)."""
    cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if cart is None:
        cart = Cart(user_id=user.id)
        if not _insert(cart):
            cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).one()
    return cart


def new_guest_cart() -> Cart:
    cart = Cart(token=secrets.token_urlsafe(32))
    db.session.add(cart)
    db.session.flush()
    return cart


def item_count(user: Any, guest_token: str | None) -> int:
    """How many items the cart holds (for the navigation), in one query."""
    query = select(func.coalesce(func.sum(CartLine.quantity), 0)).join(CartLine.cart)
    if user is not None and user.is_authenticated:
        query = query.where(Cart.user_id == user.id)
    elif guest_token:
        query = query.where(Cart.token == guest_token)
    else:
        return 0
    return int(db.session.scalar(query) or 0)


# ------------------------------------------------------------------------------------------
# Changing lines
# ------------------------------------------------------------------------------------------


def max_line_quantity() -> int:
    return int(current_app.config["CART_MAX_LINE_QUANTITY"])


def _check_quantity(variant: ProductVariant, quantity: int) -> None:
    """The rules every new quantity of a line must meet."""
    if quantity < 1:
        raise InvalidQuantity(_("Jumlah minimal 1."))
    limit = max_line_quantity()
    if quantity > limit:
        raise QuantityTooLarge(_("Jumlah paling banyak %(n)d.", n=limit))
    product = variant.product
    if quantity < product.min_order_qty:
        raise BelowMinimumOrder(
            _("Minimal pembelian %(n)d %(unit)s.", n=product.min_order_qty, unit=product.unit)
        )
    if quantity > variant.available:
        raise stock.shortage(variant.id)


def add_item(cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Put ``quantity`` more of a variant in the cart (one line per variant)."""
    if quantity < 1:
        raise InvalidQuantity(_("Jumlah minimal 1."))
    variant = purchasable_variant(variant_id)
    line = db.session.scalar(
        select(CartLine).where(CartLine.cart_id == cart.id, CartLine.variant_id == variant.id)
    )
    new_quantity = quantity + (line.quantity if line else 0)
    _check_quantity(variant, new_quantity)
    unit_price = variant.unit_price_for(new_quantity)
    if line is None:
        line = CartLine(
            cart_id=cart.id,
            variant_id=variant.id,
            quantity=new_quantity,
            unit_price_when_added=unit_price,
        )
        if not _insert(line):
            # A double click added the same variant a moment ago: add to that line instead.
            return add_item(cart, variant_id, quantity)
    else:
        line.quantity = new_quantity
        line.unit_price_when_added = unit_price
    cart.updated_at = utcnow()
    db.session.flush()
    return line


def own_line(cart: Cart | None, line_id: int) -> CartLine:
    """A line of this cart; another cart's line looks as if it did not exist."""
    line = (
        db.session.scalar(
            select(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart.id)
        )
        if cart is not None
        else None
    )
    if line is None:
        raise NotFound()
    return line


def set_quantity(cart: Cart | None, line_id: int, quantity: int) -> CartLine:
    """Change a line's quantity; the price shown from now on is the current one."""
    line = own_line(cart, line_id)
    variant = purchasable_variant(line.variant_id)
    _check_quantity(variant, quantity)
    line.quantity = quantity
    line.unit_price_when_added = variant.unit_price_for(quantity)
    assert cart is not None
    cart.updated_at = utcnow()
    db.session.flush()
    return line


def remove_line(cart: Cart | None, line_id: int) -> None:
    line = own_line(cart, line_id)
    db.session.delete(line)
    db.session.flush()


def remove_lines(cart_id: int, line_ids: list[int]) -> None:
    """Take ordered lines out of the cart (called by checkout in the order's transaction)."""
    if line_ids:
        db.session.execute(
            delete(CartLine)
            .where(CartLine.cart_id == cart_id, CartLine.id.in_(line_ids))
            .execution_options(synchronize_session="fetch")
        )


@dataclass
class MergeResult:
    lines: int = 0
    reduced: bool = False


def merge_guest_cart(guest_token: str | None, user: Any) -> MergeResult:
    """Move a guest's lines into the user's cart at login.

    Quantities of the same variant add up, capped at what is available now (a sold-out line
    stays with quantity 1 so the shopper sees it is sold out). The guest cart is then deleted.
    """
    result = MergeResult()
    guest = (
        db.session.scalar(
            select(Cart)
            .options(selectinload(Cart.lines).joinedload(CartLine.variant))
            .where(Cart.token == guest_token)
        )
        if guest_token
        else None
    )
    if guest is None:
        return result
    target = user_cart(user)
    existing = {
        line.variant_id: line
        for line in db.session.scalars(select(CartLine).where(CartLine.cart_id == target.id))
    }
    for guest_line in guest.lines:
        mine = existing.get(guest_line.variant_id)
        wanted = guest_line.quantity + (mine.quantity if mine else 0)
        quantity = max(1, min(wanted, guest_line.variant.available, max_line_quantity()))
        result.reduced = result.reduced or quantity < wanted
        if mine is not None:
            mine.quantity = quantity
        else:
            db.session.add(
                CartLine(
                    cart_id=target.id,
                    variant_id=guest_line.variant_id,
                    quantity=quantity,
                    unit_price_when_added=guest_line.unit_price_when_added,
                )
            )
        result.lines += 1
    db.session.delete(guest)
    target.updated_at = utcnow()
    db.session.flush()
    return result


def purge_guest_carts(older_than_days: int) -> int:
    """Delete guest carts untouched for ``older_than_days``; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(
        delete(Cart)
        .where(Cart.user_id.is_(None), Cart.updated_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


# ------------------------------------------------------------------------------------------
# The cart as the shopper sees it
# ------------------------------------------------------------------------------------------


@dataclass
class LineView:
    line: CartLine
    unit_price: int
    line_total: int
    #: The unit price when the line was added, when the price changed since.
    price_was: int | None
    #: What stops this line from being ordered as it is, in words; None when it can be.
    problem: str | None

    @property
    def variant(self) -> ProductVariant:
        return self.line.variant

    @property
    def product(self) -> Product:
        return self.line.variant.product

    @property
    def image(self) -> ProductImage | None:
        return self.product.images[0] if self.product.images else None


@dataclass
class CooperativeGroup:
    cooperative: Cooperative
    lines: list[LineView] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.product.weight_grams * line.line.quantity for line in self.lines)


@dataclass
class CartView:
    cart: Cart | None
    groups: list[CooperativeGroup]

    @property
    def lines(self) -> list[LineView]:
        return [line for group in self.groups for line in group.lines]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def item_count(self) -> int:
        return sum(line.line.quantity for line in self.lines)

    @property
    def problems(self) -> list[LineView]:
        return [line for line in self.lines if line.problem]

    @property
    def price_changes(self) -> list[LineView]:
        return [line for line in self.lines if line.price_was is not None]


def line_problem(line: CartLine) -> str | None:
    """Why this line cannot be ordered as it is, in the shopper's words (None when it can)."""
    variant = line.variant
    product = variant.product
    if not is_purchasable(variant):
        return str(_("Produk ini sudah tidak dijual. Hapus dari keranjang."))
    if variant.available <= 0:
        return str(_("Stok habis. Hapus dari keranjang."))
    if line.quantity > variant.available:
        return str(_("Stok hanya tinggal %(n)d. Kurangi jumlahnya.", n=variant.available))
    if line.quantity < product.min_order_qty:
        return str(
            _("Minimal pembelian %(n)d %(unit)s.", n=product.min_order_qty, unit=product.unit)
        )
    return None


def view_cart(cart: Cart | None) -> CartView:
    """The cart's lines grouped by cooperative with current prices and problems (a fixed number
    of queries, however many lines)."""
    if cart is None:
        return CartView(None, [])
    lines = db.session.scalars(
        select(CartLine)
        .where(CartLine.cart_id == cart.id)
        .options(
            joinedload(CartLine.variant).options(
                selectinload(ProductVariant.price_tiers),
                joinedload(ProductVariant.product).options(
                    joinedload(Product.cooperative),
                    selectinload(Product.images),
                    # Whether a line names its variant: does the product offer a choice?
                    selectinload(Product.variants),
                ),
            )
        )
        .order_by(CartLine.id)
    ).all()
    groups: dict[int, CooperativeGroup] = {}
    for line in lines:
        variant = line.variant
        unit_price = variant.unit_price_for(line.quantity)
        cooperative = variant.product.cooperative
        group = groups.setdefault(cooperative.id, CooperativeGroup(cooperative))
        group.lines.append(
            LineView(
                line=line,
                unit_price=unit_price,
                line_total=unit_price * line.quantity,
                price_was=(
                    line.unit_price_when_added if line.unit_price_when_added != unit_price else None
                ),
                problem=line_problem(line),
            )
        )
    ordered = sorted(groups.values(), key=lambda group: group.cooperative.name)
    return CartView(cart, ordered)
