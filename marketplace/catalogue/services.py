"""What the public may see: active products of approved cooperatives, and how to find them."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from marketplace.catalogue import cache
from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.catalogue.search import (
    ProductQuery,
    SearchResult,
    visible_products,
    with_card_data,
    with_variant_data,
)
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.errors import NotFound
from marketplace.extensions import db

__all__ = [
    "ProductQuery",
    "SearchResult",
    "approved_cooperatives",
    "featured_products",
    "get_category",
    "get_public_cooperative",
    "get_public_product",
    "list_products",
    "list_products_with_variants",
    "related_products",
    "top_categories",
    "whatsapp_link",
]


def list_products(query: ProductQuery, today: date) -> SearchResult:
    """A page of the catalogue for a search and its filters, with facet counts (cached in
    Redis when there is one)."""
    return cache.search(query, today)


def list_products_with_variants(query: ProductQuery, today: date) -> SearchResult:
    """`list_products` for readers of every variant (the JSON API): the page's products get
    their description, variants and bulk prices in two more queries, whatever the page size."""
    result = list_products(query, today)
    ids = [product.id for product in result.products]
    if ids:
        db.session.scalars(
            with_variant_data(select(Product).where(Product.id.in_(ids)))
            .options(undefer(Product.description))
            # The cards' products are already in the session: fill them in.
            .execution_options(populate_existing=True)
        ).unique().all()
    return result


def featured_products(limit: int = 12) -> list[Product]:
    query = visible_products().order_by(
        Product.is_featured.desc(), Product.sold_count.desc(), Product.id
    )
    return list(db.session.scalars(with_card_data(query).limit(limit)).unique())


def top_categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.parent_id.is_(None))
            .options(selectinload(Category.children))
            .order_by(Category.position, Category.id)
        )
    )


def get_category(slug: str) -> Category:
    category = db.session.scalar(
        select(Category).where(Category.slug == slug).options(selectinload(Category.children))
    )
    if category is None:
        raise NotFound()
    return category


def approved_cooperatives() -> list[tuple[Cooperative, int]]:
    """Approved cooperatives with how many products each shows, by name."""
    counts = (
        select(Product.cooperative_id, func.count(Product.id).label("products"))
        .where(Product.status == ProductStatus.ACTIVE)
        .group_by(Product.cooperative_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Cooperative, func.coalesce(counts.c.products, 0))
        .outerjoin(counts, counts.c.cooperative_id == Cooperative.id)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Cooperative.name)
    ).all()
    return [(cooperative, int(count)) for cooperative, count in rows]


def get_public_cooperative(slug: str) -> Cooperative:
    cooperative = db.session.scalar(
        select(Cooperative).where(
            Cooperative.slug == slug, Cooperative.status == CooperativeStatus.APPROVED
        )
    )
    if cooperative is None:
        raise NotFound()
    return cooperative


def get_public_product(slug: str) -> Product:
    statement = with_variant_data(visible_products().where(Product.slug == slug)).options(
        # The breadcrumb's category and its parent, in the same query.
        joinedload(Product.category).joinedload(Category.parent)
    )
    product = db.session.scalar(statement)
    if product is None:
        raise NotFound()
    return product


def related_products(product: Product, limit: int = 4) -> list[Product]:
    """Other products of the same category, best sellers first."""
    query = (
        visible_products()
        .where(Product.category_id == product.category_id, Product.id != product.id)
        .order_by(Product.sold_count.desc(), Product.id)
        .limit(limit)
    )
    return list(db.session.scalars(with_card_data(query)).unique())


def sitemap_entries() -> tuple[list[tuple[str, object]], list[str], list[str]]:
    """(product slug, last change) pairs, cooperative slugs and category slugs to list."""
    products = db.session.execute(
        visible_products().with_only_columns(Product.slug, Product.updated_at).order_by(Product.id)
    ).all()
    cooperatives = db.session.scalars(
        select(Cooperative.slug)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Cooperative.id)
    ).all()
    categories = db.session.scalars(select(Category.slug).order_by(Category.id)).all()
    return [(slug, updated) for slug, updated in products], list(cooperatives), list(categories)


def whatsapp_link(cooperative: Cooperative, product: Product | None = None) -> str:
    """A wa.me link with a prefilled message. Always in Indonesian: it is read by the seller."""
    with force_locale("id"):
        if product is not None:
            message = _("Halo, saya tertarik dengan %(name)s di Pasar OPOP.", name=product.name)
        else:
            message = _(
                "Halo %(name)s, saya ingin bertanya tentang produk Anda di Pasar OPOP.",
                name=cooperative.name,
            )
    return cooperative.whatsapp_url(message)
