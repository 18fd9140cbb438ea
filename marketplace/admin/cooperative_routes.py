"""The cooperatives: the application queue, each cooperative's legal data, the city's decisions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace import clock
from marketplace.admin import bp, queries
from marketplace.admin.common import actor, attach
from marketplace.admin.forms import PilotForm, ReasonForm
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.exceptions import ReasonRequired
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.http import Page, form_status
from marketplace.policy import CITY_ADMIN, allow

STATUS_FILTERS = ("queue", *(status.value for status in CooperativeStatus))


@bp.route("/cooperatives")
@allow(CITY_ADMIN)
def cooperatives_index() -> Page:
    status = request.args.get("status", "queue")
    status = status if status in STATUS_FILTERS else "queue"
    statuses = queries.QUEUE if status == "queue" else (status,)
    return render_template(
        "admin/cooperatives.html",
        rows=queries.list_cooperatives(tuple(str(s) for s in statuses)),
        counts=queries.cooperative_status_counts(),
        status=status,
    )


def _detail_page(cooperative_id: int, form: ReasonForm, failed_action: str | None = None) -> Page:
    detail = queries.cooperative_detail(cooperative_id)
    return render_template(
        "admin/cooperative.html",
        detail=detail,
        cooperative=detail.cooperative,
        decisions=cooperatives.allowed_decisions(detail.cooperative),
        needs_reason=cooperatives.NEEDS_REASON,
        form=form,
        failed_action=failed_action,
        pilot_form=PilotForm(is_pilot=detail.cooperative.is_pilot),
        actors=queries.history_actors(detail.history),
        today=clock.today(),
    ), form_status(form)


@bp.route("/cooperatives/<int:cooperative_id>")
@allow(CITY_ADMIN)
def cooperative(cooperative_id: int) -> Page:
    return _detail_page(cooperative_id, ReasonForm())


DECISION_MESSAGES = {
    "approve": lambda: _("Koperasi disetujui. Pemiliknya sudah diberi tahu lewat email."),
    "request_changes": lambda: _("Permintaan perbaikan sudah dikirim ke koperasi."),
    "reject": lambda: _("Pendaftaran ditolak. Pemiliknya sudah diberi tahu lewat email."),
    "suspend": lambda: _("Toko dihentikan sementara; produknya tidak tampil lagi di katalog."),
    "reinstate": lambda: _("Toko dibuka kembali; produknya yang terbit tampil lagi."),
}


@bp.route(
    "/cooperatives/<int:cooperative_id>/<any(approve, request_changes, reject, suspend, "
    "reinstate):action>",
    methods=["POST"],
)
@allow(CITY_ADMIN)
def decide_cooperative(cooperative_id: int, action: str) -> Page:
    cooperative = queries.cooperative_detail(cooperative_id).cooperative
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            cooperatives.decide(cooperative, action, actor(), form.reason.data or "")
        except ReasonRequired as error:
            attach(form, error, "reason")
        else:
            flash(DECISION_MESSAGES[action](), "success")
            return redirect(url_for("admin.cooperative", cooperative_id=cooperative.id))
    return _detail_page(cooperative_id, form, failed_action=action)


@bp.route("/cooperatives/<int:cooperative_id>/pilot", methods=["POST"])
@allow(CITY_ADMIN)
def set_pilot(cooperative_id: int) -> Page:
    cooperative = queries.cooperative_detail(cooperative_id).cooperative
    form = PilotForm()
    if form.validate_on_submit():
        cooperatives.set_pilot(cooperative, actor(), bool(form.is_pilot.data))
        flash(_("Status percontohan sudah disimpan."), "success")
    return redirect(url_for("admin.cooperative", cooperative_id=cooperative.id))
