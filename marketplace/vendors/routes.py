"""The cooperative workspace. Every view takes the cooperative from the signed-in member's
membership (never from the request) and asks a domain service, which looks objects up within that
cooperative only, so another cooperative's ids are simply not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import Form

from marketplace import clock, exports
from marketplace.catalogue import management
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.access import (
    ACTIVE_COOPERATIVE_MEMBER,
    ACTIVE_COOPERATIVE_OWNER,
    COOPERATIVE_MEMBER,
    COOPERATIVE_OWNER,
    forget_membership,
    membership_of,
)
from marketplace.cooperatives.exceptions import (
    AlreadyMember,
    InvalidInvitation,
    InvitationForSomeoneElse,
)
from marketplace.cooperatives.models import CooperativeMember, CooperativeStatus
from marketplace.errors import DomainError
from marketplace.http import FORM_ERROR, Page
from marketplace.inventory import bulk, stock
from marketplace.inventory.exceptions import InsufficientStock, InvalidQuantity, NoteRequired
from marketplace.orders import services as orders
from marketplace.orders.exceptions import InvalidTransition, MissingDetail
from marketplace.orders.lifecycle import (
    NEEDS_ACTION,
    FulfilmentGroup,
    can_move,
    vendor_order_group,
)
from marketplace.orders.models import ActorKind, VendorOrder, VendorOrderStatus
from marketplace.payments import transfers
from marketplace.policy import SIGNED_IN, allow
from marketplace.procurement import worklist
from marketplace.vendors import bp, invitations_bp, reports
from marketplace.vendors.forms import (
    ApplicationForm,
    BankAccountForm,
    ImageForm,
    ImportForm,
    InviteForm,
    NewApplicationForm,
    NewProductForm,
    NewVariantForm,
    ProductForm,
    ProfileForm,
    RejectOrderForm,
    ShipOrderForm,
    StockForm,
    VariantForm,
)


def _membership() -> CooperativeMember:
    membership = membership_of(current_user)
    assert membership is not None, "the route's policy admits members only"
    return membership


def _cooperative_id() -> int:
    return _membership().cooperative_id


def _status(form: Form) -> int:
    return FORM_ERROR if form.errors else 200


def _attach(form: Form, error: DomainError, default_field: str) -> None:
    """Show a service's refusal next to the field it is about."""
    name = getattr(error, "field", None) or default_field
    field = form[name] if name in form else form[default_field]
    field.errors = [*field.errors, error.message]


def _locale() -> str:
    return str(get_locale())


# ---------------------------------------------------------------------------------------------
# Applying and the application's status
# ---------------------------------------------------------------------------------------------


def _application_data(form: ApplicationForm) -> cooperatives.ApplicationData:
    return cooperatives.ApplicationData(
        name=form.name.data,
        kind=form.kind.data,
        pesantren_name=form.pesantren_name.data or None,
        description=form.description.data,
        kecamatan=form.kecamatan.data,
        kelurahan=form.kelurahan.data,
        address=form.address.data,
        postal_code=form.postal_code.data,
        whatsapp=form.whatsapp.data,
        email=(form.email.data or "").lower() or None,
        nib=form.nib.data,
        npwp=form.npwp.data,
        is_pkp=bool(form.is_pkp.data),
        pp55_certificate_number=form.pp55_certificate_number.data or None,
        pp55_valid_until=form.pp55_valid_until.data,
        bank_name=form.bank_name.data,
        bank_account_number=form.bank_account_number.data,
        bank_account_holder=form.bank_account_holder.data,
    )


@bp.route("/apply", methods=["GET", "POST"])
@allow(SIGNED_IN)
def apply() -> Page:
    if membership_of(current_user) is not None:
        return redirect(url_for("vendors.dashboard"))
    form = NewApplicationForm()
    if form.validate_on_submit():
        try:
            cooperatives.apply_for_cooperative(current_user, _application_data(form))
        except AlreadyMember:
            return redirect(url_for("vendors.dashboard"))
        forget_membership()
        flash(_("Pendaftaran terkirim. Admin kota akan memeriksanya."), "success")
        return redirect(url_for("vendors.status"))
    return render_template("vendors/apply.html", form=form, editing=False), _status(form)


