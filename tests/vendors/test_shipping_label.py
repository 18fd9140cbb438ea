"""The shipping label a cooperative prints for a part that travels (issue 22): an A6 PDF with
the recipient, the sender, the weight, the courier, and the tracking number and order number
as barcodes, made offline; only the part's cooperative may print it."""

from __future__ import annotations

import base64
import re
import subprocess

from flask import Flask
from flask.testing import FlaskClient

from marketplace.orders.models import DeliveryMethod, PaymentMethod
from marketplace.orders.shipping_label import barcode_data_uri
from tests.conftest import login
from tests.vendors.conftest import Shop, place_order_with


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def pdf_page_size(data: bytes) -> str:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    found = re.search(r"Page size:\s+(.*)", info.stdout.decode())
    assert found
    return found.group(1)


def bars(text: str) -> list[str]:
    """The widths and places of the bars of ``text``'s barcode (its SVG's rectangles)."""
    svg = base64.b64decode(barcode_data_uri(text).split(",", 1)[1]).decode()
    return re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)


def test_a_shipped_parts_label_carries_who_what_and_the_tracking_number(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    part = place_order_with(app, shop_a, 3)
    assert owner_client.post(f"/vendor/orders/{part.id}/accept").status_code == 302
    page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert f'href="/vendor/orders/{part.id}/label.pdf"' in page
    response = owner_client.post(
        f"/vendor/orders/{part.id}/ship",
        data={"courier": "sicepat", "tracking_number": "001234567890"},
    )
    assert response.status_code == 302

    response = owner_client.get(f"/vendor/orders/{part.id}/label.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    number = part.order.number
    assert f'filename="label-{number}-{part.id}.pdf"' in response.headers["Content-Disposition"]
    data = response.get_data()
    # A6 is 105 × 148 mm: 297.6 × 419.5 points.
    assert pdf_page_size(data).startswith("297.638 x 419.528 pts")
    text = pdf_text(data)
    order = part.order
    for expected in (
        "SiCepat",
        "001234567890",
        order.recipient_name,
        order.phone,
        shop_a.cooperative.name,
        f"{part.weight_grams:,}".replace(",", ".") + " gram",
        "3 barang",
        number,
    ):
        assert expected in text, expected


def test_the_barcodes_are_the_numbers_they_print() -> None:
    # Code 128: each text draws its own bars; the same text the same bars.
    assert bars("001234567890") == bars("001234567890")
    assert bars("001234567890") != bars("001234567891")
    assert len(bars("OPOP-2026-000001")) > 20


def test_a_label_before_shipping_has_the_order_number_and_no_tracking_barcode(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    part = place_order_with(app, shop_a, 1)
    owner_client.post(f"/vendor/orders/{part.id}/accept")
    text = pdf_text(owner_client.get(f"/vendor/orders/{part.id}/label.pdf").get_data())
    assert part.order.number in text
    assert "Nomor resi" not in text
    assert "Antar lokal" in text or "Local delivery" in text


def test_a_part_collected_at_the_cooperative_or_anothers_part_has_no_label(
    app: Flask, client: FlaskClient, owner_client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    pickup = place_order_with(
        app, shop_a, 1, delivery=DeliveryMethod.PICKUP, payment=PaymentMethod.BANK_TRANSFER
    )
    assert owner_client.get(f"/vendor/orders/{pickup.id}/label.pdf").status_code == 404
    page = owner_client.get(f"/vendor/orders/{pickup.id}").get_data(as_text=True)
    assert "label.pdf" not in page
    theirs = place_order_with(app, shop_b, 1)
    assert owner_client.get(f"/vendor/orders/{theirs.id}/label.pdf").status_code == 404
    owner_client.post("/account/logout")
    assert login(client, shop_b.owner.user.email).status_code == 302
    assert client.get(f"/vendor/orders/{theirs.id}/label.pdf").status_code == 200
