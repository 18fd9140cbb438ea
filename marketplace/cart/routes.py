from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import clock
from marketplace.cart import bp, guest, services
from marketplace.cart.exceptions import BelowMinimumOrder, QuantityTooLarge
from marketplace.cart.forms import AddToCartForm, QuantityForm
from marketplace.cart.models import Cart
from marketplace.catalogue.services import get_public_product
from marketplace.http import FORM_ERROR, Page, redirect_next
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity
from marketplace.policy import PUBLIC, allow

#: Refusals that concern the quantity asked for: shown next to the quantity field.
QUANTITY_ERRORS = (InsufficientStock, InvalidQuantity, BelowMinimumOrder, QuantityTooLarge)


def _current_cart() -> Cart | None:
    return services.find_cart(current_user, guest.guest_token())


def _cart_to_fill() -> Cart:
    """This visitor's cart, created when missing (a guest's new cart is remembered in a cookie)."""
    if current_user.is_authenticated:
        return services.user_cart(current_user)
    cart = _current_cart()
    if cart is None:
        cart = services.new_guest_cart()
        assert cart.token is not None
        guest.remember(cart.token)
    return cart


def _cart_page(errors: dict[int, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "cart/cart.html",
        view=services.view_cart(_current_cart()),
        errors=errors or {},
        max_quantity=services.max_line_quantity(),
    ), status


@bp.route("")
@allow(PUBLIC)
def show() -> Page:
    return _cart_page()


@bp.route("/add", methods=["POST"])
@allow(PUBLIC)
def add() -> Page:
    form = AddToCartForm()
    if form.validate_on_submit():
        try:
            line = services.add_item(_cart_to_fill(), *form.chosen())
        except QUANTITY_ERRORS as error:
            form.quantity.errors = [*form.quantity.errors, error.message]
        else:
            flash(
                _("%(name)s masuk ke keranjang.", name=line.variant.product.name),
                "success",
            )
            return redirect_next("cart.show")
    # Something is wrong: show the product again with the reason next to the field.
    product = get_public_product(form.product.data or "")
    return render_template(
        "catalogue/product.html", product=product, today=clock.today(), cart_form=form
    ), FORM_ERROR


@bp.route("/lines/<int:line_id>", methods=["POST"])
@allow(PUBLIC)
def update_line(line_id: int) -> Page:
    form = QuantityForm()
    if form.validate_on_submit():
        try:
            services.set_quantity(_current_cart(), line_id, form.chosen())
        except QUANTITY_ERRORS as error:
            form.quantity.errors = [*form.quantity.errors, error.message]
        else:
            flash(_("Jumlah sudah diperbarui."), "success")
            return redirect(url_for("cart.show"))
    else:
        services.own_line(_current_cart(), line_id)  # another cart's line: 404, not a form error
    return _cart_page({line_id: list(form.quantity.errors)}, FORM_ERROR)


@bp.route("/lines/<int:line_id>/remove", methods=["POST"])
@allow(PUBLIC)
def remove_line(line_id: int) -> Page:
    services.remove_line(_current_cart(), line_id)
    flash(_("Produk sudah dihapus dari keranjang."), "info")
    return redirect(url_for("cart.show"))
