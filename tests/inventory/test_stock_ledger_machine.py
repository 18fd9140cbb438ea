"""Every stock change, in any order, keeps the books straight.

A hypothesis state machine reserves, releases, sells, removes, adjusts and counts the stock of
five variants of three products of two cooperatives, keeping its own model of on hand, reserved
and sold. After every step, for each variant: the ledger's sum equals on hand (the auditor's
rule), reserved never exceeds on hand, on hand is never negative, and the database agrees with
the model; a refused change (too little stock, too much released, a bad quantity, no note,
another cooperative's variant) must change nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.catalogue.models import Product, ProductVariant
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import (
    InsufficientStock,
    InvalidQuantity,
    NoteRequired,
    ReservationMismatch,
)
from marketplace.inventory.models import MovementReason, StockMovement
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, VariantFactory

# Variant i belongs to product PRODUCT[i], which belongs to cooperative OWNER[i].
PRODUCT = (0, 0, 1, 2, 2)
OWNER = (0, 0, 0, 1, 1)
VARIANTS = range(len(PRODUCT))

variant_index = st.sampled_from(VARIANTS)
# Mostly sensible quantities, now and then a zero or negative one (always refused).
order_quantities = st.dictionaries(variant_index, st.integers(-1, 6), min_size=1, max_size=3)
notes = st.sampled_from(["", "   ", "stok opname", "kemasan rusak"])


class Shelves:
    """Two cooperatives' variants, made once per test; each example starts them empty."""

    def __init__(self) -> None:
        self.actor = int(UserFactory().id)
        cooperatives = [CooperativeFactory(), CooperativeFactory()]
        self.cooperative_ids = [int(c.id) for c in cooperatives]
        products = [ProductFactory(cooperative=cooperatives[owner]) for owner in (0, 0, 1)]
        self.product_ids = [int(p.id) for p in products]
        # Created in index order, so ascending ids: the lock order is the index order.
        self.variant_ids = [int(VariantFactory(product=products[PRODUCT[i]]).id) for i in VARIANTS]


