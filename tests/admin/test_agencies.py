"""Agencies (OPD), their members' procurement roles, and invitations for people without an
account (a signed, expiring, single-use link)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.procurement import agencies
from marketplace.procurement.models import Agency, AgencyInvitation, AgencyMember
from tests.conftest import login
from tests.factories import AgencyFactory, AgencyMemberFactory, UserFactory


def roles_of(user: User) -> list[tuple[int, str]]:
    return sorted(
        (m.agency_id, m.role)
        for m in db.session.scalars(select(AgencyMember).where(AgencyMember.user_id == user.id))
    )


def outbox() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def join_link(message: Any) -> str:
    found = re.search(r"(/agency-invitations/\S+)", message.body_text)
    assert found is not None
    return found.group(1)


def test_agencies_are_created_and_edited(admin_client: FlaskClient, admin: User) -> None:
    empty = admin_client.post("/admin/agencies", data={"name": ""})
    assert empty.status_code == 400
    assert "Wajib diisi." in empty.get_data(as_text=True)
    bad_npwp = admin_client.post("/admin/agencies", data={"name": "Dinas X", "npwp": "12"})
    assert bad_npwp.status_code == 400

    created = admin_client.post(
        "/admin/agencies",
        data={"name": "Dinas Kesehatan", "address": "Jl. Raya 1", "npwp": "00.123.456.7-602.000"},
    )
    assert created.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.name == "Dinas Kesehatan"))
    assert agency is not None
    assert (agency.slug, agency.npwp) == ("dinas-kesehatan", "001234567602000")
    edited = admin_client.post(
        f"/admin/agencies/{agency.id}",
        data={"name": "Dinas Kesehatan Kota", "address": "Jl. Raya 2", "npwp": ""},
    )
    assert edited.status_code == 302
    db.session.refresh(agency)
    assert (agency.name, agency.address, agency.npwp) == (
        "Dinas Kesehatan Kota",
        "Jl. Raya 2",
        None,
    )
    assert agency.slug == "dinas-kesehatan"
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.actor_id == admin.id).order_by(AuditLog.id)
    )
    assert list(actions) == ["agency.created", "agency.updated"]
    assert "Dinas Kesehatan Kota" in admin_client.get("/admin/agencies").get_data(as_text=True)


def test_an_existing_account_gets_the_role_at_once_and_can_lose_it(
    admin_client: FlaskClient, sent_mail: list[Any]
) -> None:
    agency = AgencyFactory()
    user = UserFactory(email="ppk@kota.test")
    response = admin_client.post(
        f"/admin/agencies/{agency.id}/members", data={"email": "PPK@kota.test", "role": "ppk"}
    )
    assert response.status_code == 302
    assert roles_of(user) == [(agency.id, "ppk")]
    assert sent_mail == []  # no invitation needed

    twice = admin_client.post(
        f"/admin/agencies/{agency.id}/members", data={"email": "ppk@kota.test", "role": "ppk"}
    )
    assert twice.status_code == 400
    assert "sudah memegang peran itu" in twice.get_data(as_text=True)
    admin_client.post(
        f"/admin/agencies/{agency.id}/members", data={"email": "ppk@kota.test", "role": "penerima"}
    )
    assert roles_of(user) == [(agency.id, "penerima"), (agency.id, "ppk")]
    page = admin_client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "PPK (Pejabat Pembuat Komitmen)" in page

    member = db.session.scalar(
        select(AgencyMember).where(AgencyMember.user_id == user.id, AgencyMember.role == "ppk")
    )
    assert member is not None
    removed = admin_client.post(f"/admin/agencies/{agency.id}/members/{member.id}/remove")
    assert removed.status_code == 302
    assert roles_of(user) == [(agency.id, "penerima")]
    other = AgencyFactory()
    assert (
        admin_client.post(f"/admin/agencies/{other.id}/members/{member.id}/remove").status_code
        == 404
    )


def test_someone_without_an_account_is_invited_registers_and_takes_the_role(
    admin_client: FlaskClient, app: Flask, sent_mail: list[Any]
) -> None:
    agency = AgencyFactory(name="Dinas Pendidikan")
    response = admin_client.post(
        f"/admin/agencies/{agency.id}/members",
        data={"email": "bendahara.baru@kota.test", "role": "bendahara"},
    )
    assert response.status_code == 302
    assert [m.to_address for m in sent_mail] == ["bendahara.baru@kota.test"]
    assert "Bendahara Pengeluaran" in sent_mail[0].subject
    link = join_link(sent_mail[0])
    page = admin_client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "bendahara.baru@kota.test" in page  # outstanding

    visitor = app.test_client()
    assert visitor.get(link).status_code == 302  # sign in (or register) first

    stranger = UserFactory(email="orang.lain@kota.test")
    assert login(visitor, stranger.email).status_code == 302
    assert visitor.post(link).status_code == 400
    assert roles_of(stranger) == []
    visitor.post("/account/logout")

    invitee = UserFactory(email="bendahara.baru@kota.test")
    assert login(visitor, invitee.email).status_code == 302
    assert "Dinas Pendidikan" in visitor.get(link).get_data(as_text=True)
    assert visitor.post(link).status_code == 302
    assert roles_of(invitee) == [(agency.id, "bendahara")]
    assert visitor.post(link).status_code == 400  # used once
    invitation = db.session.scalar(select(AgencyInvitation))
    assert invitation is not None and invitation.accepted_by_id == invitee.id


def test_a_revoked_or_expired_invitation_no_longer_works(
    admin_client: FlaskClient, app: Flask, sent_mail: list[Any], admin: User
) -> None:
    agency = AgencyFactory()
    with app.test_request_context():
        first = agencies.add_member(agency.id, admin, "baru@kota.test", "penerima")
        db.session.commit()
    assert isinstance(first, AgencyInvitation)
    revoked = admin_client.post(f"/admin/agencies/{agency.id}/invitations/{first.id}/revoke")
    assert revoked.status_code == 302
    invitee = app.test_client()
    UserFactory(email="baru@kota.test")
    assert login(invitee, "baru@kota.test").status_code == 302
    assert invitee.post(join_link(outbox()[0])).status_code == 400

    with app.test_request_context():
        agencies.add_member(agency.id, admin, "baru2@kota.test", "penerima")
        db.session.commit()
    app.config["AGENCY_INVITATION_MAX_AGE"] = -1
    try:
        assert invitee.get(join_link(outbox()[-1])).status_code == 400
    finally:
        app.config["AGENCY_INVITATION_MAX_AGE"] = 7 * 86400


def test_inviting_again_replaces_the_earlier_link(app_ctx: Flask, admin: User) -> None:
    agency = AgencyFactory()
    first = agencies.add_member(agency.id, admin, "ulang@kota.test", "ppk")
    second = agencies.add_member(agency.id, admin, "ulang@kota.test", "ppk")
    assert isinstance(first, AgencyInvitation) and isinstance(second, AgencyInvitation)
    assert first.revoked_at is not None and second.is_open
    assert agencies.open_invitations(agency.id) == [second]


def test_agency_services_are_for_city_admins_only(app_ctx: Flask) -> None:
    someone = UserFactory()
    member = AgencyMemberFactory()
    data = agencies.AgencyData("Dinas", "", None)
    with pytest.raises(PermissionDenied):
        agencies.create_agency(someone, data)
    with pytest.raises(PermissionDenied):
        agencies.update_agency(member.agency_id, someone, data)
    with pytest.raises(PermissionDenied):
        agencies.add_member(member.agency_id, someone, "x@kota.test", "ppk")
    with pytest.raises(PermissionDenied):
        agencies.remove_member(member.agency_id, member.id, someone)
    with pytest.raises(agencies.UnknownRole):
        agencies.add_member(member.agency_id, UserFactory(is_city_admin=True), "x@k.test", "raja")
