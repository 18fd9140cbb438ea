from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.address_regions import fill_region_lists
from marketplace.accounts.services import list_addresses
from marketplace.extensions import limiter
from marketplace.http import FORM_ERROR, Page, keeps_input_when_expired, user_or_address
from marketplace.inventory.exceptions import InsufficientStock
from marketplace.orders import bp, delivery, forms
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders import notices as order_notices
from marketplace.orders import queries as order_queries
from marketplace.orders.exceptions import CheckoutProblem, ReceiptNotDue
from marketplace.orders.lifecycle import can_move
from marketplace.orders.models import ActorKind, VendorOrderStatus
from marketplace.orders.payment_options import is_online
from marketplace.policy import SIGNED_IN, allow

CHECKOUT_KEY = "checkout"


def verified_required(view: Callable[..., Page]) -> Callable[..., Page]:
    """Ordering needs a verified email; an unverified shopper is told how to verify."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Page:
        if not current_user.is_verified:
            return render_template("orders/verify_first.html"), 403
        return view(*args, **kwargs)

    return wrapper


def _saved_choices() -> order_checkout.CheckoutChoices | None:
    return order_checkout.CheckoutChoices.from_session(session.get(CHECKOUT_KEY))


@bp.route("/checkout", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
@verified_required
def checkout() -> Page:
    setup = order_checkout.checkout_setup(current_user)
    if setup.problem:
        flash(setup.problem, "error")
        return redirect(url_for("cart.show"))
    cooperatives = [(g.cooperative.id, g.cooperative.name) for g in setup.cart.groups]
    form = forms.checkout_form(cooperatives, list_addresses(current_user), setup.payment_methods)
    saved = _saved_choices()
    if request.method == "GET":
        form.prefill_address(current_user, saved)
    # The "update" button (pressed for the shopper by checkout.js when the address changes):
    # list the regions and the courier services for the address now chosen, place nothing.
    refreshing = request.method == "POST" and "refresh" in request.form
    fill_region_lists(form, refreshing=refreshing)
    form.offer_delivery(delivery.delivery_for(setup.cart, form.destination()))
    if request.method == "GET" or refreshing:
        form.prefill_delivery(saved if request.method == "GET" else None)
    error = None
    if not refreshing and form.validate_on_submit():
        choices = form.choices()
        try:
            order_checkout.quote_for(current_user, choices)
        except CheckoutProblem as problem:
            error = problem.message
        else:
            session[CHECKOUT_KEY] = choices.to_session()
            return redirect(url_for("orders.review"))
    failed = bool(form.errors or error)
    return render_template("orders/checkout.html", form=form, setup=setup, error=error), (
        FORM_ERROR if failed else 200
    )


def _review_page(choices: order_checkout.CheckoutChoices, error: str | None = None) -> Page:
    try:
        quote = order_checkout.quote_for(current_user, choices)
    except CheckoutProblem as problem:
        quote, error = None, error or problem.message
    form = forms.PlaceOrderForm(
        idempotency_key=order_checkout.new_idempotency_key(),
        expected_total=quote.grand_total if quote else None,
    )
    page = render_template("orders/review.html", quote=quote, form=form, error=error)
    return (page, FORM_ERROR) if error else page


@bp.route("/checkout/review")
@allow(SIGNED_IN)
@verified_required
def review() -> Page:
    choices = _saved_choices()
    if choices is None:
        return redirect(url_for("orders.checkout"))
    return _review_page(choices)


def _checkout_limit() -> str:
    return str(current_app.config["RATELIMIT_CHECKOUT"])


@bp.route("/checkout/place", methods=["POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
@limiter.limit(_checkout_limit, key_func=user_or_address)
@verified_required
def place() -> Page:
    form = forms.PlaceOrderForm()
    choices = _saved_choices()
    error = _("Formulir pesanan kedaluwarsa. Periksa ringkasan lalu coba lagi.")
    if form.validate_on_submit():
        try:
            order = order_checkout.place_order(
                current_user, choices, form.idempotency_key.data or "", form.expected()
            )
        except (CheckoutProblem, InsufficientStock) as problem:
            error = problem.message
        else:
            session.pop(CHECKOUT_KEY, None)
            flash(
                _("Terima kasih! Pesanan %(number)s sudah dibuat.", number=order.number),
                "success",
            )
            if is_online(order.payment):
                # A QR code was made with the order (`orders.signals.order_placed`); a bank or
                # an e-wallet is picked on the payment page.
                return redirect(url_for("payments.online", number=order.number))
            return redirect(url_for("orders.detail", number=order.number))
    if choices is None:
        flash(error, "error")
        return redirect(url_for("orders.checkout"))
    return _review_page(choices, error)


@bp.route("/orders")
@allow(SIGNED_IN)
def index() -> Page:
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    orders, has_next = order_queries.list_orders(current_user, page_number)
    return render_template("orders/list.html", orders=orders, page=page_number, has_next=has_next)


def _detail_page(
    number: str, cancel_form: forms.CancelForm, failed_part: int | None = None
) -> Page:
    order = order_queries.open_order(current_user, number)
    page = render_template(
        "orders/detail.html",
        order=order,
        cancel_form=cancel_form,
        failed_part=failed_part,
        display_note=order_notices.display_note,
        can_cancel=lambda part: can_move(part, VendorOrderStatus.CANCELLED, ActorKind.SHOPPER),
        can_confirm=lambda part: can_move(part, VendorOrderStatus.COMPLETED, ActorKind.SHOPPER),
        auto_complete_at=order_moves.auto_complete_at,
    )
    return (page, FORM_ERROR) if failed_part is not None else page


@bp.route("/orders/<number>")
@allow(SIGNED_IN)
def detail(number: str) -> Page:
    return _detail_page(number, forms.CancelForm())


@bp.route("/orders/<number>/receipt")
@allow(SIGNED_IN)
def receipt(number: str) -> Page:
    return render_template(
        "orders/receipt.html", order=order_queries.open_order(current_user, number)
    )


@bp.route("/orders/<number>/parts/<int:part_id>/cancel", methods=["POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def cancel_part(number: str, part_id: int) -> Page:
    form = forms.CancelForm()
    if not form.validate_on_submit():
        order_moves.shopper_vendor_order(current_user, number, part_id)  # someone else's: 404
        return _detail_page(number, form, failed_part=part_id)
    order_moves.cancel_by_shopper(current_user, number, part_id, form.reason.data or "")
    flash(_("Pesanan sudah dibatalkan."), "info")
    return redirect(url_for("orders.detail", number=number))


@bp.route("/orders/<number>/parts/<int:part_id>/received", methods=["POST"])
@allow(SIGNED_IN)
def confirm_receipt(number: str, part_id: int) -> Page:
    """The shopper confirms a delivered part arrived ("Pesanan diterima"), which completes it."""
    try:
        moved = order_moves.confirm_receipt(current_user, number, part_id)
    except ReceiptNotDue as refused:
        flash(refused.message, "error")
    else:
        if moved:
            flash(_("Terima kasih! Penerimaan dikonfirmasi dan pesanan ini selesai."), "success")
        else:
            flash(_("Pesanan ini sudah selesai."), "info")
    return redirect(url_for("orders.detail", number=number))
