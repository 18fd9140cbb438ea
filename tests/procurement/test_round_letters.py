"""Every round of a negotiation is a letter of its own (issue 23, defect 3): the cooperative's
offers and the agency's counter-offers each have their own number and are signed by whoever
sent them; a counter-offer never appears on the cooperative's letter and the first offer stays
as it was. Read from the rendered PDFs (pdftotext) and the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.cooperatives.models import MemberRole
from marketplace.extensions import db
from marketplace.procurement import negotiation
from marketplace.procurement.common import today
from tests.conftest import login, logout
from tests.factories import AgencyMemberFactory, CooperativeMemberFactory, UserFactory
from tests.procurement import workflow as wf
from tests.procurement.test_documents import pdf_text


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def negotiated(app: Flask) -> dict[str, Any]:
    """Offer (Bu Koperasi, 9.500), counter-offer (the officer, 8.500), offer (Pak Staf, 9.000)."""
    with app.test_request_context():
        c = wf.cast()
        staff = CooperativeMemberFactory(
            cooperative=c.cooperative,
            user=UserFactory(email="staf@coop.test", full_name="Pak Staf Koperasi"),
            role=MemberRole.STAFF,
        ).user
        request = wf.sent(c, quantity=200)
        quotation = wf.quotation_of(request, c.cooperative)
        line = request.lines[0]
        deliver_on = today() + timedelta(days=7)
        negotiation.submit_offer(c.member, quotation.id, {line.id: 9_500}, deliver_on, "Grosir")
        negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_500}, "Mohon harga 8.500")
        db.session.commit()
        ids = {"quotation": quotation.id, "number": quotation.number}
        ids["rounds"] = [r.id for r in quotation.rounds]
        ids["staff"] = staff.id
        ids["line"] = line.id
        return ids


def pdf(client: FlaskClient, kind: str, object_id: int) -> str:
    response = client.get(f"/procurement/documents/{kind}/{object_id}.pdf")
    assert response.status_code == 200
    return flat(pdf_text(response.data))


def html(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return flat(response.get_data(as_text=True))


def test_each_round_has_its_own_number(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c, price=9_500)
    line = quotation.request.lines[0]
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_500})
    negotiation.submit_offer(c.member, quotation.id, {line.id: 9_000}, today() + timedelta(7))
    rest = quotation.number.removeprefix("PNW-")
    assert [r.document_number for r in quotation.rounds] == [
        f"PNW-{rest}-1",
        f"NEG-{rest}-2",
        f"PNW-{rest}-3",
    ]


def test_the_cooperatives_letter_never_shows_the_counter_offer(
    app: Flask, client: FlaskClient, negotiated: dict[str, Any]
) -> None:
    first, _counter = negotiated["rounds"]
    rest = negotiated["number"].removeprefix("PNW-")
    login(client, "owner@coop.test")
    offer = pdf(client, "round", first)
    assert f"Nomor: PNW-{rest}-1" in offer
    assert "SURAT PENAWARAN HARGA" in offer
    assert "Rp9.500" in offer and "Rp1.900.000" in offer and "Grosir" in offer
    assert "Rp8.500" not in offer and "Mohon harga" not in offer
    assert "Hormat kami" in offer and "Bu Koperasi" in offer
    # The quotation's letter is the cooperative's latest offer, never the counter-offer.
    latest = pdf(client, "quotation", negotiated["quotation"])
    assert f"Nomor: PNW-{rest}-1" in latest and "Rp8.500" not in latest


def test_the_counter_offer_is_the_agencys_own_letter(
    app: Flask, client: FlaskClient, negotiated: dict[str, Any]
) -> None:
    _first, counter = negotiated["rounds"]
    rest = negotiated["number"].removeprefix("PNW-")
    login(client, "pejabat_pengadaan@agency.test")
    text = pdf(client, "round", counter)
    assert f"Nomor: NEG-{rest}-2" in text
    assert "SURAT TAWARAN BALIK (NEGOSIASI HARGA)" in text
    assert "Bagian Umum Setda Uji" in text and "Kepada Koppontren Uji Sejahtera" in text
    assert f"Menanggapi penawaran PNW-{rest}-1" in text
    assert "Rp8.500" in text and "Rp1.700.000" in text and "Mohon harga 8.500" in text
    assert "Pejabat Pengadaan" in text and "Pak pejabat_pengadaan" in text
    assert re.search(r"Mojokerto, \d{1,2} \w+ \d{4} Pejabat Pengadaan", text)
    assert "Hormat kami" not in text and "Bu Koperasi" not in text and "Rp9.500" not in text


def test_a_later_offer_is_a_new_letter_and_the_first_stays(
    app: Flask, client: FlaskClient, negotiated: dict[str, Any]
) -> None:
    from marketplace.accounts.models import User

    with app.test_request_context():
        staff = db.session.get(User, negotiated["staff"])
        negotiation.submit_offer(
            staff,
            negotiated["quotation"],
            {negotiated["line"]: 9_000},
            today() + timedelta(days=7),
            "Paling rendah",
        )
        db.session.commit()
    rest = negotiated["number"].removeprefix("PNW-")
    login(client, "owner@coop.test")
    latest = pdf(client, "quotation", negotiated["quotation"])
    assert f"Nomor: PNW-{rest}-3" in latest
    assert f"Menanggapi tawaran balik NEG-{rest}-2" in latest
    assert "Rp9.000" in latest and "Paling rendah" in latest
    assert "Pak Staf Koperasi" in latest  # signed by who sent it
    first = pdf(client, "round", negotiated["rounds"][0])
    assert f"Nomor: PNW-{rest}-1" in first and "Rp9.500" in first and "Rp9.000" not in first
    # Every round's letter is linked from the negotiation's page.
    page = html(client, f"/procurement/cooperative/quotations/{negotiated['quotation']}")
    for number in (f"PNW-{rest}-1", f"NEG-{rest}-2", f"PNW-{rest}-3"):
        assert f"Surat {number}" in page


def test_another_agency_or_cooperative_cannot_open_a_round(
    app: Flask, client: FlaskClient, negotiated: dict[str, Any]
) -> None:
    with app.test_request_context():
        CooperativeMemberFactory(user=UserFactory(email="other@coop.test"))
        AgencyMemberFactory(user=UserFactory(email="pp@third.test"))
        db.session.commit()
    for email in ("other@coop.test", "pp@other.test", "pp@third.test"):
        logout(client)
        login(client, email)
        for round_id in negotiated["rounds"]:
            assert client.get(f"/procurement/documents/round/{round_id}").status_code == 404
    logout(client)
    login(client, "ppk@agency.test")
    page = html(client, f"/procurement/documents/round/{negotiated['rounds'][1]}")
    assert "Surat Tawaran Balik (Negosiasi Harga)" in page
    assert client.get("/procurement/documents/round/987654").status_code == 404
