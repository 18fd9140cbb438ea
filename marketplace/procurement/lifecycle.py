"""The procurement status machines: one table of allowed moves per stateful object.

::

    request:        draft → sent → awarded            (draft | sent → cancelled)

    quotation:      invited → quoted ⇄ countered → agreed → forwarded → approved
                       │        │         │                   │    ▲
                       │        │         └→ agreed           └→ returned ─→ countered
                       └→ declined, quoted/countered → lapsed; open ones → withdrawn

    purchase order: issued → accepted → partly_delivered → delivered ⇄ closed
                       └→ declined | lapsed | cancelled   accepted → cancelled
                    (closed → delivered when a payment is reversed)

    delivery:       sent → inspected (the BAST)   sent → withdrawn
    invoice:        issued ⇄ paid     issued → cancelled (then replaced by a new invoice)
                    (paid → issued when the treasurer reverses a payment recorded by mistake)

A row names the source, the target, who may make the move (an agency role, the cooperative or
the system) and, where the move depends on the object, a condition (the shape of every status
machine: `marketplace.transitions`). Anything not in the table
raises `InvalidTransition`. The services (`marketplace.procurement.common.move`) apply a move
with a guarded update, write the timeline event and the audit entry; the business rules that
need more than the object (the ceiling, the value band, the splitting check, the card limit)
are checked by the services with their own messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marketplace.procurement.exceptions import InvalidTransition
from marketplace.procurement.models import (
    Actor,
    Delivery,
    DeliveryStatus,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    PurchaseOrder,
    Quotation,
    QuotationStatus,
    RequestStatus,
)
from marketplace.transitions import Transition as GenericTransition
from marketplace.transitions import TransitionTable, row

PP, PPK, PENERIMA, BENDAHARA, COOPERATIVE, SYSTEM = (
    Actor.PEJABAT_PENGADAAN,
    Actor.PPK,
    Actor.PENERIMA,
    Actor.BENDAHARA,
    Actor.COOPERATIVE,
    Actor.SYSTEM,
)
R, Q, PO, D, INV = RequestStatus, QuotationStatus, OrderStatus, DeliveryStatus, InvoiceStatus


Transition = GenericTransition[Any, Actor, Any]


def _t(
    source: str, target: str, actors: set[Actor], condition: Callable[[Any], bool] | None = None
) -> Transition:
    return row(source, target, actors, condition)


# --- conditions on a purchase order -----------------------------------------------------------


def no_pending_delivery(order: PurchaseOrder) -> bool:
    """No delivery waits for inspection (its goods are neither accepted nor refused yet)."""
    return not any(delivery.status == D.SENT for delivery in order.deliveries)


def everything_accepted(order: PurchaseOrder) -> bool:
    return all(line.accepted_quantity == line.quantity for line in order.lines)


def something_accepted(order: PurchaseOrder) -> bool:
    return any(line.accepted_quantity > 0 for line in order.lines)


def fully_invoiced_and_paid(order: PurchaseOrder) -> bool:
    """Every BAST with accepted goods has its invoice, and every invoice is paid."""
    if not no_pending_delivery(order):
        return False
    for delivery in order.deliveries:
        bast = delivery.bast
        if bast is None or bast.accepted_total == 0:
            continue
        if bast.invoice is None or bast.invoice.status != INV.PAID:
            return False
    return True


def payment_outstanding(order: PurchaseOrder) -> bool:
    """Some invoice of the order waits for payment again (its payment was reversed)."""
    return not fully_invoiced_and_paid(order)


REQUEST_TRANSITIONS: tuple[Transition, ...] = (
    _t(R.DRAFT, R.SENT, {PP}),
    _t(R.DRAFT, R.CANCELLED, {PP}),
    _t(R.SENT, R.AWARDED, {PPK}),
    _t(R.SENT, R.CANCELLED, {PP}),
)

QUOTATION_TRANSITIONS: tuple[Transition, ...] = (
    _t(Q.INVITED, Q.QUOTED, {COOPERATIVE}),
    _t(Q.INVITED, Q.DECLINED, {COOPERATIVE}),
    _t(Q.QUOTED, Q.COUNTERED, {PP}),
    _t(Q.QUOTED, Q.AGREED, {PP}),
    _t(Q.QUOTED, Q.LAPSED, {SYSTEM}),
    _t(Q.COUNTERED, Q.QUOTED, {COOPERATIVE}),
    _t(Q.COUNTERED, Q.AGREED, {COOPERATIVE}),
    _t(Q.COUNTERED, Q.DECLINED, {COOPERATIVE}),
    _t(Q.COUNTERED, Q.LAPSED, {SYSTEM}),
    _t(Q.AGREED, Q.FORWARDED, {PP}),
    _t(Q.FORWARDED, Q.APPROVED, {PPK}),
    _t(Q.FORWARDED, Q.RETURNED, {PPK}),
    _t(Q.RETURNED, Q.FORWARDED, {PP}),
    _t(Q.RETURNED, Q.COUNTERED, {PP}),
    # The request is cancelled (the pejabat pengadaan) or goes to another cooperative (the PPK).
    *(
        _t(source, Q.WITHDRAWN, {PP, PPK})
        for source in (Q.INVITED, Q.QUOTED, Q.COUNTERED, Q.AGREED, Q.RETURNED)
    ),
)

ORDER_TRANSITIONS: tuple[Transition, ...] = (
    _t(PO.ISSUED, PO.ACCEPTED, {COOPERATIVE}),
    _t(PO.ISSUED, PO.DECLINED, {COOPERATIVE}),
    _t(PO.ISSUED, PO.LAPSED, {SYSTEM}),
    _t(PO.ISSUED, PO.CANCELLED, {PPK}),
    _t(PO.ACCEPTED, PO.CANCELLED, {PPK}, no_pending_delivery),
    _t(PO.ACCEPTED, PO.PARTLY_DELIVERED, {PENERIMA}, something_accepted),
    _t(PO.ACCEPTED, PO.DELIVERED, {PENERIMA}, everything_accepted),
    _t(PO.PARTLY_DELIVERED, PO.DELIVERED, {PENERIMA}, everything_accepted),
    # The PPK ends the order short: what was not accepted will not come.
    _t(PO.PARTLY_DELIVERED, PO.DELIVERED, {PPK}, no_pending_delivery),
    # Closed by the payment that settles it, or by the PPK ending an order already paid for.
    _t(PO.DELIVERED, PO.CLOSED, {BENDAHARA, PPK}, fully_invoiced_and_paid),
    # A payment reversed by the treasurer reopens the order it had closed.
    _t(PO.CLOSED, PO.DELIVERED, {BENDAHARA}, payment_outstanding),
)

DELIVERY_TRANSITIONS: tuple[Transition, ...] = (
    _t(D.SENT, D.INSPECTED, {PENERIMA}),
    _t(D.SENT, D.WITHDRAWN, {COOPERATIVE}),
)

INVOICE_TRANSITIONS: tuple[Transition, ...] = (
    _t(INV.ISSUED, INV.PAID, {BENDAHARA}),
    # Corrections (`procurement.corrections`): the cooperative cancels its unpaid invoice; the
    # treasurer reverses a payment recorded by mistake, which leaves the invoice to be paid.
    _t(INV.ISSUED, INV.CANCELLED, {COOPERATIVE}),
    _t(INV.PAID, INV.ISSUED, {BENDAHARA}),
)

#: Each stateful model's machine (the rows above, the status enum, the error).
MACHINES: dict[type, TransitionTable[Any, Actor, Any]] = {
    ProcurementRequest: TransitionTable(RequestStatus, REQUEST_TRANSITIONS, InvalidTransition),
    Quotation: TransitionTable(QuotationStatus, QUOTATION_TRANSITIONS, InvalidTransition),
    PurchaseOrder: TransitionTable(OrderStatus, ORDER_TRANSITIONS, InvalidTransition),
    Delivery: TransitionTable(DeliveryStatus, DELIVERY_TRANSITIONS, InvalidTransition),
    Invoice: TransitionTable(InvoiceStatus, INVOICE_TRANSITIONS, InvalidTransition),
}
#: Each stateful model, its rows and its status enum (for labels in messages).
TABLES: dict[type, tuple[tuple[Transition, ...], type]] = {
    model: (machine.rows, machine.states) for model, machine in MACHINES.items()
}

#: Quotation states in which the request's negotiation with that cooperative is still open.
OPEN_QUOTATIONS = frozenset({Q.INVITED, Q.QUOTED, Q.COUNTERED, Q.AGREED, Q.RETURNED})
#: At most one quotation of a request may be in these at a time.
SETTLED_QUOTATIONS = frozenset({Q.AGREED, Q.FORWARDED, Q.RETURNED})
#: Purchase orders that count as orders placed (for the splitting check and the reports).
LIVE_ORDERS = frozenset({PO.ISSUED, PO.ACCEPTED, PO.PARTLY_DELIVERED, PO.DELIVERED, PO.CLOSED})
#: Purchase orders whose catalogue lines hold reserved stock.
HOLDS_STOCK = frozenset({PO.ACCEPTED, PO.PARTLY_DELIVERED})


def find_transition(obj: Any, target: str, actor: Actor) -> Transition:
    """The row allowing ``actor`` to move ``obj`` to ``target`` now, or InvalidTransition."""
    return MACHINES[type(obj)].find(obj.status, target, actor=actor, obj=obj)


def can_move(obj: Any, target: str, actor: Actor) -> bool:
    """Whether the move is allowed now (for showing or hiding a button)."""
    return MACHINES[type(obj)].can_move(obj.status, target, actor=actor, obj=obj)
