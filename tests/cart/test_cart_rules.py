"""Cart rules: lines, quantities, bulk prices, minimums, what the cart page shows, the merge."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.cart import services
from marketplace.cart.exceptions import BelowMinimumOrder, ProductUnavailable, QuantityTooLarge
from marketplace.cart.models import Cart, CartLine
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity
from tests.factories import CooperativeFactory, PriceTierFactory, UserFactory
from tests.shopping import stocked_variant


def lines_of(cart: Cart) -> list[tuple[int, int]]:
    return [
        (line.variant_id, line.quantity)
        for line in db.session.scalars(select(CartLine).where(CartLine.cart_id == cart.id))
    ]


def test_adding_the_same_variant_twice_adds_up_on_one_line(app_ctx: Flask) -> None:
    variant = stocked_variant(10, price=12000)
    cart = services.user_cart(UserFactory())
    services.add_item(cart, variant.id, 2)
    line = services.add_item(cart, variant.id, 3)
    assert lines_of(cart) == [(variant.id, 5)]
    assert line.unit_price_when_added == 12000


def test_a_user_has_one_cart(app_ctx: Flask) -> None:
    user = UserFactory()
    assert services.user_cart(user).id == services.user_cart(user).id


def test_more_than_is_available_is_refused_with_what_is_left(app_ctx: Flask) -> None:
    variant = stocked_variant(4, product__name="Sambal Ijo")
    cart = services.user_cart(UserFactory())
    services.add_item(cart, variant.id, 3)
    with pytest.raises(InsufficientStock) as error:
        services.add_item(cart, variant.id, 2)
    assert error.value.message == "Stok Sambal Ijo hanya tinggal 4."
    assert lines_of(cart) == [(variant.id, 3)]


def test_the_minimum_order_quantity_applies(app_ctx: Flask) -> None:
    variant = stocked_variant(100, product__min_order_qty=10, product__unit="karton")
    cart = services.user_cart(UserFactory())
    with pytest.raises(BelowMinimumOrder) as error:
        services.add_item(cart, variant.id, 9)
    assert error.value.message == "Minimal pembelian 10 karton."
    services.add_item(cart, variant.id, 10)
    assert lines_of(cart) == [(variant.id, 10)]


@pytest.mark.parametrize("quantity", [0, -2])
def test_quantities_below_one_are_refused(app_ctx: Flask, quantity: int) -> None:
    variant = stocked_variant(5)
    cart = services.user_cart(UserFactory())
    with pytest.raises(InvalidQuantity):
        services.add_item(cart, variant.id, quantity)
    assert lines_of(cart) == []


def test_a_line_cannot_exceed_the_configured_maximum(app_ctx: Flask) -> None:
    app_ctx.config["CART_MAX_LINE_QUANTITY"] = 50
    try:
        variant = stocked_variant(500)
        cart = services.user_cart(UserFactory())
        with pytest.raises(QuantityTooLarge):
            services.add_item(cart, variant.id, 51)
    finally:
        app_ctx.config["CART_MAX_LINE_QUANTITY"] = 1000


@pytest.mark.parametrize(
    "unavailable",
    ["archived", "hidden", "draft", "inactive variant", "suspended cooperative"],
)
def test_what_is_not_on_sale_cannot_be_added(app_ctx: Flask, unavailable: str) -> None:
    variant = stocked_variant(5)
    if unavailable == "inactive variant":
        variant.is_active = False
    elif unavailable == "suspended cooperative":
        variant.product.cooperative.status = CooperativeStatus.SUSPENDED
    else:
        variant.product.status = ProductStatus(unavailable)
    db.session.flush()
    cart = services.user_cart(UserFactory())
    with pytest.raises(ProductUnavailable):
        services.add_item(cart, variant.id, 1)
    assert lines_of(cart) == []


def test_bulk_tiers_price_the_line_by_its_quantity(app_ctx: Flask) -> None:
    variant = stocked_variant(100, price=10000)
    PriceTierFactory(variant=variant, min_quantity=10, unit_price=9000)
    PriceTierFactory(variant=variant, min_quantity=50, unit_price=8000)
    cart = services.user_cart(UserFactory())
    services.add_item(cart, variant.id, 9)
    [line] = services.view_cart(cart).lines
    assert (line.unit_price, line.line_total) == (10000, 90000)
    services.add_item(cart, variant.id, 1)
    [line] = services.view_cart(cart).lines
    assert (line.unit_price, line.line_total, line.price_was) == (9000, 90000, None)
    services.add_item(cart, variant.id, 40)
    assert services.view_cart(cart).total == 50 * 8000


def test_lines_are_grouped_by_cooperative_with_subtotals(app_ctx: Flask) -> None:
    bakery = CooperativeFactory(name="Koppontren B")
    dairy = CooperativeFactory(name="Koppontren A")
    bread = stocked_variant(10, price=5000, product__cooperative=bakery)
    cake = stocked_variant(10, price=7000, product__cooperative=bakery)
    milk = stocked_variant(10, price=3000, product__cooperative=dairy)
    cart = services.user_cart(UserFactory())
    for variant, quantity in ((bread, 2), (milk, 3), (cake, 1)):
        services.add_item(cart, variant.id, quantity)
    view = services.view_cart(cart)
    assert [(g.cooperative.name, g.subtotal) for g in view.groups] == [
        ("Koppontren A", 9000),
        ("Koppontren B", 17000),
    ]
    assert (view.total, view.item_count) == (26000, 6)


def test_a_price_change_since_adding_is_pointed_out(app_ctx: Flask) -> None:
    variant = stocked_variant(10, price=20000)
    cart = services.user_cart(UserFactory())
    line = services.add_item(cart, variant.id, 1)
    variant.price = 23000
    db.session.flush()
    [item] = services.view_cart(cart).lines
    assert (item.price_was, item.unit_price) == (20000, 23000)
    assert item.problem is None  # shown, but it does not block checkout
    services.set_quantity(cart, line.id, 2)  # changing the line takes the new price
    assert services.view_cart(cart).price_changes == []


def test_lines_that_cannot_be_ordered_say_why(app_ctx: Flask) -> None:
    archived = stocked_variant(5, product__name="Arsip")
    scarce = stocked_variant(5, product__name="Langka")
    minimum = stocked_variant(50, product__name="Grosir")
    cart = services.user_cart(UserFactory())
    for variant in (archived, scarce, minimum):
        services.add_item(cart, variant.id, 3)
    archived.product.status = ProductStatus.ARCHIVED
    stock.remove(scarce.id, 4, reason=stock.MovementReason.DAMAGE)
    minimum.product.min_order_qty = 5
    db.session.flush()
    problems = {line.product.name: line.problem for line in services.view_cart(cart).problems}
    assert problems == {
        "Arsip": "Produk ini sudah tidak dijual. Hapus dari keranjang.",
        "Langka": "Stok hanya tinggal 1. Kurangi jumlahnya.",
        "Grosir": "Minimal pembelian 5 bungkus.",
    }


def test_another_carts_line_is_not_found(app_ctx: Flask) -> None:
    variant = stocked_variant(5)
    mine = services.user_cart(UserFactory())
    theirs = services.user_cart(UserFactory())
    line = services.add_item(theirs, variant.id, 2)
    from marketplace.errors import NotFound

    with pytest.raises(NotFound):
        services.set_quantity(mine, line.id, 1)
    with pytest.raises(NotFound):
        services.remove_line(mine, line.id)
    assert lines_of(theirs) == [(variant.id, 2)]


def test_merging_adds_quantities_up_to_what_is_available(app_ctx: Flask) -> None:
    plenty = stocked_variant(20)
    scarce = stocked_variant(4)
    sold_out = stocked_variant(2)
    only_guest = stocked_variant(10)
    user = UserFactory()
    mine = services.user_cart(user)
    services.add_item(mine, plenty.id, 2)
    services.add_item(mine, scarce.id, 3)
    guest = services.new_guest_cart()
    services.add_item(guest, plenty.id, 5)
    services.add_item(guest, scarce.id, 3)
    services.add_item(guest, sold_out.id, 2)
    services.add_item(guest, only_guest.id, 1)
    stock.remove(sold_out.id, 2, reason=stock.MovementReason.DAMAGE)

    result = services.merge_guest_cart(guest.token, user)

    assert result.reduced
    assert sorted(lines_of(mine)) == sorted(
        [(plenty.id, 7), (scarce.id, 4), (sold_out.id, 1), (only_guest.id, 1)]
    )
    assert (
        db.session.scalar(select(func.count()).select_from(Cart).where(Cart.token.is_not(None)))
        == 0
    )


def test_merging_without_a_guest_cart_changes_nothing(app_ctx: Flask) -> None:
    user = UserFactory()
    assert services.merge_guest_cart("no-such-token", user).lines == 0
    assert services.merge_guest_cart(None, user).lines == 0


def test_the_item_count_sums_quantities(app_ctx: Flask) -> None:
    user = UserFactory()
    cart = services.user_cart(user)
    services.add_item(cart, stocked_variant(9).id, 2)
    services.add_item(cart, stocked_variant(9).id, 3)
    assert services.item_count(user, None) == 5


def test_old_guest_carts_are_purged(app_ctx: Flask, clock: ModuleType) -> None:
    old = services.new_guest_cart()
    services.add_item(old, stocked_variant(5).id, 1)
    services.user_cart(UserFactory())
    clock.advance(timedelta(days=31))
    fresh = services.new_guest_cart()
    old_id, fresh_id = old.id, fresh.id
    assert services.purge_guest_carts(30) == 1
    remaining = db.session.scalars(select(Cart.id)).all()
    assert old_id not in remaining and fresh_id in remaining
