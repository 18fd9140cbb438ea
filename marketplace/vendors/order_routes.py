"""The cooperative workspace's orders to fulfil and its sales reports."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace import exports
from marketplace.cooperatives.access import (
    ACTIVE_COOPERATIVE_MEMBER,
)
from marketplace.http import FORM_ERROR, Page, private_download
from marketplace.messages import services as message_services
from marketplace.messages.models import Side
from marketplace.orders import moves as order_moves
from marketplace.orders import notices as order_notices
from marketplace.orders import queries as order_queries
from marketplace.orders import shipping_label as shipping_labels
from marketplace.orders.exceptions import (
    InvalidTransition,
    MissingDetail,
    UnusualTrackingNumber,
)
from marketplace.orders.lifecycle import (
    FulfilmentGroup,
    can_move,
    vendor_order_group,
)
from marketplace.orders.models import ActorKind, VendorOrder, VendorOrderStatus
from marketplace.policy import allow
from marketplace.vendors import bp, reports
from marketplace.vendors.common import (
    attach,
    current_cooperative_id,
    current_membership,
)
from marketplace.vendors.forms import (
    RejectOrderForm,
    ShipOrderForm,
)

# ---------------------------------------------------------------------------------------------
# Orders to fulfil. Screens only: every move is a call to orders.moves, which checks the
# lifecycle's table, records the event and the audit entry and emails the shopper.
# ---------------------------------------------------------------------------------------------


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1


@bp.route("/orders")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def order_list() -> Page:
    group_name = request.args.get("group", "")
    known = {group.value for group in FulfilmentGroup}
    group = FulfilmentGroup(group_name) if group_name in known else FulfilmentGroup.TO_ACCEPT
    page = _page_number()
    vendor_orders, has_next = order_queries.list_vendor_orders(
        current_cooperative_id(), group, page
    )
    return render_template(
        "vendors/orders.html",
        group=group,
        vendor_orders=vendor_orders,
        counts=order_queries.fulfilment_counts(current_cooperative_id()),
        page=page,
        has_next=has_next,
    )


def _order_page(
    vendor_order_id: int,
    reject_form: RejectOrderForm | None = None,
    ship_form: ShipOrderForm | None = None,
    error: str | None = None,
    status: int = 200,
    confirm_resi: bool = False,
) -> Page:
    vendor_order = order_queries.open_vendor_order(current_cooperative_id(), vendor_order_id)
    return render_template(
        "vendors/order.html",
        vendor_order=vendor_order,
        order=vendor_order.order,
        group=vendor_order_group(vendor_order),
        can=lambda target: can_move(vendor_order, VendorOrderStatus(target), ActorKind.COOPERATIVE),
        reject_form=reject_form or RejectOrderForm(formdata=None),
        ship_form=ship_form or ShipOrderForm(formdata=None),
        error=error,
        confirm_resi=confirm_resi,
        display_note=order_notices.display_note,
        unread_messages=message_services.unread_counts([vendor_order.id], Side.COOPERATIVE)[
            vendor_order.id
        ],
    ), status


@bp.route("/orders/<int:vendor_order_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def order(vendor_order_id: int) -> Page:
    return _order_page(vendor_order_id)


@bp.route("/orders/<int:vendor_order_id>/packing-slip")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def packing_slip(vendor_order_id: int) -> Page:
    vendor_order = order_queries.open_vendor_order(current_cooperative_id(), vendor_order_id)
    return render_template(
        "vendors/packing_slip.html", vendor_order=vendor_order, order=vendor_order.order
    )


@bp.route("/orders/<int:vendor_order_id>/label.pdf")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def shipping_label(vendor_order_id: int) -> Response:
    """The part's A6 shipping label as a PDF (a part collected at the cooperative has none)."""
    vendor_order = order_queries.open_vendor_order(current_cooperative_id(), vendor_order_id)
    if not shipping_labels.is_labelled(vendor_order):
        abort(404)
    return private_download(
        shipping_labels.label_pdf(vendor_order),
        "application/pdf",
        shipping_labels.label_filename(vendor_order),
        inline=True,
    )


