"""Writing, answering and moderating reviews. Every change of a review's status or stars moves
its product's counters in the same transaction (`reviews.counters`).

* Only the buyer of an order line of a completed part may review it, once (a unique constraint
  on the line); anyone else's line is not found. The review can be changed or deleted for
  REVIEW_EDIT_DAYS after it was written.
* With review moderation on (`settings.REVIEW_MODERATION`, off by default like products'), a new
  review waits for the city before it shows; otherwise it shows at once.
* The cooperative answers once, publicly. The city hides a review with a reason (and may show it
  again); anyone signed in may report a review as abusive, which puts it in the city's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.catalogue.models import ProductVariant
from marketplace.cooperatives.services import active_members
from marketplace.database import as_utc
from marketplace.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify, whatsapp_link
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.reviews import counters
from marketplace.reviews.models import Review, ReviewPhoto, ReviewReport, ReviewStatus
from marketplace.settings import REVIEW_MODERATION, get_setting, set_setting
from marketplace.storage import storage
from marketplace.uploads import check_image

#: Private: a hidden review's photos must not stay reachable by their address. Photos are
#: served by `reviews.photo`, which asks whether the review is shown (files stored before in
#: the same folder are covered too: the folder is no longer public).
REVIEW_FOLDER = "reviews"
MAX_PHOTOS = 3
BODY_MAX = 2000
ANSWER_MAX = 2000
#: A review photo is stored at most this many pixels on its long side.
PHOTO_MAX_SIDE = 1600


class ReviewProblem(DomainError):
    default_message = _l("Ulasan ini tidak dapat disimpan.")


class EditingClosed(Conflict):
    default_message = _l("Ulasan hanya dapat diubah atau dihapus dalam %(days)s hari.")


class AlreadyAnswered(Conflict):
    default_message = _l("Koperasi sudah menjawab ulasan ini.")


class ReasonRequired(DomainError):
    default_message = _l("Tuliskan alasannya.")


@dataclass
class ReviewableLine:
    """A line of the shopper's completed part, with its review if written."""

    line: OrderLine
    product_slug: str | None
    review: Review | None
    editable: bool


def remove_files_after_commit(keys: list[str]) -> None:
    """Delete stored photos once the change that dropped them is committed (as product photos
    are): a rolled-back change keeps its files."""
    if not keys:
        return

    def remove(_session: Any) -> None:
        for key in keys:
            storage().delete(key)

    event.listen(db.session(), "after_commit", remove, once=True)


def moderation_enabled() -> bool:
    return bool(get_setting(REVIEW_MODERATION))


def set_moderation(actor: User, enabled: bool) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied()
    set_setting(REVIEW_MODERATION, bool(enabled), actor.id)


def edit_deadline(review: Review) -> datetime:
    return as_utc(review.created_at) + timedelta(days=current_app.config["REVIEW_EDIT_DAYS"])


def is_editable(review: Review) -> bool:
    return clock.now() < edit_deadline(review)


# ---------------------------------------------------------------------------------------------
# The shopper
# ---------------------------------------------------------------------------------------------


def _completed_lines(user: User, number: str) -> list[OrderLine]:
    order = db.session.scalar(select(Order).where(Order.number == number, Order.user_id == user.id))
    if order is None:
        raise NotFound()
    return list(
        db.session.scalars(
            select(OrderLine)
            .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
            .where(
                VendorOrder.order_id == order.id,
                VendorOrder.status == VendorOrderStatus.COMPLETED,
            )
            .options(selectinload(OrderLine.variant).selectinload(ProductVariant.product))
            .order_by(OrderLine.vendor_order_id, OrderLine.id)
        )
    )


def reviewable_lines(user: User, number: str) -> list[ReviewableLine]:
    """The lines of the user's order that may be reviewed (those of completed parts)."""
    lines = _completed_lines(user, number)
    reviews = {
        review.order_line_id: review
        for review in db.session.scalars(
            select(Review)
            .where(Review.order_line_id.in_([line.id for line in lines]))
            .options(selectinload(Review.photos))
        )
    }
    return [
        ReviewableLine(
            line=line,
            product_slug=line.variant.product.slug if line.variant else None,
            review=reviews.get(line.id),
            editable=line.id not in reviews or is_editable(reviews[line.id]),
        )
        for line in lines
    ]


def own_line(user: User, number: str, line_id: int) -> OrderLine:
    """A line of a completed part of the user's order; anything else is not found."""
    for line in _completed_lines(user, number):
        if line.id == line_id:
            return line
    raise NotFound()


def _checked_photos(photos: list[bytes]) -> list[tuple[bytes, str, int, int]]:
    config = current_app.config
    checked = []
    for data in photos:
        image = check_image(
            data,
            max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
            max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
            max_side=PHOTO_MAX_SIDE,
        )
        checked.append((image.data, image.extension, image.width or 0, image.height or 0))
    return checked


