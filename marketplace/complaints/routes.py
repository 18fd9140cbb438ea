"""The shopper's side of a complaint: open it, follow it, send goods back, ask the city, close
it, confirm a refund the cooperative made (the cooperative's and the city's sides are in their
workspaces)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.complaints import bp, escalation, money, pages, queries, services
from marketplace.complaints.forms import (
    ActionForm,
    ComplaintForm,
    EscalateForm,
    ReturnShipmentForm,
    complaint_form,
)
from marketplace.complaints.models import Complaint
from marketplace.errors import DomainError
from marketplace.http import Page, form_status
from marketplace.orders import moves as order_moves
from marketplace.policy import SIGNED_IN, allow

PREFIX = "/orders/<number>/complaint/<int:part_id>"


def _detail(url_number: str, complaint: Complaint, **forms: Any) -> Page:
    return_form = forms.get("return_form") or ReturnShipmentForm()
    escalate_form = forms.get("escalate_form") or EscalateForm()
    return render_template(
        "complaints/detail.html",
        **pages.context(complaint),
        return_form=return_form,
        escalate_form=escalate_form,
        action_form=ActionForm(),
    ), form_status(return_form, escalate_form)


def _back(number: str, part_id: int) -> Response:
    return redirect(url_for("complaints.detail", number=number, part_id=part_id))


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new(number: str, part_id: int) -> Page:
    part = order_moves.shopper_vendor_order(current_user, number, part_id)
    if queries.complaint_of_part(part.id) is not None:
        return _back(number, part_id)
    form: ComplaintForm = complaint_form(part.lines)
    open_now = queries.can_complain(part)
    if open_now and form.validate_on_submit():
        try:
            services.open_complaint(
                current_user,
                number,
                part_id,
                reason=form.reason.data or "",
                message=form.message.data or "",
                quantities=form.quantities(),
                photos=[file.read() for file in request.files.getlist(form.photos.name) if file],
            )
        except DomainError as problem:
            form.message.errors = [*form.message.errors, problem.message]
        else:
            flash(_("Komplain terkirim ke %(name)s.", name=part.cooperative_name), "success")
            return _back(number, part_id)
    return render_template(
        "complaints/new.html",
        form=form,
        part=part,
        order=part.order,
        open_now=open_now,
        window_end=queries.window_end(part),
    ), form_status(form)


@bp.route(PREFIX)
@allow(SIGNED_IN)
def detail(number: str, part_id: int) -> Page:
    return _detail(number, queries.shopper_complaint(current_user, number, part_id))


@bp.route(PREFIX + "/return", methods=["POST"])
@allow(SIGNED_IN)
def ship_return(number: str, part_id: int) -> Page:
    complaint = queries.shopper_complaint(current_user, number, part_id)
    form = ReturnShipmentForm()
    if form.validate_on_submit():
        try:
            services.record_return_shipment(
                current_user,
                number,
                part_id,
                form.courier.data or "",
                form.tracking_number.data or "",
            )
        except DomainError as problem:
            form.tracking_number.errors = [problem.message]
        else:
            flash(_("Pengiriman kembali dicatat."), "success")
            return _back(number, part_id)
    return _detail(number, complaint, return_form=form)


@bp.route(PREFIX + "/escalate", methods=["POST"])
@allow(SIGNED_IN)
def escalate(number: str, part_id: int) -> Page:
    complaint = queries.shopper_complaint(current_user, number, part_id)
    form = EscalateForm()
    if form.validate_on_submit():
        try:
            escalation.escalate_as_shopper(current_user, number, part_id, form.note.data or "")
        except DomainError as problem:
            form.note.errors = [problem.message]
        else:
            flash(_("Komplain diteruskan ke Admin Kota."), "success")
            return _back(number, part_id)
    return _detail(number, complaint, escalate_form=form)


@bp.route(PREFIX + "/close", methods=["POST"])
@allow(SIGNED_IN)
def close(number: str, part_id: int) -> Page:
    queries.shopper_complaint(current_user, number, part_id)
    if ActionForm().validate_on_submit():
        try:
            services.close_by_shopper(current_user, number, part_id)
        except DomainError as problem:
            flash(problem.message, "error")
        else:
            flash(_("Komplain ditutup."), "success")
    return _back(number, part_id)


@bp.route(PREFIX + "/refund-received", methods=["POST"])
@allow(SIGNED_IN)
def confirm_refund(number: str, part_id: int) -> Page:
    queries.shopper_complaint(current_user, number, part_id)
    if ActionForm().validate_on_submit():
        try:
            money.confirm_cooperative_refund(current_user, number, part_id)
        except DomainError as problem:
            flash(problem.message, "error")
        else:
            flash(_("Terima kasih. Pengembalian dana dikonfirmasi."), "success")
    return _back(number, part_id)


@bp.route(PREFIX + "/photos/<int:photo_id>")
@allow(SIGNED_IN)
def photo(number: str, part_id: int, photo_id: int) -> Response:
    return pages.photo_response(queries.shopper_complaint(current_user, number, part_id), photo_id)


@bp.route(PREFIX + "/refund-proof")
@allow(SIGNED_IN)
def refund_proof(number: str, part_id: int) -> Response:
    return pages.proof_response(queries.shopper_complaint(current_user, number, part_id))


@bp.app_context_processor
def _complaint_helpers() -> dict[str, Any]:
    """What the shopper's order page (below this package) shows of complaints."""
    return {"part_complaints": _part_complaints, "can_complain": queries.in_window}


def _part_complaints(order: Any) -> dict[int, Complaint]:
    return queries.complaints_of_parts([part.id for part in order.vendor_orders])
