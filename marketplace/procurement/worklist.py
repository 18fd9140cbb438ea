"""What waits for me: the worklist of each role, and the timeline of a procurement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from marketplace.accounts.models import User
from marketplace.cooperatives.access import membership_of
from marketplace.extensions import db
from marketplace.labels import LabelledEnum
from marketplace.paging import paginate
from marketplace.procurement.common import agency_ids
from marketplace.procurement.models import (
    Bast,
    Delivery,
    DeliveryStatus,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    ProcurementEvent,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    QuotationStatus,
    RequestStatus,
    Subject,
)

Q = QuotationStatus

#: A section lists at most this many items; its count is of all that wait.
SECTION_LIMIT = 100


@dataclass(frozen=True)
class WorkItem:
    reference: str
    title: str
    link: str
    since: datetime | None = None
    detail: str = ""


@dataclass
class WorkSection:
    key: str
    heading: str
    items: list[WorkItem] = field(default_factory=list)
    #: How many wait in all (the items are the first SECTION_LIMIT of them).
    total: int = 0


@dataclass(frozen=True)
class _Queue:
    """One kind of waiting work: the objects that wait (oldest first), said once, so the
    worklist's items and the dashboards' counts can never disagree."""

    key: str
    heading: Any
    waiting: Select[Any]
    item: Callable[[Any], WorkItem]
    options: tuple[Any, ...] = ()


def _sections(queues: Sequence[_Queue]) -> list[WorkSection]:
    """Each queue's first SECTION_LIMIT items; it is counted only when the list is full."""
    sections = []
    for queue in queues:
        rows = (
            db.session.scalars(queue.waiting.options(*queue.options).limit(SECTION_LIMIT))
            .unique()
            .all()
        )
        total = len(rows) if len(rows) < SECTION_LIMIT else _counts([queue])[queue.key]
        sections.append(
            WorkSection(queue.key, str(queue.heading), [queue.item(r) for r in rows], total)
        )
    return sections


def _counts(queues: Sequence[_Queue]) -> dict[str, int]:
    """How many wait in each queue, in one query whatever the number of queues."""
    if not queues:
        return {}
    counts = [
        select(func.count())
        .select_from(queue.waiting.order_by(None).subquery())
        .scalar_subquery()
        .label(queue.key)
        for queue in queues
    ]
    row = db.session.execute(select(*counts)).one()
    return {queue.key: int(row[i] or 0) for i, queue in enumerate(queues)}


_QUOTATION_OPTIONS = (
    joinedload(Quotation.request).joinedload(ProcurementRequest.agency),
    joinedload(Quotation.cooperative),
)


def _waiting(model: Any, *where: Any, via: Any = None) -> Select[Any]:
    """The rows of ``model`` that match ``where``, oldest first; joined ``via`` a relationship
    when ``where`` filters on the related table."""
    statement = select(model) if via is None else select(model).join(via)
    return statement.where(*where).order_by(model.id)


def _quotations(*where: Any) -> Select[Any]:
    """Quotations (joined to their request) that match ``where``, the longest unchanged first."""
    return (
        select(Quotation)
        .join(Quotation.request)
        .where(*where)
        .order_by(Quotation.updated_at, Quotation.id)
    )


def _agency_quotation(q: Quotation) -> WorkItem:
    return WorkItem(
        q.request.number or "",
        q.request.title,
        url_for("procurement.quotation", quotation_id=q.id),
        q.updated_at,
        q.cooperative.name,
    )


def _draft_item(r: ProcurementRequest) -> WorkItem:
    return WorkItem(
        r.number or "",
        r.title,
        url_for("procurement.request_detail", request_id=r.id),
        r.created_at,
    )


def _delivery_item(d: Delivery) -> WorkItem:
    return WorkItem(
        d.number or "",
        d.purchase_order.number or "",
        url_for("procurement.inspect", delivery_id=d.id),
        d.created_at,
        d.purchase_order.cooperative_name,
    )


def _invoice_item(i: Invoice) -> WorkItem:
    return WorkItem(
        i.number or "",
        i.purchase_order.number or "",
        url_for("procurement.invoice", invoice_id=i.id),
        i.issued_at,
        i.purchase_order.cooperative_name,
    )


