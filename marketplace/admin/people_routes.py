"""People: accounts (search, disable, enable, password reset by email) and the city's agencies
with their members, procurement roles and invitations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Label

from marketplace.accounts import services as accounts
from marketplace.accounts.exceptions import InvalidInvitation, InvitationForSomeoneElse
from marketplace.admin import agency_invitations_bp, bp, queries
from marketplace.admin.common import actor, attach, page_number, role_label
from marketplace.admin.forms import AgencyForm, AgencyMemberForm, MemberNipForm
from marketplace.errors import NotFound
from marketplace.http import Page, form_status
from marketplace.policy import CITY_ADMIN, SIGNED_IN, allow
from marketplace.procurement import agencies
from marketplace.procurement.models import AgencyInvitation, AgencyMember

# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


@bp.route("/users")
@allow(CITY_ADMIN)
def users() -> Page:
    text = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin/users.html", result=queries.user_list(text, page_number()), text=text
    )


@bp.route("/users/<int:user_id>")
@allow(CITY_ADMIN)
def user(user_id: int) -> Page:
    return render_template("admin/user.html", detail=queries.user_detail(user_id))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@allow(CITY_ADMIN)
def disable_user(user_id: int) -> Page:
    detail = queries.user_detail(user_id)
    accounts.disable_user(detail.user, actor())
    flash(_("Akun dinonaktifkan; semua sesinya berakhir."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@allow(CITY_ADMIN)
def enable_user(user_id: int) -> Page:
    detail = queries.user_detail(user_id)
    accounts.enable_user(detail.user, actor())
    flash(_("Akun diaktifkan kembali."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@allow(CITY_ADMIN)
def send_password_reset(user_id: int) -> Page:
    detail = queries.user_detail(user_id)
    accounts.send_password_reset(detail.user, actor())
    flash(
        _("Tautan atur ulang kata sandi sudah dikirim ke %(email)s.", email=detail.user.email),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


# ---------------------------------------------------------------------------------------------
# Agencies, their members and invitations
# ---------------------------------------------------------------------------------------------


def _agency_data(form: AgencyForm) -> agencies.AgencyData:
    return agencies.AgencyData(form.name.data, form.address.data or "", form.npwp.data or None)


def _agencies_page(form: AgencyForm) -> Page:
    return render_template(
        "admin/agencies.html", rows=queries.agency_list(), form=form
    ), form_status(form)


@bp.route("/agencies")
@allow(CITY_ADMIN)
def agencies_index() -> Page:
    return _agencies_page(AgencyForm())


@bp.route("/agencies", methods=["POST"])
@allow(CITY_ADMIN)
def create_agency() -> Page:
    form = AgencyForm()
    if form.validate_on_submit():
        agency = agencies.create_agency(actor(), _agency_data(form))
        flash(_("Instansi %(name)s sudah dibuat.", name=agency.name), "success")
        return redirect(url_for("admin.agency", agency_id=agency.id))
    return _agencies_page(form)


def _nip_form(member: AgencyMember, form: MemberNipForm) -> MemberNipForm:
    """One small form per member row, each field with its own id and a label naming whose NIP
    it is (several sit on one page)."""
    field_id = f"member-{member.id}-nip"
    form.nip.id = field_id
    form.nip.label = Label(field_id, _("NIP %(name)s", name=member.user.full_name))
    return form


def _agency_page(
    agency_id: int,
    form: AgencyForm,
    member_form: AgencyMemberForm,
    nip_form: tuple[int, MemberNipForm] | None = None,
) -> Page:
    detail = queries.agency_detail(agency_id)
    nip_forms = {
        member.id: _nip_form(member, MemberNipForm(formdata=None, data={"nip": member.nip}))
        for member in detail.members
    }
    if nip_form is not None:
        member_id, submitted = nip_form
        member = next(m for m in detail.members if m.id == member_id)
        nip_forms[member_id] = _nip_form(member, submitted)
    return render_template(
        "admin/agency.html",
        detail=detail,
        form=form,
        member_form=member_form,
        nip_forms=nip_forms,
    ), form_status(form, member_form, *nip_forms.values())


@bp.route("/agencies/<int:agency_id>")
@allow(CITY_ADMIN)
def agency(agency_id: int) -> Page:
    detail = queries.agency_detail(agency_id)
    return _agency_page(agency_id, AgencyForm(obj=detail.agency), AgencyMemberForm())


@bp.route("/agencies/<int:agency_id>", methods=["POST"])
@allow(CITY_ADMIN)
def edit_agency(agency_id: int) -> Page:
    form = AgencyForm()
    if form.validate_on_submit():
        agencies.update_agency(
            queries.agency_detail(agency_id).agency.id, actor(), _agency_data(form)
        )
        flash(_("Data instansi sudah disimpan."), "success")
        return redirect(url_for("admin.agency", agency_id=agency_id))
    return _agency_page(agency_id, form, AgencyMemberForm())


@bp.route("/agencies/<int:agency_id>/members", methods=["POST"])
@allow(CITY_ADMIN)
def add_agency_member(agency_id: int) -> Page:
    detail = queries.agency_detail(agency_id)
    form = AgencyMemberForm()
    if form.validate_on_submit():
        try:
            added = agencies.add_member(
                detail.agency.id, actor(), form.email.data, form.role.data, form.nip.data
            )
        except agencies.AlreadyHoldsRole as error:
            attach(form, error, "email")
        else:
            if isinstance(added, AgencyInvitation):
                flash(
                    _(
                        "Belum ada akun dengan email itu: undangan sudah dikirim ke %(email)s.",
                        email=added.email,
                    ),
                    "success",
                )
            else:
                flash(_("Peran sudah diberikan."), "success")
            return redirect(url_for("admin.agency", agency_id=agency_id))
    return _agency_page(agency_id, AgencyForm(obj=detail.agency), form)


@bp.route("/agencies/<int:agency_id>/members/<int:member_id>/nip", methods=["POST"])
@allow(CITY_ADMIN)
def set_agency_member_nip(agency_id: int, member_id: int) -> Page:
    detail = queries.agency_detail(agency_id)
    if not any(member.id == member_id for member in detail.members):
        raise NotFound()
    form = MemberNipForm()
    if form.validate_on_submit():
        agencies.set_member_nip(agency_id, member_id, actor(), form.nip.data)
        flash(_("NIP sudah disimpan."), "success")
        return redirect(url_for("admin.agency", agency_id=agency_id))
    return _agency_page(
        agency_id, AgencyForm(obj=detail.agency), AgencyMemberForm(), (member_id, form)
    )


@bp.route("/agencies/<int:agency_id>/members/<int:member_id>/remove", methods=["POST"])
@allow(CITY_ADMIN)
def remove_agency_member(agency_id: int, member_id: int) -> Page:
    agencies.remove_member(agency_id, member_id, actor())
    flash(_("Peran sudah dicabut."), "info")
    return redirect(url_for("admin.agency", agency_id=agency_id))


@bp.route("/agencies/<int:agency_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@allow(CITY_ADMIN)
def revoke_agency_invitation(agency_id: int, invitation_id: int) -> Page:
    agencies.revoke_invitation(agency_id, invitation_id, actor())
    flash(_("Undangan sudah dibatalkan."), "info")
    return redirect(url_for("admin.agency", agency_id=agency_id))


@agency_invitations_bp.route("/agency-invitations/<token>", methods=["GET", "POST"])
@allow(SIGNED_IN)
def join(token: str) -> Page:
    """The invitee's side: opened after signing in (or registering) with the invited email."""
    try:
        invitation = agencies.invitation_for_token(token)
    except InvalidInvitation as error:
        return render_template(
            "admin/agency_join.html", invitation=None, message=error.message
        ), 400
    if request.method == "POST":
        try:
            agencies.accept_invitation(current_user, token)
        except InvitationForSomeoneElse as error:
            return render_template(
                "admin/agency_join.html", invitation=invitation, message=error.message
            ), 400
        flash(
            _(
                "Anda sekarang %(role)s di %(agency)s.",
                role=role_label(invitation.role),
                agency=invitation.agency.name,
            ),
            "success",
        )
        return redirect(url_for("catalogue.home"))
    return render_template("admin/agency_join.html", invitation=invitation, message=None)
