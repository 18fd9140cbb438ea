"""Reviews and the rest of the house: the cached product page shows a change to its reviews at
once (an answer moves no counter, yet shows); a person's reviews are in their data export and
go with their account, the counters following."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from marketplace.accounts.privacy import delete_account, export_personal_data
from marketplace.extensions import db
from marketplace.reviews import counters, services
from marketplace.storage import storage
from tests.conftest import make_test_app
from tests.factories import UserFactory
from tests.photos import phone_photo
from tests.reviews.buying import buy, product


@pytest.mark.redis
def test_the_cached_product_page_shows_an_answer_at_once(
    app: Flask, redis_url: str, tmp_path: Path
) -> None:
    cached = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url
    )
    with cached.app_context():
        from marketplace.extensions import redis_client

        redis_client().flushdb()
    with cached.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        review = services.write_review(ani, bought.number, bought.line_id, 5, "Mantap")
        slug = product(bought.product_id).slug
        db.session.commit()
    client = cached.test_client()
    assert "Mantap" in client.get(f"/products/{slug}").get_data(as_text=True)
    with cached.test_request_context():
        services.answer_review(bought.member, bought.cooperative_id, review.id, "Matur nuwun")
        db.session.commit()
    assert "Matur nuwun" in client.get(f"/products/{slug}").get_data(as_text=True)


def test_reviews_are_exported_and_erased_with_the_account(app: Flask) -> None:
    with app.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        review = services.write_review(
            ani, bought.number, bought.line_id, 3, "Biasa", [phone_photo((64, 48))]
        )
        key = review.photos[0].storage_key
        exported = export_personal_data(ani)
        assert exported["reviews"][0]["text"] == "Biasa"
        delete_account(ani, "password123")
        db.session.commit()
        assert product(bought.product_id).rating_count == 0
        assert counters.recount(bought.product_id) == (0, 0)
        with pytest.raises(FileNotFoundError):
            storage().read(key)