def _locked_review(review_id: int) -> Review | None:
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def write_review(
    user: User,
    number: str,
    line_id: int,
    stars: int,
    body: str,
    photos: list[bytes] | None = None,
    remove_photo_ids: list[int] | None = None,
) -> Review:
    """Write or change the user's review of one line (of their completed part)."""
    line = own_line(user, number, line_id)
    if not 1 <= stars <= 5:
        raise ReviewProblem(_("Pilih 1 sampai 5 bintang."))
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise ReviewProblem(_("Ulasan paling panjang %(n)s huruf.", n=BODY_MAX))
    existing = db.session.scalar(select(Review.id).where(Review.order_line_id == line.id))
    review = _locked_review(existing) if existing is not None else None
    if review is not None and not is_editable(review):
        raise EditingClosed(
            _(
                "Ulasan hanya dapat diubah atau dihapus dalam %(days)s hari.",
                days=current_app.config["REVIEW_EDIT_DAYS"],
            )
        )
    kept = [
        photo
        for photo in (review.photos if review is not None else [])
        if photo.id not in set(remove_photo_ids or [])
    ]
    new_photos = [data for data in (photos or []) if data]
    if len(kept) + len(new_photos) > MAX_PHOTOS:
        raise ReviewProblem(_("Paling banyak %(n)s foto per ulasan.", n=MAX_PHOTOS))
    checked = _checked_photos(new_photos)
    before = counters.counted(review.status, review.stars) if review is not None else (0, 0)
    if review is None:
        product_id = db.session.scalar(
            select(ProductVariant.product_id).where(ProductVariant.id == line.variant_id)
        )
        cooperative_id = db.session.scalar(
            select(VendorOrder.cooperative_id).where(VendorOrder.id == line.vendor_order_id)
        )
        assert product_id is not None and cooperative_id is not None
        status = ReviewStatus.PENDING if moderation_enabled() else ReviewStatus.VISIBLE
        review = Review(
            order_line_id=line.id,
            product_id=product_id,
            cooperative_id=cooperative_id,
            user_id=user.id,
            stars=stars,
            body=body,
            status=status,
        )
        try:
            with db.session.begin_nested():
                db.session.add(review)
                db.session.flush()
        except IntegrityError:
            # Another tab wrote the review of this line first.
            raise Conflict(_("Produk ini sudah Anda ulas.")) from None
        action = "review.written"
    else:
        review.stars = stars
        review.body = body
        dropped = [photo for photo in review.photos if photo not in kept]
        for photo in dropped:
            review.photos.remove(photo)
        remove_files_after_commit([photo.storage_key for photo in dropped])
        action = "review.changed"
    position = max((photo.position for photo in kept), default=-1) + 1
    for offset, (data, extension, width, height) in enumerate(checked):
        review.photos.append(
            ReviewPhoto(
                storage_key=storage().save(data, REVIEW_FOLDER, extension),
                width=width,
                height=height,
                position=position + offset,
            )
        )
    db.session.flush()
    counters.apply(review.product_id, before, counters.counted(review.status, review.stars))
    audit.record(
        action,
        review,
        actor_id=user.id,
        cooperative_id=review.cooperative_id,
        data={"stars": stars, "photos": len(review.photos)},
    )
    return review


def get_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound()
    return review


def viewable_photo(user: Any, photo_id: int) -> ReviewPhoto:
    """A review's photo, for anyone while the review is shown; while it waits for the city or
    after the city hid it, only for its author, the cooperative it is about and the city.
    Anyone else: not found, as for a photo that does not exist."""
    photo = db.session.get(ReviewPhoto, photo_id)
    if photo is None:
        raise NotFound()
    review = photo.review
    if review.state == ReviewStatus.VISIBLE:
        return photo
    if user.is_authenticated and (
        user.id == review.user_id
        or user.is_city_admin
        or any(member.id == user.id for member in active_members(review.cooperative_id))
    ):
        return photo
    raise NotFound()


def photo_file(photo: ReviewPhoto) -> bytes:
    try:
        return storage().read(photo.storage_key)
    except FileNotFoundError as error:
        raise NotFound() from error


def own_review(user: User, review_id: int) -> Review:
    """One of the user's own reviews; anyone else's is not found."""
    review = get_review(review_id)
    if review.user_id != user.id:
        raise NotFound()
    return review


def delete_review(user: User, review_id: int) -> None:
    """The shopper takes back their own review while it may still be changed."""
    review = _locked_review(review_id)
    if review is None or review.user_id != user.id:
        raise NotFound()
    if not is_editable(review):
        raise EditingClosed(
            _(
                "Ulasan hanya dapat diubah atau dihapus dalam %(days)s hari.",
                days=current_app.config["REVIEW_EDIT_DAYS"],
            )
        )
    counters.apply(review.product_id, counters.counted(review.status, review.stars), (0, 0))
    audit.record("review.deleted", review, actor_id=user.id, cooperative_id=review.cooperative_id)
    remove_files_after_commit([photo.storage_key for photo in review.photos])
    db.session.delete(review)
    db.session.flush()


