"""The procurement screens through the test client: the whole way by form posts, who may open
what (403 for the wrong role, 404 for another agency's or cooperative's), bad input (400 with a
clear message, nothing changed), notifications, CSRF, budgets and reports."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.notifications.models import Notification
from marketplace.procurement.models import (
    Budget,
    Delivery,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    PurchaseOrder,
    QuotationRound,
    QuotationStatus,
    RequestStatus,
)
from tests.conftest import login, logout
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.procurement import workflow as wf
from tests.procurement.workflow import wib_today as today

PP, PPK, RECEIVER, TREASURER = (
    "pejabat_pengadaan@agency.test",
    "ppk@agency.test",
    "penerima@agency.test",
    "bendahara@agency.test",
)
OWNER = "owner@coop.test"


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def as_user(client: FlaskClient, email: str) -> None:
    logout(client)
    assert login(client, email).status_code == 302


def prepared(app: Flask, stage: Any, **kwargs: Any) -> tuple[wf.Cast, Any]:
    """The cast and an object at a stage, committed as if by earlier requests."""
    with app.test_request_context():
        c = wf.cast(**{k: v for k, v in kwargs.items() if k in ("is_pkp", "on_hand")})
        obj = stage(c) if stage else None
        db.session.commit()
    return c, obj


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_the_whole_way_through_the_screens(app: Flask, client: FlaskClient) -> None:
    c, _ = prepared(app, None, is_pkp=True)
    as_user(client, PP)
    delivery_date = (today() + timedelta(days=10)).isoformat()
    response = client.post(
        "/procurement/requests/new",
        data={
            "agency_id": str(c.agency.id),
            "title": "Snack rapat koordinasi",
            "kode_rup": "45123678",
            "ceiling": "Rp2.100.000",
            "delivery_date": delivery_date,
            "delivery_addresses": "Ruang Rapat Setda, Jl. Gajah Mada 145",
            "notes": "Kemasan rapi",
            "cooperative_ids": [str(c.cooperative.id)],
        },
    )
    assert response.status_code == 302, text(response)
    request = db.session.scalars(select(ProcurementRequest)).one()
    assert request.ceiling == 2_100_000
    page = client.get(f"/procurement/requests/{request.id}?q=tempe")
    assert "Keripik Tempe Uji" in text(page)
    client.post(
        f"/procurement/requests/{request.id}/lines/catalogue",
        data={"variant_id": str(c.variant.id), "quantity": "200"},
    )
    assert client.post(f"/procurement/requests/{request.id}/send").status_code == 302
    db.session.refresh(request)
    assert request.status == RequestStatus.SENT
    quotation = request.quotations[0]
    line = request.lines[0]

    as_user(client, OWNER)
    page = client.get(f"/procurement/cooperative/quotations/{quotation.id}")
    assert 'value="9.000"' in text(page)  # the tier price as a starting point
    response = client.post(
        f"/procurement/cooperative/quotations/{quotation.id}/offer",
        data={f"price_{line.id}": "10.000", "delivery_date": delivery_date, "message": "Siap"},
    )
    assert response.status_code == 302, text(response)

    as_user(client, PP)
    page = client.get(f"/procurement/quotations/{quotation.id}")
    assert "Di atas HPS/pagu" in text(page)  # 200 x 10.000 + 11% PPN = Rp2.220.000
    client.post(
        f"/procurement/quotations/{quotation.id}/counter",
        data={f"price_{line.id}": "9.000", "message": "Mohon 9.000"},
    )
    as_user(client, OWNER)
    client.post(f"/procurement/cooperative/quotations/{quotation.id}/accept")
    as_user(client, PP)
    client.post(f"/procurement/quotations/{quotation.id}/forward", data={"note": ""})
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.FORWARDED

    as_user(client, PPK)
    response = client.post(f"/procurement/quotations/{quotation.id}/approve", data={})
    assert response.status_code == 302, text(response)
    order = db.session.scalars(select(PurchaseOrder)).one()

    as_user(client, OWNER)
    client.post(f"/procurement/cooperative/orders/{order.id}/accept")
    order_line = order.lines[0]
    response = client.post(
        f"/procurement/cooperative/orders/{order.id}/deliveries",
        data={
            f"qty_{order_line.id}": "120",
            "delivered_on": today().isoformat(),
            "driver": "Pak Sopir",
            "vehicle": "S 1 AB",
        },
    )
    assert response.status_code == 302, text(response)
    delivery = db.session.scalars(select(Delivery)).one()

    as_user(client, RECEIVER)
    delivery_line = delivery.lines[0]
    response = client.post(
        f"/procurement/deliveries/{delivery.id}/inspect",
        data={
            f"accepted_{delivery_line.id}": "120",
            f"note_{delivery_line.id}": "",
            **wf.inspection_fields(),
        },
    )
    assert response.status_code == 302, text(response)

    as_user(client, OWNER)
    bast = db.session.get(Delivery, delivery.id).bast  # type: ignore[union-attr]
    assert client.post(f"/procurement/cooperative/basts/{bast.id}/invoice").status_code == 302
    invoice = db.session.scalars(select(Invoice)).one()

    as_user(client, TREASURER)
    page = client.get(f"/procurement/invoices/{invoice.id}")
    assert "PPh 22" in text(page) and "Catat pembayaran" in text(page)
    response = client.post(
        f"/procurement/invoices/{invoice.id}/pay",
        data={
            "method": "transfer",
            "reference": "SP2D-00123/2026",
            "paid_on": today().isoformat(),
            "bukti_potong_number": "",
        },
    )
    assert response.status_code == 302, text(response)
    db.session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID

    # The cooperative sees what it received and what was withheld, with the slip number.
    as_user(client, OWNER)
    received = text(client.get("/procurement/cooperative/payments"))
    assert invoice.number in received
    assert rupiah(invoice.payable) in received and rupiah(invoice.pph22) in received


def test_the_wrong_role_is_refused_and_another_agency_sees_nothing(
    app: Flask, client: FlaskClient
) -> None:
    _c, quotation = prepared(app, wf.forwarded)
    as_user(client, PP)
    assert client.post(f"/procurement/quotations/{quotation.id}/approve").status_code == 403
    as_user(client, "ppk@other.test")
    assert client.get(f"/procurement/quotations/{quotation.id}").status_code == 404
    assert client.post(f"/procurement/quotations/{quotation.id}/approve").status_code == 404
    assert client.get(f"/procurement/requests/{quotation.request_id}").status_code == 404
    assert client.get(f"/procurement/documents/request/{quotation.request_id}").status_code == 404
    as_user(client, RECEIVER)
    assert client.post(f"/procurement/quotations/{quotation.id}/return").status_code == 403
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.FORWARDED
    # A shopper is not a procurement participant at all.
    UserFactory(email="pembeli@example.test")
    as_user(client, "pembeli@example.test")
    assert client.get("/procurement/").status_code == 403
    assert client.get(f"/procurement/cooperative/quotations/{quotation.id}").status_code == 403


def test_another_cooperative_gets_not_found(app: Flask, client: FlaskClient) -> None:
    _c, order = prepared(app, wf.issued)
    CooperativeMemberFactory(user=UserFactory(email="rival@coop.test"))
    db.session.commit()
    as_user(client, "rival@coop.test")
    for path in (
        f"/procurement/cooperative/quotations/{order.quotation_id}",
        f"/procurement/cooperative/orders/{order.id}",
        f"/procurement/documents/order/{order.id}",
        f"/procurement/documents/quotation/{order.quotation_id}",
        f"/procurement/documents/request/{order.request_id}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/procurement/cooperative/orders/{order.id}/accept").status_code == 404
    db.session.refresh(order)
    assert order.status == OrderStatus.ISSUED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delivery_date", "yesterday", "Tanggal harus setelah hari ini."),
        ("delivery_date", "31-12-2026", "Tanggal tidak valid"),
        ("ceiling", "abc", "rupiah bulat"),
        ("ceiling", "1.500,50", "rupiah bulat"),
        ("ceiling", "0", "Minimal Rp1"),
        ("cooperative_ids", "987654", "Pilih dari daftar"),
        ("title", "", "Isi judul permintaan."),
    ],
)
def test_a_bad_request_form_changes_nothing(
    app: Flask, client: FlaskClient, field: str, value: str, message: str
) -> None:
    c, _ = prepared(app, None)
    as_user(client, PP)
    data = {
        "agency_id": str(c.agency.id),
        "title": "Snack rapat",
        "kode_rup": "45123678",
        "ceiling": "2.000.000",
        "delivery_date": (today() + timedelta(days=5)).isoformat(),
        "delivery_addresses": "Setda",
        "cooperative_ids": str(c.cooperative.id),
    }
    data[field] = (today() - timedelta(days=1)).isoformat() if value == "yesterday" else value
    response = client.post("/procurement/requests/new", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert count(ProcurementRequest) == 0


def test_another_agencys_id_in_the_form_is_refused(app: Flask, client: FlaskClient) -> None:
    c, _ = prepared(app, None)
    as_user(client, PP)
    response = client.post(
        "/procurement/requests/new",
        data={
            "agency_id": str(c.other_agency.id),
            "title": "Snack",
            "kode_rup": "45123678",
            "ceiling": "2.000.000",
            "delivery_date": (today() + timedelta(days=5)).isoformat(),
            "delivery_addresses": "Setda",
        },
    )
    assert response.status_code == 400
    assert "Pilih OPD Anda." in text(response)
    assert count(ProcurementRequest) == 0


def test_a_bad_catalogue_line_shows_the_reason(app: Flask, client: FlaskClient) -> None:
    c, request = prepared(app, lambda c: wf.draft(c))
    as_user(client, PP)
    for data, message in (
        ({"variant_id": str(c.variant.id), "quantity": "0"}, "Jumlah minimal 1."),
        ({"variant_id": str(c.variant.id), "quantity": "dua"}, "angka bulat"),
        ({"variant_id": "987654", "quantity": "5"}, "tidak ada di katalog"),
        ({"variant_id": str(c.variant.id), "quantity": "5"}, "sudah ada di permintaan"),
    ):
        response = client.post(f"/procurement/requests/{request.id}/lines/catalogue", data=data)
        assert response.status_code == 400
        assert message in text(response)
    db.session.refresh(request)
    assert len(request.lines) == 1


def test_a_bad_counter_offer_keeps_no_round(app: Flask, client: FlaskClient) -> None:
    _c, quotation = prepared(app, wf.quoted)
    line_id = quotation.request.lines[0].id
    as_user(client, PP)
    for price, message in (
        ("abc", "rupiah bulat"),
        ("", "Isi harga satuan."),
        ("0", "Minimal Rp1"),
    ):
        response = client.post(
            f"/procurement/quotations/{quotation.id}/counter",
            data={f"price_{line_id}": price, "message": ""},
        )
        assert response.status_code == 400, price
        assert message in text(response)
    assert count(QuotationRound) == 1


def test_a_counter_above_the_ceiling_is_refused_on_the_page(
    app: Flask, client: FlaskClient
) -> None:
    _c, quotation = prepared(app, lambda c: wf.quoted(c, ceiling=2_000_000))
    line_id = quotation.request.lines[0].id
    as_user(client, PP)
    response = client.post(
        f"/procurement/quotations/{quotation.id}/counter",
        data={f"price_{line_id}": "11.000"},
    )
    assert response.status_code == 400
    assert "melebihi HPS/pagu" in text(response)
    assert count(QuotationRound) == 1


def test_a_bad_inspection_shows_the_reason(app: Flask, client: FlaskClient) -> None:
    c, order = prepared(app, wf.accepted)
    with app.test_request_context():
        delivery = wf.deliver(c, db.session.get(PurchaseOrder, order.id), 50)
        db.session.commit()
    line_id = delivery.lines[0].id
    as_user(client, RECEIVER)
    for data, message in (
        ({f"accepted_{line_id}": "51"}, "paling banyak 50"),
        ({f"accepted_{line_id}": "40", f"note_{line_id}": ""}, "tulis alasan"),
        ({f"accepted_{line_id}": "x"}, "angka bulat"),
    ):
        response = client.post(
            f"/procurement/deliveries/{delivery.id}/inspect",
            data={**wf.inspection_fields(), **data},
        )
        assert response.status_code == 400
        assert message in text(response)
    db.session.refresh(delivery)
    assert delivery.bast is None


def test_a_bad_payment_shows_the_reason(app: Flask, client: FlaskClient) -> None:
    def invoiced(c: wf.Cast) -> Invoice:
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        return wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 500), 500))

    _c, invoice = prepared(app, invoiced)
    as_user(client, TREASURER)
    base = {"method": "transfer", "reference": "SP2D-1/2026", "paid_on": today().isoformat()}
    for overrides, message in (
        ({"paid_on": (today() + timedelta(days=1)).isoformat()}, "masa depan"),
        ({"bukti_potong_number": ""}, "bukti potong PPh 22"),
        ({"method": "tunai"}, "Pilih cara pembayaran."),
        ({"reference": ""}, "Isi nomor SP2D"),
    ):
        response = client.post(
            f"/procurement/invoices/{invoice.id}/pay", data={**base, **overrides}
        )
        assert response.status_code == 400, overrides
        assert message in text(response)
    assert count(InvoicePayment) == 0


def test_a_bad_delivery_form_shows_the_reason(app: Flask, client: FlaskClient) -> None:
    _c, order = prepared(app, wf.accepted)
    line_id = order.lines[0].id
    as_user(client, OWNER)
    for data, message in (
        ({f"qty_{line_id}": "500", "delivered_on": today().isoformat()}, "paling banyak 200"),
        ({f"qty_{line_id}": "", "delivered_on": today().isoformat()}, "minimal satu barang"),
        (
            {f"qty_{line_id}": "5", "delivered_on": (today() + timedelta(days=2)).isoformat()},
            "masa depan",
        ),
    ):
        response = client.post(f"/procurement/cooperative/orders/{order.id}/deliveries", data=data)
        assert response.status_code == 400
        assert message in text(response)
    assert count(Delivery) == 0


def test_the_navigation_counts_unread_notifications(app: Flask, client: FlaskClient) -> None:
    c, quotation = prepared(app, wf.quoted)
    as_user(client, PP)
    home = text(client.get("/"))
    unread = re.search(r'class="nav-notifications".*?<span class="nav-count">(\d+)</span>', home)
    assert unread and unread.group(1) == "1"
    notice = db.session.scalars(select(Notification).where(Notification.user_id == c.pp.id)).one()
    response = client.post(f"/account/notifications/{notice.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/procurement/quotations/{quotation.id}"
    db.session.refresh(notice)
    assert notice.read_at is not None
    home = text(client.get("/"))
    assert re.search(r'class="nav-notifications".*?<span class="nav-count">0</span>', home)
    # Someone else's notification is not found.
    as_user(client, OWNER)
    assert client.post(f"/account/notifications/{notice.id}/open").status_code == 404
    client.post("/account/notifications/read")
    assert count(Notification) >= 2


def test_the_worklists_show_what_waits(app: Flask, client: FlaskClient) -> None:
    _c, quotation = prepared(app, wf.forwarded)
    as_user(client, PPK)
    page = text(client.get("/procurement/"))
    assert 'data-section="to_approve"' in page and quotation.request.number in page
    as_user(client, OWNER)
    page = text(client.get("/procurement/"))
    assert 'data-section="to_quote"' in page and 'data-section="to_deliver"' in page


WAITING = re.compile(
    r'<a class="stat card[^"]*" href="(?P<href>[^"]+)" data-waiting="(?P<key>[\w-]+)">'
    r'<span class="stat__value">(?P<count>\d+)</span>'
)


def waiting(page: str) -> dict[str, tuple[str, int]]:
    """The worklist's summary at the top: key -> (link, count)."""
    return {m["key"]: (m["href"], int(m["count"])) for m in WAITING.finditer(page)}


