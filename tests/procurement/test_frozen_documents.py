"""Issued documents are frozen: each round's letter, the Surat Pesanan, each BAST and each
invoice is rendered once, in the transaction that issues it, and those exact bytes are what
every download serves afterwards. A later printed fact issues the next version (``/v2``); the
public page ``/v/<token>`` printed on the document vouches for a copy without showing its
content."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace import audit
from marketplace.extensions import db
from marketplace.procurement import documents, freezing, fulfilment
from marketplace.procurement.models import FrozenDocument, QuotationRound
from marketplace.storage import LocalStorage
from tests.conftest import login, logout
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text
from tests.procurement.test_faktur_pajak import invoiced, post

OFFICER = "pejabat_pengadaan@agency.test"
OWNER = "owner@coop.test"


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A storage of this test's own, to see exactly which files it stored."""
    root = tmp_path / "storage"
    monkeypatch.setitem(app.extensions, "storage", LocalStorage(root))
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted((root / freezing.FOLDER).rglob("*.pdf"))


def frozen_of(kind: str, object_id: int) -> list[FrozenDocument]:
    db.session.expire_all()
    return freezing.versions(kind, object_id)


def frozen_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FrozenDocument)) or 0


@pytest.fixture
def paid(app: Flask, clock: ModuleType) -> dict[str, int]:
    """A PKP cooperative's order, one delivery inspected, invoiced and paid."""
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        bast = wf.inspect(c, wf.deliver(c, order, 100), 100)
        invoice = wf.invoice_for(c, bast)
        wf.pay(c, invoice)
        db.session.commit()
        offer = next(r for r in order.quotation.rounds if r.kind == "offer")
        return {
            "round": offer.id,
            "quotation": order.quotation_id,
            "order": order.id,
            "bast": bast.id,
            "invoice": invoice.id,
        }


