"""Listing rules: products, variants, tiers, publication, photos and stock adjustments."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.catalogue import management
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity, NoteRequired
from marketplace.inventory.models import MovementReason, StockMovement
from marketplace.storage import storage
from marketplace.uploads import FileTooLarge, TooManyPixels, UnsupportedFile
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.vendors.conftest import png_bytes


def product_data(category_id: int, **changes: object) -> management.ProductData:
    values: dict[str, object] = {
        "category_id": category_id,
        "name": "Keripik Tempe Pedas",
        "description": "Renyah.",
        "unit": "bungkus",
        "weight_grams": 120,
        "min_order_qty": 1,
    }
    values.update(changes)
    return management.ProductData(**values)  # type: ignore[arg-type]


def variant_data(
    sku: str = "KRP-01", price: int = 10000, **changes: object
) -> management.VariantData:
    return management.VariantData(sku=sku, price=price, **changes)  # type: ignore[arg-type]


@pytest.fixture
def actor(app_ctx: Flask) -> int:
    return int(UserFactory().id)


@pytest.fixture
def coop(app_ctx: Flask) -> int:
    return int(CooperativeFactory().id)


@pytest.fixture
def category_id(app_ctx: Flask) -> int:
    return int(CategoryFactory().id)


def test_a_new_product_is_a_draft_with_a_site_unique_slug(
    actor: int, coop: int, category_id: int
) -> None:
    ProductFactory(slug="keripik-tempe-pedas")
    product, variant = management.create_product(
        coop, actor, product_data(category_id), variant_data(size="100 g")
    )
    assert product.status == ProductStatus.DRAFT
    assert product.slug == "keripik-tempe-pedas-2"
    assert variant.options == {"ukuran": "100 g"} and variant.name == "100 g"
    assert product.price_from == 10000


def test_skus_are_unique_per_cooperative(actor: int, coop: int, category_id: int) -> None:
    product, _ = management.create_product(
        coop, actor, product_data(category_id), variant_data("A-1")
    )
    with pytest.raises(management.DuplicateSku):
        management.add_variant(coop, product.id, actor, variant_data("a-1"))
    other = int(CooperativeFactory().id)
    management.create_product(other, actor, product_data(category_id), variant_data("A-1"))


@pytest.mark.parametrize(
    "tiers",
    [
        [(10, 10000)],  # not lower than the base price
        [(10, 12000)],
        [(1, 9000)],  # from one unit is no bulk price
        [(20, 9000), (10, 8000)],  # quantities must ascend
        [(10, 8000), (20, 9000)],  # larger quantities cannot cost more
        [(10, 9000), (10, 8000)],
        [(2, 9900), (3, 9800), (4, 9700), (5, 9600)],  # at most three
    ],
)
def test_bad_bulk_tiers_are_refused(
    actor: int, coop: int, category_id: int, tiers: list[tuple[int, int]]
) -> None:
    with pytest.raises(management.InvalidPriceTiers):
        management.create_product(coop, actor, product_data(category_id), variant_data(tiers=tiers))


def test_price_changes_and_tiers_are_audited(actor: int, coop: int, category_id: int) -> None:
    _, variant = management.create_product(
        coop, actor, product_data(category_id), variant_data(tiers=[(10, 9000)])
    )
    management.update_variant(
        coop, variant.id, actor, variant_data(price=12000, tiers=[(10, 11000), (50, 10000)])
    )
    assert [(t.min_quantity, t.unit_price) for t in variant.price_tiers] == [
        (10, 11000),
        (50, 10000),
    ]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "variant.price_changed"))
    assert entry is not None and (entry.data["from"], entry.data["to"]) == (10000, 12000)


def test_publishing_needs_an_approved_cooperative_and_an_active_variant(
    actor: int, category_id: int
) -> None:
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    product, _ = management.create_product(
        pending.id, actor, product_data(category_id), variant_data()
    )
    with pytest.raises(management.NotPublishable):
        management.change_publication(pending.id, product.id, actor, "publish")
    assert product.status == ProductStatus.DRAFT


def test_publication_moves_through_its_states_and_is_audited(
    actor: int, coop: int, category_id: int
) -> None:
    product, variant = management.create_product(
        coop, actor, product_data(category_id), variant_data()
    )
    management.change_publication(coop, product.id, actor, "publish")
    assert product.status == ProductStatus.ACTIVE and product.published_at is not None
    with pytest.raises(management.LastActiveVariant):
        management.set_variant_active(coop, variant.id, actor, False)
    management.change_publication(coop, product.id, actor, "unpublish")
    assert product.status == ProductStatus.HIDDEN
    management.change_publication(coop, product.id, actor, "archive")
    with pytest.raises(management.InvalidStatusChange):
        management.change_publication(coop, product.id, actor, "publish")
    management.change_publication(coop, product.id, actor, "restore")
    assert product.status == ProductStatus.HIDDEN
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"product.publish", "product.unpublish", "product.archive", "product.restore"} <= actions


def test_another_cooperatives_objects_are_not_found(
    actor: int, coop: int, category_id: int
) -> None:
    other = ProductFactory()
    variant = VariantFactory(product=other)
    with pytest.raises(NotFound):
        management.owned_product(coop, other.id)
    with pytest.raises(NotFound):
        management.update_variant(coop, variant.id, actor, variant_data(price=1))
    with pytest.raises(NotFound):
        stock.adjust(coop, variant.id, stock.Adjustment.RESTOCK, 5, note="", actor_id=actor)
    assert variant.price == 10000 and variant.on_hand == 0


def test_certificates_are_normalised() -> None:
    assert management.normalize_bpom_md("md 265312001101") == "BPOM RI MD 265312001101"
    assert management.normalize_bpom_md("BPOM RI MD 265312001101") == "BPOM RI MD 265312001101"
    assert management.normalize_bpom_md("ML 265312001101") is None
    assert management.valid_pirt(management.normalize_pirt("2093-5760-1010-128"))
    assert not management.valid_pirt("12345")


def test_expired_and_expiring_halal_certificates_are_listed(actor: int, coop: int) -> None:
    today = date(2027, 6, 1)
    expired = ProductFactory(
        cooperative=db.session.get(Cooperative, coop),
        halal_number="H1",
        halal_valid_until=today - timedelta(days=1),
    )
    soon = ProductFactory(
        cooperative=db.session.get(Cooperative, coop),
        halal_number="H2",
        halal_valid_until=today + timedelta(days=20),
    )
    ProductFactory(
        cooperative=db.session.get(Cooperative, coop),
        halal_number="H3",
        halal_valid_until=today + timedelta(days=200),
    )
    ProductFactory(halal_number="H4", halal_valid_until=today - timedelta(days=1))  # not ours
    listed = management.halal_attention(coop, today, 90)
    assert [(p.id, days) for p, days in listed] == [(expired.id, -1), (soon.id, 20)]


# --- Photos ------------------------------------------------------------------------------------


def _product(coop: int) -> int:
    return int(ProductFactory(cooperative=db.session.get(Cooperative, coop)).id)


def test_a_photo_is_re_encoded_without_metadata(actor: int, coop: int) -> None:
    source = Image.new("RGB", (300, 200), (10, 120, 40))
    exif = Image.Exif()
    exif[0x010E] = "rahasia lokasi"  # ImageDescription
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", exif=exif, comment=b"komentar")
    image = management.add_image(coop, _product(coop), actor, buffer.getvalue(), "Keripik")
    stored = storage().read(image.storage_key)
    assert b"rahasia lokasi" not in stored and b"komentar" not in stored
    with Image.open(io.BytesIO(stored)) as reopened:
        assert reopened.format == "JPEG" and not reopened.getexif()
    assert image.storage_key.startswith("products/") and len(image.storage_key) > 30


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted(actor: int, coop: int, fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(buffer, fmt)
    image = management.add_image(coop, _product(coop), actor, buffer.getvalue(), "")
    with Image.open(io.BytesIO(storage().read(image.storage_key))) as stored:
        assert stored.getpixel((0, 0)) == (255, 255, 255)  # transparency becomes white


def test_a_non_image_renamed_jpg_is_refused(actor: int, coop: int) -> None:
    with pytest.raises(UnsupportedFile):
        management.add_image(coop, _product(coop), actor, b"%PDF-1.4 not a photo at all", "")


def test_other_image_formats_and_truncated_files_are_refused(actor: int, coop: int) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(UnsupportedFile):
        management.add_image(coop, _product(coop), actor, gif.getvalue(), "")
    with pytest.raises(UnsupportedFile):
        management.add_image(coop, _product(coop), actor, png_bytes((400, 400))[:200], "")


def test_a_file_over_the_configured_size_is_refused(actor: int, coop: int) -> None:
    data = png_bytes() + b"\0" * (15 * 1024 * 1024)
    with pytest.raises(FileTooLarge):
        management.add_image(coop, _product(coop), actor, data, "")


def test_an_image_over_the_configured_pixels_is_refused(
    actor: int, app_ctx: Flask, coop: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app_ctx.config, "PRODUCT_IMAGE_MAX_PIXELS", 100 * 100)
    with pytest.raises(TooManyPixels):
        management.add_image(coop, _product(coop), actor, png_bytes((101, 100)), "")


def decompression_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG of 900 megapixels (all black) that is only a few hundred kilobytes."""
    raw_row = b"\0" + b"\0" * width  # filter byte + one greyscale byte per pixel
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_an_image_bomb_is_refused_without_being_decoded(actor: int, coop: int) -> None:
    bomb = decompression_bomb()
    assert len(bomb) < 5 * 1024 * 1024
    with pytest.raises(TooManyPixels):
        management.add_image(coop, _product(coop), actor, bomb, "")


