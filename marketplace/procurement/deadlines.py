"""The procurement's deadlines: an offer or counter-offer left unanswered lapses after
``PROCUREMENT_QUOTATION_LAPSE_WORKING_DAYS`` working days, a Surat Pesanan not accepted after
``PROCUREMENT_ORDER_ACCEPTANCE_WORKING_DAYS`` (`rules.has_lapsed`).

Deadlines are computed, then written by the job. The periodic task ``procurement.lapse``
(`lapse_due`) records each lapse with its timeline event and its notices. Until it has run, the
lapse is computed wherever it matters: a step answering a lapsed offer is refused
(`quotation_has_lapsed`, `order_has_lapsed`), and a page shows a lapsed offer as lapsed
(`as_of_now`) without writing anything.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import clock
from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.i18n import format_day
from marketplace.procurement import rules
from marketplace.procurement.common import agency_members, last_day, move, procurement_settings
from marketplace.procurement.exceptions import InvalidTransition, Lapsed
from marketplace.procurement.models import (
    Actor,
    OrderStatus,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    QuotationStatus,
    RoundKind,
)
from marketplace.procurement.notifications import (
    notify,
    tell_order_cooperative,
    tell_quotation_agency,
    tell_quotation_cooperative,
)
from marketplace.urls import site_request_context

Q = QuotationStatus
O = OrderStatus  # noqa: E741 - the status enum, as lifecycle names them
PP, PPK = ProcurementRole.PEJABAT_PENGADAAN, ProcurementRole.PPK


# --- computing: what is due now ---------------------------------------------------------------


def quotation_has_lapsed(quotation: Quotation) -> bool:
    """An offer or counter-offer left unanswered past its working days (rules.has_lapsed)."""
    if quotation.status not in (Q.QUOTED, Q.COUNTERED) or not quotation.rounds:
        return False
    settings = procurement_settings()
    sent_at = as_utc(quotation.rounds[-1].created_at)
    return rules.has_lapsed(sent_at, clock.now(), settings.quotation_lapse_working_days, settings)


def order_has_lapsed(order: PurchaseOrder) -> bool:
    """A Surat Pesanan not accepted within its working days (rules.has_lapsed)."""
    if order.status != O.ISSUED:
        return False
    settings = procurement_settings()
    return rules.has_lapsed(
        as_utc(order.issued_at), clock.now(), settings.order_acceptance_working_days, settings
    )


def refuse_if_quotation_lapsed(quotation: Quotation) -> None:
    """Raise Lapsed, naming the offer or counter-offer that lapsed and its last day."""
    if not quotation_has_lapsed(quotation):
        return
    latest = quotation.rounds[-1]
    due = format_day(
        last_day(rules.quotation_lapses_at(as_utc(latest.created_at), procurement_settings())),
        "long",
    )
    if latest.kind == RoundKind.OFFER:
        message = _(
            "Penawaran %(number)s dari %(name)s kedaluwarsa: batas waktu menjawabnya, %(date)s, "
            "sudah lewat.",
            number=latest.document_number,
            name=quotation.cooperative.name,
            date=due,
        )
    else:
        message = _(
            "Tawaran balik %(number)s dari %(agency)s kedaluwarsa: batas waktu menjawabnya, "
            "%(date)s, sudah lewat.",
            number=latest.document_number,
            agency=quotation.request.agency.name,
            date=due,
        )
    raise Lapsed(message)


def refuse_if_order_lapsed(order: PurchaseOrder) -> None:
    """Raise Lapsed, naming the Surat Pesanan that lapsed and the last day to accept it."""
    if not order_has_lapsed(order):
        return
    settings = procurement_settings()
    due = last_day(rules.order_acceptance_lapses_at(as_utc(order.issued_at), settings))
    raise Lapsed(
        _(
            "Surat Pesanan %(number)s kedaluwarsa: batas waktu menerimanya, %(date)s, sudah lewat.",
            number=order.number,
            date=format_day(due, "long"),
        )
    )


def as_of_now(*objects: Quotation | PurchaseOrder) -> None:
    """Show each quotation or Surat Pesanan whose deadline has passed as lapsed, for this
    request's reading only.

    The loaded status (and the deadline, now past) are set as if read from the database
    (`set_committed_value`): the session sees no change, so nothing is written, and the lapse is
    still the periodic task's to record, with its event and notices. A page then shows the state
    the task would show, and offers no step out of it.
    """
    for obj in objects:
        if isinstance(obj, Quotation) and quotation_has_lapsed(obj):
            set_committed_value(obj, "status", Q.LAPSED)
            set_committed_value(obj, "lapses_at", None)
        elif isinstance(obj, PurchaseOrder) and order_has_lapsed(obj):
            set_committed_value(obj, "status", O.LAPSED)
            set_committed_value(obj, "acceptance_due_at", None)


def due_quotation_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(Quotation.id)
            .where(
                Quotation.status.in_([Q.QUOTED, Q.COUNTERED]),
                Quotation.lapses_at <= clock.now(),
            )
            .order_by(Quotation.lapses_at, Quotation.id)
            .limit(limit)
        )
    )


def due_order_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(PurchaseOrder.id)
            .where(
                PurchaseOrder.status == O.ISSUED,
                PurchaseOrder.acceptance_due_at <= clock.now(),
            )
            .order_by(PurchaseOrder.acceptance_due_at, PurchaseOrder.id)
            .limit(limit)
        )
    )


# --- writing: the periodic task ---------------------------------------------------------------


def lapse_quotation(quotation_id: int) -> bool:
    """Lapse an unanswered offer or counter-offer if it is due (idempotent)."""
    quotation = db.session.get(Quotation, quotation_id, populate_existing=True)
    if quotation is None or not quotation_has_lapsed(quotation):
        return False
    waiting_for_agency = quotation.status == Q.QUOTED
    try:
        with db.session.begin_nested():
            move(quotation, Q.LAPSED, Actor.SYSTEM, None, values={"lapses_at": None})
    except InvalidTransition:
        return False
    request = quotation.request
    message = (
        (
            lambda: _(
                "Penawaran %(name)s untuk %(number)s kedaluwarsa karena tidak dijawab.",
                name=quotation.cooperative.name,
                number=request.number,
            )
        )
        if waiting_for_agency
        else (
            lambda: _(
                "Tawaran balik untuk %(number)s kedaluwarsa karena tidak dijawab.",
                number=request.number,
            )
        )
    )
    tell_quotation_agency(quotation, agency_members(request.agency_id, PP), message)
    tell_quotation_cooperative(quotation, message)
    return True


def lapse_order(order_id: int) -> bool:
    """Lapse a Surat Pesanan the cooperative did not accept in time (idempotent). Nothing was
    reserved yet: stock is reserved only on acceptance."""
    order = db.session.get(PurchaseOrder, order_id, populate_existing=True)
    if order is None or not order_has_lapsed(order):
        return False
    try:
        with db.session.begin_nested():
            move(order, O.LAPSED, Actor.SYSTEM, None, values={"acceptance_due_at": None})
    except InvalidTransition:
        return False
    message = lambda: _(  # noqa: E731
        "Surat Pesanan %(number)s kedaluwarsa: koperasi tidak menerimanya tepat waktu.",
        number=order.number,
    )
    tell_order_cooperative(order, message)
    notify(
        agency_members(order.agency_id, PPK) + agency_members(order.agency_id, PP),
        message,
        "procurement.order",
        order_id=order.id,
    )
    return True


def lapse_due(limit: int = 500) -> int:
    """The periodic task: lapse every unanswered offer and unaccepted Surat Pesanan that is
    due, each in its own transaction; notices go out after each commit."""
    from marketplace.mail import dispatch_queued

    done = 0
    with site_request_context():
        work: list[tuple[Callable[[int], bool], int]] = [
            *((lapse_quotation, i) for i in due_quotation_ids(limit)),
            *((lapse_order, i) for i in due_order_ids(limit)),
        ]
        for function, object_id in work:
            try:
                moved = function(object_id)
                db.session.commit()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("procurement lapse of %s failed", object_id)
                continue
            dispatch_queued()
            done += int(moved)
    return done
