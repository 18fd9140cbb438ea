"""HPS per line (issue 23): the pejabat pengadaan enters the owner's estimate of one unit of each
line; once every line has one, the request's HPS is their sum; an offer line above its HPS is
flagged on the agency's comparison. The HPS per item is confidential: the cooperative never
sees it (only the total is open)."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement import copying, negotiation, requests
from marketplace.procurement.common import today
from marketplace.procurement.models import ProcurementRequest
from tests.conftest import login
from tests.factories import CategoryFactory
from tests.procurement import workflow as wf

PP = "pejabat_pengadaan@agency.test"


@pytest.fixture
def draft(app: Flask, clock: ModuleType) -> Any:
    """A draft of 200 packs of the cast's product and 10 boxes written as a specification,
    with an HPS of Rp50.000.000 entered on the form."""
    with app.test_request_context():
        c = wf.cast()
        request = wf.draft(c, 200)
        category_id = CategoryFactory(parent=CategoryFactory()).id
        requests.add_specification_line(
            c.pp,
            request.id,
            name="Kotak nasi",
            specification="Kardus putih",
            unit="kotak",
            quantity=10,
            category_id=category_id,
        )
        db.session.commit()
        return c, request.id, [line.id for line in request.lines]


def url(request_id: int, line_id: int) -> str:
    return f"/procurement/requests/{request_id}/lines/{line_id}/hps"


def test_the_hps_of_each_line_sums_to_the_requests_hps(client: FlaskClient, draft: Any) -> None:
    _c, request_id, (packs, boxes) = draft
    login(client, PP)
    assert client.post(url(request_id, packs), data={"hps": "9.500"}).status_code == 302
    request = db.session.get(ProcurementRequest, request_id)
    assert request is not None
    assert request.ceiling == 50_000_000  # not every line has its HPS yet: as entered
    page = client.get(f"/procurement/requests/{request_id}").get_data(as_text=True)
    assert "Rp1.900.000" in page and "Belum setiap barang ber-HPS" in page

    assert client.post(url(request_id, boxes), data={"hps": "Rp25.000"}).status_code == 302
    db.session.refresh(request)
    assert [line.hps_unit_price for line in request.lines] == [9_500, 25_000]
    assert request.lines_hps_total == request.ceiling == 200 * 9_500 + 10 * 25_000
    page = client.get(f"/procurement/requests/{request_id}").get_data(as_text=True)
    assert "Total HPS (jumlah HPS per barang)" in page and "Rp2.150.000" in page

    # A new quantity changes the line's HPS and the sum.
    response = client.post(
        f"/procurement/requests/{request_id}/lines/{boxes}/quantity", data={"quantity": "20"}
    )
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.ceiling == 200 * 9_500 + 20 * 25_000
    # Cleared: the sum no longer stands, the last HPS stays as it was.
    assert client.post(url(request_id, boxes), data={"hps": ""}).status_code == 302
    db.session.refresh(request)
    assert request.lines[1].hps_unit_price is None and request.lines_hps_total is None
    assert request.ceiling == 200 * 9_500 + 20 * 25_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Isi dalam rupiah bulat tanpa sen"),
        ("0", "Minimal Rp1."),
        ("-5", "Isi dalam rupiah bulat tanpa sen"),
        ("1.500,50", "Isi dalam rupiah bulat tanpa sen"),
        ("99999999999999", "Nilai terlalu besar."),
    ],
)
def test_a_bad_hps_is_refused_and_changes_nothing(
    client: FlaskClient, draft: Any, typed: str, message: str
) -> None:
    _c, request_id, (packs, _boxes) = draft
    login(client, PP)
    response = client.post(url(request_id, packs), data={"hps": typed})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    request = db.session.get(ProcurementRequest, request_id)
    assert request is not None and request.lines[0].hps_unit_price is None


def test_only_a_draft_of_the_agencys_own_takes_an_hps(
    app: Flask, client: FlaskClient, draft: Any
) -> None:
    c, request_id, (packs, _boxes) = draft
    login(client, "pp@other.test")
    assert client.post(url(request_id, packs), data={"hps": "9000"}).status_code == 404
    client.post("/account/logout")
    login(client, PP)
    assert client.post(url(request_id, 999_999), data={"hps": "9000"}).status_code == 404
    with app.test_request_context():
        requests.send_request(c.pp, request_id)
        db.session.commit()
    assert client.post(url(request_id, packs), data={"hps": "9000"}).status_code == 409
    with app.test_request_context(), pytest.raises(NotFound):
        requests.set_line_hps(c.pp, wf.draft(c, 10).id, packs, 1)  # another draft's line


def test_an_offer_above_a_lines_hps_is_flagged_for_the_agency_only(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        request = wf.draft(c, 200, ceiling=50_000_000)
        line = request.lines[0]
        requests.set_line_hps(c.pp, request.id, line.id, 8_500)
        request = requests.send_request(c.pp, request.id)
        quotation = wf.quotation_of(request, c.cooperative)
        negotiation.submit_offer(
            c.member, quotation.id, {line.id: 9_000}, today() + timedelta(days=10), ""
        )
        db.session.commit()
        quotation_id = quotation.id
    login(client, PP)
    page = client.get(f"/procurement/quotations/{quotation_id}").get_data(as_text=True)
    assert "Di atas HPS barang (Rp8.500)" in page
    client.post("/account/logout")
    login(client, "owner@coop.test")
    page = client.get(f"/procurement/cooperative/quotations/{quotation_id}").get_data(as_text=True)
    assert "8.500" not in page and "Di atas HPS barang" not in page and "HPS satuan" not in page


def test_an_offer_at_or_below_the_hps_is_not_flagged(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        request = wf.draft(c, 200)
        line = request.lines[0]
        requests.set_line_hps(c.pp, request.id, line.id, 9_000)
        request = requests.send_request(c.pp, request.id)
        quotation = wf.quotation_of(request, c.cooperative)
        negotiation.submit_offer(
            c.member, quotation.id, {line.id: 9_000}, today() + timedelta(days=10), ""
        )
        db.session.commit()
        quotation_id = quotation.id
    login(client, PP)
    page = client.get(f"/procurement/quotations/{quotation_id}").get_data(as_text=True)
    assert "HPS Rp9.000" in page and "Di atas HPS barang" not in page


def test_a_copied_request_keeps_each_lines_hps(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        c = wf.cast()
        request = wf.draft(c, 200)
        requests.set_line_hps(c.pp, request.id, request.lines[0].id, 9_100)
        requests.cancel_request(c.pp, request.id, "Digeser")
        copy, _unlisted = copying.copy_request(c.pp, request.id)
        assert copy.lines[0].hps_unit_price == 9_100
        assert copy.ceiling == 200 * 9_100