def test_the_worklist_counts_what_waits_for_the_role_in_its_own_agency_only(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        wf.draft(c)
        wf.draft(c)
        wf.quoted(c)
        theirs = replace(c, agency=c.other_agency, pp=c.other_pp)
        wf.draft(theirs)
        wf.quoted(theirs)
        db.session.commit()
    as_user(client, PP)
    page = text(client.get("/procurement/"))
    assert waiting(page) == {
        "to_send": ("#work-to_send", 2),
        "to_answer": ("#work-to_answer", 1),
        "to_forward": ("#work-to_forward", 0),
        "returned": ("#work-returned", 0),
    }
    assert page.count('id="work-to_send"') == 1
    # The cooperative's summary counts its own quotations to answer, under its own anchors.
    as_user(client, OWNER)
    page = text(client.get("/procurement/"))
    assert waiting(page)["coop-to_quote"] == ("#work-coop-to_quote", 0)
    assert 'id="work-coop-to_quote"' in page


def test_a_full_worklist_section_still_counts_everything_that_waits(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.procurement import worklist

    monkeypatch.setattr(worklist, "SECTION_LIMIT", 2)
    with app.test_request_context():
        c = wf.cast()
        for _ in range(3):
            wf.draft(c)
        db.session.commit()
    as_user(client, PP)
    page = text(client.get("/procurement/"))
    assert waiting(page)["to_send"][1] == 3
    section = page.split('data-section="to_send"')[1].split("</section>")[0]
    assert '<span class="badge">3</span>' in section
    assert section.count("<li>") == 2
    assert "Menampilkan 2 yang terlama dari 3." in section


def test_forms_need_the_csrf_token(app: Flask, client: FlaskClient, csrf_enabled: None) -> None:
    _c, quotation = prepared(app, wf.quoted)
    as_user_csrf(client, PP)
    response = client.post(f"/procurement/quotations/{quotation.id}/agree")
    assert response.status_code == 400
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.QUOTED


def as_user_csrf(client: FlaskClient, email: str) -> None:
    page = text(client.get("/account/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/account/login",
        data={"email": email, "password": "password123", "csrf_token": token.group(1)},
    )
    assert response.status_code == 302


def test_budgets_are_for_the_city_administrator(app: Flask, client: FlaskClient) -> None:
    c, _ = prepared(app, None)
    as_user(client, PP)
    assert client.get("/procurement/budgets").status_code == 403
    UserFactory(email="admin@kota.test", is_city_admin=True)
    db.session.commit()
    as_user(client, "admin@kota.test")
    assert client.get("/procurement/budgets").status_code == 200
    response = client.post(
        "/procurement/budgets",
        data={"agency_id": str(c.agency.id), "year": "20x6", "goods_budget": "1.000.000"},
    )
    assert response.status_code == 400 and "4 angka" in text(response)
    response = client.post(
        "/procurement/budgets",
        data={"agency_id": str(c.agency.id), "year": "2026", "goods_budget": "Rp10.000.000"},
    )
    assert response.status_code == 302
    budget = db.session.scalars(select(Budget)).one()
    assert (budget.year, budget.goods_budget) == (2026, 10_000_000)


def test_the_report_shows_the_share_against_the_target(app: Flask, client: FlaskClient) -> None:
    def paid(c: wf.Cast) -> None:
        order = wf.accepted(c, price=10_000, quantity=500)
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 500), 500)))
        db.session.add(Budget(agency_id=c.agency.id, year=today().year, goods_budget=12_500_000))

    _c, _ = prepared(app, paid)
    UserFactory(email="admin@kota.test", is_city_admin=True)
    db.session.commit()
    as_user(client, "admin@kota.test")
    year = today().year
    page = text(client.get(f"/procurement/reports?year={year}"))
    assert "Bagian Umum Setda Uji" in page and "Rp5.000.000" in page
    # 5.000.000 of 12.500.000 is 40%: the target, met.
    budget_section = page.split("Belanja per OPD")[0]
    assert "40%" in budget_section and "mencapai target" in budget_section
    csv = text(client.get(f"/procurement/reports/budget.csv?year={year}"))
    assert "Bagian Umum Setda Uji,2026,12500000,5000000,40%,40%" in csv
    agencies = text(client.get(f"/procurement/reports/agency.csv?year={year}"))
    assert agencies.splitlines()[1] == "Bagian Umum Setda Uji,1,5000000,5000000"
    assert client.get(f"/procurement/reports/nothing.csv?year={year}").status_code == 404
    from openpyxl import load_workbook

    xlsx = client.get(f"/procurement/reports.xlsx?year={year}")
    for download in (xlsx, client.get(f"/procurement/reports/budget.csv?year={year}")):
        assert download.headers["Cache-Control"] == "private, no-store"  # never a shared copy
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == [
        "Per OPD",
        "Per koperasi",
        "Per jenis barang",
        "Per bulan",
        "Anggaran",
        "Per rekening",
    ]
    assert workbook["Per koperasi"]["A2"].value == "Koppontren Uji Sejahtera"
    # An agency member sees their own agency only; the other agency sees nothing of it.
    as_user(client, "ppk@other.test")
    assert "Bagian Umum Setda Uji" not in text(client.get(f"/procurement/reports?year={year}"))
