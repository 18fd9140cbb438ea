"""The shopper's side of threads: a part's thread (the cooperative's side is in its workspace),
questions about a product before buying ("Tanya koperasi"), the photos of messages (for the
thread's two sides and the city only), and the helpers the order and cooperative pages use."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.catalogue.services import get_public_product
from marketplace.errors import DomainError
from marketplace.extensions import limiter
from marketplace.http import Page, private_download, user_or_address
from marketplace.messages import bp, services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import Side
from marketplace.messages.pages import thread_page
from marketplace.policy import SIGNED_IN, allow


def message_limit() -> str:
    """One allowance per account for every message and question it writes, on both sides."""
    return str(current_app.config["RATELIMIT_MESSAGES"])


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
@limiter.shared_limit(message_limit, scope="messages", key_func=user_or_address)
def post(number: str, part_id: int) -> Page:
    part = services.shopper_part(current_user, number, part_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.post(current_user, part, Side.SHOPPER, form.body.data or "", form.photo_data())
        except DomainError as problem:
            form.photos.errors = [problem.message]
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


# --- Questions about a product before buying ------------------------------------------------


def _question_page(slug: str, form: MessageForm | None = None) -> Page:
    product = get_public_product(slug)
    question = services.shopper_product_thread(current_user, product)
    cooperative = product.cooperative.name
    return thread_page(
        question,
        Side.SHOPPER,
        template="messages/thread.html",
        post_url=url_for("messages.ask", slug=slug),
        read_url=url_for("messages.question_read", slug=slug) if question else None,
        back_url=url_for("catalogue.product", slug=slug),
        form=form,
        heading=_("Tanya %(name)s", name=cooperative),
        intro=_(
            "Pertanyaan Anda tentang %(product)s. Hanya Anda dan pengurus %(name)s yang dapat "
            "membacanya; kami kabari saat mereka menjawab.",
            product=product.name,
            name=cooperative,
        ),
        back_label=product.name,
        empty_text=_("Tanyakan stok, ukuran, rasa, atau pengiriman sebelum membeli."),
        submit_label=_("Kirim pertanyaan"),
    )


@bp.route("/products/<slug>/questions")
@allow(SIGNED_IN)
def product_question(slug: str) -> Page:
    return _question_page(slug)


@bp.route("/products/<slug>/questions", methods=["POST"])
@allow(SIGNED_IN)
@limiter.shared_limit(message_limit, scope="messages", key_func=user_or_address)
def ask(slug: str) -> Page:
    product = get_public_product(slug)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.ask_about_product(
                current_user, product, form.body.data or "", form.photo_data()
            )
        except DomainError as problem:
            form.photos.errors = [problem.message]
        else:
            flash(_("Pertanyaan terkirim ke %(name)s.", name=product.cooperative.name), "success")
            return redirect(url_for("messages.product_question", slug=slug))
    return _question_page(slug, form)


@bp.route("/products/<slug>/questions/read", methods=["POST"])
@allow(SIGNED_IN)
def question_read(slug: str) -> Page:
    question = services.shopper_product_thread(current_user, get_public_product(slug))
    if question is not None and ReadForm().validate_on_submit():
        services.mark_read(question, Side.SHOPPER)
    return redirect(url_for("messages.product_question", slug=slug))


# --- Photos ---------------------------------------------------------------------------------


@bp.route("/messages/photos/<int:photo_id>")
@allow(SIGNED_IN)
def photo(photo_id: int) -> Response:
    """A message's photo, for the thread's two sides and the city; anyone else: 404."""
    found = services.visible_photo(current_user, photo_id)
    extension = found.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    return private_download(
        services.photo_file(found),
        found.content_type,
        f"foto-pesan-{found.id}.{extension}",
        inline=True,
    )


# --- What the pages below this package show -------------------------------------------------


@bp.app_context_processor
def _message_helpers() -> dict[str, Any]:
    """What the shopper's order page and the cooperative's public page (below this package)
    show of messages."""
    return {
        "shopper_unread_messages": _shopper_unread,
        "cooperative_response_time": _response_time,
    }


def _shopper_unread(order: Any) -> dict[int, int]:
    return services.unread_counts((part.id for part in order.vendor_orders), Side.SHOPPER)


def _response_time(cooperative: Any) -> str | None:
    return services.response_time_text(services.response_seconds(cooperative.id))
