"""Password reset by a signed, expiring, single-use emailed link."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from tests.conftest import login
from tests.factories import UserFactory


def reset_link(address: str) -> str:
    email = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id.desc())
    ).first()
    assert email is not None and email.template == "reset_password"
    match = re.search(r"http://localhost(/account/reset-password/\S+)", email.body_text)
    assert match is not None
    return match.group(1)


def test_a_reset_link_sets_a_new_password(client: FlaskClient) -> None:
    UserFactory(email="lupa@example.test")
    response = client.post("/account/forgot-password", data={"email": "lupa@example.test"})
    assert response.status_code == 302
    link = reset_link("lupa@example.test")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "sandi-baru-ku", "confirm": "sandi-baru-ku"})
    assert response.status_code == 302
    assert login(client, "lupa@example.test", "password123").status_code == 400
    assert login(client, "lupa@example.test", "sandi-baru-ku").status_code == 302


def test_a_reset_link_works_only_once(client: FlaskClient) -> None:
    UserFactory(email="lupa@example.test")
    client.post("/account/forgot-password", data={"email": "lupa@example.test"})
    link = reset_link("lupa@example.test")
    client.post(link, data={"password": "sandi-baru-ku", "confirm": "sandi-baru-ku"})
    again = client.post(link, data={"password": "sandi-lain-ku", "confirm": "sandi-lain-ku"})
    assert again.status_code == 400
    assert "Tautan tidak valid" in again.get_data(as_text=True)


def test_a_reset_link_expires(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    UserFactory(email="lupa@example.test")
    client.post("/account/forgot-password", data={"email": "lupa@example.test"})
    link = reset_link("lupa@example.test")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 400


def test_asking_for_an_unknown_email_looks_the_same_and_sends_nothing(
    client: FlaskClient,
) -> None:
    response = client.post("/account/forgot-password", data={"email": "siapa@example.test"})
    assert response.status_code == 302
    assert db.session.scalars(select(OutboxEmail)).first() is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jika email itu terdaftar" in page


def test_a_weak_new_password_is_refused_and_nothing_changes(client: FlaskClient) -> None:
    user = UserFactory(email="lupa@example.test")
    old_hash = user.password_hash
    client.post("/account/forgot-password", data={"email": "lupa@example.test"})
    link = reset_link("lupa@example.test")
    response = client.post(link, data={"password": "123", "confirm": "123"})
    assert response.status_code == 400
    assert "Kata sandi minimal 8 karakter." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == old_hash
