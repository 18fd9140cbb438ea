"""The vendor order's status machine: every allowed move is one row of `TRANSITIONS`.

::

    awaiting_payment → paid → accepted → shipped | ready_for_pickup → delivered → completed
           │             │                                ▲
           │ (pay at pickup: the cooperative accepts      │ (pay at pickup: paid at handover)
           │  before payment)   → accepted ───────────────┘
           └─→ cancelled (shopper or cooperative before acceptance, or expiry) → refunded (if paid)

A row names who may make the move (shopper, cooperative, payment service, system) and, where the
move depends on the order, a condition. Anything not in the table raises `InvalidTransition`;
`marketplace.orders.services` applies a move (guarded update, event, stock, email).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marketplace.orders.exceptions import InvalidTransition
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)

S = VendorOrderStatus
SHOPPER, COOPERATIVE, PAYMENT, SYSTEM = (
    ActorKind.SHOPPER,
    ActorKind.COOPERATIVE,
    ActorKind.PAYMENT,
    ActorKind.SYSTEM,
)


def _always(vendor_order: VendorOrder) -> bool:
    return True


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


@dataclass(frozen=True)
class Transition:
    source: VendorOrderStatus
    target: VendorOrderStatus
    actors: frozenset[ActorKind]
    condition: Callable[[VendorOrder], bool] = field(default=_always)


def _t(
    source: VendorOrderStatus,
    target: VendorOrderStatus,
    actors: set[ActorKind],
    condition: Callable[[VendorOrder], bool] = _always,
) -> Transition:
    return Transition(source, target, frozenset(actors), condition)


TRANSITIONS: tuple[Transition, ...] = (
    _t(S.AWAITING_PAYMENT, S.PAID, {PAYMENT}, _pays_in_advance),
    _t(S.AWAITING_PAYMENT, S.ACCEPTED, {COOPERATIVE}, pays_at_pickup),
    _t(S.AWAITING_PAYMENT, S.CANCELLED, {SHOPPER, COOPERATIVE, SYSTEM}),
    _t(S.PAID, S.ACCEPTED, {COOPERATIVE}),
    _t(S.PAID, S.CANCELLED, {SHOPPER, COOPERATIVE}),
    _t(S.ACCEPTED, S.SHIPPED, {COOPERATIVE}, _sent),
    _t(S.ACCEPTED, S.READY_FOR_PICKUP, {COOPERATIVE}, _picked_up),
    _t(S.SHIPPED, S.DELIVERED, {COOPERATIVE}),
    _t(S.READY_FOR_PICKUP, S.DELIVERED, {COOPERATIVE}),
    # Pay at pickup, never collected: expires a configurable time after "ready for pickup".
    _t(S.READY_FOR_PICKUP, S.CANCELLED, {SYSTEM}, _unpaid_pickup),
    _t(S.DELIVERED, S.COMPLETED, {SYSTEM}),
    _t(S.CANCELLED, S.REFUNDED, {PAYMENT}, _was_paid),
)

#: Statuses that hold reserved stock: leaving them for "cancelled" releases it.
HOLDS_STOCK = frozenset({S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.SHIPPED, S.READY_FOR_PICKUP})


def find_transition(
    vendor_order: VendorOrder, target: VendorOrderStatus, actor: ActorKind
) -> Transition:
    """The row allowing ``actor`` to move this vendor order to ``target``, or InvalidTransition."""
    source = vendor_order.state
    for transition in TRANSITIONS:
        if (
            transition.source == source
            and transition.target == target
            and actor in transition.actors
            and transition.condition(vendor_order)
        ):
            return transition
    raise InvalidTransition(source, target)


def can_move(vendor_order: VendorOrder, target: VendorOrderStatus, actor: ActorKind) -> bool:
    """Whether the move is allowed now (for showing or hiding a button)."""
    try:
        find_transition(vendor_order, target, actor)
    except InvalidTransition:
        return False
    return True
