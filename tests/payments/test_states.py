"""The payment's status machine: exactly the moves of the table are allowed."""

from __future__ import annotations

import itertools

import pytest

from marketplace.payments.exceptions import InvalidPaymentTransition
from marketplace.payments.models import PaymentStatus
from marketplace.payments.states import PAYMENT_TRANSITIONS, can_transition, check_transition

P = PaymentStatus

#: The business rules, written out independently of the table.
EXPECTED = {
    (P.PENDING, P.SUCCEEDED),
    (P.PENDING, P.HELD),
    (P.PENDING, P.FAILED),
    (P.PENDING, P.EXPIRED),
    (P.PENDING, P.REJECTED),
    # Money that Stripe did take is recorded even after this side gave up on the attempt.
    (P.FAILED, P.SUCCEEDED),
    (P.FAILED, P.HELD),
    (P.EXPIRED, P.SUCCEEDED),
    (P.EXPIRED, P.HELD),
    (P.SUCCEEDED, P.REFUNDED),
    (P.HELD, P.REFUNDED),
}


def test_the_table_is_exactly_the_rules() -> None:
    assert set(PAYMENT_TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("source", "target"), list(itertools.product(P, P)))
def test_every_other_move_is_refused(source: PaymentStatus, target: PaymentStatus) -> None:
    if (source, target) in EXPECTED:
        check_transition(source, target)
        assert can_transition(source, target)
    else:
        with pytest.raises(InvalidPaymentTransition):
            check_transition(source, target)
        assert not can_transition(source, target)


def test_nothing_leaves_a_final_status() -> None:
    for final in (P.REJECTED, P.REFUNDED):
        assert not any(source == final for source, _ in PAYMENT_TRANSITIONS)
