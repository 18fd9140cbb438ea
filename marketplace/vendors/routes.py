"""The cooperative workspace. Every view takes the cooperative from the signed-in member's
membership (never from the request) and asks a domain service, which looks objects up within that
cooperative only, so another cooperative's ids are simply not found (404).

The screens are split by subject: listings and stock (`listing_routes`), bulk import and export
(`import_routes`), orders and sales reports (`order_routes`); applying, the dashboard, the profile
and the team are here."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import clock
from marketplace.accounts.exceptions import InvalidInvitation, InvitationForSomeoneElse
from marketplace.catalogue import management
from marketplace.complaints import queries as complaint_queries
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.access import (
    ACTIVE_COOPERATIVE_OWNER,
    COOPERATIVE_MEMBER,
    COOPERATIVE_OWNER,
    forget_membership,
    membership_of,
)
from marketplace.cooperatives.exceptions import AlreadyMember
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.http import Page, form_status
from marketplace.inventory import stock
from marketplace.orders import queries as order_queries
from marketplace.orders.lifecycle import (
    NEEDS_ACTION,
    FulfilmentGroup,
)
from marketplace.payments import transfers
from marketplace.policy import SIGNED_IN, allow
from marketplace.procurement import worklist
from marketplace.vendors import bp, invitations_bp, reports
from marketplace.vendors.common import (
    attach,
    current_cooperative_id,
    current_membership,
)
from marketplace.vendors.forms import (
    ApplicationForm,
    BankAccountForm,
    InviteForm,
    NewApplicationForm,
    ProfileForm,
)

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
    return render_template("vendors/apply.html", form=form, editing=False), form_status(form)


@bp.route("/status")
@allow(COOPERATIVE_MEMBER)
def status() -> Page:
    return render_template("vendors/status.html", membership=current_membership())


@bp.route("/application", methods=["GET", "POST"])
@allow(COOPERATIVE_OWNER)
def edit_application() -> Page:
    membership = current_membership()
    cooperative = membership.cooperative
    if cooperative.status not in (CooperativeStatus.PENDING, CooperativeStatus.CHANGES_REQUESTED):
        return redirect(url_for("vendors.status"))
    form = ApplicationForm(obj=cooperative)
    if form.validate_on_submit():
        cooperatives.update_application(membership, _application_data(form))
        flash(_("Perbaikan pendaftaran terkirim. Admin kota akan memeriksanya lagi."), "success")
        return redirect(url_for("vendors.status"))
    return render_template("vendors/apply.html", form=form, editing=True), form_status(form)


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


@bp.route("/")
@allow(COOPERATIVE_MEMBER)
def dashboard() -> Page:
    membership = current_membership()
    if not membership.cooperative.is_approved:
        return redirect(url_for("vendors.status"))
    cooperative_id = membership.cooperative_id
    urgent_days, soon_days = current_app.config["CERTIFICATE_WARNING_DAYS"]
    today = clock.today()
    return render_template(
        "vendors/dashboard.html",
        membership=membership,
        figures=reports.dashboard_figures(cooperative_id),
        waiting=order_queries.fulfilment_counts(cooperative_id),
        to_accept=FulfilmentGroup.TO_ACCEPT,
        transfers_waiting=transfers.waiting_transfer_count(cooperative_id),
        complaints_waiting=complaint_queries.waiting_count(cooperative_id),
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
    membership = current_membership()
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
                free_courier_minimum=form.free_courier_minimum.data or None,
            ),
        )
        flash(_("Profil koperasi sudah disimpan."), "success")
        return redirect(url_for("vendors.profile"))
    return render_template(
        "vendors/profile.html", form=form, cooperative=membership.cooperative
    ), form_status(form)


@bp.route("/bank-account", methods=["GET", "POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def bank_account() -> Page:
    membership = current_membership()
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
    return render_template("vendors/bank_account.html", form=form), form_status(form)


def _members_page(form: InviteForm) -> Page:
    cooperative_id = current_cooperative_id()
    return render_template(
        "vendors/members.html",
        form=form,
        members=cooperatives.list_members(cooperative_id),
        invitations=cooperatives.list_open_invitations(cooperative_id),
    ), form_status(form)


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
            cooperatives.invite_staff(current_membership(), form.email.data)
        except AlreadyMember as error:
            attach(form, error, "email")
        else:
            flash(_("Undangan sudah dikirim ke %(email)s.", email=form.email.data), "success")
            return redirect(url_for("vendors.members"))
    return _members_page(form)


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def remove_member(member_id: int) -> Page:
    cooperatives.remove_member(current_membership(), member_id)
    flash(_("Anggota sudah dikeluarkan dari koperasi."), "info")
    return redirect(url_for("vendors.members"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_OWNER)
def revoke_invitation(invitation_id: int) -> Page:
    cooperatives.revoke_invitation(current_membership(), invitation_id)
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
