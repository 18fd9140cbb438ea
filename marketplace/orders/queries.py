"""The order pages' reads: the shopper's orders and the cooperative's work queues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.lifecycle import (
    FulfilmentGroup,
    group_of,
)
from marketplace.orders.models import (
    ActorKind,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.orders.moves import due_move

S = VendorOrderStatus


# ------------------------------------------------------------------------------------------
# The shopper's pages
# ------------------------------------------------------------------------------------------


def list_orders(user: User, page: int = 1, per_page: int = 20) -> tuple[list[Order], bool]:
    """The user's orders, newest first, and whether there is a next page."""
    page = max(page, 1)
    orders = list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user.id)
            # The events say whether a transfer proof is being checked (`status_label`).
            .options(selectinload(Order.vendor_orders).selectinload(VendorOrder.events))
            .order_by(Order.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return orders[:per_page], len(orders) > per_page


def _load_order(user: User, number: str) -> Order:
    order = db.session.scalar(
        select(Order)
        .where(Order.number == number, Order.user_id == user.id)
        .options(
            selectinload(Order.vendor_orders).selectinload(VendorOrder.lines),
            selectinload(Order.vendor_orders).selectinload(VendorOrder.events),
            selectinload(Order.vendor_orders).joinedload(VendorOrder.cooperative),
        )
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound()
    return order


def open_order(user: User, number: str) -> Order:
    """One of the user's orders, fully loaded, as its pages show it now.

    A part whose payment or pickup time ran out shows as cancelled, and one delivered long ago
    as completed, with the system's note on its timeline, although only the periodic job writes
    that move (`moves.expire_vendor_order`): a page never writes. The order is then a copy that
    has left the session, so nothing shown can reach the database.
    """
    order = _load_order(user, number)
    now = clock.now()
    due = [(part, due_move(part, now)) for part in order.vendor_orders]
    if not any(move for _part, move in due):
        return order
    db.session.expunge(order)  # with its parts, their lines and events (cascade)
    for part, move in due:
        if move is not None:
            _show_move(part, *move, now)
    return order


def _show_move(part: VendorOrder, target: VendorOrderStatus, note: str, now: datetime) -> None:
    """Show the system's due move on a part that left the session (never written from here)."""
    source = part.state
    part.status = target
    if target == S.CANCELLED:
        part.cancel_reason = note
    part.events.append(
        VendorOrderEvent(
            from_status=source,
            to_status=target,
            actor_kind=ActorKind.SYSTEM,
            note=note,
            created_at=now,
        )
    )


# ------------------------------------------------------------------------------------------
# The cooperative's pages (reads only: its moves are above)
# ------------------------------------------------------------------------------------------


def _pays_at_pickup() -> ColumnElement[bool]:
    return Order.payment_method == PaymentMethod.PAY_AT_PICKUP


def _in_group(group: FulfilmentGroup) -> ColumnElement[bool]:
    """`lifecycle.group_of` as SQL, derived from it so the two can never disagree."""
    whole: list[VendorOrderStatus] = []
    split: list[ColumnElement[bool]] = []
    for status in S:
        at_pickup = group_of(status, at_pickup=True) == group
        in_advance = group_of(status, at_pickup=False) == group
        if at_pickup and in_advance:
            whole.append(status)
        elif at_pickup:
            split.append(and_(VendorOrder.status == status, _pays_at_pickup()))
        elif in_advance:
            split.append(and_(VendorOrder.status == status, not_(_pays_at_pickup())))
    return or_(VendorOrder.status.in_(whole), *split)


def fulfilment_counts(cooperative_id: int) -> dict[FulfilmentGroup, int]:
    """How many of the cooperative's vendor orders sit in each group (one query)."""
    rows = db.session.execute(
        select(VendorOrder.status, Order.payment_method, func.count())
        .join(VendorOrder.order)
        .where(VendorOrder.cooperative_id == cooperative_id)
        .group_by(VendorOrder.status, Order.payment_method)
    ).all()
    counts = dict.fromkeys(FulfilmentGroup, 0)
    for status, payment_method, count in rows:
        counts[group_of(status, payment_method == PaymentMethod.PAY_AT_PICKUP)] += int(count)
    return counts


#: Queues of work list the oldest first (first come, first served); the others the newest first.
_OLDEST_FIRST = frozenset(
    {
        FulfilmentGroup.TO_ACCEPT,
        FulfilmentGroup.TO_PACK,
        FulfilmentGroup.ON_THE_WAY,
        FulfilmentGroup.AWAITING_PAYMENT,
    }
)


def list_vendor_orders(
    cooperative_id: int, group: FulfilmentGroup, page: int = 1, per_page: int = 20
) -> tuple[list[VendorOrder], bool]:
    """One page of the cooperative's vendor orders in a group, with their order and lines
    loaded (a fixed number of queries), and whether there is a next page."""
    page = max(page, 1)
    order_by = VendorOrder.id.asc() if group in _OLDEST_FIRST else VendorOrder.id.desc()
    vendor_orders = list(
        db.session.scalars(
            select(VendorOrder)
            .join(VendorOrder.order)
            .where(VendorOrder.cooperative_id == cooperative_id, _in_group(group))
            .options(contains_eager(VendorOrder.order), selectinload(VendorOrder.lines))
            .order_by(order_by)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return vendor_orders[:per_page], len(vendor_orders) > per_page


def _load_vendor_order(cooperative_id: int, vendor_order_id: int) -> VendorOrder:
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .where(VendorOrder.id == vendor_order_id, VendorOrder.cooperative_id == cooperative_id)
        .options(
            joinedload(VendorOrder.order),
            joinedload(VendorOrder.cooperative),
            selectinload(VendorOrder.lines),
            selectinload(VendorOrder.events),
        )
        .execution_options(populate_existing=True)
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def open_vendor_order(cooperative_id: int, vendor_order_id: int) -> VendorOrder:
    """One of the cooperative's vendor orders, fully loaded, as its page and packing slip show
    it now; another cooperative's is not found.

    As on the shopper's page (`open_order`), a part whose time ran out shows as cancelled and
    one delivered long ago as completed, with the system's note, without writing: the periodic
    job writes the move. The part is then a copy that has left the session.
    """
    vendor_order = _load_vendor_order(cooperative_id, vendor_order_id)
    now = clock.now()
    move = due_move(vendor_order, now)
    if move is not None:
        db.session.expunge(vendor_order)  # with its lines and events (cascade)
        _show_move(vendor_order, *move, now)
    return vendor_order
