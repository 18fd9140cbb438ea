"""The products' stored rating counters equal a recount of their visible reviews after any
sequence of reviews, edits, hides, shows (approvals and unhides) and deletions, moderation on or
off (hypothesis); a refused step changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.reviews import counters, services
from marketplace.reviews.models import Review
from marketplace.settings import REVIEW_MODERATION, set_setting
from tests.factories import UserFactory
from tests.reviews.buying import buy, product

pytestmark = pytest.mark.usefixtures("app_ctx")

LINES = 4
steps = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, LINES - 1), st.integers(1, 5)),
        st.tuples(st.just("delete"), st.integers(0, LINES - 1), st.just(0)),
        st.tuples(st.just("hide"), st.integers(0, LINES - 1), st.just(0)),
        st.tuples(st.just("show"), st.integers(0, LINES - 1), st.just(0)),
        st.tuples(st.just("moderation"), st.integers(0, 1), st.just(0)),
    ),
    max_size=25,
)


@pytest.fixture
def purchases() -> dict[str, Any]:
    """Four bought lines of two products (two buyers each), and an administrator."""
    admin = UserFactory(is_city_admin=True)
    first = buy(UserFactory())
    second = buy(UserFactory())
    variants = [product(first.product_id).variants[0], product(second.product_id).variants[0]]
    lines = []
    for index in range(LINES):
        user = UserFactory()
        lines.append((user, buy(user, variants[index % 2])))
    return {"admin": admin, "lines": lines, "products": [first.product_id, second.product_id]}


def _review_of(line_id: int) -> Review | None:
    return db.session.scalar(db.select(Review).where(Review.order_line_id == line_id))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_the_counters_equal_a_recount_after_any_sequence(
    purchases: dict[str, Any], sequence: list[tuple[str, int, int]]
) -> None:
    admin = purchases["admin"]
    savepoint = db.session.begin_nested()
    try:
        for action, index, stars in sequence:
            user, bought = purchases["lines"][index % LINES]
            review = _review_of(bought.line_id)
            before = [
                (product(p).rating_count, product(p).rating_sum) for p in purchases["products"]
            ]
            try:
                with db.session.begin_nested():
                    if action == "write":
                        services.write_review(user, bought.number, bought.line_id, stars, "")
                    elif action == "moderation":
                        set_setting(REVIEW_MODERATION, bool(index), admin.id)
                    elif review is None:
                        continue
                    elif action == "delete":
                        services.delete_review(user, review.id)
                    elif action == "hide":
                        services.hide_review(admin, review.id, "alasan")
                    else:
                        services.show_review(admin, review.id)
            except DomainError:
                after = [
                    (product(p).rating_count, product(p).rating_sum) for p in purchases["products"]
                ]
                assert after == before  # a refused step changes nothing
            for product_id in purchases["products"]:
                stored = product(product_id)
                assert (stored.rating_count, stored.rating_sum) == counters.recount(product_id)
    finally:
        savepoint.rollback()
