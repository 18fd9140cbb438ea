"""The cooperative workspace's listings: products, their images and variants, and stock."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import clock
from marketplace.catalogue import management
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives.access import (
    ACTIVE_COOPERATIVE_MEMBER,
)
from marketplace.errors import DomainError
from marketplace.http import FORM_ERROR, Page, form_status
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity, NoteRequired
from marketplace.policy import allow
from marketplace.vendors import bp
from marketplace.vendors.common import (
    attach,
    current_cooperative_id,
    locale,
)
from marketplace.vendors.forms import (
    ImageForm,
    NewProductForm,
    NewVariantForm,
    ProductForm,
    StockForm,
    VariantForm,
)

# ---------------------------------------------------------------------------------------------
# Listings
# ---------------------------------------------------------------------------------------------


@bp.route("/products")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def products() -> Page:
    status = request.args.get("status", "")
    status = status if status in {s.value for s in ProductStatus} else ""
    text = request.args.get("q", "")[:100]
    return render_template(
        "vendors/products.html",
        products=management.list_products(current_cooperative_id(), status or None, text),
        counts=management.status_counts(current_cooperative_id()),
        status=status,
        text=text,
    )


@bp.route("/products/new", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def new_product() -> Page:
    form = NewProductForm(locale=locale())
    if form.validate_on_submit():
        try:
            product, variant = management.create_product(
                current_cooperative_id(), current_user.id, form.product_data(), form.variant_data()
            )
        except management.ListingError as error:
            attach(form, error, "name")
        else:
            if form.initial_stock.data:
                stock.restock(
                    variant.id,
                    form.initial_stock.data,
                    reason=stock.MovementReason.INITIAL,
                    note=_("Stok awal"),
                    actor_id=current_user.id,
                )
            flash(_("Produk disimpan sebagai draf. Tambahkan foto, lalu terbitkan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=product.id))
    return render_template("vendors/product_new.html", form=form), form_status(form)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def edit_product(product_id: int) -> Page:
    product = management.owned_product(current_cooperative_id(), product_id)
    form = ProductForm(obj=product, locale=locale())
    if form.validate_on_submit():
        try:
            management.update_product(
                current_cooperative_id(), product.id, current_user.id, form.product_data()
            )
        except management.ListingError as error:
            attach(form, error, "name")
        else:
            flash(_("Produk sudah disimpan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=product.id))
    return _product_page(product, form, ImageForm())


def _product_page(product: Any, form: ProductForm, image_form: ImageForm) -> Page:
    status = FORM_ERROR if (form.errors or image_form.errors) else 200
    return render_template(
        "vendors/product_edit.html",
        product=product,
        form=form,
        image_form=image_form,
        today=clock.today(),
    ), status


@bp.route("/products/<int:product_id>/publication", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def change_publication(product_id: int) -> Page:
    product = management.owned_product(current_cooperative_id(), product_id)
    action = request.form.get("action", "")
    product = management.change_publication(
        current_cooperative_id(), product.id, current_user.id, action
    )
    if product.status == ProductStatus.PENDING_REVIEW:
        flash(_("Produk dikirim ke admin kota untuk diperiksa sebelum terbit."), "info")
        return redirect(url_for("vendors.edit_product", product_id=product.id))
    messages = {
        "publish": _("Produk sudah terbit di katalog."),
        "unpublish": _("Produk ditarik dari katalog."),
        "archive": _("Produk diarsipkan."),
        "restore": _("Produk dikembalikan dari arsip (belum terbit)."),
    }
    flash(messages[action], "success")
    return redirect(url_for("vendors.edit_product", product_id=product.id))


@bp.route("/products/<int:product_id>/images", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def upload_image(product_id: int) -> Page:
    product = management.owned_product(current_cooperative_id(), product_id)
    image_form = ImageForm()
    if image_form.validate_on_submit():
        data = image_form.photo.data.read(current_app.config["PRODUCT_IMAGE_MAX_BYTES"] + 1)
        try:
            management.add_image(
                current_cooperative_id(),
                product.id,
                current_user.id,
                data,
                image_form.alt_text.data,
            )
        except DomainError as error:
            attach(image_form, error, "photo")
        else:
            flash(_("Foto sudah ditambahkan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=product.id))
    return _product_page(product, ProductForm(obj=product, locale=locale()), image_form)


@bp.route("/images/<int:image_id>/delete", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def delete_image(image_id: int) -> Page:
    image = management.owned_image(current_cooperative_id(), image_id)
    product_id = image.product_id
    management.delete_image(current_cooperative_id(), image.id, current_user.id)
    flash(_("Foto sudah dihapus."), "info")
    return redirect(url_for("vendors.edit_product", product_id=product_id))


@bp.route("/images/<int:image_id>/cover", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def cover_image(image_id: int) -> Page:
    image = management.owned_image(current_cooperative_id(), image_id)
    management.make_cover_image(current_cooperative_id(), image.id)
    flash(_("Foto utama sudah diganti."), "success")
    return redirect(url_for("vendors.edit_product", product_id=image.product_id))


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def new_variant(product_id: int) -> Page:
    product = management.owned_product(current_cooperative_id(), product_id)
    form = NewVariantForm()
    if form.validate_on_submit():
        try:
            variant = management.add_variant(
                current_cooperative_id(), product.id, current_user.id, form.variant_data()
            )
        except management.ListingError as error:
            attach(form, error, "tier1_quantity" if error.field == "tiers" else "sku")
        else:
            if form.initial_stock.data:
                stock.restock(
                    variant.id,
                    form.initial_stock.data,
                    reason=stock.MovementReason.INITIAL,
                    note=_("Stok awal"),
                    actor_id=current_user.id,
                )
            flash(_("Varian sudah ditambahkan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=product.id))
    return render_template(
        "vendors/variant_form.html", form=form, product=product, variant=None
    ), form_status(form)


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def edit_variant(variant_id: int) -> Page:
    variant = management.owned_variant(current_cooperative_id(), variant_id)
    form = VariantForm(obj=variant)
    if request.method == "GET":
        form.size.data = variant.options.get("ukuran", "")
        form.colour.data = variant.options.get("warna", "")
        form.fill_tiers([(t.min_quantity, t.unit_price) for t in variant.price_tiers])
    if form.validate_on_submit():
        try:
            management.update_variant(
                current_cooperative_id(), variant.id, current_user.id, form.variant_data()
            )
        except management.ListingError as error:
            attach(form, error, "tier1_quantity" if error.field == "tiers" else "sku")
        else:
            flash(_("Varian sudah disimpan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=variant.product_id))
    return render_template(
        "vendors/variant_form.html", form=form, product=variant.product, variant=variant
    ), form_status(form)


@bp.route("/variants/<int:variant_id>/active", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def set_variant_active(variant_id: int) -> Page:
    variant = management.owned_variant(current_cooperative_id(), variant_id)
    active = request.form.get("active") == "1"
    management.set_variant_active(current_cooperative_id(), variant.id, current_user.id, active)
    flash(_("Varian diaktifkan.") if active else _("Varian dinonaktifkan."), "info")
    return redirect(url_for("vendors.edit_product", product_id=variant.product_id))


# ---------------------------------------------------------------------------------------------
# Stock
# ---------------------------------------------------------------------------------------------


@bp.route("/stock")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def stock_overview() -> Page:
    low_only = request.args.get("low") == "1"
    cooperative_id = current_cooperative_id()
    variants = stock.low_stock(cooperative_id) if low_only else stock.stock_overview(cooperative_id)
    return render_template("vendors/stock.html", variants=variants, low_only=low_only)


@bp.route("/variants/<int:variant_id>/stock", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def variant_stock(variant_id: int) -> Page:
    variant = management.owned_variant(current_cooperative_id(), variant_id)
    form = StockForm()
    if form.validate_on_submit():
        try:
            movement = stock.adjust(
                current_cooperative_id(),
                variant.id,
                stock.Adjustment(form.kind.data),
                form.quantity.data or 0,
                note=form.note.data or "",
                actor_id=current_user.id,
            )
        except NoteRequired as error:
            attach(form, error, "note")
        except InsufficientStock as error:
            form.quantity.errors = [
                *form.quantity.errors,
                _("Stok tidak cukup: yang tersedia %(n)d.", n=error.available),
            ]
        except InvalidQuantity as error:
            attach(form, error, "quantity")
        else:
            if movement is None:
                flash(_("Jumlah hasil hitung sama dengan stok; tidak ada perubahan."), "info")
            else:
                flash(
                    _("Stok sudah dicatat: %(n)d di gudang.", n=movement.balance_after), "success"
                )
            return redirect(url_for("vendors.variant_stock", variant_id=variant.id))
    return render_template(
        "vendors/variant_stock.html",
        variant=variant,
        form=form,
        movements=stock.ledger(current_cooperative_id(), variant.id),
    ), form_status(form)
