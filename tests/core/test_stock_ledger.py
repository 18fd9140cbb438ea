"""The stock module: every change of on hand writes a movement; the ledger sums to on hand."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity
from marketplace.inventory.models import MovementReason
from tests.factories import VariantFactory


def test_restocking_adds_to_on_hand_and_records_the_balance(app_ctx: Flask) -> None:
    variant = VariantFactory()
    first = stock.restock(variant.id, 10, note="panen pertama")
    second = stock.restock(variant.id, 5)
    assert (first.quantity, first.balance_after) == (10, 10)
    assert (second.quantity, second.balance_after) == (5, 15)
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
