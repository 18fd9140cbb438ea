"""The cooperative's procurement screens (through its membership): its quotations, its Surat
Pesanan and deliveries, its invoices and payments."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.cooperatives.access import COOPERATIVE_MEMBER
from marketplace.http import Page, form_status
from marketplace.policy import allow
from marketplace.procurement import (
    bp,
    corrections,
    deadlines,
    forms,
    fulfilment,
    negotiation,
    payment,
    purchasing,
)
from marketplace.procurement.common import last_day, today, totals_for
from marketplace.procurement.correction_forms import CancelInvoiceForm
from marketplace.procurement.models import InvoiceStatus, OrderStatus, QuotationStatus
from marketplace.procurement.screens import (
    REFUSALS,
    helpers,
    invalid,
    last_prices,
    list_query,
    refused,
)

# ------------------------------------------------------------------------------------------
# The cooperative's screens
# ------------------------------------------------------------------------------------------


@bp.route("/cooperative/quotations")
@allow(COOPERATIVE_MEMBER)
def coop_quotations() -> Page:
    query, filter_form = list_query(QuotationStatus, cooperatives=False)
    return render_template(
        "procurement/coop_quotations.html",
        result=negotiation.cooperative_quotations(current_user, query),
        query=query,
        filter_form=filter_form,
        **helpers(),
    ), form_status(filter_form)


def _offer_defaults(quotation: Any) -> dict[int, int | None]:
    """The latest round's prices; before any round, the catalogue's current tier price for the
    cooperative's own products (a starting point)."""
    if quotation.latest_round is not None:
        return last_prices(quotation)
    defaults: dict[int, int | None] = {}
    for line in quotation.request.lines:
        variant = line.variant
        if variant is not None and variant.cooperative_id == quotation.cooperative_id:
            defaults[line.id] = variant.unit_price_for(line.quantity)
        else:
            defaults[line.id] = None
    return defaults


def _coop_quotation_page(
    quotation_id: int,
    *,
    error: str | None = None,
    offer_form: forms.PricesForm | None = None,
    decline_form: forms.ReasonForm | None = None,
) -> str:
    quotation = negotiation.cooperative_quotation(current_user, quotation_id)
    deadlines.as_of_now(quotation)
    if offer_form is None:
        offer_form = forms.prices_form(
            quotation.request.lines, _offer_defaults(quotation), offer=True, formdata=None
        )
        offer_form.delivery_date.data = quotation.request.delivery_date
    return render_template(
        "procurement/coop_quotation.html",
        quotation=quotation,
        req=quotation.request,
        error=error,
        offer_form=offer_form,
        decline_form=decline_form or forms.ReasonForm(formdata=None),
        totals=totals_for(quotation),
        refusal=negotiation.agreement_refusal(quotation) if quotation.rounds else None,
        round_totals=lambda r: totals_for(quotation, r.subtotal),
        **helpers(),
    )


@bp.route("/cooperative/quotations/<int:quotation_id>")
@allow(COOPERATIVE_MEMBER)
def coop_quotation(quotation_id: int) -> Page:
    return _coop_quotation_page(quotation_id)


