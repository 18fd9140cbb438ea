"""The packages export for the national systems (issue 23): one row per Surat Pesanan of the
period, with what an officer keys into SiRUP and the e-purchasing reports, from our own records
only; an agency sees its own packages, the city every agency's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.procurement import purchasing
from tests.conftest import login
from tests.factories import UserFactory
from tests.procurement import workflow as wf
from tests.procurement.workflow import wib_today as today
from tests.queries import counted

PPK = "ppk@agency.test"


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_each_surat_pesanan_is_one_row_with_its_bast_and_sp2d(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast(on_hand=5_000)
        paid = wf.accepted(c, price=9_000, quantity=300, title="Snack rapat", kode_rup="RUP-77")
        first = wf.inspect(c, wf.deliver(c, paid, 180), 180)
        second = wf.inspect(c, wf.deliver(c, paid, 120), 120)
        invoices = [wf.invoice_for(c, first), wf.invoice_for(c, second)]
        wf.pay(c, invoices[0], reference="SP2D-0001/2026")
        wf.pay(c, invoices[1], reference="SP2D-0002/2026")
        pph22 = [invoice.pph22 for invoice in invoices]
        open_order = wf.accepted(c, price=9_000, quantity=100, title="Air minum")
        declined = wf.issued(c, price=9_000, quantity=100, title="Ditolak")
        purchasing.decline_order(c.member, declined.id, "Stok habis")
        numbers = (paid.number, first.number, second.number, open_order.number)
        npwp, nib = c.cooperative.npwp, c.cooperative.nib
        db.session.commit()
    login(client, PPK)
    rows = rows_of(client.get("/procurement/reports/packages?fmt=csv"))
    assert [row["Nomor Surat Pesanan"] for row in rows] == [numbers[0], numbers[3]]
    row = rows[0]
    assert row["Kode RUP"] == "RUP-77"
    assert row["Nama paket"] == "Snack rapat"
    assert row["OPD"] == "Bagian Umum Setda Uji"
    assert (row["Penyedia"], row["NPWP penyedia"], row["NIB penyedia"]) == (
        "Koppontren Uji Sejahtera",
        npwp,
        nib,
    )
    # 300 × 9.000, no PPN (the cooperative is not PKP); PPh 22 withheld on each invoice (the
    # Surat Pesanan is above its threshold), added up.
    assert (row["Nilai tanpa PPN"], row["PPN"], row["Nilai termasuk PPN"]) == (
        "2700000",
        "0",
        "2700000",
    )
    assert all(pph22) and row["PPh 22"] == str(sum(pph22))
    assert row["Nomor BAST"] == f"{numbers[1]}; {numbers[2]}"
    assert row["Nomor SP2D / transaksi KKP"] == "SP2D-0001/2026; SP2D-0002/2026"
    assert row["Tanggal pembayaran"] == f"{today().isoformat()}; {today().isoformat()}"
    assert row["Tanggal Surat Pesanan"] == today().isoformat()
    # The package still open has no BAST or payment yet.
    assert (rows[1]["Nomor BAST"], rows[1]["Nomor SP2D / transaksi KKP"]) == ("", "")

    # The XLSX holds the same rows, amounts as numbers.
    workbook = load_workbook(io.BytesIO(client.get("/procurement/reports/packages").data))
    sheet = workbook.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Nilai tanpa PPN"] == 2_700_000
    assert values["Nomor Surat Pesanan"] == numbers[0]

    # Another agency's officer gets none of them; the city gets them all.
    client.post("/account/logout")
    login(client, "ppk@other.test")
    assert rows_of(client.get("/procurement/reports/packages?fmt=csv")) == []
    client.post("/account/logout")
    with app.app_context():
        UserFactory(email="admin@kota.test", is_city_admin=True)
        db.session.commit()
    login(client, "admin@kota.test")
    assert len(rows_of(client.get("/procurement/reports/packages?fmt=csv"))) == 2


def test_the_period_counts_the_day_the_surat_pesanan_was_issued(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        number = wf.accepted(c).number
        db.session.commit()
    login(client, PPK)
    day = today()
    on_the_day = f"date_from={day.isoformat()}&date_to={day.isoformat()}&fmt=csv"
    assert [
        r["Nomor Surat Pesanan"]
        for r in rows_of(client.get(f"/procurement/reports/packages?{on_the_day}"))
    ] == [number]
    before = (day - timedelta(days=1)).isoformat()
    response = client.get(
        f"/procurement/reports/packages?date_from={before}&date_to={before}&fmt=csv"
    )
    assert rows_of(response) == []
    assert 'filename="paket-pengadaan-' in response.headers["Content-Disposition"]


def test_a_period_or_format_it_cannot_use_shows_the_reason(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        wf.cast()
        db.session.commit()
    login(client, PPK)
    for query, message in (
        ("date_from=2026-02-30", "Tanggal tidak valid. Gunakan format 2026-12-31."),
        (
            "date_from=2026-03-02&date_to=2026-03-01",
            "Tanggal akhir tidak boleh sebelum tanggal awal.",
        ),
        ("fmt=pdf", "Pilih XLSX atau CSV."),
    ):
        response = client.get(f"/procurement/reports/packages?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "text/html"
        assert message in response.get_data(as_text=True), query


def test_the_export_runs_as_many_queries_for_many_packages_as_for_one(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast(on_hand=10_000)
        order = wf.accepted(c, quantity=100)
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100)))
        db.session.commit()
    login(client, PPK)
    url = "/procurement/reports/packages?fmt=csv"
    with counted(app) as one:
        assert client.get(url).status_code == 200
    with app.test_request_context():
        for _ in range(3):
            order = wf.accepted(c, quantity=100)
            wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100)))
        db.session.commit()
    with counted(app) as many:
        assert len(rows_of(client.get(url))) == 4
    assert len(many) == len(one)
