"""The application factory, configurations, health checks and security headers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import DEFAULT_SECRET_KEY
from marketplace import create_app
from marketplace.errors import ConfigurationError
from tests.production import PRODUCTION_SITE, production_app


def test_production_refuses_to_start_with_the_default_secret() -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY is the placeholder"):
        production_app(SECRET_KEY=DEFAULT_SECRET_KEY)


def test_production_refuses_to_start_without_a_secret() -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        production_app(SECRET_KEY="")


def test_production_starts_with_a_real_secret_and_secure_cookies() -> None:
    app = production_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SEED_DEMO_ALLOWED"] is False


def test_default_database_is_a_file_in_the_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": None})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    assert uri.endswith(f"{app.instance_path}/pasar-opop.sqlite3")


def test_healthz_answers_when_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok"}


def test_readyz_reports_503_when_the_database_fails(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from marketplace.extensions import db

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is gone"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "error"


def test_pages_send_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_production_sends_hsts() -> None:
    app = production_app()
    response = app.test_client().get("/healthz", base_url=PRODUCTION_SITE)
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_pages_have_no_inline_scripts(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html
    assert "<script src=" in html
    assert "style=" not in html


def test_session_cookie_is_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    from tests.conftest import login
    from tests.factories import UserFactory

    UserFactory(email="cookie@example.test")
    response = login(client, "cookie@example.test")
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("opop_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_unknown_pages_get_a_localized_404(client: FlaskClient) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    english = client.get("/tidak-ada?lang=en")
    assert "Page not found" in english.get_data(as_text=True)


def test_static_assets_are_served_locally(client: FlaskClient) -> None:
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200


def test_an_unexpected_error_gets_a_friendly_localized_500(app: Flask) -> None:
    from tests.conftest import make_test_app

    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])
    other.config["PROPAGATE_EXCEPTIONS"] = False

    from marketplace.policy import PUBLIC, allow

    @allow(PUBLIC)
    def explode() -> str:
        raise RuntimeError("boom")

    other.add_url_rule("/explode", "explode", explode)
    response = other.test_client().get("/explode")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in html
    assert "boom" not in html
    english = other.test_client().get("/explode?lang=en")
    assert "Something went wrong" in english.get_data(as_text=True)


def test_the_wrong_role_gets_a_localized_403(app: Flask) -> None:
    from tests.conftest import login, make_test_app
    from tests.factories import UserFactory

    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])

    from marketplace.policy import CITY_ADMIN, allow

    @allow(CITY_ADMIN)
    def secret() -> str:
        return "secret"

    other.add_url_rule("/secret", "secret", secret)
    UserFactory(email="biasa@example.test")
    client = other.test_client()
    login(client, "biasa@example.test")
    response = client.get("/secret")
    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)


def test_the_database_going_away_gives_a_friendly_503_and_then_recovers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from marketplace.catalogue import services

    real = services.featured_products

    def database_gone(*args: object, **kwargs: object) -> object:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services, "featured_products", database_gone)
    response = client.get("/")
    assert response.status_code == 503
    assert "Layanan sedang sibuk" in response.get_data(as_text=True)
    monkeypatch.setattr(services, "featured_products", real)
    assert client.get("/").status_code == 200
