"""The city administrator and a client signed in as one."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.accounts.models import User
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def admin(app: Flask) -> User:
    user: User = UserFactory(email="admin@example.test", full_name="Admin Kota", is_city_admin=True)
    return user


@pytest.fixture
def admin_client(client: FlaskClient, admin: User) -> FlaskClient:
    assert login(client, admin.email).status_code == 302
    return client
