"""What public pages read about reviews: a product's reviews (newest first, by stars, a page at a
time, with photos) and a cooperative's track record. Registered as template helpers (see
`reviews.routes`) so the catalogue's pages, which sit below this package, can show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.catalogue.models import Product
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.reviews import counters
from marketplace.reviews.models import Review, ReviewStatus

PER_PAGE = 10


@dataclass
class ReviewPage:
    reviews: list[Review]
    stars: int | None
    page: int
    pages: int
    total: int


def _number(value: str | None, low: int, high: int) -> int | None:
    if value and value.isdigit() and low <= int(value) <= high:
        return int(value)
    return None


def product_reviews(product: Product, args: Mapping[str, str]) -> ReviewPage:
    """A page of the product's visible reviews, newest first, optionally of one star count
    (``?stars=``, ``?reviews_page=``; anything malformed is ignored). Two queries whatever
    the number of reviews, and none at all before the first review (the counters say so)."""
    stars = _number(args.get("stars"), 1, 5)
    page = _number(args.get("reviews_page"), 1, 10_000) or 1
    if not product.rating_count:
        return ReviewPage([], stars, 1, 0, 0)
    where = [Review.product_id == product.id, Review.status == ReviewStatus.VISIBLE]
    if stars is not None:
        where.append(Review.stars == stars)
        total = int(db.session.scalar(select(func.count(Review.id)).where(*where)) or 0)
    else:
        total = product.rating_count
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(*where)
            .options(selectinload(Review.photos), selectinload(Review.user))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    return ReviewPage(reviews, stars, page, pages, total)


@dataclass
class TrackRecord:
    rating_count: int
    rating_average: float | None
    completed_orders: int


def track_record(cooperative: Cooperative) -> TrackRecord:
    """The cooperative's rating (from its products' stored counters) and completed orders."""
    count, total = counters.cooperative_rating(cooperative.id)
    completed = db.session.scalar(
        select(func.count(VendorOrder.id)).where(
            VendorOrder.cooperative_id == cooperative.id,
            VendorOrder.status == VendorOrderStatus.COMPLETED,
        )
    )
    return TrackRecord(count, total / count if count else None, int(completed or 0))


def product_slug_of(review_id: int) -> str:
    """The slug of a visible review's product (where a report sends the reader back)."""
    slug = db.session.scalar(
        select(Product.slug)
        .join(Review, Review.product_id == Product.id)
        .where(Review.id == review_id, Review.status == ReviewStatus.VISIBLE)
    )
    if slug is None:
        raise NotFound()
    return slug
