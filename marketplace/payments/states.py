"""The payment's status machine: every allowed move is one row of `MACHINE`.

::

    pending ─→ succeeded ─→ refunded
       │  └──→ held ───────→ refunded
       ├──→ failed ──┐
       ├──→ expired ─┴─→ succeeded | held   (money the provider did take always wins)
       └──→ rejected

A Checkout Session may report success after this side concluded it failed or expired (events
arrive out of order); money actually taken must then still be recorded, so those rows exist.
Anything else raises `InvalidPaymentTransition`.
"""

from __future__ import annotations

from marketplace.payments.exceptions import InvalidPaymentTransition
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.transitions import TransitionTable, row

P = PaymentStatus

#: The machine, in the shape of every status machine (`marketplace.transitions`). Its rows name no
#: actors: the services that move a payment check who acts (the webhook, the city's desk).
MACHINE: TransitionTable[PaymentStatus, None, Payment] = TransitionTable(
    PaymentStatus,
    (
        row(P.PENDING, P.SUCCEEDED),
        row(P.PENDING, P.HELD),
        row(P.PENDING, P.FAILED),
        row(P.PENDING, P.EXPIRED),
        row(P.PENDING, P.REJECTED),
        row(P.FAILED, P.SUCCEEDED),
        row(P.FAILED, P.HELD),
        row(P.EXPIRED, P.SUCCEEDED),
        row(P.EXPIRED, P.HELD),
        row(P.SUCCEEDED, P.REFUNDED),
        row(P.HELD, P.REFUNDED),
    ),
    InvalidPaymentTransition,
)

#: The allowed moves as (source, target) pairs.
PAYMENT_TRANSITIONS: frozenset[tuple[PaymentStatus, PaymentStatus]] = MACHINE.pairs()

#: Statuses in which money was received.
MONEY_RECEIVED = frozenset({P.SUCCEEDED, P.HELD, P.REFUNDED})


def check_transition(source: PaymentStatus, target: PaymentStatus) -> None:
    """Raise `InvalidPaymentTransition` unless ``source → target`` is in the table."""
    MACHINE.find(source, target)


def can_transition(source: PaymentStatus, target: PaymentStatus) -> bool:
    return MACHINE.can_move(source, target)