def download(client: FlaskClient, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    return bytes(response.data)


def test_each_issued_document_is_frozen_with_the_hash_of_its_stored_bytes(
    client: FlaskClient, paid: dict[str, int], storage_root: Path
) -> None:
    login(client, OFFICER)
    for kind in ("round", "order", "bast", "invoice"):
        versions = frozen_of(kind, paid[kind])
        assert versions, f"the {kind} was not frozen when issued"
        first = versions[0]
        data = (storage_root / first.storage_key).read_bytes()
        assert first.sha256 == hashlib.sha256(data).hexdigest()
        assert first.size == len(data)
        assert first.version == 1 and len(first.token) == 12
        served = download(client, f"/procurement/documents/{kind}/{paid[kind]}.pdf")
        assert served == (storage_root / versions[-1].storage_key).read_bytes()
    # The quotation's document is its latest offer's letter: the same frozen bytes.
    assert download(client, f"/procurement/documents/quotation/{paid['quotation']}.pdf") == (
        download(client, f"/procurement/documents/round/{paid['round']}.pdf")
    )
    tokens = [v.token for v in db.session.scalars(select(FrozenDocument))]
    assert len(set(tokens)) == len(tokens)


def test_a_download_serves_the_issued_bytes_even_after_the_template_changes(
    client: FlaskClient, paid: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, OFFICER)
    before = download(client, f"/procurement/documents/order/{paid['order']}.pdf")
    monkeypatch.setattr(documents, "_pdf_from_html", lambda html: b"%PDF-1.7 another layout")
    after = download(client, f"/procurement/documents/order/{paid['order']}.pdf")
    assert after == before != b"%PDF-1.7 another layout"


def test_each_version_is_numbered_and_names_who_issued_it(paid: dict[str, int]) -> None:
    [order] = frozen_of("order", paid["order"])
    assert order.issued_by_name == "Pak ppk"
    assert order.issued_by_role == "Pejabat Pembuat Komitmen, Bagian Umum Setda Uji"
    [round_] = frozen_of("round", paid["round"])
    assert round_.issued_by_role == "Penyedia, Koppontren Uji Sejahtera"
    # Issued by the cooperative, then paid: "LUNAS" is printed on its second version.
    first, second = frozen_of("invoice", paid["invoice"])
    assert second.number == f"{first.number}/v2"
    assert second.issued_by_role.startswith("Bendahara Pengeluaran, ")


def test_a_faktur_pajak_issues_a_second_version_and_the_first_stays_as_issued(
    app: Flask, client: FlaskClient, clock: ModuleType, storage_root: Path
) -> None:
    _order_id, invoice_id = invoiced(app)
    [first] = frozen_of("invoice", invoice_id)
    first_bytes = (storage_root / first.storage_key).read_bytes()
    login(client, OWNER)
    assert post(client, invoice_id, "04002600000000123", "2026-12-01").status_code == 302
    first_again, second = frozen_of("invoice", invoice_id)
    assert (first_again.token, first_again.sha256) == (first.token, first.sha256)
    assert (storage_root / first.storage_key).read_bytes() == first_bytes
    assert second.version == 2 and second.number.endswith("/v2")

    latest = pdf_text(download(client, f"/procurement/documents/invoice/{invoice_id}.pdf"))
    assert "04002600000000123" in latest and f"{second.number}, versi 2" in latest
    old = pdf_text(download(client, f"/procurement/documents/invoice/{invoice_id}/v1.pdf"))
    assert "04002600000000123" not in old and "versi 1" in old
    # Both parties list and download every version; anyone else finds none.
    page = client.get(f"/procurement/documents/invoice/{invoice_id}").get_data(as_text=True)
    assert f"/procurement/documents/invoice/{invoice_id}/v1.pdf" in page
    assert f"/procurement/documents/invoice/{invoice_id}/v2.pdf" in page
    logout(client)
    login(client, OFFICER)
    download(client, f"/procurement/documents/invoice/{invoice_id}/v1.pdf")
    assert client.get(f"/procurement/documents/invoice/{invoice_id}/v3.pdf").status_code == 404
    logout(client)
    login(client, "ppk@other.test")
    assert client.get(f"/procurement/documents/invoice/{invoice_id}/v1.pdf").status_code == 404


def test_the_pdf_prints_the_verification_address_on_the_sites_own_host(
    app: Flask, client: FlaskClient, clock: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issued in a request whose Host was forged: the printed address is SERVER_BASE_URL's."""
    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://pasar.example")
    with app.test_request_context(base_url="http://evil.example"):
        c = wf.cast(price=10_000, on_hand=2000)
        order = wf.issued(c, price=10_000, quantity=100)
        db.session.commit()
        order_id = order.id
    [frozen] = frozen_of("order", order_id)
    login(client, OFFICER)
    data = download(client, f"/procurement/documents/order/{order_id}.pdf")
    text = pdf_text(data)
    assert f"https://pasar.example/v/{frozen.token}" in text
    assert "evil.example" not in text and "evil.example" not in data.decode("latin-1")
    assert b"<svg" not in data  # the QR code is drawn into the PDF, not pasted as markup
    page = client.get(f"/procurement/documents/order/{order_id}").get_data(as_text=True)
    assert f"https://pasar.example/v/{frozen.token}" in page and "<svg" in page


def test_the_verification_page_says_only_what_the_code_vouches_for(
    client: FlaskClient, paid: dict[str, int]
) -> None:
    first, second = frozen_of("invoice", paid["invoice"])
    page = client.get(f"/v/{first.token}")  # nobody signed in
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dokumen sah: Invoice / Kuitansi nomor " + first.number + ", versi 1" in text
    assert "1 Desember 2026" in text and "Penyedia, Koppontren Uji Sejahtera" in text
    assert "versi yang lebih baru dari dokumen ini (versi 2)" in text
    assert "Rp" not in text and "NPWP" not in text and "rekening" not in text
    latest = client.get(f"/v/{second.token}").get_data(as_text=True)
    assert "Ini versi terbaru" in latest and f"nomor {second.number}, versi 2" in latest


@pytest.mark.parametrize("token", ["abcdefghijkl", "short", "ABCDEFGHIJKL!", "a" * 40])
def test_an_unknown_code_is_not_found(client: FlaskClient, token: str) -> None:
    assert client.get(f"/v/{token}").status_code == 404


def test_a_copy_is_checked_byte_for_byte_and_never_kept(
    client: FlaskClient, paid: dict[str, int], storage_root: Path
) -> None:
    [frozen] = frozen_of("order", paid["order"])
    genuine = (storage_root / frozen.storage_key).read_bytes()
    files_before = stored_files(storage_root)

    def check(data: bytes) -> str:
        from io import BytesIO

        response = client.post(
            f"/v/{frozen.token}",
            data={"copy": (BytesIO(data), "salinan.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "sama persis dengan versi 1" in check(genuine)
    assert "TIDAK sama dengan versi 1" in check(genuine.replace(b"Rp", b"Rq", 1) + b"\n")
    assert stored_files(storage_root) == files_before
    assert client.post(f"/v/{frozen.token}", data={}).status_code == 400


def test_documents_issued_before_freezing_render_unstored_until_the_command_freezes_them(
    app: Flask,
    client: FlaskClient,
    clock: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    storage_root: Path,
) -> None:
    # Issued as the previous release did: nothing frozen.
    with monkeypatch.context() as m:
        m.setattr(freezing, "freeze", lambda *args, **kwargs: None)
        _order_id, invoice_id = invoiced(app)
    assert frozen_count() == 0
    login(client, OWNER)
    text = " ".join(
        pdf_text(download(client, f"/procurement/documents/invoice/{invoice_id}.pdf")).split()
    )
    assert "belum dapat diverifikasi" in text
    assert frozen_count() == 0 and stored_files(storage_root) == [], "a GET stored something"

    clock.advance(timedelta(days=3))
    result = app.test_cli_runner().invoke(args=["procurement", "freeze-documents"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "froze 4 documents"  # offer, Surat Pesanan, BAST, invoice
    [invoice] = frozen_of("invoice", invoice_id)
    assert invoice.issued_by_name == "Bu Koperasi"
    assert invoice.issued_at.date() <= invoice.frozen_at.date()
    assert invoice.issued_at != invoice.frozen_at  # its own issue, not the day it was frozen
    text = pdf_text(download(client, f"/procurement/documents/invoice/{invoice_id}.pdf"))
    assert f"/v/{invoice.token}" in text and "belum dapat diverifikasi" not in text
    again = app.test_cli_runner().invoke(args=["procurement", "freeze-documents"])
    assert again.output.strip() == "froze 0 documents"


def test_a_failed_issue_leaves_no_frozen_version_nor_file(
    app: Flask, clock: ModuleType, monkeypatch: pytest.MonkeyPatch, storage_root: Path
) -> None:
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        bast = wf.inspect(c, wf.deliver(c, order, 100), 100)
        db.session.commit()
        files = stored_files(storage_root)
        frozen = frozen_count()
        real = audit.record

        def failing(action: str, *args: Any, **kwargs: Any) -> Any:
            if action == "procurement.document.frozen":
                raise RuntimeError("the database went away")
            return real(action, *args, **kwargs)

        monkeypatch.setattr(audit, "record", failing)
        with pytest.raises(RuntimeError):
            fulfilment.issue_invoice(c.member, bast.id)
        db.session.rollback()
        assert frozen_count() == frozen
        assert stored_files(storage_root) == files, "the rolled-back document's file was kept"


def test_a_counter_offer_is_frozen_as_the_agencys_letter(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c, price=9_500)
        from marketplace.procurement import negotiation

        negotiation.counter_offer(c.pp, quotation.id, wf.prices(quotation.request, 9_000), "")
        db.session.commit()
        counter = db.session.scalars(
            select(QuotationRound).where(QuotationRound.quotation_id == quotation.id)
        ).all()[-1]
    [frozen] = frozen_of("round", counter.id)
    assert frozen.number == counter.document_number and frozen.number.startswith("NEG-")
    assert frozen.issued_by_role == "Pejabat Pengadaan, Bagian Umum Setda Uji"


def test_the_verification_page_is_rate_limited_per_address(
    app: Flask, client: FlaskClient, paid: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guessing tokens from one address stops after a few tries (a known one included)."""
    from marketplace.extensions import limiter

    limiter.reset()
    monkeypatch.setitem(app.config, "RATELIMIT_DOCUMENT_VERIFY", "3 per minute")
    [frozen] = frozen_of("order", paid["order"])
    statuses = [
        client.get(f"/v/{token}").status_code
        for token in ("aaaaaaaaaaaa", "bbbbbbbbbbbb", frozen.token, frozen.token)
    ]
    limiter.reset()
    assert statuses == [404, 404, 200, 429]


def test_a_surat_pesanan_frozen_later_prints_what_it_said_on_its_issue_day(
    app: Flask, client: FlaskClient, clock: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its PP 55 certificate was valid when it was issued and has lapsed since: the copy the
    command freezes still applies the 0.5% final rate, as the Surat Pesanan did."""
    with monkeypatch.context() as m, app.test_request_context():
        m.setattr(freezing, "freeze", lambda *args, **kwargs: None)
        c = wf.cast(price=10_000, on_hand=2000, pp55_valid_until=wf.wib_today())
        order = wf.issued(c, price=10_000, quantity=1000, ceiling=20_000_000)
        db.session.commit()
        order_id = order.id
    clock.advance(timedelta(days=10))
    assert app.test_cli_runner().invoke(args=["procurement", "freeze-documents"]).exit_code == 0
    login(client, OFFICER)
    text = pdf_text(download(client, f"/procurement/documents/order/{order_id}.pdf"))
    assert "PPh 22 0,5%" in text and "1,5%" not in text
    made = " ".join(text.split())
    assert "Mojokerto pada 1 Desember 2026." in made and "pada 11 Desember" not in made