@bp.route("/status")
@allow(COOPERATIVE_MEMBER)
def status() -> Page:
    return render_template("vendors/status.html", membership=_membership())


@bp.route("/application", methods=["GET", "POST"])
@allow(COOPERATIVE_OWNER)
def edit_application() -> Page:
    membership = _membership()
    cooperative = membership.cooperative
    if cooperative.status not in (CooperativeStatus.PENDING, CooperativeStatus.CHANGES_REQUESTED):
        return redirect(url_for("vendors.status"))
    form = ApplicationForm(obj=cooperative)
    if form.validate_on_submit():
        cooperatives.update_application(membership, _application_data(form))
        flash(_("Perbaikan pendaftaran terkirim. Admin kota akan memeriksanya lagi."), "success")
        return redirect(url_for("vendors.status"))
    return render_template("vendors/apply.html", form=form, editing=True), _status(form)


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


@bp.route("/")
@allow(COOPERATIVE_MEMBER)
def dashboard() -> Page:
    membership = _membership()
    if not membership.cooperative.is_approved:
        return redirect(url_for("vendors.status"))
    cooperative_id = membership.cooperative_id
    urgent_days, soon_days = current_app.config["CERTIFICATE_WARNING_DAYS"]
    today = clock.today()
    return render_template(
        "vendors/dashboard.html",
        membership=membership,
        figures=reports.dashboard_figures(cooperative_id),
        waiting=orders.fulfilment_counts(cooperative_id),
        to_accept=FulfilmentGroup.TO_ACCEPT,
        transfers_waiting=transfers.waiting_transfer_count(cooperative_id),
        procurement_waiting=worklist.cooperative_waiting(cooperative_id),
        needs_action=NEEDS_ACTION,
        counts=management.status_counts(cooperative_id),
        low_stock=stock.low_stock(cooperative_id),
        certificates=management.halal_attention(cooperative_id, today, soon_days),
        urgent_days=urgent_days,
        soon_days=soon_days,
        today=today,
    )


# ---------------------------------------------------------------------------------------------
# Profile, bank account, members (owner only)
# ---------------------------------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def profile() -> Page:
    membership = _membership()
    form = ProfileForm(obj=membership.cooperative)
    if form.validate_on_submit():
        cooperatives.update_profile(
            membership,
            cooperatives.ProfileData(
                description=form.description.data,
                kelurahan=form.kelurahan.data,
                address=form.address.data,
                postal_code=form.postal_code.data,
                whatsapp=form.whatsapp.data,
                email=(form.email.data or "").lower() or None,
                is_pkp=bool(form.is_pkp.data),
                pp55_certificate_number=form.pp55_certificate_number.data or None,
                pp55_valid_until=form.pp55_valid_until.data,
                local_delivery_fee=form.local_delivery_fee.data or 0,
            ),
        )
        flash(_("Profil koperasi sudah disimpan."), "success")
        return redirect(url_for("vendors.profile"))
    return render_template(
        "vendors/profile.html", form=form, cooperative=membership.cooperative
    ), _status(form)


