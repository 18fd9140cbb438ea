"""From the accepted Surat Pesanan to the closed order: stock, partial deliveries, inspection
and BAST, invoices judged on the order's total, payment (transfer, card limit) and its
entries in the settlement ledger, and who may do each step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock
from marketplace.inventory.models import MovementReason, StockMovement
from marketplace.notifications.models import Notification
from marketplace.payments import settlement
from marketplace.payments.models import SettlementEntry
from marketplace.procurement import fulfilment, payment, purchasing
from marketplace.procurement.common import today
from marketplace.procurement.exceptions import (
    CardLimitExceeded,
    InvalidProcurementInput,
    InvalidTransition,
)
from marketplace.procurement.models import (
    DeliveryStatus,
    InvoiceStatus,
    OrderStatus,
)
from tests.procurement import workflow as wf

O = OrderStatus  # noqa: E741


def notices_for(user: Any) -> list[str]:
    return list(
        db.session.scalars(select(Notification.message).where(Notification.user_id == user.id))
    )


def test_acceptance_reserves_the_catalogue_stock(app_ctx: Flask) -> None:
    c = wf.cast(on_hand=500)
    order = wf.issued(c, quantity=200)
    assert c.variant.reserved == 0  # an issued Surat Pesanan holds nothing yet
    purchasing.accept_order(c.member, order.id)
    db.session.refresh(c.variant)
    assert (c.variant.on_hand, c.variant.reserved) == (500, 200)
    assert order.status == O.ACCEPTED and order.accepted_by_id == c.member.id
    assert any("menerima Surat Pesanan" in m for m in notices_for(c.receiver))


def test_too_little_stock_refuses_the_acceptance(app_ctx: Flask) -> None:
    c = wf.cast(on_hand=150)
    order = wf.issued(c, quantity=200)
    with pytest.raises(InsufficientStock, match="hanya tinggal 150"):
        purchasing.accept_order(c.member, order.id)
    db.session.refresh(order)
    db.session.refresh(c.variant)
    assert order.status == O.ISSUED and c.variant.reserved == 0


def test_a_partial_delivery_is_inspected_and_the_accepted_goods_are_sold(
    app_ctx: Flask,
) -> None:
    c = wf.cast(on_hand=500)
    order = wf.accepted(c, quantity=200)
    delivery = wf.deliver(c, order, 120)
    assert delivery.number.startswith("SJ-") and delivery.status == DeliveryStatus.SENT
    assert any("Periksa dan buat BAST" in m for m in notices_for(c.receiver))
    with pytest.raises(InvalidProcurementInput, match="tulis alasan"):
        wf.inspect(c, delivery, 100)  # 20 rejected without a note
    bast = wf.inspect(c, delivery, 100, "20 bungkus kemasan sobek")
    assert bast.number.startswith("BAST-")
    assert bast.accepted_total == 100 * 9_000
    line = delivery.lines[0]
    assert (line.accepted_quantity, line.rejected_quantity) == (100, 20)
    assert order.status == O.PARTLY_DELIVERED
    assert order.lines[0].accepted_quantity == 100
    db.session.refresh(c.variant)
    # 100 sold (on hand and reserved drop together); the 20 rejected stay reserved.
    assert (c.variant.on_hand, c.variant.reserved) == (400, 100)
    sale = db.session.scalars(
        select(StockMovement).where(StockMovement.reason == MovementReason.SALE)
    ).one()
    assert (sale.quantity, sale.note) == (-100, order.number)
    assert stock.ledger_balance(c.variant.id) == 400
    # The rest, including the rejected goods, can come in another delivery.
    assert fulfilment.deliverable_quantity(order, order.lines[0]) == 100
    with pytest.raises(InvalidProcurementInput, match="paling banyak 100"):
        wf.deliver(c, order, 101)
    second = wf.deliver(c, order, 100)
    wf.inspect(c, second, 100)
    assert order.status == O.DELIVERED
    db.session.refresh(c.variant)
    assert (c.variant.on_hand, c.variant.reserved) == (300, 0)


@pytest.mark.parametrize(
    ("quantities", "delivered_on", "message"),
    [
        ({}, "today", "minimal satu barang"),
        ("zero", "today", "minimal satu barang"),
        ("negative", "today", "minimal 0"),
        ("foreign", "today", "dari Surat Pesanan ini"),
        ("one", "tomorrow", "masa depan"),
        ("one", "before", "sebelum Surat Pesanan diterima"),
        ("one", None, "tanggal"),
    ],
)
def test_bad_deliveries_are_refused(
    app_ctx: Flask, quantities: Any, delivered_on: Any, message: str
) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    line_id = order.lines[0].id
    chosen = (
        {
            "zero": {line_id: 0},
            "negative": {line_id: -1},
            "foreign": {987_654: 1},
            "one": {line_id: 1},
        }.get(quantities, quantities)
        if isinstance(quantities, str)
        else quantities
    )
    day = {
        "today": today(),
        "tomorrow": today() + timedelta(days=1),
        "before": today() - timedelta(days=1),
        None: None,
    }[delivered_on]
    with pytest.raises(InvalidProcurementInput, match=message):
        fulfilment.record_delivery(
            c.member, order.id, chosen, fulfilment.DeliveryDetails(delivered_on=day)
        )
    assert order.deliveries == []


def test_a_delivery_needs_an_accepted_order(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.issued(c)
    with pytest.raises(InvalidTransition):
        wf.deliver(c, order, 10)


def test_bad_inspections_are_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    delivery = wf.deliver(c, order, 50)
    line = delivery.lines[0]
    for accepted, message in ((51, "paling banyak 50"), (-1, "minimal 0")):
        with pytest.raises(InvalidProcurementInput, match=message):
            fulfilment.inspect_delivery(c.receiver, delivery.id, {line.id: accepted}, {})
    with pytest.raises(InvalidProcurementInput, match="setiap barang"):
        fulfilment.inspect_delivery(c.receiver, delivery.id, {987_654: 1}, {})
    assert delivery.status == DeliveryStatus.SENT


def test_only_the_agencys_receiver_inspects(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    delivery = wf.deliver(c, order, 50)
    for user in (c.pp, c.ppk, c.treasurer, c.other_ppk):
        with pytest.raises(NotFound):
            fulfilment.inspect_delivery(user, delivery.id, {delivery.lines[0].id: 50}, {})


def test_everything_rejected_issues_a_bast_with_nothing_to_invoice(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    delivery = wf.deliver(c, order, 50)
    bast = wf.inspect(c, delivery, 0, "Kedaluwarsa")
    assert bast.accepted_total == 0 and order.status == O.ACCEPTED
    with pytest.raises(InvalidProcurementInput, match="tidak ada yang ditagih"):
        wf.invoice_for(c, bast)
    assert any("ditolak" in m for m in notices_for(c.member))


def test_a_partial_invoice_is_taxed_on_the_order_total(app_ctx: Flask) -> None:
    """DOMAIN's example: the first Rp1.000.000 delivery of a PKP cooperative's Rp10.000.000
    order has its PPN collected and PPh 22 withheld, however small the part."""
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    assert (order.subtotal, order.total) == (10_000_000, 11_100_000)
    bast = wf.inspect(c, wf.deliver(c, order, 100), 100)
    invoice = wf.invoice_for(c, bast)
    assert invoice.number.startswith("INV-")
    assert (invoice.subtotal, invoice.ppn, invoice.total) == (1_000_000, 110_000, 1_110_000)
    assert invoice.ppn_collected_by_treasurer and invoice.ppn_collected == 110_000
    assert (invoice.pph22, invoice.pph22_rate_label) == (15_000, "1,5%")
    assert invoice.payable == 985_000
    assert not invoice.stamp_duty_required  # its own value is Rp1.110.000
    assert invoice.total_in_words == "satu juta seratus sepuluh ribu rupiah"
    assert invoice.order_total_excluding_ppn == 10_000_000
    assert [(line.quantity, line.amount) for line in invoice.lines] == [(100, 1_000_000)]
    assert any(invoice.number in m for m in notices_for(c.treasurer))
    with pytest.raises(InvalidProcurementInput, match="sudah memiliki invoice"):
        wf.invoice_for(c, bast)


def test_a_valid_pp55_certificate_lowers_pph22_to_half_a_percent(app_ctx: Flask) -> None:
    c = wf.cast(price=10_000, on_hand=2000, pp55_valid_until=date(2027, 12, 31))
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 1000), 1000))
    assert (invoice.ppn, invoice.pph22, invoice.payable) == (0, 50_000, 9_950_000)
    assert invoice.pph22_final and invoice.stamp_duty_required
    assert invoice.stamp_duty_amount == 10_000


def test_a_small_order_withholds_nothing(app_ctx: Flask) -> None:
    c = wf.cast(is_pkp=True)
    order = wf.accepted(c, price=9_000, quantity=200)  # Rp1.800.000 + PPN = Rp1.998.000
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
    assert (invoice.ppn_collected, invoice.pph22) == (0, 0)
    assert invoice.payable == invoice.total == 1_998_000


def ledger(invoice: Any) -> list[tuple[int, str, int, str | None, date | None]]:
    """The settlement ledger's entries for an invoice: cooperative, kind, amount, number, day."""
    entries = db.session.scalars(
        select(SettlementEntry).where(SettlementEntry.invoice_id == invoice.id)
    ).all()
    return sorted((e.cooperative_id, e.kind, e.amount, e.order_number, e.paid_on) for e in entries)


