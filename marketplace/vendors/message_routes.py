"""The cooperative's side of a part's thread with its shopper (screens over
`messages.services`)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_MEMBER
from marketplace.errors import DomainError
from marketplace.http import Page
from marketplace.messages import services as message_services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import Side
from marketplace.messages.pages import thread_page
from marketplace.policy import allow
from marketplace.vendors import bp
from marketplace.vendors.common import current_cooperative_id


def _page(vendor_order_id: int, form: MessageForm | None = None) -> Page:
    part = message_services.cooperative_part(current_cooperative_id(), vendor_order_id)
    return thread_page(
        part,
        Side.COOPERATIVE,
        template="vendors/messages.html",
        post_url=url_for("vendors.post_message", vendor_order_id=vendor_order_id),
        read_url=url_for("vendors.mark_messages_read", vendor_order_id=vendor_order_id),
        back_url=url_for("vendors.order", vendor_order_id=vendor_order_id),
        form=form,
    )


@bp.route("/orders/<int:vendor_order_id>/messages")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def order_messages(vendor_order_id: int) -> Page:
    return _page(vendor_order_id)


@bp.route("/orders/<int:vendor_order_id>/messages", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def post_message(vendor_order_id: int) -> Page:
    part = message_services.cooperative_part(current_cooperative_id(), vendor_order_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message_services.post(current_user, part, Side.COOPERATIVE, form.body.data or "")
        except DomainError as problem:
            form.body.errors = [problem.message]
        else:
            flash(_("Pesan terkirim ke pembeli."), "success")
            return redirect(url_for("vendors.order_messages", vendor_order_id=vendor_order_id))
    return _page(vendor_order_id, form)


@bp.route("/orders/<int:vendor_order_id>/messages/read", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def mark_messages_read(vendor_order_id: int) -> Page:
    part = message_services.cooperative_part(current_cooperative_id(), vendor_order_id)
    if ReadForm().validate_on_submit():
        message_services.mark_read(part, Side.COOPERATIVE)
    return redirect(url_for("vendors.order_messages", vendor_order_id=vendor_order_id))
