"""The shopper gives the bank account a refund is paid out to (payments/gateway_refunds.py)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.payments import bp, forms, gateway_refunds
from marketplace.payments.exceptions import PaymentError
from marketplace.policy import SIGNED_IN, allow


@bp.route("/orders/<number>/refunds/<int:refund_id>/account", methods=["POST"])
@allow(SIGNED_IN)
def refund_account(number: str, refund_id: int) -> Response:
    gateway_refunds.shopper_refund(current_user, number, refund_id)  # another's: 404
    back = redirect(url_for("payments.pay", number=number, _anchor=f"refund-{refund_id}"))
    form = forms.refund_account_form(refund_id)
    if not form.validate_on_submit():
        errors = [f"{field.label.text}: {error}" for field in form for error in field.errors]
        if "csrf_token" in form.errors or not errors:
            errors = [_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi.")]
        flash(errors[0], "error")
        return back
    try:
        gateway_refunds.give_account(
            current_user,
            number,
            refund_id,
            form.bank.data or "",
            form.account_number.data or "",
            form.holder.data or "",
        )
    except PaymentError as error:
        if error.status_code != 400:
            raise
        flash(error.message, "error")
        return back
    flash(_("Rekening disimpan. Dana dikirim ke rekening tersebut."), "success")
    return back
