"""Registration with email verification, and no account enumeration."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from tests.factories import UserFactory, registration


def register(client: FlaskClient, **overrides: str) -> object:
    return client.post("/account/register", data=registration(**overrides))


def outbox_to(address: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
        )
    )


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_registering_creates_an_unverified_shopper_and_emails_a_link(client: FlaskClient) -> None:
    response = register(client, email="Siti@Example.TEST")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-email")
    user = db.session.scalar(select(User).where(User.email == "siti@example.test"))
    assert user is not None
    assert user.is_verified is False
    assert user.password_hash.startswith("$argon2id$")
    [email] = outbox_to("siti@example.test")
    assert "/account/verify/" in email.body_text
    assert email.status == "sent"


def is_verified(address: str) -> bool:
    user = db.session.scalar(select(User).where(User.email == address))
    assert user is not None
    db.session.refresh(user)
    return user.is_verified


def test_the_link_asks_and_the_button_verifies_the_email(client: FlaskClient) -> None:
    register(client)
    [email] = outbox_to("siti@example.test")
    link = re.search(r"http://localhost(/account/verify/\S+)", email.body_text)
    assert link is not None
    # Opening the link (a person, or a mail scanner) changes nothing: it shows a button.
    page = client.get(link.group(1))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "siti@example.test" in html and 'method="post"' in html
    assert not is_verified("siti@example.test")
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert is_verified("siti@example.test")
    # The link again, once verified: straight on, nothing asked.
    assert client.get(link.group(1)).status_code == 302


def test_the_button_needs_the_page_s_csrf_token(app: Flask, client: FlaskClient) -> None:
    register(client)
    link = verify_link("siti@example.test")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post(link)  # from another site: no token
        assert forged.status_code == 400 and not is_verified("siti@example.test")
        page = client.get(link).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert is_verified("siti@example.test")


def test_a_tampered_verification_link_is_refused(client: FlaskClient) -> None:
    register(client)
    [email] = outbox_to("siti@example.test")
    link = re.search(r"http://localhost(/account/verify/\S+)", email.body_text)
    assert link is not None
    response = client.get(link.group(1)[:-3] + "xyz")
    assert response.status_code == 400
    assert "Tautan tidak valid" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "siti@example.test"))
    assert user is not None and not user.is_verified


def test_registering_an_existing_email_looks_the_same_and_creates_nothing(
    client: FlaskClient,
) -> None:
    UserFactory(email="ada@example.test")
    before = user_count()
    response = register(client, email="ADA@example.test")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-email")
    assert user_count() == before
    [notice] = outbox_to("ada@example.test")
    assert notice.template == "account_exists"


def test_registration_errors_are_shown_and_change_nothing(client: FlaskClient) -> None:
    before = user_count()
    response = register(
        client, email="bukan-email", password="pendek", confirm="lain", accept_terms=""
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Alamat email tidak valid." in html
    assert "Kata sandi minimal 8 karakter." in html
    assert "Kata sandi tidak sama." in html
    assert 'aria-invalid="true"' in html
    assert user_count() == before
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_registration_errors_are_localized_in_english(client: FlaskClient) -> None:
    response = client.post(
        "/account/register?lang=en",
        data={"full_name": "", "email": "x", "password": "", "confirm": ""},
    )
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_a_signed_in_user_is_sent_away_from_registration(app: Flask, client: FlaskClient) -> None:
    from tests.conftest import login

    UserFactory(email="sudah@example.test")
    login(client, "sudah@example.test")
    response = client.get("/account/register")
    assert response.status_code == 302


def test_a_common_password_is_refused(client: FlaskClient) -> None:
    for common in ("password123", "Bismillah123", "indonesia"):
        response = register(client, password=common, confirm=common)
        assert response.status_code == 400
        assert "terlalu umum" in response.get_data(as_text=True)
    assert user_count() == 0


def test_registering_an_existing_email_hashes_the_password_as_a_new_one_does(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 is most of the request's time: an answer that skipped it for a registered email
    would come back sooner and tell the address is registered."""
    from marketplace.accounts import services

    hashed: list[str] = []
    real_hash = services.hash_password

    def spy(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    UserFactory(email="ada@example.test")
    monkeypatch.setattr(services, "hash_password", spy)

    register(client, email="baru@example.test")
    register(client, email="ada@example.test")

    assert hashed == ["kopi-susu-enak", "kopi-susu-enak"]
    assert user_count() == 2


# --- Registering on the way to checkout comes back to checkout --------------------------------


def verify_link(address: str) -> str:
    link = re.search(r"http://localhost(/account/verify/\S+)", outbox_to(address)[-1].body_text)
    assert link is not None
    return link.group(1)


def test_a_guest_who_registers_at_checkout_comes_back_to_checkout(client: FlaskClient) -> None:
    login_page = client.get("/account/login?next=/checkout").get_data(as_text=True)
    assert 'href="/account/register?next=/checkout"' in login_page
    page = client.get("/account/register?next=/checkout").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/checkout"' in page
    assert 'href="/account/login?next=/checkout"' in page  # "already registered? sign in"

    response = register(client, next="/checkout")

    assert response.headers["Location"] == "/account/check-email?next=/checkout"
    check = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/account/login?next=/checkout"' in check
    link = verify_link("siti@example.test")
    assert link.endswith("?next=/checkout")
    verified = client.post(link)
    assert verified.headers["Location"] == "/account/login?next=/checkout"
    signed_in = client.post(
        "/account/login?next=/checkout",
        data={"email": "siti@example.test", "password": "kopi-susu-enak", "next": "/checkout"},
    )
    assert signed_in.headers["Location"] == "/checkout"


def test_a_shopper_signed_in_while_verifying_goes_on_to_where_they_were(
    client: FlaskClient,
) -> None:
    register(client, next="/checkout")
    client.post("/account/login", data={"email": "siti@example.test", "password": "kopi-susu-enak"})
    assert client.get("/checkout").status_code == 403  # verify first, the page says
    resent = client.post("/account/verify/resend", data={"next": "/checkout"})
    assert resent.headers["Location"] == "/checkout"
    assert client.post(verify_link("siti@example.test")).headers["Location"] == "/checkout"


@pytest.mark.parametrize(
    "target", ["https://evil.example/checkout", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_next_leads_only_to_this_site(client: FlaskClient, target: str) -> None:
    response = register(client, next=target)
    assert response.headers["Location"] == "/account/check-email"
    link = verify_link("siti@example.test")
    assert "next" not in link
    assert client.post(link).headers["Location"] == "/account/login"
    page = client.get("/account/login", query_string={"next": target}).get_data(as_text=True)
    assert 'href="/account/register"' in page


def test_an_existing_account_is_sent_a_sign_in_link_that_keeps_next(client: FlaskClient) -> None:
    UserFactory(email="ada@example.test")
    register(client, email="ada@example.test", next="/checkout")
    [notice] = outbox_to("ada@example.test")
    assert "/account/login?next=/checkout" in notice.body_text
