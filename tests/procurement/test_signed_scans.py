"""Signed documents sent back (issue 23): either party of a Surat Pesanan keeps a scan of the
signed SP, BAST or invoice with the procurement; both parties see every scan; nobody else can
send or open one; a scan is never replaced; a bad file or a document of another procurement is
refused with its reason and nothing is kept."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement.models import SignedScan
from tests.conftest import login
from tests.payments.paying import image_bytes, pdf_bytes
from tests.procurement import workflow as wf

PPK = "ppk@agency.test"
OWNER = "owner@coop.test"


def send(client: FlaskClient, order_id: int, document: str, data: bytes, name: str) -> Any:
    return client.post(
        f"/procurement/orders/{order_id}/signed",
        data={"document": document, "scan": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def scans() -> int:
    return db.session.scalar(select(func.count()).select_from(SignedScan)) or 0


def stored(app: Flask) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"]) / "private" / "procurement-signed"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def paid_order(app: Flask) -> dict[str, Any]:
    with app.test_request_context():
        c = wf.cast()
        order = wf.accepted(c, quantity=100)
        bast = wf.inspect(c, wf.deliver(c, order, 100), 100)
        invoice = wf.invoice_for(c, bast)
        other = wf.accepted(c, quantity=50, title="Lain")
        other_bast = wf.inspect(c, wf.deliver(c, other, 50), 50)
        db.session.commit()
        return {
            "order": order.id,
            "order_number": order.number,
            "bast": bast.id,
            "bast_number": bast.number,
            "invoice": invoice.id,
            "invoice_number": invoice.number,
            "other": other.id,
            "other_bast": other_bast.id,
        }


def test_both_parties_keep_and_see_the_signed_documents(app: Flask, client: FlaskClient) -> None:
    ids = paid_order(app)
    login(client, PPK)
    page = client.get(f"/procurement/orders/{ids['order']}").get_data(as_text=True)
    assert "Belum ada pindaian." in page
    for key in (f"order:{ids['order']}", f"bast:{ids['bast']}", f"invoice:{ids['invoice']}"):
        assert f'value="{key}"' in page
    # The other procurement's BAST is not offered here.
    assert f'value="bast:{ids["other_bast"]}"' not in page

    response = send(client, ids["order"], f"order:{ids['order']}", pdf_bytes(), "sp.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/procurement/orders/{ids['order']}#signed")
    client.post("/account/logout")

    login(client, OWNER)
    photo = image_bytes()
    response = send(client, ids["order"], f"invoice:{ids['invoice']}", photo, "invoice.jpg")
    assert response.headers["Location"].endswith(
        f"/procurement/cooperative/orders/{ids['order']}#signed"
    )
    page = client.get(f"/procurement/cooperative/orders/{ids['order']}").get_data(as_text=True)
    section = page.split('id="signed"')[1].split("</section>")[0]
    # The newest first, each with who sent it.
    assert section.index(f"Invoice {ids['invoice_number']}") < section.index(
        f"Surat Pesanan {ids['order_number']}"
    )
    assert "dari OPD" in section and "dari koperasi" in section

    first = db.session.scalars(select(SignedScan).order_by(SignedScan.id)).first()
    assert first is not None and (first.side, first.kind) == ("agency", "order")
    download = client.get(f"/procurement/orders/{ids['order']}/signed/{first.id}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "private, no-store"

    # A second scan of the same document is kept beside the first, never over it.
    before = len(stored(app))
    send(client, ids["order"], f"order:{ids['order']}", pdf_bytes(), "sp-lagi.pdf")
    assert scans() == 3 and len(stored(app)) == before + 1


def test_no_one_else_sends_or_opens_a_scan(app: Flask, client: FlaskClient) -> None:
    ids = paid_order(app)
    login(client, PPK)
    send(client, ids["order"], f"order:{ids['order']}", pdf_bytes(), "sp.pdf")
    scan_id = db.session.scalars(select(SignedScan.id)).one()
    client.post("/account/logout")
    login(client, "ppk@other.test")
    assert (
        send(client, ids["order"], f"order:{ids['order']}", pdf_bytes(), "x.pdf").status_code == 404
    )
    assert client.get(f"/procurement/orders/{ids['order']}/signed/{scan_id}").status_code == 404
    # The right scan id under another order is not found either.
    client.post("/account/logout")
    login(client, PPK)
    assert client.get(f"/procurement/orders/{ids['other']}/signed/{scan_id}").status_code == 404
    assert scans() == 1


def test_a_bad_file_or_anothers_document_is_refused_and_nothing_kept(
    app: Flask, client: FlaskClient
) -> None:
    ids = paid_order(app)
    files_before = stored(app)
    login(client, OWNER)
    url = f"/procurement/cooperative/orders/{ids['order']}"
    for document, data, name, message in (
        (
            f"bast:{ids['other_bast']}",
            pdf_bytes(),
            "b.pdf",
            "Pilih dokumen yang dipindai dari daftar.",
        ),
        (
            f"bast:{ids['bast']}",
            b"bukan berkas",
            "b.txt",
            "Jenis berkas tidak didukung. Kirim gambar JPEG, PNG atau WebP, atau PDF.",
        ),
        (f"bast:{ids['bast']}", b"%PDF-1.4 truncated", "b.pdf", "bukan PDF yang utuh"),
    ):
        response = send(client, ids["order"], document, data, name)
        assert response.status_code == 302
        page = client.get(url).get_data(as_text=True)
        assert message in page, message
        assert "Belum ada pindaian." in page
    response = client.post(
        f"/procurement/orders/{ids['order']}/signed", data={"document": f"bast:{ids['bast']}"}
    )
    assert "Pilih berkas pindaian (PDF atau foto)." in client.get(url).get_data(as_text=True)
    assert scans() == 0 and stored(app) == files_before
