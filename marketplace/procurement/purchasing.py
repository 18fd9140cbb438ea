"""The Surat Pesanan (purchase order): issuing it on approval, the cooperative's acceptance
(which reserves the stock of its catalogue products) or refusal, cancelling, ending an order
short, and closing it once it is fully invoiced and paid (its lapse is in `deadlines`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import format_day, rupiah
from marketplace.inventory import stock
from marketplace.paging import Page, paginate
from marketplace.procurement import budget_lines, freezing, rules
from marketplace.procurement.common import (
    agency_ids,
    agency_members,
    cooperative_id_of,
    cooperative_members,
    document_number,
    last_day,
    local_day,
    move,
    procurement_settings,
    record_event,
    start_of_day,
)
from marketplace.procurement.deadlines import refuse_if_order_lapsed
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.lifecycle import HOLDS_STOCK, LIVE_ORDERS, can_move, find_transition
from marketplace.procurement.listing import PER_PAGE, ListQuery, in_period
from marketplace.procurement.models import (
    Actor,
    Bast,
    Delivery,
    Invoice,
    OrderStatus,
    ProcurementRole,
    PurchaseOrder,
    PurchaseOrderLine,
    Quotation,
    RoundKind,
)
from marketplace.procurement.notifications import notify, tell_order_cooperative

O = OrderStatus  # noqa: E741 - the status enum, as lifecycle names them
PP, PPK, PENERIMA = (
    ProcurementRole.PEJABAT_PENGADAAN,
    ProcurementRole.PPK,
    ProcurementRole.PENERIMA,
)


def _loaded() -> tuple[Any, ...]:
    return (
        selectinload(PurchaseOrder.lines),
        selectinload(PurchaseOrder.deliveries).selectinload(Delivery.lines),
        selectinload(PurchaseOrder.deliveries)
        .selectinload(Delivery.bast)
        .selectinload(Bast.invoice)
        .selectinload(Invoice.payment),
        # The cancelled invoices stay listed, with the ones that replaced them.
        selectinload(PurchaseOrder.deliveries)
        .selectinload(Delivery.bast)
        .selectinload(Bast.invoices)
        .options(selectinload(Invoice.replaced_by), selectinload(Invoice.replaces)),
        selectinload(PurchaseOrder.invoices).selectinload(Invoice.payment),
        selectinload(PurchaseOrder.cooperative),
        selectinload(PurchaseOrder.agency),
    )


def agency_order(user: User, order_id: int, role: ProcurementRole | None = None) -> PurchaseOrder:
    """A Surat Pesanan of an agency where the user holds ``role`` (any when None); else 404."""
    order = db.session.scalar(
        select(PurchaseOrder)
        .where(PurchaseOrder.id == order_id, PurchaseOrder.agency_id.in_(agency_ids(user, role)))
        .options(*_loaded())
    )
    if order is None:
        raise NotFound()
    return order


def cooperative_order(user: User, order_id: int) -> PurchaseOrder:
    """A Surat Pesanan to the user's own cooperative; any other is 404."""
    order = db.session.scalar(
        select(PurchaseOrder)
        .where(
            PurchaseOrder.id == order_id,
            PurchaseOrder.cooperative_id == cooperative_id_of(user),
        )
        .options(*_loaded())
    )
    if order is None:
        raise NotFound()
    return order


def _orders(statement: Any, query: ListQuery) -> Page:
    """One page of Surat Pesanan, newest first, filtered by status, cooperative and the day
    each was issued."""
    if query.status:
        statement = statement.where(PurchaseOrder.status == query.status)
    if query.cooperative_id:
        statement = statement.where(PurchaseOrder.cooperative_id == query.cooperative_id)
    statement = in_period(statement, PurchaseOrder.issued_at, query)
    return paginate(statement.order_by(PurchaseOrder.id.desc()), query.page, PER_PAGE)


def agency_orders(user: User, query: ListQuery) -> Page:
    return _orders(
        select(PurchaseOrder).where(PurchaseOrder.agency_id.in_(agency_ids(user))), query
    )


def cooperative_orders(user: User, query: ListQuery) -> Page:
    return _orders(
        select(PurchaseOrder).where(PurchaseOrder.cooperative_id == cooperative_id_of(user)),
        query,
    )


# --- the splitting check's earlier orders ------------------------------------------------------


