"""UU PDP 27/2022: consent is recorded, a person can take their data and erase their account;
the records the law requires stay, without the person."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import Address, User
from marketplace.audit import AuditLog, record
from marketplace.cart.models import Cart
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, OrderLine
from tests.conftest import login
from tests.factories import AddressFactory, CooperativeMemberFactory, UserFactory, registration
from tests.shopping import place, stocked_variant


def test_registration_records_consent_to_the_current_notice(
    app: Flask, client: FlaskClient
) -> None:
    client.post(
        "/account/register",
        data=registration(full_name="Ani", email="ani@example.test", password="rahasia-sekali"),
    )
    user = db.session.scalar(select(User).where(User.email == "ani@example.test"))
    assert user is not None
    assert user.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert user.privacy_consented_at is not None


def test_a_user_downloads_their_data_and_only_theirs(app: Flask, client: FlaskClient) -> None:
    shopper = UserFactory(email="ani@example.test", full_name="Ani Lestari", phone="081111111111")
    AddressFactory(user=shopper, street="Jl. Mawar 7")
    someone = UserFactory(email="budi@example.test")
    with app.test_request_context():
        place(shopper, (stocked_variant(5, product__name="Keripik Tempe"), 2))
        place(someone, (stocked_variant(5, product__name="Rahasia Budi"), 1))
        db.session.commit()
    login(client, "ani@example.test")
    assert client.get("/account/privacy/export").status_code == 405  # a GET records nothing
    response = client.post("/account/privacy/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.data)
    assert data["account"]["email"] == "ani@example.test"
    assert data["addresses"][0]["address"].startswith("Jl. Mawar 7")
    assert [line["product"] for line in data["orders"][0]["parts"][0]["lines"]] == ["Keripik Tempe"]
    assert "budi@example.test" not in response.get_data(as_text=True)
    assert "Rahasia Budi" not in response.get_data(as_text=True)


def test_deleting_an_account_erases_the_person_and_keeps_the_records(
    app: Flask, client: FlaskClient
) -> None:
    shopper = UserFactory(email="ani@example.test", full_name="Ani Lestari", phone="081111111111")
    AddressFactory(user=shopper)
    with app.test_request_context():
        order = place(shopper, (stocked_variant(5, product__name="Keripik Tempe"), 2))
        [part] = order.vendor_orders
        order_moves.cancel_by_shopper(shopper, order.number, part.id, "berubah pikiran")
        record("test.something", shopper, actor_id=shopper.id)
        db.session.commit()
    order_id, user_id = order.id, shopper.id
    login(client, "ani@example.test")
    response = client.post("/account/delete", data={"password": "password123", "confirm": "y"})
    assert response.status_code == 302

    user = db.session.get(User, user_id)
    assert user is not None
    # Erased: who the person was and how to reach them.
    assert user.email == f"deleted-{user_id}@deleted.invalid"
    assert user.full_name == "Pengguna terhapus" and user.phone is None
    assert user.erased_at is not None and not user.is_active
    assert db.session.scalars(select(Address).where(Address.user_id == user_id)).all() == []
    assert db.session.scalars(select(Cart).where(Cart.user_id == user_id)).all() == []
    kept = db.session.get(Order, order_id)
    assert kept is not None
    assert (kept.recipient_name, kept.phone, kept.street) == ("Pengguna terhapus", "-", "-")
    # Kept: the order, its lines and amounts (tax records), its area, and the audit trail.
    assert kept.grand_total > 0 and kept.city == "Kota Mojokerto"
    assert db.session.scalars(select(OrderLine)).all()
    actions = [
        e.action for e in db.session.scalars(select(AuditLog).where(AuditLog.actor_id == user_id))
    ]
    assert "test.something" in actions and "privacy.account_erased" in actions
    assert all(
        e.ip_address is None
        for e in db.session.scalars(select(AuditLog).where(AuditLog.actor_id == user_id))
    )
    # And the person can no longer log in, under either address.
    assert login(client, "ani@example.test").status_code == 400


def test_deletion_needs_the_password_and_waits_for_open_orders(
    app: Flask, client: FlaskClient
) -> None:
    shopper = UserFactory(email="ani@example.test")
    with app.test_request_context():
        place(shopper, (stocked_variant(5), 1))
        db.session.commit()
    login(client, "ani@example.test")
    wrong = client.post("/account/delete", data={"password": "salah-sekali", "confirm": "y"})
    assert wrong.status_code == 400
    busy = client.post("/account/delete", data={"password": "password123", "confirm": "y"})
    assert busy.status_code == 400
    assert "pesanan yang berjalan" in busy.get_data(as_text=True)
    db.session.refresh(shopper)
    assert shopper.email == "ani@example.test" and shopper.erased_at is None


def test_a_cooperative_owner_cannot_vanish(client: FlaskClient) -> None:
    owner = UserFactory(email="pemilik@example.test")
    CooperativeMemberFactory(user=owner)
    login(client, "pemilik@example.test")
    response = client.post("/account/delete", data={"password": "password123", "confirm": "y"})
    assert response.status_code == 400
    assert "pemilik sebuah koperasi" in response.get_data(as_text=True)


def test_old_emails_and_audit_addresses_expire(app: Flask) -> None:
    from marketplace.accounts.privacy import purge_expired_personal_data

    old = utcnow() - timedelta(days=400)
    db.session.add_all(
        [
            OutboxEmail(
                to_address="lama@example.test",
                subject="s",
                body_text="t",
                body_html="h",
                template="x",
                locale="id",
                status="sent",
                created_at=old,
            ),
            OutboxEmail(
                to_address="baru@example.test",
                subject="s",
                body_text="t",
                body_html="h",
                template="x",
                locale="id",
                status="sent",
            ),
            AuditLog(action="old", ip_address="10.0.0.1", created_at=old, data={}),
            AuditLog(action="new", ip_address="10.0.0.2", data={}),
        ]
    )
    db.session.commit()
    with app.app_context():
        assert purge_expired_personal_data() == {"emails": 1, "ip_addresses": 1}
    assert [e.to_address for e in db.session.scalars(select(OutboxEmail))] == ["baru@example.test"]
    ips = {e.action: e.ip_address for e in db.session.scalars(select(AuditLog))}
    assert ips == {"old": None, "new": "10.0.0.2"}
