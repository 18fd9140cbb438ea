"""CSRF protection rejects forged POSTs."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db


def test_a_forged_post_without_a_token_is_rejected(client: FlaskClient, csrf_enabled: None) -> None:
    response = client.post(
        "/account/register",
        data={
            "full_name": "Penyusup",
            "email": "penyusup@example.test",
            "password": "rahasia-sekali",
            "confirm": "rahasia-sekali",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_post_with_the_pages_token_is_accepted(client: FlaskClient, csrf_enabled: None) -> None:
    page = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/account/register",
        data={
            "csrf_token": token.group(1),
            "full_name": "Tamu Baik",
            "email": "baik@example.test",
            "password": "rahasia-sekali",
            "confirm": "rahasia-sekali",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302


def test_the_language_switch_needs_a_token_too(client: FlaskClient, csrf_enabled: None) -> None:
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 400
