"""A cooperative manages its own listings: products, variants, price tiers, photos, publication.

Every function takes the cooperative's id from the caller's membership and looks objects up
within that cooperative only: an id of another cooperative's object is `NotFound`, exactly like an
id that does not exist. Stock is not changed here (``inventory.stock`` owns it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import selectinload

from marketplace import audit
from marketplace.catalogue.images import add_product_image, delete_image_files
from marketplace.catalogue.models import (
    Category,
    PriceTier,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
)
from marketplace.cooperatives.models import Cooperative
from marketplace.database import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.settings import PRODUCT_MODERATION, get_setting
from marketplace.slugs import unique_slug
from marketplace.transitions import TransitionTable, guarded_move, row, rows

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
PIRT_RE = re.compile(r"^[0-9]{15}$")
BPOM_MD_RE = re.compile(r"^(?:BPOM\s*(?:RI)?\s*)?MD\s*([0-9]{12})$", re.IGNORECASE)
MAX_TIERS = 3


class ListingError(DomainError):
    """A listing rule refused the change; ``field`` names the form field it is about."""

    field: str | None = None

    def __init__(self, message: Any = None, field: str | None = None) -> None:
        super().__init__(str(message) if message is not None else None)
        if field is not None:
            self.field = field


class DuplicateSku(ListingError):
    field = "sku"
    default_message = _l("SKU ini sudah dipakai produk lain di koperasi Anda.")


class InvalidPriceTiers(ListingError):
    field = "tiers"
    default_message = _l("Harga grosir tidak valid.")


class InvalidStatusChange(ListingError):
    status_code = 409
    default_message = _l("Status produk tidak dapat diubah dengan cara ini.")


class NotPublishable(ListingError):
    default_message = _l("Produk belum dapat diterbitkan.")


class LastActiveVariant(ListingError):
    default_message = _l(
        "Produk yang terbit harus punya setidaknya satu varian aktif. "
        "Tarik produk dari katalog dulu."
    )


class TooManyImages(ListingError):
    field = "photo"
    default_message = _l("Satu produk paling banyak punya %(n)d foto.")


# ---------------------------------------------------------------------------------------------
# Formats shared by the forms and the bulk import
# ---------------------------------------------------------------------------------------------


def normalize_sku(value: str) -> str:
    return value.strip().upper()


def valid_sku(value: str) -> bool:
    return bool(SKU_RE.match(value))


def normalize_pirt(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def valid_pirt(value: str) -> bool:
    return bool(PIRT_RE.match(value))


def normalize_bpom_md(value: str) -> str | None:
    """``md 265312001101`` → ``BPOM RI MD 265312001101``; None when it is not an MD number."""
    match = BPOM_MD_RE.match((value or "").strip())
    return f"BPOM RI MD {match.group(1)}" if match else None


def check_tiers(base_price: int, tiers: list[tuple[int, int]]) -> str | None:
    """Why a set of bulk tiers is wrong, or None. Quantities ascend from 2; each tier's price is
    strictly lower than the base price and than the tier before it."""
    if len(tiers) > MAX_TIERS:
        return str(_l("Paling banyak %(n)d harga grosir.", n=MAX_TIERS))
    previous_quantity, previous_price = 1, base_price
    for quantity, price in tiers:
        if quantity < 2:
            return str(_l("Harga grosir berlaku mulai pembelian 2 atau lebih."))
        if quantity <= previous_quantity:
            return str(_l("Jumlah minimum harga grosir harus makin besar dari baris ke baris."))
        if price < 0:
            return str(_l("Harga tidak boleh negatif."))
        if price >= base_price:
            return str(_l("Harga grosir harus lebih murah dari harga satuan."))
        if price >= previous_price:
            return str(_l("Harga grosir harus makin murah untuk jumlah yang lebih besar."))
        previous_quantity, previous_price = quantity, price
    return None


# ---------------------------------------------------------------------------------------------
# Reading a cooperative's own listings
# ---------------------------------------------------------------------------------------------


def _own_products(cooperative_id: int) -> Select[tuple[Product]]:
    return select(Product).where(Product.cooperative_id == cooperative_id)


def owned_product(cooperative_id: int, product_id: int) -> Product:
    product = db.session.scalar(
        _own_products(cooperative_id)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.variants).selectinload(ProductVariant.price_tiers),
            selectinload(Product.images),
        )
    )
    if product is None:
        raise NotFound()
    return product


def owned_variant(cooperative_id: int, variant_id: int) -> ProductVariant:
    variant = db.session.scalar(
        select(ProductVariant)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.id == variant_id, Product.cooperative_id == cooperative_id)
    )
    if variant is None:
        raise NotFound()
    return variant


def owned_image(cooperative_id: int, image_id: int) -> ProductImage:
    image = db.session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(ProductImage.id == image_id, Product.cooperative_id == cooperative_id)
    )
    if image is None:
        raise NotFound()
    return image


def list_products(cooperative_id: int, status: str | None = None, text: str = "") -> list[Product]:
    query = _own_products(cooperative_id).options(
        selectinload(Product.variants), selectinload(Product.images)
    )
    if status:
        query = query.where(Product.status == status)
    else:
        query = query.where(Product.status != ProductStatus.ARCHIVED)
    if text.strip():
        query = query.where(func.lower(Product.name).contains(text.strip().lower()[:100]))
    return list(db.session.scalars(query.order_by(Product.updated_at.desc(), Product.id.desc())))


def status_counts(cooperative_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Product.status, func.count())
        .where(Product.cooperative_id == cooperative_id)
        .group_by(Product.status)
    ).all()
    counts = {str(status): 0 for status in ProductStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def category_choices() -> list[tuple[int, str, str]]:
    """(id, name, English name) of every subcategory, labelled with its parent."""
    categories = list(
        db.session.scalars(
            select(Category).options(selectinload(Category.parent)).order_by(Category.position)
        )
    )
    parents_with_children = {c.parent_id for c in categories if c.parent_id}
    choices = []
    for category in categories:
        if category.id in parents_with_children:
            continue  # products go in the most specific category
        parent = category.parent
        name = f"{parent.name} › {category.name}" if parent else category.name
        name_en = f"{parent.name_en} › {category.name_en}" if parent else category.name_en
        choices.append((category.id, name, name_en))
    return sorted(choices, key=lambda c: c[1])


# ---------------------------------------------------------------------------------------------
# Changing listings
# ---------------------------------------------------------------------------------------------


@dataclass
class ProductData:
    category_id: int
    name: str
    description: str
    unit: str
    weight_grams: int
    min_order_qty: int
    halal_number: str | None = None
    halal_valid_until: date | None = None
    pirt_number: str | None = None
    bpom_md_number: str | None = None
    sni: bool = False


@dataclass
class VariantData:
    sku: str
    price: int
    size: str = ""
    colour: str = ""
    low_stock_threshold: int = 5
    tiers: list[tuple[int, int]] = field(default_factory=list)

    @property
    def options(self) -> dict[str, str]:
        options = {}
        if self.size.strip():
            options["ukuran"] = self.size.strip()
        if self.colour.strip():
            options["warna"] = self.colour.strip()
        return options

    @property
    def name(self) -> str:
        return " / ".join(self.options.values())


def _product_fields(data: ProductData) -> dict[str, Any]:
    if db.session.get(Category, data.category_id) is None:
        raise ListingError(_l("Pilih kategori dari daftar."), field="category_id")
    return {
        "category_id": data.category_id,
        "name": data.name.strip(),
        "description": data.description.strip(),
        "unit": data.unit.strip(),
        "weight_grams": data.weight_grams,
        "min_order_qty": data.min_order_qty,
        "halal_number": (data.halal_number or "").strip() or None,
        "halal_valid_until": data.halal_valid_until if data.halal_number else None,
        "pirt_number": normalize_pirt(data.pirt_number or "") or None,
        "bpom_md_number": normalize_bpom_md(data.bpom_md_number or "")
        if data.bpom_md_number
        else None,
        "sni": data.sni,
    }


def _check_sku(cooperative_id: int, sku: str, exclude_variant_id: int | None = None) -> None:
    query = select(ProductVariant.id).where(
        ProductVariant.cooperative_id == cooperative_id, ProductVariant.sku == sku
    )
    if exclude_variant_id is not None:
        query = query.where(ProductVariant.id != exclude_variant_id)
    if db.session.scalar(query):
        raise DuplicateSku()


def _apply_variant(variant: ProductVariant, data: VariantData) -> None:
    problem = check_tiers(data.price, data.tiers)
    if problem:
        raise InvalidPriceTiers(problem)
    variant.sku = normalize_sku(data.sku)
    variant.price = data.price
    variant.options = data.options
    variant.name = data.name
    variant.low_stock_threshold = data.low_stock_threshold
    wanted = dict(data.tiers)
    for tier in list(variant.price_tiers):
        if tier.min_quantity not in wanted:
            variant.price_tiers.remove(tier)
        else:
            tier.unit_price = wanted.pop(tier.min_quantity)
    for quantity, price in wanted.items():
        variant.price_tiers.append(PriceTier(min_quantity=quantity, unit_price=price))
    variant.price_tiers.sort(key=lambda t: t.min_quantity)


def create_product(
    cooperative_id: int, actor_id: int, data: ProductData, first_variant: VariantData
) -> tuple[Product, ProductVariant]:
    """A new product as a draft, with its first variant (stock is added by the inventory)."""
    fields = _product_fields(data)
    _check_sku(cooperative_id, normalize_sku(first_variant.sku))
    product = Product(
        cooperative_id=cooperative_id,
        slug=unique_slug(Product.slug, data.name, max_length=180),
        status=ProductStatus.DRAFT,
        **fields,
    )
    db.session.add(product)
    db.session.flush()
    variant = ProductVariant(product_id=product.id, cooperative_id=cooperative_id, position=0)
    _apply_variant(variant, first_variant)
    db.session.add(variant)
    db.session.flush()
    audit.record(
        "product.created",
        product,
        actor_id=actor_id,
        cooperative_id=cooperative_id,
        data={"name": product.name, "sku": variant.sku, "price": variant.price},
    )
    return product, variant


def update_product(
    cooperative_id: int, product_id: int, actor_id: int, data: ProductData
) -> Product:
    product = owned_product(cooperative_id, product_id)
    changed = []
    for key, value in _product_fields(data).items():
        if getattr(product, key) != value:
            changed.append(key)
            setattr(product, key, value)
    db.session.flush()
    if changed:
        audit.record(
            "product.updated",
            product,
            actor_id=actor_id,
            cooperative_id=cooperative_id,
            data={"fields": changed},
        )
    return product


def add_variant(
    cooperative_id: int, product_id: int, actor_id: int, data: VariantData
) -> ProductVariant:
    product = owned_product(cooperative_id, product_id)
    _check_sku(cooperative_id, normalize_sku(data.sku))
    variant = ProductVariant(
        product_id=product.id,
        cooperative_id=cooperative_id,
        position=max((v.position for v in product.variants), default=-1) + 1,
    )
    _apply_variant(variant, data)
    db.session.add(variant)
    db.session.flush()
    audit.record(
        "variant.created",
        variant,
        actor_id=actor_id,
        cooperative_id=cooperative_id,
        data={"product_id": product.id, "sku": variant.sku, "price": variant.price},
    )
    return variant


def update_variant(
    cooperative_id: int, variant_id: int, actor_id: int, data: VariantData
) -> ProductVariant:
    """Change a variant; a price change is audited with the old and new price."""
    variant = owned_variant(cooperative_id, variant_id)
    _check_sku(cooperative_id, normalize_sku(data.sku), exclude_variant_id=variant.id)
    old_price = variant.price
    old_tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
    _apply_variant(variant, data)
    db.session.flush()
    new_tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
    if old_price != variant.price or old_tiers != new_tiers:
        audit.record(
            "variant.price_changed",
            variant,
            actor_id=actor_id,
            cooperative_id=cooperative_id,
            data={
                "sku": variant.sku,
                "from": old_price,
                "to": variant.price,
                "tiers_from": old_tiers,
                "tiers_to": new_tiers,
            },
        )
    return variant


def set_variant_active(
    cooperative_id: int, variant_id: int, actor_id: int, active: bool
) -> ProductVariant:
    variant = owned_variant(cooperative_id, variant_id)
    if not active and variant.product.status == ProductStatus.ACTIVE:
        others = [v for v in variant.product.variants if v.is_active and v.id != variant.id]
        if not others:
            raise LastActiveVariant()
    if variant.is_active != active:
        variant.is_active = active
        db.session.flush()
        audit.record(
            "variant.activated" if active else "variant.deactivated",
            variant,
            actor_id=actor_id,
            cooperative_id=cooperative_id,
        )
    return variant


P = ProductStatus
#: Publication, by action: the statuses each may start from and the status it leads to.
PUBLICATION: TransitionTable[ProductStatus, None, Product] = TransitionTable(
    ProductStatus,
    (
        *rows((P.DRAFT, P.HIDDEN, P.PENDING_REVIEW), P.ACTIVE, action="publish"),
        # Publishing a product never published while the city moderates: it waits for review.
        *rows((P.DRAFT, P.HIDDEN), P.PENDING_REVIEW, action="publish"),
        row(P.ACTIVE, P.HIDDEN, action="unpublish"),
        *rows((P.DRAFT, P.HIDDEN, P.ACTIVE, P.PENDING_REVIEW), P.ARCHIVED, action="archive"),
        row(P.ARCHIVED, P.HIDDEN, action="restore"),
    ),
    lambda _source, _target: InvalidStatusChange(),
)


def moderation_enabled() -> bool:
    """Whether new products wait for the city's approval (a setting the city switches)."""
    return bool(get_setting(PRODUCT_MODERATION))


