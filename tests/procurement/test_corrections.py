"""Corrections as auditors expect them: the cooperative cancels its unpaid invoice with a reason
and issues a replacement (the old number stays, marked cancelled); the treasurer reverses a
payment recorded by mistake with a reason (its ledger entries reversed exactly, the invoice and
the order reopened). Nothing is edited in place or deleted, and a corrected procurement ends
with the figures of one done right the first time."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.payments import settlement
from marketplace.payments.models import EntryKind, SettlementEntry
from marketplace.procurement import (
    corrections,
    national_export,
    reporting,
    reports,
    tax_records,
    worklist,
)
from marketplace.procurement.exceptions import InvalidProcurementInput, InvalidTransition
from marketplace.procurement.models import (
    Agency,
    Bast,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    OrderStatus,
    ProcurementEvent,
    ProcurementRole,
    PurchaseOrder,
)
from marketplace.storage import storage
from tests.conftest import login, logout
from tests.factories import AgencyMemberFactory, CooperativeMemberFactory, UserFactory
from tests.procurement import workflow as wf

MISTAKE = "PPh 22 dihitung 1,5% padahal surat keterangan PP 55 kami berlaku"
WRONG_PAYMENT = "Dicatat pada invoice yang salah; SP2D ini untuk invoice lain"


def delivered(c: wf.Cast) -> tuple[PurchaseOrder, Bast]:
    """A PKP cooperative's Rp3.000.000 order, delivered in full: the BAST bills PPN Rp330.000
    (collected by the treasurer) and PPh 22 Rp45.000."""
    order = wf.accepted(c, price=10_000, quantity=300, ceiling=20_000_000)
    bast = wf.inspect(c, wf.deliver(c, order, 300), 300)
    return order, bast


def figures(c: wf.Cast, order_id: int) -> dict[str, Any]:
    """Everything that counts the procurement's money, without numbers or ids (a corrected run
    has more of both)."""
    cooperative_id = c.cooperative.id
    recap = tax_records.tax_recap(c.treasurer, c.agency.id, date(2026, 12, 1))
    report = reports.spend_report(c.treasurer, 2026)
    sales = reporting.paid_invoices(
        cooperative_id, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    order = db.session.get(PurchaseOrder, order_id)
    assert order is not None
    return {
        "order": (order.status, order.closed_at is not None),
        "balance": settlement.balance(cooperative_id),
        "earned": settlement.statement(cooperative_id).earned,
        "recap": recap.totals,
        "recap_rows": [(r.ppn_withheld, r.pph22_withheld, r.reference) for r in recap.rows.items],
        "report": [
            (row.invoices, row.subtotal, row.total)
            for row in report.by_agency + report.by_cooperative + report.by_month
        ],
        "sales": [(sale.amount, sale.agency) for sale in sales],
        "export": [
            (row.total, row.pph22, row.status, row.sp2d_numbers, row.paid_days)
            for row in national_export.packages(c.ppk, None, None)
        ],
        "cooperative_waiting": worklist.cooperative_waiting(cooperative_id),
        "treasurer_waiting": [
            (section.key, section.total) for section in worklist.agency_worklist(c.treasurer)
        ],
    }


def clean_run(c: wf.Cast) -> PurchaseOrder:
    """The same procurement invoiced and paid once, correctly."""
    order, bast = delivered(c)
    wf.pay(c, wf.invoice_for(c, bast))
    return order


@pytest.fixture
def commission(app_ctx: Flask) -> Any:
    """A 2.5% commission, so the ledger's commission entries are not zero."""
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "2.5"
    yield
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"


def audit_actions(subject_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.subject_type == "Invoice", AuditLog.subject_id == subject_id)
            .order_by(AuditLog.id)
        )
    )


