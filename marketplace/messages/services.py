"""Threads between a shopper and a cooperative: the thread of a vendor-order part (its shopper
and the cooperative's active members; anyone else finds nothing) and a shopper's questions about
a product before buying (one `ProductThread` per shopper and product). Posting (text and up to
MAX_PHOTOS photos), marking read, the unread counts the pages show, who may see a photo, and the
cooperative's response time. Reading never writes: a thread is marked read by a POST, or when
the reader writes in it."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.catalogue.models import Product
from marketplace.cooperatives.models import Cooperative, CooperativeMember
from marketplace.cooperatives.services import active_members
from marketplace.database import as_utc
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.messages.models import MessagePhoto, OrderMessage, ProductThread, Side
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify, whatsapp_link
from marketplace.orders.models import Order, VendorOrder
from marketplace.storage import PRIVATE_PREFIX, storage
from marketplace.uploads import check_image

BODY_MAX = 2000
MAX_PHOTOS = 3
PHOTO_FOLDER = PRIVATE_PREFIX + "messages"
#: A message photo is stored at most this many pixels on its long side.
PHOTO_MAX_SIDE = 1600
#: The cooperative's response time counts the answers of this many days.
RESPONSE_TIME_DAYS = 90

#: A part's thread, or a question about a product.
Thread = VendorOrder | ProductThread


class MessageProblem(DomainError):
    status_code = 422


# ---------------------------------------------------------------------------------------------
# Finding a thread: anyone else's is not found
# ---------------------------------------------------------------------------------------------


def shopper_part(user: User, number: str, part_id: int) -> VendorOrder:
    """A part of one of the user's orders; any other is not found."""
    part = db.session.scalar(
        select(VendorOrder)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(VendorOrder.id == part_id, Order.number == number, Order.user_id == user.id)
    )
    if part is None:
        raise NotFound()
    return part


def cooperative_part(cooperative_id: int, part_id: int) -> VendorOrder:
    """A part sold by the cooperative; another cooperative's is not found."""
    part = db.session.get(VendorOrder, part_id)
    if part is None or part.cooperative_id != cooperative_id or part.order.number is None:
        raise NotFound()
    return part


def shopper_product_thread(user: User, product: Product) -> ProductThread | None:
    """The user's questions about ``product`` so far (None before the first)."""
    return db.session.scalar(
        select(ProductThread).where(
            ProductThread.shopper_id == user.id, ProductThread.product_id == product.id
        )
    )


def cooperative_product_thread(cooperative_id: int, thread_id: int) -> ProductThread:
    """A question about one of the cooperative's products; another's is not found."""
    thread = db.session.get(ProductThread, thread_id)
    if thread is None or thread.cooperative_id != cooperative_id:
        raise NotFound()
    return thread


def _where(thread: Thread) -> ColumnElement[bool]:
    if isinstance(thread, ProductThread):
        return OrderMessage.product_thread_id == thread.id
    return OrderMessage.vendor_order_id == thread.id


def cooperative_of(thread: Thread) -> int:
    return thread.cooperative_id


def shopper_of(thread: Thread) -> int:
    return thread.shopper_id if isinstance(thread, ProductThread) else thread.order.user_id


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def thread(part: Thread) -> list[OrderMessage]:
    """The thread's messages, oldest first, with their authors and photos (three queries
    however many)."""
    return list(
        db.session.scalars(
            select(OrderMessage)
            .where(_where(part))
            .options(selectinload(OrderMessage.author), selectinload(OrderMessage.photos))
            .order_by(OrderMessage.id)
        )
    )


def _counts(column: Any, ids: list[int], reader: Side) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(column, func.count())
        .where(
            column.in_(ids),
            OrderMessage.side == reader.other.value,
            OrderMessage.read_at.is_(None),
        )
        .group_by(column)
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts


