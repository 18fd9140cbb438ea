"""The shopper's reviews of an order, reports of abuse, and the template helpers the
catalogue's pages use to show reviews (thin routes over `reviews.services`)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from marketplace.errors import DomainError
from marketplace.http import Page, form_status, private_download
from marketplace.policy import PUBLIC, SIGNED_IN, allow
from marketplace.reviews import bp, queries, services
from marketplace.reviews.forms import ActionForm, ReportForm, review_form
from marketplace.reviews.models import ReviewStatus
from marketplace.uploads import UploadRejected, read_limited


def _page(number: str, failed: Any = None, failed_line: int | None = None) -> Page:
    rows = services.reviewable_lines(current_user, number)
    forms = {}
    for row in rows:
        if failed_line == row.line.id:
            form = failed
        elif row.review is not None:
            form = review_form(
                row.line.id, data={"stars": row.review.stars, "body": row.review.body}
            )
        else:
            form = review_form(row.line.id)
        if row.review is not None:
            form.remove_photos.choices = [
                SelectChoice(photo.id, _("Foto %(n)s", n=index))
                for index, photo in enumerate(row.review.photos, 1)
            ]
        forms[row.line.id] = form
    status = form_status(failed) if failed is not None else 200
    return render_template(
        "reviews/order.html",
        number=number,
        rows=rows,
        forms=forms,
        delete_form=ActionForm(),
        edit_days=current_app.config["REVIEW_EDIT_DAYS"],
        deadline=services.edit_deadline,
    ), status


@bp.route("/orders/<number>/reviews")
@allow(SIGNED_IN)
def order_reviews(number: str) -> Page:
    return _page(number)


def _uploads(files: list[Any]) -> list[bytes]:
    limit = current_app.config["PAYMENT_PROOF_MAX_BYTES"]
    return [
        read_limited(upload.stream, limit)
        for upload in files or []
        if getattr(upload, "filename", "") and getattr(upload, "stream", None) is not None
    ]


@bp.route("/orders/<number>/reviews/<int:line_id>", methods=["POST"])
@allow(SIGNED_IN)
def write_review(number: str, line_id: int) -> Page:
    services.own_line(current_user, number, line_id)  # another's line: 404 before anything
    form = review_form(line_id)
    # The choices are the review's own photos; anything else posted is ignored by the service.
    form.remove_photos.choices = [SelectChoice(v, str(v)) for v in form.remove_photos.data or []]
    if form.validate_on_submit():
        try:
            services.write_review(
                current_user,
                number,
                line_id,
                int(form.stars.data),
                form.body.data or "",
                _uploads(form.photos.data),
                list(form.remove_photos.data or []),
            )
        except (UploadRejected, services.ReviewProblem) as problem:
            form.photos.errors = [problem.message]
        except DomainError as problem:
            form.body.errors = [problem.message]
        else:
            flash(_("Terima kasih, ulasan Anda tersimpan."), "success")
            return redirect(url_for("reviews.order_reviews", number=number))
    return _page(number, form, line_id)


@bp.route("/reviews/<int:review_id>/delete", methods=["POST"])
@allow(SIGNED_IN)
def delete_review(review_id: int) -> Page:
    services.own_review(current_user, review_id)  # anyone else's: 404
    number = request.form.get("number", "")
    if ActionForm().validate_on_submit():
        services.delete_review(current_user, review_id)
        flash(_("Ulasan dihapus."), "success")
    if number:
        return redirect(url_for("reviews.order_reviews", number=number))
    return redirect(url_for("orders.index"))


@bp.route("/reviews/<int:review_id>/report", methods=["POST"])
@allow(SIGNED_IN)
def report_review(review_id: int) -> Page:
    form = ReportForm()
    slug = queries.product_slug_of(review_id)
    if form.validate_on_submit():
        if services.report_review(current_user, review_id, form.reason.data or ""):
            flash(_("Terima kasih. Admin kota akan memeriksa ulasan ini."), "success")
        else:
            flash(_("Anda sudah melaporkan ulasan ini."), "info")
    return redirect(url_for("catalogue.product", slug=slug, _anchor="reviews"))


@bp.route("/reviews/photos/<int:review_photo_id>")
@allow(PUBLIC)
def photo(review_photo_id: int) -> Response:
    """A review's photo: anyone's while the review is shown, else its author's, its
    cooperative's and the city's (`services.viewable_photo`)."""
    found = services.viewable_photo(current_user, review_photo_id)
    extension = found.storage_key.rsplit(".", 1)[-1]
    response = private_download(
        services.photo_file(found),
        "image/webp" if extension == "webp" else f"image/{extension.replace('jpg', 'jpeg')}",
        f"foto-ulasan-{found.id}.{extension}",
        inline=True,
    )
    if found.review.state == ReviewStatus.VISIBLE:
        # Shown to everyone, yet kept by the browser only: a photo the city hides later is
        # gone from every shared cache at once, and from a phone within the hour.
        response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _product_reviews(product: Any) -> queries.ReviewPage:
    """The page of reviews the request asks for, read once per request (the product page shows
    it and gives it to its JSON-LD)."""
    pages: dict[int, queries.ReviewPage] = g.setdefault("review_pages", {})
    if product.id not in pages:
        pages[product.id] = queries.product_reviews(product, request.args)
    return pages[product.id]


@bp.app_context_processor
def _review_helpers() -> dict[str, object]:
    """What the catalogue's pages (below this package) show of reviews."""
    return {
        "product_reviews": _product_reviews,
        "cooperative_track_record": queries.track_record,
    }