def _agency_queues(user: User) -> list[_Queue]:
    """The queues of the roles the user holds (in any agency)."""
    queues: list[_Queue] = []
    pp = list(agency_ids(user, ProcurementRole.PEJABAT_PENGADAAN))
    ppk = list(agency_ids(user, ProcurementRole.PPK))
    receiver = list(agency_ids(user, ProcurementRole.PENERIMA))
    treasurer = list(agency_ids(user, ProcurementRole.BENDAHARA))
    if pp:
        drafts = _waiting(
            ProcurementRequest,
            ProcurementRequest.agency_id.in_(pp),
            ProcurementRequest.status == RequestStatus.DRAFT,
        )
        queues.append(_Queue("to_send", _l("Draf permintaan untuk dikirim"), drafts, _draft_item))
        for key, status, heading in (
            ("to_answer", Q.QUOTED, _l("Penawaran untuk dijawab")),
            ("to_forward", Q.AGREED, _l("Harga disepakati, teruskan ke PPK")),
            ("returned", Q.RETURNED, _l("Dikembalikan PPK")),
        ):
            waiting = _quotations(ProcurementRequest.agency_id.in_(pp), Quotation.status == status)
            queues.append(_Queue(key, heading, waiting, _agency_quotation, _QUOTATION_OPTIONS))
    if ppk:
        waiting = _quotations(
            ProcurementRequest.agency_id.in_(ppk), Quotation.status == Q.FORWARDED
        )
        queues.append(
            _Queue(
                "to_approve",
                _l("Menunggu persetujuan Anda"),
                waiting,
                _agency_quotation,
                _QUOTATION_OPTIONS,
            )
        )
    if receiver:
        deliveries = _waiting(
            Delivery,
            PurchaseOrder.agency_id.in_(receiver),
            Delivery.status == DeliveryStatus.SENT,
            via=Delivery.purchase_order,
        )
        queues.append(
            _Queue(
                "to_inspect",
                _l("Pengiriman untuk diperiksa"),
                deliveries,
                _delivery_item,
                (joinedload(Delivery.purchase_order),),
            )
        )
    if treasurer:
        invoices = _waiting(
            Invoice, Invoice.agency_id.in_(treasurer), Invoice.status == InvoiceStatus.ISSUED
        )
        queues.append(
            _Queue(
                "to_pay",
                _l("Invoice untuk dibayar"),
                invoices,
                _invoice_item,
                (joinedload(Invoice.purchase_order),),
            )
        )
    return queues


def _cooperative_quotation(q: Quotation) -> WorkItem:
    return WorkItem(
        q.request.number or "",
        q.request.title,
        url_for("procurement.coop_quotation", quotation_id=q.id),
        q.updated_at,
        q.request.agency.name,
    )


def _order_item(order: PurchaseOrder) -> WorkItem:
    return WorkItem(
        order.number or "",
        order.agency_name,
        url_for("procurement.coop_order", order_id=order.id),
        order.issued_at,
    )


def _bast_item(b: Bast) -> WorkItem:
    return WorkItem(
        b.number or "",
        b.purchase_order.number or "",
        url_for("procurement.coop_order", order_id=b.purchase_order_id),
        b.issued_at,
        b.purchase_order.agency_name,
    )


def _cooperative_queues(cooperative_id: int) -> list[_Queue]:
    def open_quotations(status: QuotationStatus) -> Select[Any]:
        return _quotations(
            Quotation.cooperative_id == cooperative_id,
            Quotation.status == status,
            ProcurementRequest.status == RequestStatus.SENT,
        )

    def orders(*statuses: OrderStatus) -> Select[Any]:
        return _waiting(
            PurchaseOrder,
            PurchaseOrder.cooperative_id == cooperative_id,
            PurchaseOrder.status.in_(statuses),
        )

    to_invoice = _waiting(
        Bast,
        PurchaseOrder.cooperative_id == cooperative_id,
        Bast.accepted_total > 0,
        ~Bast.invoice.has(),
        via=Bast.purchase_order,
    )
    return [
        _Queue(
            "to_quote",
            _l("Permintaan untuk ditawar"),
            open_quotations(Q.INVITED),
            _cooperative_quotation,
            _QUOTATION_OPTIONS,
        ),
        _Queue(
            "to_answer",
            _l("Tawaran balik untuk dijawab"),
            open_quotations(Q.COUNTERED),
            _cooperative_quotation,
            _QUOTATION_OPTIONS,
        ),
        _Queue(
            "to_accept",
            _l("Surat Pesanan untuk diterima"),
            orders(OrderStatus.ISSUED),
            _order_item,
        ),
        _Queue(
            "to_deliver",
            _l("Barang untuk dikirim"),
            orders(OrderStatus.ACCEPTED, OrderStatus.PARTLY_DELIVERED),
            _order_item,
        ),
        _Queue(
            "to_invoice",
            _l("BAST untuk ditagih"),
            to_invoice,
            _bast_item,
            (joinedload(Bast.purchase_order),),
        ),
    ]


