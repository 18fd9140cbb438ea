"""The shopper's payment pages and Stripe's webhook."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.errors import DomainError
from marketplace.extensions import csrf, db, limiter
from marketplace.http import FORM_ERROR, Page, keeps_input_when_expired, user_or_address
from marketplace.observability import count_webhook
from marketplace.payments import bp, card, forms, services, stripe_gateway, transfers
from marketplace.payments.exceptions import InvalidWebhook, ProofProblem
from marketplace.payments.views import proof_response
from marketplace.policy import SIGNED_IN, SIGNED_REQUEST, allow
from marketplace.uploads import UploadRejected


def _pay_page(
    number: str, failed_form: forms.ProofForm | None = None, failed_box: int | None = None
) -> Page:
    order = services.shopper_order(current_user, number)
    view = services.order_payments(order)
    proof_forms = {
        box.key: (
            failed_form
            if failed_form is not None and box.key == failed_box
            else forms.proof_form(box.key)
        )
        for box in view.transfer_boxes
    }
    page = render_template(
        "payments/pay.html",
        view=view,
        proof_forms=proof_forms,
        card_form=forms.ActionForm(),
        account_forms={r.id: forms.refund_account_form(r.id) for r in view.refunds},
    )
    return (page, FORM_ERROR) if failed_form is not None else page


@bp.route("/orders/<number>/payment")
@allow(SIGNED_IN)
def pay(number: str) -> Page:
    return _pay_page(number)


@bp.route("/orders/<number>/payment/card", methods=["POST"])
@allow(SIGNED_IN)
def start_card(number: str) -> Page:
    if not forms.ActionForm().validate_on_submit():
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "error")
        return redirect(url_for("payments.pay", number=number))
    started = card.start_card_payment(current_user, number)
    if started.url is None:
        flash(started.error or "", "error")
        return redirect(url_for("payments.pay", number=number))
    return redirect(started.url, code=303)


@bp.route("/orders/<number>/payment/card/return")
@allow(SIGNED_IN)
def card_return(number: str) -> Page:
    result = card.card_return(current_user, number, request.args.get("session_id", ""))
    return render_template("payments/card_return.html", result=result)


def _proof_limit() -> str:
    return str(current_app.config["RATELIMIT_PROOF_UPLOAD"])


@bp.route("/orders/<number>/payment/transfer-proof", methods=["POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
@limiter.limit(_proof_limit, key_func=user_or_address)
def upload_proof(number: str) -> Page:
    part = request.args.get("part", type=int)
    form = forms.proof_form(part)
    if form.validate_on_submit():
        try:
            transfers.submit_transfer_proof(
                current_user, number, part, _read_upload(form.proof.data)
            )
        except (UploadRejected, ProofProblem) as problem:
            form.proof.errors = [problem.message]
        else:
            flash(_("Bukti transfer terkirim. Kami kabari setelah diperiksa."), "success")
            return redirect(url_for("payments.pay", number=number))
    if not form.proof.errors:
        form.proof.errors = [
            _("Halaman ini sudah kedaluwarsa. Pilih berkas buktinya lagi, lalu kirim.")
        ]
    return _pay_page(number, form, failed_box=part)


def _read_upload(storage_file: object) -> bytes:
    from marketplace.uploads import read_limited

    stream = getattr(storage_file, "stream", None)
    if stream is None:
        raise UploadRejected()
    return read_limited(stream, current_app.config["PAYMENT_PROOF_MAX_BYTES"])


@bp.route("/orders/<number>/payment/proofs/<int:payment_id>")
@allow(SIGNED_IN)
def shopper_proof(number: str, payment_id: int) -> Response:
    return proof_response(transfers.shopper_proof(current_user, number, payment_id))


@bp.route("/payments/stripe/webhook", methods=["POST"])
@allow(SIGNED_REQUEST)
def stripe_webhook() -> tuple[Response, int]:
    """Stripe's events. 400 for a bad or stale signature (nothing recorded); 500 when the event
    could not be applied (nothing recorded either, so Stripe sends it again); else 200."""
    try:
        event = stripe_gateway.verify_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        current_app.logger.warning("Refused a Stripe webhook: %s", error.detail)
        count_webhook("stripe", "", "invalid_signature")
        return jsonify(error="invalid signature"), 400
    try:
        outcome = card.handle_stripe_event(event)
    except DomainError as error:
        db.session.rollback()
        current_app.logger.error("Stripe event %s not applied: %s", event.get("id"), error)
        count_webhook("stripe", str(event.get("type", "")), "error")
        return jsonify(error="not applied; retry later"), 500
    return jsonify(received=True, outcome=outcome), 200


csrf.exempt(stripe_webhook)

from marketplace.payments import (  # noqa: E402,F401
    desk_routes,
    online_routes,
    payouts_routes,
    reconciliation_routes,
    refund_routes,
    vendor_routes,
)
