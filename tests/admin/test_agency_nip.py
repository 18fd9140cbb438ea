"""Officials' NIP (issue 23): entered when a member is added or invited, editable by the city
administrator on the agency's page; 18 digits, refused with a message saying what is wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.errors import NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.procurement import agencies
from marketplace.procurement.models import AgencyInvitation, AgencyMember
from tests.conftest import login
from tests.factories import AgencyFactory, AgencyMemberFactory, UserFactory

NIP = "198001012005011001"


def nips_of(user: User) -> list[tuple[str, str | None]]:
    return sorted(
        (m.role, m.nip)
        for m in db.session.scalars(select(AgencyMember).where(AgencyMember.user_id == user.id))
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("198001012005011001", NIP),
        ("19800101 200501 1 001", NIP),
        ("19800101.200501.1.001", NIP),
        ("19800101-200501-1-001", NIP),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_nip_is_stored_as_its_18_digits(typed: str | None, stored: str | None) -> None:
    assert agencies.clean_nip(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("19800101200501100", "NIP harus tepat 18 angka; yang diisi 17 angka."),
        ("1980010120050110011", "NIP harus tepat 18 angka; yang diisi 19 angka."),
        ("19800101200501100A", "NIP hanya berisi angka, tanpa huruf atau tanda lain."),
        ("NIP198001012005011", "NIP hanya berisi angka, tanpa huruf atau tanda lain."),
        ("١٩٨٠٠١٠١٢٠٠٥٠١١٠٠١", "NIP hanya berisi angka, tanpa huruf atau tanda lain."),
    ],
)
def test_a_nip_that_is_not_18_digits_is_refused_saying_why(
    app_ctx: Flask, typed: str, message: str
) -> None:
    with pytest.raises(agencies.InvalidNip) as refused:
        agencies.clean_nip(typed)
    assert refused.value.message == message


def test_the_nip_is_entered_with_the_role_and_kept_for_the_persons_other_roles(
    admin_client: FlaskClient,
) -> None:
    agency = AgencyFactory()
    user = UserFactory(email="ppk@kota.test")
    bad = admin_client.post(
        f"/admin/agencies/{agency.id}/members",
        data={"email": "ppk@kota.test", "role": "ppk", "nip": "12345"},
    )
    assert bad.status_code == 400
    assert "NIP harus tepat 18 angka; yang diisi 5 angka." in bad.get_data(as_text=True)
    assert nips_of(user) == []  # nothing added

    added = admin_client.post(
        f"/admin/agencies/{agency.id}/members",
        data={"email": "ppk@kota.test", "role": "ppk", "nip": "19800101 200501 1 001"},
    )
    assert added.status_code == 302
    assert nips_of(user) == [("ppk", NIP)]
    # A second role without a NIP typed keeps the one recorded for the person.
    admin_client.post(
        f"/admin/agencies/{agency.id}/members", data={"email": "ppk@kota.test", "role": "penerima"}
    )
    assert nips_of(user) == [("penerima", NIP), ("ppk", NIP)]
    page = admin_client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert f'value="{NIP}"' in page


def test_an_invitation_carries_the_nip_to_the_role(
    admin_client: FlaskClient, app: Flask, sent_mail: list[Any]
) -> None:
    agency = AgencyFactory()
    response = admin_client.post(
        f"/admin/agencies/{agency.id}/members",
        data={"email": "bendahara@kota.test", "role": "bendahara", "nip": NIP},
    )
    assert response.status_code == 302
    invitation = db.session.scalar(select(AgencyInvitation))
    assert invitation is not None and invitation.nip == NIP
    assert f"NIP {NIP}" in admin_client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    link = re.search(r"(/agency-invitations/\S+)", sent_mail[0].body_text)
    assert link is not None
    invitee = UserFactory(email="bendahara@kota.test")
    visitor = app.test_client()
    assert login(visitor, invitee.email).status_code == 302
    assert visitor.post(link.group(1)).status_code == 302
    assert nips_of(invitee) == [("bendahara", NIP)]


def test_the_city_admin_edits_and_clears_a_members_nip(
    admin_client: FlaskClient, admin: User
) -> None:
    agency = AgencyFactory()
    user = UserFactory()
    ppk = AgencyMemberFactory(agency=agency, user=user, role="ppk")
    AgencyMemberFactory(agency=agency, user=user, role="penerima")
    url = f"/admin/agencies/{agency.id}/members/{ppk.id}/nip"
    field = "nip"

    refused = admin_client.post(url, data={field: "1980010120050110AB"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "NIP hanya berisi angka, tanpa huruf atau tanda lain." in body
    assert f'id="member-{ppk.id}-nip"' in body and 'aria-invalid="true"' in body
    assert f'<label for="member-{ppk.id}-nip">NIP {user.full_name}</label>' in body
    assert nips_of(user) == [("penerima", None), ("ppk", None)]

    assert admin_client.post(url, data={field: NIP}).status_code == 302
    assert nips_of(user) == [("penerima", NIP), ("ppk", NIP)]  # one person, one NIP
    assert admin_client.post(url, data={field: ""}).status_code == 302
    assert nips_of(user) == [("penerima", None), ("ppk", None)]
    actions = list(
        db.session.scalars(
            select(AuditLog.action).where(AuditLog.action == "agency.member_nip_changed")
        )
    )
    assert actions == ["agency.member_nip_changed"] * 2

    # Another agency's member, or one that does not exist: not found, nothing changed.
    stranger = AgencyMemberFactory(role="ppk")
    foreign = f"/admin/agencies/{agency.id}/members/{stranger.id}/nip"
    assert admin_client.post(foreign, data={"nip": NIP}).status_code == 404
    assert admin_client.post(f"/admin/agencies/{agency.id}/members/0/nip").status_code == 404
    db.session.refresh(stranger)
    assert stranger.nip is None


def test_only_the_city_admin_sets_a_nip(app_ctx: Flask) -> None:
    member = AgencyMemberFactory(role="ppk")
    with pytest.raises(PermissionDenied):
        agencies.set_member_nip(member.agency_id, member.id, member.user, NIP)
    admin = UserFactory(is_city_admin=True)
    with pytest.raises(NotFound):
        agencies.set_member_nip(AgencyFactory().id, member.id, admin, NIP)
    with pytest.raises(agencies.InvalidNip):
        agencies.set_member_nip(member.agency_id, member.id, admin, "123")
    assert member.nip is None
