"""A PKP cooperative records the faktur pajak of its invoice (number and date) on its Surat
Pesanan's page, until the invoice is paid; the invoice prints it. Bad input changes nothing."""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.procurement import tax
from marketplace.procurement.models import Invoice
from tests.conftest import login, logout
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text

OWNER = "owner@coop.test"


def invoiced(app: Flask, *, is_pkp: bool = True, paid: bool = False) -> tuple[int, int]:
    """A Rp10.000.000 order delivered in part on 1 December 2026 and invoiced: (order, invoice)."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=is_pkp)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
        if paid:
            wf.pay(c, invoice)
        db.session.commit()
        return order.id, invoice.id


def post(client: FlaskClient, invoice_id: int, number: str, day: str) -> Any:
    prefix = f"faktur-{invoice_id}-"
    return client.post(
        f"/procurement/cooperative/invoices/{invoice_id}/faktur-pajak",
        data={f"{prefix}faktur_pajak_number": number, f"{prefix}faktur_pajak_date": day},
    )


def recorded(invoice_id: int) -> tuple[str | None, Any]:
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice is not None
    return invoice.faktur_pajak_number, invoice.faktur_pajak_date


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("010.000-26.00000001", "0100002600000001"),  # e-Faktur desktop, 16 digits
        ("04002600000000123", "04002600000000123"),  # Coretax (PER-11/PJ/2025), 17 digits
        (" 04.00.26.000-00000123 ", "04002600000000123"),
        ("010.000-26.0000001", None),  # 15 digits
        ("040026000000001234", None),  # 18
        ("010.000-26.0000000A", None),
        ("０１０００００２６０００００００１", None),  # full-width digits
        ("", None),
    ],
)
def test_the_number_is_16_or_17_digits_with_separators_dropped(
    value: str, digits: str | None
) -> None:
    assert tax.faktur_pajak_digits(value) == digits


def test_the_cooperative_records_it_and_the_invoice_prints_it(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    order_id, invoice_id = invoiced(app)
    login(client, OWNER)
    page = client.get(f"/procurement/cooperative/orders/{order_id}").get_data(as_text=True)
    assert "Catat faktur pajak" in page
    response = post(client, invoice_id, "010.000-26.00000001", "2026-12-01")
    assert response.status_code == 302
    assert recorded(invoice_id) == ("0100002600000001", date(2026, 12, 1))
    page = client.get(f"/procurement/cooperative/orders/{order_id}").get_data(as_text=True)
    assert "Faktur pajak 0100002600000001" in page and "Ubah faktur pajak" in page
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "procurement.invoice.faktur_pajak")
    ).one()
    assert entry.data["faktur_pajak"] == "0100002600000001"
    # Corrected before payment: the later number replaces it.
    assert post(client, invoice_id, "04002600000000123", "2026-12-01").status_code == 302
    assert recorded(invoice_id)[0] == "04002600000000123"
    text = pdf_text(client.get(f"/procurement/documents/invoice/{invoice_id}.pdf").data)
    assert "Faktur pajak 04002600000000123 · 1 Desember 2026" in text
    # The agency sees it on its own page of the order too.
    logout(client)
    login(client, "bendahara@agency.test")
    page = client.get(f"/procurement/orders/{order_id}").get_data(as_text=True)
    assert "Faktur pajak 04002600000000123" in page


@pytest.mark.parametrize(
    ("number", "day", "message"),
    [
        ("010.000-26.0000001", "2026-12-01", "16 atau 17 angka"),
        ("bukan nomor", "2026-12-01", "16 atau 17 angka"),
        ("", "2026-12-01", "Isi nomor faktur pajak."),
        ("04002600000000123", "", "Isi tanggal faktur pajak."),
        ("04002600000000123", "2026-12-02", "tidak boleh di masa depan"),
        ("04002600000000123", "2026-11-30", "sebelum tanggal pengiriman"),
        ("04002600000000123", "1-12-2026", "Tanggal tidak valid"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(
    app: Flask, client: FlaskClient, clock: ModuleType, number: str, day: str, message: str
) -> None:
    _order_id, invoice_id = invoiced(app)
    login(client, OWNER)
    response = post(client, invoice_id, number, day)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert recorded(invoice_id) == (None, None)
    assert not db.session.scalars(
        select(AuditLog).where(AuditLog.action == "procurement.invoice.faktur_pajak")
    ).all()


def test_refused_for_a_cooperative_that_is_not_pkp_and_after_payment(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    order_id, invoice_id = invoiced(app, is_pkp=False)
    login(client, OWNER)
    page = client.get(f"/procurement/cooperative/orders/{order_id}").get_data(as_text=True)
    assert "Catat faktur pajak" not in page
    response = post(client, invoice_id, "04002600000000123", "2026-12-01")
    assert response.status_code == 400
    assert "hanya dibuat oleh koperasi PKP" in response.get_data(as_text=True)
    assert recorded(invoice_id) == (None, None)


def test_refused_once_the_invoice_is_paid(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    order_id, invoice_id = invoiced(app, paid=True)
    login(client, OWNER)
    page = client.get(f"/procurement/cooperative/orders/{order_id}").get_data(as_text=True)
    assert "Catat faktur pajak" not in page
    response = post(client, invoice_id, "04002600000000123", "2026-12-01")
    assert response.status_code == 400
    assert "sudah dibayar" in response.get_data(as_text=True)
    assert recorded(invoice_id) == (None, None)


def test_another_cooperative_and_the_agency_cannot_record_it(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    _order_id, invoice_id = invoiced(app)
    with app.app_context():
        from tests.factories import CooperativeFactory, CooperativeMemberFactory, UserFactory

        CooperativeMemberFactory(
            cooperative=CooperativeFactory(),
            user=UserFactory(email="owner@elsewhere.test"),
            role="owner",
        )
        db.session.commit()
    login(client, "owner@elsewhere.test")
    assert post(client, invoice_id, "04002600000000123", "2026-12-01").status_code == 404
    logout(client)
    login(client, "bendahara@agency.test")
    assert post(client, invoice_id, "04002600000000123", "2026-12-01").status_code in (403, 404)
    assert recorded(invoice_id) == (None, None)
