"""What waits for me: the worklist of each role, the timeline of a procurement, and bringing a
procurement up to date (due lapses) when it is opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.cooperatives.access import membership_of
from marketplace.extensions import db
from marketplace.procurement.common import agency_ids
from marketplace.procurement.models import (
    DELIVERY_STATUS_LABELS,
    INVOICE_STATUS_LABELS,
    ORDER_STATUS_LABELS,
    QUOTATION_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
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
from marketplace.urls import site_request_context

Q = QuotationStatus


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


def _section(key: str, heading: Any, items: list[WorkItem]) -> WorkSection:
    return WorkSection(key, str(heading), items)


def _quotations(
    where: list[Any], link: Callable[[Quotation], str], describe: Callable[[Quotation], str]
) -> list[WorkItem]:
    rows = db.session.scalars(
        select(Quotation)
        .join(Quotation.request)
        .where(*where)
        .options(
            joinedload(Quotation.request).joinedload(ProcurementRequest.agency),
            joinedload(Quotation.cooperative),
        )
        .order_by(Quotation.updated_at, Quotation.id)
        .limit(100)
    ).unique()
    return [
        WorkItem(q.request.number or "", q.request.title, link(q), q.updated_at, describe(q))
        for q in rows
    ]


def agency_worklist(user: User) -> list[WorkSection]:
    """The sections for the roles the user holds (in any agency)."""
    sections: list[WorkSection] = []
    pp = list(agency_ids(user, ProcurementRole.PEJABAT_PENGADAAN))
    ppk = list(agency_ids(user, ProcurementRole.PPK))
    receiver = list(agency_ids(user, ProcurementRole.PENERIMA))
    treasurer = list(agency_ids(user, ProcurementRole.BENDAHARA))

    def to_quotation(q: Quotation) -> str:
        return url_for("procurement.quotation", quotation_id=q.id)

    def by_cooperative(q: Quotation) -> str:
        return q.cooperative.name

    if pp:
        drafts = db.session.scalars(
            select(ProcurementRequest)
            .where(
                ProcurementRequest.agency_id.in_(pp),
                ProcurementRequest.status == RequestStatus.DRAFT,
            )
            .order_by(ProcurementRequest.id)
            .limit(100)
        )
        sections.append(
            _section(
                "to_send",
                _l("Draf permintaan untuk dikirim"),
                [
                    WorkItem(
                        r.number or "",
                        r.title,
                        url_for("procurement.request_detail", request_id=r.id),
                        r.created_at,
                    )
                    for r in drafts
                ],
            )
        )
        for key, status, heading in (
            ("to_answer", Q.QUOTED, _l("Penawaran untuk dijawab")),
            ("to_forward", Q.AGREED, _l("Harga disepakati, teruskan ke PPK")),
            ("returned", Q.RETURNED, _l("Dikembalikan PPK")),
        ):
            sections.append(
                _section(
                    key,
                    heading,
                    _quotations(
                        [ProcurementRequest.agency_id.in_(pp), Quotation.status == status],
                        to_quotation,
                        by_cooperative,
                    ),
                )
            )
    if ppk:
        sections.append(
            _section(
                "to_approve",
                _l("Menunggu persetujuan Anda"),
                _quotations(
                    [ProcurementRequest.agency_id.in_(ppk), Quotation.status == Q.FORWARDED],
                    to_quotation,
                    by_cooperative,
                ),
            )
        )
    if receiver:
        deliveries = db.session.scalars(
            select(Delivery)
            .join(Delivery.purchase_order)
            .where(PurchaseOrder.agency_id.in_(receiver), Delivery.status == DeliveryStatus.SENT)
            .options(joinedload(Delivery.purchase_order))
            .order_by(Delivery.id)
            .limit(100)
        )
        sections.append(
            _section(
                "to_inspect",
                _l("Pengiriman untuk diperiksa"),
                [
                    WorkItem(
                        d.number or "",
                        d.purchase_order.number or "",
                        url_for("procurement.inspect", delivery_id=d.id),
                        d.created_at,
                        d.purchase_order.cooperative_name,
                    )
                    for d in deliveries
                ],
            )
        )
    if treasurer:
        invoices = db.session.scalars(
            select(Invoice)
            .where(Invoice.agency_id.in_(treasurer), Invoice.status == InvoiceStatus.ISSUED)
            .options(joinedload(Invoice.purchase_order))
            .order_by(Invoice.id)
            .limit(100)
        )
        sections.append(
            _section(
                "to_pay",
                _l("Invoice untuk dibayar"),
                [
                    WorkItem(
                        i.number or "",
                        i.purchase_order.number or "",
                        url_for("procurement.invoice", invoice_id=i.id),
                        i.issued_at,
                        i.purchase_order.cooperative_name,
                    )
                    for i in invoices
                ],
            )
        )
    return sections


def cooperative_worklist(user: User) -> list[WorkSection]:
    membership = membership_of(user)
    if membership is None:
        return []
    cooperative_id = membership.cooperative_id

    def to_quotation(q: Quotation) -> str:
        return url_for("procurement.coop_quotation", quotation_id=q.id)

    def by_agency(q: Quotation) -> str:
        return q.request.agency.name

    def open_quotations(status: QuotationStatus) -> list[WorkItem]:
        return _quotations(
            [
                Quotation.cooperative_id == cooperative_id,
                Quotation.status == status,
                ProcurementRequest.status == RequestStatus.SENT,
            ],
            to_quotation,
            by_agency,
        )

    def orders(*statuses: OrderStatus) -> list[PurchaseOrder]:
        return list(
            db.session.scalars(
                select(PurchaseOrder)
                .where(
                    PurchaseOrder.cooperative_id == cooperative_id,
                    PurchaseOrder.status.in_(statuses),
                )
                .order_by(PurchaseOrder.id)
                .limit(100)
            )
        )

    def order_item(order: PurchaseOrder) -> WorkItem:
        return WorkItem(
            order.number or "",
            order.agency_name,
            url_for("procurement.coop_order", order_id=order.id),
            order.issued_at,
        )

    to_invoice = db.session.scalars(
        select(Bast)
        .join(Bast.purchase_order)
        .where(
            PurchaseOrder.cooperative_id == cooperative_id,
            Bast.accepted_total > 0,
            ~Bast.invoice.has(),
        )
        .options(joinedload(Bast.purchase_order))
        .order_by(Bast.id)
        .limit(100)
    )
    return [
        _section("to_quote", _l("Permintaan untuk ditawar"), open_quotations(Q.INVITED)),
        _section("to_answer", _l("Tawaran balik untuk dijawab"), open_quotations(Q.COUNTERED)),
        _section(
            "to_accept",
            _l("Surat Pesanan untuk diterima"),
            [order_item(o) for o in orders(OrderStatus.ISSUED)],
        ),
        _section(
            "to_deliver",
            _l("Barang untuk dikirim"),
            [order_item(o) for o in orders(OrderStatus.ACCEPTED, OrderStatus.PARTLY_DELIVERED)],
        ),
        _section(
            "to_invoice",
            _l("BAST untuk ditagih"),
            [
                WorkItem(
                    b.number or "",
                    b.purchase_order.number or "",
                    url_for("procurement.coop_order", order_id=b.purchase_order_id),
                    b.issued_at,
                    b.purchase_order.agency_name,
                )
                for b in to_invoice
            ],
        ),
    ]


# --- the timeline ---------------------------------------------------------------------------------

SUBJECT_LABELS = {
    Subject.REQUEST: _l("Permintaan"),
    Subject.QUOTATION: _l("Penawaran"),
    Subject.PURCHASE_ORDER: _l("Surat Pesanan"),
    Subject.DELIVERY: _l("Surat jalan"),
    Subject.INVOICE: _l("Invoice"),
}

STATUS_LABELS: dict[Subject, dict[Any, Any]] = {
    Subject.REQUEST: REQUEST_STATUS_LABELS,
    Subject.QUOTATION: QUOTATION_STATUS_LABELS,
    Subject.PURCHASE_ORDER: ORDER_STATUS_LABELS,
    Subject.DELIVERY: DELIVERY_STATUS_LABELS,
    Subject.INVOICE: INVOICE_STATUS_LABELS,
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
        what = CREATED_LABELS[subject]
    else:
        what = STATUS_LABELS[subject].get(event.to_status, event.to_status)
    return f"{SUBJECT_LABELS[subject]} {event.reference}: {what}".replace("  ", " ")


def timeline(request_id: int) -> list[ProcurementEvent]:
    return list(
        db.session.scalars(
            select(ProcurementEvent)
            .where(ProcurementEvent.request_id == request_id)
            .options(joinedload(ProcurementEvent.actor_user))
            .order_by(ProcurementEvent.id)
        )
    )


# --- bringing a procurement up to date ------------------------------------------------------------


def apply_due_lapses(request_id: int) -> bool:
    """Lapse what is due on this procurement now (offers, Surat Pesanan), as the periodic task
    would: a page never shows a state that the task would already have changed. Returns True
    when something changed."""
    from marketplace.procurement.negotiation import lapse_quotation, quotation_has_lapsed
    from marketplace.procurement.purchasing import lapse_order, order_has_lapsed

    changed = False
    quotations = db.session.scalars(
        select(Quotation)
        .where(
            Quotation.request_id == request_id,
            Quotation.status.in_([Q.QUOTED, Q.COUNTERED]),
        )
        .options(selectinload(Quotation.rounds))
    ).all()
    for quotation in quotations:
        if quotation_has_lapsed(quotation):
            changed |= lapse_quotation(quotation.id)
    orders = db.session.scalars(
        select(PurchaseOrder).where(
            PurchaseOrder.request_id == request_id, PurchaseOrder.status == OrderStatus.ISSUED
        )
    ).all()
    for order in orders:
        if order_has_lapsed(order):
            changed |= lapse_order(order.id)
    return changed


def lapse_due(limit: int = 500) -> int:
    """The periodic task: lapse every unanswered offer and unaccepted Surat Pesanan that is
    due, each in its own transaction; notices go out after each commit."""
    from marketplace.mail import dispatch_queued
    from marketplace.procurement.negotiation import due_quotation_ids, lapse_quotation
    from marketplace.procurement.purchasing import due_order_ids, lapse_order

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