def report_review(user: User, review_id: int, reason: str) -> bool:
    """Someone signed in reports a visible review as abusive. False when they already had."""
    review = db.session.get(Review, review_id)
    if review is None or review.status != ReviewStatus.VISIBLE:
        raise NotFound()
    reason = (reason or "").strip()[:500]
    try:
        with db.session.begin_nested():
            db.session.add(ReviewReport(review_id=review.id, user_id=user.id, reason=reason))
            db.session.flush()
    except IntegrityError:
        return False
    review.open_reports = Review.open_reports + 1
    db.session.flush()
    db.session.refresh(review, ["open_reports"])
    audit.record("review.reported", review, actor_id=user.id, data={"reason": reason})
    return True


# ---------------------------------------------------------------------------------------------
# The cooperative
# ---------------------------------------------------------------------------------------------


def cooperative_reviews(cooperative_id: int, *, unanswered: bool = False) -> list[Review]:
    query = (
        select(Review)
        .where(Review.cooperative_id == cooperative_id)
        .options(
            selectinload(Review.photos), selectinload(Review.user), selectinload(Review.product)
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(100)
    )
    if unanswered:
        query = query.where(Review.answer.is_(None))
    return list(db.session.scalars(query))


def cooperative_review(cooperative_id: int, review_id: int) -> Review:
    """A review of one of the cooperative's products; any other is not found."""
    review = db.session.get(Review, review_id)
    if review is None or review.cooperative_id != cooperative_id:
        raise NotFound()
    return review


def answer_review(member: User, cooperative_id: int, review_id: int, text: str) -> Review:
    """The cooperative's one public answer to a review of its product."""
    review = _locked_review(review_id)
    if review is None or review.cooperative_id != cooperative_id:
        raise NotFound()
    text = (text or "").strip()
    if not text:
        raise ReviewProblem(_("Tuliskan jawaban Anda."))
    if len(text) > ANSWER_MAX:
        raise ReviewProblem(_("Jawaban paling panjang %(n)s huruf.", n=ANSWER_MAX))
    if review.answer is not None:
        raise AlreadyAnswered()
    review.answer = text
    review.answered_at = clock.now()
    review.answered_by_id = member.id
    db.session.flush()
    audit.record(
        "review.answered", review, actor_id=member.id, cooperative_id=review.cooperative_id
    )
    _tell_the_reviewer(review)
    return review


def _tell_the_reviewer(review: Review) -> None:
    """The shopper who wrote the review is told of the answer, linked to the order's reviews."""
    number = db.session.scalar(
        select(Order.number)
        .join(VendorOrder, VendorOrder.order_id == Order.id)
        .join(OrderLine, OrderLine.vendor_order_id == VendorOrder.id)
        .where(OrderLine.id == review.order_line_id)
    )
    product_name = review.product.name
    notify(
        [review.user],
        NotificationKind.REVIEW_ANSWERED,
        lambda: _("Koperasi menjawab ulasan Anda untuk %(product)s.", product=product_name),
        "reviews.order_reviews",
        whatsapp_url=whatsapp_link(review.product.cooperative.whatsapp, number),
        number=number,
    )


# ---------------------------------------------------------------------------------------------
# The city
# ---------------------------------------------------------------------------------------------


def moderation_queue() -> list[Review]:
    """Reviews waiting for the city: pending ones and those reported, most reported first."""
    return list(
        db.session.scalars(
            select(Review)
            .where(
                (Review.status == ReviewStatus.PENDING)
                | ((Review.open_reports > 0) & (Review.status == ReviewStatus.VISIBLE))
            )
            .options(
                selectinload(Review.photos),
                selectinload(Review.user),
                selectinload(Review.product),
            )
            .order_by(Review.open_reports.desc(), Review.created_at, Review.id)
            .limit(200)
        )
    )


def hidden_reviews() -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.status == ReviewStatus.HIDDEN)
            .options(selectinload(Review.user), selectinload(Review.product))
            .order_by(Review.updated_at.desc(), Review.id.desc())
            .limit(100)
        )
    )


def _decide(actor: User, review_id: int, target: ReviewStatus, sources: set[str]) -> Review:
    if not actor.is_city_admin:
        raise PermissionDenied()
    review = _locked_review(review_id)
    if review is None:
        raise NotFound()
    if review.status not in sources:
        raise Conflict(_("Status ulasan sudah berubah. Muat ulang halaman."))
    before = counters.counted(review.status, review.stars)
    review.status = target
    review.open_reports = 0
    db.session.flush()
    counters.apply(review.product_id, before, counters.counted(review.status, review.stars))
    return review


def hide_review(actor: User, review_id: int, reason: str) -> Review:
    """The city takes a review off the product's page, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    review = _decide(actor, review_id, ReviewStatus.HIDDEN, {"visible", "pending"})
    review.hidden_reason = reason[:1000]
    audit.record("review.hidden", review, actor_id=actor.id, data={"reason": reason})
    return review


def show_review(actor: User, review_id: int) -> Review:
    """The city shows a review: approves a pending one, unhides a hidden one, or dismisses the
    reports against a visible one."""
    review = _decide(actor, review_id, ReviewStatus.VISIBLE, {"visible", "pending", "hidden"})
    review.hidden_reason = None
    audit.record("review.shown", review, actor_id=actor.id)
    return review
