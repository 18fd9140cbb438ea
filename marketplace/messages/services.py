"""The thread of a vendor-order part: who may read and write it (the part's shopper and the
cooperative's active members; anyone else finds nothing), posting, marking read, and the unread
counts the order pages show. Reading never writes: a thread is marked read by a POST, or when
the reader writes in it."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.services import active_members
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.messages.models import OrderMessage, Side
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify
from marketplace.orders.models import Order, VendorOrder

BODY_MAX = 2000


class MessageProblem(DomainError):
    status_code = 422


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


def thread(part: VendorOrder) -> list[OrderMessage]:
    """The part's messages, oldest first, with their authors (two queries however many)."""
    return list(
        db.session.scalars(
            select(OrderMessage)
            .where(OrderMessage.vendor_order_id == part.id)
            .options(selectinload(OrderMessage.author))
            .order_by(OrderMessage.id)
        )
    )


def unread_counts(part_ids: Iterable[int], reader: Side) -> dict[int, int]:
    """For each part, how many messages of the other side ``reader`` has not read (one query)."""
    ids = list(part_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(OrderMessage.vendor_order_id, func.count())
        .where(
            OrderMessage.vendor_order_id.in_(ids),
            OrderMessage.side == reader.other.value,
            OrderMessage.read_at.is_(None),
        )
        .group_by(OrderMessage.vendor_order_id)
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts


def mark_read(part: VendorOrder, reader: Side) -> int:
    """Mark the other side's messages in the thread read; returns how many were unread."""
    result = db.session.execute(
        update(OrderMessage)
        .where(
            OrderMessage.vendor_order_id == part.id,
            OrderMessage.side == reader.other.value,
            OrderMessage.read_at.is_(None),
        )
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def post(author: User, part: VendorOrder, side: Side, body: str) -> OrderMessage:
    """Write in the thread as ``side``: what the other side wrote is now read, and the other
    side is told. Empty or too long text is refused and nothing changes."""
    text = (body or "").strip()
    if not text:
        raise MessageProblem(_("Tulis pesan Anda."))
    if len(text) > BODY_MAX:
        raise MessageProblem(_("Pesan paling panjang %(n)s huruf.", n=BODY_MAX))
    message = OrderMessage(
        vendor_order_id=part.id,
        side=side.value,
        author_id=author.id,
        body=text,
        created_at=clock.now(),
    )
    db.session.add(message)
    mark_read(part, side)
    db.session.flush()
    audit.record("order.message", part, actor_id=author.id, cooperative_id=part.cooperative_id)
    _tell_the_other_side(part, side)
    return message


def _tell_the_other_side(part: VendorOrder, side: Side) -> None:
    order = part.order
    number = order.number or ""
    if side is Side.SHOPPER:
        notify(
            active_members(part.cooperative_id),
            NotificationKind.MESSAGE,
            lambda: _("Pesan baru dari pembeli tentang pesanan %(number)s.", number=number),
            "vendors.order_messages",
            vendor_order_id=part.id,
        )
    else:
        shopper = db.session.get(User, order.user_id)
        notify(
            [shopper] if shopper is not None else [],
            NotificationKind.MESSAGE,
            lambda: _(
                "Pesan baru dari %(name)s tentang pesanan %(number)s.",
                name=part.cooperative_name,
                number=number,
            ),
            "messages.thread",
            number=number,
            part_id=part.id,
        )
