"""The shopper's QRIS page, its status request, and Xendit's callback."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.errors import DomainError
from marketplace.extensions import csrf, db
from marketplace.observability import count_webhook
from marketplace.orders.models import PaymentMethod
from marketplace.payments import bp, forms, qris
from marketplace.payments.exceptions import InvalidWebhook
from marketplace.payments.xendit_records import (
    TOKEN_HEADER,
    WEBHOOK_ID_HEADER,
    parse_callback,
    verify_callback_token,
)
from marketplace.policy import SIGNED_IN, SIGNED_REQUEST, allow

#: What the status line says in each state (the page and the polling request share it).
STATE_TEXTS = {
    "waiting": _l("Menunggu pembayaran. Status diperbarui otomatis."),
    "paid": _l("Pembayaran diterima. Semua bagian pesanan sudah dibayar."),
    "problem": _l("Pembayaran diterima tetapi tidak sesuai tagihan; tim Pasar OPOP memeriksanya."),
    "expired": _l("Batas waktu pembayaran sudah lewat. Kode QR tidak berlaku lagi."),
    "unavailable": _l("Kode QR belum dapat dibuat. Coba lagi."),
    "closed": _l("Tidak ada tagihan yang menunggu pembayaran."),
}


def state_text(state: str) -> str:
    return str(STATE_TEXTS[state])


def _expired_form(number: str) -> Response:
    flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "error")
    return redirect(url_for("payments.qris", number=number))


@bp.route("/orders/<number>/payment/qris", endpoint="qris")
@allow(SIGNED_IN)
def qris_payment_page(number: str) -> str | Response:
    page = qris.qris_page(current_user, number)
    if page.order.payment != PaymentMethod.QRIS:
        return redirect(url_for("payments.pay", number=number))
    return render_template(
        "payments/qris.html", page=page, state_text=state_text(page.state), form=forms.ActionForm()
    )


@bp.route("/orders/<number>/payment/qris/status")
@allow(SIGNED_IN)
def qris_status(number: str) -> Response:
    """A light read for the page's polling: where the payment stands, nothing written."""
    page = qris.qris_page(current_user, number)
    response = jsonify(state=page.state, text=state_text(page.state))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/orders/<number>/payment/qris", methods=["POST"])
@allow(SIGNED_IN)
def qris_retry(number: str) -> Response:
    if not forms.ActionForm().validate_on_submit():
        return _expired_form(number)
    payment = qris.retry_qris_payment(current_user, number)
    if not payment.provider_reference:
        flash(_("Layanan pembayaran sedang tidak dapat dihubungi. Coba lagi sebentar."), "error")
    return redirect(url_for("payments.qris", number=number))


@bp.route("/orders/<number>/payment/qris/simulate", methods=["POST"])
@allow(SIGNED_IN)
def qris_simulate(number: str) -> Response:
    if not forms.ActionForm().validate_on_submit():
        return _expired_form(number)
    if qris.pay_simulated(current_user, number) == "paid":
        flash(_("Simulasi: pembayaran diterima. Tidak ada uang yang berpindah."), "success")
    return redirect(url_for("payments.qris", number=number))


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
        count_webhook(qris.PROVIDER, "", "invalid_token")
        return jsonify(error="invalid callback token"), 403
    try:
        callback = parse_callback(
            request.get_data(cache=False), webhook_id=request.headers.get(WEBHOOK_ID_HEADER)
        )
    except InvalidWebhook as error:
        current_app.logger.warning("Unreadable Xendit callback: %s", error.detail)
        count_webhook(qris.PROVIDER, "", "unreadable")
        return jsonify(error="unreadable callback"), 400
    try:
        outcome = qris.handle_callback(callback)
    except DomainError as error:
        db.session.rollback()
        current_app.logger.error("Xendit callback %s not applied: %s", callback.dedup_key, error)
        count_webhook(qris.PROVIDER, callback.event, "error")
        return jsonify(error="not applied; retry later"), 500
    return jsonify(received=True, outcome=outcome), 200


csrf.exempt(xendit_callback)
