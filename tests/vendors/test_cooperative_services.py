"""Cooperative rules as services: applying, the city's decisions, owner-only changes, invites."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.exceptions import InvalidInvitation, InvitationForSomeoneElse
from marketplace.audit import AuditLog
from marketplace.cooperatives import services
from marketplace.cooperatives.exceptions import (
    AlreadyMember,
    CannotRemoveOwner,
    CityAdminOnly,
    InvalidTransition,
    OwnerOnly,
    ReasonRequired,
)
from marketplace.cooperatives.models import CooperativeMember, CooperativeStatus, MemberRole
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from tests.factories import CooperativeFactory, CooperativeMemberFactory, UserFactory


def application(**changes: Any) -> services.ApplicationData:
    values: dict[str, Any] = {
        "name": "Koppontren Al-Amin",
        "kind": "koppontren",
        "pesantren_name": "Pondok Pesantren Al-Amin",
        "description": "Keripik dan sambal.",
        "kecamatan": "Kranggan",
        "kelurahan": "Sooko",
        "address": "Jl. Kenanga 5",
        "postal_code": "61321",
        "whatsapp": "6281234567001",
        "email": "alamin@example.test",
        "nib": "1234567890123",
        "npwp": "012345678901234",
        "is_pkp": False,
        "pp55_certificate_number": None,
        "pp55_valid_until": None,
        "bank_name": "Bank Jatim",
        "bank_account_number": "0012345678",
        "bank_account_holder": "Koppontren Al-Amin",
    }
    values.update(changes)
    return services.ApplicationData(**values)


def outbox_to(address: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
        )
    )


def test_applying_creates_a_pending_cooperative_owned_by_the_applicant(app_ctx: Flask) -> None:
    user = UserFactory()
    cooperative = services.apply_for_cooperative(user, application())
    assert cooperative.status == CooperativeStatus.PENDING
    assert cooperative.slug == "koppontren-al-amin"
    member = db.session.scalar(
        select(CooperativeMember).where(CooperativeMember.user_id == user.id)
    )
    assert member is not None and member.role == MemberRole.OWNER
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "cooperative.applied"))


def test_cooperative_slugs_stay_unique(app_ctx: Flask) -> None:
    first = services.apply_for_cooperative(UserFactory(), application())
    second = services.apply_for_cooperative(UserFactory(), application())
    assert (first.slug, second.slug) == ("koppontren-al-amin", "koppontren-al-amin-2")


def test_a_member_cannot_apply_for_a_second_cooperative(app_ctx: Flask) -> None:
    member = CooperativeMemberFactory()
    with pytest.raises(AlreadyMember):
        services.apply_for_cooperative(member.user, application())


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve", CooperativeStatus.PENDING, CooperativeStatus.APPROVED),
        ("request_changes", CooperativeStatus.PENDING, CooperativeStatus.CHANGES_REQUESTED),
        ("reject", CooperativeStatus.PENDING, CooperativeStatus.REJECTED),
        ("reject", CooperativeStatus.CHANGES_REQUESTED, CooperativeStatus.REJECTED),
        ("suspend", CooperativeStatus.APPROVED, CooperativeStatus.SUSPENDED),
        ("reinstate", CooperativeStatus.SUSPENDED, CooperativeStatus.APPROVED),
    ],
)
def test_the_city_decides_with_a_reason_emailed_to_the_owners(
    app_ctx: Flask, action: str, start: str, end: str
) -> None:
    admin = UserFactory(is_city_admin=True)
    owner = CooperativeMemberFactory(cooperative__status=start, user__locale="id")
    cooperative = owner.cooperative
    services.decide(cooperative, action, admin, "Foto NIB kurang jelas")
    assert cooperative.status == end
    assert cooperative.status_reason == "Foto NIB kurang jelas"
    emails = outbox_to(owner.user.email)
    assert len(emails) == 1 and "Foto NIB kurang jelas" in emails[0].body_text
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == f"cooperative.{action}"))
    assert entry is not None and entry.actor_id == admin.id and entry.data["reason"]
    if end == CooperativeStatus.APPROVED:
        assert cooperative.approved_at is not None


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("approve", CooperativeStatus.APPROVED),
        ("approve", CooperativeStatus.REJECTED),
        ("suspend", CooperativeStatus.PENDING),
        ("reinstate", CooperativeStatus.APPROVED),
        ("request_changes", CooperativeStatus.SUSPENDED),
        ("reject", CooperativeStatus.APPROVED),
        ("bogus", CooperativeStatus.PENDING),
    ],
)
def test_decisions_outside_the_state_machine_are_refused(
    app_ctx: Flask, action: str, start: str
) -> None:
    cooperative = CooperativeFactory(status=start)
    with pytest.raises(InvalidTransition):
        services.decide(cooperative, action, UserFactory(is_city_admin=True), "alasan")
    assert cooperative.status == start


@pytest.mark.parametrize("action", ["request_changes", "reject", "suspend"])
def test_refusals_need_a_reason(app_ctx: Flask, action: str) -> None:
    start = CooperativeStatus.APPROVED if action == "suspend" else CooperativeStatus.PENDING
    cooperative = CooperativeFactory(status=start)
    with pytest.raises(ReasonRequired):
        services.decide(cooperative, action, UserFactory(is_city_admin=True), "   ")


def test_only_a_city_admin_decides(app_ctx: Flask) -> None:
    cooperative = CooperativeFactory(status=CooperativeStatus.PENDING)
    with pytest.raises(CityAdminOnly):
        services.approve(cooperative, UserFactory())
    assert cooperative.status == CooperativeStatus.PENDING


def test_correcting_an_application_sends_it_back_for_review(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory(cooperative__status=CooperativeStatus.PENDING)
    services.request_changes(owner.cooperative, UserFactory(is_city_admin=True), "NPWP salah")
    services.update_application(owner, application(npwp="0123456789012345"))
    cooperative = owner.cooperative
    assert cooperative.status == CooperativeStatus.PENDING
    assert cooperative.npwp == "0123456789012345"
    assert cooperative.status_reason is None


def test_an_approved_application_can_no_longer_be_edited(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    with pytest.raises(InvalidTransition):
        services.update_application(owner, application(name="Nama Lain"))


def test_staff_cannot_change_the_profile_bank_account_or_members(app_ctx: Flask) -> None:
    staff = CooperativeMemberFactory(role=MemberRole.STAFF)
    other = CooperativeMemberFactory(cooperative=staff.cooperative, role=MemberRole.STAFF)
    bank_before = staff.cooperative.bank_account_number
    with pytest.raises(OwnerOnly):
        services.update_bank_account(staff, services.BankAccountData("BRI", "999999", "X"))
    with pytest.raises(OwnerOnly):
        services.update_profile(
            staff,
            services.ProfileData(
                "d", "k", "a", "61315", "6281234567890", None, False, None, None, 0
            ),
        )
    with pytest.raises(OwnerOnly):
        services.invite_staff(staff, "friend@example.test")
    with pytest.raises(OwnerOnly):
        services.remove_member(staff, other.id)
    with pytest.raises(OwnerOnly):
        services.update_application(staff, application())
    assert staff.cooperative.bank_account_number == bank_before


def test_bank_account_changes_are_audited_with_old_and_new(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    services.update_bank_account(owner, services.BankAccountData("BRI", "5556667778", "Koperasi"))
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "cooperative.bank_account_changed")
    )
    assert entry is not None and "5556667778" in entry.data["to"]
    assert "0011223344" in entry.data["from"]


def _token_from_email(address: str) -> str:
    body = outbox_to(address)[-1].body_text
    match = re.search(r"/join/(\S+)", body)
    assert match, body
    return match.group(1)


def test_an_invited_person_joins_as_staff_once(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    invitation = services.invite_staff(owner, "Teman@Example.test")
    assert invitation.email == "teman@example.test"
    token = _token_from_email("teman@example.test")
    user = UserFactory(email="teman@example.test")
    member = services.accept_invitation(user, token)
    assert (member.cooperative_id, member.role) == (owner.cooperative_id, MemberRole.STAFF)
    with pytest.raises(InvalidInvitation):
        services.accept_invitation(UserFactory(email="x@example.test"), token)


def test_an_invitation_is_only_for_its_email_address(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    services.invite_staff(owner, "teman@example.test")
    token = _token_from_email("teman@example.test")
    with pytest.raises(InvitationForSomeoneElse):
        services.accept_invitation(UserFactory(email="orang.lain@example.test"), token)


def test_expired_revoked_and_forged_invitations_are_refused(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    invitation = services.invite_staff(owner, "teman@example.test")
    token = _token_from_email("teman@example.test")
    user = UserFactory(email="teman@example.test")
    app_ctx.config["COOPERATIVE_INVITATION_MAX_AGE"] = -1
    try:
        with pytest.raises(InvalidInvitation):
            services.accept_invitation(user, token)
    finally:
        app_ctx.config["COOPERATIVE_INVITATION_MAX_AGE"] = 7 * 86400
    with pytest.raises(InvalidInvitation):
        services.accept_invitation(user, token[:-3] + "abc")
    services.revoke_invitation(owner, invitation.id)
    with pytest.raises(InvalidInvitation):
        services.accept_invitation(user, token)


def test_inviting_again_replaces_the_earlier_link(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    first = services.invite_staff(owner, "teman@example.test")
    services.invite_staff(owner, "teman@example.test")
    assert first.revoked_at is not None
    assert len(services.list_open_invitations(owner.cooperative_id)) == 1


def test_a_member_of_another_cooperative_cannot_accept(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    other = CooperativeMemberFactory(user__email="teman@example.test")
    services.invite_staff(owner, "teman@example.test")
    with pytest.raises(AlreadyMember):
        services.accept_invitation(other.user, _token_from_email("teman@example.test"))


def test_the_owner_removes_staff_but_never_an_owner(app_ctx: Flask) -> None:
    owner = CooperativeMemberFactory()
    staff = CooperativeMemberFactory(cooperative=owner.cooperative, role=MemberRole.STAFF)
    with pytest.raises(CannotRemoveOwner):
        services.remove_member(owner, owner.id)
    services.remove_member(owner, staff.id)
    assert [m.id for m in services.list_members(owner.cooperative_id)] == [owner.id]


def test_pp55_validity_is_kept_from_the_application(app_ctx: Flask) -> None:
    cooperative = services.apply_for_cooperative(
        UserFactory(),
        application(pp55_certificate_number="KET-123", pp55_valid_until=date(2027, 12, 31)),
    )
    assert cooperative.has_valid_pp55(date(2027, 1, 1))
