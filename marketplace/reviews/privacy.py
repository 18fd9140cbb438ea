"""What reviews hold about a person: exported on request, erased on deletion.

A deleted account's reviews go with it (text, stars and photos are the person's own words and
pictures, and no record the law asks us to keep depends on them); the products' counters are
moved in the same transaction, as for any deletion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.accounts.privacy import collect_personal_data, erase_personal_data
from marketplace.extensions import db
from marketplace.reviews import counters
from marketplace.reviews.models import Review
from marketplace.reviews.services import remove_files_after_commit


def _reviews_of(user: User) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.user_id == user.id)
            .options(selectinload(Review.photos), selectinload(Review.product))
            .order_by(Review.id)
        )
    )


@collect_personal_data.connect
def _export_reviews(user: User) -> tuple[str, list[dict[str, Any]]]:
    return "reviews", [
        {
            "product": review.product.name,
            "stars": review.stars,
            "text": review.body,
            "written_at": review.created_at.isoformat(),
            "status": review.status,
            "photos": len(review.photos),
        }
        for review in _reviews_of(user)
    ]


@erase_personal_data.connect
def _erase_reviews(user: User) -> None:
    keys = []
    for review in _reviews_of(user):
        counters.apply(review.product_id, counters.counted(review.status, review.stars), (0, 0))
        keys += [photo.storage_key for photo in review.photos]
        db.session.delete(review)
    db.session.flush()
    remove_files_after_commit(keys)
