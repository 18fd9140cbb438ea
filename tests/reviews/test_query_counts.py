"""The product page reads its reviews in a fixed number of queries, however many there are
(photos and reviewers loaded together; the rating and count from the product's counters)."""

from __future__ import annotations

from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.reviews import services
from tests.factories import UserFactory
from tests.photos import phone_photo
from tests.queries import counted
from tests.reviews.buying import buy, product


def _reviewed(variant: object, how_many: int) -> None:
    for n in range(how_many):
        user = UserFactory()
        bought = buy(user, variant)  # type: ignore[arg-type]
        services.write_review(
            user, bought.number, bought.line_id, 1 + n % 5, f"ulasan {n}", [phone_photo((64, 48))]
        )


def _queries(client: FlaskClient, url: str) -> int:
    with counted(client.application) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_product_pages_queries_do_not_grow_with_its_reviews(client: FlaskClient) -> None:
    with client.application.test_request_context():
        first = buy(UserFactory())
        variant = product(first.product_id).variants[0]
        _reviewed(variant, 1)
        slug = product(first.product_id).slug
        db.session.commit()
    few = _queries(client, f"/products/{slug}")
    with client.application.test_request_context():
        _reviewed(product(first.product_id).variants[0], 9)
        db.session.commit()
    assert _queries(client, f"/products/{slug}") == few
    assert _queries(client, f"/products/{slug}?stars=3") <= few + 1  # the filtered count


def test_the_listings_cards_read_no_reviews(client: FlaskClient) -> None:
    with client.application.test_request_context():
        first = buy(UserFactory())
        db.session.commit()
    before = _queries(client, "/products")
    with client.application.test_request_context():
        _reviewed(product(first.product_id).variants[0], 3)
        db.session.commit()
    assert _queries(client, "/products") == before
