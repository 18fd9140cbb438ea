"""A transfer proof on the order's pages: once sent, the order says it is being checked and until
when it is kept (not that it will be cancelled), with an entry on the part's timeline; a
rejection and a confirmation are told the same way, in words no other step uses."""

from __future__ import annotations

import re
from datetime import timedelta
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from marketplace.i18n import format_day
from marketplace.orders.models import PaymentMethod, VendorOrderStatus
from marketplace.payments.models import (
    TRANSFER_STATUS_LABELS,
    PaymentStatus,
)
from tests.conftest import login
from tests.factories import UserFactory
from tests.payments.paying import (
    image_bytes,
    member_of,
    payments_of,
    placed_order,
    shopper_client,
)
from tests.payments.test_transfers import upload

TRANSFER = PaymentMethod.BANK_TRANSFER


def timeline(page: str) -> list[str]:
    """The headings of the timeline's entries, in order."""
    section = page.split('<ol class="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<strong>([^<]+)</strong>", section)


def signed_in(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_after_the_proof_is_sent_the_order_says_it_is_being_checked(
    app: Flask, clock: ModuleType
) -> None:
    order = placed_order(app, payment=TRANSFER)
    [part] = order.vendor_orders
    client = shopper_client(app)
    before = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Bila belum dibayar, pesanan dibatalkan otomatis." in before

    clock.advance(timedelta(hours=23))
    assert upload(client, order, image_bytes(), part.id).status_code == 302

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Status: <strong" in page and ">Bukti transfer dikirim</strong>" in page
    assert "Bukti transfer dikirim. Menunggu konfirmasi koperasi." in page
    # The deadline moved for the review: the page says so, and no longer threatens to cancel.
    with app.test_request_context():
        kept_until = format_day(clock.now() + timedelta(hours=48))
    assert f"Pesanan tetap disimpan selama pemeriksaan, sampai {kept_until}." in page
    assert "dibatalkan otomatis" not in page
    assert "Unggah bukti transfer" not in page  # nothing to send while it is checked
    assert timeline(page) == ["Pesanan dibuat", "Bukti transfer dikirim"]
    listing = client.get("/orders").get_data(as_text=True)
    assert "Bukti transfer dikirim" in listing and "Menunggu pembayaran" not in listing

    cooperative = signed_in(app, member_of(order))
    vendor_page = cooperative.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Pembeli sudah mengirim bukti transfer. Menunggu konfirmasi koperasi." in vendor_page
    assert 'href="/vendor/transfers/"' in vendor_page
    assert "Bukti transfer dikirim" in timeline(vendor_page)

    client.get("/?lang=en")
    english = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Transfer proof sent. Waiting for the cooperative to confirm it." in english


def test_with_the_platforms_account_the_order_waits_for_the_city(
    app: Flask, config: dict[str, Any]
) -> None:
    config.update(
        PAYMENT_TRANSFER_ACCOUNT="platform",
        PLATFORM_BANK_NAME="Bank Jatim",
        PLATFORM_BANK_ACCOUNT_NUMBER="0099887766",
        PLATFORM_BANK_ACCOUNT_HOLDER="Pasar OPOP Kota Mojokerto",
    )
    order = placed_order(app, payment=TRANSFER, cooperatives=2)
    client = shopper_client(app)
    assert upload(client, order, image_bytes()).status_code == 302
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert page.count("Bukti transfer dikirim. Menunggu konfirmasi Pasar OPOP.") == 2


def test_a_rejected_proof_is_on_the_timeline_and_the_order_awaits_payment_again(
    app: Flask,
) -> None:
    order = placed_order(app, payment=TRANSFER)
    [part] = order.vendor_orders
    client = shopper_client(app)
    upload(client, order, image_bytes(), part.id)
    [payment] = payments_of(order)
    cooperative = signed_in(app, member_of(order))
    response = cooperative.post(
        f"/vendor/transfers/{payment.id}/reject", data={"reason": "Nominal kurang"}
    )
    assert response.status_code == 302

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert timeline(page)[-1] == "Bukti transfer ditolak"
    assert "<p>Nominal kurang</p>" in page
    assert ">Menunggu pembayaran</strong>" in page
    assert "Bila belum dibayar, pesanan dibatalkan otomatis." in page
    history = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "Bukti ditolak" in history

    # A new proof is checked again.
    assert upload(client, order, image_bytes(), part.id).status_code == 302
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert timeline(page)[-3:] == [
        "Bukti transfer dikirim",
        "Bukti transfer ditolak",
        "Bukti transfer dikirim",
    ]
    assert ">Bukti transfer dikirim</strong>" in page.split('<ol class="timeline"')[0]


def test_an_approved_proof_and_a_delivered_part_are_told_apart(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER)
    [part] = order.vendor_orders
    client = shopper_client(app)
    upload(client, order, image_bytes(), part.id)
    [payment] = payments_of(order)
    member = member_of(order)
    cooperative = signed_in(app, member)
    assert cooperative.post(f"/vendor/transfers/{payment.id}/confirm").status_code == 302
    assert "Bukti disetujui" in cooperative.get("/vendor/transfers/").get_data(as_text=True)
    history = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "Bukti disetujui" in history and ">Diterima<" not in history

    for step in ("accept", "ready", "deliver"):
        assert cooperative.post(f"/vendor/orders/{part.id}/{step}").status_code == 302
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert ">Diterima pembeli</strong>" in page
    assert timeline(page)[-1] == "Diterima pembeli"
    admin = signed_in(app, UserFactory(email="admin@example.test", is_city_admin=True))
    desk = admin.get(f"/admin/payments/transfers/{payment.id}").get_data(as_text=True)
    assert "Bukti disetujui" in desk


def test_delivered_accepted_paid_and_approved_have_a_word_each_in_either_language(
    app_ctx: Flask,
) -> None:
    """A part handed over, a part the cooperative took on, a payment that went through and a
    transfer proof approved were all "Diterima" somewhere: each has its own word now."""
    S, P = VendorOrderStatus, PaymentStatus
    for locale in ("id", "en"):
        with force_locale(locale):
            words = [
                S.DELIVERED.label,
                S.ACCEPTED.label,
                P.SUCCEEDED.label,
                str(TRANSFER_STATUS_LABELS[P.SUCCEEDED]),
            ]
            assert len(set(words)) == len(words), (locale, words)
            assert "Diterima" not in words
    assert S.DELIVERED.label == "Diterima pembeli"
    assert str(TRANSFER_STATUS_LABELS[P.SUCCEEDED]) == "Bukti disetujui"