def test_deleting_a_photo_and_choosing_the_cover(actor: int, coop: int) -> None:
    product_id = _product(coop)
    first = management.add_image(coop, product_id, actor, png_bytes(), "satu")
    second = management.add_image(coop, product_id, actor, png_bytes(), "dua")
    management.make_cover_image(coop, second.id)
    assert (second.position, first.position) == (0, 1)
    management.delete_image(coop, first.id, actor)
    assert [i.id for i in management.owned_product(coop, product_id).images] == [second.id]


# --- Stock -------------------------------------------------------------------------------------


@pytest.fixture
def variant(coop: int) -> int:
    return int(
        VariantFactory(product=ProductFactory(cooperative=db.session.get(Cooperative, coop))).id
    )


def test_each_adjustment_writes_a_movement_with_who_and_why(
    actor: int, coop: int, variant: int
) -> None:
    stock.adjust(coop, variant, stock.Adjustment.RESTOCK, 10, note="", actor_id=actor)
    stock.adjust(coop, variant, stock.Adjustment.DAMAGE, 2, note="kemasan sobek", actor_id=actor)
    stock.adjust(coop, variant, stock.Adjustment.LOSS, 1, note="hilang di gudang", actor_id=actor)
    stock.adjust(coop, variant, stock.Adjustment.CORRECTION, 4, note="hitung ulang", actor_id=actor)
    movements = stock.ledger(coop, variant)
    assert [(m.reason, m.quantity, m.balance_after) for m in reversed(movements)] == [
        (MovementReason.RESTOCK, 10, 10),
        (MovementReason.DAMAGE, -2, 8),
        (MovementReason.LOSS, -1, 7),
        (MovementReason.CORRECTION, -3, 4),
    ]
    assert {m.actor_id for m in movements} == {actor}
    assert stock.ledger_balance(variant) == 4
    audited = db.session.scalars(select(AuditLog).where(AuditLog.action == "stock.adjusted")).all()
    assert len(audited) == 4 and audited[1].data["note"] == "kemasan sobek"


