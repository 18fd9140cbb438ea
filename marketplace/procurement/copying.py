"""Copying a request that ended without goods (cancelled; its quotations declined or lapsed; its
Surat Pesanan declined, lapsed or cancelled) into a new draft, so the officer starts again from
what was asked rather than typing it anew. The copy reads today's catalogue prices."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, ProductVariant
from marketplace.catalogue.search import visible_products
from marketplace.extensions import db
from marketplace.procurement import deadlines, requests
from marketplace.procurement.common import document_number, record_event
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import (
    Actor,
    OrderStatus,
    ProcurementRequest,
    PurchaseOrder,
    QuotationStatus,
    RequestLine,
    RequestStatus,
)

PP = requests.PP

#: Quotations that ended without an order: the agency may start again from the request.
_ENDED_QUOTATIONS = frozenset(
    {QuotationStatus.DECLINED, QuotationStatus.LAPSED, QuotationStatus.WITHDRAWN}
)
_ENDED_ORDERS = frozenset({OrderStatus.DECLINED, OrderStatus.LAPSED, OrderStatus.CANCELLED})


def may_copy(request: ProcurementRequest) -> bool:
    """Whether the request ended without goods: cancelled; sent, with every quotation declined,
    lapsed or closed; or awarded, with its Surat Pesanan declined, lapsed or cancelled. A lapse
    counts as soon as it is due (computed, as every page shows it), before the job writes it."""
    if request.status == RequestStatus.CANCELLED:
        return True
    if request.status == RequestStatus.SENT:
        return bool(request.quotations) and all(
            q.status in _ENDED_QUOTATIONS or deadlines.quotation_has_lapsed(q)
            for q in request.quotations
        )
    if request.status == RequestStatus.AWARDED:
        orders = list(
            db.session.scalars(select(PurchaseOrder).where(PurchaseOrder.request_id == request.id))
        )
        return bool(orders) and all(
            o.status in _ENDED_ORDERS or deadlines.order_has_lapsed(o) for o in orders
        )
    return False


def copy_request(user: User, request_id: int) -> tuple[ProcurementRequest, list[str]]:
    """A new draft from a request that ended without goods: its details (title, Kode RUP, budget
    line, HPS, delivery date and addresses, notes), its lines and quantities with today's
    catalogue prices, and its cooperatives that are still active. A product no longer in the
    catalogue is kept as a written specification of the same goods; those names are returned,
    to tell the officer."""
    source = requests.agency_request(user, request_id, PP)
    if not may_copy(source):
        raise InvalidProcurementInput(
            _(
                "Hanya permintaan yang dibatalkan, atau yang penawaran atau Surat Pesanannya "
                "ditolak atau kedaluwarsa, yang dapat disalin."
            )
        )
    copy = ProcurementRequest(
        agency_id=source.agency_id,
        created_by_id=user.id,
        title=source.title,
        kode_rup=source.kode_rup,
        budget_line_id=source.budget_line_id,
        ceiling=source.ceiling,
        delivery_date=source.delivery_date,
        delivery_addresses=source.delivery_addresses,
        notes=source.notes,
        status=RequestStatus.DRAFT,
    )
    db.session.add(copy)
    db.session.flush()
    copy.number = document_number("PMT", copy.id)
    variants = _current_variants([line.variant_id for line in source.lines if line.variant_id])
    unlisted: list[str] = []
    for line in sorted(source.lines, key=lambda line: line.position):
        variant = variants.get(line.variant_id) if line.variant_id else None
        if line.variant_id and variant is None:
            unlisted.append(line.name)
        copy.lines.append(
            RequestLine(
                position=line.position,
                variant_id=variant.id if variant else None,
                cooperative_id=variant.product.cooperative_id if variant else None,
                category_id=line.category_id,
                name=line.name,
                specification=line.specification,
                unit=line.unit,
                quantity=line.quantity,
                reference_unit_price=variant.unit_price_for(line.quantity) if variant else None,
                hps_unit_price=line.hps_unit_price,
            )
        )
    active = {c.id for c in requests.invitable_cooperatives()}
    requests.set_invitations(
        copy, [q.cooperative_id for q in source.quotations if q.cooperative_id in active]
    )
    record_event(
        copy,
        Actor.PEJABAT_PENGADAAN,
        user,
        to_status=RequestStatus.DRAFT,
        note=_("Disalin dari %(number)s.", number=source.number),
        data={"copied_from": source.number},
    )
    db.session.flush()
    return copy, unlisted


def _current_variants(variant_ids: list[int]) -> dict[int, ProductVariant]:
    """The variants still offered in the catalogue (active, their product visible), by id."""
    if not variant_ids:
        return {}
    found = db.session.scalars(
        select(ProductVariant)
        .where(
            ProductVariant.id.in_(variant_ids),
            ProductVariant.is_active,
            ProductVariant.product_id.in_(visible_products().with_only_columns(Product.id)),
        )
        .options(selectinload(ProductVariant.price_tiers), selectinload(ProductVariant.product))
    )
    return {variant.id: variant for variant in found}
