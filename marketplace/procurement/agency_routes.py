"""The agency's procurement screens, by role: the pejabat pengadaan's requests and negotiation,
the PPK's approval and Surat Pesanan, the receiver's inspection (the treasurer's invoice screens
are in `invoice_routes`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.http import Page, form_status
from marketplace.policy import allow
from marketplace.procurement import (
    bp,
    copying,
    deadlines,
    forms,
    fulfilment,
    inspection,
    negotiation,
    purchasing,
    reports,
    requests,
    worklist,
)
from marketplace.procurement.access import AGENCY_MEMBER
from marketplace.procurement.common import agency_ids, last_day, totals_for
from marketplace.procurement.models import OrderStatus, ProcurementRole, RequestStatus
from marketplace.procurement.screens import (
    PENERIMA,
    PP,
    PPK,
    REFUSALS,
    helpers,
    holds,
    invalid,
    last_prices,
    list_query,
    refused,
)

# ------------------------------------------------------------------------------------------
# Requests (the pejabat pengadaan)
# ------------------------------------------------------------------------------------------


@bp.route("/requests")
@allow(AGENCY_MEMBER)
def request_list() -> Page:
    query, filter_form = list_query(RequestStatus)
    return render_template(
        "procurement/requests.html",
        result=requests.list_requests(current_user, query),
        query=query,
        filter_form=filter_form,
        may_create=bool(agency_ids(current_user, ProcurementRole.PEJABAT_PENGADAAN)),
        **helpers(),
    ), form_status(filter_form)


def _request_form(**kwargs: Any) -> forms.RequestForm:
    form = forms.RequestForm(**kwargs)
    agencies = [
        agency
        for agency in reports.visible_agencies(current_user)
        if agency.id in agency_ids(current_user, ProcurementRole.PEJABAT_PENGADAAN)
    ]
    form.set_choices(agencies, requests.invitable_cooperatives())
    if form.agency_id.data is None and agencies:
        form.agency_id.data = str(agencies[0].id)
    return form


def _details(form: forms.RequestForm) -> requests.RequestDetails:
    return requests.RequestDetails(
        agency_id=int(form.agency_id.data or 0),
        title=form.title.data or "",
        kode_rup=form.kode_rup.data or "",
        ceiling=int(form.ceiling.data or 0),
        delivery_date=form.delivery_date.data,
        delivery_addresses=form.delivery_addresses.data or "",
        notes=form.notes.data or "",
        cooperative_ids=tuple(form.cooperative_ids.data or ()),
        budget_line_id=int(form.budget_line_id.data) if form.budget_line_id.data else None,
    )


def _request_form_page(form: forms.RequestForm, req: Any = None, error: str | None = None) -> str:
    return render_template("procurement/request_form.html", form=form, req=req, error=error)


@bp.route("/requests/new", methods=["GET", "POST"])
@allow(PP)
def new_request() -> Page:
    form = _request_form()
    if form.validate_on_submit():
        try:
            created = requests.create_request(current_user, _details(form))
        except REFUSALS as error:
            return refused(error, _request_form_page, form)
        flash(_("Draf %(number)s disimpan. Tambahkan barangnya.", number=created.number), "success")
        return redirect(url_for("procurement.request_detail", request_id=created.id))
    if request.method == "POST":
        return invalid(_request_form_page, form)
    return _request_form_page(form)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@allow(PP)
def edit_request(request_id: int) -> Page:
    req = requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
    if request.method == "GET":
        form = _request_form(
            obj=req,
            data={
                "cooperative_ids": [q.cooperative_id for q in req.quotations],
                "agency_id": str(req.agency_id),
            },
        )
        return _request_form_page(form, req)
    form = _request_form()
    if form.validate_on_submit():
        try:
            requests.update_request(current_user, request_id, _details(form))
        except REFUSALS as error:
            return refused(error, _request_form_page, form, req)
        flash(_("Draf disimpan."), "success")
        return redirect(url_for("procurement.request_detail", request_id=request_id))
    return invalid(_request_form_page, form, req)


def _request_page(
    request_id: int,
    *,
    error: str | None = None,
    catalogue_form: forms.CatalogueLineForm | None = None,
    spec_form: forms.SpecificationLineForm | None = None,
    cancel_form: forms.ReasonForm | None = None,
) -> str:
    req = requests.agency_request(current_user, request_id)
    deadlines.as_of_now(*req.quotations)
    query = request.args.get("q", "")
    spec_form = spec_form or forms.SpecificationLineForm()
    spec_form.set_choices(requests.categories(), str(get_locale()))
    return render_template(
        "procurement/request_detail.html",
        req=req,
        error=error,
        query=query,
        choices=requests.catalogue_choices(query)
        if query and req.status == RequestStatus.DRAFT
        else [],
        catalogue_form=catalogue_form or forms.CatalogueLineForm(),
        spec_form=spec_form,
        cancel_form=cancel_form or forms.ReasonForm(),
        events=worklist.timeline(req.id),
        is_pp=holds(ProcurementRole.PEJABAT_PENGADAAN, req.agency_id),
        may_copy=copying.may_copy(req),
        above_ceiling=negotiation.above_ceiling,
        totals_for=totals_for,
        **helpers(),
    )


@bp.route("/requests/<int:request_id>")
@allow(AGENCY_MEMBER)
def request_detail(request_id: int) -> Page:
    return _request_page(request_id)


@bp.route("/requests/<int:request_id>/lines/catalogue", methods=["POST"])
@allow(PP)
def add_catalogue_line(request_id: int) -> Page:
    form = forms.CatalogueLineForm()
    if not form.validate_on_submit() or form.variant_id.data is None:
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        message = "; ".join(e for errors in form.errors.values() for e in errors) or _(
            "Pilih produk dari hasil pencarian."
        )
        return invalid(_request_page, request_id, error=message, catalogue_form=form)
    try:
        line, invited = requests.add_catalogue_line(
            current_user, request_id, form.variant_id.data, int(form.quantity.data or 0)
        )
    except REFUSALS as error:
        return refused(error, _request_page, request_id, catalogue_form=form)
    flash(_("%(name)s ditambahkan.", name=line.name), "success")
    if invited is not None:
        flash(_("%(name)s ditambahkan ke daftar undangan.", name=invited.name), "info")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/lines/specification", methods=["POST"])
@allow(PP)
def add_specification_line(request_id: int) -> Page:
    form = forms.SpecificationLineForm()
    form.set_choices(requests.categories(), str(get_locale()))
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        return invalid(_request_page, request_id, spec_form=form)
    try:
        requests.add_specification_line(
            current_user,
            request_id,
            name=form.name.data or "",
            specification=form.specification.data or "",
            unit=form.unit.data or "",
            quantity=int(form.quantity.data or 0),
            category_id=int(form.category_id.data or 0),
        )
    except REFUSALS as error:
        return refused(error, _request_page, request_id, spec_form=form)
    flash(_("Barang ditambahkan."), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/lines/<int:line_id>/quantity", methods=["POST"])
@allow(PP)
def set_line_quantity(request_id: int, line_id: int) -> Page:
    form = forms.QuantityForm()
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        message = "; ".join(form.quantity.errors) or _("Isi jumlahnya.")
        return invalid(_request_page, request_id, error=message)
    try:
        requests.set_line_quantity(current_user, request_id, line_id, int(form.quantity.data or 0))
    except REFUSALS as error:
        return refused(error, _request_page, request_id)
    flash(_("Jumlah diubah."), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/lines/<int:line_id>/hps", methods=["POST"])
@allow(PP)
def set_line_hps(request_id: int, line_id: int) -> Page:
    form = forms.HpsForm()
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        message = "; ".join(form.hps.errors) or _("Isi HPS dalam rupiah bulat.")
        return invalid(_request_page, request_id, error=message)
    try:
        requests.set_line_hps(current_user, request_id, line_id, form.hps.data)
    except REFUSALS as error:
        return refused(error, _request_page, request_id)
    flash(_("HPS barang disimpan."), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/lines/<int:line_id>/remove", methods=["POST"])
@allow(PP)
def remove_line(request_id: int, line_id: int) -> Page:
    requests.remove_line(current_user, request_id, line_id)
    flash(_("Barang dihapus dari permintaan."), "info")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/send", methods=["POST"])
@allow(PP)
def send_request(request_id: int) -> Page:
    try:
        req = requests.send_request(current_user, request_id)
    except REFUSALS as error:
        return refused(error, _request_page, request_id)
    flash(_("Permintaan %(number)s dikirim ke koperasi.", number=req.number), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@allow(PP)
def cancel_request(request_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        return invalid(_request_page, request_id, cancel_form=form)
    try:
        requests.cancel_request(current_user, request_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _request_page, request_id, cancel_form=form)
    flash(_("Permintaan dibatalkan."), "info")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/copy", methods=["POST"])
@allow(PP)
def copy_request(request_id: int) -> Page:
    try:
        copy, unlisted = copying.copy_request(current_user, request_id)
    except REFUSALS as error:
        return refused(error, _request_page, request_id)
    flash(
        _(
            "Draf %(number)s dibuat dari salinan. Periksa data dan tanggal pengiriman.",
            number=copy.number,
        ),
        "success",
    )
    if unlisted:
        flash(
            _(
                "Tidak ada lagi di katalog, disalin sebagai spesifikasi tertulis: %(names)s.",
                names=", ".join(unlisted),
            ),
            "info",
        )
    return redirect(url_for("procurement.edit_request", request_id=copy.id))


# ------------------------------------------------------------------------------------------
# Quotations (the pejabat pengadaan negotiates, the PPK approves)
# ------------------------------------------------------------------------------------------


def _quotation_page(
    quotation_id: int,
    *,
    error: str | None = None,
    counter_form: forms.PricesForm | None = None,
    return_form: forms.ReturnForm | None = None,
    approve_form: forms.ApproveForm | None = None,
) -> str:
    quotation = negotiation.agency_quotation(current_user, quotation_id)
    deadlines.as_of_now(quotation)
    req = quotation.request
    return render_template(
        "procurement/quotation.html",
        quotation=quotation,
        req=req,
        error=error,
        totals=totals_for(quotation),
        check=negotiation.approval_check(quotation) if quotation.rounds else None,
        counter_form=counter_form
        or forms.prices_form(req.lines, last_prices(quotation), offer=False, formdata=None),
        return_form=return_form or forms.ReturnForm(formdata=None),
        approve_form=approve_form or forms.ApproveForm(formdata=None),
        forward_form=forms.NoteForm(formdata=None),
        is_pp=holds(ProcurementRole.PEJABAT_PENGADAAN, req.agency_id),
        is_ppk=holds(ProcurementRole.PPK, req.agency_id),
        round_totals=lambda r: totals_for(quotation, r.subtotal),
        **helpers(),
    )


@bp.route("/quotations/<int:quotation_id>")
@allow(AGENCY_MEMBER)
def quotation(quotation_id: int) -> Page:
    return _quotation_page(quotation_id)


@bp.route("/quotations/<int:quotation_id>/counter", methods=["POST"])
@allow(PP)
def counter(quotation_id: int) -> Page:
    quotation = negotiation.agency_quotation(
        current_user, quotation_id, ProcurementRole.PEJABAT_PENGADAAN
    )
    form = forms.prices_form(quotation.request.lines, {}, offer=False)
    if not form.validate_on_submit():
        return invalid(_quotation_page, quotation_id, counter_form=form)
    try:
        negotiation.counter_offer(
            current_user, quotation_id, form.prices(), form.message.data or ""
        )
    except REFUSALS as error:
        return refused(error, _quotation_page, quotation_id, counter_form=form)
    flash(_("Tawaran balik dikirim ke koperasi."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/agree", methods=["POST"])
@allow(PP)
def agree(quotation_id: int) -> Page:
    try:
        negotiation.agree_quotation(current_user, quotation_id)
    except REFUSALS as error:
        return refused(error, _quotation_page, quotation_id)
    flash(_("Harga disepakati. Teruskan ke PPK untuk persetujuan."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/forward", methods=["POST"])
@allow(PP)
def forward(quotation_id: int) -> Page:
    form = forms.NoteForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PEJABAT_PENGADAAN)
        return invalid(
            _quotation_page, quotation_id, error=_("Catatan paling banyak 2000 karakter.")
        )
    try:
        negotiation.forward_quotation(current_user, quotation_id, form.note.data or "")
    except REFUSALS as error:
        return refused(error, _quotation_page, quotation_id)
    flash(_("Diteruskan ke PPK."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/return", methods=["POST"])
@allow(PPK)
def return_quotation(quotation_id: int) -> Page:
    form = forms.ReturnForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PPK)
        return invalid(_quotation_page, quotation_id, return_form=form)
    try:
        negotiation.return_quotation(current_user, quotation_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _quotation_page, quotation_id, return_form=form)
    flash(_("Penawaran dikembalikan ke pejabat pengadaan."), "info")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/approve", methods=["POST"])
@allow(PPK)
def approve(quotation_id: int) -> Page:
    form = forms.ApproveForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PPK)
        return invalid(_quotation_page, quotation_id, approve_form=form)
    try:
        order = negotiation.approve_quotation(
            current_user, quotation_id, form.splitting_reason.data or ""
        )
    except REFUSALS as error:
        return refused(error, _quotation_page, quotation_id, approve_form=form)
    flash(_("Disetujui. Surat Pesanan %(number)s diterbitkan.", number=order.number), "success")
    return redirect(url_for("procurement.order", order_id=order.id))


# ------------------------------------------------------------------------------------------
# Surat Pesanan, inspection and payment (the agency)
# ------------------------------------------------------------------------------------------


@bp.route("/orders")
@allow(AGENCY_MEMBER)
def order_list() -> Page:
    query, filter_form = list_query(OrderStatus)
    return render_template(
        "procurement/orders.html",
        result=purchasing.agency_orders(current_user, query),
        query=query,
        filter_form=filter_form,
        **helpers(),
    ), form_status(filter_form)


def _order_page(order_id: int, *, error: str | None = None, reason_form: Any = None) -> str:
    order = purchasing.agency_order(current_user, order_id)
    deadlines.as_of_now(order)
    return render_template(
        "procurement/order.html",
        order=order,
        error=error,
        reason_form=reason_form or forms.ReasonForm(formdata=None),
        is_ppk=holds(ProcurementRole.PPK, order.agency_id),
        is_receiver=holds(ProcurementRole.PENERIMA, order.agency_id),
        is_treasurer=holds(ProcurementRole.BENDAHARA, order.agency_id),
        acceptance_last_day=last_day(order.acceptance_due_at) if order.acceptance_due_at else None,
        **helpers(),
    )


@bp.route("/orders/<int:order_id>")
@allow(AGENCY_MEMBER)
def order(order_id: int) -> Page:
    return _order_page(order_id)


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@allow(PPK)
def cancel_order(order_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        purchasing.agency_order(current_user, order_id, ProcurementRole.PPK)
        return invalid(_order_page, order_id, reason_form=form)
    try:
        purchasing.cancel_order(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _order_page, order_id, reason_form=form)
    flash(_("Surat Pesanan dibatalkan."), "info")
    return redirect(url_for("procurement.order", order_id=order_id))


@bp.route("/orders/<int:order_id>/end", methods=["POST"])
@allow(PPK)
def end_order(order_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        purchasing.agency_order(current_user, order_id, ProcurementRole.PPK)
        return invalid(_order_page, order_id, reason_form=form)
    try:
        purchasing.end_order_short(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return refused(error, _order_page, order_id, reason_form=form)
    flash(_("Surat Pesanan diakhiri dengan barang yang sudah diterima."), "info")
    return redirect(url_for("procurement.order", order_id=order_id))


def _inspection_form(delivery: Any, **kwargs: Any) -> forms.InspectionForm:
    return forms.inspection_form(
        delivery.lines,
        inspection.team_choices(delivery.purchase_order.agency_id),
        current_user.id,
        **kwargs,
    )


def _inspect_page(delivery_id: int, *, error: str | None = None, form: Any = None) -> str:
    delivery = fulfilment.agency_delivery(current_user, delivery_id)
    return render_template(
        "procurement/inspect.html",
        delivery=delivery,
        order=delivery.purchase_order,
        earliest_day=inspection.earliest_day(delivery),
        form=form or _inspection_form(delivery, formdata=None),
        error=error,
        is_receiver=holds(ProcurementRole.PENERIMA, delivery.purchase_order.agency_id),
        **helpers(),
    )


@bp.route("/deliveries/<int:delivery_id>/inspect", methods=["GET", "POST"])
@allow(PENERIMA)
def inspect(delivery_id: int) -> Page:
    delivery = fulfilment.agency_delivery(current_user, delivery_id, ProcurementRole.PENERIMA)
    if request.method == "GET":
        return _inspect_page(delivery_id)
    form = _inspection_form(delivery)
    if not form.validate_on_submit():
        return invalid(_inspect_page, delivery_id, form=form)
    try:
        bast = fulfilment.inspect_delivery(
            current_user,
            delivery_id,
            form.accepted(),
            form.notes(),
            form.note.data or "",
            form.details(),
        )
    except REFUSALS as error:
        return refused(error, _inspect_page, delivery_id, form=form)
    flash(_("BAST %(number)s diterbitkan.", number=bast.number), "success")
    return redirect(url_for("procurement.order", order_id=bast.purchase_order_id))
