"""The shopper's side of a part's thread (the cooperative's is in its workspace), and the helper
the shopper's order page uses for its unread counts."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.http import Page
from marketplace.messages import bp, services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import Side
from marketplace.messages.pages import thread_page
from marketplace.policy import SIGNED_IN, allow


def _page(number: str, part_id: int, form: MessageForm | None = None) -> Page:
    part = services.shopper_part(current_user, number, part_id)
    return thread_page(
        part,
        Side.SHOPPER,
        template="messages/thread.html",
        post_url=url_for("messages.thread", number=number, part_id=part_id),
        read_url=url_for("messages.mark_read", number=number, part_id=part_id),
        back_url=url_for("orders.detail", number=number),
        form=form,
    )


@bp.route("/orders/<number>/messages/<int:part_id>")
@allow(SIGNED_IN)
def thread(number: str, part_id: int) -> Page:
    return _page(number, part_id)


@bp.route("/orders/<number>/messages/<int:part_id>", methods=["POST"])
@allow(SIGNED_IN)
def post(number: str, part_id: int) -> Page:
    part = services.shopper_part(current_user, number, part_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.post(current_user, part, Side.SHOPPER, form.body.data or "")
        except DomainError as problem:
            form.body.errors = [problem.message]
        else:
            flash(_("Pesan terkirim ke %(name)s.", name=part.cooperative_name), "success")
            return redirect(url_for("messages.thread", number=number, part_id=part_id))
    return _page(number, part_id, form)


@bp.route("/orders/<number>/messages/<int:part_id>/read", methods=["POST"])
@allow(SIGNED_IN)
def mark_read(number: str, part_id: int) -> Page:
    part = services.shopper_part(current_user, number, part_id)
    if ReadForm().validate_on_submit():
        services.mark_read(part, Side.SHOPPER)
    return redirect(url_for("messages.thread", number=number, part_id=part_id))


@bp.app_context_processor
def _message_helpers() -> dict[str, Any]:
    """What the shopper's order page (below this package) shows of its threads."""
    return {"shopper_unread_messages": _shopper_unread}


def _shopper_unread(order: Any) -> dict[int, int]:
    return services.unread_counts((part.id for part in order.vendor_orders), Side.SHOPPER)
