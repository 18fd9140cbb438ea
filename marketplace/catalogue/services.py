"""What the public may see: active products of approved cooperatives."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.errors import NotFound
from marketplace.extensions import db


def visible_products() -> Select[tuple[Product]]:
    """The base query for every public listing. Draft, hidden, archived and suspended never show."""
    return (
        select(Product)
        .join(Product.cooperative)
        .where(
            Product.status == ProductStatus.ACTIVE,
            Cooperative.status == CooperativeStatus.APPROVED,
        )
    )


def _with_card_data(query: Select[tuple[Product]]) -> Select[tuple[Product]]:
    return query.options(
        joinedload(Product.cooperative),
        selectinload(Product.variants).selectinload(ProductVariant.price_tiers),
        selectinload(Product.images),
    )


def featured_products(limit: int = 12) -> list[Product]:
    query = visible_products().order_by(
        Product.is_featured.desc(), Product.sold_count.desc(), Product.id
    )
    return list(db.session.scalars(_with_card_data(query).limit(limit)))


def top_categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.parent_id.is_(None))
            .options(selectinload(Category.children))
            .order_by(Category.position, Category.id)
        )
    )


def approved_cooperatives() -> list[Cooperative]:
    return list(
        db.session.scalars(
            select(Cooperative)
            .where(Cooperative.status == CooperativeStatus.APPROVED)
            .order_by(Cooperative.name)
        )
    )


def get_public_cooperative(slug: str) -> Cooperative:
    cooperative = db.session.scalar(
        select(Cooperative).where(
            Cooperative.slug == slug, Cooperative.status == CooperativeStatus.APPROVED
        )
    )
    if cooperative is None:
        raise NotFound()
    return cooperative


def cooperative_products(cooperative: Cooperative) -> list[Product]:
    query = (
        visible_products().where(Product.cooperative_id == cooperative.id).order_by(Product.name)
    )
    return list(db.session.scalars(_with_card_data(query)))


def get_public_product(slug: str) -> Product:
    product = db.session.scalar(_with_card_data(visible_products().where(Product.slug == slug)))
    if product is None:
        raise NotFound()
    return product


def whatsapp_link(cooperative: Cooperative, product: Product | None = None) -> str:
    """A wa.me link with a prefilled message. Always in Indonesian: it is read by the seller."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with force_locale("id"):
        if product is not None:
            message = _("Halo, saya tertarik dengan %(name)s di Pasar OPOP.", name=product.name)
        else:
            message = _(
                "Halo %(name)s, saya ingin bertanya tentang produk Anda di Pasar OPOP.",
                name=cooperative.name,
            )
    return cooperative.whatsapp_url(message)