def test_payment_records_the_withholding_and_closes_the_order(app_ctx: Flask) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    first = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400))
    payment = wf.pay(c, first)
    assert (payment.amount, payment.ppn_withheld, payment.pph22_withheld) == (
        first.payable,
        first.ppn_collected,
        first.pph22,
    )
    assert payment.bukti_potong_number == "BP-22-0001"
    assert first.status == InvoiceStatus.PAID and order.status == O.PARTLY_DELIVERED
    assert (first.total, payment.amount, payment.ppn_withheld, payment.pph22_withheld) == (
        4_440_000,
        3_940_000,
        440_000,
        60_000,
    )
    assert (payment.invoice_id, first.purchase_order_id, first.agency_id) == (
        first.id,
        order.id,
        c.agency.id,
    )
    assert (payment.method, payment.reference, payment.paid_on) == (
        "transfer",
        "SP2D-0001/2026",
        today(),
    )
    # What the cooperative received enters its own settlement ledger, in the same transaction.
    assert ledger(first) == [
        (c.cooperative.id, "collected", 3_940_000, first.number, today()),
        (c.cooperative.id, "earning", 3_940_000, first.number, today()),
    ]
    message = next(m for m in notices_for(c.member) if first.number in m and "dibayar" in m)
    assert "Rp3.940.000" in message and "Rp440.000" in message and "Rp60.000" in message
    assert "BP-22-0001" in message

    second = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 600), 600))
    assert order.status == O.DELIVERED  # everything accepted, not yet all paid
    wf.pay(c, second)
    assert order.status == O.CLOSED and order.closed_at is not None
    assert any("selesai" in m for m in notices_for(c.member))


