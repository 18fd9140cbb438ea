"""Races on PostgreSQL, each request with its own connection on a database whose writes really
commit: the same line reviewed from two tabs at once makes one review, and a hide racing an edit
leaves the counters equal to a recount."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.reviews import counters, services
from marketplace.reviews.models import Review
from tests.conftest import login
from tests.factories import UserFactory
from tests.reviews.buying import buy

pytestmark = pytest.mark.postgres


def at_once(*calls: Callable[[], int]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    results: list[int] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], int]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_one_line_reviewed_from_two_tabs_at_once_makes_one_review(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        bought = buy(UserFactory(email="dua-tab@example.test"))
        db.session.commit()
    tabs = [_client(app, "dua-tab@example.test") for _ in range(2)]
    url = f"/orders/{bought.number}/reviews/{bought.line_id}"
    prefix = f"line{bought.line_id}-"

    def post(client: FlaskClient, stars: str) -> Callable[[], int]:
        return lambda: client.post(url, data={f"{prefix}stars": stars}).status_code

    results = at_once(post(tabs[0], "5"), post(tabs[1], "2"))
    assert sorted(results)[0] == 302 and all(code in (302, 400, 409) for code in results)
    with app.test_request_context():
        assert db.session.scalar(select(func.count(Review.id))) == 1
        product = db.session.get(Product, bought.product_id)
        assert product is not None
        assert (product.rating_count, product.rating_sum) == counters.recount(bought.product_id)


def test_a_hide_racing_an_edit_keeps_the_counters_true(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        shopper = UserFactory(email="penulis@example.test")
        UserFactory(email="kota@example.test", is_city_admin=True)
        bought = buy(shopper)
        review = services.write_review(shopper, bought.number, bought.line_id, 1, "awal")
        db.session.commit()
        review_id = review.id
    writer = _client(app, "penulis@example.test")
    city = _client(app, "kota@example.test")
    prefix = f"line{bought.line_id}-"
    at_once(
        lambda: (
            writer.post(
                f"/orders/{bought.number}/reviews/{bought.line_id}", data={f"{prefix}stars": "5"}
            ).status_code
        ),
        lambda: city.post(f"/admin/reviews/{review_id}/hide", data={"reason": "uji"}).status_code,
    )
    with app.test_request_context():
        product = db.session.get(Product, bought.product_id)
        assert product is not None
        assert (product.rating_count, product.rating_sum) == counters.recount(bought.product_id)
