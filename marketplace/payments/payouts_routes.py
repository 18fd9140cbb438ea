"""The city's payouts to cooperatives under /admin/payments/payouts/: each cooperative's
available balance, "pay through Xendit" (shown only with Xendit's keys), the second
administrator's approval, sending again, and the CSV of pending payouts for a bank's bulk
transfer (`payments.payouts`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace import clock, exports
from marketplace.http import FORM_ERROR, Page
from marketplace.payments import bp, forms, payout_schedule, payouts
from marketplace.payments.exceptions import PayoutProblem
from marketplace.policy import CITY_ADMIN, allow


def _page(error: str | None = None, failed: int | None = None, form: object = None) -> Page:
    page = render_template(
        "payments/payouts.html",
        overview=payouts.overview(current_user),
        enabled=payouts.is_enabled(),
        action_form=forms.ActionForm(),
        schedule_form=forms.PayoutScheduleForm(enabled=payout_schedule.is_on()),
        failed_form=form,
        failed=failed,
        error=error,
    )
    return (page, FORM_ERROR) if error or failed is not None else page


@bp.route("/admin/payments/payouts/")
@allow(CITY_ADMIN)
def payouts_page() -> Page:
    return _page()


@bp.route("/admin/payments/payouts/cooperatives/<int:cooperative_id>/xendit", methods=["POST"])
@allow(CITY_ADMIN)
def pay_through_gateway(cooperative_id: int) -> Page:
    form = forms.GatewayPayoutForm()
    if not form.validate_on_submit() or form.amount.data is None:
        return _page(failed=cooperative_id, form=form)
    try:
        payout = payouts.start_payout(current_user, cooperative_id, form.amount.data)
    except PayoutProblem as problem:
        return _page(error=problem.message, failed=cooperative_id, form=form)
    if payout.status == payouts.P.AWAITING_APPROVAL:
        flash(_("Pembayaran menunggu persetujuan admin kota yang lain."), "info")
    else:
        flash(_("Pembayaran dikirim lewat Xendit."), "success")
    return redirect(url_for("payments.payouts_page"))


def _act(action: str, payout_id: int) -> Page:
    if not forms.ActionForm().validate_on_submit():
        return redirect(url_for("payments.payouts_page"))
    try:
        getattr(payouts, f"{action}_payout")(current_user, payout_id)
    except PayoutProblem as problem:
        return _page(error=problem.message)
    messages = {
        "approve": _("Pembayaran disetujui dan dikirim lewat Xendit."),
        "cancel": _("Pembayaran dibatalkan."),
        "retry": _("Pembayaran dikirim ulang lewat Xendit."),
    }
    flash(messages[action], "success")
    return redirect(url_for("payments.payouts_page"))


@bp.route("/admin/payments/payouts/<int:payout_id>/approve", methods=["POST"])
@allow(CITY_ADMIN)
def approve_payout(payout_id: int) -> Page:
    return _act("approve", payout_id)


@bp.route("/admin/payments/payouts/<int:payout_id>/cancel", methods=["POST"])
@allow(CITY_ADMIN)
def cancel_payout(payout_id: int) -> Page:
    return _act("cancel", payout_id)


@bp.route("/admin/payments/payouts/<int:payout_id>/retry", methods=["POST"])
@allow(CITY_ADMIN)
def retry_payout(payout_id: int) -> Page:
    return _act("retry", payout_id)


@bp.route("/admin/payments/payouts/pending.csv")
@allow(CITY_ADMIN)
def pending_payouts_csv() -> Response:
    content = payouts.pending_csv(current_user)
    return exports.download(content, f"pembayaran-koperasi-{clock.today().isoformat()}.csv")


@bp.route("/admin/payments/payouts/schedule", methods=["POST"])
@allow(CITY_ADMIN)
def payout_schedule_setting() -> Page:
    form = forms.PayoutScheduleForm()
    if form.validate_on_submit():
        payout_schedule.set_schedule(current_user, bool(form.enabled.data))
        if form.enabled.data:
            flash(_("Saldo tersedia kini dibayar lewat Xendit setiap hari."), "success")
        else:
            flash(_("Pembayaran harian lewat Xendit dimatikan."), "success")
    return redirect(url_for("payments.payouts_page"))
