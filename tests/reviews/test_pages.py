"""Reviews through the pages: the shopper rates from the order, the product page shows the
average, "Terjual", the reviews (by stars, a page at a time) and JSON-LD; the cooperative
answers from its workspace; the city hides from its queue; a report reaches the queue."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.reviews import services
from marketplace.reviews.models import Review
from tests.conftest import login, logout
from tests.factories import UserFactory
from tests.photos import phone_photo
from tests.reviews.buying import Bought, buy, product


def bought_by(client: FlaskClient, email: str = "ani@example.test") -> tuple[Any, Bought]:
    with client.application.test_request_context():
        user = UserFactory(email=email, full_name="Ani Rahma Wati")
        bought = buy(user)
        db.session.commit()
    login(client, email)
    return user, bought


def slug_of(bought: Bought) -> str:
    return product(bought.product_id).slug


def test_the_order_page_leads_to_the_review_form_of_a_completed_part(
    client: FlaskClient,
) -> None:
    _user, bought = bought_by(client)
    page = client.get(f"/orders/{bought.number}").get_data(as_text=True)
    assert f'href="/orders/{bought.number}/reviews"' in page
    form = client.get(f"/orders/{bought.number}/reviews").get_data(as_text=True)
    assert f'action="/orders/{bought.number}/reviews/{bought.line_id}"' in form


def test_the_shopper_rates_with_a_photo_and_the_product_page_shows_it(
    client: FlaskClient,
) -> None:
    _user, bought = bought_by(client)
    prefix = f"line{bought.line_id}-"
    response = client.post(
        f"/orders/{bought.number}/reviews/{bought.line_id}",
        data={
            f"{prefix}stars": "5",
            f"{prefix}body": "Keripiknya renyah",
            f"{prefix}photos": [(io.BytesIO(phone_photo((640, 480))), "foto.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    assert review is not None and len(review.photos) == 1
    page = client.get(f"/products/{slug_of(bought)}").get_data(as_text=True)
    assert "Keripiknya renyah" in page
    article = page[page.index(f'id="review-{review.id}"') :].split("</article>")[0]
    assert "Ani W." in article  # the reviewer's first name and an initial, not the full name
    assert "Rahma" not in article
    assert f'/reviews/photos/{review.photos[0].id}"' in page
    assert "Terjual 1" in page
    assert client.get(f"/reviews/photos/{review.photos[0].id}").status_code == 200
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert ld["aggregateRating"]["ratingValue"] == 5
    assert ld["aggregateRating"]["reviewCount"] == 1
    assert ld["review"][0]["reviewRating"]["ratingValue"] == 5
    assert ld["review"][0]["reviewBody"] == "Keripiknya renyah"


def test_a_bad_review_is_shown_back_with_its_message_and_changes_nothing(
    client: FlaskClient,
) -> None:
    _user, bought = bought_by(client)
    prefix = f"line{bought.line_id}-"
    response = client.post(
        f"/orders/{bought.number}/reviews/{bought.line_id}",
        data={f"{prefix}stars": "9", f"{prefix}body": "x"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/orders/{bought.number}/reviews/{bought.line_id}",
        data={
            f"{prefix}stars": "4",
            f"{prefix}photos": [(io.BytesIO(b"not an image"), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Review.id)) is None


def test_a_foreign_line_is_not_found(client: FlaskClient) -> None:
    _user, bought = bought_by(client)
    with client.application.test_request_context():
        other = buy(UserFactory())
        db.session.commit()
    for number, line in ((bought.number, other.line_id), (other.number, other.line_id)):
        response = client.post(f"/orders/{number}/reviews/{line}", data={f"line{line}-stars": "1"})
        assert response.status_code == 404
    assert client.get(f"/orders/{other.number}/reviews").status_code == 404
    assert db.session.scalar(select(Review.id)) is None


def test_the_product_page_filters_by_stars_and_pages(client: FlaskClient) -> None:
    _user, bought = bought_by(client)
    with client.application.test_request_context():
        variant = product(bought.product_id).variants[0]
        for stars in (1, 5, 5):
            buyer = UserFactory()
            more = buy(buyer, variant)
            services.write_review(buyer, more.number, more.line_id, stars, f"bintang {stars}")
        db.session.commit()
    slug = slug_of(bought)
    page = client.get(f"/products/{slug}?stars=1").get_data(as_text=True)
    assert "bintang 1" in page and "bintang 5" not in page
    page = client.get(f"/products/{slug}").get_data(as_text=True)
    assert "3 ulasan" in page and "3,7" in page
    assert client.get(f"/products/{slug}?stars=abc&reviews_page=x").status_code == 200


def test_the_cooperative_answers_from_its_workspace(client: FlaskClient) -> None:
    with client.application.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        review = services.write_review(ani, bought.number, bought.line_id, 4, "Bagus")
        member_email = bought.member.email
        db.session.commit()
    login(client, member_email)
    assert "Bagus" in client.get("/vendor/reviews").get_data(as_text=True)
    empty = client.post(f"/vendor/reviews/{review.id}/answer", data={"answer": ""})
    assert empty.status_code == 400
    answered = client.post(
        f"/vendor/reviews/{review.id}/answer", data={"answer": "Terima kasih, Bu"}
    )
    assert answered.status_code == 302
    again = client.post(f"/vendor/reviews/{review.id}/answer", data={"answer": "Lagi"})
    assert again.status_code == 400
    page = client.get(f"/products/{slug_of(bought)}").get_data(as_text=True)
    assert "Terima kasih, Bu" in page and "Lagi" not in page


def test_another_cooperative_cannot_answer(client: FlaskClient) -> None:
    with client.application.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        other = buy(ani)
        review = services.write_review(ani, bought.number, bought.line_id, 4, "")
        email = other.member.email
        db.session.commit()
    login(client, email)
    response = client.post(f"/vendor/reviews/{review.id}/answer", data={"answer": "Hai"})
    assert response.status_code == 404


def test_a_report_reaches_the_city_which_hides_the_review(client: FlaskClient) -> None:
    with client.application.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        review = services.write_review(ani, bought.number, bought.line_id, 1, "Kata kasar")
        UserFactory(email="budi@example.test")
        UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    login(client, "budi@example.test")
    reported = client.post(f"/reviews/{review.id}/report", data={"reason": "kasar"})
    assert reported.status_code == 302
    logout(client)
    login(client, "kota@example.test")
    queue = client.get("/admin/reviews").get_data(as_text=True)
    assert "Kata kasar" in queue and "1 laporan" in queue
    assert client.post(f"/admin/reviews/{review.id}/hide", data={"reason": ""}).status_code == 400
    assert (
        client.post(f"/admin/reviews/{review.id}/hide", data={"reason": "Kata kasar"}).status_code
        == 302
    )
    assert product(bought.product_id).rating_count == 0
    assert "Kata kasar" not in client.get(f"/products/{slug_of(bought)}").get_data(as_text=True)
    assert client.post(f"/admin/reviews/{review.id}/show").status_code == 302
    assert product(bought.product_id).rating_count == 1


def test_the_city_turns_review_moderation_on(client: FlaskClient) -> None:
    with client.application.test_request_context():
        UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    login(client, "kota@example.test")
    assert client.post("/admin/reviews/setting", data={"enabled": "y"}).status_code == 302
    with client.application.test_request_context():
        assert services.moderation_enabled() is True


def test_the_cooperative_page_shows_its_rating_and_completed_orders(
    client: FlaskClient,
) -> None:
    with client.application.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        services.write_review(ani, bought.number, bought.line_id, 4, "")
        slug = product(bought.product_id).cooperative.slug
        db.session.commit()
    page = client.get(f"/cooperatives/{slug}").get_data(as_text=True)
    assert "4,0" in page and "1 ulasan" in page
    assert re.search(r"Pesanan selesai</dt><dd>1</dd>", page)


def test_a_product_card_shows_the_average_and_units_sold(client: FlaskClient) -> None:
    with client.application.test_request_context():
        ani = UserFactory()
        bought = buy(ani)
        services.write_review(ani, bought.number, bought.line_id, 5, "")
        name = product(bought.product_id).name
        db.session.commit()
    page = client.get("/products").get_data(as_text=True)
    card = page[page.index(name) :][:2000]
    assert "★ 5,0" in card and "Terjual 1" in card
