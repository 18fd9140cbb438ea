"""The shopper's online payment page (QRIS, virtual account, e-wallet), its status request, and
Xendit's callback."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.errors import DomainError
from marketplace.extensions import csrf, db
from marketplace.observability import count_webhook
from marketplace.payments import bp, forms, online
from marketplace.payments.exceptions import InvalidWebhook, PaymentError
from marketplace.payments.online_page import OnlinePage, online_page
from marketplace.payments.xendit_records import (
    TOKEN_HEADER,
    WEBHOOK_ID_HEADER,
    parse_callback,
    verify_callback_token,
)
from marketplace.policy import SIGNED_IN, SIGNED_REQUEST, allow

#: What the status line says in each state (the page and the polling request share it).
STATE_TEXTS = {
    "choose": _l("Pilih cara membayar."),
    "waiting": _l("Menunggu pembayaran. Status diperbarui otomatis."),
    "paid": _l("Pembayaran diterima. Semua bagian pesanan sudah dibayar."),
    "problem": _l("Pembayaran diterima tetapi tidak sesuai tagihan; tim Pasar OPOP memeriksanya."),
    "expired": _l("Batas waktu pembayaran sudah lewat. Tagihan ini tidak berlaku lagi."),
    "unavailable": _l("Tagihan belum dapat dibuat. Coba lagi."),
    "closed": _l("Tidak ada tagihan yang menunggu pembayaran."),
}


def state_text(page: OnlinePage) -> str:
    if page.state == "choose" and page.tried_before:
        return str(_("Pembayaran sebelumnya tidak selesai. Pilih lagi cara membayar."))
    return str(STATE_TEXTS[page.state])


def _expired_form(number: str) -> Response:
    flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "error")
    return redirect(url_for("payments.online", number=number))


@bp.route("/orders/<number>/payment/online", endpoint="online")
@allow(SIGNED_IN)
def online_payment_page(number: str) -> str | Response:
    page = online_page(current_user, number)
    if page.method is None:
        return redirect(url_for("payments.pay", number=number))
    form = forms.ChannelForm()
    if not form.mobile_number.data:
        form.mobile_number.data = page.order.phone
    return render_template(
        "payments/online.html", page=page, state_text=state_text(page), form=form
    )


@bp.route("/orders/<number>/payment/online/status")
@allow(SIGNED_IN)
def online_status(number: str) -> Response:
    """A light read for the page's polling: where the payment stands, nothing written."""
    page = online_page(current_user, number)
    response = jsonify(state=page.state, text=state_text(page))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/orders/<number>/payment/online", methods=["POST"])
@allow(SIGNED_IN)
def online_choose(number: str) -> Response:
    """A bank or e-wallet picked (or, for QRIS, a new code asked for after a failure)."""
    form = forms.ChannelForm()
    if not form.validate_on_submit():
        return _expired_form(number)
    try:
        payment = online.choose_channel(
            current_user, number, form.channel.data, form.mobile_number.data
        )
    except PaymentError as error:
        if error.status_code != 400:
            raise
        flash(error.message, "error")
        return redirect(url_for("payments.online", number=number))
    if not payment.provider_reference:
        flash(_("Layanan pembayaran sedang tidak dapat dihubungi. Coba lagi sebentar."), "error")
    return redirect(url_for("payments.online", number=number))


@bp.route("/orders/<number>/payment/online/simulate", methods=["POST"])
@allow(SIGNED_IN)
def online_simulate(number: str) -> Response:
    if not forms.ActionForm().validate_on_submit():
        return _expired_form(number)
    if online.pay_simulated(current_user, number) == "paid":
        flash(_("Simulasi: pembayaran diterima. Tidak ada uang yang berpindah."), "success")
    return redirect(url_for("payments.online", number=number))


@bp.route("/payments/xendit/callback", methods=["POST"])
@allow(SIGNED_REQUEST)
def xendit_callback() -> tuple[Response, int]:
    """Xendit's callbacks. 403 for a missing or wrong token, 400 for a body that is not a
    callback (nothing recorded either way); 500 when the
    callback could not be applied (nothing recorded either, so Xendit sends it again); else 200.
    """
    try:
        verify_callback_token(request.headers.get(TOKEN_HEADER))
    except InvalidWebhook as error:
        current_app.logger.warning("Refused a Xendit callback: %s", error.detail)
        count_webhook(online.PROVIDER, "", "invalid_token")
        return jsonify(error="invalid callback token"), 403
    try:
        callback = parse_callback(
            request.get_data(cache=False), webhook_id=request.headers.get(WEBHOOK_ID_HEADER)
        )
    except InvalidWebhook as error:
        current_app.logger.warning("Unreadable Xendit callback: %s", error.detail)
        count_webhook(online.PROVIDER, "", "unreadable")
        return jsonify(error="unreadable callback"), 400
    try:
        outcome = online.handle_callback(callback)
    except DomainError as error:
        db.session.rollback()
        current_app.logger.error("Xendit callback %s not applied: %s", callback.dedup_key, error)
        count_webhook(online.PROVIDER, callback.event, "error")
        return jsonify(error="not applied; retry later"), 500
    return jsonify(received=True, outcome=outcome), 200


csrf.exempt(xendit_callback)
