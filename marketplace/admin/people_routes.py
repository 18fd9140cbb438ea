"""People: accounts (search, disable, enable, password reset by email) and the city's agencies
with their members, procurement roles and invitations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.accounts import services as accounts
from marketplace.admin import bp, queries
from marketplace.admin.common import Page, actor, page_number
from marketplace.policy import CITY_ADMIN, allow

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
