"""The city's payment desk under /admin/payments/: transfer proofs waiting, flagged payments,
refunds to return by transfer, payouts to cooperatives, an order's payments (and cancelling a
part of it). The admin workspace links here."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.http import FORM_ERROR, Page
from marketplace.orders import moves as order_moves
from marketplace.orders.lifecycle import can_move
from marketplace.orders.models import ActorKind, VendorOrderStatus
from marketplace.payments import bp, forms, payouts, refunds, services, settlement, transfers
from marketplace.payments import desk as desk_services
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.models import Payment, Refund
from marketplace.payments.views import proof_response, statement_download
from marketplace.policy import CITY_ADMIN, allow


@bp.route("/admin/payments/")
@allow(CITY_ADMIN)
def desk() -> Page:
    return render_template("payments/desk.html", desk=desk_services.desk())


def _review_page(payment_id: int, reject_form: forms.ReasonForm, status: int = 200) -> Page:
    page = render_template(
        "payments/transfer.html",
        payment=transfers.admin_transfer(payment_id),
        confirm_form=forms.ActionForm(),
        reject_form=reject_form,
        area="admin",
    )
    return (page, status) if status != 200 else page


@bp.route("/admin/payments/transfers/<int:payment_id>")
@allow(CITY_ADMIN)
def admin_transfer(payment_id: int) -> Page:
    return _review_page(payment_id, forms.ReasonForm())


@bp.route("/admin/payments/transfers/<int:payment_id>/confirm", methods=["POST"])
@allow(CITY_ADMIN)
def admin_confirm(payment_id: int) -> Page:
    payment = transfers.admin_transfer(payment_id)
    if not forms.ActionForm().validate_on_submit():
        return _review_page(payment_id, forms.ReasonForm(), FORM_ERROR)
    transfers.confirm_transfer(payment, current_user)
    flash(_("Pembayaran dikonfirmasi. Pesanan siap diproses."), "success")
    return redirect(url_for("payments.desk"))


@bp.route("/admin/payments/transfers/<int:payment_id>/reject", methods=["POST"])
@allow(CITY_ADMIN)
def admin_reject(payment_id: int) -> Page:
    payment = transfers.admin_transfer(payment_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _review_page(payment_id, form, FORM_ERROR)
    transfers.reject_transfer(payment, current_user, form.reason.data or "")
    flash(_("Bukti transfer ditolak. Pembeli sudah diberi tahu alasannya."), "info")
    return redirect(url_for("payments.desk"))


@bp.route("/admin/payments/transfers/<int:payment_id>/proof")
@allow(CITY_ADMIN)
def admin_proof(payment_id: int) -> Response:
    return proof_response(transfers.admin_transfer(payment_id))


@bp.route("/admin/payments/flags/<int:payment_id>", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def flag(payment_id: int) -> Page:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.flag is None:
        raise NotFound()
    form = forms.ResolveForm()
    if form.validate_on_submit():
        desk_services.resolve_flag(current_user, payment_id, form.note.data or "")
        flash(_("Catatan disimpan; pembayaran tidak lagi ditandai."), "success")
        return redirect(url_for("payments.desk"))
    page = render_template("payments/flag.html", payment=payment, form=form)
    return (page, FORM_ERROR) if form.errors else page


@bp.route("/admin/payments/refunds/<int:refund_id>", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def refund(refund_id: int) -> Page:
    record = db.session.get(Refund, refund_id)
    if record is None:
        raise NotFound()
    form = forms.ReturnedForm()
    if form.validate_on_submit():
        refunds.mark_returned(current_user, refund_id, form.bank_reference.data or "")
        flash(_("Pengembalian dana dicatat."), "success")
        return redirect(url_for("payments.desk"))
    page = render_template(
        "payments/refund.html", refund=record, form=form, retry_form=forms.ActionForm()
    )
    return (page, FORM_ERROR) if form.errors else page


@bp.route("/admin/payments/refunds/<int:refund_id>/retry", methods=["POST"])
@allow(CITY_ADMIN)
def retry_refund(refund_id: int) -> Page:
    if not forms.ActionForm().validate_on_submit():
        return redirect(url_for("payments.refund", refund_id=refund_id))
    refunds.retry_refund(current_user, refund_id)
    flash(_("Pengembalian dana dikirim ulang ke Stripe."), "info")
    return redirect(url_for("payments.refund", refund_id=refund_id))


def _cooperative_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Cooperative.id, Cooperative.name).order_by(Cooperative.name))
    return [(cooperative_id, name) for cooperative_id, name in rows]


@bp.route("/admin/payments/payouts/new", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def new_payout() -> Page:
    form = forms.PayoutForm()
    form.set_cooperatives(_cooperative_choices())
    if request.method == "GET":
        form.cooperative_id.data = request.args.get("cooperative", 0, type=int)
    error = None
    if form.validate_on_submit():
        assert form.amount.data is not None and form.paid_on.data is not None
        try:
            settlement.record_payout(
                current_user,
                form.cooperative_id.data,
                form.amount.data,
                form.paid_on.data,
                form.bank_reference.data or "",
                form.note.data or "",
            )
        except PayoutProblem as problem:
            error = problem.message
        else:
            flash(_("Pembayaran ke koperasi dicatat."), "success")
            return redirect(
                url_for("payments.admin_statement", cooperative_id=form.cooperative_id.data)
            )
    page = render_template("payments/payout.html", form=form, error=error)
    return (page, FORM_ERROR) if (form.errors or error) else page


@bp.route("/admin/payments/cooperatives/<int:cooperative_id>/statement")
@allow(CITY_ADMIN)
def admin_statement(cooperative_id: int) -> Page:
    data = settlement.statement(cooperative_id)
    return render_template(
        "payments/statement.html",
        statement=data,
        area="admin",
        gateway_payouts=payouts.by_reference([line.entry.bank_reference for line in data.lines]),
    )


@bp.route("/admin/payments/cooperatives/<int:cooperative_id>/statement.csv")
@allow(CITY_ADMIN)
def admin_statement_csv(cooperative_id: int) -> Response:
    settlement.statement(cooperative_id)  # 404 for an unknown cooperative
    return statement_download(cooperative_id)


@bp.route("/admin/payments/orders")
@allow(CITY_ADMIN)
def find_order() -> Page:
    number = request.args.get("number", "").strip()
    if not number:
        return redirect(url_for("payments.desk"))
    return redirect(url_for("payments.admin_order", number=number))


def _order_page(number: str, cancel_form: forms.ReasonForm, failed_part: int | None = None) -> Page:
    order = desk_services.admin_order(current_user, number)
    page = render_template(
        "payments/admin_order.html",
        view=services.order_payments(order),
        cancel_form=cancel_form,
        failed_part=failed_part,
        can_cancel=lambda part: can_move(part, VendorOrderStatus.CANCELLED, ActorKind.CITY_ADMIN),
    )
    return (page, FORM_ERROR) if failed_part is not None else page


@bp.route("/admin/payments/orders/<number>")
@allow(CITY_ADMIN)
def admin_order(number: str) -> Page:
    return _order_page(number, forms.ReasonForm())


@bp.route("/admin/payments/orders/<number>/parts/<int:part_id>/cancel", methods=["POST"])
@allow(CITY_ADMIN)
def admin_cancel_part(number: str, part_id: int) -> Page:
    order = desk_services.admin_order(current_user, number)
    if part_id not in {part.id for part in order.vendor_orders}:
        raise NotFound()
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _order_page(number, form, failed_part=part_id)
    order_moves.cancel_by_admin(current_user, part_id, form.reason.data or "")
    flash(_("Bagian pesanan dibatalkan; bila sudah dibayar, dananya dikembalikan."), "info")
    return redirect(url_for("payments.admin_order", number=order.number))
