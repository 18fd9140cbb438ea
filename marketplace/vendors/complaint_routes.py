"""The cooperative's complaints: the list, and one complaint with its answer, the goods back,
its own refund's proof and asking the city (screens over `complaints.services`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.complaints import escalation, pages
from marketplace.complaints import money as complaint_money
from marketplace.complaints import queries as complaint_queries
from marketplace.complaints import services as complaint_services
from marketplace.complaints.forms import (
    ActionForm,
    AnswerForm,
    EscalateForm,
    ReceivedForm,
    RefundProofForm,
    answer_form,
)
from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_MEMBER
from marketplace.errors import DomainError
from marketplace.http import Page, form_status
from marketplace.policy import allow
from marketplace.vendors import bp
from marketplace.vendors.common import current_cooperative_id


@bp.route("/complaints")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaints() -> Page:
    waiting = request.args.get("show") == "waiting"
    found = complaint_queries.cooperative_complaints(current_cooperative_id(), waiting=waiting)
    return render_template("vendors/complaints.html", complaints=found, waiting=waiting)


def _page(complaint_id: int, **forms: Any) -> Page:
    complaint = complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    shown = {
        "answer_form": forms.get("answer_form") or answer_form(complaint.lines),
        "received_form": forms.get("received_form") or ReceivedForm(),
        "proof_form": forms.get("proof_form") or RefundProofForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
    }
    return render_template(
        "vendors/complaint.html",
        **pages.context(complaint),
        **shown,
        action_form=ActionForm(),
    ), form_status(*shown.values())


def _back(complaint_id: int) -> Response:
    return redirect(url_for("vendors.complaint", complaint_id=complaint_id))


@bp.route("/complaints/<int:complaint_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaint(complaint_id: int) -> Page:
    return _page(complaint_id)


ANSWERS = {
    "refund": lambda member, coop, cid, form: complaint_services.accept_refund(
        member, coop, cid, form.amounts(), form.note.data or ""
    ),
    "replacement": lambda member, coop, cid, form: complaint_services.accept_replacement(
        member, coop, cid, form.note.data or ""
    ),
    "return": lambda member, coop, cid, form: complaint_services.request_return(
        member, coop, cid, form.amounts(), form.note.data or ""
    ),
    "reject": lambda member, coop, cid, form: complaint_services.reject(
        member, coop, cid, form.note.data or ""
    ),
}


@bp.route("/complaints/<int:complaint_id>/answer", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def answer_complaint(complaint_id: int) -> Page:
    found = complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    form: AnswerForm = answer_form(found.lines)
    if form.validate_on_submit():
        try:
            ANSWERS[form.answer.data or ""](
                current_user, current_cooperative_id(), complaint_id, form
            )
        except DomainError as problem:
            form.note.errors = [problem.message]
        else:
            flash(_("Jawaban terkirim ke pembeli."), "success")
            return _back(complaint_id)
    return _page(complaint_id, answer_form=form)


@bp.route("/complaints/<int:complaint_id>/received", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaint_goods_received(complaint_id: int) -> Page:
    complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    form = ReceivedForm()
    if form.validate_on_submit():
        try:
            complaint_services.confirm_return_received(
                current_user,
                current_cooperative_id(),
                complaint_id,
                sellable=form.sellable.data == "yes",
            )
        except DomainError as problem:
            form.sellable.errors = [problem.message]
        else:
            flash(_("Barang diterima kembali; pengembalian dana dimulai."), "success")
            return _back(complaint_id)
    return _page(complaint_id, received_form=form)


@bp.route("/complaints/<int:complaint_id>/refund-proof", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaint_refund_proof(complaint_id: int) -> Page:
    complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    form = RefundProofForm()
    if form.validate_on_submit():
        upload = request.files.get(form.proof.name)
        try:
            if upload is None or not upload.filename:
                raise DomainError(_("Pilih berkas bukti transfer."))
            complaint_money.record_cooperative_refund(
                current_user, current_cooperative_id(), complaint_id, upload.read()
            )
        except DomainError as problem:
            form.proof.errors = [problem.message]
        else:
            flash(_("Bukti terkirim; pembeli diminta mengonfirmasi."), "success")
            return _back(complaint_id)
    return _page(complaint_id, proof_form=form)


@bp.route("/complaints/<int:complaint_id>/escalate", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def escalate_complaint(complaint_id: int) -> Page:
    complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    form = EscalateForm()
    if form.validate_on_submit():
        try:
            escalation.escalate_as_cooperative(
                current_user, current_cooperative_id(), complaint_id, form.note.data or ""
            )
        except DomainError as problem:
            form.note.errors = [problem.message]
        else:
            flash(_("Komplain diteruskan ke Admin Kota."), "success")
            return _back(complaint_id)
    return _page(complaint_id, escalate_form=form)


@bp.route("/complaints/<int:complaint_id>/photos/<int:photo_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaint_photo(complaint_id: int, photo_id: int) -> Response:
    found = complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    return pages.photo_response(found, photo_id)


@bp.route("/complaints/<int:complaint_id>/refund-proof")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def complaint_refund_proof_file(complaint_id: int) -> Response:
    found = complaint_queries.cooperative_complaint(current_cooperative_id(), complaint_id)
    return pages.proof_response(found)
