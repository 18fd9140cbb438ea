"""Recording payments: status moves through the table of `payments.states`, the payment's log,
flags for the city, and locking the order a payment belongs to.

Every service that changes a payment first locks its order row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite runs one writer at a time anyway), so a webhook, a page and a cooperative
acting on the same order at once are applied one after the other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from marketplace import clock
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.models import Payment, PaymentEvent, PaymentFlag, PaymentStatus
from marketplace.payments.states import MACHINE, check_transition
from marketplace.transitions import guarded_move


def lock_order(order_id: int) -> Order:
    """The order row, locked until the transaction ends, with fresh attributes."""
    db.session.flush()
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound()
    return order


def locked(payment: Payment) -> Payment:
    """Take the lock of the payment's order, then read the payment as it is now."""
    lock_order(payment.order_id)
    db.session.refresh(payment)
    return payment


def log_event(
    payment: Payment,
    kind: str,
    *,
    note: str = "",
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> PaymentEvent:
    event = PaymentEvent(
        payment_id=payment.id,
        created_at=clock.now(),
        kind=kind,
        note=note[:4000],
        actor_id=actor_id,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )
    db.session.add(event)
    return event


def move_payment(
    payment: Payment,
    target: PaymentStatus,
    *,
    kind: str,
    note: str = "",
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> PaymentEvent:
    """Apply one move of the payment's status machine with a guarded UPDATE, and log it."""
    source = payment.state
    check_transition(source, target)
    guarded_move(MACHINE, payment, target, source=source, values=values)
    return log_event(
        payment,
        kind,
        note=note,
        actor_id=actor_id,
        data=data,
        from_status=source,
        to_status=target,
    )


def raise_flag(payment: Payment, flag: PaymentFlag, note: str) -> None:
    """Put the payment on the city's desk (a later, different reason adds to the note)."""
    if payment.flag is None or payment.flag_resolved_at is not None:
        payment.flag = flag
        payment.flag_note = note
        payment.flagged_at = clock.now()
        payment.flag_resolved_at = None
        payment.flag_resolved_by = None
        payment.flag_resolution = None
    elif note not in (payment.flag_note or ""):
        payment.flag_note = f"{payment.flag_note}\n{note}".strip()
    log_event(payment, "flagged", note=note, data={"flag": str(flag)})