def _order_move(
    vendor_order_id: int, move: Callable[[], VendorOrder], message: Callable[[str], str]
) -> Page:
    """Make one move; a move the lifecycle refuses (already moved, wrong state) shows the order
    again with the reason, status 409, and nothing changed."""
    try:
        vendor_order = move()
    except InvalidTransition as error:
        return _order_page(vendor_order_id, error=error.message, status=error.status_code)
    flash(message(vendor_order.order.number or ""), "success")
    return redirect(url_for("vendors.order", vendor_order_id=vendor_order_id))


@bp.route("/orders/<int:vendor_order_id>/accept", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def accept_order(vendor_order_id: int) -> Page:
    return _order_move(
        vendor_order_id,
        lambda: order_moves.accept_vendor_order(current_user, vendor_order_id),
        lambda number: _(
            "Pesanan %(number)s diterima. Kemas barangnya, lalu kirim atau siapkan untuk diambil.",
            number=number,
        ),
    )


@bp.route("/orders/<int:vendor_order_id>/reject", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def reject_order(vendor_order_id: int) -> Page:
    form = RejectOrderForm()
    if not form.validate_on_submit():
        return _order_page(vendor_order_id, reject_form=form, status=FORM_ERROR)
    return _order_move(
        vendor_order_id,
        lambda: order_moves.reject_vendor_order(
            current_user, vendor_order_id, form.reason.data or ""
        ),
        lambda number: _(
            "Pesanan %(number)s ditolak. Stoknya kembali tersedia dan pembeli sudah diberi tahu.",
            number=number,
        ),
    )


@bp.route("/orders/<int:vendor_order_id>/ship", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def ship_order(vendor_order_id: int) -> Page:
    form = ShipOrderForm()
    if form.validate_on_submit():
        try:
            return _order_move(
                vendor_order_id,
                lambda: order_moves.mark_shipped(
                    current_user,
                    vendor_order_id,
                    form.chosen_courier_name(),
                    form.tracking_number.data or "",
                    resi_confirmed=bool(form.resi_confirmed.data),
                ),
                lambda number: _(
                    "Pesanan %(number)s sudah dikirim; pembeli sudah diberi tahu.", number=number
                ),
            )
        except UnusualTrackingNumber as error:
            attach(form, error, "tracking_number")
            return _order_page(
                vendor_order_id, ship_form=form, status=FORM_ERROR, confirm_resi=True
            )
        except MissingDetail as error:
            attach(form, error, "tracking_number" if form.chosen_courier_name() else "courier_name")
    return _order_page(vendor_order_id, ship_form=form, status=FORM_ERROR)


@bp.route("/orders/<int:vendor_order_id>/ready", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def ready_order(vendor_order_id: int) -> Page:
    return _order_move(
        vendor_order_id,
        lambda: order_moves.mark_ready_for_pickup(current_user, vendor_order_id),
        lambda number: _(
            "Pesanan %(number)s siap diambil; pembeli sudah diberi tahu.", number=number
        ),
    )


@bp.route("/orders/<int:vendor_order_id>/deliver", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def deliver_order(vendor_order_id: int) -> Page:
    return _order_move(
        vendor_order_id,
        lambda: order_moves.mark_delivered(current_user, vendor_order_id),
        lambda number: _("Pesanan %(number)s sudah diserahkan kepada pembeli.", number=number),
    )


# ---------------------------------------------------------------------------------------------
# Sales reports (the figures and what counts as a sale: vendors/reports.py)
# ---------------------------------------------------------------------------------------------


def _period() -> reports.Period:
    value = request.args.get("period", "")
    known = {period.value for period in reports.Period}
    return reports.Period(value) if value in known else reports.Period.DAY


@bp.route("/reports")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def sales_report() -> Page:
    report = reports.sales_report(current_cooperative_id(), _period())
    return render_template(
        "vendors/reports.html",
        report=report,
        chart=reports.sales_chart(report),
        periods=list(reports.Period),
        row_label=reports.row_label,
    )


@bp.route("/reports/sales.csv")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def sales_export() -> Response:
    period = _period()
    content = reports.sales_csv(current_cooperative_id(), period)
    slug = current_membership().cooperative.slug
    filename = f"penjualan-{slug}-{period}-{reports.local_today():%Y%m%d}.csv"
    return exports.download(content, filename)