@bp.route("/cooperative/quotations/<int:quotation_id>/offer", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_offer(quotation_id: int) -> Page:
    quotation = negotiation.cooperative_quotation(current_user, quotation_id)
    form = forms.prices_form(quotation.request.lines, {}, offer=True)
    if not form.validate_on_submit():
        return invalid(_coop_quotation_page, quotation_id, offer_form=form)
    try:
        negotiation.submit_offer(
            current_user,
            quotation_id,
            form.prices(),
            form.delivery_date.data,
            form.message.data or "",
        )
    except REFUSALS as error:
        return refused(error, _coop_quotation_page, quotation_id, offer_form=form)
    flash(_("Penawaran dikirim."), "success")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/quotations/<int:quotation_id>/accept", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_accept_counter(quotation_id: int) -> Page:
    try:
        negotiation.accept_counter(current_user, quotation_id)
    except REFUSALS as error:
        return refused(error, _coop_quotation_page, quotation_id)
    flash(_("Tawaran balik diterima. Harga disepakati."), "success")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/quotations/<int:quotation_id>/decline", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_decline(quotation_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        negotiation.cooperative_quotation(current_user, quotation_id)
        return invalid(_coop_quotation_page, quotation_id, decline_form=form)
    try:
        negotiation.decline_quotation(current_user, quotation_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _coop_quotation_page, quotation_id, decline_form=form)
    flash(_("Permintaan ditolak."), "info")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/orders")
@allow(COOPERATIVE_MEMBER)
def coop_orders() -> Page:
    query, filter_form = list_query(OrderStatus, cooperatives=False)
    return render_template(
        "procurement/coop_orders.html",
        result=purchasing.cooperative_orders(current_user, query),
        query=query,
        filter_form=filter_form,
        **helpers(),
    ), form_status(filter_form)


def _faktur_form(invoice_id: int, **kwargs: Any) -> forms.FakturPajakForm:
    """Each invoice's faktur pajak form has its own prefix: several sit on one page."""
    return forms.FakturPajakForm(prefix=f"faktur-{invoice_id}", **kwargs)


def _faktur_forms(
    order: Any, submitted: forms.FakturPajakForm | None, submitted_for: int | None
) -> dict[int, forms.FakturPajakForm]:
    """The faktur pajak forms of a PKP order's unpaid invoices, showing what was recorded."""
    if not order.is_pkp:
        return {}
    result = {}
    for invoice in order.invoices:
        if invoice.payment is not None or invoice.cancelled:
            continue
        if submitted is not None and submitted_for == invoice.id:
            result[invoice.id] = submitted
            continue
        form = _faktur_form(invoice.id, formdata=None)
        form.faktur_pajak_number.data = invoice.faktur_pajak_number
        form.faktur_pajak_date.data = invoice.faktur_pajak_date or today()
        result[invoice.id] = form
    return result


def _coop_order_page(
    order_id: int,
    *,
    error: str | None = None,
    delivery_form: forms.DeliveryForm | None = None,
    decline_form: forms.ReasonForm | None = None,
    faktur_form: forms.FakturPajakForm | None = None,
    faktur_invoice_id: int | None = None,
    cancel_form: CancelInvoiceForm | None = None,
    cancel_invoice_id: int | None = None,
) -> str:
    order = purchasing.cooperative_order(current_user, order_id)
    deadlines.as_of_now(order)
    rooms = [(line, fulfilment.deliverable_quantity(order, line)) for line in order.lines]
    if delivery_form is None:
        delivery_form = forms.delivery_form([r for r in rooms if r[1] > 0], formdata=None)
        delivery_form.delivered_on.data = today()
    return render_template(
        "procurement/coop_order.html",
        order=order,
        error=error,
        rooms=rooms,
        delivery_form=delivery_form,
        decline_form=decline_form or forms.ReasonForm(formdata=None),
        faktur_forms=_faktur_forms(order, faktur_form, faktur_invoice_id),
        # One cancellation form per unpaid invoice; the one submitted keeps its reason.
        cancel_forms={
            invoice.id: cancel_form
            if cancel_form is not None and cancel_invoice_id == invoice.id
            else CancelInvoiceForm(formdata=None, prefix=f"cancel-{invoice.id}")
            for invoice in order.invoices
            if invoice.status == InvoiceStatus.ISSUED
        },
        acceptance_last_day=last_day(order.acceptance_due_at) if order.acceptance_due_at else None,
        **helpers(),
    )


@bp.route("/cooperative/orders/<int:order_id>")
@allow(COOPERATIVE_MEMBER)
def coop_order(order_id: int) -> Page:
    return _coop_order_page(order_id)


@bp.route("/cooperative/orders/<int:order_id>/accept", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_accept_order(order_id: int) -> Page:
    try:
        purchasing.accept_order(current_user, order_id)
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id)
    flash(_("Surat Pesanan diterima. Stok produk katalog Anda sudah dipesan untuk OPD."), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/orders/<int:order_id>/decline", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_decline_order(order_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        purchasing.cooperative_order(current_user, order_id)
        return invalid(_coop_order_page, order_id, decline_form=form)
    try:
        purchasing.decline_order(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id, decline_form=form)
    flash(_("Surat Pesanan ditolak."), "info")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/orders/<int:order_id>/deliveries", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_record_delivery(order_id: int) -> Page:
    order = purchasing.cooperative_order(current_user, order_id)
    rooms = [(line, fulfilment.deliverable_quantity(order, line)) for line in order.lines]
    form = forms.delivery_form([r for r in rooms if r[1] > 0])
    if not form.validate_on_submit():
        return invalid(_coop_order_page, order_id, delivery_form=form)
    details = fulfilment.DeliveryDetails(
        delivered_on=form.delivered_on.data,
        driver=form.driver.data or "",
        vehicle=form.vehicle.data or "",
        note=form.note.data or "",
    )
    try:
        delivery = fulfilment.record_delivery(current_user, order_id, form.quantities(), details)
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id, delivery_form=form)
    flash(_("Pengiriman dicatat dengan surat jalan %(number)s.", number=delivery.number), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/deliveries/<int:delivery_id>/withdraw", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_withdraw_delivery(delivery_id: int) -> Page:
    delivery = fulfilment.withdraw_delivery(current_user, delivery_id)
    flash(_("Surat jalan %(number)s ditarik.", number=delivery.number), "info")
    return redirect(url_for("procurement.coop_order", order_id=delivery.purchase_order_id))


@bp.route("/cooperative/basts/<int:bast_id>/invoice", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_issue_invoice(bast_id: int) -> Page:
    bast = fulfilment.cooperative_bast(current_user, bast_id)
    order_id = bast.purchase_order_id
    try:
        invoice = fulfilment.issue_invoice(current_user, bast_id)
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id)
    flash(_("Invoice %(number)s diterbitkan.", number=invoice.number), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/invoices/<int:invoice_id>/faktur-pajak", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_record_faktur_pajak(invoice_id: int) -> Page:
    invoice = fulfilment.cooperative_invoice(current_user, invoice_id)
    order_id = invoice.purchase_order_id
    form = _faktur_form(invoice_id)
    mine = {"faktur_form": form, "faktur_invoice_id": invoice_id}
    if not form.validate_on_submit():
        return invalid(_coop_order_page, order_id, **mine)
    try:
        payment.record_faktur_pajak(
            current_user,
            invoice_id,
            form.faktur_pajak_number.data or "",
            form.faktur_pajak_date.data,
        )
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id, **mine)
    flash(_("Faktur pajak untuk invoice %(number)s dicatat.", number=invoice.number), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/invoices/<int:invoice_id>/cancel", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_cancel_invoice(invoice_id: int) -> Page:
    invoice = fulfilment.cooperative_invoice(current_user, invoice_id)
    order_id = invoice.purchase_order_id
    form = CancelInvoiceForm(prefix=f"cancel-{invoice_id}")
    mine = {"cancel_form": form, "cancel_invoice_id": invoice_id}
    if not form.validate_on_submit():
        return invalid(_coop_order_page, order_id, **mine)
    try:
        corrections.cancel_invoice(current_user, invoice_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _coop_order_page, order_id, **mine)
    flash(
        _(
            "Invoice %(number)s dibatalkan. Terbitkan invoice pengganti dari BAST-nya.",
            number=invoice.number,
        ),
        "success",
    )
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/payments")
@allow(COOPERATIVE_MEMBER)
def coop_payments() -> Page:
    query, filter_form = list_query((), cooperatives=False)
    return render_template(
        "procurement/coop_payments.html",
        result=payment.cooperative_payments(current_user, query),
        query=query,
        filter_form=filter_form,
        **helpers(),
    ), form_status(filter_form)
