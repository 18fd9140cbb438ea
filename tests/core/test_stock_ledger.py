"""The stock module: every change of on hand writes a movement; the ledger sums to on hand."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity
from marketplace.inventory.models import MovementReason
from tests.factories import ProductFactory, UserFactory, VariantFactory


def test_restocking_adds_to_on_hand_and_records_the_balance(app_ctx: Flask) -> None:
    variant = VariantFactory()
    first = stock.restock(variant.id, 10, note="panen pertama")
    second = stock.restock(variant.id, 5)
    assert (first.quantity, first.balance_after) == (10, 10)
    assert (second.quantity, second.balance_after) == (5, 15)
    assert (first.note, second.note) == ("panen pertama", "")
    assert variant.on_hand == 15
    assert stock.ledger_balance(variant.id) == 15


def test_removing_stock_cannot_go_below_zero(app_ctx: Flask) -> None:
    variant = VariantFactory()
    stock.restock(variant.id, 3)
    with pytest.raises(InsufficientStock) as error:
        stock.remove(variant.id, 4, reason=MovementReason.DAMAGE)
    assert error.value.available == 3
    assert variant.on_hand == 3
    assert stock.ledger_balance(variant.id) == 3


def test_removing_stock_cannot_take_reserved_units(app_ctx: Flask) -> None:
    variant = VariantFactory(on_hand=0)
    stock.restock(variant.id, 5)
    variant.reserved = 4
    with pytest.raises(InsufficientStock):
        stock.remove(variant.id, 2, reason=MovementReason.CORRECTION)
    movement = stock.remove(variant.id, 1, reason=MovementReason.CORRECTION)
    assert movement.balance_after == 4


@pytest.mark.parametrize("quantity", [0, -3])
def test_quantities_must_be_positive(app_ctx: Flask, quantity: int) -> None:
    variant = VariantFactory()
    with pytest.raises(InvalidQuantity):
        stock.restock(variant.id, quantity)
    with pytest.raises(InvalidQuantity):
        stock.remove(variant.id, quantity, reason=MovementReason.DAMAGE)


def test_removing_from_one_variant_leaves_the_others_alone(app_ctx: Flask) -> None:
    actor = UserFactory()
    product = ProductFactory()
    taken, other = VariantFactory(product=product), VariantFactory(product=product)
    stock.restock(taken.id, 10)
    stock.restock(other.id, 10)
    movement = stock.remove(
        taken.id, 4, reason=MovementReason.DAMAGE, note="karung basah", actor_id=actor.id
    )
    assert (movement.variant_id, movement.quantity, movement.balance_after) == (taken.id, -4, 6)
    assert (movement.reason, movement.note, movement.actor_id) == (
        MovementReason.DAMAGE,
        "karung basah",
        actor.id,
    )
    assert (taken.on_hand, other.on_hand) == (6, 10)
    assert (stock.ledger_balance(taken.id), stock.ledger_balance(other.id)) == (6, 10)


def test_every_free_unit_can_be_removed(app_ctx: Flask) -> None:
    variant = VariantFactory()
    stock.restock(variant.id, 5)
    variant.reserved = 2
    movement = stock.remove(variant.id, 3, reason=MovementReason.LOSS)
    assert (movement.quantity, movement.balance_after) == (-3, 2)
    assert (movement.note, movement.actor_id) == ("", None)  # nothing said, nobody named
    assert (variant.on_hand, variant.reserved) == (2, 2)


def test_a_refused_removal_says_how_many_units_are_free(app_ctx: Flask) -> None:
    variant = VariantFactory()
    stock.restock(variant.id, 5)
    variant.reserved = 2
    with pytest.raises(InsufficientStock, match="Stok tidak mencukupi") as error:
        stock.remove(variant.id, 4, reason=MovementReason.DAMAGE)
    assert error.value.available == 3
    assert (variant.on_hand, stock.ledger_balance(variant.id)) == (5, 5)


def test_removing_from_an_unknown_variant_finds_nothing_free(app_ctx: Flask) -> None:
    with pytest.raises(InsufficientStock) as error:
        stock.remove(987654, 1, reason=MovementReason.DAMAGE)
    assert error.value.available == 0


def test_a_variant_without_movements_has_a_zero_balance(app_ctx: Flask) -> None:
    variant = VariantFactory()
    assert stock.ledger_balance(variant.id) == 0
    stock.restock(variant.id, 3)
    stock.remove(variant.id, 3, reason=MovementReason.CORRECTION)
    assert (variant.on_hand, stock.ledger_balance(variant.id)) == (0, 0)


def test_a_movement_keeps_its_note_and_who_made_it(app_ctx: Flask) -> None:
    actor = UserFactory()
    variant = VariantFactory()
    movement = stock.restock(variant.id, 2, note="kiriman pemasok", actor_id=actor.id)
    assert (movement.reason, movement.note, movement.actor_id) == (
        MovementReason.RESTOCK,
        "kiriman pemasok",
        actor.id,
    )
    long_note = stock.restock(variant.id, 1, note="x" * 300)
    assert long_note.note == "x" * 255 and long_note.actor_id is None


def test_a_products_stock_flag_follows_its_free_units(app_ctx: Flask) -> None:
    variant = VariantFactory()
    product = variant.product
    assert product.in_stock is False
    stock.restock(variant.id, 2)
    assert product.in_stock is True
    stock.remove(variant.id, 2, reason=MovementReason.LOSS)
    assert product.in_stock is False
