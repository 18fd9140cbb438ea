"""Copying a request that ended without goods into a new draft (issue 23): cancelled, its
quotations declined or lapsed, or its Surat Pesanan declined or lapsed. The copy keeps the
details, lines and quantities, reads today's catalogue prices, invites the cooperatives again,
and opens on the draft's edit page. Only the agency's own pejabat pengadaan may; POST only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.catalogue.models import ProductStatus
from marketplace.extensions import db
from marketplace.procurement import copying, negotiation, purchasing, requests
from marketplace.procurement.models import (
    ProcurementEvent,
    ProcurementRequest,
    RequestStatus,
)
from tests.conftest import login
from tests.procurement import workflow as wf

PP = "pejabat_pengadaan@agency.test"


def request_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcurementRequest)) or 0


def newest_request() -> ProcurementRequest | None:
    return db.session.scalars(
        select(ProcurementRequest).order_by(ProcurementRequest.id.desc())
    ).first()


def cancelled(c: wf.Cast) -> ProcurementRequest:
    request = wf.sent(c, 250, notes="Kemasan kecil", ceiling=40_000_000)
    return requests.cancel_request(c.pp, request.id, "Anggaran digeser")


def declined(c: wf.Cast) -> ProcurementRequest:
    request = wf.sent(c, 250)
    negotiation.decline_quotation(c.member, wf.quotation_of(request, c.cooperative).id, "Habis")
    return request


def offer_lapsed(c: wf.Cast) -> ProcurementRequest:
    """The offer went unanswered for more than three working days: lapsed, not yet written."""
    from marketplace import clock

    request = wf.quoted(c, quantity=250).request
    clock.advance(timedelta(days=8))
    return request


def order_declined(c: wf.Cast) -> ProcurementRequest:
    order = wf.issued(c, quantity=250)
    purchasing.decline_order(c.member, order.id, "Tidak sanggup")
    return order.request


@pytest.mark.parametrize("ended", [cancelled, declined, offer_lapsed, order_declined])
def test_an_ended_request_is_copied_into_a_draft_with_todays_prices(
    app: Flask, client: FlaskClient, clock: ModuleType, ended: Callable[[wf.Cast], Any]
) -> None:
    with app.test_request_context():
        c = wf.cast(price=10_000)
        source = ended(c)
        # The catalogue price changed since: the copy reads today's (the tier from 100 is 9.000).
        c.variant.price = 12_000
        for tier in c.variant.price_tiers:
            tier.unit_price = 11_500
        db.session.commit()
        source_id, source_number = source.id, source.number
        source_status = source.status
    login(client, PP)
    page = client.get(f"/procurement/requests/{source_id}").get_data(as_text=True)
    assert "Salin ke draf baru" in page
    before = request_count()
    response = client.post(f"/procurement/requests/{source_id}/copy")
    assert response.status_code == 302
    copy = db.session.scalars(
        select(ProcurementRequest).order_by(ProcurementRequest.id.desc())
    ).first()
    assert copy is not None and request_count() == before + 1
    assert response.headers["Location"].endswith(f"/procurement/requests/{copy.id}/edit")
    original = db.session.get(ProcurementRequest, source_id)
    assert original is not None
    assert copy.status == RequestStatus.DRAFT and copy.number != source_number
    assert (copy.title, copy.kode_rup, copy.ceiling, copy.delivery_addresses, copy.notes) == (
        original.title,
        original.kode_rup,
        original.ceiling,
        original.delivery_addresses,
        original.notes,
    )
    assert [(x.variant_id, x.name, x.quantity, x.reference_unit_price) for x in copy.lines] == [
        (c.variant.id, "Keripik Tempe Uji", 250, 11_500)
    ]
    assert [q.cooperative_id for q in copy.quotations] == [c.cooperative.id]
    assert all(q.number for q in copy.quotations)
    assert original.status == source_status  # the source is left as it was
    note = db.session.scalar(
        select(ProcurementEvent.note).where(ProcurementEvent.request_id == copy.id)
    )
    assert note == f"Disalin dari {source_number}."
    assert client.get(f"/procurement/requests/{copy.id}/edit").status_code == 200


def test_a_product_gone_from_the_catalogue_is_copied_as_a_written_specification(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        source = cancelled(c)
        c.variant.product.status = ProductStatus.HIDDEN
        db.session.commit()
        source_id = source.id
    login(client, PP)
    response = client.post(f"/procurement/requests/{source_id}/copy", follow_redirects=True)
    assert response.status_code == 200
    assert "disalin sebagai spesifikasi tertulis: Keripik Tempe Uji" in response.get_data(
        as_text=True
    )
    copy = db.session.scalars(
        select(ProcurementRequest).order_by(ProcurementRequest.id.desc())
    ).first()
    assert copy is not None and copy.id != source_id
    line = copy.lines[0]
    assert (line.variant_id, line.cooperative_id, line.reference_unit_price) == (None, None, None)
    assert (line.name, line.quantity, line.unit) == ("Keripik Tempe Uji", 250, "bungkus")


@pytest.mark.parametrize("stage", ["draft", "sent", "quoted", "ordered"])
def test_a_request_still_going_is_not_copied(
    app: Flask, client: FlaskClient, clock: ModuleType, stage: str
) -> None:
    with app.test_request_context():
        c = wf.cast()
        source = {
            "draft": lambda: wf.draft(c),
            "sent": lambda: wf.sent(c),
            "quoted": lambda: wf.quoted(c).request,
            "ordered": lambda: wf.accepted(c).request,
        }[stage]()
        db.session.commit()
        source_id = source.id
        assert not copying.may_copy(source)
    login(client, PP)
    assert "Salin ke draf baru" not in client.get(f"/procurement/requests/{source_id}").get_data(
        as_text=True
    )
    before = request_count()
    response = client.post(f"/procurement/requests/{source_id}/copy")
    assert response.status_code == 400
    assert "Hanya permintaan yang dibatalkan" in response.get_data(as_text=True)
    assert request_count() == before


def test_only_the_agencys_own_officer_copies_and_only_by_post(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        source_id = cancelled(c).id
        db.session.commit()
    before = request_count()
    login(client, "pp@other.test")  # the other agency's pejabat pengadaan
    assert client.post(f"/procurement/requests/{source_id}/copy").status_code == 404
    assert client.post("/procurement/requests/999999/copy").status_code == 404
    client.post("/account/logout")
    login(client, "ppk@agency.test")  # the same agency, not its pejabat pengadaan
    assert client.post(f"/procurement/requests/{source_id}/copy").status_code == 403
    client.post("/account/logout")
    login(client, PP)
    assert client.get(f"/procurement/requests/{source_id}/copy").status_code == 405
    assert request_count() == before
