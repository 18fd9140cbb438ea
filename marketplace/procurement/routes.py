"""The procurement screens under /procurement/: the agency's (by role), the cooperative's
(through its membership), and the shared worklist, notifications, documents and reports.

Each view parses the request, calls one service and redirects; a refused step shows the page
again with the reason (status 400 or 409, nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from marketplace import exports
from marketplace.cooperatives.access import COOPERATIVE_MEMBER, membership_of
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.http import FORM_ERROR, is_local_url, private_download
from marketplace.inventory.exceptions import InsufficientStock
from marketplace.policy import CITY_ADMIN, allow
from marketplace.procurement import (
    bp,
    deadlines,
    documents,
    forms,
    fulfilment,
    negotiation,
    notifications,
    purchasing,
    reports,
    requests,
    worklist,
)
from marketplace.procurement.access import (
    AGENCY_MEMBER,
    PROCUREMENT_PARTICIPANT,
    REPORT_READER,
    agency_role,
    has_role,
)
from marketplace.procurement.common import agency_ids, today
from marketplace.procurement.exceptions import ProcurementError
from marketplace.procurement.lifecycle import can_move
from marketplace.procurement.models import (
    Actor,
    DeliveryStatus,
    InvoiceStatus,
    OrderStatus,
    ProcurementRole,
    QuotationStatus,
    RequestStatus,
)

Page = str | WerkzeugResponse | tuple[str, int]
PP = agency_role(ProcurementRole.PEJABAT_PENGADAAN)
PPK = agency_role(ProcurementRole.PPK)
PENERIMA = agency_role(ProcurementRole.PENERIMA)
BENDAHARA = agency_role(ProcurementRole.BENDAHARA)
#: The refusals a step may raise with a message for the user.
REFUSALS = (ProcurementError, InsufficientStock)


def _refused(error: DomainError, page: Callable[..., str], *args: Any, **kwargs: Any) -> Page:
    """Show the page again with the reason; nothing of the refused step is kept."""
    db.session.rollback()
    return page(*args, error=error.message, **kwargs), error.status_code


def _invalid(page: Callable[..., str], *args: Any, **kwargs: Any) -> Page:
    db.session.rollback()
    return page(*args, **kwargs), FORM_ERROR


def _helpers() -> dict[str, Any]:
    return {
        "can": can_move,
        "Actor": Actor,
        "Q": QuotationStatus,
        "O": OrderStatus,
        "D": DeliveryStatus,
        "INV": InvoiceStatus,
        "R": RequestStatus,
        "event_label": worklist.event_label,
        "last_day": purchasing.last_day,
        "locale": str(get_locale()),
    }


def _holds(role: ProcurementRole, agency_id: int) -> bool:
    return has_role(current_user, role, agency_id)


# ------------------------------------------------------------------------------------------
# The worklist and notifications
# ------------------------------------------------------------------------------------------


@bp.route("/")
@allow(PROCUREMENT_PARTICIPANT)
def index() -> Page:
    return render_template(
        "procurement/worklist.html",
        agency_sections=worklist.agency_worklist(current_user),
        cooperative_sections=worklist.cooperative_worklist(current_user),
        is_agency=bool(agency_ids(current_user)),
        cooperative=membership_of(current_user),
    )


@bp.route("/notifications")
@allow(PROCUREMENT_PARTICIPANT)
def notification_list() -> Page:
    return render_template(
        "procurement/notifications.html",
        items=notifications.list_notifications(current_user),
        form=forms.ConfirmForm(),
    )


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@allow(PROCUREMENT_PARTICIPANT)
def open_notification(notification_id: int) -> Page:
    link = notifications.open_notification(current_user, notification_id)
    return redirect(link if is_local_url(link) else url_for("procurement.index"))


@bp.route("/notifications/read", methods=["POST"])
@allow(PROCUREMENT_PARTICIPANT)
def read_notifications() -> Page:
    notifications.mark_all_read(current_user)
    return redirect(url_for("procurement.notification_list"))


# ------------------------------------------------------------------------------------------
# Requests (the pejabat pengadaan)
# ------------------------------------------------------------------------------------------


@bp.route("/requests")
@allow(AGENCY_MEMBER)
def request_list() -> Page:
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, has_next = requests.list_requests(current_user, number)
    return render_template(
        "procurement/requests.html",
        rows=rows,
        page=number,
        has_next=has_next,
        may_create=bool(agency_ids(current_user, ProcurementRole.PEJABAT_PENGADAAN)),
        **_helpers(),
    )


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
            return _refused(error, _request_form_page, form)
        flash(_("Draf %(number)s disimpan. Tambahkan barangnya.", number=created.number), "success")
        return redirect(url_for("procurement.request_detail", request_id=created.id))
    if request.method == "POST":
        return _invalid(_request_form_page, form)
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
            return _refused(error, _request_form_page, form, req)
        flash(_("Draf disimpan."), "success")
        return redirect(url_for("procurement.request_detail", request_id=request_id))
    return _invalid(_request_form_page, form, req)


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
        is_pp=_holds(ProcurementRole.PEJABAT_PENGADAAN, req.agency_id),
        above_ceiling=negotiation.above_ceiling,
        totals_for=negotiation.totals_for,
        **_helpers(),
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
        return _invalid(_request_page, request_id, error=message, catalogue_form=form)
    try:
        line, invited = requests.add_catalogue_line(
            current_user, request_id, form.variant_id.data, int(form.quantity.data or 0)
        )
    except REFUSALS as error:
        return _refused(error, _request_page, request_id, catalogue_form=form)
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
        return _invalid(_request_page, request_id, spec_form=form)
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
        return _refused(error, _request_page, request_id, spec_form=form)
    flash(_("Barang ditambahkan."), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/lines/<int:line_id>/quantity", methods=["POST"])
@allow(PP)
def set_line_quantity(request_id: int, line_id: int) -> Page:
    form = forms.QuantityForm()
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        message = "; ".join(form.quantity.errors) or _("Isi jumlahnya.")
        return _invalid(_request_page, request_id, error=message)
    try:
        requests.set_line_quantity(current_user, request_id, line_id, int(form.quantity.data or 0))
    except REFUSALS as error:
        return _refused(error, _request_page, request_id)
    flash(_("Jumlah diubah."), "success")
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
        return _refused(error, _request_page, request_id)
    flash(_("Permintaan %(number)s dikirim ke koperasi.", number=req.number), "success")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@allow(PP)
def cancel_request(request_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        requests.agency_request(current_user, request_id, ProcurementRole.PEJABAT_PENGADAAN)
        return _invalid(_request_page, request_id, cancel_form=form)
    try:
        requests.cancel_request(current_user, request_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _request_page, request_id, cancel_form=form)
    flash(_("Permintaan dibatalkan."), "info")
    return redirect(url_for("procurement.request_detail", request_id=request_id))


# ------------------------------------------------------------------------------------------
# Quotations (the pejabat pengadaan negotiates, the PPK approves)
# ------------------------------------------------------------------------------------------


def _last_prices(quotation: Any) -> dict[int, int | None]:
    latest = quotation.latest_round
    return {
        line.id: latest.price_of(line.id) if latest else None for line in quotation.request.lines
    }


def _quotation_page(
    quotation_id: int,
    *,
    error: str | None = None,
    counter_form: forms.PricesForm | None = None,
    return_form: forms.ReasonForm | None = None,
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
        totals=negotiation.totals_for(quotation),
        check=negotiation.approval_check(quotation) if quotation.rounds else None,
        counter_form=counter_form
        or forms.prices_form(req.lines, _last_prices(quotation), offer=False, formdata=None),
        return_form=return_form or forms.ReasonForm(formdata=None),
        approve_form=approve_form or forms.ApproveForm(formdata=None),
        forward_form=forms.NoteForm(formdata=None),
        is_pp=_holds(ProcurementRole.PEJABAT_PENGADAAN, req.agency_id),
        is_ppk=_holds(ProcurementRole.PPK, req.agency_id),
        round_totals=lambda r: negotiation.totals_for(quotation, r.subtotal),
        **_helpers(),
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
        return _invalid(_quotation_page, quotation_id, counter_form=form)
    try:
        negotiation.counter_offer(
            current_user, quotation_id, form.prices(), form.message.data or ""
        )
    except REFUSALS as error:
        return _refused(error, _quotation_page, quotation_id, counter_form=form)
    flash(_("Tawaran balik dikirim ke koperasi."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/agree", methods=["POST"])
@allow(PP)
def agree(quotation_id: int) -> Page:
    try:
        negotiation.agree_quotation(current_user, quotation_id)
    except REFUSALS as error:
        return _refused(error, _quotation_page, quotation_id)
    flash(_("Harga disepakati. Teruskan ke PPK untuk persetujuan."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/forward", methods=["POST"])
@allow(PP)
def forward(quotation_id: int) -> Page:
    form = forms.NoteForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PEJABAT_PENGADAAN)
        return _invalid(
            _quotation_page, quotation_id, error=_("Catatan paling banyak 2000 karakter.")
        )
    try:
        negotiation.forward_quotation(current_user, quotation_id, form.note.data or "")
    except REFUSALS as error:
        return _refused(error, _quotation_page, quotation_id)
    flash(_("Diteruskan ke PPK."), "success")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/return", methods=["POST"])
@allow(PPK)
def return_quotation(quotation_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PPK)
        return _invalid(_quotation_page, quotation_id, return_form=form)
    try:
        negotiation.return_quotation(current_user, quotation_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _quotation_page, quotation_id, return_form=form)
    flash(_("Penawaran dikembalikan ke pejabat pengadaan."), "info")
    return redirect(url_for("procurement.quotation", quotation_id=quotation_id))


@bp.route("/quotations/<int:quotation_id>/approve", methods=["POST"])
@allow(PPK)
def approve(quotation_id: int) -> Page:
    form = forms.ApproveForm()
    if not form.validate_on_submit():
        negotiation.agency_quotation(current_user, quotation_id, ProcurementRole.PPK)
        return _invalid(_quotation_page, quotation_id, approve_form=form)
    try:
        order = negotiation.approve_quotation(
            current_user, quotation_id, form.splitting_reason.data or ""
        )
    except REFUSALS as error:
        return _refused(error, _quotation_page, quotation_id, approve_form=form)
    flash(_("Disetujui. Surat Pesanan %(number)s diterbitkan.", number=order.number), "success")
    return redirect(url_for("procurement.order", order_id=order.id))


# ------------------------------------------------------------------------------------------
# Surat Pesanan, inspection and payment (the agency)
# ------------------------------------------------------------------------------------------


@bp.route("/orders")
@allow(AGENCY_MEMBER)
def order_list() -> Page:
    return render_template(
        "procurement/orders.html", rows=purchasing.agency_orders(current_user), **_helpers()
    )


def _order_page(order_id: int, *, error: str | None = None, reason_form: Any = None) -> str:
    order = purchasing.agency_order(current_user, order_id)
    deadlines.as_of_now(order)
    return render_template(
        "procurement/order.html",
        order=order,
        error=error,
        reason_form=reason_form or forms.ReasonForm(formdata=None),
        is_ppk=_holds(ProcurementRole.PPK, order.agency_id),
        is_receiver=_holds(ProcurementRole.PENERIMA, order.agency_id),
        is_treasurer=_holds(ProcurementRole.BENDAHARA, order.agency_id),
        acceptance_last_day=purchasing.last_day(order.acceptance_due_at)
        if order.acceptance_due_at
        else None,
        **_helpers(),
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
        return _invalid(_order_page, order_id, reason_form=form)
    try:
        purchasing.cancel_order(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _order_page, order_id, reason_form=form)
    flash(_("Surat Pesanan dibatalkan."), "info")
    return redirect(url_for("procurement.order", order_id=order_id))


@bp.route("/orders/<int:order_id>/end", methods=["POST"])
@allow(PPK)
def end_order(order_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        purchasing.agency_order(current_user, order_id, ProcurementRole.PPK)
        return _invalid(_order_page, order_id, reason_form=form)
    try:
        purchasing.end_order_short(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _order_page, order_id, reason_form=form)
    flash(_("Surat Pesanan diakhiri dengan barang yang sudah diterima."), "info")
    return redirect(url_for("procurement.order", order_id=order_id))


def _inspect_page(delivery_id: int, *, error: str | None = None, form: Any = None) -> str:
    delivery = fulfilment.agency_delivery(current_user, delivery_id)
    return render_template(
        "procurement/inspect.html",
        delivery=delivery,
        order=delivery.purchase_order,
        form=form or forms.inspection_form(delivery.lines, formdata=None),
        error=error,
        is_receiver=_holds(ProcurementRole.PENERIMA, delivery.purchase_order.agency_id),
        **_helpers(),
    )


@bp.route("/deliveries/<int:delivery_id>/inspect", methods=["GET", "POST"])
@allow(PENERIMA)
def inspect(delivery_id: int) -> Page:
    delivery = fulfilment.agency_delivery(current_user, delivery_id, ProcurementRole.PENERIMA)
    if request.method == "GET":
        return _inspect_page(delivery_id)
    form = forms.inspection_form(delivery.lines)
    if not form.validate_on_submit():
        return _invalid(_inspect_page, delivery_id, form=form)
    try:
        bast = fulfilment.inspect_delivery(
            current_user, delivery_id, form.accepted(), form.notes(), form.note.data or ""
        )
    except REFUSALS as error:
        return _refused(error, _inspect_page, delivery_id, form=form)
    flash(_("BAST %(number)s diterbitkan.", number=bast.number), "success")
    return redirect(url_for("procurement.order", order_id=bast.purchase_order_id))


def _invoice_page(invoice_id: int, *, error: str | None = None, form: Any = None) -> str:
    invoice = fulfilment.agency_invoice(current_user, invoice_id)
    if form is None:
        form = forms.PaymentForm(formdata=None)
        form.paid_on.data = today()
    return render_template(
        "procurement/invoice.html",
        invoice=invoice,
        order=invoice.purchase_order,
        form=form,
        error=error,
        is_treasurer=_holds(ProcurementRole.BENDAHARA, invoice.agency_id),
        card_charged=fulfilment.card_charged_to_payee(invoice.purchase_order),
        **_helpers(),
    )


@bp.route("/invoices/<int:invoice_id>")
@allow(AGENCY_MEMBER)
def invoice(invoice_id: int) -> Page:
    return _invoice_page(invoice_id)


@bp.route("/invoices/<int:invoice_id>/pay", methods=["POST"])
@allow(BENDAHARA)
def pay_invoice(invoice_id: int) -> Page:
    fulfilment.agency_invoice(current_user, invoice_id, ProcurementRole.BENDAHARA)
    form = forms.PaymentForm()
    if not form.validate_on_submit():
        return _invalid(_invoice_page, invoice_id, form=form)
    details = fulfilment.PaymentDetails(
        method=form.method.data or "",
        reference=form.reference.data or "",
        paid_on=form.paid_on.data,
        bukti_potong_number=form.bukti_potong_number.data or "",
    )
    try:
        fulfilment.record_payment(current_user, invoice_id, details)
    except REFUSALS as error:
        return _refused(error, _invoice_page, invoice_id, form=form)
    flash(_("Pembayaran dicatat."), "success")
    return redirect(url_for("procurement.invoice", invoice_id=invoice_id))


# ------------------------------------------------------------------------------------------
# The cooperative's screens
# ------------------------------------------------------------------------------------------


@bp.route("/cooperative/quotations")
@allow(COOPERATIVE_MEMBER)
def coop_quotations() -> Page:
    return render_template(
        "procurement/coop_quotations.html",
        rows=negotiation.cooperative_quotations(current_user),
        **_helpers(),
    )


def _offer_defaults(quotation: Any) -> dict[int, int | None]:
    """The latest round's prices; before any round, the catalogue's current tier price for the
    cooperative's own products (a starting point)."""
    if quotation.latest_round is not None:
        return _last_prices(quotation)
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
        totals=negotiation.totals_for(quotation),
        round_totals=lambda r: negotiation.totals_for(quotation, r.subtotal),
        **_helpers(),
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
        return _invalid(_coop_quotation_page, quotation_id, offer_form=form)
    try:
        negotiation.submit_offer(
            current_user,
            quotation_id,
            form.prices(),
            form.delivery_date.data,
            form.message.data or "",
        )
    except REFUSALS as error:
        return _refused(error, _coop_quotation_page, quotation_id, offer_form=form)
    flash(_("Penawaran dikirim."), "success")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/quotations/<int:quotation_id>/accept", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_accept_counter(quotation_id: int) -> Page:
    try:
        negotiation.accept_counter(current_user, quotation_id)
    except REFUSALS as error:
        return _refused(error, _coop_quotation_page, quotation_id)
    flash(_("Tawaran balik diterima. Harga disepakati."), "success")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/quotations/<int:quotation_id>/decline", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_decline(quotation_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        negotiation.cooperative_quotation(current_user, quotation_id)
        return _invalid(_coop_quotation_page, quotation_id, decline_form=form)
    try:
        negotiation.decline_quotation(current_user, quotation_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _coop_quotation_page, quotation_id, decline_form=form)
    flash(_("Permintaan ditolak."), "info")
    return redirect(url_for("procurement.coop_quotation", quotation_id=quotation_id))


