"""The rules of reviews (issue 21): only the buyer of a completed line reviews it, once; it can
be changed for REVIEW_EDIT_DAYS; the cooperative answers once; the city hides and shows; with
review moderation on a new review waits. The product's counters follow every change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import Notification, NotificationKind
from marketplace.reviews import counters, services
from marketplace.reviews.models import Review, ReviewReport, ReviewStatus
from marketplace.storage import is_public, storage
from tests.factories import UserFactory
from tests.photos import phone_photo
from tests.reviews.buying import buy, product

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_a_buyer_rates_a_completed_line_and_the_product_counts_it() -> None:
    ani = UserFactory()
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 4, " Enak sekali ")
    assert (review.stars, review.body, review.status) == (4, "Enak sekali", "visible")
    assert (product(bought.product_id).rating_count, product(bought.product_id).rating_sum) == (
        1,
        4,
    )
    assert product(bought.product_id).rating_average == 4


def test_no_review_before_the_part_is_completed() -> None:
    ani = UserFactory()
    bought = buy(ani, complete=False)
    with pytest.raises(NotFound):
        services.write_review(ani, bought.number, bought.line_id, 5, "")
    assert db.session.scalar(select(Review.id)) is None


def test_another_shoppers_line_is_not_found() -> None:
    ani, budi = UserFactory(), UserFactory()
    bought = buy(ani)
    with pytest.raises(NotFound):
        services.write_review(budi, bought.number, bought.line_id, 1, "palsu")
    theirs = buy(budi)
    with pytest.raises(NotFound):  # a line of another order, under ani's own order number
        services.write_review(ani, bought.number, theirs.line_id, 1, "palsu")
    assert product(bought.product_id).rating_count == 0


def test_one_review_per_line_a_second_write_changes_the_first() -> None:
    ani = UserFactory()
    bought = buy(ani)
    first = services.write_review(ani, bought.number, bought.line_id, 2, "kurang")
    second = services.write_review(ani, bought.number, bought.line_id, 5, "ternyata enak")
    assert first.id == second.id
    assert db.session.scalar(select(db.func.count(Review.id))) == 1
    assert (product(bought.product_id).rating_count, product(bought.product_id).rating_sum) == (
        1,
        5,
    )


def test_the_database_refuses_a_second_review_of_a_line() -> None:
    ani = UserFactory()
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 3, "")
    twin = Review(
        order_line_id=bought.line_id,
        product_id=review.product_id,
        cooperative_id=review.cooperative_id,
        user_id=ani.id,
        stars=3,
    )
    with pytest.raises(Exception), db.session.begin_nested():  # noqa: B017 (IntegrityError)
        db.session.add(twin)
        db.session.flush()


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_outside_one_to_five_are_refused(stars: int) -> None:
    ani = UserFactory()
    bought = buy(ani)
    with pytest.raises(services.ReviewProblem):
        services.write_review(ani, bought.number, bought.line_id, stars, "")
    assert db.session.scalar(select(Review.id)) is None


def test_editing_closes_after_the_configured_days(app: Any, clock: Any) -> None:
    ani = UserFactory()
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 3, "")
    clock.advance(timedelta(days=app.config["REVIEW_EDIT_DAYS"], seconds=1))
    with pytest.raises(services.EditingClosed):
        services.write_review(ani, bought.number, bought.line_id, 1, "")
    with pytest.raises(services.EditingClosed):
        services.delete_review(ani, review.id)
    assert (product(bought.product_id).rating_count, product(bought.product_id).rating_sum) == (
        1,
        3,
    )


def test_photos_are_checked_stored_privately_and_at_most_three() -> None:
    ani = UserFactory()
    bought = buy(ani)
    photo = phone_photo((800, 600))
    review = services.write_review(ani, bought.number, bought.line_id, 5, "", [photo, photo])
    keys = [p.storage_key for p in review.photos]
    # Not under /media/: `reviews.photo` serves them after asking whether the review is shown.
    assert len(keys) == 2 and all(key.startswith("reviews/") and not is_public(key) for key in keys)
    assert b"Kamera Ponsel" not in storage().read(keys[0])  # metadata dropped
    with pytest.raises(services.ReviewProblem):
        services.write_review(ani, bought.number, bought.line_id, 5, "", [photo, photo])
    dropped = review.photos[0].storage_key
    changed = services.write_review(
        ani, bought.number, bought.line_id, 5, "", [photo], [review.photos[0].id]
    )
    assert len(changed.photos) == 2 and dropped not in [p.storage_key for p in changed.photos]
    db.session.commit()  # the dropped photo's file goes once the change is committed
    with pytest.raises(FileNotFoundError):
        storage().read(dropped)


def test_a_file_that_is_not_an_image_is_refused() -> None:
    ani = UserFactory()
    bought = buy(ani)
    from marketplace.uploads import UploadRejected

    with pytest.raises(UploadRejected):
        services.write_review(ani, bought.number, bought.line_id, 5, "", [b"%PDF-1.4 nope"])
    assert db.session.scalar(select(Review.id)) is None


def test_the_cooperative_answers_once_and_only_its_own_reviews() -> None:
    ani = UserFactory()
    bought = buy(ani)
    other = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 4, "")
    with pytest.raises(NotFound):
        services.answer_review(other.member, other.cooperative_id, review.id, "Terima kasih")
    with pytest.raises(services.ReviewProblem):
        services.answer_review(bought.member, bought.cooperative_id, review.id, "  ")
    services.answer_review(bought.member, bought.cooperative_id, review.id, "Terima kasih")
    with pytest.raises(services.AlreadyAnswered):
        services.answer_review(bought.member, bought.cooperative_id, review.id, "Lagi")
    assert db.session.get(Review, review.id).answer == "Terima kasih"  # type: ignore[union-attr]


def test_the_answer_tells_the_reviewer_once_and_no_one_else() -> None:
    ani = UserFactory(locale="en")
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 4, "")
    with pytest.raises(services.ReviewProblem):
        services.answer_review(bought.member, bought.cooperative_id, review.id, "")
    answered = select(Notification).where(
        Notification.kind == NotificationKind.REVIEW_ANSWERED.value
    )
    assert db.session.scalars(answered).all() == []
    services.answer_review(bought.member, bought.cooperative_id, review.id, "Terima kasih")
    with pytest.raises(services.AlreadyAnswered):
        services.answer_review(bought.member, bought.cooperative_id, review.id, "Lagi")
    [notice] = db.session.scalars(answered).all()
    name = product(bought.product_id).name
    assert (notice.user_id, notice.kind, notice.link) == (
        ani.id,
        NotificationKind.REVIEW_ANSWERED.value,
        f"/orders/{bought.number}/reviews",
    )
    assert notice.message == f"The cooperative answered your review of {name}."
    whatsapp = product(bought.product_id).cooperative.whatsapp
    # The cooperative's WhatsApp, the order named in the site's language (the cooperative's).
    assert notice.whatsapp_url == (
        f"https://wa.me/{whatsapp}?text=Halo%2C%20tentang%20pesanan%20{bought.number}"
        "%20di%20Pasar%20OPOP."
    )
    [email] = db.session.scalars(
        select(OutboxEmail).where(
            OutboxEmail.to_address == ani.email, OutboxEmail.template == "notification"
        )
    ).all()
    assert f"/orders/{bought.number}/reviews" in email.body_text


def test_the_city_hides_with_a_reason_and_shows_again() -> None:
    ani, admin = UserFactory(), UserFactory(is_city_admin=True)
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 1, "kasar")
    with pytest.raises(services.ReasonRequired):
        services.hide_review(admin, review.id, " ")
    services.hide_review(admin, review.id, "Bahasa kasar")
    assert product(bought.product_id).rating_count == 0
    with pytest.raises(Conflict):
        services.hide_review(admin, review.id, "lagi")
    services.show_review(admin, review.id)
    assert (product(bought.product_id).rating_count, product(bought.product_id).rating_sum) == (
        1,
        1,
    )


def test_with_moderation_on_a_review_waits_and_counts_once_approved() -> None:
    ani, admin = UserFactory(), UserFactory(is_city_admin=True)
    services.set_moderation(admin, True)
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 5, "")
    assert review.status == ReviewStatus.PENDING
    assert product(bought.product_id).rating_count == 0
    assert review in services.moderation_queue()
    services.show_review(admin, review.id)
    assert product(bought.product_id).rating_count == 1


def test_moderation_is_off_by_default() -> None:
    assert services.moderation_enabled() is False


def test_anyone_signed_in_reports_once_and_the_review_reaches_the_queue() -> None:
    ani, budi = UserFactory(), UserFactory()
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 1, "")
    assert services.report_review(budi, review.id, "spam") is True
    assert services.report_review(budi, review.id, "spam") is False
    assert db.session.scalar(select(db.func.count(ReviewReport.id))) == 1
    assert review in services.moderation_queue()


def test_deleting_a_review_takes_it_out_of_the_counters() -> None:
    ani, budi = UserFactory(), UserFactory()
    bought = buy(ani)
    review = services.write_review(ani, bought.number, bought.line_id, 2, "")
    with pytest.raises(NotFound):
        services.delete_review(budi, review.id)
    services.delete_review(ani, review.id)
    assert counters.recount(bought.product_id) == (0, 0)
    assert product(bought.product_id).rating_count == 0


def test_the_cooperatives_rating_sums_its_products_counters() -> None:
    ani = UserFactory()
    first = buy(ani)
    services.write_review(ani, first.number, first.line_id, 5, "")
    assert counters.cooperative_rating(first.cooperative_id) == (1, 5)
