"""What the documents say the taxes are computed on (issue 23, defect 2): the amounts on each
invoice's own value, only the thresholds on the Surat Pesanan's value; and a cooperative that is
not PKP is never said to charge PPN ("termasuk PPN"). Read from the rendered PDFs (pdftotext)
and the pages."""

from __future__ import annotations

import re
from types import ModuleType

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from tests.conftest import login
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text


def flat(text: str) -> str:
    """The text as one line (a sentence may wrap anywhere in a PDF or in the markup)."""
    return re.sub(r"\s+", " ", text)


def invoiced(app: Flask, *, is_pkp: bool) -> dict[str, int]:
    """A Rp10.000.000 order (excluding PPN), its first delivery of 100 (Rp1.000.000) invoiced."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=is_pkp)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        bast = wf.inspect(c, wf.deliver(c, order, 100), 100)
        invoice = wf.invoice_for(c, bast)
        db.session.commit()
        return {"order": order.id, "invoice": invoice.id}


def pdf(client: FlaskClient, kind: str, object_id: int) -> str:
    response = client.get(f"/procurement/documents/{kind}/{object_id}.pdf")
    assert response.status_code == 200
    return flat(pdf_text(response.data))


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return flat(response.get_data(as_text=True))


def test_a_pkp_invoice_computes_its_taxes_on_its_own_value(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    ids = invoiced(app, is_pkp=True)
    login(client, "owner@coop.test")
    text = pdf(client, "invoice", ids["invoice"])
    # Rp1.000.000 invoiced: PPN Rp110.000 and PPh 22 Rp15.000 on it; the thresholds were judged
    # on the Surat Pesanan's Rp10.000.000 (Rp11.100.000 with PPN).
    assert "PPN 12% × DPP Rp110.000" in text and "PPh 22 1,5% -Rp15.000" in text
    assert (
        "PPN dan PPh 22 dihitung atas nilai invoice ini. Nilai Surat Pesanan (Rp11.100.000 "
        "termasuk PPN, Rp10.000.000 tanpa PPN) hanya menentukan apakah PPN dipungut bendahara "
        "dan PPh 22 dipotong." in text
    )
    assert "bukan atas invoice ini saja" not in text
    assert "Total termasuk PPN Rp1.110.000" in text


def test_a_non_pkp_invoice_never_speaks_of_ppn_included(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    ids = invoiced(app, is_pkp=False)
    login(client, "owner@coop.test")
    text = pdf(client, "invoice", ids["invoice"])
    assert "termasuk PPN" not in text
    assert "PPN tidak dikenakan (bukan PKP)" in text
    assert "Total (tanpa PPN, penyedia bukan PKP) Rp1.000.000" in text
    assert (
        "Penyedia bukan PKP: tidak ada PPN. PPh 22 dihitung atas nilai invoice ini; nilai "
        "Surat Pesanan (Rp10.000.000) hanya menentukan apakah PPh 22 dipotong." in text
    )
    assert "PPh 22 1,5% -Rp15.000" in text and "Rp985.000" in text


@pytest.mark.parametrize("is_pkp", [True, False])
def test_the_surat_pesanans_terms_say_the_same(
    app: Flask, client: FlaskClient, clock: ModuleType, is_pkp: bool
) -> None:
    ids = invoiced(app, is_pkp=is_pkp)
    login(client, "ppk@agency.test")
    text = pdf(client, "order", ids["order"])
    assert "PPN dan PPh 22 dihitung atas nilai Surat Pesanan ini" not in text
    if is_pkp:
        assert (
            "PPN dan PPh 22 dihitung atas nilai setiap invoice; nilai Surat Pesanan ini hanya "
            "menentukan apakah PPN dipungut bendahara dan PPh 22 dipotong." in text
        )
        assert "Total termasuk PPN Rp11.100.000" in text
    else:
        assert "termasuk PPN" not in text
        assert (
            "Penyedia bukan PKP: tidak ada PPN. PPh 22 dihitung atas nilai setiap invoice; "
            "nilai Surat Pesanan ini hanya menentukan apakah PPh 22 dipotong." in text
        )


@pytest.mark.parametrize("is_pkp", [True, False])
def test_the_invoice_page_says_the_same(
    app: Flask, client: FlaskClient, clock: ModuleType, is_pkp: bool
) -> None:
    ids = invoiced(app, is_pkp=is_pkp)
    login(client, "bendahara@agency.test")
    html = page(client, f"/procurement/invoices/{ids['invoice']}")
    assert "bukan atas bagian ini saja" not in html
    if is_pkp:
        assert "PPN dan PPh 22 dihitung atas nilai invoice ini." in html
    else:
        assert "termasuk PPN" not in html.split("<main", 1)[1]
        assert "PPh 22 dihitung atas nilai invoice ini" in html


def test_the_english_page_says_it_in_english(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    ids = invoiced(app, is_pkp=False)
    login(client, "bendahara@agency.test")
    html = page(client, f"/procurement/invoices/{ids['invoice']}?lang=en")
    assert "PPh 22 is computed on this invoice's value" in html
