"""The payment's status machine: exactly the moves the business allows succeed, every other one
is refused with an error that names both statuses (the city's desk and the log show it)."""

from __future__ import annotations

import itertools

import pytest

from marketplace.payments.exceptions import InvalidPaymentTransition
from marketplace.payments.models import PaymentStatus
from marketplace.payments.states import can_transition, check_transition

P = PaymentStatus

#: The business rules, written out independently of `payments.states`.
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

#: How each status reads in the messages (Indonesian, the default language).
LABELS = {
    P.PENDING: "Menunggu",
    P.SUCCEEDED: "Berhasil",
    P.HELD: "Ditahan untuk diperiksa",
    P.FAILED: "Gagal",
    P.EXPIRED: "Kedaluwarsa",
    P.REJECTED: "Ditolak",
    P.REFUNDED: "Dikembalikan",
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(P, P)))
def test_exactly_the_allowed_moves_are_allowed(
    source: PaymentStatus, target: PaymentStatus
) -> None:
    if (source, target) in EXPECTED:
        check_transition(source, target)
        assert can_transition(source, target)
    else:
        with pytest.raises(InvalidPaymentTransition) as refused:
            check_transition(source, target)
        assert not can_transition(source, target)
        assert (refused.value.source, refused.value.target) == (source, target)
        assert refused.value.status_code == 409
        assert refused.value.message == (
            f"Pembayaran berstatus \u201c{LABELS[source]}\u201d tidak dapat diubah menjadi "
            f"\u201c{LABELS[target]}\u201d."
        )


def test_nothing_leaves_a_final_status() -> None:
    for final, target in itertools.product((P.REJECTED, P.REFUNDED), P):
        assert not can_transition(final, target)