def change_publication(cooperative_id: int, product_id: int, actor_id: int, action: str) -> Product:
    """Publish, unpublish, archive or restore a product (audited).

    With the city's product moderation on, publishing a product that was never published puts
    it in ``pending_review`` instead: it appears once the city approves it
    (`catalogue.moderation`). A product the city has hidden cannot be published again by the
    cooperative.
    """
    product = owned_product(cooperative_id, product_id)
    previous = product.status
    target = PUBLICATION.for_action(action, previous).target
    event = action
    values: dict[str, Any] = {}
    if target == ProductStatus.ACTIVE:
        if product.hidden_by_city:
            raise NotPublishable(
                _l(
                    "Produk ini disembunyikan oleh admin kota: %(reason)s",
                    reason=product.status_reason or "",
                )
            )
        cooperative = db.session.get(Cooperative, cooperative_id)
        if cooperative is None or not cooperative.is_approved:
            raise NotPublishable(_l("Koperasi belum disetujui, produk belum dapat diterbitkan."))
        if not any(v.is_active for v in product.variants):
            raise NotPublishable(_l("Tambahkan setidaknya satu varian aktif sebelum terbit."))
        if product.published_at is None and moderation_enabled():
            if product.status == ProductStatus.PENDING_REVIEW:
                raise InvalidStatusChange(_l("Produk ini sedang menunggu pemeriksaan admin kota."))
            target, event = ProductStatus.PENDING_REVIEW, "submitted_for_review"
        elif product.published_at is None:
            values["published_at"] = utcnow()
        values["status_reason"] = None  # the city's earlier refusal has been answered
    PUBLICATION.find(previous, target)  # the move moderation chose must be in the table too
    guarded_move(PUBLICATION, product, target, source=previous, values=values)
    audit.record(
        f"product.{event}",
        product,
        actor_id=actor_id,
        cooperative_id=cooperative_id,
        data={"from": str(previous), "to": str(target)},
    )
    return product


