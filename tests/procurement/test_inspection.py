"""Inspection as it happens (issue 23): the BAST records the day the goods were inspected (not
always today; never in the future, never before the surat jalan or the Surat Pesanan) and the
inspection team (name, NIP, role), chosen from the agency's members or typed; the PDF prints
them. A refused inspection changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement import fulfilment, inspection
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import (
    AgencyMember,
    Bast,
    BastInspector,
    Delivery,
    DeliveryStatus,
    ProcurementRole,
    PurchaseOrder,
)
from tests.conftest import login
from tests.factories import AgencyMemberFactory
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text

RECEIVER_NIP = "199002022015022003"
TYPED_NIP = "198507072010012005"


def receiver_has_nip(c: wf.Cast) -> None:
    member = db.session.scalar(
        select(AgencyMember).where(
            AgencyMember.user_id == c.receiver.id, AgencyMember.role == ProcurementRole.PENERIMA
        )
    )
    assert member is not None
    member.nip = RECEIVER_NIP


@pytest.fixture
def delivered(app: Flask, clock: ModuleType) -> Any:
    """An order issued and delivered on Tuesday 1 December 2026; the clock then moves to Friday
    4 December, when the BAST is recorded."""
    with app.test_request_context():
        c = wf.cast()
        receiver_has_nip(c)
        order = wf.accepted(c)
        delivery = wf.deliver(c, order, 50)
        db.session.commit()
        clock.advance(timedelta(days=3))
        return c, delivery.id


def team(c: wf.Cast) -> list[inspection.Inspector]:
    return [
        inspection.Inspector(role="Ketua PPHP", user_id=c.receiver.id),
        inspection.Inspector(role="Anggota PPHP", name="Ibu Sri Wahyuni", nip=TYPED_NIP),
    ]


def inspect(c: wf.Cast, delivery_id: int, details: inspection.Inspection) -> Bast:
    delivery = db.session.get(Delivery, delivery_id)
    assert delivery is not None
    return fulfilment.inspect_delivery(
        c.receiver, delivery_id, {delivery.lines[0].id: 50}, {}, "", details
    )


def test_the_bast_records_the_day_and_the_team_and_prints_them(
    app: Flask, client: FlaskClient, delivered: Any
) -> None:
    c, delivery_id = delivered
    with app.test_request_context():
        bast = inspect(c, delivery_id, inspection.Inspection(date(2026, 12, 2), team(c)))
        db.session.commit()
        bast_id = bast.id
        assert bast.inspected_on == date(2026, 12, 2)
        assert [(i.position, i.user_id, i.name, i.nip, i.role) for i in bast.inspectors] == [
            (1, c.receiver.id, "Pak penerima", RECEIVER_NIP, "Ketua PPHP"),
            (2, None, "Ibu Sri Wahyuni", TYPED_NIP, "Anggota PPHP"),
        ]
    login(client, "penerima@agency.test")
    text = pdf_text(client.get(f"/procurement/documents/bast/{bast_id}.pdf").data)
    squeezed = " ".join(text.split())
    assert "Pada tanggal 2 Desember 2026, pemeriksa/penerima barang" in squeezed
    for expected in (
        "Tim pemeriksa:",
        "Ketua PPHP",
        "Anggota PPHP",
        "Ibu Sri Wahyuni",
        "NIP. 19900202 201502 2 003",
        "NIP. 19850707 201001 2 005",
        "Mojokerto, 4 Desember 2026",  # the day the BAST was recorded, above the PPK
    ):
        assert expected in squeezed, (expected, text)


def test_without_details_the_receiver_alone_inspects_today(app: Flask, delivered: Any) -> None:
    c, delivery_id = delivered
    with app.test_request_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery is not None
        bast = fulfilment.inspect_delivery(c.receiver, delivery_id, {delivery.lines[0].id: 50}, {})
        assert bast.inspected_on == date(2026, 12, 4)
        assert [(i.name, i.nip, i.role) for i in bast.inspectors] == [
            ("Pak penerima", RECEIVER_NIP, "Pemeriksa/Penerima Barang")
        ]


def refusal(c: wf.Cast, delivery_id: int, details: inspection.Inspection) -> str:
    with pytest.raises(InvalidProcurementInput) as refused:
        inspect(c, delivery_id, details)
    db.session.rollback()
    return refused.value.message


def test_a_wrong_day_or_team_is_refused_and_changes_nothing(app: Flask, delivered: Any) -> None:
    c, delivery_id = delivered
    ok = team(c)
    with app.test_request_context():
        cases = [
            (date(2026, 12, 5), ok, "tidak boleh setelah hari ini"),
            (date(2026, 11, 30), ok, "tidak boleh sebelum tanggal Surat Pesanan"),
            (date(2026, 12, 2), [], "paling sedikit satu anggota"),
            (
                date(2026, 12, 2),
                [inspection.Inspector(role="Ketua PPHP", user_id=c.other_ppk.id)],
                "baris 1: pilih anggota instansi ini",
            ),
            (
                date(2026, 12, 2),
                [ok[0], inspection.Inspector(role="Anggota", name="X", nip="12AB")],
                "baris 2: NIP hanya berisi angka",
            ),
            (
                date(2026, 12, 2),
                [ok[0], inspection.Inspector(role="Anggota", name="Y", nip=RECEIVER_NIP)],
                "baris 2: orang ini sudah ada di tim",
            ),
            (
                date(2026, 12, 2),
                [inspection.Inspector(role=" ", name="Ibu Sri")],
                "baris 1: isi jabatan dalam tim",
            ),
            (
                date(2026, 12, 2),
                [inspection.Inspector(role="Anggota", name=" ")],
                "baris 1: isi nama",
            ),
            (
                date(2026, 12, 2),
                [inspection.Inspector(role="Anggota", name=f"Orang {n}") for n in range(6)],
                "paling banyak 5 orang",
            ),
        ]
        for day, people, message in cases:
            assert message in refusal(c, delivery_id, inspection.Inspection(day, people))
        # A surat jalan dated before its own Surat Pesanan is impossible through the screens,
        # but the rule names the surat jalan when the day is before it.
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery is not None
        delivery.delivered_on = date(2026, 12, 3)
        message = refusal(c, delivery_id, inspection.Inspection(date(2026, 12, 2), ok))
        assert "tidak boleh sebelum tanggal surat jalan" in message
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery is not None and delivery.status == DeliveryStatus.SENT
        assert db.session.scalar(select(func.count()).select_from(Bast)) == 0
        assert db.session.scalar(select(func.count()).select_from(BastInspector)) == 0


def page_data(line_id: int, **fields: str) -> dict[str, str]:
    return {f"accepted_{line_id}": "50", f"note_{line_id}": "", **fields}


def test_the_inspection_page_offers_the_agencys_members_and_issues_the_bast(
    app: Flask, client: FlaskClient, delivered: Any
) -> None:
    c, delivery_id = delivered
    line_id = db.session.get(Delivery, delivery_id).lines[0].id  # type: ignore[union-attr]
    login(client, "penerima@agency.test")
    url = f"/procurement/deliveries/{delivery_id}/inspect"
    page = client.get(url).get_data(as_text=True)
    assert 'name="inspected_on"' in page and 'value="2026-12-04"' in page
    assert f'<option selected value="{c.receiver.id}">Pak penerima</option>' in page
    assert "Pak ppk" in page and "ppk@other.test" not in page
    assert "Paling awal 1 Desember 2026" in page

    for fields, message in (
        ({"inspected_on": "2026-12-05"}, "Tanggal tidak boleh di masa depan."),
        ({"inspected_on": ""}, "Isi tanggal pemeriksaan."),
        ({"inspected_on": "2026-11-30"}, "tidak boleh sebelum tanggal Surat Pesanan"),
        ({"team_1_member": str(c.other_ppk.id)}, "Pilih salah satu dari daftar."),
        ({"team_1_nip": "123"}, "NIP harus tepat 18 angka; yang diisi 3 angka."),
        ({"team_1_member": "", "team_1_role": ""}, "paling sedikit satu anggota"),
    ):
        data = page_data(
            line_id,
            inspected_on="2026-12-03",
            team_1_member=str(c.receiver.id),
            team_1_role="Ketua PPHP",
        )
        data.update(fields)
        response = client.post(url, data=data)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), fields
    assert db.session.scalar(select(func.count()).select_from(Bast)) == 0

    response = client.post(
        url,
        data=page_data(
            line_id,
            inspected_on="2026-12-03",
            team_1_member=str(c.receiver.id),
            team_1_role="Ketua PPHP",
            team_2_member=str(c.ppk.id),
            team_2_role="Anggota PPHP",
            team_3_name="Ibu Sri Wahyuni",
            team_3_nip="19850707 201001 2 005",
            team_3_role="Anggota PPHP",
        ),
    )
    assert response.status_code == 302
    bast = db.session.scalars(select(Bast)).one()
    assert bast.inspected_on == date(2026, 12, 3)
    assert [(i.name, i.nip, i.role) for i in bast.inspectors] == [
        ("Pak penerima", RECEIVER_NIP, "Ketua PPHP"),
        ("Pak ppk", None, "Anggota PPHP"),
        ("Ibu Sri Wahyuni", TYPED_NIP, "Anggota PPHP"),
    ]
    order = db.session.get(PurchaseOrder, bast.purchase_order_id)
    assert order is not None


def test_another_agencys_receiver_cannot_open_or_post_the_inspection(
    app: Flask, client: FlaskClient, delivered: Any
) -> None:
    c, delivery_id = delivered
    AgencyMemberFactory(agency=c.other_agency, user=c.other_ppk, role=ProcurementRole.PENERIMA)
    db.session.commit()
    login(client, "ppk@other.test")
    url = f"/procurement/deliveries/{delivery_id}/inspect"
    assert client.get(url).status_code == 404
    assert client.post(url, data=wf.inspection_fields()).status_code == 404