#: The figures of `clean_run` with a 2.5% commission: what the cooperative received (Rp3.330.000
#: less PPN Rp330.000 and PPh 22 Rp45.000) earned and collected, the commission owed.
CLEAN_FIGURES = {
    "order": (OrderStatus.CLOSED, True),
    "balance": -75_000,
    "earned": 2_955_000,
    "recap": tax_records.RecapTotals(
        invoices=1,
        subtotal=3_000_000,
        dpp=2_750_000,
        ppn_withheld=330_000,
        pph22_withheld=45_000,
        ppn_unremitted=330_000,
        pph22_unremitted=45_000,
        ppn_unremitted_invoices=1,
        pph22_unremitted_invoices=1,
    ),
    "recap_rows": [(330_000, 45_000, "SP2D-0001/2026")],
    "report": [(1, 3_000_000, 3_330_000)] * 3,
    "sales": [(3_000_000, "Bagian Umum Setda Uji")],
    "export": [(3_330_000, 45_000, "Selesai dan lunas", "SP2D-0001/2026", "2026-12-01")],
    "cooperative_waiting": {
        "to_quote": 0,
        "to_answer": 0,
        "to_accept": 0,
        "to_deliver": 0,
        "to_invoice": 0,
    },
    "treasurer_waiting": [("to_pay", 0)],
}


def test_a_clean_run_has_the_figures_the_corrected_ones_are_held_to(
    app_ctx: Flask, clock: ModuleType, commission: Any
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = clean_run(c)
    assert figures(c, order.id) == CLEAN_FIGURES


# --- cancelling and replacing an invoice ------------------------------------------------------


def test_cancel_replace_and_pay_ends_with_the_figures_of_a_clean_run(
    app_ctx: Flask, clock: ModuleType, commission: Any
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order, bast = delivered(c)
    wrong = wf.invoice_for(c, bast)
    wrong_number = wrong.number

    cancelled = corrections.cancel_invoice(c.member, wrong.id, f"  {MISTAKE}  ")

    assert cancelled.status == InvoiceStatus.CANCELLED
    assert cancelled.number == wrong_number  # the number stays, marked cancelled
    assert (cancelled.cancel_reason, cancelled.cancelled_by_id) == (MISTAKE, c.member.id)
    assert cancelled.cancelled_at is not None
    assert bast.invoice is None  # the BAST may be invoiced again
    assert worklist.cooperative_waiting(c.cooperative.id)["to_invoice"] == 1
    with pytest.raises(InvalidTransition):
        wf.pay(c, cancelled)
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == c.treasurer.id)
    ).all()
    assert any(wrong_number in n.message and MISTAKE in n.message for n in told)

    replacement = wf.invoice_for(c, bast)

    assert replacement.number != wrong_number
    assert replacement.replaces_id == cancelled.id
    db.session.expire_all()
    assert cancelled.replaced_by is not None and cancelled.replaced_by.id == replacement.id
    assert [i.number for i in bast.invoices] == [wrong_number, replacement.number]
    assert bast.invoice is not None and bast.invoice.id == replacement.id
    assert audit_actions(cancelled.id) == [
        "procurement.invoice.issued",
        "procurement.invoice.cancelled",
    ]
    issued = db.session.scalar(
        select(AuditLog).where(
            AuditLog.subject_type == "Invoice", AuditLog.subject_id == replacement.id
        )
    )
    assert issued is not None and issued.data["replaces"] == wrong_number
    events = db.session.scalars(
        select(ProcurementEvent)
        .where(ProcurementEvent.reference == wrong_number)
        .order_by(ProcurementEvent.id)
    ).all()
    assert [(e.from_status, e.to_status, e.note) for e in events] == [
        (None, "issued", ""),
        ("issued", "cancelled", MISTAKE),
    ]

    wf.pay(c, replacement)

    assert figures(c, order.id) == CLEAN_FIGURES
    assert figures(c, order.id)["order"] == (OrderStatus.CLOSED, True)


def test_a_paid_invoice_is_not_cancelled_nor_a_cancelled_one_again(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    with pytest.raises(InvalidProcurementInput, match="alasan"):
        corrections.cancel_invoice(c.member, invoice.id, "salah")
    assert invoice.status == InvoiceStatus.ISSUED and invoice.cancelled_at is None
    wf.pay(c, invoice)
    with pytest.raises(InvalidProcurementInput, match="sudah dibayar"):
        corrections.cancel_invoice(c.member, invoice.id, MISTAKE)
    db.session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID

    corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    corrections.cancel_invoice(c.member, invoice.id, MISTAKE)
    with pytest.raises(InvalidTransition):
        corrections.cancel_invoice(c.member, invoice.id, MISTAKE)


def test_only_the_invoice_s_own_cooperative_cancels_it(app_ctx: Flask, clock: ModuleType) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    stranger = CooperativeMemberFactory().user
    for outsider in (stranger, c.treasurer, c.ppk):
        with pytest.raises(NotFound):
            corrections.cancel_invoice(outsider, invoice.id, MISTAKE)
    assert invoice.status == InvoiceStatus.ISSUED


def test_the_database_holds_one_current_invoice_per_bast(app_ctx: Flask, clock: ModuleType) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    corrections.cancel_invoice(c.member, invoice.id, MISTAKE)
    replacement = wf.invoice_for(c, bast)
    copy = {
        column.key: getattr(replacement, column.key)
        for column in Invoice.__table__.columns
        if column.key not in ("id", "number", "replaces_id")
    }
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Invoice(**copy))
        db.session.flush()


