"""Budget lines on the screens (issue 23): the agency's members see its lines with budget,
committed, realised and remaining; its PPK enters them and records revisions; another agency's
line is not found; requests choose a line; the Surat Pesanan prints its kode rekening; the
reports and the packages export show them."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.procurement import budget_lines
from marketplace.procurement.models import BudgetLine, BudgetRevision, ProcurementRequest
from tests.conftest import login, logout
from tests.factories import UserFactory
from tests.procurement import workflow as wf
from tests.procurement.test_budget_lines import ACCOUNT, SUB_ACTIVITY, line_for
from tests.procurement.workflow import wib_today as today

PP, PPK, OTHER_PPK = "pejabat_pengadaan@agency.test", "ppk@agency.test", "ppk@other.test"


def as_user(client: FlaskClient, email: str) -> None:
    logout(client)
    assert login(client, email).status_code == 302


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"[ \t]+", " ", result.stdout.decode("utf-8"))


def line_fields(c: wf.Cast, **overrides: str) -> dict[str, str]:
    return {
        "agency_id": str(c.agency.id),
        "year": str(today().year),
        "sub_activity_code": SUB_ACTIVITY,
        "sub_activity_name": "Penyediaan Makanan dan Minuman",
        "account_code": ACCOUNT,
        "account_name": "Belanja Makanan dan Minuman Rapat",
        "amount": "Rp10.000.000",
        **overrides,
    }


def test_the_ppk_enters_a_line_and_its_revisions_and_everyone_of_the_agency_sees_them(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        db.session.commit()
    as_user(client, PPK)
    page = text(client.get("/procurement/budget-lines"))
    assert "Tambah rekening dari DPA" in page
    refused = client.post("/procurement/budget-lines", data=line_fields(c, account_code="5.1.2"))
    assert refused.status_code == 400
    assert "format Permendagri 90" in text(refused)
    assert db.session.scalar(select(BudgetLine.id)) is None
    response = client.post("/procurement/budget-lines", data=line_fields(c))
    assert response.status_code == 302
    line = db.session.scalars(select(BudgetLine)).one()
    assert (line.account_code, line.amount, line.agency_id) == (ACCOUNT, 10_000_000, c.agency.id)

    url = f"/procurement/budget-lines/{line.id}"
    revision = {
        "revised_on": today().isoformat(),
        "direction": "subtract",
        "change": "2.500.000",
        "reason": "Pergeseran ke rekening jamuan tamu",
    }
    assert client.post(f"{url}/revisions", data=revision).status_code == 302
    [row] = db.session.scalars(select(BudgetRevision)).all()
    assert row.change == -2_500_000
    page = text(client.get(url))
    assert "Rp7.500.000" in page and "Pergeseran ke rekening jamuan tamu" in page
    assert "−Rp2.500.000" in page

    # The pejabat pengadaan sees the lines, but enters nothing.
    as_user(client, PP)
    page = text(client.get("/procurement/budget-lines"))
    assert ACCOUNT in page and "Rp7.500.000" in page
    assert "Tambah rekening dari DPA" not in page
    assert "Catat pergeseran" not in text(client.get(url))
    assert client.post("/procurement/budget-lines", data=line_fields(c)).status_code == 403
    assert client.post(f"{url}/revisions", data=revision).status_code == 403

    # Another agency finds nothing: not the line, not its revisions.
    as_user(client, OTHER_PPK)
    assert ACCOUNT not in text(client.get("/procurement/budget-lines"))
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/revisions", data=revision).status_code == 404
    assert client.post("/procurement/budget-lines", data=line_fields(c)).status_code == 400
    assert db.session.scalar(select(BudgetRevision.id).where(BudgetRevision.id != row.id)) is None


def test_a_revision_below_what_is_committed_is_refused_on_the_page(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        line = line_for(c, amount=3_000_000)
        wf.issued(c, ceiling=2_000_000, budget_line_id=line.id)
        line_id = line.id
        db.session.commit()
    as_user(client, PPK)
    response = client.post(
        f"/procurement/budget-lines/{line_id}/revisions",
        data={
            "revised_on": today().isoformat(),
            "direction": "subtract",
            "change": "2000000",
            "reason": "Dialihkan",
        },
    )
    assert response.status_code == 400
    assert "di bawah nilai Surat Pesanan yang sudah terikat Rp1.800.000" in text(response)
    assert db.session.scalar(select(BudgetRevision.id)) is None


def test_the_request_form_offers_this_years_lines_of_the_agency_only(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        line = line_for(c, amount=10_000_000)
        other = budget_lines.create_line(
            c.other_ppk,
            budget_lines.LineDetails(
                c.other_agency.id, today().year, "5.1.02.01.01.0099", "Lain", SUB_ACTIVITY, "S", 1
            ),
        )
        line_id, other_id = line.id, other.id
        db.session.commit()
    as_user(client, PP)
    page = text(client.get("/procurement/requests/new"))
    assert f'value="{line_id}"' in page and "sisa Rp10.000.000" in page
    assert "5.1.02.01.01.0099" not in page
    fields = {
        "agency_id": str(c.agency.id),
        "title": "Snack rapat",
        "kode_rup": "45123678",
        "ceiling": "2.000.000",
        "delivery_date": (today() + timedelta(days=10)).isoformat(),
        "delivery_addresses": "Kantor",
        "cooperative_ids": str(c.cooperative.id),
    }
    assert client.post("/procurement/requests/new", data=fields).status_code == 400
    forged = client.post("/procurement/requests/new", data={**fields, "budget_line_id": other_id})
    assert forged.status_code == 400
    assert db.session.scalar(select(ProcurementRequest.id)) is None
    made = client.post("/procurement/requests/new", data={**fields, "budget_line_id": line_id})
    assert made.status_code == 302
    request = db.session.scalars(select(ProcurementRequest)).one()
    assert request.budget_line_id == line_id
    assert ACCOUNT in text(client.get(f"/procurement/requests/{request.id}"))
    edit = text(client.get(f"/procurement/requests/{request.id}/edit"))
    assert f'<option selected value="{line_id}">' in edit


def test_the_surat_pesanan_prints_its_kode_rekening(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        c = wf.cast()
        line = line_for(c)
        order = wf.issued(c, ceiling=2_000_000, budget_line_id=line.id)
        order_id = order.id
        db.session.commit()
    as_user(client, PPK)
    assert ACCOUNT in text(client.get(f"/procurement/orders/{order_id}"))
    pdf = client.get(f"/procurement/documents/order/{order_id}.pdf")
    assert pdf.status_code == 200
    printed = pdf_text(pdf.data)
    assert f"Kode rekening {ACCOUNT} Belanja Makanan dan Minuman Rapat" in printed
    assert f"Sub kegiatan {SUB_ACTIVITY} Penyediaan Makanan dan Minuman" in printed


def test_the_reports_show_budget_committed_and_realised_by_account_code(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        line = line_for(c, amount=10_000_000)
        paid = wf.accepted(c, ceiling=2_000_000, budget_line_id=line.id)
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, paid, 200), 200)))
        wf.issued(c, price=5_000, ceiling=2_000_000, budget_line_id=line.id)  # 1.000.000 open
        db.session.commit()
    UserFactory(email="admin@kota.test", is_city_admin=True)
    db.session.commit()
    year = today().year
    as_user(client, "admin@kota.test")
    page = text(client.get(f"/procurement/reports?year={year}"))
    section = page.split('id="report-account"')[1].split("</section>")[0]
    for figure in ("Rp10.000.000", "Rp2.800.000", "Rp1.800.000", "Rp7.200.000"):
        assert figure in section
    rows = list(
        csv.reader(io.StringIO(text(client.get(f"/procurement/reports/account.csv?year={year}"))))
    )
    assert rows[1][2:] == [
        ACCOUNT,
        "Belanja Makanan dan Minuman Rapat",
        SUB_ACTIVITY,
        "Penyediaan Makanan dan Minuman",
        "10000000",
        "2800000",
        "1800000",
        "7200000",
    ]
    # The 40% table: no goods budget from the city, so the lines' budget is the base.
    budget = list(
        csv.reader(io.StringIO(text(client.get(f"/procurement/reports/budget.csv?year={year}"))))
    )
    row = next(r for r in budget if r[0] == "Bagian Umum Setda Uji")
    assert row[2:] == ["", "1800000", "18%", "40%", "10000000", "2800000", "1800000"]
    assert "(dari pagu rekening)" in page
    # The packages export names each package's budget account.
    packages = list(
        csv.DictReader(
            io.StringIO(
                client.get("/procurement/reports/packages?fmt=csv").get_data().decode("utf-8-sig")
            )
        )
    )
    assert {(p["Kode rekening belanja"], p["Nama rekening belanja"]) for p in packages} == {
        (ACCOUNT, "Belanja Makanan dan Minuman Rapat")
    }
    # Another agency's member sees none of it.
    as_user(client, OTHER_PPK)
    assert ACCOUNT not in text(client.get(f"/procurement/reports?year={year}"))
