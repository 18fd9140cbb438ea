"""The cooperative's payment screens: transfer proofs to confirm or reject, and its statement.

The cooperative is always the signed-in member's own (`membership_of`), never one named in the
request; another cooperative's transfer is not found. The vendor workspace links here.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_MEMBER, membership_of
from marketplace.errors import NotFound
from marketplace.http import FORM_ERROR, Page
from marketplace.payments import bp, forms, payouts, settlement, transfers
from marketplace.payments.views import proof_response, statement_download
from marketplace.policy import allow


def _cooperative_id() -> int:
    membership = membership_of(current_user)
    if membership is None:
        raise NotFound()
    return membership.cooperative_id


@bp.route("/vendor/transfers/")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_transfers() -> Page:
    waiting, decided = transfers.cooperative_transfers(_cooperative_id())
    return render_template(
        "payments/transfers.html", waiting=waiting, decided=decided, area="vendor"
    )


def _review_page(payment_id: int, reject_form: forms.ReasonForm, status: int = 200) -> Page:
    payment = transfers.cooperative_transfer(_cooperative_id(), payment_id)
    page = render_template(
        "payments/transfer.html",
        payment=payment,
        confirm_form=forms.ActionForm(),
        reject_form=reject_form,
        area="vendor",
    )
    return (page, status) if status != 200 else page


@bp.route("/vendor/transfers/<int:payment_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_transfer(payment_id: int) -> Page:
    return _review_page(payment_id, forms.ReasonForm())


@bp.route("/vendor/transfers/<int:payment_id>/confirm", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_confirm(payment_id: int) -> Page:
    payment = transfers.cooperative_transfer(_cooperative_id(), payment_id)
    if not forms.ActionForm().validate_on_submit():
        return _review_page(payment_id, forms.ReasonForm(), FORM_ERROR)
    transfers.confirm_transfer(payment, current_user)
    flash(_("Pembayaran dikonfirmasi. Pesanan siap diproses."), "success")
    return redirect(url_for("payments.vendor_transfers"))


@bp.route("/vendor/transfers/<int:payment_id>/reject", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_reject(payment_id: int) -> Page:
    payment = transfers.cooperative_transfer(_cooperative_id(), payment_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _review_page(payment_id, form, FORM_ERROR)
    transfers.reject_transfer(payment, current_user, form.reason.data or "")
    flash(_("Bukti transfer ditolak. Pembeli sudah diberi tahu alasannya."), "info")
    return redirect(url_for("payments.vendor_transfers"))


@bp.route("/vendor/transfers/<int:payment_id>/proof")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_proof(payment_id: int) -> Response:
    return proof_response(transfers.cooperative_transfer(_cooperative_id(), payment_id))


@bp.route("/vendor/statement")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_statement() -> Page:
    data = settlement.statement(_cooperative_id())
    return render_template(
        "payments/statement.html",
        statement=data,
        area="vendor",
        gateway_payouts=payouts.by_reference([line.entry.bank_reference for line in data.lines]),
    )


@bp.route("/vendor/statement.csv")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def vendor_statement_csv() -> Response:
    return statement_download(_cooperative_id())
