"""The vendor order's status machine: every allowed move is one row of `TRANSITIONS`.

::

    awaiting_payment → paid → accepted → shipped | ready_for_pickup → delivered → completed
           │             │                                ▲
           │ (pay at pickup: the cooperative accepts      │ (pay at pickup: paid at handover)
           │  before payment)   → accepted ───────────────┘
           └─→ cancelled (shopper or cooperative before acceptance, or expiry) → refunded (if paid)

A delivered part completes when the shopper confirms receipt, or by itself ORDER_AUTO_COMPLETE_DAYS
after delivery (the periodic job).

A city administrator may also cancel a part that has not left the cooperative yet (awaiting
payment, paid, accepted, ready for pickup), for instance when the cooperative cannot deliver.

A row names who may make the move (shopper, cooperative, payment service, system) and, where the
move depends on the order, a condition (the rows and the table have the shape of every status
machine: `marketplace.transitions`). Anything not in the table raises `InvalidTransition`;
`marketplace.orders.moves` applies a move (guarded update, event, stock, email).

`FulfilmentGroup` is the cooperative's view of the same machine: the work queue a vendor order
sits in, named after the cooperative's next move (`group_of`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.labels import LabelledEnum
from marketplace.orders.exceptions import InvalidTransition
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from marketplace.transitions import Transition as GenericTransition
from marketplace.transitions import TransitionTable, row

S = VendorOrderStatus
SHOPPER, COOPERATIVE, PAYMENT, SYSTEM, CITY_ADMIN = (
    ActorKind.SHOPPER,
    ActorKind.COOPERATIVE,
    ActorKind.PAYMENT,
    ActorKind.SYSTEM,
    ActorKind.CITY_ADMIN,
)


def pays_at_pickup(vendor_order: VendorOrder) -> bool:
    return vendor_order.order.payment_method == PaymentMethod.PAY_AT_PICKUP


def _pays_in_advance(vendor_order: VendorOrder) -> bool:
    return not pays_at_pickup(vendor_order)


def _picked_up(vendor_order: VendorOrder) -> bool:
    return vendor_order.delivery_method == DeliveryMethod.PICKUP


def _sent(vendor_order: VendorOrder) -> bool:
    return vendor_order.delivery_method != DeliveryMethod.PICKUP


def _unpaid_pickup(vendor_order: VendorOrder) -> bool:
    return pays_at_pickup(vendor_order) and vendor_order.paid_at is None


def _was_paid(vendor_order: VendorOrder) -> bool:
    return vendor_order.paid_at is not None


Transition = GenericTransition[VendorOrderStatus, ActorKind, VendorOrder]


TRANSITIONS: tuple[Transition, ...] = (
    row(S.AWAITING_PAYMENT, S.PAID, {PAYMENT}, _pays_in_advance),
    row(S.AWAITING_PAYMENT, S.ACCEPTED, {COOPERATIVE}, pays_at_pickup),
    row(S.AWAITING_PAYMENT, S.CANCELLED, {SHOPPER, COOPERATIVE, SYSTEM, CITY_ADMIN}),
    row(S.PAID, S.ACCEPTED, {COOPERATIVE}),
    row(S.PAID, S.CANCELLED, {SHOPPER, COOPERATIVE, CITY_ADMIN}),
    row(S.ACCEPTED, S.CANCELLED, {CITY_ADMIN}),
    row(S.ACCEPTED, S.SHIPPED, {COOPERATIVE}, _sent),
    row(S.ACCEPTED, S.READY_FOR_PICKUP, {COOPERATIVE}, _picked_up),
    row(S.SHIPPED, S.DELIVERED, {COOPERATIVE}),
    row(S.READY_FOR_PICKUP, S.DELIVERED, {COOPERATIVE}),
    # Pay at pickup, never collected: expires a configurable time after "ready for pickup".
    row(S.READY_FOR_PICKUP, S.CANCELLED, {SYSTEM}, _unpaid_pickup),
    row(S.READY_FOR_PICKUP, S.CANCELLED, {CITY_ADMIN}),
    # The shopper confirms receipt ("Pesanan diterima"), or the periodic job completes the part
    # ORDER_AUTO_COMPLETE_DAYS after delivery.
    row(S.DELIVERED, S.COMPLETED, {SHOPPER, SYSTEM}),
    row(S.CANCELLED, S.REFUNDED, {PAYMENT}, _was_paid),
)

#: The machine: `TRANSITIONS` and the error for any other move.
MACHINE: TransitionTable[VendorOrderStatus, ActorKind, VendorOrder] = TransitionTable(
    VendorOrderStatus, TRANSITIONS, InvalidTransition
)

#: Statuses that hold reserved stock: leaving them for "cancelled" releases it.
HOLDS_STOCK = frozenset({S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.SHIPPED, S.READY_FOR_PICKUP})


def find_transition(
    vendor_order: VendorOrder, target: VendorOrderStatus, actor: ActorKind
) -> Transition:
    """The row allowing ``actor`` to move this vendor order to ``target``, or InvalidTransition."""
    return MACHINE.find(vendor_order.state, target, actor=actor, obj=vendor_order)


def can_move(vendor_order: VendorOrder, target: VendorOrderStatus, actor: ActorKind) -> bool:
    """Whether the move is allowed now (for showing or hiding a button)."""
    return MACHINE.can_move(vendor_order.state, target, actor=actor, obj=vendor_order)


class FulfilmentGroup(LabelledEnum):
    """The cooperative's work queues, in the order its screens list them. Every vendor order is in
    exactly one (`group_of`)."""

    #: Paid, or pay at pickup: the cooperative accepts or rejects.
    TO_ACCEPT = "to_accept", _l("Pesanan baru")
    #: Accepted: pack, then ship or set out for pickup.
    TO_PACK = "to_pack", _l("Perlu dikemas")
    #: Shipped or ready for pickup: confirm the handover.
    ON_THE_WAY = "on_the_way", _l("Dikirim atau siap diambil")
    #: Handed over; completes when the shopper confirms receipt, or by itself after a few days.
    DELIVERED = "delivered", _l("Diterima pembeli")
    #: Card or transfer not paid yet: nothing to do but wait.
    AWAITING_PAYMENT = "awaiting_payment", _l("Menunggu pembayaran")
    #: Completed, cancelled or refunded.
    CLOSED = "closed", _l("Selesai dan batal")


#: Groups in which the cooperative has a move to make.
NEEDS_ACTION = (FulfilmentGroup.TO_ACCEPT, FulfilmentGroup.TO_PACK, FulfilmentGroup.ON_THE_WAY)

_GROUP_BY_STATUS = {
    S.PAID: FulfilmentGroup.TO_ACCEPT,
    S.ACCEPTED: FulfilmentGroup.TO_PACK,
    S.SHIPPED: FulfilmentGroup.ON_THE_WAY,
    S.READY_FOR_PICKUP: FulfilmentGroup.ON_THE_WAY,
    S.DELIVERED: FulfilmentGroup.DELIVERED,
    S.COMPLETED: FulfilmentGroup.CLOSED,
    S.CANCELLED: FulfilmentGroup.CLOSED,
    S.REFUNDED: FulfilmentGroup.CLOSED,
}


def group_of(status: VendorOrderStatus | str, at_pickup: bool) -> FulfilmentGroup:
    """The work queue of a vendor order with this status; ``at_pickup``: its order is paid at
    pickup. (Unpaid, a pay-at-pickup order waits for the cooperative to accept it; a card or
    transfer order waits for the money.)"""
    status = VendorOrderStatus(status)
    if status == S.AWAITING_PAYMENT:
        return FulfilmentGroup.TO_ACCEPT if at_pickup else FulfilmentGroup.AWAITING_PAYMENT
    return _GROUP_BY_STATUS[status]


def vendor_order_group(vendor_order: VendorOrder) -> FulfilmentGroup:
    return group_of(vendor_order.status, pays_at_pickup(vendor_order))
