"""Logging in and out, sessions and rate limits."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from tests.conftest import login, logout, make_test_app, migrate_to_head
from tests.databases import fresh_database
from tests.factories import UserFactory


def test_logging_in_with_the_right_password_signs_in(client: FlaskClient) -> None:
    UserFactory(email="nur@example.test", full_name="Nur Aini")
    response = login(client, "NUR@example.test")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Akun saya" in page
    assert "Selamat datang, Nur Aini." in page


def test_a_wrong_password_gets_a_clear_message(client: FlaskClient) -> None:
    UserFactory(email="nur@example.test")
    response = login(client, "nur@example.test", "salah-sekali")
    assert response.status_code == 400
    assert "Email atau kata sandi salah." in response.get_data(as_text=True)
    assert "Akun saya" not in client.get("/").get_data(as_text=True)


def test_an_unknown_email_gets_the_same_message(client: FlaskClient) -> None:
    response = login(client, "tidak-ada@example.test", "apa-saja-123")
    assert response.status_code == 400
    assert "Email atau kata sandi salah." in response.get_data(as_text=True)


def test_a_disabled_account_cannot_log_in(client: FlaskClient) -> None:
    from marketplace.database import utcnow

    UserFactory(email="off@example.test", disabled_at=utcnow())
    response = login(client, "off@example.test")
    assert response.status_code == 400
    assert "dinonaktifkan" in response.get_data(as_text=True)


def test_login_follows_a_local_next_but_not_a_foreign_one(client: FlaskClient) -> None:
    UserFactory(email="nur@example.test")
    response = client.post(
        "/account/login",
        data={"email": "nur@example.test", "password": "password123", "next": "/account/profile"},
    )
    assert response.headers["Location"] == "/account/profile"
    logout(client)
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.post(
            "/account/login",
            data={"email": "nur@example.test", "password": "password123", "next": evil},
        )
        assert response.headers["Location"] == "/", evil
        logout(client)


def test_logging_out_ends_the_session(client: FlaskClient) -> None:
    UserFactory(email="nur@example.test")
    login(client, "nur@example.test")
    response = logout(client)
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_the_session_is_regenerated_at_login(client: FlaskClient) -> None:
    UserFactory(email="nur@example.test")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, "nur@example.test")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_changing_the_password_signs_out_other_sessions(app: Flask) -> None:
    UserFactory(email="nur@example.test")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "nur@example.test")
    login(laptop, "nur@example.test")
    response = laptop.post(
        "/account/password",
        data={
            "current_password": "password123",
            "password": "baru-dan-kuat",
            "confirm": "baru-dan-kuat",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account/profile").status_code == 200
    assert phone.get("/account/profile").status_code == 302


def limited_app(database_url: str, tmp_path: object, **limits: str) -> Flask:
    """Limits are read when routes are first hit, so each limit test gets an app of its own."""
    from tests.conftest import make_test_app

    return make_test_app(database_url, str(tmp_path), **limits)


def test_login_is_rate_limited(database_url: str, tmp_path: object) -> None:
    client = limited_app(database_url, tmp_path, RATELIMIT_LOGIN="3 per minute").test_client()
    statuses = [login(client, "siapa@example.test", "salah-terus").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = login(client, "siapa@example.test", "salah-terus")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)


def test_registration_and_reset_are_rate_limited(database_url: str, tmp_path: object) -> None:
    client = limited_app(
        database_url,
        tmp_path,
        RATELIMIT_REGISTER="2 per minute",
        RATELIMIT_PASSWORD_RESET="2 per minute",
    ).test_client()
    register = [client.post("/account/register", data={"email": "x"}).status_code for _ in range(3)]
    reset = [
        client.post("/account/forgot-password", data={"email": "bukan-email"}).status_code
        for _ in range(3)
    ]
    assert register == [400, 400, 429]
    assert reset == [400, 400, 429]


def test_placing_orders_and_sending_proofs_are_limited_per_account(tmp_path: Any) -> None:
    with fresh_database(str(tmp_path), prefix="opop_limits") as url:
        app = make_test_app(
            url,
            str(tmp_path / "uploads"),
            RATELIMIT_CHECKOUT="2 per minute",
            RATELIMIT_PROOF_UPLOAD="1 per minute",
        )
        migrate_to_head(app)
        with app.app_context():
            for email in ("cepat@example.test", "tetangga@example.test"):
                UserFactory(email=email)
            db.session.commit()
        hasty, neighbour = app.test_client(), app.test_client()
        assert login(hasty, "cepat@example.test").status_code == 302
        assert login(neighbour, "tetangga@example.test").status_code == 302

        # Nothing to place (no checkout in progress): only the count matters here.
        places = [hasty.post("/checkout/place").status_code for _ in range(3)]
        assert 429 not in places[:2] and places[2] == 429
        # Another account behind the same address is not slowed down by the first.
        assert neighbour.post("/checkout/place").status_code != 429

        proof = "/orders/OPOP-2026-999999/payment/transfer-proof"
        assert hasty.post(proof).status_code != 429
        refused = hasty.post(proof)
        assert refused.status_code == 429
        assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_messages_and_questions_are_limited_per_account(tmp_path: Any) -> None:
    with fresh_database(str(tmp_path), prefix="opop_limits") as url:
        app = make_test_app(url, str(tmp_path / "uploads"), RATELIMIT_MESSAGES="2 per minute")
        migrate_to_head(app)
        with app.app_context():
            for email in ("cerewet@example.test", "tetangga@example.test"):
                UserFactory(email=email)
            db.session.commit()
        hasty, neighbour = app.test_client(), app.test_client()
        assert login(hasty, "cerewet@example.test").status_code == 302
        assert login(neighbour, "tetangga@example.test").status_code == 302
        # No such product or order: only the count matters here, and it counts every route.
        question = "/products/tidak-ada/questions"
        message = "/orders/OPOP-2026-999999/messages/1"
        sent = [hasty.post(question, data={"body": "Ada?"}).status_code for _ in range(2)]
        assert 429 not in sent
        refused = hasty.post(message, data={"body": "Halo"})
        assert refused.status_code == 429
        assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
        assert neighbour.post(question, data={"body": "Ada?"}).status_code != 429
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
