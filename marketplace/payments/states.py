"""The payment's status machine: every allowed move is one row of `PAYMENT_TRANSITIONS`.

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
from marketplace.payments.models import PaymentStatus

P = PaymentStatus

PAYMENT_TRANSITIONS: frozenset[tuple[PaymentStatus, PaymentStatus]] = frozenset(
    {
        (P.PENDING, P.SUCCEEDED),
        (P.PENDING, P.HELD),
        (P.PENDING, P.FAILED),
        (P.PENDING, P.EXPIRED),
        (P.PENDING, P.REJECTED),
        (P.FAILED, P.SUCCEEDED),
        (P.FAILED, P.HELD),
        (P.EXPIRED, P.SUCCEEDED),
        (P.EXPIRED, P.HELD),
        (P.SUCCEEDED, P.REFUNDED),
        (P.HELD, P.REFUNDED),
    }
)

#: Statuses in which money was received.
MONEY_RECEIVED = frozenset({P.SUCCEEDED, P.HELD, P.REFUNDED})


def check_transition(source: PaymentStatus, target: PaymentStatus) -> None:
    """Raise `InvalidPaymentTransition` unless ``source → target`` is in the table."""
    if (source, target) not in PAYMENT_TRANSITIONS:
        raise InvalidPaymentTransition(source, target)


def can_transition(source: PaymentStatus, target: PaymentStatus) -> bool:
    return (source, target) in PAYMENT_TRANSITIONS
