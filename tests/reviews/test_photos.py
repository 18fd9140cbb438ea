"""A review's photos are served by a route that asks whether the review is shown: anyone may see
a shown review's photos; while the review waits for the city or after the city hid it, only its
author, the cooperative it is about and the city may. The public /media/ route serves none."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.reviews import services
from marketplace.settings import REVIEW_MODERATION, set_setting
from tests.conftest import login, logout
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.photos import phone_photo
from tests.reviews.buying import buy


def reviewed_with_a_photo(app: Flask, *, hidden: bool = False) -> dict[str, int | str]:
    with app.test_request_context():
        admin = UserFactory(email="admin@example.test", is_city_admin=True)
        author = UserFactory(email="ani@example.test")
        UserFactory(email="budi@example.test")
        bought = buy(author)
        CooperativeMemberFactory(user__email="lain@example.test")  # another cooperative
        review = services.write_review(
            author, bought.number, bought.line_id, 2, "Kurang renyah", [phone_photo((64, 48))]
        )
        if hidden:
            services.hide_review(admin, review.id, "Foto tidak pantas")
        db.session.commit()
        photo = review.photos[0]
        return {"id": photo.id, "key": photo.storage_key, "member": bought.member.email}


def status_as(client: FlaskClient, email: str | None, url: str) -> int:
    logout(client)
    if email:
        login(client, email)
    return client.get(url).status_code


def test_a_shown_review_s_photo_is_anyone_s_and_kept_by_the_browser_only(
    app: Flask, client: FlaskClient
) -> None:
    photo = reviewed_with_a_photo(app)
    response = client.get(f"/reviews/photos/{photo['id']}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg" and response.data[:2] == b"\xff\xd8"
    assert response.headers["Cache-Control"] == "private, max-age=3600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/media/{photo['key']}").status_code == 404


def test_a_hidden_review_s_photo_is_only_for_its_author_its_cooperative_and_the_city(
    app: Flask, client: FlaskClient
) -> None:
    photo = reviewed_with_a_photo(app, hidden=True)
    url = f"/reviews/photos/{photo['id']}"
    seen = {
        who: status_as(client, email, url)
        for who, email in [
            ("guest", None),
            ("another shopper", "budi@example.test"),
            ("another cooperative", "lain@example.test"),
            ("author", "ani@example.test"),
            ("cooperative", str(photo["member"])),
            ("city", "admin@example.test"),
        ]
    }
    assert seen == {
        "guest": 404,
        "another shopper": 404,
        "another cooperative": 404,
        "author": 200,
        "cooperative": 200,
        "city": 200,
    }
    logout(client)
    login(client, "ani@example.test")
    assert client.get(url).headers["Cache-Control"] == "private, no-store"
    # Exactly like a photo that does not exist, and never by the public route.
    assert client.get(f"/reviews/photos/{int(photo['id']) + 999}").status_code == 404
    assert client.get(f"/media/{photo['key']}").status_code == 404


def test_a_review_waiting_for_the_city_shows_its_photo_to_no_one_else(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        set_setting(REVIEW_MODERATION, True, None)
        db.session.commit()
    photo = reviewed_with_a_photo(app)
    url = f"/reviews/photos/{photo['id']}"
    assert status_as(client, None, url) == 404
    assert status_as(client, "budi@example.test", url) == 404
    assert status_as(client, "ani@example.test", url) == 200
