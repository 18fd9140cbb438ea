"""A Surat Pesanan approved despite a splitting warning (issue 23, defect 4): it is the document
of the band the orders reach together, not the smaller band of its own value, and it prints the
warning and the PPK's reason (in Indonesian, whatever language the PPK reads in)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from marketplace.extensions import db
from marketplace.procurement import negotiation
from marketplace.procurement.exceptions import OrderValueAboveLimit
from marketplace.procurement.models import QuotationStatus
from marketplace.procurement.rules import DocumentType
from tests.conftest import login
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text

REASON = "Kebutuhan acara berbeda yang tidak dapat direncanakan bersama"


def split(c: wf.Cast, clock: Any) -> Any:
    """Rp8.000.000 ordered, then Rp5.000.000 ten days later: each a proof of purchase alone,
    Rp13.000.000 (a kuitansi) together. Returns the second quotation, forwarded."""
    wf.issued(c, price=40_000, quantity=200)
    clock.advance(timedelta(days=10))
    return wf.forwarded(c, price=25_000, quantity=200)


def test_the_acknowledged_order_is_the_document_of_the_combined_band(
    app_ctx: Flask, clock: Any
) -> None:
    c = wf.cast()
    quotation = split(c, clock)
    check = negotiation.approval_check(quotation)
    assert check.splitting is not None
    assert check.splitting.own_band is DocumentType.PROOF_OF_PURCHASE
    assert check.document_type is DocumentType.KUITANSI
    order = negotiation.approve_quotation(c.ppk, quotation.id, REASON)
    assert order.total == 5_000_000
    assert order.document_type == DocumentType.KUITANSI
    assert order.splitting_reason == REASON


def test_the_warning_is_kept_in_indonesian_whatever_the_ppk_reads(
    app_ctx: Flask, clock: Any
) -> None:
    c = wf.cast()
    quotation = split(c, clock)
    with force_locale("en"):
        assert negotiation.approval_check(quotation).splitting.message.startswith("Together")
        order = negotiation.approve_quotation(c.ppk, quotation.id, REASON)
    assert order.splitting_warning.startswith("Bersama 1 pesanan lain")
    assert "Rp13.000.000" in order.splitting_warning


def test_together_above_the_top_band_the_approval_is_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    wf.issued(c, price=750_000, quantity=200, ceiling=160_000_000)  # Rp150.000.000
    quotation = wf.forwarded(c, price=300_000, quantity=200, ceiling=100_000_000)  # Rp60.000.000
    check = negotiation.approval_check(quotation)
    assert check.splitting is not None and check.splitting.band is DocumentType.CONTRACT
    assert check.document_type is None
    assert check.band_problem is not None and "Rp210.000.000" in check.band_problem
    with pytest.raises(OrderValueAboveLimit, match="surat perjanjian"):
        negotiation.approve_quotation(c.ppk, quotation.id, REASON)
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.FORWARDED


def test_the_surat_pesanan_prints_the_band_the_warning_and_the_reason(
    app: Flask, client: FlaskClient, clock: Any
) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = split(c, clock)
        order = negotiation.approve_quotation(c.ppk, quotation.id, REASON)
        db.session.commit()
        order_id = order.id
    login(client, "owner@coop.test")
    response = client.get(f"/procurement/documents/order/{order_id}.pdf")
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", pdf_text(response.data))
    assert "Jenis dokumen Kuitansi (menurut nilai gabungan; lihat peringatan pemecahan paket)" in (
        text
    )
    assert "Bukti pembelian" in text  # named in the warning as the band of this order alone
    assert "Peringatan pemecahan paket" in text
    assert "Bersama 1 pesanan lain" in text and "Rp13.000.000" in text
    assert f"Alasan persetujuan PPK: {REASON}" in text


def test_an_order_without_a_warning_prints_none(
    app: Flask, client: FlaskClient, clock: Any
) -> None:
    with app.test_request_context():
        c = wf.cast()
        order = wf.issued(c, price=25_000, quantity=200)
        db.session.commit()
        order_id = order.id
    login(client, "ppk@agency.test")
    page = client.get(f"/procurement/documents/order/{order_id}")
    html = page.get_data(as_text=True)
    assert "Bukti pembelian" in html
    assert "pemecahan paket" not in html