# --- reversing a payment ------------------------------------------------------------------------


def test_pay_reverse_and_pay_again_ends_with_the_figures_of_a_clean_run(
    app_ctx: Flask, clock: ModuleType, commission: Any
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    mistaken = wf.pay(c, invoice, reference="SP2D-SALAH/2026")
    assert figures(c, order.id)["order"] == (OrderStatus.CLOSED, True)
    posted = [
        (e.kind, e.amount)
        for e in db.session.scalars(
            select(SettlementEntry)
            .where(SettlementEntry.invoice_payment_id == mistaken.id)
            .order_by(SettlementEntry.id)
        )
    ]

    reversed_payment = corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)

    assert reversed_payment.id == mistaken.id
    assert (reversed_payment.reversal_reason, reversed_payment.reversed_by_id) == (
        WRONG_PAYMENT,
        c.treasurer.id,
    )
    assert reversed_payment.amount == invoice.payable  # the row itself is kept as it was
    db.session.expire_all()
    assert (invoice.status, invoice.paid_at, invoice.payment) == (InvoiceStatus.ISSUED, None, None)
    assert [p.id for p in invoice.reversed_payments] == [mistaken.id]
    assert db.session.get(PurchaseOrder, order.id).status == OrderStatus.DELIVERED  # type: ignore[union-attr]
    entries = db.session.scalars(
        select(SettlementEntry)
        .where(SettlementEntry.invoice_payment_id == mistaken.id)
        .order_by(SettlementEntry.id)
    ).all()
    reversals = {
        EntryKind.EARNING: EntryKind.EARNING_REVERSAL,
        EntryKind.COMMISSION: EntryKind.COMMISSION_BACK,
        EntryKind.COLLECTED: EntryKind.COLLECTED_REVERSAL,
    }
    assert [(e.kind, e.amount) for e in entries] == posted + [
        (reversals[EntryKind(kind)], amount) for kind, amount in posted
    ]
    assert sum(e.signed_amount for e in entries) == 0
    assert audit_actions(invoice.id)[-2:] == [
        "procurement.invoice.paid",
        "procurement.invoice.issued",
    ]
    stamped = db.session.scalar(
        select(AuditLog).where(
            AuditLog.action == "procurement.payment.reversed", AuditLog.subject_id == mistaken.id
        )
    )
    assert stamped is not None and stamped.actor_id == c.treasurer.id
    assert (stamped.data["reference"], stamped.data["reason"]) == ("SP2D-SALAH/2026", WRONG_PAYMENT)
    told = db.session.scalars(select(Notification).where(Notification.user_id == c.member.id)).all()
    assert any("SP2D-SALAH/2026" in n.message and WRONG_PAYMENT in n.message for n in told)
    assert figures(c, order.id)["recap"].invoices == 0

    wf.pay(c, invoice)

    assert figures(c, order.id) == CLEAN_FIGURES


