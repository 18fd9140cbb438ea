"""What a cooperative records on its stock screen and what an auditor reads back: adjustments
with who and why, the ledger, and the cooperative's own stock and low-stock lists."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.catalogue.models import ProductStatus, ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity, NoteRequired
from marketplace.inventory.models import MovementReason, StockMovement
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, VariantFactory

RESTOCK, CORRECTION = stock.Adjustment.RESTOCK, stock.Adjustment.CORRECTION
DAMAGE, LOSS = stock.Adjustment.DAMAGE, stock.Adjustment.LOSS


@pytest.fixture
def actor(app_ctx: Flask) -> int:
    return int(UserFactory().id)


@pytest.fixture
def coop(app_ctx: Flask) -> Cooperative:
    cooperative: Cooperative = CooperativeFactory()
    return cooperative


def variant_of(
    cooperative: Cooperative, on_hand: int = 0, *, reserved: int = 0, **fields: object
) -> ProductVariant:
    """A variant of one of the cooperative's products with ``on_hand`` restocked (and
    ``reserved`` of it held by an order)."""
    product_fields = {
        key.removeprefix("product__"): fields.pop(key)
        for key in list(fields)
        if key.startswith("product__")
    }
    product = fields.pop("product", None) or ProductFactory(
        cooperative=cooperative, **product_fields
    )
    variant: ProductVariant = VariantFactory(product=product, **fields)
    if on_hand:
        stock.restock(variant.id, on_hand)
    if reserved:
        stock.reserve({variant.id: reserved})
    return variant


def movements_of(variant: ProductVariant) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(StockMovement)
            .where(StockMovement.variant_id == variant.id)
        )
        or 0
    )


def adjustments() -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog).where(AuditLog.action == "stock.adjusted").order_by(AuditLog.id)
        )
    )


# Adjustments


def test_damage_and_loss_are_recorded_as_such_with_who_and_why(
    coop: Cooperative, actor: int
) -> None:
    variant = variant_of(coop, 10)
    damaged = stock.adjust(coop.id, variant.id, DAMAGE, 2, note="kemasan sobek", actor_id=actor)
    lost = stock.adjust(coop.id, variant.id, LOSS, 1, note="hilang di gudang", actor_id=actor)
    assert damaged is not None and lost is not None
    assert (damaged.reason, damaged.quantity, damaged.balance_after) == (
        MovementReason.DAMAGE,
        -2,
        8,
    )
    assert (lost.reason, lost.quantity, lost.balance_after) == (MovementReason.LOSS, -1, 7)
    assert (damaged.note, damaged.actor_id) == ("kemasan sobek", actor)
    assert (lost.note, lost.actor_id) == ("hilang di gudang", actor)
    assert variant.on_hand == 7


def test_a_restock_needs_no_note_and_adds_even_a_single_unit(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop)
    movement = stock.adjust(coop.id, variant.id, RESTOCK, 1, note="", actor_id=actor)
    assert movement is not None
    assert (movement.reason, movement.quantity, movement.balance_after) == (
        MovementReason.RESTOCK,
        1,
        1,
    )
    assert (movement.note, movement.actor_id) == ("", actor)
    assert variant.on_hand == 1


def test_a_restock_keeps_its_note(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop)
    movement = stock.adjust(coop.id, variant.id, RESTOCK, 4, note="dari pemasok", actor_id=actor)
    assert movement is not None and movement.note == "dari pemasok"


def test_counting_a_shelf_that_was_empty_records_what_was_found(
    coop: Cooperative, actor: int
) -> None:
    variant = variant_of(coop)
    movement = stock.adjust(coop.id, variant.id, CORRECTION, 4, note="ketemu", actor_id=actor)
    assert movement is not None
    assert (movement.reason, movement.quantity, movement.balance_after) == (
        MovementReason.CORRECTION,
        4,
        4,
    )
    assert stock.adjust(coop.id, variant.id, CORRECTION, 4, note="cek", actor_id=actor) is None


def test_the_note_is_kept_without_surrounding_spaces(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop, 5)
    movement = stock.adjust(coop.id, variant.id, DAMAGE, 1, note="  basah  ", actor_id=actor)
    assert movement is not None and movement.note == "basah"
    [entry] = adjustments()
    assert entry.data["note"] == "basah"


def test_a_count_above_on_hand_adds_the_difference_as_a_correction(
    coop: Cooperative, actor: int
) -> None:
    variant = variant_of(coop, 3)
    movement = stock.adjust(coop.id, variant.id, CORRECTION, 7, note="hitung ulang", actor_id=actor)
    assert movement is not None
    assert (movement.reason, movement.quantity, movement.balance_after) == (
        MovementReason.CORRECTION,
        4,
        7,
    )
    assert (movement.note, movement.actor_id) == ("hitung ulang", actor)
    assert variant.on_hand == 7
    assert stock.ledger_balance(variant.id) == 7


def test_a_count_of_zero_empties_the_shelf(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop, 3)
    movement = stock.adjust(
        coop.id, variant.id, CORRECTION, 0, note="gudang kosong", actor_id=actor
    )
    assert movement is not None
    assert (movement.reason, movement.quantity, movement.balance_after) == (
        MovementReason.CORRECTION,
        -3,
        0,
    )
    assert (movement.note, movement.actor_id) == ("gudang kosong", actor)
    assert variant.on_hand == 0
    assert stock.ledger_balance(variant.id) == 0


def test_a_count_below_what_orders_hold_is_refused(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop, 5, reserved=3)
    with pytest.raises(InsufficientStock, match="Stok tidak mencukupi") as error:
        stock.adjust(coop.id, variant.id, CORRECTION, 2, note="hitung", actor_id=actor)
    assert error.value.available == 2
    assert (variant.on_hand, variant.reserved, movements_of(variant)) == (5, 3, 1)
    assert adjustments() == []


def test_a_count_matching_on_hand_writes_nothing(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop, 3)
    assert stock.adjust(coop.id, variant.id, CORRECTION, 3, note="cek", actor_id=actor) is None
    assert (variant.on_hand, movements_of(variant)) == (3, 1)
    assert adjustments() == []


def test_each_adjustment_is_audited_with_what_changed(coop: Cooperative, actor: int) -> None:
    variant = variant_of(coop, 10, sku="MADU-250")
    stock.adjust(coop.id, variant.id, DAMAGE, 2, note="kemasan sobek", actor_id=actor)
    stock.adjust(coop.id, variant.id, CORRECTION, 9, note="hitung ulang", actor_id=actor)
    damage, count = adjustments()
    for entry in (damage, count):
        assert (entry.subject_type, entry.subject_id) == ("ProductVariant", variant.id)
        assert (entry.actor_id, entry.cooperative_id) == (actor, coop.id)
    assert damage.data == {
        "kind": "damage",
        "sku": "MADU-250",
        "quantity": -2,
        "balance_after": 8,
        "note": "kemasan sobek",
    }
    assert count.data == {
        "kind": "correction",
        "sku": "MADU-250",
        "quantity": 1,
        "balance_after": 9,
        "note": "hitung ulang",
    }


@pytest.mark.parametrize("kind", [DAMAGE, LOSS, CORRECTION])
def test_every_change_but_a_restock_needs_a_note(
    coop: Cooperative, actor: int, kind: stock.Adjustment
) -> None:
    variant = variant_of(coop, 5)
    with pytest.raises(NoteRequired, match="Tuliskan keterangan perubahan stok"):
        stock.adjust(coop.id, variant.id, kind, 1, note="   ", actor_id=actor)
    assert (variant.on_hand, movements_of(variant)) == (5, 1)


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [(RESTOCK, 0), (DAMAGE, 0), (LOSS, 0), (RESTOCK, -1), (DAMAGE, -2), (CORRECTION, -1)],
)
def test_quantities_must_make_sense(
    coop: Cooperative, actor: int, kind: stock.Adjustment, quantity: int
) -> None:
    variant = variant_of(coop, 5)
    with pytest.raises(InvalidQuantity, match="Jumlah tidak valid"):
        stock.adjust(coop.id, variant.id, kind, quantity, note="catatan", actor_id=actor)
    assert (variant.on_hand, movements_of(variant)) == (5, 1)
    assert adjustments() == []


def test_another_cooperatives_variant_cannot_be_adjusted_nor_read(
    coop: Cooperative, actor: int
) -> None:
    theirs = variant_of(CooperativeFactory(), 5)
    for kind in stock.Adjustment:
        with pytest.raises(NotFound):
            stock.adjust(coop.id, theirs.id, kind, 1, note="bukan milik kami", actor_id=actor)
    with pytest.raises(NotFound):
        stock.ledger(coop.id, theirs.id)
    assert (theirs.on_hand, movements_of(theirs)) == (5, 1)
    assert adjustments() == []


# The ledger


def test_the_ledger_lists_one_variants_movements_newest_first(
    coop: Cooperative, actor: int
) -> None:
    variant = variant_of(coop)
    neighbour = variant_of(coop, 4, product=variant.product)
    stock.adjust(coop.id, variant.id, RESTOCK, 6, note="panen", actor_id=actor)
    stock.adjust(coop.id, variant.id, DAMAGE, 1, note="pecah", actor_id=actor)
    stock.adjust(coop.id, variant.id, CORRECTION, 8, note="hitung", actor_id=actor)
    assert [(m.reason, m.quantity, m.balance_after) for m in stock.ledger(coop.id, variant.id)] == [
        (MovementReason.CORRECTION, 3, 8),
        (MovementReason.DAMAGE, -1, 5),
        (MovementReason.RESTOCK, 6, 6),
    ]
    assert [m.quantity for m in stock.ledger(coop.id, variant.id, limit=2)] == [3, -1]
    assert [m.quantity for m in stock.ledger(coop.id, neighbour.id)] == [4]


def test_the_ledger_shows_the_latest_two_hundred_movements(coop: Cooperative) -> None:
    variant = variant_of(coop)
    # A long history, written directly: the ledger only reads it.
    db.session.add_all(
        StockMovement(
            variant_id=variant.id, quantity=1, balance_after=n, reason=MovementReason.RESTOCK
        )
        for n in range(1, 202)
    )
    db.session.flush()
    shown = stock.ledger(coop.id, variant.id)
    assert len(shown) == 200
    assert [m.balance_after for m in shown] == list(range(201, 1, -1))  # the first is left off


# The cooperative's stock lists


def test_the_stock_overview_lists_the_cooperatives_current_variants_by_product(
    coop: Cooperative,
) -> None:
    beras = ProductFactory(cooperative=coop, name="Beras Organik")
    beras_5kg = variant_of(coop, product=beras, name="5 kg", position=1)
    beras_1kg = variant_of(coop, product=beras, name="1 kg", position=0)
    abon = variant_of(coop, 3, product__name="Abon Lele")
    draft = variant_of(coop, product__name="Dodol Nangka", product__status=ProductStatus.DRAFT)
    variant_of(coop, 9, product__name="Cabai Kering", product__status=ProductStatus.ARCHIVED)
    variant_of(coop, 9, product=beras, name="25 kg", position=2, is_active=False)
    variant_of(CooperativeFactory(), 9, product__name="Aaa Kopi Tetangga")
    assert stock.stock_overview(coop.id) == [abon, beras_1kg, beras_5kg, draft]


def test_low_stock_lists_only_the_cooperatives_own_variants_lowest_first(
    coop: Cooperative,
) -> None:
    madu = variant_of(coop, 2, product__name="Madu Hutan", low_stock_threshold=5)
    gula = variant_of(coop, 2, product__name="Gula Aren", low_stock_threshold=5)
    teh = variant_of(coop, 3, reserved=3, product__name="Teh Tubruk", low_stock_threshold=5)
    kopi = variant_of(coop, 5, product__name="Kopi Robusta", low_stock_threshold=5)
    variant_of(coop, 6, product__name="Kerupuk", low_stock_threshold=5)  # above its threshold
    variant_of(coop, 9, reserved=2, product__name="Sirup", low_stock_threshold=6)  # 7 free
    variant_of(coop, 0, product__name="Jamu", product__status=ProductStatus.ARCHIVED)
    variant_of(coop, 0, product__name="Jahe", is_active=False)
    other = CooperativeFactory()
    theirs_empty = variant_of(other, 0, product__name="Abon Tetangga", low_stock_threshold=5)
    theirs_low = variant_of(other, 1, product__name="Madu Tetangga", low_stock_threshold=5)
    assert stock.low_stock(coop.id) == [teh, gula, madu, kopi]
    assert stock.low_stock(other.id) == [theirs_empty, theirs_low]
