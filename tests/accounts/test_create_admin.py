"""``flask create-admin``: an administrator obeys registration's rules for email and password."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import UserFactory


def admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.is_city_admin)) or 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("x", "kota-mojokerto-aman", "EMAIL: Invalid email address."),
        ("admin@kota.test", "", "--password: This field is required."),
        ("admin@kota.test", "123", "--password: Password must be at least 8 characters."),
        ("admin@kota.test", "password", "--password: This password is too common"),
        ("admin@kota.test", "bismillah123", "--password: This password is too common"),
        ("admin@kota.test", "Admin@Kota.test", "must not be the same as your email"),
    ],
)
def test_a_bad_email_or_password_creates_no_administrator(
    app: Flask, email: str, password: str, message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["create-admin", email, "--password", password])
    assert result.exit_code == 1
    assert "No account created." in result.output
    assert message in result.output
    assert admins() == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_good_email_and_password_create_an_administrator_who_can_sign_in(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", " Admin@Kota.test ", "--password", "kota-mojokerto-aman"]
    )
    assert result.exit_code == 0, result.output
    assert "admin@kota.test is a city administrator." in result.output
    assert admins() == 1
    assert login(app.test_client(), "admin@kota.test", "kota-mojokerto-aman").status_code == 302


def test_without_password_it_asks_twice_hidden_and_checks_the_answer(app: Flask) -> None:
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "admin@kota.test"], input="123456\n123456\n")
    assert weak.exit_code == 1
    assert "123456" not in weak.output  # hidden while typed
    assert "Repeat for confirmation" in weak.output
    assert admins() == 0

    good = runner.invoke(
        args=["create-admin", "admin@kota.test"],
        input="kota-mojokerto-aman\nkota-mojokerto-aman\n",
    )
    assert good.exit_code == 0, good.output
    assert admins() == 1


def test_an_existing_account_becomes_an_administrator_without_a_password(app: Flask) -> None:
    UserFactory(email="staf@kota.test")
    result = app.test_cli_runner().invoke(args=["create-admin", "staf@kota.test"])
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert admins() == 1