def prior_orders(
    agency_id: int,
    cooperative_id: int,
    category_ids: Iterable[int],
    on: date,
    exclude_id: int | None = None,
) -> list[rules.PriorOrder]:
    """Live orders of the same agency from the same cooperative for the same kind of goods (a
    line in one of ``category_ids``) near ``on``; `rules.splitting_warning` keeps those within
    the window."""
    window = procurement_settings().splitting_window_days
    categories = list(set(category_ids))
    if not categories:
        return []
    statement = select(PurchaseOrder).where(
        PurchaseOrder.agency_id == agency_id,
        PurchaseOrder.cooperative_id == cooperative_id,
        PurchaseOrder.status.in_(LIVE_ORDERS),
        PurchaseOrder.issued_at >= start_of_day(on - timedelta(days=window)),
        PurchaseOrder.issued_at < start_of_day(on + timedelta(days=window + 1)),
        exists().where(
            PurchaseOrderLine.purchase_order_id == PurchaseOrder.id,
            PurchaseOrderLine.category_id.in_(categories),
        ),
    )
    if exclude_id is not None:
        statement = statement.where(PurchaseOrder.id != exclude_id)
    return [
        rules.PriorOrder(order.number or "", local_day(order.issued_at), order.total)
        for order in db.session.scalars(statement.order_by(PurchaseOrder.id))
    ]


# --- issuing ----------------------------------------------------------------------------------


def issue_purchase_order(
    quotation: Quotation,
    user: User,
    subtotal: int,
    ppn: int,
    document_type: rules.DocumentType,
    *,
    splitting_warning: str | None = None,
    splitting_reason: str | None = None,
) -> PurchaseOrder:
    """The Surat Pesanan for an approved quotation: the agreed round's lines and prices, the
    parties copied in, the deadline for the cooperative's acceptance. Its total commits the
    request's budget line, which must have that much left (checked under the line's lock)."""
    request = quotation.request
    cooperative = quotation.cooperative
    agreed = quotation.rounds[-1]
    offers = [r for r in quotation.rounds if r.kind == RoundKind.OFFER]
    delivery_date = (offers[-1].delivery_date if offers else None) or request.delivery_date
    now = clock.now()
    acceptance_due_at = rules.order_acceptance_lapses_at(now, procurement_settings())
    budget_line_id = budget_lines.check_order_fits(request, subtotal + ppn)
    order = PurchaseOrder(
        request_id=request.id,
        quotation_id=quotation.id,
        agency_id=request.agency_id,
        cooperative_id=cooperative.id,
        status=O.ISSUED,
        document_type=document_type,
        is_pkp=cooperative.is_pkp,
        subtotal=subtotal,
        ppn=ppn,
        total=subtotal + ppn,
        agency_name=request.agency.name,
        cooperative_name=cooperative.name,
        kode_rup=request.kode_rup,
        budget_line_id=budget_line_id,
        delivery_date=delivery_date,
        delivery_addresses=request.delivery_addresses,
        issued_at=now,
        issued_by_id=user.id,
        acceptance_due_at=acceptance_due_at,
        splitting_warning=splitting_warning,
        splitting_reason=splitting_reason,
    )
    request_lines = {line.id: line for line in request.lines}
    for round_line in sorted(
        agreed.lines, key=lambda rl: request_lines[rl.request_line_id].position
    ):
        line = request_lines[round_line.request_line_id]
        own_product = line.variant is not None and line.variant.cooperative_id == cooperative.id
        order.lines.append(
            PurchaseOrderLine(
                request_line_id=line.id,
                variant_id=line.variant_id if own_product else None,
                category_id=line.category_id,
                name=line.name,
                specification=line.specification,
                unit=line.unit,
                quantity=round_line.quantity,
                unit_price=round_line.unit_price,
                line_total=round_line.line_total,
            )
        )
    db.session.add(order)
    db.session.flush()
    order.number = document_number("SP", order.id, now)
    record_event(
        order,
        Actor.PPK,
        user,
        to_status=O.ISSUED,
        note=splitting_reason or "",
        data={"total": order.total, "document_type": str(document_type)},
    )
    due = last_day(acceptance_due_at)
    notify(
        cooperative_members(cooperative.id),
        lambda: _(
            "Surat Pesanan %(number)s dari %(agency)s senilai %(total)s. Terima paling lambat "
            "%(deadline)s.",
            number=order.number,
            agency=order.agency_name,
            total=rupiah(order.total),
            deadline=format_day(due, "long"),
        ),
        "procurement.coop_order",
        order_id=order.id,
    )
    freezing.freeze("order", order.id, user, freezing.AS_PPK)
    return order


# --- stock --------------------------------------------------------------------------------------


def _catalogue_quantities(
    order: PurchaseOrder, quantity_of: Callable[[PurchaseOrderLine], int]
) -> dict[int, int]:
    """Per variant, ``quantity_of`` each line of the cooperative's own catalogue (if > 0)."""
    pairs = []
    for line in order.lines:
        quantity = quantity_of(line)
        if line.variant_id is not None and quantity > 0:
            pairs.append((line.variant_id, quantity))
    return stock.quantities_of(pairs)