@bp.route("/bank-account", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def bank_account() -> Page:
    membership = _membership()
    form = BankAccountForm(obj=membership.cooperative)
    if form.validate_on_submit():
        cooperatives.update_bank_account(
            membership,
            cooperatives.BankAccountData(
                form.bank_name.data, form.bank_account_number.data, form.bank_account_holder.data
            ),
        )
        flash(_("Rekening bank sudah disimpan."), "success")
        return redirect(url_for("vendors.profile"))
    return render_template("vendors/bank_account.html", form=form), _status(form)


def _members_page(form: InviteForm) -> Page:
    cooperative_id = _cooperative_id()
    return render_template(
        "vendors/members.html",
        form=form,
        members=cooperatives.list_members(cooperative_id),
        invitations=cooperatives.list_open_invitations(cooperative_id),
    ), _status(form)


@bp.route("/members")
@allow(ACTIVE_COOPERATIVE_OWNER)
def members() -> Page:
    return _members_page(InviteForm())


@bp.route("/members/invite", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def invite() -> Page:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            cooperatives.invite_staff(_membership(), form.email.data)
        except AlreadyMember as error:
            _attach(form, error, "email")
        else:
            flash(_("Undangan sudah dikirim ke %(email)s.", email=form.email.data), "success")
            return redirect(url_for("vendors.members"))
    return _members_page(form)


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def remove_member(member_id: int) -> Page:
    cooperatives.remove_member(_membership(), member_id)
    flash(_("Anggota sudah dikeluarkan dari koperasi."), "info")
    return redirect(url_for("vendors.members"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def revoke_invitation(invitation_id: int) -> Page:
    cooperatives.revoke_invitation(_membership(), invitation_id)
    flash(_("Undangan sudah dibatalkan."), "info")
    return redirect(url_for("vendors.members"))


@invitations_bp.route("/join/<token>", methods=["GET", "POST"])
@allow(SIGNED_IN)
def join(token: str) -> Page:
    try:
        invitation = cooperatives.invitation_for_token(token)
    except InvalidInvitation as error:
        return render_template("vendors/join.html", invitation=None, message=error.message), 400
    if request.method == "POST":
        try:
            cooperatives.accept_invitation(current_user, token)
        except (InvitationForSomeoneElse, AlreadyMember) as error:
            return render_template(
                "vendors/join.html", invitation=invitation, message=error.message
            ), 400
        forget_membership()
        flash(_("Selamat bergabung dengan %(name)s.", name=invitation.cooperative.name), "success")
        return redirect(url_for("vendors.dashboard"))
    return render_template("vendors/join.html", invitation=invitation, message=None)


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
        products=management.list_products(_cooperative_id(), status or None, text),
        counts=management.status_counts(_cooperative_id()),
        status=status,
        text=text,
    )


@bp.route("/products/new", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def new_product() -> Page:
    form = NewProductForm(locale=_locale())
    if form.validate_on_submit():
        try:
            product, variant = management.create_product(
                _cooperative_id(), current_user.id, form.product_data(), form.variant_data()
            )
        except management.ListingError as error:
            _attach(form, error, "name")
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
    return render_template("vendors/product_new.html", form=form), _status(form)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def edit_product(product_id: int) -> Page:
    product = management.owned_product(_cooperative_id(), product_id)
    form = ProductForm(obj=product, locale=_locale())
    if form.validate_on_submit():
        try:
            management.update_product(
                _cooperative_id(), product.id, current_user.id, form.product_data()
            )
        except management.ListingError as error:
            _attach(form, error, "name")
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
    product = management.owned_product(_cooperative_id(), product_id)
    action = request.form.get("action", "")
    product = management.change_publication(_cooperative_id(), product.id, current_user.id, action)
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
    product = management.owned_product(_cooperative_id(), product_id)
    image_form = ImageForm()
    if image_form.validate_on_submit():
        data = image_form.photo.data.read(current_app.config["PRODUCT_IMAGE_MAX_BYTES"] + 1)
        try:
            management.add_image(
                _cooperative_id(), product.id, current_user.id, data, image_form.alt_text.data
            )
        except DomainError as error:
            _attach(image_form, error, "photo")
        else:
            flash(_("Foto sudah ditambahkan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=product.id))
    return _product_page(product, ProductForm(obj=product, locale=_locale()), image_form)


@bp.route("/images/<int:image_id>/delete", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def delete_image(image_id: int) -> Page:
    image = management.owned_image(_cooperative_id(), image_id)
    product_id = image.product_id
    management.delete_image(_cooperative_id(), image.id, current_user.id)
    flash(_("Foto sudah dihapus."), "info")
    return redirect(url_for("vendors.edit_product", product_id=product_id))


@bp.route("/images/<int:image_id>/cover", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def cover_image(image_id: int) -> Page:
    image = management.owned_image(_cooperative_id(), image_id)
    management.make_cover_image(_cooperative_id(), image.id)
    flash(_("Foto utama sudah diganti."), "success")
    return redirect(url_for("vendors.edit_product", product_id=image.product_id))


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def new_variant(product_id: int) -> Page:
    product = management.owned_product(_cooperative_id(), product_id)
    form = NewVariantForm()
    if form.validate_on_submit():
        try:
            variant = management.add_variant(
                _cooperative_id(), product.id, current_user.id, form.variant_data()
            )
        except management.ListingError as error:
            _attach(form, error, "tier1_quantity" if error.field == "tiers" else "sku")
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
    ), _status(form)


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def edit_variant(variant_id: int) -> Page:
    variant = management.owned_variant(_cooperative_id(), variant_id)
    form = VariantForm(obj=variant)
    if request.method == "GET":
        form.size.data = variant.options.get("ukuran", "")
        form.colour.data = variant.options.get("warna", "")
        form.fill_tiers([(t.min_quantity, t.unit_price) for t in variant.price_tiers])
    if form.validate_on_submit():
        try:
            management.update_variant(
                _cooperative_id(), variant.id, current_user.id, form.variant_data()
            )
        except management.ListingError as error:
            _attach(form, error, "tier1_quantity" if error.field == "tiers" else "sku")
        else:
            flash(_("Varian sudah disimpan."), "success")
            return redirect(url_for("vendors.edit_product", product_id=variant.product_id))
    return render_template(
        "vendors/variant_form.html", form=form, product=variant.product, variant=variant
    ), _status(form)


@bp.route("/variants/<int:variant_id>/active", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def set_variant_active(variant_id: int) -> Page:
    variant = management.owned_variant(_cooperative_id(), variant_id)
    active = request.form.get("active") == "1"
    management.set_variant_active(_cooperative_id(), variant.id, current_user.id, active)
    flash(_("Varian diaktifkan.") if active else _("Varian dinonaktifkan."), "info")
    return redirect(url_for("vendors.edit_product", product_id=variant.product_id))


# ---------------------------------------------------------------------------------------------
# Stock
# ---------------------------------------------------------------------------------------------


@bp.route("/stock")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def stock_overview() -> Page:
    low_only = request.args.get("low") == "1"
    cooperative_id = _cooperative_id()
    variants = stock.low_stock(cooperative_id) if low_only else stock.stock_overview(cooperative_id)
    return render_template("vendors/stock.html", variants=variants, low_only=low_only)


@bp.route("/variants/<int:variant_id>/stock", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def variant_stock(variant_id: int) -> Page:
    variant = management.owned_variant(_cooperative_id(), variant_id)
    form = StockForm()
    if form.validate_on_submit():
        try:
            movement = stock.adjust(
                _cooperative_id(),
                variant.id,
                stock.Adjustment(form.kind.data),
                form.quantity.data or 0,
                note=form.note.data or "",
                actor_id=current_user.id,
            )
        except NoteRequired as error:
            _attach(form, error, "note")
        except InsufficientStock as error:
            form.quantity.errors = [
                *form.quantity.errors,
                _("Stok tidak cukup: yang tersedia %(n)d.", n=error.available),
            ]
        except InvalidQuantity as error:
            _attach(form, error, "quantity")
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
        movements=stock.ledger(_cooperative_id(), variant.id),
    ), _status(form)


# ---------------------------------------------------------------------------------------------
# Bulk import and export
# ---------------------------------------------------------------------------------------------


def _imports_page(form: ImportForm) -> Page:
    return render_template(
        "vendors/imports.html", form=form, jobs=bulk.list_jobs(_cooperative_id())
    ), _status(form)


@bp.route("/imports")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def imports() -> Page:
    return _imports_page(ImportForm())


@bp.route("/imports", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def upload_import() -> Page:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        job = bulk.start_import(_cooperative_id(), current_user.id, upload.filename or "", data)
        return redirect(url_for("vendors.import_job", job_id=job.id))
    return _imports_page(form)


@bp.route("/imports/<int:job_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def import_job(job_id: int) -> Page:
    job = bulk.owned_job(_cooperative_id(), job_id)
    return render_template(
        "vendors/import_job.html",
        job=job,
        error_text=bulk.error_text,
        column_labels=bulk.COLUMN_LABELS,
        actions=bulk.ACTIONS,
    )


@bp.route("/imports/<int:job_id>/progress")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def import_progress(job_id: int) -> Response:
    job = bulk.owned_job(_cooperative_id(), job_id)
    return jsonify(
        status=job.status,
        processed=job.processed_rows,
        total=job.total_rows,
        percent=job.percent,
        running=job.is_running,
    )


@bp.route("/imports/<int:job_id>/confirm", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def confirm_import(job_id: int) -> Page:
    job = bulk.owned_job(_cooperative_id(), job_id)
    job = bulk.confirm_import(_cooperative_id(), job.id, current_user.id)
    if job.status == "applied":
        flash(_("Impor selesai: semua baris sudah diterapkan."), "success")
    return redirect(url_for("vendors.import_job", job_id=job.id))


@bp.route("/export/<any(csv, xlsx):fmt>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def export(fmt: str) -> Response:
    return exports.download(*bulk.export_file(_cooperative_id(), fmt))


@bp.route("/template/<any(csv, xlsx):fmt>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def template(fmt: str) -> Response:
    content = bulk.write_file(bulk.template_rows(), fmt)
    return exports.download(content, f"templat-produk-pasar-opop.{fmt}")


# ---------------------------------------------------------------------------------------------
# Orders to fulfil. Screens only: every move is a call to orders.services, which checks the
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
    vendor_orders, has_next = orders.list_vendor_orders(_cooperative_id(), group, page)
    return render_template(
        "vendors/orders.html",
        group=group,
        vendor_orders=vendor_orders,
        counts=orders.fulfilment_counts(_cooperative_id()),
        page=page,
        has_next=has_next,
    )


def _order_page(
    vendor_order_id: int,
    reject_form: RejectOrderForm | None = None,
    ship_form: ShipOrderForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> Page:
    vendor_order = orders.open_vendor_order(_cooperative_id(), vendor_order_id)
    return render_template(
        "vendors/order.html",
        vendor_order=vendor_order,
        order=vendor_order.order,
        group=vendor_order_group(vendor_order),
        can=lambda target: can_move(vendor_order, VendorOrderStatus(target), ActorKind.COOPERATIVE),
        reject_form=reject_form or RejectOrderForm(formdata=None),
        ship_form=ship_form or ShipOrderForm(formdata=None),
        error=error,
        display_note=orders.display_note,
    ), status


@bp.route("/orders/<int:vendor_order_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def order(vendor_order_id: int) -> Page:
    return _order_page(vendor_order_id)


@bp.route("/orders/<int:vendor_order_id>/packing-slip")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def packing_slip(vendor_order_id: int) -> Page:
    vendor_order = orders.open_vendor_order(_cooperative_id(), vendor_order_id)
    return render_template(
        "vendors/packing_slip.html", vendor_order=vendor_order, order=vendor_order.order
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
        lambda: orders.accept_vendor_order(current_user, vendor_order_id),
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
        lambda: orders.reject_vendor_order(current_user, vendor_order_id, form.reason.data or ""),
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
                lambda: orders.mark_shipped(
                    current_user,
                    vendor_order_id,
                    form.courier_name.data or "",
                    form.tracking_number.data or "",
                ),
                lambda number: _(
                    "Pesanan %(number)s sudah dikirim; pembeli sudah diberi tahu.", number=number
                ),
            )
        except MissingDetail as error:
            _attach(form, error, "tracking_number")
    return _order_page(vendor_order_id, ship_form=form, status=FORM_ERROR)


@bp.route("/orders/<int:vendor_order_id>/ready", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def ready_order(vendor_order_id: int) -> Page:
    return _order_move(
        vendor_order_id,
        lambda: orders.mark_ready_for_pickup(current_user, vendor_order_id),
        lambda number: _(
            "Pesanan %(number)s siap diambil; pembeli sudah diberi tahu.", number=number
        ),
    )


@bp.route("/orders/<int:vendor_order_id>/deliver", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def deliver_order(vendor_order_id: int) -> Page:
    return _order_move(
        vendor_order_id,
        lambda: orders.mark_delivered(current_user, vendor_order_id),
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
    report = reports.sales_report(_cooperative_id(), _period())
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
    content = reports.sales_csv(_cooperative_id(), period)
    slug = _membership().cooperative.slug
    filename = f"penjualan-{slug}-{period}-{reports.local_today():%Y%m%d}.csv"
    return exports.download(content, filename)
