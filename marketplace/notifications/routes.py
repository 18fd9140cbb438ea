"""The notification pages of everyone signed in: the list, opening a notice, marking all read,
and the choice of which kinds also come by email. Reading never writes; every change is a POST.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.http import Page, form_status, is_local_url, keeps_input_when_expired
from marketplace.notifications import bp, services, whatsapp
from marketplace.notifications.forms import ActionForm, EmailChoicesForm
from marketplace.policy import SIGNED_IN, allow


@bp.route("/")
@allow(SIGNED_IN)
def index() -> Page:
    return render_template(
        "notifications/list.html",
        items=services.list_notifications(current_user),
        form=ActionForm(),
    )


@bp.route("/<int:notification_id>/open", methods=["POST"])
@allow(SIGNED_IN)
def open_notification(notification_id: int) -> Page:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("notifications.index"))
    link = services.open_notification(current_user, notification_id)
    return redirect(link if is_local_url(link) else url_for("notifications.index"))


@bp.route("/read", methods=["POST"])
@allow(SIGNED_IN)
def read_all() -> Page:
    if ActionForm().validate_on_submit():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def settings() -> Page:
    form = EmailChoicesForm(with_whatsapp=whatsapp.enabled())
    if form.validate_on_submit():
        services.save_email_choices(current_user, form.chosen(), form.chosen_whatsapp())
        flash(_("Pilihan notifikasi sudah disimpan."), "success")
        return redirect(url_for("notifications.settings"))
    if not form.is_submitted():
        choices = services.email_choices(current_user)
        form.email_kinds.data = [kind.value for kind, email in choices.items() if email]
        if "whatsapp_kinds" in form:
            wanted = services.whatsapp_choices(current_user)
            form.whatsapp_kinds.data = [kind.value for kind, on in wanted.items() if on]
    return render_template(
        "notifications/settings.html",
        form=form,
        whatsapp_number=whatsapp.phone_of(current_user.phone),
    ), form_status(form)