def release_outstanding(order: PurchaseOrder) -> None:
    """Give back the reserved stock of what will not be delivered."""
    quantities = _catalogue_quantities(order, lambda line: line.outstanding)
    if quantities:
        stock.release(quantities)


# --- the cooperative's moves --------------------------------------------------------------------


def accept_order(user: User, order_id: int) -> PurchaseOrder:
    """The cooperative accepts the Surat Pesanan: its catalogue products' stock is reserved
    (all of it or none: too little stock refuses the acceptance, saying which product)."""
    order = cooperative_order(user, order_id)
    find_transition(order, O.ACCEPTED, Actor.COOPERATIVE)
    refuse_if_order_lapsed(order)
    quantities = _catalogue_quantities(order, lambda line: line.quantity)
    if quantities:
        stock.reserve(quantities)
    move(
        order,
        O.ACCEPTED,
        Actor.COOPERATIVE,
        user,
        values={"accepted_at": clock.now(), "accepted_by_id": user.id, "acceptance_due_at": None},
    )
    notify(
        agency_members(order.agency_id, PENERIMA) + agency_members(order.agency_id, PP),
        lambda: _(
            "%(name)s menerima Surat Pesanan %(number)s. Barang dikirim paling lambat %(date)s.",
            name=order.cooperative_name,
            number=order.number,
            date=format_day(order.delivery_date, "long"),
        ),
        "procurement.order",
        order_id=order.id,
    )
    return order


def decline_order(user: User, order_id: int, reason: str) -> PurchaseOrder:
    order = cooperative_order(user, order_id)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidProcurementInput(_("Tulis alasan Anda menolak."))
    find_transition(order, O.DECLINED, Actor.COOPERATIVE)
    refuse_if_order_lapsed(order)
    move(
        order,
        O.DECLINED,
        Actor.COOPERATIVE,
        user,
        note=reason,
        values={"status_reason": reason, "acceptance_due_at": None},
    )
    notify(
        agency_members(order.agency_id, PPK) + agency_members(order.agency_id, PP),
        lambda: _(
            "%(name)s menolak Surat Pesanan %(number)s: %(reason)s",
            name=order.cooperative_name,
            number=order.number,
            reason=reason,
        ),
        "procurement.order",
        order_id=order.id,
    )
    return order


# --- the PPK's moves ----------------------------------------------------------------------------


def cancel_order(user: User, order_id: int, reason: str) -> PurchaseOrder:
    """Cancel before anything was delivered; reserved stock is released."""
    order = agency_order(user, order_id, PPK)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidProcurementInput(_("Tulis alasan pembatalan."))
    held = order.status in HOLDS_STOCK
    find_transition(order, O.CANCELLED, Actor.PPK)
    if held:
        release_outstanding(order)
    move(
        order,
        O.CANCELLED,
        Actor.PPK,
        user,
        note=reason,
        values={"status_reason": reason, "acceptance_due_at": None},
    )
    tell_order_cooperative(
        order,
        lambda: _(
            "Surat Pesanan %(number)s dibatalkan oleh PPK: %(reason)s",
            number=order.number,
            reason=reason,
        ),
    )
    return order


def end_order_short(user: User, order_id: int, reason: str) -> PurchaseOrder:
    """The PPK ends a partly delivered order: what was not accepted will not come (its stock is
    released), the order counts as delivered and closes once its invoices are paid."""
    order = agency_order(user, order_id, PPK)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidProcurementInput(_("Tulis alasan mengakhiri pesanan."))
    find_transition(order, O.DELIVERED, Actor.PPK)
    release_outstanding(order)
    move(order, O.DELIVERED, Actor.PPK, user, note=reason, values={"status_reason": reason})
    tell_order_cooperative(
        order,
        lambda: _(
            "PPK mengakhiri Surat Pesanan %(number)s dengan barang yang sudah diterima: %(reason)s",
            number=order.number,
            reason=reason,
        ),
    )
    close_if_settled(order, Actor.PPK, user)
    return order


def close_if_settled(order: PurchaseOrder, actor: Actor, user: User | None) -> bool:
    """Close a delivered order once every BAST's invoice is paid."""
    db.session.refresh(order)
    if order.status != O.DELIVERED or not can_move(order, O.CLOSED, actor):
        return False
    move(order, O.CLOSED, actor, user, values={"closed_at": clock.now()})
    message = lambda: _(  # noqa: E731
        "Surat Pesanan %(number)s selesai: semua barang diterima dan dibayar.",
        number=order.number,
    )
    tell_order_cooperative(order, message)
    notify(
        agency_members(order.agency_id, PP),
        message,
        "procurement.order",
        order_id=order.id,
    )
    return True
