"""Deliveries with their surat jalan, the receiver's inspection (which issues a BAST per
delivery and sells the accepted goods' stock), and one invoice per BAST with its taxes (the
treasurer's payment is in `payment`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.inventory import stock
from marketplace.procurement import freezing, inspection, tax
from marketplace.procurement.common import (
    agency_ids,
    agency_members,
    cooperative_id_of,
    cooperative_members,
    document_number,
    local_day,
    move,
    procurement_settings,
    record_event,
    today,
)
from marketplace.procurement.exceptions import InvalidProcurementInput, InvalidTransition
from marketplace.procurement.lifecycle import (
    HOLDS_STOCK,
    everything_accepted,
    find_transition,
    something_accepted,
)
from marketplace.procurement.models import (
    Actor,
    Bast,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    OrderStatus,
    ProcurementRole,
    PurchaseOrder,
    PurchaseOrderLine,
)
from marketplace.procurement.notifications import notify
from marketplace.procurement.purchasing import cooperative_order

PENERIMA, BENDAHARA = ProcurementRole.PENERIMA, ProcurementRole.BENDAHARA


def _refuse(message: str) -> InvalidProcurementInput:
    return InvalidProcurementInput(message)


# --- look-ups ------------------------------------------------------------------------------------


def agency_delivery(user: User, delivery_id: int, role: ProcurementRole | None = None) -> Delivery:
    delivery = db.session.scalar(
        select(Delivery)
        .join(Delivery.purchase_order)
        .where(Delivery.id == delivery_id, PurchaseOrder.agency_id.in_(agency_ids(user, role)))
        .options(selectinload(Delivery.lines).selectinload(DeliveryLine.order_line))
    )
    if delivery is None:
        raise NotFound()
    return delivery


def cooperative_delivery(user: User, delivery_id: int) -> Delivery:
    delivery = db.session.scalar(
        select(Delivery)
        .join(Delivery.purchase_order)
        .where(
            Delivery.id == delivery_id,
            PurchaseOrder.cooperative_id == cooperative_id_of(user),
        )
    )
    if delivery is None:
        raise NotFound()
    return delivery


def agency_invoice(user: User, invoice_id: int, role: ProcurementRole | None = None) -> Invoice:
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id, Invoice.agency_id.in_(agency_ids(user, role)))
        .options(selectinload(Invoice.lines), selectinload(Invoice.payment))
    )
    if invoice is None:
        raise NotFound()
    return invoice


def cooperative_invoice(user: User, invoice_id: int) -> Invoice:
    invoice = db.session.scalar(
        select(Invoice).where(
            Invoice.id == invoice_id, Invoice.cooperative_id == cooperative_id_of(user)
        )
    )
    if invoice is None:
        raise NotFound()
    return invoice


def cooperative_bast(user: User, bast_id: int) -> Bast:
    bast = db.session.scalar(
        select(Bast)
        .join(Bast.purchase_order)
        .where(Bast.id == bast_id, PurchaseOrder.cooperative_id == cooperative_id_of(user))
    )
    if bast is None:
        raise NotFound()
    return bast


def agency_bast(user: User, bast_id: int) -> Bast:
    bast = db.session.scalar(
        select(Bast)
        .join(Bast.purchase_order)
        .where(Bast.id == bast_id, PurchaseOrder.agency_id.in_(agency_ids(user)))
    )
    if bast is None:
        raise NotFound()
    return bast


# --- deliveries ----------------------------------------------------------------------------------


def pending_quantity(order: PurchaseOrder, line: PurchaseOrderLine) -> int:
    """Units of a line in deliveries still waiting for inspection."""
    return sum(
        delivery_line.quantity
        for delivery in order.deliveries
        if delivery.status == DeliveryStatus.SENT
        for delivery_line in delivery.lines
        if delivery_line.order_line_id == line.id
    )


def deliverable_quantity(order: PurchaseOrder, line: PurchaseOrderLine) -> int:
    """What may still be sent for a line: not yet accepted and not on its way."""
    return max(line.outstanding - pending_quantity(order, line), 0)


@dataclass(frozen=True)
class DeliveryDetails:
    delivered_on: date | None
    driver: str = ""
    vehicle: str = ""
    note: str = ""


def record_delivery(
    user: User, order_id: int, quantities: Mapping[int, int], details: DeliveryDetails
) -> Delivery:
    """The cooperative records a delivery (all or part of what is outstanding) and its surat
    jalan; the receivers are asked to inspect it."""
    order = cooperative_order(user, order_id)
    if order.status not in HOLDS_STOCK:
        raise InvalidTransition()
    lines = {line.id: line for line in order.lines}
    if not set(quantities) <= set(lines):
        raise _refuse(_("Barang yang dikirim harus dari Surat Pesanan ini."))
    chosen = []
    for line_id, quantity in quantities.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise _refuse(_("Jumlah dikirim harus berupa angka bulat, minimal 0."))
        if quantity == 0:
            continue
        line = lines[line_id]
        room = deliverable_quantity(order, line)
        if quantity > room:
            raise _refuse(
                _("%(name)s: paling banyak %(n)d lagi yang dapat dikirim.", name=line.name, n=room)
            )
        chosen.append((line, quantity))
    if not chosen:
        raise _refuse(_("Isi jumlah barang yang dikirim, minimal satu barang."))
    delivered_on = details.delivered_on
    if delivered_on is None:
        raise _refuse(_("Isi tanggal pengiriman."))
    if delivered_on > today():
        raise _refuse(_("Tanggal pengiriman tidak boleh di masa depan."))
    if order.accepted_at is not None and delivered_on < local_day(order.accepted_at):
        raise _refuse(_("Tanggal pengiriman tidak boleh sebelum Surat Pesanan diterima."))
    driver, vehicle, note = details.driver.strip(), details.vehicle.strip(), details.note.strip()
    if len(driver) > 120 or len(vehicle) > 40 or len(note) > 2000:
        raise _refuse(_("Keterangan pengiriman terlalu panjang."))
    delivery = Delivery(
        purchase_order_id=order.id,
        status=DeliveryStatus.SENT,
        delivered_on=delivered_on,
        driver=driver,
        vehicle=vehicle,
        note=note,
        created_by_id=user.id,
    )
    for line, quantity in sorted(chosen, key=lambda item: item[0].id):
        delivery.lines.append(DeliveryLine(order_line_id=line.id, quantity=quantity))
    db.session.add(delivery)
    db.session.flush()
    delivery.number = document_number("SJ", delivery.id)
    order.deliveries.append(delivery)
    record_event(
        delivery,
        Actor.COOPERATIVE,
        user,
        to_status=DeliveryStatus.SENT,
        note=note,
        data={"lines": {str(line.id): quantity for line, quantity in chosen}},
    )
    notify(
        agency_members(order.agency_id, PENERIMA),
        lambda: _(
            "%(name)s mengirim barang untuk %(number)s (surat jalan %(note)s). Periksa dan buat "
            "BAST.",
            name=order.cooperative_name,
            number=order.number,
            note=delivery.number,
        ),
        "procurement.inspect",
        delivery_id=delivery.id,
    )
    return delivery


def withdraw_delivery(user: User, delivery_id: int) -> Delivery:
    """The cooperative withdraws a delivery recorded by mistake, before inspection."""
    delivery = cooperative_delivery(user, delivery_id)
    move(delivery, DeliveryStatus.WITHDRAWN, Actor.COOPERATIVE, user)
    order = delivery.purchase_order
    notify(
        agency_members(order.agency_id, PENERIMA),
        lambda: _(
            "Surat jalan %(note)s untuk %(number)s ditarik oleh koperasi.",
            note=delivery.number,
            number=order.number,
        ),
        "procurement.order",
        order_id=order.id,
    )
    return delivery


# --- inspection and the BAST ---------------------------------------------------------------------


def inspect_delivery(
    user: User,
    delivery_id: int,
    accepted: Mapping[int, int],
    notes: Mapping[int, str],
    note: str = "",
    inspection_details: inspection.Inspection | None = None,
) -> Bast:
    """The receiver records, per line, how many were accepted (the rest is rejected, with a
    note saying why), the day of the inspection and its team (`inspection`; without them,
    today and the receiver alone). This issues the BAST; the accepted goods' reserved stock
    becomes a sale; the order becomes partly delivered or delivered."""
    delivery = agency_delivery(user, delivery_id, PENERIMA)
    # Two receivers pressing at once: the second waits here for the first to finish, then sees
    # the delivery inspected and is refused (without the lock both went on to issue a BAST).
    db.session.refresh(delivery, with_for_update=True)
    find_transition(delivery, DeliveryStatus.INSPECTED, Actor.PENERIMA)
    order = delivery.purchase_order
    if inspection_details is None:
        inspection_details = inspection.Inspection(
            today(), [inspection.Inspector(role=inspection.RECEIVER_ROLE, user_id=user.id)]
        )
    inspected_on = inspection.check_day(delivery, inspection_details.inspected_on)
    team = inspection.team_rows(order.agency_id, inspection_details.team)
    lines = {line.id: line for line in delivery.lines}
    if set(accepted) != set(lines):
        raise _refuse(_("Isi jumlah yang diterima untuk setiap barang pada surat jalan."))
    note = note.strip()
    if len(note) > 2000:
        raise _refuse(_("Catatan paling banyak 2000 karakter."))
    accepted_total = 0
    sold: list[tuple[int, int]] = []
    for line_id, line in lines.items():
        quantity = accepted[line_id]
        name = line.order_line.name
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise _refuse(_("%(name)s: jumlah diterima harus angka bulat, minimal 0.", name=name))
        if quantity > line.quantity:
            raise _refuse(
                _("%(name)s: paling banyak %(n)d yang dikirim.", name=name, n=line.quantity)
            )
        line_note = (notes.get(line_id) or "").strip()
        if len(line_note) > 500:
            raise _refuse(_("%(name)s: catatan paling banyak 500 karakter.", name=name))
        if quantity < line.quantity and not line_note:
            raise _refuse(_("%(name)s: tulis alasan barang yang ditolak.", name=name))
        line.accepted_quantity = quantity
        line.rejected_quantity = line.quantity - quantity
        line.note = line_note
        accepted_total += quantity * line.order_line.unit_price
        if quantity:
            db.session.execute(
                update(PurchaseOrderLine)
                .where(PurchaseOrderLine.id == line.order_line_id)
                .values(accepted_quantity=PurchaseOrderLine.accepted_quantity + quantity)
                .execution_options(synchronize_session=False)
            )
            if line.order_line.variant_id is not None:
                sold.append((line.order_line.variant_id, quantity))
    db.session.flush()
    for order_line in order.lines:
        db.session.expire(order_line, ["accepted_quantity"])
    if sold:
        stock.sell(stock.quantities_of(sold), note=order.number or "", actor_id=user.id)
    bast = Bast(
        delivery=delivery,
        purchase_order=order,
        issued_at=clock.now(),
        inspected_on=inspected_on,
        receiver_id=user.id,
        accepted_total=accepted_total,
        note=note,
        inspectors=team,
    )
    db.session.add(bast)
    db.session.flush()
    bast.number = document_number("BAST", bast.id)
    move(
        delivery,
        DeliveryStatus.INSPECTED,
        Actor.PENERIMA,
        user,
        note=note,
        data={"bast": bast.number, "accepted_total": accepted_total},
    )
    db.session.refresh(order)
    if everything_accepted(order):
        move(order, OrderStatus.DELIVERED, Actor.PENERIMA, user, data={"bast": bast.number})
    elif order.status == OrderStatus.ACCEPTED and something_accepted(order):
        move(order, OrderStatus.PARTLY_DELIVERED, Actor.PENERIMA, user, data={"bast": bast.number})
    if accepted_total:
        message = lambda: _(  # noqa: E731
            "BAST %(bast)s untuk %(number)s: barang senilai %(amount)s diterima. Buat invoice.",
            bast=bast.number,
            number=order.number,
            amount=rupiah(accepted_total),
        )
    else:
        message = lambda: _(  # noqa: E731
            "BAST %(bast)s untuk %(number)s: semua barang pada surat jalan %(note)s ditolak.",
            bast=bast.number,
            number=order.number,
            note=delivery.number,
        )
    notify(
        cooperative_members(order.cooperative_id),
        message,
        "procurement.coop_order",
        order_id=order.id,
    )
    freezing.freeze("bast", bast.id, user, freezing.AS_RECEIVER)
    return bast


# --- invoices ------------------------------------------------------------------------------------


def issue_invoice(user: User, bast_id: int) -> Invoice:
    """The cooperative's invoice for one BAST's accepted goods. The taxes are judged on the
    Surat Pesanan's total (`tax.calculate_invoice`), the stamp duty on the invoice's own value;
    PPh 22 is 0.5% final when the cooperative's PP 55 certificate is valid today. After the
    BAST's invoice was cancelled, the new one replaces it (and says so)."""
    bast = cooperative_bast(user, bast_id)
    if bast.invoice is not None:
        raise _refuse(_("BAST ini sudah memiliki invoice %(number)s.", number=bast.invoice.number))
    if bast.accepted_total == 0:
        raise _refuse(_("Tidak ada barang yang diterima pada BAST ini; tidak ada yang ditagih."))
    order = bast.purchase_order
    cooperative = order.cooperative
    on = today()
    accepted_lines = [line for line in bast.delivery.lines if line.accepted_quantity]
    breakdown = tax.calculate_invoice(
        [
            tax.InvoiceLine(int(line.accepted_quantity or 0), line.order_line.unit_price)
            for line in accepted_lines
        ],
        is_pkp=order.is_pkp,
        pp55_certificate_valid=cooperative.has_valid_pp55(on),
        order_total_excluding_ppn=order.subtotal,
        settings=procurement_settings(),
    )
    # A BAST's earlier invoices are all cancelled here; the latest is the one being replaced.
    replaced = bast.invoices[-1] if bast.invoices else None
    invoice = Invoice(
        bast_id=bast.id,
        replaces_id=replaced.id if replaced is not None else None,
        purchase_order_id=order.id,
        agency_id=order.agency_id,
        cooperative_id=order.cooperative_id,
        status=InvoiceStatus.ISSUED,
        issued_on=on,
        issued_at=clock.now(),
        issued_by_id=user.id,
        subtotal=breakdown.subtotal,
        dpp=breakdown.dpp,
        ppn=breakdown.ppn,
        ppn_collected_by_treasurer=breakdown.ppn_collected_by_treasurer,
        ppn_collected=breakdown.ppn_collected,
        pph22_final=breakdown.pph22_final,
        pph22_rate_label=breakdown.pph22_rate_label,
        pph22=breakdown.pph22,
        total=breakdown.total,
        payable=breakdown.payable,
        stamp_duty_amount=breakdown.stamp_duty_amount,
        total_in_words=breakdown.total_in_words,
        order_total_excluding_ppn=breakdown.order_total_excluding_ppn,
        order_total_including_ppn=breakdown.order_total_including_ppn,
    )
    if breakdown.pph22_final:
        invoice.pp55_certificate_number = cooperative.pp55_certificate_number
        invoice.pp55_valid_until = cooperative.pp55_valid_until
    for line in accepted_lines:
        quantity = int(line.accepted_quantity or 0)
        invoice.lines.append(
            InvoiceLine(
                order_line_id=line.order_line_id,
                category_id=line.order_line.category_id,
                name=line.order_line.name,
                unit=line.order_line.unit,
                quantity=quantity,
                unit_price=line.order_line.unit_price,
                amount=quantity * line.order_line.unit_price,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(invoice)
            db.session.flush()
    except IntegrityError:
        # Another request invoiced this BAST first (a double click, two tabs).
        raise _refuse(_("BAST ini sudah memiliki invoice.")) from None
    # The BAST and the order loaded their invoices before this one existed.
    db.session.expire(bast, ["invoice", "invoices"])
    db.session.expire(order, ["invoices"])
    invoice.number = document_number("INV", invoice.id)
    record_event(
        invoice,
        Actor.COOPERATIVE,
        user,
        to_status=InvoiceStatus.ISSUED,
        note=_("Pengganti invoice %(number)s", number=replaced.number) if replaced else "",
        data={
            "bast": bast.number,
            "total": invoice.total,
            "payable": invoice.payable,
            **({"replaces": replaced.number} if replaced is not None else {}),
        },
    )
    notify(
        agency_members(order.agency_id, BENDAHARA),
        lambda: _(
            "Invoice %(invoice)s dari %(name)s untuk %(number)s: dibayarkan %(payable)s.",
            invoice=invoice.number,
            name=order.cooperative_name,
            number=order.number,
            payable=rupiah(invoice.payable),
        ),
        "procurement.invoice",
        invoice_id=invoice.id,
    )
    freezing.freeze("invoice", invoice.id, user, freezing.AS_COOPERATIVE)
    if replaced is not None:
        # The cancelled invoice's next version names the one that replaces it.
        db.session.expire(replaced, ["replaced_by"])
        freezing.freeze("invoice", replaced.id, user, freezing.AS_COOPERATIVE)
    return invoice