def test_a_paid_invoice_enters_the_cooperative_s_settlement_ledger(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app_ctx.config, "PLATFORM_COMMISSION_PERCENT", "2.5")
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=400, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400))
    before = settlement.balance(c.cooperative.id)
    wf.pay(c, invoice)
    entries = db.session.scalars(
        select(SettlementEntry).where(SettlementEntry.invoice_id == invoice.id)
    ).all()
    # Received Rp3.940.000 (Rp4.440.000 less PPN and PPh 22 withheld) straight into its own
    # account; 2.5% of the Rp4.000.000 excluding PPN is the platform's.
    assert sorted((e.kind, e.amount) for e in entries) == [
        ("collected", 3_940_000),
        ("commission", 100_000),
        ("earning", 3_940_000),
    ]
    assert {e.order_number for e in entries} == {invoice.number}
    assert settlement.balance(c.cooperative.id) == before - 100_000
    lines = settlement.statement(c.cooperative.id).lines
    assert any(line.entry.order_number == invoice.number for line in lines)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reference": "x"}, "SP2D"),
        ({"paid_on": "tomorrow"}, "masa depan"),
        ({"paid_on": "last year"}, "sebelum tanggal invoice"),
        ({"bukti_potong_number": ""}, "bukti potong"),
        ({"method": "cash"}, "cara pembayaran"),
    ],
)
def test_bad_payments_are_refused(app_ctx: Flask, overrides: dict[str, Any], message: str) -> None:
    c = wf.cast(price=10_000, on_hand=2000)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 300), 300))
    days = {"tomorrow": today() + timedelta(days=1), "last year": today() - timedelta(days=365)}
    if overrides.get("paid_on") in days:
        overrides = {**overrides, "paid_on": days[overrides["paid_on"]]}
    with pytest.raises(InvalidProcurementInput, match=message):
        wf.pay(c, invoice, **overrides)
    assert invoice.status == InvoiceStatus.ISSUED and ledger(invoice) == []