def test_a_payment_whose_taxes_were_remitted_is_not_reversed(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    wf.pay(c, invoice)
    tax_records.record_tax_records(
        c.treasurer,
        invoice.id,
        tax_records.TaxRecordDetails(
            spp_number="",
            spm_number="",
            ppn=tax_records.Remittance("012345678901234", "0A1B2C3D4E5F6G7H", date(2026, 12, 1)),
            pph22=tax_records.Remittance("", "", None),
        ),
    )
    with pytest.raises(InvalidProcurementInput, match="0A1B2C3D4E5F6G7H"):
        corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    db.session.expire_all()
    assert invoice.status == InvoiceStatus.PAID and invoice.payment is not None
    assert invoice.payment.reversed_at is None


def test_a_remittance_recorded_while_reversing_keeps_the_payment(
    app_ctx: Flask, clock: ModuleType
) -> None:
    """The treasurer's page read the payment before another tab recorded its NTPN: the guarded
    stamp refuses, with the remittance named."""
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    paid = wf.pay(c, invoice)
    assert paid.ppn_ntpn is None  # what this session holds, unexpired
    db.session.execute(
        update(InvoicePayment)
        .where(InvoicePayment.id == paid.id)
        .values(
            ppn_billing_code="012345678901234",
            ppn_ntpn="0A1B2C3D4E5F6G7H",
            ppn_remitted_on=date(2026, 12, 1),
        ),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(InvalidProcurementInput, match="0A1B2C3D4E5F6G7H"):
        corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    db.session.expire_all()
    assert invoice.status == InvoiceStatus.PAID and paid.reversed_at is None


def test_only_a_standing_payment_is_reversed_and_only_by_the_treasurer(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    with pytest.raises(InvalidProcurementInput, match="belum dibayar"):
        corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    wf.pay(c, invoice)
    for outsider in (c.ppk, c.pp, c.member, c.other_ppk, UserFactory()):
        with pytest.raises(NotFound):
            corrections.reverse_payment(outsider, invoice.id, WRONG_PAYMENT)
    with pytest.raises(InvalidProcurementInput, match="alasan"):
        corrections.reverse_payment(c.treasurer, invoice.id, "keliru")
    corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    with pytest.raises(InvalidProcurementInput, match="belum dibayar"):
        corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    assert len(invoice.payments) == 1


def test_the_database_holds_one_standing_payment_per_invoice(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    _order, bast = delivered(c)
    invoice = wf.invoice_for(c, bast)
    first = wf.pay(c, invoice)
    corrections.reverse_payment(c.treasurer, invoice.id, WRONG_PAYMENT)
    second = wf.pay(c, invoice)
    assert first.id != second.id
    copy = {
        column.key: getattr(second, column.key)
        for column in InvoicePayment.__table__.columns
        if column.key != "id"
    }
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(InvoicePayment(**copy))
        db.session.flush()


# --- the pages and the documents ----------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout.decode("utf-8"))


def built(app: Flask) -> dict[str, Any]:
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order, bast = delivered(c)
        invoice = wf.invoice_for(c, bast)
        db.session.commit()
        return {"order": order.id, "bast": bast.id, "invoice": invoice.id, "number": invoice.number}


def test_the_cooperative_cancels_and_replaces_on_its_order_page(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    made = built(app)
    url = f"/procurement/cooperative/invoices/{made['invoice']}/cancel"
    login(client, "owner@coop.test")
    refused = client.post(url, data={f"cancel-{made['invoice']}-reason": ""})
    assert refused.status_code == 422 or refused.status_code == 400
    assert "Tulis alasan pembatalan." in refused.get_data(as_text=True)
    response = client.post(url, data={f"cancel-{made['invoice']}-reason": MISTAKE})
    assert response.status_code == 302
    client.post(f"/procurement/cooperative/basts/{made['bast']}/invoice")
    with app.app_context():
        replacement = db.session.scalar(
            select(Invoice).where(Invoice.bast_id == made["bast"], Invoice.replaces_id.is_not(None))
        )
        assert replacement is not None
        new_number = replacement.number
    page = client.get(f"/procurement/cooperative/orders/{made['order']}").get_data(as_text=True)
    assert made["number"] in page and "Dibatalkan" in page
    assert f"diganti oleh {new_number}" in page and MISTAKE in page

    old_pdf = pdf_text(client.get(f"/procurement/documents/invoice/{made['invoice']}.pdf").data)
    assert "DIBATALKAN" in old_pdf and f"diganti oleh {new_number}" in old_pdf
    new_pdf = pdf_text(client.get(f"/procurement/documents/invoice/{replacement.id}.pdf").data)
    assert f"Pengganti invoice {made['number']}" in new_pdf and "DIBATALKAN" not in new_pdf

    logout(client)
    login(client, "bendahara@agency.test")
    agency_page = client.get(f"/procurement/invoices/{made['invoice']}").get_data(as_text=True)
    assert "dibatalkan koperasi" in agency_page and new_number in agency_page
    assert "Catat pembayaran" not in agency_page


def test_the_treasurer_reverses_on_the_invoice_page_and_others_get_404(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    made = built(app)
    with app.test_request_context():
        other = UserFactory(email="bendahara@other.test")
        agency = db.session.scalar(select(Agency).where(Agency.name == "Dinas Lain"))
        AgencyMemberFactory(agency=agency, user=other, role=ProcurementRole.BENDAHARA)
        db.session.commit()
    login(client, "bendahara@agency.test")
    paid = client.post(
        f"/procurement/invoices/{made['invoice']}/pay",
        data={
            "method": "transfer",
            "reference": "SP2D-0001/2026",
            "paid_on": "2026-12-01",
            "bukti_potong_number": "BP-22-0001",
        },
    )
    assert paid.status_code == 302
    page = client.get(f"/procurement/invoices/{made['invoice']}").get_data(as_text=True)
    assert "Batalkan pembayaran" in page
    url = f"/procurement/invoices/{made['invoice']}/reverse-payment"
    for email in ("ppk@agency.test", "ppk@other.test", "owner@coop.test"):
        logout(client)
        login(client, email)
        assert client.post(url, data={"reason": WRONG_PAYMENT}).status_code in (403, 404)
    logout(client)
    login(client, "bendahara@other.test")
    assert client.post(url, data={"reason": WRONG_PAYMENT}).status_code == 404
    logout(client)
    login(client, "bendahara@agency.test")
    assert client.post(url, data={"reason": ""}).status_code in (400, 422)
    assert client.post(url, data={"reason": WRONG_PAYMENT}).status_code == 302
    page = client.get(f"/procurement/invoices/{made['invoice']}").get_data(as_text=True)
    assert "Pembayaran yang dibatalkan" in page and WRONG_PAYMENT in page
    assert "Catat pembayaran" in page


def test_each_correction_issues_a_new_version_and_the_earlier_ones_stay_as_issued(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    """Cancelling, replacing, paying and reversing each issue the invoice's next frozen
    version; what was issued before keeps its bytes, so a copy of it still verifies."""
    from marketplace.procurement import freezing

    made = built(app)
    with app.app_context():
        first = freezing.versions("invoice", made["invoice"])
        assert [v.version for v in first] == [1]
        first_hash = first[0].sha256
    login(client, "owner@coop.test")
    cancel = f"/procurement/cooperative/invoices/{made['invoice']}/cancel"
    assert (
        client.post(cancel, data={f"cancel-{made['invoice']}-reason": MISTAKE}).status_code == 302
    )
    with app.app_context():
        cancelled = freezing.versions("invoice", made["invoice"])
        assert [v.version for v in cancelled] == [1, 2]
        assert cancelled[0].sha256 == first_hash
        assert cancelled[1].number == f"{made['number']}/v2"
    text = pdf_text(client.get(f"/procurement/documents/invoice/{made['invoice']}.pdf").data)
    assert "DIBATALKAN" in text and MISTAKE in text and "diganti oleh" not in text

    client.post(f"/procurement/cooperative/basts/{made['bast']}/invoice")
    with app.app_context():
        replacement = db.session.scalar(
            select(Invoice).where(Invoice.bast_id == made["bast"], Invoice.replaces_id.is_not(None))
        )
        assert replacement is not None
        replacement_id, replacement_number = replacement.id, replacement.number
        assert [v.version for v in freezing.versions("invoice", made["invoice"])] == [1, 2, 3]
    text = pdf_text(client.get(f"/procurement/documents/invoice/{made['invoice']}.pdf").data)
    assert f"diganti oleh {replacement_number}" in text

    logout(client)
    login(client, "bendahara@agency.test")
    paid = client.post(
        f"/procurement/invoices/{replacement_id}/pay",
        data={
            "method": "transfer",
            "reference": "SP2D-0002/2026",
            "paid_on": "2026-12-01",
            "bukti_potong_number": "BP-22-0002",
        },
    )
    assert paid.status_code == 302
    reversed_ = client.post(
        f"/procurement/invoices/{replacement_id}/reverse-payment", data={"reason": WRONG_PAYMENT}
    )
    assert reversed_.status_code == 302
    with app.app_context():
        kept = freezing.versions("invoice", replacement_id)
        assert [v.version for v in kept] == [1, 2, 3]  # issued, paid, payment reversed
        paid_pdf = storage().read(kept[1].storage_key)
    assert "LUNAS" in pdf_text(paid_pdf)
    latest = pdf_text(client.get(f"/procurement/documents/invoice/{replacement_id}.pdf").data)
    assert "LUNAS" not in latest