class StockLedger(RuleBasedStateMachine):
    shelves: Shelves

    def __init__(self) -> None:
        super().__init__()
        self.actor = self.shelves.actor
        self.cooperative_ids = self.shelves.cooperative_ids
        self.product_ids = self.shelves.product_ids
        self.ids = self.shelves.variant_ids
        # Each example runs in a savepoint rolled back at its end (`teardown`).
        self.example = db.session.begin_nested()
        self.on_hand = [0 for _ in VARIANTS]
        self.reserved = [0 for _ in VARIANTS]
        self.sold = [0 for _ in self.product_ids]

    def teardown(self) -> None:
        self.example.rollback()
        db.session.expire_all()

    # What the database holds

    def free(self, i: int) -> int:
        return self.on_hand[i] - self.reserved[i]

    def snapshot(self) -> tuple[Any, ...]:
        """Each variant's on hand, reserved and product's sold count; each variant's movements
        (how many, their sum, the last one); how many audit entries the cooperatives have."""
        variants = db.session.execute(
            select(
                ProductVariant.id,
                ProductVariant.on_hand,
                ProductVariant.reserved,
                Product.sold_count,
            )
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.id.in_(self.ids))
            .order_by(ProductVariant.id)
        ).all()
        movements = {
            variant_id: (count, total, last)
            for variant_id, count, total, last in db.session.execute(
                select(
                    StockMovement.variant_id,
                    func.count(),
                    func.sum(StockMovement.quantity),
                    func.max(StockMovement.id),
                )
                .where(StockMovement.variant_id.in_(self.ids))
                .group_by(StockMovement.variant_id)
            ).all()
        }
        audited = db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.cooperative_id.in_(self.cooperative_ids))
        )
        return (tuple(tuple(row) for row in variants), movements, audited)

    def refused(self, change: Callable[[], object], error: type[DomainError]) -> Any:
        before = self.snapshot()
        with pytest.raises(error) as raised:
            change()
        assert self.snapshot() == before, f"a refused change ({error.__name__}) changed stock"
        return raised.value

    def orders(self, wanted: dict[int, int]) -> dict[int, int]:
        return {self.ids[i]: quantity for i, quantity in wanted.items()}

    # The changes

    @initialize(amounts=st.lists(st.integers(0, 8), min_size=len(VARIANTS), max_size=len(VARIANTS)))
    def stock_the_shelves(self, amounts: list[int]) -> None:
        for i, amount in enumerate(amounts):
            if amount:
                stock.restock(self.ids[i], amount, actor_id=self.actor)
                self.on_hand[i] += amount

    @rule(wanted=order_quantities)
    def reserve(self, wanted: dict[int, int]) -> None:
        if any(quantity <= 0 for quantity in wanted.values()):
            self.refused(lambda: stock.reserve(self.orders(wanted)), InvalidQuantity)
            return
        short = sorted(i for i, quantity in wanted.items() if quantity > self.free(i))
        if short:
            error = self.refused(lambda: stock.reserve(self.orders(wanted)), InsufficientStock)
            # The first short variant in lock order is named, with what it has left.
            assert (error.variant_id, error.available) == (self.ids[short[0]], self.free(short[0]))
            return
        stock.reserve(self.orders(wanted))
        for i, quantity in wanted.items():
            self.reserved[i] += quantity

    @rule(wanted=order_quantities)
    def release(self, wanted: dict[int, int]) -> None:
        if any(quantity <= 0 for quantity in wanted.values()):
            self.refused(lambda: stock.release(self.orders(wanted)), InvalidQuantity)
        elif any(quantity > self.reserved[i] for i, quantity in wanted.items()):
            self.refused(lambda: stock.release(self.orders(wanted)), ReservationMismatch)
        else:
            stock.release(self.orders(wanted))
            for i, quantity in wanted.items():
                self.reserved[i] -= quantity

    @rule(wanted=order_quantities)
    def sell(self, wanted: dict[int, int]) -> None:
        if any(quantity <= 0 for quantity in wanted.values()):
            self.refused(lambda: stock.sell(self.orders(wanted)), InvalidQuantity)
            return
        if any(quantity > self.reserved[i] for i, quantity in wanted.items()):
            self.refused(lambda: stock.sell(self.orders(wanted)), ReservationMismatch)
            return
        movements = stock.sell(self.orders(wanted), note="OPOP-MESIN", actor_id=self.actor)
        for i, quantity in sorted(wanted.items()):
            self.on_hand[i] -= quantity
            self.reserved[i] -= quantity
            self.sold[PRODUCT[i]] += quantity
        assert [(m.variant_id, m.quantity, m.balance_after, m.reason) for m in movements] == [
            (self.ids[i], -quantity, self.on_hand[i], MovementReason.SALE)
            for i, quantity in sorted(wanted.items())
        ]

    @rule(
        i=variant_index,
        quantity=st.integers(1, 8),
        reason=st.sampled_from([MovementReason.DAMAGE, MovementReason.LOSS]),
    )
    def remove(self, i: int, quantity: int, reason: MovementReason) -> None:
        if quantity > self.free(i):
            error = self.refused(
                lambda: stock.remove(self.ids[i], quantity, reason=reason), InsufficientStock
            )
            assert error.available == self.free(i)
            return
        movement = stock.remove(self.ids[i], quantity, reason=reason, actor_id=self.actor)
        self.on_hand[i] -= quantity
        assert (movement.variant_id, movement.quantity, movement.balance_after) == (
            self.ids[i],
            -quantity,
            self.on_hand[i],
        )

    @rule(
        cooperative=st.sampled_from([0, 1]),
        i=variant_index,
        kind=st.sampled_from(list(stock.Adjustment)),
        quantity=st.integers(-1, 10),
        note=notes,
    )
    def adjust(
        self, cooperative: int, i: int, kind: stock.Adjustment, quantity: int, note: str
    ) -> None:
        def change() -> stock.StockMovement | None:
            return stock.adjust(
                self.cooperative_ids[cooperative],
                self.ids[i],
                kind,
                quantity,
                note=note,
                actor_id=self.actor,
            )

        if OWNER[i] != cooperative:
            self.refused(change, NotFound)
        elif kind != stock.Adjustment.RESTOCK and not note.strip():
            self.refused(change, NoteRequired)
        elif quantity < 0 or (kind != stock.Adjustment.CORRECTION and quantity == 0):
            self.refused(change, InvalidQuantity)
        elif kind == stock.Adjustment.CORRECTION:
            self.count_as(i, quantity, change)
        elif kind == stock.Adjustment.RESTOCK:
            self.expect_movement(i, quantity, change())
        elif quantity > self.free(i):
            self.refused(change, InsufficientStock)
        else:
            self.expect_movement(i, -quantity, change())

    @rule(i=variant_index, counted=st.integers(0, 12))
    def count(self, i: int, counted: int) -> None:
        """The owner counts the shelf and records what is there."""
        self.count_as(
            i,
            counted,
            lambda: stock.adjust(
                self.cooperative_ids[OWNER[i]],
                self.ids[i],
                stock.Adjustment.CORRECTION,
                counted,
                note="stok opname",
                actor_id=self.actor,
            ),
        )

    def count_as(
        self, i: int, counted: int, change: Callable[[], stock.StockMovement | None]
    ) -> None:
        if counted < self.reserved[i]:
            self.refused(change, InsufficientStock)
        elif counted == self.on_hand[i]:
            before = self.snapshot()
            assert change() is None
            assert self.snapshot() == before, "a count matching on hand changed stock"
        else:
            self.expect_movement(i, counted - self.on_hand[i], change())

    def expect_movement(self, i: int, difference: int, movement: StockMovement | None) -> None:
        self.on_hand[i] += difference
        assert movement is not None
        assert (movement.variant_id, movement.quantity, movement.balance_after) == (
            self.ids[i],
            difference,
            self.on_hand[i],
        )
        assert movement.actor_id == self.actor

    # After every step

    @invariant()
    def the_books_balance(self) -> None:
        variants, movements, _audited = self.snapshot()
        for i, (variant_id, on_hand, reserved, _sold) in zip(VARIANTS, variants, strict=True):
            _count, ledger_sum, _last = movements.get(variant_id, (0, 0, None))
            assert ledger_sum == on_hand, "the ledger's sum differs from on hand"
            assert 0 <= reserved <= on_hand
            assert (on_hand, reserved) == (self.on_hand[i], self.reserved[i])
        sold: dict[int, int] = {}
        for i, (*_stock, sold_count) in zip(VARIANTS, variants, strict=True):
            sold[PRODUCT[i]] = sold_count
        assert [sold[p] for p in range(len(self.product_ids))] == self.sold


def test_every_sequence_of_stock_changes_keeps_the_ledger_equal_to_on_hand(app_ctx: Flask) -> None:
    machine = type("StockLedgerOnTheseShelves", (StockLedger,), {"shelves": Shelves()})
    # Examples from the loaded profile (dev or ci); short runs keep it to a few seconds.
    run_state_machine_as_test(machine, settings=settings(stateful_step_count=15))
