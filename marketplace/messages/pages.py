"""The thread's page, the same for both sides and for both kinds of thread (a part's, a question
about a product): its messages with their photos, how many are new to the reader, the form to
write, and the form that marks it read. Reading it writes nothing."""

from __future__ import annotations

from flask import render_template

from marketplace.http import Page, form_status
from marketplace.messages import services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import ProductThread, Side


def thread_page(
    part: services.Thread | None,
    reader: Side,
    *,
    template: str,
    post_url: str,
    read_url: str | None,
    back_url: str,
    form: MessageForm | None = None,
    **context: object,
) -> Page:
    """``part`` is None for a question about a product not asked yet (an empty thread whose
    first message opens it)."""
    messages = services.thread(part) if part is not None else []
    unread = sum(
        1 for message in messages if message.side == reader.other.value and not message.read_at
    )
    number = None if part is None or isinstance(part, ProductThread) else part.order.number
    return render_template(
        template,
        part=part,
        number=number,
        reader=reader,
        messages=messages,
        unread=unread,
        form=form or MessageForm(formdata=None),
        read_form=ReadForm(formdata=None),
        post_url=post_url,
        read_url=read_url,
        back_url=back_url,
        **context,
    ), form_status(form) if form is not None else 200
