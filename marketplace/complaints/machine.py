"""The complaint's status machine, in one table (`marketplace.transitions`).

The cooperative answers an open complaint: a refund (per line, full or partial), a replacement,
the goods back first, or a rejection with its reason. Goods asked back are shipped by the
shopper (courier and tracking number) and confirmed received by the cooperative, which says
whether they can be sold again; the refund follows. Either side may ask the city while the
complaint is open, rejected, or its goods are on their way back; an open complaint the
cooperative left unanswered past its window is taken to the city by the periodic job. The city's
decision (a refund of an amount, or a rejection, with its reason) is final. The shopper closes a
rejection it accepts and a replacement it received.
"""

from __future__ import annotations

from marketplace.complaints.exceptions import ComplaintMoveRefused
from marketplace.complaints.models import Complaint, ComplaintStatus
from marketplace.orders.models import ActorKind
from marketplace.transitions import TransitionTable, row, rows

C = ComplaintStatus
SHOPPER = {ActorKind.SHOPPER}
COOPERATIVE = {ActorKind.COOPERATIVE}
EITHER = {ActorKind.SHOPPER, ActorKind.COOPERATIVE}

MACHINE: TransitionTable[ComplaintStatus, ActorKind, Complaint] = TransitionTable(
    ComplaintStatus,
    (
        # The cooperative's answer.
        row(C.OPEN, C.REFUND_ACCEPTED, COOPERATIVE),
        row(C.OPEN, C.REPLACEMENT_ACCEPTED, COOPERATIVE),
        row(C.OPEN, C.RETURN_REQUESTED, COOPERATIVE),
        row(C.OPEN, C.REJECTED, COOPERATIVE),
        # Goods asked back: the shopper sends them, the cooperative confirms (then refunds).
        row(C.RETURN_REQUESTED, C.RETURN_SHIPPED, SHOPPER),
        row(C.RETURN_SHIPPED, C.REFUND_ACCEPTED, COOPERATIVE),
        # The shopper accepts a rejection, or says the replacement arrived.
        row(C.REJECTED, C.CLOSED, SHOPPER),
        row(C.REPLACEMENT_ACCEPTED, C.CLOSED, SHOPPER),
        # Asking the city: either side, or the job when the cooperative did not answer in time.
        *rows(
            (C.OPEN, C.REJECTED, C.RETURN_REQUESTED, C.RETURN_SHIPPED, C.REPLACEMENT_ACCEPTED),
            C.ESCALATED,
            EITHER,
        ),
        row(C.OPEN, C.ESCALATED, {ActorKind.SYSTEM}),
        # The city's decision is final.
        row(C.ESCALATED, C.RESOLVED, {ActorKind.CITY_ADMIN}),
    ),
    ComplaintMoveRefused,
)
