"""The procurement's documents as printable pages and WeasyPrint PDFs (their text read back with
pdftotext), rendered in Indonesian from this site's own files only."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.pdf import LocalFetcher
from marketplace.procurement.models import Invoice
from tests.conftest import login
from tests.procurement import workflow as wf


def pdf_text(data: bytes) -> str:
    """The PDF's text, with runs of spaces squeezed (pdftotext lays columns out with them)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"[ \t]+", " ", result.stdout.decode("utf-8"))


@pytest.fixture
def procurement(app: Flask, clock: ModuleType) -> dict[str, Any]:
    """A PKP cooperative's Rp10.000.000 order (Tuesday 1 December 2026), its first delivery
    of 100 (Rp1.000.000) inspected, invoiced and paid."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        delivery = wf.deliver(c, order, 100)
        bast = wf.inspect(c, delivery, 100)
        invoice = wf.invoice_for(c, bast)
        wf.pay(c, invoice)
        db.session.commit()
        return {
            "request": order.request_id,
            "quotation": order.quotation_id,
            "order": order.id,
            "delivery": delivery.id,
            "bast": bast.id,
            "invoice": invoice.id,
            "numbers": {
                "request": order.request.number,
                "quotation": order.quotation.number,
                "order": order.number,
                "delivery": delivery.number,
                "bast": bast.number,
                "invoice": invoice.number,
            },
        }


def document(client: FlaskClient, kind: str, object_id: int) -> tuple[str, str]:
    page = client.get(f"/procurement/documents/{kind}/{object_id}?lang=en")
    assert page.status_code == 200
    pdf = client.get(f"/procurement/documents/{kind}/{object_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment; filename=")
    assert pdf.data.startswith(b"%PDF")
    return page.get_data(as_text=True), pdf_text(pdf.data)


EXPECTED = {
    "request": [
        "PERMINTAAN PENAWARAN HARGA",
        "1 Desember 2026",
        "Bagian Umum Setda Uji",
        "Koppontren Uji Sejahtera",
        "45123678",
        "Rp20.000.000",
        "Keripik Tempe Uji",
        "1000 bungkus",
        "Pejabat Pengadaan",
        "Mojokerto, 1 Desember 2026",
    ],
    "quotation": [
        "SURAT PENAWARAN HARGA",
        "Bagian Umum Setda Uji",
        "Rp10.000.000",
        "Rp1.100.000",
        "Rp11.100.000",
        "Hormat kami",
        "Bu Koperasi",
        "Mojokerto, 1 Desember 2026",
    ],
    "order": [
        "SURAT PESANAN",
        "1 Desember 2026",
        "Kuitansi",
        "Pemesan",
        "Penyedia",
        "Pak ppk",
        "Rp11.100.000",
        "PPh 22 1,5% Rp150.000",
        "Rp9.850.000",
        "sebelas juta seratus ribu rupiah",
        "meterai Rp10.000",
        "Pejabat Pembuat Komitmen",
        "61315",
        "PPN 12% × DPP Rp1.100.000",
        "Mojokerto, 1 Desember 2026",
        "NPWP 001234567602000",  # the agency's
    ],
    "delivery": [
        "SURAT JALAN",
        "1 Desember 2026",
        "100 bungkus",
        "Pak Sopir",
        "S 1234 AB",
        "Pengirim",
        "Penerima",
        "Mojokerto, 1 Desember 2026",
    ],
    "bast": [
        "BERITA ACARA SERAH TERIMA BARANG",
        "1 Desember 2026",
        "Rp1.000.000",
        "Pak penerima",
        "Pemeriksa/Penerima Barang",
        "Mengetahui, PPK",
        "Mojokerto, 1 Desember 2026",
    ],
    "invoice": [
        "INVOICE / KUITANSI",
        "1 Desember 2026",
        "DPP (11/12 × harga tanpa PPN) Rp916.667",
        "PPN 12% × DPP Rp110.000",
        "Total termasuk PPN Rp1.110.000",
        "PPN dipungut bendahara -Rp110.000",
        "PPh 22 1,5% -Rp15.000",
        "Rp985.000",
        "satu juta seratus sepuluh ribu rupiah",
        "LUNAS 1 Desember 2026",
        "BP-22-0001",
        "Bendahara Pengeluaran",
        "Mojokerto, 1 Desember 2026",
        "NPWP 001234567602000",  # the agency's
    ],
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_document_renders_as_a_page_and_a_pdf(
    app: Flask, client: FlaskClient, procurement: dict[str, Any], kind: str
) -> None:
    login(client, "pejabat_pengadaan@agency.test")
    html, text = document(client, kind, procurement[kind])
    number = procurement["numbers"][kind]
    assert f"Nomor: {number}" in text
    for expected in EXPECTED[kind]:
        assert expected in text, (kind, expected, text)
    if kind == "order":  # the cooperative's NIB and postcode (the PDF's column wraps them)
        assert "NPWP 0123456789012345 · NIB 1234567890123" in html
        assert "Kota Mojokerto 61315" in html
    # The printable page is the same document, in Indonesian whatever the reader's language.
    assert f"Nomor: {number}" in html and 'lang="id"' in html
    assert "Unduh PDF" in html
    # No inline script or style: the strict CSP would block them.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


def test_the_invoice_states_the_taxes_the_net_amount_and_the_words(
    app: Flask, client: FlaskClient, procurement: dict[str, Any]
) -> None:
    login(client, "owner@coop.test")  # the cooperative reads its own invoice too
    response = client.get(f"/procurement/documents/invoice/{procurement['invoice']}.pdf")
    assert response.status_code == 200
    number = procurement["numbers"]["invoice"]
    # Paid, so its second version (the first was frozen before "LUNAS" was printed on it).
    assert response.headers["Content-Disposition"] == f'attachment; filename="{number}-v2.pdf"'
    text = pdf_text(response.data)
    for expected in ("PPN", "PPh 22", "Dibayarkan kepada", "Rp985.000", "Terbilang"):
        assert expected in text
    assert "satu juta seratus sepuluh ribu rupiah" in text
    assert "PP 55/2022" not in text  # no certificate, the ordinary rate


def test_the_pp55_invoice_keeps_the_certificate_it_was_issued_on(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    """The 0.5% final rate prints the certificate's number and validity, copied at issue: the
    cooperative renewing its certificate afterwards changes neither the invoice nor its PDF."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, pp55_valid_until=date(2026, 12, 31))
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 1000), 1000))
        assert (invoice.pph22, invoice.pp55_certificate_number) == (50_000, "KET-1/PP55")
        assert invoice.pp55_valid_until == date(2026, 12, 31)
        c.cooperative.pp55_certificate_number = "KET-2/PP55"
        c.cooperative.pp55_valid_until = date(2027, 12, 31)
        db.session.commit()
        invoice_id = invoice.id
    login(client, "owner@coop.test")
    text = pdf_text(client.get(f"/procurement/documents/invoice/{invoice_id}.pdf").data)
    assert "PPh 22 0,5% (final, PP 55/2022) -Rp50.000" in text
    squeezed = " ".join(text.split())
    assert (
        "PPh 22 final berdasarkan PP 55/2022: surat keterangan nomor KET-1/PP55, berlaku"
        " sampai 31 Desember 2026." in squeezed
    )
    assert "KET-2/PP55" not in text
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice is not None and invoice.pp55_certificate_number == "KET-1/PP55"
    assert invoice.pp55_valid_until == date(2026, 12, 31)


