"""Signing out really ends a sign-in: on this device, for a copied cookie, and everywhere."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from types import ModuleType

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.accounts.models import User, UserSession
from marketplace.audit import AuditLog
from marketplace.extensions import db
from tests.conftest import login, logout
from tests.factories import UserFactory

SESSION = "opop_session"
REMEMBER = "remember_token"


def remembered_login(client: FlaskClient, email: str) -> None:
    response = client.post(
        "/account/login", data={"email": email, "password": "password123", "remember": "y"}
    )
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER) is not None


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, name
    return found.value


def with_only(app: Flask, name: str, value: str) -> FlaskClient:
    """Another browser holding nothing but a copy of one cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def signed_in(client: FlaskClient) -> bool:
    status = client.get("/account/profile").status_code
    assert status in (200, 302)
    return status == 200


def sign_ins_of(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
        )
        or 0
    )


def test_logging_out_after_ingat_saya_deletes_the_remember_cookie_and_ends_it(
    app: Flask, client: FlaskClient
) -> None:
    UserFactory(email="nur@example.test")
    remembered_login(client, "nur@example.test")
    remember_cookie = cookie(client, REMEMBER)

    response = logout(client)

    assert any(
        header.startswith(f"{REMEMBER}=;") and "Expires=Thu, 01 Jan 1970" in header
        for header in response.headers.getlist("Set-Cookie")
    )
    assert client.get_cookie(REMEMBER) is None
    assert not signed_in(client)
    # A browser that kept the remember cookie anyway (or a copy of it) is a guest.
    assert not signed_in(with_only(app, REMEMBER, remember_cookie))


def test_the_remember_cookie_alone_signs_in_until_logout(app: Flask, client: FlaskClient) -> None:
    UserFactory(email="nur@example.test")
    remembered_login(client, "nur@example.test")
    # The browser was closed: the session cookie is gone, the remember cookie stays.
    assert signed_in(with_only(app, REMEMBER, cookie(client, REMEMBER)))


def test_a_session_cookie_copied_before_logout_is_a_guest_after_it(
    app: Flask, client: FlaskClient
) -> None:
    UserFactory(email="nur@example.test")
    login(client, "nur@example.test")
    copied = cookie(client, SESSION)
    assert signed_in(with_only(app, SESSION, copied))

    logout(client)

    assert not signed_in(with_only(app, SESSION, copied))


def test_logging_out_on_one_device_keeps_the_others_signed_in(app: Flask) -> None:
    user = UserFactory(email="nur@example.test")
    phone, office_computer = app.test_client(), app.test_client()
    login(phone, "nur@example.test")
    remembered_login(office_computer, "nur@example.test")
    assert sign_ins_of(user) == 2

    logout(office_computer)

    assert signed_in(phone)
    assert not signed_in(office_computer)
    assert sign_ins_of(user) == 1


def test_signing_out_of_all_devices_ends_every_sign_in(app: Flask) -> None:
    user = UserFactory(email="nur@example.test")
    phone, office_computer = app.test_client(), app.test_client()
    remembered_login(office_computer, "nur@example.test")
    left_behind = cookie(office_computer, REMEMBER)
    login(phone, "nur@example.test")

    response = phone.post("/account/sign-out-everywhere", follow_redirects=True)

    assert "Anda sudah keluar dari semua perangkat" in response.get_data(as_text=True)
    assert not signed_in(phone)
    assert not signed_in(office_computer)
    assert not signed_in(with_only(app, REMEMBER, left_behind))
    assert sign_ins_of(user) == 0
    assert db.session.scalar(
        select(AuditLog).where(
            AuditLog.action == "account.signed_out_everywhere", AuditLog.subject_id == user.id
        )
    )
    # Signing in again works as before.
    login(phone, "nur@example.test")
    assert signed_in(phone)


def test_the_profile_page_offers_signing_out_of_all_devices_with_csrf(
    app: Flask, client: FlaskClient, csrf_enabled: None
) -> None:
    UserFactory(email="nur@example.test")
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/account/login",
        data={"email": "nur@example.test", "password": "password123", "csrf_token": token},
    )
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in profile
    # Without the form's token the request is refused and nobody is signed out.
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(client)


def test_a_cookie_without_a_sign_in_token_signs_nobody_in(client: FlaskClient) -> None:
    # The id cookies carried before sign-ins had rows: "<user id>:<session version>".
    user = UserFactory(email="nur@example.test")
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True
    assert not signed_in(client)


def test_only_the_tokens_digest_is_stored(client: FlaskClient) -> None:
    user = UserFactory(email="nur@example.test")
    login(client, "nur@example.test")
    with client.session_transaction() as session:
        token = session["_user_id"].split(":")[2]
    [stored] = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


def test_a_sign_in_ends_after_the_remember_cookies_lifetime_and_is_purged(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    from marketplace.accounts.sessions import purge_expired_sign_ins

    user = UserFactory(email="nur@example.test")
    remembered_login(client, "nur@example.test")
    lifetime = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])

    clock.advance(lifetime - timedelta(minutes=1))
    assert signed_in(client)
    clock.advance(timedelta(minutes=2))
    assert not signed_in(client)

    with app.app_context():
        assert purge_expired_sign_ins() == 1
    assert sign_ins_of(user) == 0


def test_purging_keeps_live_sign_ins(app: Flask, client: FlaskClient, clock: ModuleType) -> None:
    from marketplace.accounts.sessions import purge_expired_sign_ins

    user = UserFactory(email="nur@example.test")
    login(client, "nur@example.test")
    clock.advance(timedelta(days=1))
    with app.app_context():
        assert purge_expired_sign_ins() == 0
    assert sign_ins_of(user) == 1
    assert signed_in(client)
