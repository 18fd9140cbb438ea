"""The agency's invoice screens: the invoice with the treasurer's payment, the reversal of a
payment recorded by mistake, and the tax records' form (`tax_routes`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.http import Page
from marketplace.policy import allow
from marketplace.procurement import bp, corrections, forms, fulfilment, payment
from marketplace.procurement.access import AGENCY_MEMBER
from marketplace.procurement.common import today
from marketplace.procurement.correction_forms import ReversePaymentForm
from marketplace.procurement.models import ProcurementRole
from marketplace.procurement.screens import (
    BENDAHARA,
    REFUSALS,
    helpers,
    holds,
    invalid,
    refused,
)


def invoice_page(
    invoice_id: int,
    *,
    error: str | None = None,
    form: Any = None,
    tax_form: Any = None,
    reverse_form: Any = None,
) -> str:
    """The invoice, with the treasurer's payment form before it is paid and the tax records'
    form (SPP, SPM, each tax's remittance) and the reversal's after."""
    invoice = fulfilment.agency_invoice(current_user, invoice_id)
    if form is None:
        form = forms.PaymentForm(formdata=None)
        form.paid_on.data = today()
    if tax_form is None:
        tax_form = forms.TaxRecordsForm(formdata=None, obj=invoice.payment)
    return render_template(
        "procurement/invoice.html",
        invoice=invoice,
        order=invoice.purchase_order,
        form=form,
        tax_form=tax_form,
        reverse_form=reverse_form or ReversePaymentForm(formdata=None),
        error=error,
        is_treasurer=holds(ProcurementRole.BENDAHARA, invoice.agency_id),
        card_charged=payment.card_charged_to_payee(invoice.purchase_order),
        **helpers(),
    )


@bp.route("/invoices/<int:invoice_id>")
@allow(AGENCY_MEMBER)
def invoice(invoice_id: int) -> Page:
    return invoice_page(invoice_id)


@bp.route("/invoices/<int:invoice_id>/pay", methods=["POST"])
@allow(BENDAHARA)
def pay_invoice(invoice_id: int) -> Page:
    fulfilment.agency_invoice(current_user, invoice_id, ProcurementRole.BENDAHARA)
    form = forms.PaymentForm()
    if not form.validate_on_submit():
        return invalid(invoice_page, invoice_id, form=form)
    details = payment.PaymentDetails(
        method=form.method.data or "",
        reference=form.reference.data or "",
        paid_on=form.paid_on.data,
        bukti_potong_number=form.bukti_potong_number.data or "",
        spp_number=form.spp_number.data or "",
        spm_number=form.spm_number.data or "",
    )
    try:
        payment.record_payment(current_user, invoice_id, details)
    except REFUSALS as error:
        return refused(error, invoice_page, invoice_id, form=form)
    flash(_("Pembayaran dicatat."), "success")
    return redirect(url_for("procurement.invoice", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/reverse-payment", methods=["POST"])
@allow(BENDAHARA)
def reverse_invoice_payment(invoice_id: int) -> Page:
    fulfilment.agency_invoice(current_user, invoice_id, ProcurementRole.BENDAHARA)
    form = ReversePaymentForm()
    if not form.validate_on_submit():
        return invalid(invoice_page, invoice_id, reverse_form=form)
    try:
        reversed_payment = corrections.reverse_payment(
            current_user, invoice_id, form.reason.data or ""
        )
    except REFUSALS as error:
        return refused(error, invoice_page, invoice_id, reverse_form=form)
    flash(
        _(
            "Pembayaran %(reference)s dibatalkan; invoice menunggu pembayaran lagi.",
            reference=reversed_payment.reference,
        ),
        "success",
    )
    return redirect(url_for("procurement.invoice", invoice_id=invoice_id))