def unread_counts(part_ids: Iterable[int], reader: Side) -> dict[int, int]:
    """For each part, how many messages of the other side ``reader`` has not read (one query)."""
    return _counts(OrderMessage.vendor_order_id, list(part_ids), reader)


def product_unread_counts(thread_ids: Iterable[int], reader: Side) -> dict[int, int]:
    """For each product question, how many messages of the other side ``reader`` has not
    read (one query)."""
    return _counts(OrderMessage.product_thread_id, list(thread_ids), reader)


@dataclass
class InboxRow:
    """A thread in the cooperative's inbox: a product question or a part's thread."""

    title: str
    subtitle: str
    url_kind: str
    thread_id: int
    last_at: datetime
    unread: int


def cooperative_inbox(cooperative_id: int, limit: int = 100) -> list[InboxRow]:
    """The cooperative's threads with at least one message, latest first, with what it has not
    read (four queries however many threads)."""
    last = func.max(OrderMessage.created_at)
    products = db.session.execute(
        select(ProductThread, last)
        .join(OrderMessage, OrderMessage.product_thread_id == ProductThread.id)
        .where(ProductThread.cooperative_id == cooperative_id)
        .group_by(ProductThread.id)
        .options(selectinload(ProductThread.product), selectinload(ProductThread.shopper))
        .order_by(last.desc())
        .limit(limit)
    ).all()
    parts = db.session.execute(
        select(VendorOrder.id, Order.number, Order.recipient_name, last)
        .join(Order, Order.id == VendorOrder.order_id)
        .join(OrderMessage, OrderMessage.vendor_order_id == VendorOrder.id)
        .where(VendorOrder.cooperative_id == cooperative_id)
        .group_by(VendorOrder.id, Order.number, Order.recipient_name)
        .order_by(last.desc())
        .limit(limit)
    ).all()
    product_unread = product_unread_counts([row[0].id for row in products], Side.COOPERATIVE)
    part_unread = unread_counts([row[0] for row in parts], Side.COOPERATIVE)
    rows = [
        InboxRow(
            _("Pertanyaan tentang %(product)s", product=question.product.name),
            question.shopper.full_name,
            "product",
            question.id,
            as_utc(at),
            product_unread[question.id],
        )
        for question, at in products
    ] + [
        InboxRow(
            _("Pesanan %(number)s", number=number),
            recipient or "",
            "order",
            part_id,
            as_utc(at),
            part_unread[part_id],
        )
        for part_id, number, recipient, at in parts
    ]
    rows.sort(key=lambda row: row.last_at, reverse=True)
    return rows[:limit]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def mark_read(part: Thread, reader: Side) -> int:
    """Mark the other side's messages in the thread read; returns how many were unread."""
    result = db.session.execute(
        update(OrderMessage)
        .where(
            _where(part),
            OrderMessage.side == reader.other.value,
            OrderMessage.read_at.is_(None),
        )
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _checked_photos(photos: list[bytes]) -> list[tuple[bytes, str, str, int, int]]:
    """Each photo checked by the rules of transfer proofs (size, pixels, real images only),
    re-encoded without metadata; the first bad one refuses the message."""
    config = current_app.config
    if len(photos) > MAX_PHOTOS:
        raise MessageProblem(_("Paling banyak %(n)s foto per pesan.", n=MAX_PHOTOS))
    checked = []
    for data in photos:
        image = check_image(
            data,
            max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
            max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
            max_side=PHOTO_MAX_SIDE,
        )
        checked.append(
            (image.data, image.extension, image.content_type, image.width or 0, image.height or 0)
        )
    return checked


def _reply_seconds(part: Thread, side: Side, now: datetime) -> int | None:
    """On the cooperative's first answer after the thread's first shopper message: how long
    the shopper waited. None for any other message."""
    if side is not Side.COOPERATIVE:
        return None
    first = db.session.execute(
        select(OrderMessage.id, OrderMessage.created_at)
        .where(_where(part), OrderMessage.side == Side.SHOPPER.value)
        .order_by(OrderMessage.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    answered = db.session.scalar(
        select(OrderMessage.id)
        .where(
            _where(part),
            OrderMessage.side == Side.COOPERATIVE.value,
            OrderMessage.id > first.id,
        )
        .limit(1)
    )
    if answered is not None:
        return None
    return max(0, int((now - as_utc(first.created_at)).total_seconds()))


def post(
    author: User, part: Thread, side: Side, body: str, photos: list[bytes] | None = None
) -> OrderMessage:
    """Write in the thread as ``side``, with up to MAX_PHOTOS photos: what the other side
    wrote is now read, and the other side is told. Empty or too long text, or a photo that is
    not accepted, is refused and nothing changes (no file is stored before every check
    passed)."""
    text = (body or "").strip()
    if not text:
        raise MessageProblem(_("Tulis pesan Anda."))
    if len(text) > BODY_MAX:
        raise MessageProblem(_("Pesan paling panjang %(n)s huruf.", n=BODY_MAX))
    checked = _checked_photos([data for data in (photos or []) if data])
    now = clock.now()
    message = OrderMessage(
        side=side.value,
        author_id=author.id,
        body=text,
        created_at=now,
        reply_seconds=_reply_seconds(part, side, now),
    )
    if isinstance(part, ProductThread):
        message.product_thread_id = part.id
        part.last_message_at = now
    else:
        message.vendor_order_id = part.id
    for position, (data, extension, content_type, width, height) in enumerate(checked):
        message.photos.append(
            MessagePhoto(
                storage_key=storage().save(data, PHOTO_FOLDER, extension),
                content_type=content_type,
                width=width,
                height=height,
                position=position,
            )
        )
    db.session.add(message)
    mark_read(part, side)
    db.session.flush()
    audit.record(
        "product.question" if isinstance(part, ProductThread) else "order.message",
        part,
        actor_id=author.id,
        cooperative_id=part.cooperative_id,
        data={"photos": len(checked)} if checked else None,
    )
    if isinstance(part, ProductThread):
        _tell_about_question(part, side)
    else:
        _tell_the_other_side(part, side)
    return message


def ask_about_product(
    user: User, product: Product, body: str, photos: list[bytes]
) -> ProductThread:
    """The shopper's question about a product: their thread with its cooperative (opened on the
    first question, one per shopper and product however many tabs ask at once)."""
    if db.session.scalar(
        select(CooperativeMember.id).where(
            CooperativeMember.user_id == user.id,
            CooperativeMember.cooperative_id == product.cooperative_id,
        )
    ):
        raise MessageProblem(_("Ini produk koperasi Anda sendiri."))
    question = shopper_product_thread(user, product)
    if question is None:
        question = ProductThread(
            product_id=product.id,
            cooperative_id=product.cooperative_id,
            shopper_id=user.id,
            created_at=clock.now(),
            last_message_at=clock.now(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(question)
                db.session.flush()
        except IntegrityError:
            # Another tab opened it first: write in that one.
            question = shopper_product_thread(user, product)
            if question is None:
                raise
    post(user, question, Side.SHOPPER, body, photos)
    return question


def _tell_the_other_side(part: VendorOrder, side: Side) -> None:
    order = part.order
    number = order.number or ""
    if side is Side.SHOPPER:
        notify(
            active_members(part.cooperative_id),
            NotificationKind.MESSAGE,
            lambda: _("Pesan baru dari pembeli tentang pesanan %(number)s.", number=number),
            "vendors.order_messages",
            whatsapp_url=whatsapp_link(order.phone, number),
            vendor_order_id=part.id,
        )
    else:
        shopper = db.session.get(User, order.user_id)
        cooperative = db.session.get(Cooperative, part.cooperative_id)
        notify(
            [shopper] if shopper is not None else [],
            NotificationKind.MESSAGE,
            lambda: _(
                "Pesan baru dari %(name)s tentang pesanan %(number)s.",
                name=part.cooperative_name,
                number=number,
            ),
            "messages.thread",
            whatsapp_url=whatsapp_link(cooperative.whatsapp if cooperative else None, number),
            number=number,
            part_id=part.id,
        )


def _tell_about_question(question: ProductThread, side: Side) -> None:
    product = question.product
    if side is Side.SHOPPER:
        notify(
            active_members(question.cooperative_id),
            NotificationKind.MESSAGE,
            lambda: _("Pertanyaan baru dari pembeli tentang %(product)s.", product=product.name),
            "vendors.product_question",
            thread_id=question.id,
        )
    else:
        notify(
            [question.shopper],
            NotificationKind.MESSAGE,
            lambda: _(
                "%(name)s menjawab pertanyaan Anda tentang %(product)s.",
                name=product.cooperative.name,
                product=product.name,
            ),
            "messages.product_question",
            slug=product.slug,
        )


# ---------------------------------------------------------------------------------------------
# Photos: only the thread's two sides and the city
# ---------------------------------------------------------------------------------------------


def visible_photo(viewer: User, photo_id: int) -> MessagePhoto:
    """A photo of a thread ``viewer`` is a side of (the shopper, an active member of the
    cooperative) or any photo for the city's staff; any other is not found, exactly like a
    photo that does not exist."""
    photo = db.session.get(MessagePhoto, photo_id)
    if photo is None:
        raise NotFound()
    if viewer.is_city_admin:
        return photo
    message = db.session.get(OrderMessage, photo.message_id)
    assert message is not None
    part: Thread | None = (
        db.session.get(ProductThread, message.product_thread_id)
        if message.product_thread_id is not None
        else db.session.get(VendorOrder, message.vendor_order_id)
    )
    if part is None:
        raise NotFound()
    if shopper_of(part) == viewer.id:
        return photo
    if any(member.id == viewer.id for member in active_members(cooperative_of(part))):
        cooperative = db.session.get(Cooperative, cooperative_of(part))
        if cooperative is not None and cooperative.is_approved:
            return photo
    raise NotFound()


def photo_file(photo: MessagePhoto) -> bytes:
    try:
        return storage().read(photo.storage_key)
    except FileNotFoundError as error:
        raise NotFound() from error


# ---------------------------------------------------------------------------------------------
# The cooperative's response time
# ---------------------------------------------------------------------------------------------


def response_seconds(cooperative_id: int) -> int | None:
    """The median time the cooperative took to answer a shopper's first message in a thread,
    over the last RESPONSE_TIME_DAYS days (one query over the stored reply times); None
    before any answer."""
    since = clock.now() - timedelta(days=RESPONSE_TIME_DAYS)
    waits = db.session.scalars(
        select(OrderMessage.reply_seconds)
        .outerjoin(VendorOrder, VendorOrder.id == OrderMessage.vendor_order_id)
        .outerjoin(ProductThread, ProductThread.id == OrderMessage.product_thread_id)
        .where(
            OrderMessage.reply_seconds.is_not(None),
            OrderMessage.created_at >= since,
            or_(
                VendorOrder.cooperative_id == cooperative_id,
                ProductThread.cooperative_id == cooperative_id,
            ),
        )
    ).all()
    values = [int(wait) for wait in waits if wait is not None]
    return int(statistics.median_low(values)) if values else None


def response_time_text(seconds: int | None) -> str | None:
    """ "Biasanya membalas dalam ± 2 jam": minutes under an hour, hours under two days, days
    after that (rounded, never 0)."""
    if seconds is None:
        return None
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return str(_("Biasanya membalas dalam ± %(n)s menit", n=minutes))
    hours = max(1, round(seconds / 3600))
    if hours < 48:
        return str(_("Biasanya membalas dalam ± %(n)s jam", n=hours))
    return str(_("Biasanya membalas dalam ± %(n)s hari", n=max(2, round(seconds / 86400))))
