"""The city's complaints: the queue of escalated ones, and one complaint with its final
decision (screens over `complaints.services`); the part's message thread is shown with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from marketplace.admin import bp
from marketplace.admin.common import actor
from marketplace.complaints import escalation, pages
from marketplace.complaints import queries as complaint_queries
from marketplace.complaints.forms import DecisionForm
from marketplace.errors import DomainError
from marketplace.http import Page, form_status
from marketplace.messages import services as message_services
from marketplace.policy import CITY_ADMIN, allow


@bp.route("/complaints")
@allow(CITY_ADMIN)
def complaints() -> Page:
    return render_template(
        "admin/complaints.html", complaints=complaint_queries.escalated_complaints()
    )


def _page(complaint_id: int, form: DecisionForm | None = None) -> Page:
    complaint = complaint_queries.admin_complaint(actor(), complaint_id)
    form = form or DecisionForm()
    return render_template(
        "admin/complaint.html",
        **pages.context(complaint),
        messages=message_services.thread(complaint.vendor_order),
        form=form,
    ), form_status(form)


@bp.route("/complaints/<int:complaint_id>")
@allow(CITY_ADMIN)
def complaint(complaint_id: int) -> Page:
    return _page(complaint_id)


@bp.route("/complaints/<int:complaint_id>/decide", methods=["POST"])
@allow(CITY_ADMIN)
def decide_complaint(complaint_id: int) -> Page:
    complaint_queries.admin_complaint(actor(), complaint_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            escalation.decide(
                actor(),
                complaint_id,
                refund_amount=form.refund_amount.data or 0,
                reason=form.reason.data or "",
            )
        except DomainError as problem:
            form.reason.errors = [problem.message]
        else:
            flash(_("Keputusan dicatat dan dikirim ke pembeli dan koperasi."), "success")
            return redirect(url_for("admin.complaint", complaint_id=complaint_id))
    return _page(complaint_id, form)


@bp.route("/complaints/<int:complaint_id>/photos/<int:photo_id>")
@allow(CITY_ADMIN)
def complaint_photo(complaint_id: int, photo_id: int) -> Response:
    return pages.photo_response(complaint_queries.admin_complaint(actor(), complaint_id), photo_id)


@bp.route("/complaints/<int:complaint_id>/refund-proof")
@allow(CITY_ADMIN)
def complaint_refund_proof(complaint_id: int) -> Response:
    return pages.proof_response(complaint_queries.admin_complaint(actor(), complaint_id))
