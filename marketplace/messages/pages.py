"""The thread's page, the same for both sides: its messages, how many are new to the reader,
the form to write, and the form that marks it read. Reading it writes nothing."""

from __future__ import annotations

from flask import render_template

from marketplace.http import Page, form_status
from marketplace.messages import services
from marketplace.messages.forms import MessageForm, ReadForm
from marketplace.messages.models import Side
from marketplace.orders.models import VendorOrder


def thread_page(
    part: VendorOrder,
    reader: Side,
    *,
    template: str,
    post_url: str,
    read_url: str,
    back_url: str,
    form: MessageForm | None = None,
) -> Page:
    messages = services.thread(part)
    unread = sum(
        1 for message in messages if message.side == reader.other.value and not message.read_at
    )
    return render_template(
        template,
        part=part,
        number=part.order.number,
        reader=reader,
        messages=messages,
        unread=unread,
        form=form or MessageForm(formdata=None),
        read_form=ReadForm(formdata=None),
        post_url=post_url,
        read_url=read_url,
        back_url=back_url,
    ), form_status(form) if form is not None else 200