@bp.route("/cooperative/orders")
@allow(COOPERATIVE_MEMBER)
def coop_orders() -> Page:
    return render_template(
        "procurement/coop_orders.html",
        rows=purchasing.cooperative_orders(current_user),
        **_helpers(),
    )


def _coop_order_page(
    order_id: int,
    *,
    error: str | None = None,
    delivery_form: forms.DeliveryForm | None = None,
    decline_form: forms.ReasonForm | None = None,
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
        acceptance_last_day=purchasing.last_day(order.acceptance_due_at)
        if order.acceptance_due_at
        else None,
        **_helpers(),
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
        return _refused(error, _coop_order_page, order_id)
    flash(_("Surat Pesanan diterima. Stok produk katalog Anda sudah dipesan untuk OPD."), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/orders/<int:order_id>/decline", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_decline_order(order_id: int) -> Page:
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        purchasing.cooperative_order(current_user, order_id)
        return _invalid(_coop_order_page, order_id, decline_form=form)
    try:
        purchasing.decline_order(current_user, order_id, form.reason.data or "")
    except REFUSALS as error:
        return _refused(error, _coop_order_page, order_id, decline_form=form)
    flash(_("Surat Pesanan ditolak."), "info")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/orders/<int:order_id>/deliveries", methods=["POST"])
@allow(COOPERATIVE_MEMBER)
def coop_record_delivery(order_id: int) -> Page:
    order = purchasing.cooperative_order(current_user, order_id)
    rooms = [(line, fulfilment.deliverable_quantity(order, line)) for line in order.lines]
    form = forms.delivery_form([r for r in rooms if r[1] > 0])
    if not form.validate_on_submit():
        return _invalid(_coop_order_page, order_id, delivery_form=form)
    details = fulfilment.DeliveryDetails(
        delivered_on=form.delivered_on.data,
        driver=form.driver.data or "",
        vehicle=form.vehicle.data or "",
        note=form.note.data or "",
    )
    try:
        delivery = fulfilment.record_delivery(current_user, order_id, form.quantities(), details)
    except REFUSALS as error:
        return _refused(error, _coop_order_page, order_id, delivery_form=form)
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
        return _refused(error, _coop_order_page, order_id)
    flash(_("Invoice %(number)s diterbitkan.", number=invoice.number), "success")
    return redirect(url_for("procurement.coop_order", order_id=order_id))


@bp.route("/cooperative/payments")
@allow(COOPERATIVE_MEMBER)
def coop_payments() -> Page:
    return render_template(
        "procurement/coop_payments.html",
        rows=fulfilment.cooperative_payments(current_user),
        **_helpers(),
    )


# ------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------


@bp.route("/documents/<kind>/<int:object_id>")
@allow(PROCUREMENT_PARTICIPANT)
def document(kind: str, object_id: int) -> Page:
    return documents.render_html(documents.load_document(current_user, kind, object_id))


@bp.route("/documents/<kind>/<int:object_id>.pdf")
@allow(PROCUREMENT_PARTICIPANT)
def document_pdf(kind: str, object_id: int) -> Page:
    found = documents.load_document(current_user, kind, object_id)
    pdf = (
        documents.stored_pdf(found)
        if found.kind in documents.STORED_KINDS
        else documents.render_pdf(found)
    )
    return private_download(pdf, "application/pdf", found.filename)


# ------------------------------------------------------------------------------------------
# Reports and budgets
# ------------------------------------------------------------------------------------------


def _report_year() -> int:
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today().year


@bp.route("/reports")
@allow(REPORT_READER)
def report() -> Page:
    year = _report_year()
    return render_template(
        "procurement/reports.html", report=reports.spend_report(current_user, year), year=year
    )


@bp.route("/reports/<table>.csv")
@allow(REPORT_READER)
def report_csv(table: str) -> Page:
    if table not in reports.TABLES:
        abort(404)
    year = _report_year()
    body = reports.to_csv(reports.spend_report(current_user, year), table)
    return exports.download(body, f"belanja-{table}-{year}.csv")


@bp.route("/reports.xlsx")
@allow(REPORT_READER)
def report_xlsx() -> Page:
    year = _report_year()
    body = reports.to_xlsx(reports.spend_report(current_user, year))
    return exports.download(body, f"belanja-opop-{year}.xlsx")


def _budgets_page(year: int, form: forms.BudgetForm, error: str | None = None) -> str:
    return render_template(
        "procurement/budgets.html",
        year=year,
        rows=reports.budgets_for(year),
        form=form,
        error=error,
    )


@bp.route("/budgets", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def budgets() -> Page:
    form = forms.BudgetForm()
    form.set_choices(reports.visible_agencies(current_user))
    year = _report_year()
    if request.method == "GET":
        form.year.data = year
        return _budgets_page(year, form)
    if not form.validate_on_submit():
        return _invalid(_budgets_page, year, form)
    try:
        reports.save_budget(
            current_user,
            int(form.agency_id.data or 0),
            int(form.year.data or 0),
            int(form.goods_budget.data or 0),
        )
    except REFUSALS as error:
        return _refused(error, _budgets_page, year, form)
    flash(_("Anggaran disimpan."), "success")
    return redirect(url_for("procurement.budgets", year=form.year.data))
