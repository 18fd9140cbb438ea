"""The cooperative's reviews: what shoppers said of its products, and its one public answer to
each (screens over `reviews.services`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_MEMBER
from marketplace.errors import DomainError
from marketplace.http import Page, form_status
from marketplace.policy import allow
from marketplace.reviews import services as review_services
from marketplace.reviews.forms import AnswerForm
from marketplace.vendors import bp
from marketplace.vendors.common import current_cooperative_id


def _page(form: AnswerForm | None = None, failed_id: int | None = None) -> Page:
    unanswered = request.args.get("show") == "unanswered"
    return render_template(
        "vendors/reviews.html",
        reviews=review_services.cooperative_reviews(
            current_cooperative_id(), unanswered=unanswered
        ),
        unanswered=unanswered,
        form=form or AnswerForm(),
        failed_id=failed_id,
    ), form_status(form) if form is not None else 200


@bp.route("/reviews")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def reviews() -> Page:
    return _page()


@bp.route("/reviews/<int:review_id>/answer", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def answer_review(review_id: int) -> Page:
    review_services.cooperative_review(current_cooperative_id(), review_id)  # another's: 404
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            review_services.answer_review(
                current_user, current_cooperative_id(), review_id, form.answer.data or ""
            )
        except DomainError as problem:
            form.answer.errors = [problem.message]
        else:
            flash(_("Jawaban Anda tampil di bawah ulasan."), "success")
            return redirect(url_for("vendors.reviews"))
    return _page(form, review_id)
