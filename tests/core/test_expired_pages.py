"""A form sent from a page that expired (its CSRF token too old, or the session gone) says so and,
where its view allows, comes back with what was typed (never a password or a token), status 400,
and nothing changed."""

from __future__ import annotations

import io
import re
import time

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.models import VendorOrderStatus
from tests.conftest import login
from tests.factories import UserFactory, registration
from tests.payments.paying import image_bytes, payments_of
from tests.shopping import NEW_ADDRESS_FORM, place, stocked_variant

EXPIRED = "Halaman ini sudah kedaluwarsa karena terlalu lama terbuka atau sesi Anda berakhir."
KEPT = "Isian Anda masih ada: periksa, lalu kirim lagi."
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class _NineHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 9 * 3600


def stale_token(client: FlaskClient) -> str:
    """The CSRF token of the page the client opened last, as if signed nine hours ago: the page
    was left open past WTF_CSRF_TIME_LIMIT (eight hours)."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    secret = client.application.config["SECRET_KEY"]
    return str(
        URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=_NineHoursAgo).dumps(raw)
    )


def token_of(page: str) -> str:
    found = TOKEN.search(page)
    assert found is not None, page
    return found.group(1)


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


REGISTRATION = registration()


def test_a_registration_left_open_too_long_comes_back_with_what_was_typed(
    client: FlaskClient, csrf_enabled: None
) -> None:
    client.get("/account/register?next=/checkout")
    token = stale_token(client)

    response = client.post(
        "/account/register?next=/checkout",
        data={**REGISTRATION, "csrf_token": token, "next": "/checkout"},
        headers={"Referer": "http://localhost/account/register?next=/checkout"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and KEPT in page
    assert "Periksa kembali isian Anda" not in page
    assert 'value="Siti Aminah"' in page and 'value="siti@example.test"' in page
    assert 'name="next" type="hidden" value="/checkout"' in page
    assert "kopi-susu-enak" not in page  # never a password
    assert token not in page  # nor the token that failed: the form has a fresh one
    assert users() == 0
    # Sent again with the page's fresh token (and the password typed again), it goes through.
    again = client.post(
        "/account/register",
        data={**REGISTRATION, "csrf_token": token_of(page), "next": "/checkout"},
    )
    assert again.status_code == 302 and users() == 1


def test_signing_in_after_the_session_ended_keeps_the_email(app: Flask, csrf_enabled: None) -> None:
    UserFactory(email="ani@example.test")
    opened = app.test_client()
    token = token_of(opened.get("/account/login?next=/checkout").get_data(as_text=True))
    fresh = app.test_client()  # the session cookie is gone (a new browser session)

    response = fresh.post(
        "/account/login?next=/checkout",
        data={
            "email": "ani@example.test",
            "password": "password123",
            "next": "/checkout",
            "csrf_token": token,
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and 'value="ani@example.test"' in page
    assert "password123" not in page
    assert "Selamat datang" not in page  # not signed in


def test_a_checkout_form_left_open_too_long_keeps_the_address(
    client: FlaskClient, csrf_enabled: None, regions: None
) -> None:
    UserFactory(email="ani@example.test")
    variant = stocked_variant(5)
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(client, "ani@example.test")
    client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 1},
    )
    client.application.config["WTF_CSRF_ENABLED"] = True
    client.get("/checkout")
    token = stale_token(client)

    response = client.post(
        "/checkout",
        data={
            **NEW_ADDRESS_FORM,
            "street": "Jl. Empunala No. 17",
            f"delivery_{variant.cooperative_id}": "pickup",
            "payment_method": "bank_transfer",
            "csrf_token": token,
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and 'value="Jl. Empunala No. 17"' in page
    with client.session_transaction() as session:
        assert "checkout" not in session  # nothing was saved


def test_a_cancellation_reason_is_kept_and_nothing_is_cancelled(
    client: FlaskClient, csrf_enabled: None
) -> None:
    user = UserFactory(email="ani@example.test")
    with client.application.test_request_context():
        order = place(user)
        db.session.commit()
    part = order.vendor_orders[0]
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(client, "ani@example.test")
    client.application.config["WTF_CSRF_ENABLED"] = True
    client.get(f"/orders/{order.number}")
    token = stale_token(client)

    response = client.post(
        f"/orders/{order.number}/parts/{part.id}/cancel",
        data={"reason": "Salah pilih ukuran", "csrf_token": token},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and ">Salah pilih ukuran</textarea>" in page
    db.session.refresh(part)
    assert part.status == VendorOrderStatus.AWAITING_PAYMENT


def test_another_form_says_the_page_expired_and_links_back_to_it(
    client: FlaskClient, csrf_enabled: None
) -> None:
    variant = stocked_variant(5)
    response = client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 1},
        headers={"Referer": f"http://localhost/products/{variant.product.slug}"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<h1>Halaman kedaluwarsa</h1>" in page and "Tidak ada yang berubah." in page
    assert f'href="/products/{variant.product.slug}"' in page
    assert "Periksa kembali isian Anda" not in page
    # A page of another site is never linked to.
    elsewhere = client.post(
        "/cart/add", data={"quantity": 1}, headers={"Referer": "http://evil.example/x"}
    )
    assert "evil.example" not in elsewhere.get_data(as_text=True)


def test_the_expired_page_speaks_english_too(client: FlaskClient, csrf_enabled: None) -> None:
    client.get("/?lang=en")
    response = client.post("/cart/add", data={"quantity": 1})
    assert response.status_code == 400
    assert "This page has expired" in response.get_data(as_text=True)


def test_a_form_sent_after_signing_out_says_why_and_returns_to_its_page(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/checkout",
        data={**NEW_ADDRESS_FORM},
        headers={"Referer": "http://localhost/checkout"},
    )
    assert response.headers["Location"] == "/account/login?next=/checkout"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda sudah berakhir, jadi isian tadi tidak terkirim. Masuk lagi." in page
    # A POST-only address is never where signing in leads.
    placing = client.post(
        "/checkout/place", headers={"Referer": "http://localhost/checkout/review"}
    )
    assert placing.headers["Location"] == "/account/login?next=/checkout/review"


def test_an_api_client_gets_json(client: FlaskClient, csrf_enabled: None) -> None:
    response = client.post("/cart/add", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_json()["error"]


def test_a_transfer_proof_sent_from_an_expired_page_asks_for_the_file_again(
    client: FlaskClient, csrf_enabled: None
) -> None:
    user = UserFactory(email="ani@example.test")
    with client.application.test_request_context():
        order = place(user)
        db.session.commit()
    part = order.vendor_orders[0]
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(client, "ani@example.test")
    client.application.config["WTF_CSRF_ENABLED"] = True
    client.get(f"/orders/{order.number}/payment")
    response = client.post(
        f"/orders/{order.number}/payment/transfer-proof?part={part.id}",
        data={
            f"transfer{part.id}-proof": (io.BytesIO(image_bytes()), "bukti.png"),
            f"transfer{part.id}-csrf_token": stale_token(client),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Pilih berkas buktinya lagi, lalu kirim." in response.get_data(as_text=True)
    assert payments_of(order) == []
