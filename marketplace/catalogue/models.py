"""Categories, products, their variants, images and bulk price tiers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class ProductStatus(LabelledEnum):
    DRAFT = "draft", _l("Draf")
    PENDING_REVIEW = "pending_review", _l("Menunggu pemeriksaan")
    ACTIVE = "active", _l("Terbit")
    HIDDEN = "hidden", _l("Tidak tayang")
    ARCHIVED = "archived", _l("Arsip")


class Category(Model):
    """Two levels: a top category (parent None) and its subcategories."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name


class Product(TimestampMixin, Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(in_check(ProductStatus, "status"), name="status"),
        CheckConstraint("weight_grams >= 0", name="weight_non_negative"),
        CheckConstraint("min_order_qty >= 1", name="min_order_qty_positive"),
        CheckConstraint("sold_count >= 0", name="sold_count_non_negative"),
        Index("ix_products_status_created_at", "status", "created_at"),
        Index("ix_products_status_sold_count", "status", "sold_count"),
        Index("ix_products_status_price_from", "status", "price_from"),
        Index("ix_products_status_published_at", "status", "published_at"),
        CheckConstraint("price_from >= 0", name="price_from_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30))
    weight_grams: Mapped[int] = mapped_column(default=0)
    min_order_qty: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.DRAFT, index=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    halal_number: Mapped[str | None] = mapped_column(String(40))
    halal_valid_until: Mapped[date | None]
    pirt_number: Mapped[str | None] = mapped_column(String(20))
    bpom_md_number: Mapped[str | None] = mapped_column(String(40))
    sni: Mapped[bool] = mapped_column(default=False)
    # Kept by the inventory module when a sale is recorded, so the catalogue never reads orders.
    sold_count: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    #: The city took the product out of the catalogue (`catalogue.moderation.hide_product`): the
    #: cooperative cannot publish it again until the city lifts it.
    hidden_by_city: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The city's last word to the cooperative about this product: why it was hidden, or why its
    #: review was refused. Shown on the product's page in the workspace.
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Derived from the variants, category and cooperative by `catalogue.listing` after every
    # flush that touches them, so listings can filter, sort and search on one table.
    price_from: Mapped[int] = money_column(default=0)
    search_title: Mapped[str] = mapped_column(String(500), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Some active variant has units free (on hand above reserved): the in-stock facet and
    #: filter read this instead of joining the variants. Kept by `catalogue.listing` like
    #: ``price_from``, and after every stock change by `inventory.stock`.
    in_stock: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Visible reviews and the sum of their stars, kept by `reviews.counters` in the same
    #: transaction as every review change, so a card shows the average without a query.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    #: What a product card shows besides ``price_from`` and ``in_stock``, kept by
    #: `catalogue.listing` the same way, so a page of cards is one query (with the cooperative
    #: and the cover photo joined) instead of one per kind of child: the highest price on sale
    #: ("mulai" when it differs from the lowest), how many variants are on sale (a choice to
    #: make on the product page), the variant the card's "add to cart" adds (the only one on
    #: sale, while it has the minimum order free; else none) and the first photo. The last two
    #: are plain integers, not foreign keys: adding a foreign key on SQLite rebuilds the
    #: products table and drops its full-text triggers.
    price_to: Mapped[int] = money_column(default=0, server_default="0")
    variants_on_sale: Mapped[int] = mapped_column(default=0, server_default="0")
    quick_add_variant_id: Mapped[int | None]
    cover_image_id: Mapped[int | None]

    cooperative: Mapped[Cooperative] = relationship()
    category: Mapped[Category] = relationship()
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", order_by="ProductVariant.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    cover_image: Mapped[ProductImage | None] = relationship(
        primaryjoin="foreign(Product.cover_image_id) == ProductImage.id", viewonly=True
    )

    @property
    def state(self) -> ProductStatus:
        return ProductStatus(self.status)

    @property
    def on_sale(self) -> list[ProductVariant]:
        """The variants a shopper can pick, in the cooperative's order."""
        return [variant for variant in self.variants if variant.is_active]

    @property
    def has_choices(self) -> bool:
        """A simple product has one variant on sale and shows no variant choice."""
        return len(self.on_sale) > 1

    @property
    def prices_differ(self) -> bool:
        """The variants on sale cost different amounts, so a card says "from" the lowest."""
        return len({variant.price for variant in self.on_sale}) > 1

    @property
    def rating_average(self) -> float | None:
        """The average of the visible reviews' stars, or None before the first one."""
        return self.rating_sum / self.rating_count if self.rating_count else None

    def halal_expired(self, on: date) -> bool:
        return self.halal_valid_until is not None and self.halal_valid_until < on

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class ProductVariant(TimestampMixin, Model):
    """What is actually sold: a size or colour of a product, with its own SKU, price and stock.

    ``on_hand`` changes only through ``marketplace.inventory.stock``; ``reserved`` counts units
    held by unpaid or unfulfilled orders, so availability is ``on_hand - reserved``.
    """

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "sku", name="uq_product_variants_cooperative_sku"),
        CheckConstraint("price >= 0", name="price_non_negative"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_non_negative"),
        Index("ix_product_variants_product_position", "product_id", "position"),
        Index("ix_product_variants_price", "price"),
        # The listing summary's lowest active price per product, read from the index.
        Index("ix_product_variants_product_price", "product_id", "price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    # Copied from the product so the database can hold SKUs unique per cooperative.
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    sku: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price: Mapped[int] = money_column()
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: The cooperative is warned when the available quantity falls to this number or below.
    low_stock_threshold: Mapped[int] = mapped_column(default=5)

    product: Mapped[Product] = relationship(back_populates="variants")
    price_tiers: Mapped[list[PriceTier]] = relationship(
        back_populates="variant", order_by="PriceTier.min_quantity", cascade="all, delete-orphan"
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low_on_stock(self) -> bool:
        return self.available <= self.low_stock_threshold

    @property
    def label(self) -> str:
        """The variant's name, or the SKU for a product's single default variant."""
        return self.name or self.sku

    @property
    def public_name(self) -> str:
        """The name a shopper picks it by. The default variant a product is created with has
        none (no size or colour); once another variant is added beside it, it is "Standar",
        as the cooperative's workspace calls it, not an empty choice."""
        return self.name or _("Standar")

    def unit_price_for(self, quantity: int) -> int:
        """The bulk tier price for a quantity, or the base price below every tier."""
        price = self.price
        for tier in self.price_tiers:
            if quantity >= tier.min_quantity:
                price = min(price, tier.unit_price)
        return price


class PriceTier(Model):
    """A bulk unit price that applies from ``min_quantity`` units of one variant."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("variant_id", "min_quantity", name="uq_price_tiers_variant_quantity"),
        CheckConstraint("min_quantity >= 2", name="min_quantity_at_least_two"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"))
    min_quantity: Mapped[int]
    unit_price: Mapped[int] = money_column()

    variant: Mapped[ProductVariant] = relationship(back_populates="price_tiers")


class ProductImage(TimestampMixin, Model):
    __tablename__ = "product_images"
    __table_args__ = (Index("ix_product_images_product_position", "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    # Copies made once at upload: {"320": storage key, "640": ...} (width in pixels), WebP
    # (JPEG thumbnails for photos stored before; see catalogue/images.py).
    renditions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    @property
    def has_webp(self) -> bool:
        """Whether the copies are WebP, offered in a ``<source type="image/webp">``."""
        return bool(self.renditions) and all(
            key.endswith(".webp") for key in self.renditions.values()
        )

    def sources(self) -> list[tuple[str, int]]:
        """(storage key, width) of each file a ``srcset`` may offer, narrowest first: the
        copies; for JPEG copies, the photo itself too when it is wider than all of them."""
        found = sorted(
            ((key, int(width)) for width, key in self.renditions.items()), key=lambda s: s[1]
        )
        if not self.has_webp and all(width < self.width for _key, width in found):
            found.append((self.storage_key, self.width))
        return found

    product: Mapped[Product] = relationship(back_populates="images")
