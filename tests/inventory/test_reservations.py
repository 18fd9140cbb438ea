"""Reserving, releasing and selling stock: the rules an order relies on."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import (
    InsufficientStock,
    InvalidQuantity,
    ReservationMismatch,
)
from marketplace.inventory.models import MovementReason, StockMovement
from tests.factories import ProductFactory, UserFactory, VariantFactory


def stocked(quantity: int, **kwargs: object) -> object:
    variant = VariantFactory(**kwargs)
    stock.restock(variant.id, quantity)
    return variant


def test_reserving_holds_units_without_touching_on_hand(app_ctx: Flask) -> None:
    variant = stocked(10)
    stock.reserve({variant.id: 4})
    assert (variant.on_hand, variant.reserved, variant.available) == (10, 4, 6)
    assert stock.ledger_balance(variant.id) == 10


def test_reserving_more_than_is_free_says_how_many_are_left(app_ctx: Flask) -> None:
    product = ProductFactory(name="Sambal Bawang")
    variant = stocked(5, product=product)
    stock.reserve({variant.id: 3})
    with pytest.raises(InsufficientStock) as error:
        stock.reserve({variant.id: 3})
    assert error.value.available == 2
    assert error.value.variant_id == variant.id
    assert error.value.message == "Stok Sambal Bawang hanya tinggal 2."
    assert variant.reserved == 3


def test_a_sold_out_variant_is_named_in_the_message(app_ctx: Flask) -> None:
    product = ProductFactory(name="Kemeja Batik")
    variant = stocked(1, product=product, name="M")
    stock.reserve({variant.id: 1})
    with pytest.raises(InsufficientStock) as error:
        stock.reserve({variant.id: 1})
    assert error.value.available == 0
    assert error.value.message == "Stok Kemeja Batik (M) sudah habis."


def test_reserving_several_variants_is_all_or_nothing(app_ctx: Flask) -> None:
    plenty = stocked(10)
    scarce = stocked(1)
    with pytest.raises(InsufficientStock):
        stock.reserve({plenty.id: 2, scarce.id: 2})
    db.session.refresh(plenty)
    db.session.refresh(scarce)
    assert (plenty.reserved, scarce.reserved) == (0, 0)


def test_several_variants_are_locked_in_ascending_id_order(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = stocked(5), stocked(5), stocked(5)
    seen: list[int] = []
    original = stock._in_lock_order

    def spy(quantities: dict[int, int]) -> list[tuple[int, int]]:
        order = original(quantities)
        seen.extend(variant_id for variant_id, _ in order)
        return order

    monkeypatch.setattr(stock, "_in_lock_order", spy)
    stock.reserve({third.id: 1, first.id: 1, second.id: 1})
    assert seen == sorted([first.id, second.id, third.id])


def test_releasing_gives_reserved_units_back(app_ctx: Flask) -> None:
    variant = stocked(6)
    stock.reserve({variant.id: 5})
    stock.release({variant.id: 5})
    assert (variant.on_hand, variant.reserved) == (6, 0)


def test_releasing_more_than_is_reserved_is_refused(app_ctx: Flask) -> None:
    variant = stocked(6)
    stock.reserve({variant.id: 1})
    with pytest.raises(ReservationMismatch):
        stock.release({variant.id: 2})
    assert variant.reserved == 1


def test_selling_turns_a_reservation_into_a_sale(app_ctx: Flask) -> None:
    variant = stocked(8)
    stock.reserve({variant.id: 3})
    [movement] = stock.sell({variant.id: 3}, note="OPOP-2026-000001")
    assert (variant.on_hand, variant.reserved) == (5, 0)
    assert (movement.quantity, movement.balance_after) == (-3, 5)
    assert movement.reason == MovementReason.SALE
    assert variant.product.sold_count == 3
    assert stock.ledger_balance(variant.id) == variant.on_hand


def test_selling_two_variants_of_one_product_counts_both(app_ctx: Flask) -> None:
    product = ProductFactory()
    small = stocked(5, product=product, name="S")
    large = stocked(5, product=product, name="L")
    stock.reserve({small.id: 1, large.id: 2})
    movements = stock.sell({small.id: 1, large.id: 2})
    assert product.sold_count == 3
    reasons = db.session.scalars(
        select(StockMovement.reason).where(StockMovement.reason == MovementReason.SALE)
    ).all()
    assert len(reasons) == 2
    assert {(m.note, m.actor_id) for m in movements} == {("", None)}


def test_selling_what_was_never_reserved_is_refused(app_ctx: Flask) -> None:
    variant = stocked(8)
    with pytest.raises(ReservationMismatch):
        stock.sell({variant.id: 1})
    assert (variant.on_hand, variant.product.sold_count) == (8, 0)
    assert stock.ledger_balance(variant.id) == 8


@pytest.mark.parametrize("quantity", [0, -1])
def test_reservation_quantities_must_be_positive(app_ctx: Flask, quantity: int) -> None:
    variant = stocked(3)
    for operation in (stock.reserve, stock.release, stock.sell):
        with pytest.raises(InvalidQuantity):
            operation({variant.id: quantity})


def test_quantities_of_sums_pairs_per_variant() -> None:
    assert stock.quantities_of([(1, 2), (3, 1), (1, 4)]) == {1: 6, 3: 1}


def test_releasing_one_variant_leaves_the_others_reserved(app_ctx: Flask) -> None:
    product = ProductFactory()
    kept = stocked(5, product=product, name="S")
    released = stocked(5, product=product, name="L")
    stock.reserve({kept.id: 2, released.id: 3})
    stock.release({released.id: 1})
    assert (kept.reserved, released.reserved) == (2, 2)
    assert (kept.on_hand, released.on_hand) == (5, 5)


def test_reserving_an_unknown_variant_is_refused_as_out_of_stock(app_ctx: Flask) -> None:
    variant = stocked(5)
    with pytest.raises(InsufficientStock, match="Stok tidak mencukupi") as error:
        stock.reserve({variant.id: 1, 987654: 1})
    assert (error.value.available, error.value.variant_id) == (0, 987654)
    assert variant.reserved == 0


def test_a_product_is_out_of_stock_while_its_units_are_held(app_ctx: Flask) -> None:
    variant = stocked(2)
    stock.reserve({variant.id: 2})
    assert variant.product.in_stock is False
    stock.release({variant.id: 1})
    assert variant.product.in_stock is True


def test_selling_for_two_products_counts_each_ones_sales(app_ctx: Flask) -> None:
    actor = UserFactory()
    tea, honey, bystander = stocked(5), stocked(5), stocked(5)
    stock.reserve({tea.id: 2, honey.id: 3, bystander.id: 1})
    movements = stock.sell({honey.id: 3, tea.id: 2}, note="OPOP-2026-000042", actor_id=actor.id)
    assert [(m.variant_id, m.quantity, m.balance_after) for m in movements] == [
        (tea.id, -2, 3),
        (honey.id, -3, 2),
    ]
    assert {(m.note, m.actor_id) for m in movements} == {("OPOP-2026-000042", actor.id)}
    assert (tea.product.sold_count, honey.product.sold_count) == (2, 3)
    assert (bystander.on_hand, bystander.reserved, bystander.product.sold_count) == (5, 1, 0)