def test_the_government_card_is_limited_per_payee(app: Flask) -> None:
    with app.test_request_context():
        before = app.config["PROCUREMENT_CARD_LIMIT_PER_PAYEE"]
        app.config["PROCUREMENT_CARD_LIMIT_PER_PAYEE"] = 5_000_000
        try:
            c = wf.cast(price=10_000, on_hand=2000)
            order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
            first = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400))
            wf.pay(c, first, method="card", reference="KKP-7781")  # Rp3.940.000
            second = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
            with pytest.raises(CardLimitExceeded, match="SP2D"):
                wf.pay(c, second, method="card", reference="KKP-7782")
            assert payment.card_charged_to_payee(order) == 3_940_000
            wf.pay(c, second, method="transfer", reference="SP2D-77/2026")  # a transfer is fine
        finally:
            app.config["PROCUREMENT_CARD_LIMIT_PER_PAYEE"] = before


def test_only_the_agencys_treasurer_pays(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
    for user in (c.pp, c.ppk, c.receiver, c.other_ppk):
        with pytest.raises(NotFound):
            payment.record_payment(
                user,
                invoice.id,
                payment.PaymentDetails("transfer", "SP2D-1/2026", today()),
            )
    wf.pay(c, invoice)
    with pytest.raises(InvalidTransition):
        wf.pay(c, invoice)


def test_another_cooperative_cannot_touch_the_order(app_ctx: Flask) -> None:
    from tests.factories import CooperativeMemberFactory

    c = wf.cast()
    order = wf.issued(c)
    stranger = CooperativeMemberFactory().user
    with pytest.raises(NotFound):
        purchasing.accept_order(stranger, order.id)
    purchasing.accept_order(c.member, order.id)
    with pytest.raises(NotFound):
        wf.deliver(wf.Cast(**{**c.__dict__, "member": stranger}), order, 10)


def test_cancelling_an_accepted_order_releases_its_stock(app_ctx: Flask) -> None:
    c = wf.cast(on_hand=500)
    order = wf.accepted(c, quantity=200)
    with pytest.raises(NotFound):
        purchasing.cancel_order(c.pp, order.id, "Salah pesan")  # not the PPK
    with pytest.raises(InvalidProcurementInput):
        purchasing.cancel_order(c.ppk, order.id, "")
    purchasing.cancel_order(c.ppk, order.id, "Kegiatan dibatalkan")
    assert order.status == O.CANCELLED and order.status_reason == "Kegiatan dibatalkan"
    db.session.refresh(c.variant)
    assert c.variant.reserved == 0
    assert any("Kegiatan dibatalkan" in m for m in notices_for(c.member))


def test_an_order_with_goods_awaiting_inspection_cannot_be_cancelled(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    wf.deliver(c, order, 50)
    with pytest.raises(InvalidTransition):
        purchasing.cancel_order(c.ppk, order.id, "Batal")


def test_the_ppk_ends_an_order_short_and_the_rest_is_released(app_ctx: Flask) -> None:
    c = wf.cast(on_hand=500)
    order = wf.accepted(c, quantity=200)
    bast = wf.inspect(c, wf.deliver(c, order, 150), 150)
    wf.pay(c, wf.invoice_for(c, bast))
    purchasing.end_order_short(c.ppk, order.id, "Sisa tidak diperlukan lagi")
    db.session.refresh(c.variant)
    assert (c.variant.on_hand, c.variant.reserved) == (350, 0)
    assert order.status == O.CLOSED  # everything accepted was already paid


def test_the_cooperative_declines_with_a_reason(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.issued(c)
    purchasing.decline_order(c.member, order.id, "Bahan baku habis")
    assert order.status == O.DECLINED
    assert any("Bahan baku habis" in m for m in notices_for(c.ppk))


def test_a_delivery_recorded_by_mistake_can_be_withdrawn(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    delivery = wf.deliver(c, order, 50)
    fulfilment.withdraw_delivery(c.member, delivery.id)
    assert delivery.status == DeliveryStatus.WITHDRAWN
    assert fulfilment.deliverable_quantity(order, order.lines[0]) == 200
    with pytest.raises(InvalidTransition):
        wf.inspect(c, delivery, 50)


def test_every_step_is_in_the_audit_log_with_its_actor(app_ctx: Flask) -> None:
    c = wf.cast()
    order = wf.accepted(c)
    bast = wf.inspect(c, wf.deliver(c, order, 200), 200)
    wf.pay(c, wf.invoice_for(c, bast))
    entries = [
        (entry.action, entry.actor_id)
        for entry in db.session.scalars(
            select(AuditLog).where(AuditLog.action.startswith("procurement."))
        )
    ]
    assert entries == [
        ("procurement.request.draft", c.pp.id),
        ("procurement.request.sent", c.pp.id),
        ("procurement.quotation.quoted", c.member.id),
        ("procurement.document.frozen", c.member.id),  # the offer's letter
        ("procurement.quotation.agreed", c.pp.id),
        ("procurement.quotation.forwarded", c.pp.id),
        ("procurement.quotation.approved", c.ppk.id),
        ("procurement.request.awarded", c.ppk.id),
        ("procurement.purchase_order.issued", c.ppk.id),
        ("procurement.document.frozen", c.ppk.id),  # the Surat Pesanan
        ("procurement.purchase_order.accepted", c.member.id),
        ("procurement.delivery.sent", c.member.id),
        ("procurement.delivery.inspected", c.receiver.id),
        ("procurement.purchase_order.delivered", c.receiver.id),
        ("procurement.document.frozen", c.receiver.id),  # the BAST
        ("procurement.invoice.issued", c.member.id),
        ("procurement.document.frozen", c.member.id),  # the invoice
        ("procurement.invoice.paid", c.treasurer.id),
        ("procurement.document.frozen", c.treasurer.id),  # the invoice, LUNAS: version 2
        ("procurement.purchase_order.closed", c.treasurer.id),
    ]
    cooperative_entries = db.session.scalars(
        select(AuditLog.cooperative_id).where(AuditLog.action.startswith("procurement.invoice"))
    ).all()
    assert set(cooperative_entries) == {c.cooperative.id}
