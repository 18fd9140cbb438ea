"""Catalogue care: the category tree, product moderation, hiding products, certificates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from marketplace import clock
from marketplace.admin import bp, queries
from marketplace.admin.common import actor, attach, page_number
from marketplace.admin.forms import (
    CategoryForm,
    MergeCategoryForm,
    ModerationSettingForm,
    ProductReasonForm,
    RenameCategoryForm,
    SynonymsForm,
)
from marketplace.catalogue import categories, management, moderation, synonyms
from marketplace.catalogue.models import Category, ProductStatus
from marketplace.certificates import rules
from marketplace.http import Page, form_status
from marketplace.policy import CITY_ADMIN, allow


def _label(category: Category) -> str:
    name = category.display_name(str(get_locale()))
    if category.parent is not None:
        return f"{category.parent.display_name(str(get_locale()))} › {name}"
    return name


# ---------------------------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------------------------


def _categories_page(form: CategoryForm) -> Page:
    rows = queries.category_tree()
    if not form.parent_id.choices:
        form.set_parents([(row.category.id, _label(row.category)) for row in rows if not row.depth])
    return render_template("admin/categories.html", rows=rows, form=form), form_status(form)


@bp.route("/categories")
@allow(CITY_ADMIN)
def categories_index() -> Page:
    return _categories_page(CategoryForm())


@bp.route("/categories", methods=["POST"])
@allow(CITY_ADMIN)
def create_category() -> Page:
    form = CategoryForm()
    form.set_parents(
        [
            (row.category.id, _label(row.category))
            for row in queries.category_tree()
            if not row.depth
        ]
    )
    if form.validate_on_submit():
        try:
            category = categories.create_category(
                actor(), form.name.data, form.name_en.data, form.parent_id.data or None
            )
        except categories.CategoryError as error:
            attach(form, error, error.field)
        else:
            flash(_("Kategori %(name)s sudah dibuat.", name=category.name), "success")
            return redirect(url_for("admin.categories_index"))
    return _categories_page(form)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def edit_category(category_id: int) -> Page:
    category = queries.get_category(category_id)
    form = RenameCategoryForm(obj=category)
    if form.validate_on_submit():
        categories.rename_category(category.id, actor(), form.name.data, form.name_en.data)
        flash(_("Nama kategori sudah disimpan."), "success")
        return redirect(url_for("admin.categories_index"))
    return render_template(
        "admin/category_edit.html", category=category, form=form, label=_label(category)
    ), form_status(form)


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@allow(CITY_ADMIN)
def move_category(category_id: int) -> Page:
    category = queries.get_category(category_id)
    categories.move_category(category.id, actor(), request.form.get("direction", ""))
    return redirect(url_for("admin.categories_index"))


@bp.route("/categories/<int:category_id>/merge", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def merge_category(category_id: int) -> Page:
    category = queries.get_category(category_id)
    form = MergeCategoryForm()
    form.target_id.choices = [
        SelectChoice(c.id, _label(c)) for c in categories.merge_targets(category)
    ]
    if form.validate_on_submit():
        source = category.name
        try:
            target = categories.merge_category(category.id, form.target_id.data, actor())
        except categories.CategoryError as error:
            attach(form, error, "target_id")
        else:
            flash(
                _("%(source)s sudah digabungkan ke %(target)s.", source=source, target=target.name),
                "success",
            )
            return redirect(url_for("admin.categories_index"))
    return render_template(
        "admin/category_merge.html", category=category, form=form, label=_label(category)
    ), form_status(form)


# ---------------------------------------------------------------------------------------------
# Search synonyms
# ---------------------------------------------------------------------------------------------


@bp.route("/search-synonyms", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def search_synonyms() -> Page:
    form = SynonymsForm()
    if request.method == "GET":
        form.groups.data = synonyms.as_text(synonyms.groups())
    elif form.validate_on_submit():
        try:
            synonyms.save(actor(), form.groups.data or "")
        except synonyms.InvalidSynonyms as error:
            attach(form, error, "groups")
        else:
            flash(_("Daftar sinonim pencarian sudah disimpan."), "success")
            return redirect(url_for("admin.search_synonyms"))
    return render_template("admin/search_synonyms.html", form=form), form_status(form)


# ---------------------------------------------------------------------------------------------
# Product moderation and hiding
# ---------------------------------------------------------------------------------------------


def _moderation_page(form: ProductReasonForm, failed_product_id: int | None = None) -> Page:
    return render_template(
        "admin/moderation.html",
        products=moderation.pending_products(),
        setting_form=ModerationSettingForm(enabled=management.moderation_enabled()),
        form=form,
        failed_product_id=failed_product_id,
    ), form_status(form)


@bp.route("/moderation")
@allow(CITY_ADMIN)
def moderation_queue() -> Page:
    return _moderation_page(ProductReasonForm())


@bp.route("/moderation/setting", methods=["POST"])
@allow(CITY_ADMIN)
def moderation_setting() -> Page:
    form = ModerationSettingForm()
    if form.validate_on_submit():
        moderation.set_moderation(actor(), bool(form.enabled.data))
        if form.enabled.data:
            flash(_("Produk baru kini menunggu pemeriksaan sebelum terbit."), "success")
        else:
            flash(_("Produk baru kini langsung terbit."), "success")
    return redirect(url_for("admin.moderation_queue"))


@bp.route("/products/<int:product_id>/approve", methods=["POST"])
@allow(CITY_ADMIN)
def approve_product(product_id: int) -> Page:
    product = moderation.approve_product(queries.get_product(product_id).id, actor())
    flash(_("%(name)s disetujui dan sudah terbit.", name=product.name), "success")
    return redirect(url_for("admin.moderation_queue"))


@bp.route("/products/<int:product_id>/refuse", methods=["POST"])
@allow(CITY_ADMIN)
def refuse_product(product_id: int) -> Page:
    product = queries.get_product(product_id)
    form = ProductReasonForm()
    if form.validate_on_submit():
        try:
            moderation.refuse_product(product.id, actor(), form.reason.data or "")
        except moderation.ReasonRequired as error:
            attach(form, error, "reason")
        else:
            flash(
                _("%(name)s dikembalikan ke koperasi dengan alasannya.", name=product.name), "info"
            )
            return redirect(url_for("admin.moderation_queue"))
    return _moderation_page(form, failed_product_id=product.id)


PRODUCT_STATUSES = {status.value for status in ProductStatus}


@bp.route("/products")
@allow(CITY_ADMIN)
def products() -> Page:
    text = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    status = status if status in PRODUCT_STATUSES else ""
    return render_template(
        "admin/products.html",
        result=queries.product_list(text, status, page_number()),
        counts=queries.product_status_counts(),
        text=text,
        status=status,
    )


def _product_page(product_id: int, form: ProductReasonForm) -> Page:
    return render_template(
        "admin/product.html",
        product=queries.get_product(product_id),
        form=form,
        today=clock.today(),
    ), form_status(form)


@bp.route("/products/<int:product_id>")
@allow(CITY_ADMIN)
def product(product_id: int) -> Page:
    return _product_page(product_id, ProductReasonForm())


@bp.route("/products/<int:product_id>/hide", methods=["POST"])
@allow(CITY_ADMIN)
def hide_product(product_id: int) -> Page:
    product = queries.get_product(product_id)
    form = ProductReasonForm()
    if form.validate_on_submit():
        try:
            moderation.hide_product(product.id, actor(), form.reason.data or "")
        except moderation.ReasonRequired as error:
            attach(form, error, "reason")
        else:
            flash(_("%(name)s disembunyikan dari katalog.", name=product.name), "success")
            return redirect(url_for("admin.product", product_id=product.id))
    return _product_page(product.id, form)


@bp.route("/products/<int:product_id>/unhide", methods=["POST"])
@allow(CITY_ADMIN)
def unhide_product(product_id: int) -> Page:
    product = moderation.unhide_product(queries.get_product(product_id).id, actor())
    flash(_("%(name)s tampil lagi di katalog.", name=product.name), "success")
    return redirect(url_for("admin.product", product_id=product.id))


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------


@bp.route("/certificates")
@allow(CITY_ADMIN)
def certificates() -> Page:
    today = clock.today()
    rows = rules.products_with_problems(today)
    return render_template(
        "admin/certificates.html",
        rows=rows,
        counts={problem: sum(problem in row.problems for row in rows) for problem in rules.Problem},
        pp55=rules.expired_pp55(today),
        today=today,
    )