def agency_worklist(user: User) -> list[WorkSection]:
    """The sections for the roles the user holds (in any agency)."""
    return _sections(_agency_queues(user))


def cooperative_worklist(user: User) -> list[WorkSection]:
    """The sections of the user's cooperative (none when the user is not a member)."""
    membership = membership_of(user)
    if membership is None:
        return []
    return _sections(_cooperative_queues(membership.cooperative_id))


@dataclass
class SectionPage:
    """One page of everything one section holds, for when it waits beyond the worklist's
    first SECTION_LIMIT: ``section.items`` are this page's."""

    side: str
    section: WorkSection
    page: int
    has_next: bool


#: A section's own pages list this many items each.
SECTION_PAGE_SIZE = 25


def section_page(user: User, side: str, key: str, page: int) -> SectionPage:
    """One page of the user's section ``key`` of the agency's (``side`` "agency") or the
    cooperative's worklist, oldest first; a section the user's roles do not give is not found."""
    if side == "agency":
        queues = _agency_queues(user)
    else:
        membership = membership_of(user)
        queues = [] if membership is None else _cooperative_queues(membership.cooperative_id)
    queue = next((queue for queue in queues if queue.key == key), None)
    if queue is None:
        raise NotFound()
    result = paginate(queue.waiting.options(*queue.options), page, SECTION_PAGE_SIZE)
    section = WorkSection(
        queue.key,
        str(queue.heading),
        [queue.item(row) for row in result.items],
        _counts([queue])[queue.key],
    )
    return SectionPage(side, section, result.page, result.has_next)


def cooperative_waiting(cooperative_id: int) -> dict[str, int]:
    """How many procurement items wait for the cooperative, by worklist section (one query):
    for its workspace's dashboard."""
    return _counts(_cooperative_queues(cooperative_id))


# --- the timeline ---------------------------------------------------------------------------------

#: The status enum of each subject, whose members name its events' "to" status.
STATUSES: dict[Subject, type[LabelledEnum]] = {
    Subject.REQUEST: RequestStatus,
    Subject.QUOTATION: QuotationStatus,
    Subject.PURCHASE_ORDER: OrderStatus,
    Subject.DELIVERY: DeliveryStatus,
    Subject.INVOICE: InvoiceStatus,
}

#: What the first event of an object says (it has no "from" status).
CREATED_LABELS = {
    Subject.REQUEST: _l("dibuat"),
    Subject.QUOTATION: _l("dibuat"),
    Subject.PURCHASE_ORDER: _l("diterbitkan"),
    Subject.DELIVERY: _l("barang dikirim"),
    Subject.INVOICE: _l("diterbitkan"),
}


def event_label(event: ProcurementEvent) -> str:
    """``Surat Pesanan SP-2026-000004: Diterima koperasi``, in the reader's language."""
    subject = Subject(event.subject)
    if event.from_status is None:
        what = str(CREATED_LABELS[subject])
    else:
        try:
            what = STATUSES[subject](event.to_status).label
        except ValueError:  # a status the enum no longer has reads as it was stored
            what = event.to_status
    return f"{subject.label} {event.reference}: {what}".replace("  ", " ")


def timeline(request_id: int) -> list[ProcurementEvent]:
    return list(
        db.session.scalars(
            select(ProcurementEvent)
            .where(ProcurementEvent.request_id == request_id)
            .options(joinedload(ProcurementEvent.actor_user))
            .order_by(ProcurementEvent.id)
        )
    )
