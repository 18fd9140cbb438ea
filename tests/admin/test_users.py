"""Accounts as the city sees them: search, disable and enable, a password reset sent by email."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.exceptions import AccountDisabled, CannotDisableSelf
from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AgencyMemberFactory,
    CooperativeMemberFactory,
    UserFactory,
)


def audit_of(user: User) -> list[tuple[str, int | None]]:
    return [
        (entry.action, entry.actor_id)
        for entry in db.session.scalars(
            select(AuditLog)
            .where(AuditLog.subject_type == "User", AuditLog.subject_id == user.id)
            .order_by(AuditLog.id)
        )
    ]


def test_users_are_found_by_name_or_email(admin_client: FlaskClient) -> None:
    UserFactory(email="siti@contoh.test", full_name="Siti Rahmawati")
    UserFactory(email="budi@contoh.test", full_name="Budi Santoso")
    by_name = admin_client.get("/admin/users?q=rahma").get_data(as_text=True)
    assert "siti@contoh.test" in by_name and "budi@contoh.test" not in by_name
    by_email = admin_client.get("/admin/users?q=BUDI@").get_data(as_text=True)
    assert "budi@contoh.test" in by_email and "siti@contoh.test" not in by_email
    # LIKE wildcards typed by the admin are taken literally.
    assert "contoh.test" not in admin_client.get("/admin/users?q=%25").get_data(as_text=True)


def test_a_users_page_shows_their_roles(admin_client: FlaskClient) -> None:
    member = CooperativeMemberFactory(user=UserFactory(email="kop@contoh.test"))
    AgencyMemberFactory(user=member.user, agency__name="Dinas Pendidikan")
    html = admin_client.get(f"/admin/users/{member.user_id}").get_data(as_text=True)
    assert member.cooperative.name in html
    assert "Dinas Pendidikan: Pejabat Pengadaan" in html


def test_disabling_signs_the_user_out_everywhere_and_keeps_them_out(
    admin_client: FlaskClient, admin: User, app: Flask
) -> None:
    user = UserFactory(email="nakal@contoh.test")
    elsewhere = app.test_client()
    assert login(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/account/profile").status_code == 200

    assert admin_client.post(f"/admin/users/{user.id}/disable").status_code == 302
    db.session.refresh(user)
    assert user.disabled_at is not None
    assert elsewhere.get("/account/profile").status_code == 302  # signed out
    assert login(app.test_client(), user.email).status_code == 400

    assert admin_client.post(f"/admin/users/{user.id}/enable").status_code == 302
    assert login(app.test_client(), user.email).status_code == 302
    assert audit_of(user)[-2:] == [("account.disabled", admin.id), ("account.enabled", admin.id)]


def test_an_admin_cannot_disable_their_own_account(admin_client: FlaskClient, admin: User) -> None:
    assert admin_client.post(f"/admin/users/{admin.id}/disable").status_code == 409
    db.session.refresh(admin)
    assert admin.disabled_at is None


def test_a_password_reset_goes_to_the_users_mailbox_never_to_the_admin(
    admin_client: FlaskClient, admin: User, sent_mail: list[Any], app: Flask
) -> None:
    user = UserFactory(email="lupa@contoh.test")
    response = admin_client.post(f"/admin/users/{user.id}/password-reset", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [m.to_address for m in sent_mail] == ["lupa@contoh.test"]
    link = re.search(r"(/account/reset-password/\S+)", sent_mail[0].body_text)
    assert link is not None
    token = link.group(1).rsplit("/", 1)[-1]
    assert token not in page  # the admin sees that it was sent, not the link
    assert audit_of(user) == [("account.password_reset_sent", admin.id)]
    # The link works for the user, once.
    owner = app.test_client()
    new = {"password": "kata-sandi-baru-99", "confirm": "kata-sandi-baru-99"}
    assert owner.post(link.group(1), data=new).status_code == 302
    assert login(owner, user.email, "kata-sandi-baru-99").status_code == 302


def test_account_services_are_for_city_admins_only(app_ctx: Flask) -> None:
    someone, target = UserFactory(), UserFactory()
    for service in (accounts.disable_user, accounts.enable_user, accounts.send_password_reset):
        with pytest.raises(PermissionDenied):
            service(target, someone)


def test_a_disabled_account_gets_no_reset_email(app_ctx: Flask, sent_mail: list[Any]) -> None:
    admin = UserFactory(is_city_admin=True)
    user = UserFactory()
    accounts.disable_user(user, admin)
    with pytest.raises(AccountDisabled):
        accounts.send_password_reset(user, admin)
    with pytest.raises(CannotDisableSelf):
        accounts.disable_user(admin, admin)
    assert PASSWORD  # the factories' password stays what tests log in with
