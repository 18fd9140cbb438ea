"""The profile page and saved addresses."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import Address
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import AddressFactory, UserFactory

ADDRESS = {
    "label": "Kantor",
    "recipient_name": "Budi",
    "phone": "0812 3456 7890",
    "street": "Jl. Majapahit No. 5",
    "province_code": "35",
    "regency_code": "35.76",
    "district_code": "35.76.03",
    "village_code": "35.76.03.1002",
    "postal_code": "61322",
}


def test_profile_changes_are_saved(client: FlaskClient) -> None:
    user = UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    response = client.post(
        "/account/profile",
        data={"full_name": "Budi Santoso", "phone": "081299998888", "locale": "en"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.full_name, user.phone, user.locale) == ("Budi Santoso", "081299998888", "en")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_an_invalid_phone_is_refused(client: FlaskClient) -> None:
    user = UserFactory(email="budi@example.test", phone=None)
    login(client, "budi@example.test")
    response = client.post(
        "/account/profile", data={"full_name": "Budi", "phone": "12345", "locale": "id"}
    )
    assert response.status_code == 400
    assert "Nomor HP tidak valid" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.phone is None


def test_adding_an_address_makes_the_first_one_the_default(
    client: FlaskClient, regions: None
) -> None:
    user = UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    response = client.post("/account/addresses/new", data=ADDRESS)
    assert response.status_code == 302
    [address] = db.session.scalars(select(Address).where(Address.user_id == user.id)).all()
    assert address.is_default
    assert address.phone == "081234567890"


def test_a_new_default_address_replaces_the_old_default(client: FlaskClient, regions: None) -> None:
    user = UserFactory(email="budi@example.test")
    first = AddressFactory(user=user, is_default=True)
    login(client, "budi@example.test")
    client.post("/account/addresses/new", data={**ADDRESS, "is_default": "y"})
    addresses = db.session.scalars(select(Address).where(Address.user_id == user.id)).all()
    defaults = [a for a in addresses if a.is_default]
    assert len(defaults) == 1 and defaults[0].id != first.id


def test_an_address_with_a_bad_postal_code_is_refused(client: FlaskClient, regions: None) -> None:
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    response = client.post("/account/addresses/new", data={**ADDRESS, "postal_code": "613"})
    assert response.status_code == 400
    assert "Kode pos terdiri dari 5 angka." in response.get_data(as_text=True)
    assert db.session.scalars(select(Address)).first() is None


def test_another_users_address_is_not_found(client: FlaskClient) -> None:
    someone_else = AddressFactory()
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    assert client.get(f"/account/addresses/{someone_else.id}/edit").status_code == 404
    assert client.post(f"/account/addresses/{someone_else.id}/delete").status_code == 404
    assert db.session.get(Address, someone_else.id) is not None


def test_deleting_the_default_address_promotes_another(client: FlaskClient) -> None:
    user = UserFactory(email="budi@example.test")
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user, is_default=False, label="Kantor")
    login(client, "budi@example.test")
    assert client.post(f"/account/addresses/{first.id}/delete").status_code == 302
    db.session.refresh(second)
    assert second.is_default
