"""Above the top value band (SPK) a purchase needs a full contract: the request is refused when
it is made, and no price above the band (or the ceiling) can be agreed, so a negotiation never
ends in an agreement that forwarding and approval would refuse (issue 23, defect 1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement import negotiation, requests
from marketplace.procurement.common import today
from marketplace.procurement.exceptions import (
    CeilingAboveLimit,
    OrderValueAboveLimit,
    QuoteAboveCeiling,
)
from marketplace.procurement.models import ProcurementRequest, QuotationStatus
from tests.conftest import login, logout
from tests.procurement import workflow as wf

Q = QuotationStatus
AGREE_BUTTON = "Terima penawaran ini"
ACCEPT_COUNTER_BUTTON = 'type="submit" class="button">Terima tawaran balik'


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def legacy_request(c: wf.Cast, ceiling: int) -> ProcurementRequest:
    """A sent request whose ceiling is above the top band (made before the rule was checked)."""
    request = wf.sent(c, quantity=200, ceiling=200_000_000)
    request.ceiling = ceiling
    db.session.flush()
    return request


# --- the request ---------------------------------------------------------------------------


def test_a_request_above_the_top_band_is_refused_with_the_bands_rule(app_ctx: Flask) -> None:
    c = wf.cast()
    with pytest.raises(CeilingAboveLimit) as refused:
        requests.create_request(c.pp, wf.details(c, ceiling=300_000_000))
    message = refused.value.message
    assert "HPS/pagu Rp300.000.000" in message
    assert "batas SPK Rp200.000.000" in message
    assert "surat perjanjian (kontrak)" in message and "tidak boleh dipecah" in message
    assert count(ProcurementRequest) == 0


def test_a_ceiling_at_the_top_of_the_spk_band_is_accepted(app_ctx: Flask) -> None:
    c = wf.cast()
    request = requests.create_request(c.pp, wf.details(c, ceiling=200_000_000))
    assert request.ceiling == 200_000_000


def test_a_draft_cannot_be_raised_above_the_top_band_nor_sent_above_it(app_ctx: Flask) -> None:
    c = wf.cast()
    request = wf.draft(c)
    with pytest.raises(CeilingAboveLimit):
        requests.update_request(c.pp, request.id, wf.details(c, ceiling=200_000_001))
    db.session.refresh(request)
    assert request.ceiling == 50_000_000
    # A draft saved before the rule was checked is refused when it is sent.
    request.ceiling = 300_000_000
    db.session.flush()
    with pytest.raises(CeilingAboveLimit):
        requests.send_request(c.pp, request.id)


# --- agreeing --------------------------------------------------------------------------------


def test_an_offer_above_the_top_band_cannot_be_agreed(app_ctx: Flask) -> None:
    """The issue's walk: HPS Rp300.000.000, an offer of Rp222.000.000 (non-PKP)."""
    c = wf.cast()
    request = legacy_request(c, 300_000_000)
    quotation = wf.quotation_of(request, c.cooperative)
    negotiation.submit_offer(
        c.member, quotation.id, wf.prices(request, 1_110_000), today() + timedelta(days=10)
    )
    assert quotation.subtotal == 222_000_000
    with pytest.raises(OrderValueAboveLimit, match="surat perjanjian"):
        negotiation.agree_quotation(c.pp, quotation.id)
    db.session.refresh(quotation)
    assert quotation.status == Q.QUOTED
    check = negotiation.approval_check(quotation)
    assert check.refusal is not None and "melebihi batas SPK Rp200.000.000" in check.refusal
    # A counter-offer above the band would be a dead end too; one within it goes out.
    line = request.lines[0]
    with pytest.raises(OrderValueAboveLimit):
        negotiation.counter_offer(c.pp, quotation.id, {line.id: 1_050_000})
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 950_000})
    assert quotation.status == Q.COUNTERED
    negotiation.accept_counter(c.member, quotation.id)
    assert quotation.status == Q.AGREED
    negotiation.forward_quotation(c.pp, quotation.id)
    assert quotation.status == Q.FORWARDED


def test_the_cooperative_cannot_accept_a_counter_offer_above_the_band(
    app_ctx: Flask, small_bands: Any
) -> None:
    c = wf.cast()
    quotation = wf.quoted(c, price=9_000, quantity=200)
    line = quotation.request.lines[0]
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_000})  # Rp1.600.000
    small_bands()
    assert negotiation.agreement_refusal(quotation) is not None
    with pytest.raises(OrderValueAboveLimit):
        negotiation.accept_counter(c.member, quotation.id)
    db.session.refresh(quotation)
    assert quotation.status == Q.COUNTERED


def test_within_the_ceiling_and_the_band_nothing_is_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)
    assert negotiation.agreement_refusal(quotation) is None
    assert negotiation.approval_check(quotation).refusal is None


def test_above_the_ceiling_the_refusal_names_the_ceiling(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c, price=9_000, quantity=200, ceiling=1_500_000)
    refusal = negotiation.agreement_refusal(quotation)
    assert refusal is not None and "melebihi HPS/pagu Rp1.500.000" in refusal
    with pytest.raises(QuoteAboveCeiling):
        negotiation.agree_quotation(c.pp, quotation.id)


# --- the pages ---------------------------------------------------------------------------------


def as_user(client: FlaskClient, email: str) -> None:
    logout(client)
    assert login(client, email).status_code == 302


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_the_agree_button_is_offered_only_for_an_agreeable_offer(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        above_band = wf.quotation_of(legacy_request(c, 300_000_000), c.cooperative)
        negotiation.submit_offer(
            c.member,
            above_band.id,
            wf.prices(above_band.request, 1_110_000),
            today() + timedelta(days=10),
        )
        db.session.commit()
        above_band_id = above_band.id
    as_user(client, "pejabat_pengadaan@agency.test")
    html = page(client, f"/procurement/quotations/{above_band_id}")
    assert AGREE_BUTTON not in html
    assert "surat perjanjian (kontrak)" in html
    response = client.post(f"/procurement/quotations/{above_band_id}/agree")
    assert response.status_code == 400
    assert "surat perjanjian (kontrak)" in str(response.get_data(as_text=True))


def test_the_agree_button_is_offered_for_an_offer_within_the_rules(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c)
        above = wf.quotation_of(wf.sent(c, ceiling=1_500_000), c.cooperative)
        negotiation.submit_offer(
            c.member, above.id, wf.prices(above.request, 9_000), today() + timedelta(days=10)
        )
        db.session.commit()
        ids = quotation.id, above.id
    as_user(client, "pejabat_pengadaan@agency.test")
    assert AGREE_BUTTON in page(client, f"/procurement/quotations/{ids[0]}")
    html = page(client, f"/procurement/quotations/{ids[1]}")
    assert AGREE_BUTTON not in html and "melebihi HPS/pagu" in html


def test_the_cooperative_is_not_offered_a_counter_offer_the_rules_refuse(
    app: Flask, client: FlaskClient, small_bands: Any
) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c, price=9_000, quantity=200)
        line = quotation.request.lines[0]
        negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_000})
        db.session.commit()
        quotation_id = quotation.id
    as_user(client, "owner@coop.test")
    url = f"/procurement/cooperative/quotations/{quotation_id}"
    assert ACCEPT_COUNTER_BUTTON in page(client, url)
    small_bands()
    html = page(client, url)
    assert ACCEPT_COUNTER_BUTTON not in html and "surat perjanjian (kontrak)" in html
