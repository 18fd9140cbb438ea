"""A NUL character in a form or a query is refused with a message and writes nothing (found by
tests/fuzz: PostgreSQL cannot store it and failed the request with a server error)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement.models import Agency
from tests.conftest import login
from tests.factories import UserFactory


@pytest.mark.parametrize("name", ["Dinas\x00Koperasi", "\x00"])
def test_a_nul_character_in_a_form_is_refused_with_a_message(
    client: FlaskClient, name: str
) -> None:
    UserFactory(email="admin@example.test", is_city_admin=True)
    login(client, "admin@example.test")
    response = client.post("/admin/agencies", data={"name": name, "address": "", "npwp": ""})
    assert response.status_code == 400
    assert "Isian berisi karakter yang tidak diizinkan." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 0


def test_a_nul_character_in_a_query_or_a_field_name_is_refused_too(client: FlaskClient) -> None:
    UserFactory(email="admin@example.test", is_city_admin=True)
    login(client, "admin@example.test")
    assert client.get("/admin/users?q=ani%00").status_code == 400
    response = client.post("/language", data={"lang\x00": "en", "next": "/"})
    assert response.status_code == 400


def test_the_catalogue_and_the_api_clean_their_own_parameters(client: FlaskClient) -> None:
    assert client.get("/products?q=tempe%00").status_code == 200
    response = client.get("/api/v1/products?q=tempe%00")
    assert response.status_code == 200 and response.is_json
