"""The city's care of reviews: new ones waiting (when review moderation is on), reported ones,
hiding with a reason and showing again (screens over `reviews.services`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from marketplace.admin import bp
from marketplace.admin.common import actor
from marketplace.http import Page, form_status
from marketplace.policy import CITY_ADMIN, allow
from marketplace.reviews import services as review_services
from marketplace.reviews.forms import ActionForm, HideForm, ReviewModerationForm


def _page(form: HideForm | None = None, failed_id: int | None = None) -> Page:
    return render_template(
        "admin/reviews.html",
        queue=review_services.moderation_queue(),
        hidden=review_services.hidden_reviews(),
        setting_form=ReviewModerationForm(enabled=review_services.moderation_enabled()),
        form=form or HideForm(),
        action_form=ActionForm(),
        failed_id=failed_id,
    ), form_status(form) if form is not None else 200


@bp.route("/reviews")
@allow(CITY_ADMIN)
def reviews() -> Page:
    return _page()


@bp.route("/reviews/setting", methods=["POST"])
@allow(CITY_ADMIN)
def review_moderation_setting() -> Page:
    form = ReviewModerationForm()
    if form.validate_on_submit():
        review_services.set_moderation(actor(), bool(form.enabled.data))
        if form.enabled.data:
            flash(_("Ulasan baru kini menunggu pemeriksaan sebelum tampil."), "success")
        else:
            flash(_("Ulasan baru kini langsung tampil."), "success")
    return redirect(url_for("admin.reviews"))


@bp.route("/reviews/<int:review_id>/hide", methods=["POST"])
@allow(CITY_ADMIN)
def hide_review(review_id: int) -> Page:
    review_services.get_review(review_id)
    form = HideForm()
    if form.validate_on_submit():
        review_services.hide_review(actor(), review_id, form.reason.data or "")
        flash(_("Ulasan disembunyikan."), "success")
        return redirect(url_for("admin.reviews"))
    return _page(form, review_id)


@bp.route("/reviews/<int:review_id>/show", methods=["POST"])
@allow(CITY_ADMIN)
def show_review(review_id: int) -> Page:
    review_services.get_review(review_id)
    if ActionForm().validate_on_submit():
        review_services.show_review(actor(), review_id)
        flash(_("Ulasan ditampilkan."), "success")
    return redirect(url_for("admin.reviews"))
