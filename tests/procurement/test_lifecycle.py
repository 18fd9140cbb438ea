"""The procurement status machines: for each object exactly the moves the business rules allow,
written out here independently of lifecycle.py, and nothing else."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from marketplace.procurement.exceptions import InvalidTransition
from marketplace.procurement.lifecycle import TABLES, can_move, find_transition
from marketplace.procurement.models import (
    Actor,
    Bast,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    Quotation,
    QuotationStatus,
    RequestStatus,
)

A = Actor
R, Q, PO, D, INV = RequestStatus, QuotationStatus, OrderStatus, DeliveryStatus, InvoiceStatus

REQUEST_MOVES = {
    (R.DRAFT, R.SENT, A.PEJABAT_PENGADAAN),
    (R.DRAFT, R.CANCELLED, A.PEJABAT_PENGADAAN),
    (R.SENT, R.CANCELLED, A.PEJABAT_PENGADAAN),
    (R.SENT, R.AWARDED, A.PPK),
}

QUOTATION_MOVES = {
    (Q.INVITED, Q.QUOTED, A.COOPERATIVE),
    (Q.INVITED, Q.DECLINED, A.COOPERATIVE),
    (Q.QUOTED, Q.COUNTERED, A.PEJABAT_PENGADAAN),
    (Q.QUOTED, Q.AGREED, A.PEJABAT_PENGADAAN),
    (Q.QUOTED, Q.LAPSED, A.SYSTEM),
    (Q.COUNTERED, Q.QUOTED, A.COOPERATIVE),
    (Q.COUNTERED, Q.AGREED, A.COOPERATIVE),
    (Q.COUNTERED, Q.DECLINED, A.COOPERATIVE),
    (Q.COUNTERED, Q.LAPSED, A.SYSTEM),
    (Q.AGREED, Q.FORWARDED, A.PEJABAT_PENGADAAN),
    (Q.FORWARDED, Q.APPROVED, A.PPK),
    (Q.FORWARDED, Q.RETURNED, A.PPK),
    (Q.RETURNED, Q.FORWARDED, A.PEJABAT_PENGADAAN),
    (Q.RETURNED, Q.COUNTERED, A.PEJABAT_PENGADAAN),
} | {
    (source, Q.WITHDRAWN, actor)
    for source in (Q.INVITED, Q.QUOTED, Q.COUNTERED, Q.AGREED, Q.RETURNED)
    for actor in (A.PEJABAT_PENGADAAN, A.PPK)
}

DELIVERY_MOVES = {
    (D.SENT, D.INSPECTED, A.PENERIMA),
    (D.SENT, D.WITHDRAWN, A.COOPERATIVE),
}

INVOICE_MOVES = {
    (INV.ISSUED, INV.PAID, A.BENDAHARA),
    # Corrections: the cooperative cancels its unpaid invoice; the treasurer reverses a payment.
    (INV.ISSUED, INV.CANCELLED, A.COOPERATIVE),
    (INV.PAID, INV.ISSUED, A.BENDAHARA),
}


def _check_table(make: Any, states: Any, allowed: set[tuple[Any, Any, Actor]]) -> None:
    for source, target, actor in itertools.product(states, states, Actor):
        obj = make(source)
        if (source, target, actor) in allowed:
            assert find_transition(obj, target, actor).target == target
            assert can_move(obj, target, actor)
        else:
            with pytest.raises(InvalidTransition):
                find_transition(obj, target, actor)
            assert not can_move(obj, target, actor), (source, target, actor)


def test_the_request_moves() -> None:
    _check_table(lambda s: ProcurementRequest(status=s), R, REQUEST_MOVES)


def test_the_quotation_moves() -> None:
    _check_table(lambda s: Quotation(status=s), Q, QUOTATION_MOVES)


def test_the_delivery_moves() -> None:
    _check_table(lambda s: Delivery(status=s), D, DELIVERY_MOVES)


def test_the_invoice_moves() -> None:
    _check_table(lambda s: Invoice(status=s), INV, INVOICE_MOVES)


def order(
    status: OrderStatus,
    *,
    accepted: int = 0,
    pending: bool = False,
    unpaid_invoice: bool = False,
    uninvoiced_bast: bool = False,
) -> PurchaseOrder:
    """A purchase order in memory: one line of 10 with ``accepted`` accepted, optionally a
    delivery waiting for inspection and a BAST without a (paid) invoice."""
    deliveries = []
    if pending:
        deliveries.append(Delivery(status=D.SENT, lines=[DeliveryLine(quantity=1)]))
    if unpaid_invoice or uninvoiced_bast:
        bast = Bast(accepted_total=1000)
        if unpaid_invoice:
            bast.invoice = Invoice(status=INV.ISSUED)
        deliveries.append(Delivery(status=D.INSPECTED, bast=bast))
    return PurchaseOrder(
        status=status,
        lines=[PurchaseOrderLine(quantity=10, accepted_quantity=accepted)],
        deliveries=deliveries,
    )


def order_moves(
    accepted: int, pending: bool, settled: bool
) -> set[tuple[OrderStatus, OrderStatus, Actor]]:
    moves = {
        (PO.ISSUED, PO.ACCEPTED, A.COOPERATIVE),
        (PO.ISSUED, PO.DECLINED, A.COOPERATIVE),
        (PO.ISSUED, PO.LAPSED, A.SYSTEM),
        (PO.ISSUED, PO.CANCELLED, A.PPK),
    }
    if not pending:
        moves |= {(PO.ACCEPTED, PO.CANCELLED, A.PPK), (PO.PARTLY_DELIVERED, PO.DELIVERED, A.PPK)}
    if accepted == 10:
        moves |= {
            (PO.ACCEPTED, PO.DELIVERED, A.PENERIMA),
            (PO.PARTLY_DELIVERED, PO.DELIVERED, A.PENERIMA),
        }
    if accepted > 0:
        moves.add((PO.ACCEPTED, PO.PARTLY_DELIVERED, A.PENERIMA))
    if settled and not pending:
        moves |= {(PO.DELIVERED, PO.CLOSED, A.BENDAHARA), (PO.DELIVERED, PO.CLOSED, A.PPK)}
    else:
        # A reversed payment leaves an invoice to pay: the order it had closed reopens.
        moves.add((PO.CLOSED, PO.DELIVERED, A.BENDAHARA))
    return moves


@pytest.mark.parametrize("accepted", [0, 4, 10])
@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("unpaid", [None, "invoice", "bast"])
def test_the_purchase_order_moves(accepted: int, pending: bool, unpaid: str | None) -> None:
    allowed = order_moves(accepted, pending, settled=unpaid is None)
    _check_table(
        lambda s: order(
            s,
            accepted=accepted,
            pending=pending,
            unpaid_invoice=unpaid == "invoice",
            uninvoiced_bast=unpaid == "bast",
        ),
        PO,
        allowed,
    )


def test_every_row_is_tested() -> None:
    rows = {
        (t.source, t.target, actor)
        for model, (table, _states) in TABLES.items()
        for t in table
        for actor in t.actors
    }
    reachable = (
        REQUEST_MOVES
        | QUOTATION_MOVES
        | DELIVERY_MOVES
        | INVOICE_MOVES
        | order_moves(10, False, True)
        | order_moves(4, False, True)
        | order_moves(4, False, False)
    )
    assert rows == reachable


def test_a_refused_move_names_both_states() -> None:
    with pytest.raises(InvalidTransition) as refused:
        find_transition(Quotation(status=Q.DECLINED), Q.APPROVED, A.PPK)
    assert "Ditolak koperasi" in refused.value.message
    assert "Disetujui PPK" in refused.value.message
    assert refused.value.status_code == 409
