"""The cooperative's side of its threads with shoppers: its inbox (questions about its products
and its parts' threads, with what it has not read), a part's thread and a product question
(screens over `messages.services`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.cooperatives.access import ACTIVE_COOPERATIVE_MEMBER
from marketplace.errors import DomainError
from marketplace.extensions import limiter
from marketplace.http import Page, user_or_address
from marketplace.messages import services as message_services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import Side
from marketplace.messages.pages import thread_page
from marketplace.messages.routes import message_limit
from marketplace.policy import allow
from marketplace.vendors import bp
from marketplace.vendors.common import current_cooperative_id


@bp.route("/messages")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def inbox() -> Page:
    return render_template(
        "vendors/inbox.html", rows=message_services.cooperative_inbox(current_cooperative_id())
    )


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
@limiter.shared_limit(message_limit, scope="messages", key_func=user_or_address)
def post_message(vendor_order_id: int) -> Page:
    part = message_services.cooperative_part(current_cooperative_id(), vendor_order_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message_services.post(
                current_user, part, Side.COOPERATIVE, form.body.data or "", form.photo_data()
            )
        except DomainError as problem:
            form.photos.errors = [problem.message]
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


def _question_page(thread_id: int, form: MessageForm | None = None) -> Page:
    question = message_services.cooperative_product_thread(current_cooperative_id(), thread_id)
    return thread_page(
        question,
        Side.COOPERATIVE,
        template="vendors/messages.html",
        post_url=url_for("vendors.answer_question", thread_id=thread_id),
        read_url=url_for("vendors.question_read", thread_id=thread_id),
        back_url=url_for("vendors.inbox"),
        form=form,
        heading=_("Pertanyaan tentang %(product)s", product=question.product.name),
        intro=_(
            "Pertanyaan %(name)s sebelum membeli. Hanya penanya dan pengurus koperasi yang dapat "
            "membacanya.",
            name=question.shopper.full_name,
        ),
        back_label=_("Kotak pesan"),
        submit_label=_("Kirim jawaban"),
    )


@bp.route("/messages/products/<int:thread_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def product_question(thread_id: int) -> Page:
    return _question_page(thread_id)


@bp.route("/messages/products/<int:thread_id>", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
@limiter.shared_limit(message_limit, scope="messages", key_func=user_or_address)
def answer_question(thread_id: int) -> Page:
    question = message_services.cooperative_product_thread(current_cooperative_id(), thread_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message_services.post(
                current_user, question, Side.COOPERATIVE, form.body.data or "", form.photo_data()
            )
        except DomainError as problem:
            form.photos.errors = [problem.message]
        else:
            flash(_("Jawaban terkirim ke pembeli."), "success")
            return redirect(url_for("vendors.product_question", thread_id=thread_id))
    return _question_page(thread_id, form)


@bp.route("/messages/products/<int:thread_id>/read", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def question_read(thread_id: int) -> Page:
    question = message_services.cooperative_product_thread(current_cooperative_id(), thread_id)
    if ReadForm().validate_on_submit():
        message_services.mark_read(question, Side.COOPERATIVE)
    return redirect(url_for("vendors.product_question", thread_id=thread_id))
