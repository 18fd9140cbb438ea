"""The small things an officer stopped at (issue 23, defect 6): the PPK's return field says what
it is for, a lapse names the document that lapsed, government staff see no shop links, and the
Kode RUP field opens a full keyboard."""

from __future__ import annotations

import re
from datetime import timedelta
from types import ModuleType

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.procurement import negotiation, purchasing
from marketplace.procurement.exceptions import Lapsed
from marketplace.procurement.models import QuotationStatus
from tests.conftest import login, logout
from tests.factories import UserFactory
from tests.procurement import workflow as wf

RETURN_LABEL = "Alasan mengembalikan penawaran ke pejabat pengadaan"


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.get_data(as_text=True))


def as_user(client: FlaskClient, email: str) -> None:
    logout(client)
    assert login(client, email).status_code == 302


# --- the PPK's return field -----------------------------------------------------------------


def test_the_return_field_says_it_sends_the_offer_back(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        quotation = wf.forwarded(wf.cast())
        db.session.commit()
        url = f"/procurement/quotations/{quotation.id}"
    as_user(client, "ppk@agency.test")
    html = page(client, url)
    assert RETURN_LABEL in html
    assert not re.search(r">\s*Alasan\s*</label>", html)  # no bare "Alasan" any more
    response = client.post(url + "/return", data={"reason": " "})
    assert response.status_code == 400
    assert "Tulis alasan pengembalian." in response.get_data(as_text=True)
    with app.app_context():
        db.session.refresh(quotation)
        assert quotation.status == QuotationStatus.FORWARDED
    english = page(client, url + "?lang=en")
    assert "Reason for sending the offer back to the procurement officer" in english


# --- lapses name their document ------------------------------------------------------------


def test_a_lapsed_counter_offer_is_named(app_ctx: Flask, clock: ModuleType) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)  # Tuesday 1 December 2026: Wednesday to Friday to answer
    negotiation.counter_offer(c.pp, quotation.id, wf.prices(quotation.request, 8_500))
    counter = quotation.rounds[-1].document_number
    clock.advance(timedelta(days=7))
    with pytest.raises(Lapsed) as refused:
        negotiation.accept_counter(c.member, quotation.id)
    assert refused.value.message == (
        f"Tawaran balik {counter} dari Bagian Umum Setda Uji kedaluwarsa: batas waktu "
        "menjawabnya, 4 Desember 2026, sudah lewat."
    )


def test_a_lapsed_offer_is_named(app_ctx: Flask, clock: ModuleType) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)
    offer = quotation.rounds[-1].document_number
    clock.advance(timedelta(days=7))
    with pytest.raises(Lapsed) as refused:
        negotiation.agree_quotation(c.pp, quotation.id)
    assert refused.value.message == (
        f"Penawaran {offer} dari Koppontren Uji Sejahtera kedaluwarsa: batas waktu "
        "menjawabnya, 4 Desember 2026, sudah lewat."
    )


def test_a_lapsed_surat_pesanan_is_named(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        order = wf.issued(c)
        db.session.commit()
        number, order_id = order.number, order.id
    clock.advance(timedelta(days=7))
    message = (
        f"Surat Pesanan {number} kedaluwarsa: batas waktu menerimanya, 4 Desember 2026, "
        "sudah lewat."
    )
    with app.test_request_context(), pytest.raises(Lapsed, match=re.escape(message)):
        purchasing.decline_order(c.member, order_id, "Terlambat")
    as_user(client, "owner@coop.test")
    response = client.post(f"/procurement/cooperative/orders/{order_id}/accept")
    assert response.status_code == 409
    assert number in response.get_data(as_text=True)
    english = client.post(f"/procurement/cooperative/orders/{order_id}/accept?lang=en")
    assert f"Purchase order {number} has lapsed" in english.get_data(as_text=True)


# --- no shop links for government staff ------------------------------------------------------


@pytest.mark.parametrize("email", ["pejabat_pengadaan@agency.test", "bendahara@agency.test"])
def test_government_staff_see_no_shop_links(app: Flask, client: FlaskClient, email: str) -> None:
    with app.test_request_context():
        wf.cast()
        db.session.commit()
    as_user(client, email)
    for url in ("/", "/procurement/"):
        html = page(client, url)
        assert 'class="header-cart"' not in html and "Keranjang" not in html
        assert "Buka toko koperasi" not in html
        assert "Pengadaan" in html


def test_a_shopper_still_sees_the_cart_and_the_cooperative_signup(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        UserFactory(email="pembeli@example.test")
        db.session.commit()
    as_user(client, "pembeli@example.test")
    html = page(client, "/")
    assert 'class="header-cart"' in html and "Buka toko koperasi" in html


def test_a_city_administrator_is_not_offered_to_open_a_cooperative(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    as_user(client, "kota@example.test")
    html = page(client, "/")
    assert "Buka toko koperasi" not in html
    assert "Admin Kota" in html


# --- the Kode RUP keyboard ------------------------------------------------------------------


def test_the_kode_rup_field_opens_a_full_keyboard(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        wf.cast()
        db.session.commit()
    as_user(client, "pejabat_pengadaan@agency.test")
    html = page(client, "/procurement/requests/new")
    field = re.search(r"<input[^>]*name=\"kode_rup\"[^>]*>", html)
    assert field is not None
    assert 'inputmode="text"' in field.group(0)
    assert "numeric" not in field.group(0)