def test_other_agencies_and_cooperatives_cannot_open_the_documents(
    app: Flask, client: FlaskClient, procurement: dict[str, Any]
) -> None:
    login(client, "ppk@other.test")
    for kind in EXPECTED:
        assert client.get(f"/procurement/documents/{kind}/{procurement[kind]}").status_code == 404
        assert (
            client.get(f"/procurement/documents/{kind}/{procurement[kind]}.pdf").status_code == 404
        )
    assert client.get("/procurement/documents/nothing/1").status_code == 404


def test_the_pdf_fetcher_serves_only_this_sites_files(app: Flask) -> None:
    static = app.static_folder
    assert static is not None
    fetcher = LocalFetcher(static)
    body, content_type = fetcher.read("http://localhost/static/css/documents.css")
    assert b"@font-face" in body and content_type == "text/css"
    font, _ = fetcher.read("http://localhost/static/fonts/DejaVuSans.ttf")
    assert len(font) > 100_000
    for refused in (
        "file:///etc/passwd",
        "http://localhost/static/../config.py",
        "http://localhost/static/%2e%2e/config.py",
        "http://localhost/account/login",
        "ftp://example.com/static/x.css",
        "http://localhost/static/css/nothing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.read(refused)
    weasy = fetcher.fetcher()
    with pytest.raises(ValueError):
        weasy.fetch("https://fonts.example.com/font.woff2")


def test_the_pdf_fetcher_reads_no_private_file_from_the_storage(app: Flask) -> None:
    """A document's markup never pulls a transfer proof or another document into a PDF."""
    static = app.static_folder
    assert static is not None
    fetcher = LocalFetcher(static)
    with app.app_context():
        files = app.extensions["storage"]
        proof = files.save(b"%PDF-1.7 bukti RAHASIA", "private/transfer-proofs", "pdf")
        photo = files.save(b"\xff\xd8 foto", "products", "jpg")
        assert fetcher.read(f"http://localhost/media/{photo}")[0] == b"\xff\xd8 foto"
        for refused in (proof, f"products/../{proof}", f"./{proof}", f"products/%2e%2e/{proof}"):
            with pytest.raises(ValueError):
                fetcher.read(f"http://localhost/media/{refused}")