def add_image(
    cooperative_id: int, product_id: int, actor_id: int, data: bytes, alt_text: str
) -> ProductImage:
    """Check, re-encode and store a photo and its copies (see `catalogue.images`)."""
    from flask import current_app

    product = owned_product(cooperative_id, product_id)
    limit: int = current_app.config["PRODUCT_IMAGES_PER_PRODUCT"]
    if len(product.images) >= limit:
        raise TooManyImages(str(TooManyImages.default_message % {"n": limit}))
    image = add_product_image(
        product.id,
        data,
        (alt_text or "").strip() or product.name,
        position=max((i.position for i in product.images), default=-1) + 1,
    )
    db.session.flush()
    audit.record("product.image_added", product, actor_id=actor_id, cooperative_id=cooperative_id)
    return image


def delete_image(cooperative_id: int, image_id: int, actor_id: int) -> None:
    """Remove a photo; its files are deleted once the change is committed."""
    image = owned_image(cooperative_id, image_id)
    product_id = image.product_id
    session = db.session()

    def remove_files(_session: Any) -> None:
        delete_image_files(image)

    image.product.images.remove(image)  # delete-orphan: the row goes, the list stays current
    db.session.flush()
    event.listen(session, "after_commit", remove_files, once=True)
    audit.record(
        "product.image_deleted",
        None,
        actor_id=actor_id,
        cooperative_id=cooperative_id,
        data={"product_id": product_id, "image_id": image_id},
    )


def make_cover_image(cooperative_id: int, image_id: int) -> None:
    """Move a photo to the front: the first photo is the one shown in listings."""
    image = owned_image(cooperative_id, image_id)
    images = sorted(image.product.images, key=lambda i: (i.id != image.id, i.position, i.id))
    for position, item in enumerate(images):
        item.position = position
    image.product.images.sort(key=lambda i: i.position)
    db.session.flush()


def halal_attention(
    cooperative_id: int, today: date, within_days: int
) -> list[tuple[Product, int]]:
    """Products (not archived) whose halal certificate expired or expires within the days given,
    with the days left (negative when expired), soonest first."""
    from datetime import timedelta

    products = db.session.scalars(
        _own_products(cooperative_id)
        .where(
            Product.status != ProductStatus.ARCHIVED,
            Product.halal_valid_until.is_not(None),
            Product.halal_valid_until <= today + timedelta(days=within_days),
        )
        .order_by(Product.halal_valid_until)
    )
    return [
        (product, (product.halal_valid_until - today).days)
        for product in products
        if product.halal_valid_until is not None
    ]
