"""The product's stored rating counters (``rating_count``, ``rating_sum``): changed only here, by
an atomic ``UPDATE ... SET rating_count = rating_count + :n`` in the transaction that changes the
review, so a card reads the average from the product row and never counts reviews.

A review counts while it is visible; every service computes what it counted before and after a
change and hands the difference to `apply`. The cooperative's rating is the sum over its products'
counters (`cooperative_rating`), so it needs no counters of its own to keep in step.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from marketplace.catalogue import cache
from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.reviews.models import Review, ReviewPhoto, ReviewStatus

# The product page shows the reviews: any change to them refreshes its cached copy.
cache.watch(Review.__tablename__, ReviewPhoto.__tablename__)


def counted(status: str | None, stars: int) -> tuple[int, int]:
    """(count, stars) a review in ``status`` adds to its product's counters."""
    return (1, stars) if status == ReviewStatus.VISIBLE else (0, 0)


def apply(product_id: int, before: tuple[int, int], after: tuple[int, int]) -> None:
    """Move the product's counters by ``after - before`` (nothing when they are equal)."""
    count, stars = after[0] - before[0], after[1] - before[1]
    if count == 0 and stars == 0:
        return
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(
            rating_count=Product.rating_count + count,
            rating_sum=Product.rating_sum + stars,
        )
        .execution_options(synchronize_session=False)
    )
    product = db.session.get(Product, product_id)
    if product is not None:
        db.session.expire(product, ["rating_count", "rating_sum"])


def recount(product_id: int) -> tuple[int, int]:
    """(count, stars) of the product's visible reviews, counted afresh (for checks and tests)."""
    count, total = db.session.execute(
        select(func.count(Review.id), func.coalesce(func.sum(Review.stars), 0)).where(
            Review.product_id == product_id, Review.status == ReviewStatus.VISIBLE
        )
    ).one()
    return int(count), int(total)


def cooperative_rating(cooperative_id: int) -> tuple[int, int]:
    """(count, stars) of a cooperative's visible reviews, summed from its products' counters."""
    count, total = db.session.execute(
        select(
            func.coalesce(func.sum(Product.rating_count), 0),
            func.coalesce(func.sum(Product.rating_sum), 0),
        ).where(Product.cooperative_id == cooperative_id)
    ).one()
    return int(count), int(total)