def test_a_count_equal_to_stock_changes_nothing(actor: int, coop: int, variant: int) -> None:
    stock.adjust(coop, variant, stock.Adjustment.RESTOCK, 3, note="", actor_id=actor)
    assert (
        stock.adjust(coop, variant, stock.Adjustment.CORRECTION, 3, note="cek", actor_id=actor)
        is None
    )


def test_a_correction_never_goes_below_zero_or_below_reserved(
    actor: int, coop: int, variant: int
) -> None:
    stock.adjust(coop, variant, stock.Adjustment.RESTOCK, 5, note="", actor_id=actor)
    row = db.session.get(stock.ProductVariant, variant)
    assert row is not None
    row.reserved = 3
    db.session.flush()
    with pytest.raises(InsufficientStock):
        stock.adjust(coop, variant, stock.Adjustment.CORRECTION, 2, note="hitung", actor_id=actor)
    with pytest.raises(InsufficientStock):
        stock.adjust(coop, variant, stock.Adjustment.DAMAGE, 3, note="rusak", actor_id=actor)
    with pytest.raises(InvalidQuantity):
        stock.adjust(coop, variant, stock.Adjustment.CORRECTION, -1, note="hitung", actor_id=actor)
    assert row.on_hand == 5
    assert db.session.scalar(select(StockMovement.id).where(StockMovement.quantity < 0)) is None


def test_removals_need_a_note(actor: int, coop: int, variant: int) -> None:
    stock.adjust(coop, variant, stock.Adjustment.RESTOCK, 5, note="", actor_id=actor)
    for kind in (stock.Adjustment.DAMAGE, stock.Adjustment.LOSS, stock.Adjustment.CORRECTION):
        with pytest.raises(NoteRequired):
            stock.adjust(coop, variant, kind, 1, note="  ", actor_id=actor)


def test_low_stock_lists_variants_at_or_under_their_threshold(actor: int, coop: int) -> None:
    product = ProductFactory(cooperative=db.session.get(Cooperative, coop))
    low = VariantFactory(product=product, low_stock_threshold=5)
    fine = VariantFactory(product=product, low_stock_threshold=2)
    stock.adjust(coop, low.id, stock.Adjustment.RESTOCK, 5, note="", actor_id=actor)
    stock.adjust(coop, fine.id, stock.Adjustment.RESTOCK, 3, note="", actor_id=actor)
    assert [v.id for v in stock.low_stock(coop)] == [low.id]
