"""The city's administration of agencies (OPD): the agencies themselves, who holds which
procurement role in each, and invitations for people who have no account yet.

Adding someone by email gives an existing account the role at once; for an address without an
account it emails a signed, expiring link (``AGENCY_INVITATION_MAX_AGE``) that the person opens
after registering with that address. Every change is the city's (`_require_city_admin`) and is
audited with the administrator, except accepting an invitation, which is the invitee's.

Its exceptions live here rather than in ``procurement/exceptions.py``, which holds the pure,
strictly typed rules of the procurement workflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.database import utcnow
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.procurement.models import (
    Agency,
    AgencyInvitation,
    AgencyMember,
    ProcurementRole,
)
from marketplace.slugs import unique_slug
from marketplace.urls import absolute_url

_INVITATION_SALT = "procurement.agency-invitation"


class AlreadyHoldsRole(DomainError):
    default_message = _l("Orang ini sudah memegang peran itu di instansi ini.")


class InvalidAgencyInvitation(DomainError):
    default_message = _l("Undangan tidak valid, sudah dipakai, atau sudah kedaluwarsa.")


class AgencyInvitationForSomeoneElse(DomainError):
    default_message = _l(
        "Undangan ini dikirim ke alamat email lain. Masuk dengan akun yang memakai email itu."
    )


class UnknownRole(DomainError):
    default_message = _l("Pilih salah satu dari daftar.")


@dataclass
class AgencyData:
    name: str
    address: str
    npwp: str | None


def _require_city_admin(actor: User) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied()


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


def _role(role: str) -> ProcurementRole:
    try:
        return ProcurementRole(role)
    except ValueError as error:
        raise UnknownRole() from error


def create_agency(actor: User, data: AgencyData) -> Agency:
    _require_city_admin(actor)
    agency = Agency(
        name=data.name.strip(),
        slug=unique_slug(Agency.slug, data.name),
        address=(data.address or "").strip(),
        npwp=(data.npwp or "").strip() or None,
    )
    db.session.add(agency)
    db.session.flush()
    audit.record("agency.created", agency, actor_id=actor.id, data={"name": agency.name})
    return agency


def update_agency(agency_id: int, actor: User, data: AgencyData) -> Agency:
    _require_city_admin(actor)
    agency = _agency(agency_id)
    changed = []
    for key, value in (
        ("name", data.name.strip()),
        ("address", (data.address or "").strip()),
        ("npwp", (data.npwp or "").strip() or None),
    ):
        if getattr(agency, key) != value:
            setattr(agency, key, value)
            changed.append(key)
    if changed:
        db.session.flush()
        audit.record("agency.updated", agency, actor_id=actor.id, data={"fields": changed})
    return agency


def add_member(
    agency_id: int, actor: User, email: str, role: str
) -> AgencyMember | AgencyInvitation:
    """Give the account with this email the role; without an account, invite the address."""
    _require_city_admin(actor)
    agency = _agency(agency_id)
    role_value = _role(role)
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        return _invite(agency, actor, email, role_value)
    held = db.session.scalar(
        select(AgencyMember.id).where(
            AgencyMember.agency_id == agency.id,
            AgencyMember.user_id == user.id,
            AgencyMember.role == role_value,
        )
    )
    if held:
        raise AlreadyHoldsRole()
    member = AgencyMember(agency_id=agency.id, user_id=user.id, role=role_value)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "agency.member_added",
        member,
        actor_id=actor.id,
        data={"agency_id": agency.id, "user_id": user.id, "role": str(role_value)},
    )
    return member


def remove_member(agency_id: int, member_id: int, actor: User) -> None:
    """Take one role away from one person in one agency."""
    _require_city_admin(actor)
    member = db.session.scalar(
        select(AgencyMember).where(
            AgencyMember.id == member_id, AgencyMember.agency_id == agency_id
        )
    )
    if member is None:
        raise NotFound()
    audit.record(
        "agency.member_removed",
        member,
        actor_id=actor.id,
        data={"agency_id": agency_id, "user_id": member.user_id, "role": member.role},
    )
    db.session.delete(member)
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_INVITATION_SALT)


def open_invitations(agency_id: int) -> list[AgencyInvitation]:
    return list(
        db.session.scalars(
            select(AgencyInvitation)
            .where(
                AgencyInvitation.agency_id == agency_id,
                AgencyInvitation.accepted_at.is_(None),
                AgencyInvitation.revoked_at.is_(None),
            )
            .order_by(AgencyInvitation.id.desc())
        )
    )


def _invite(agency: Agency, actor: User, email: str, role: ProcurementRole) -> AgencyInvitation:
    """Email a signed, expiring link. Inviting the same address to the same role again replaces
    the earlier link."""
    for old in open_invitations(agency.id):
        if old.email == email and old.role == role:
            old.revoked_at = utcnow()
    invitation = AgencyInvitation(
        agency_id=agency.id, email=email, role=role, invited_by_id=actor.id
    )
    db.session.add(invitation)
    db.session.flush()
    token = _serializer().dumps({"inv": invitation.id, "email": email})
    queue_email(
        email,
        "agency_invitation",
        None,
        agency=agency,
        role=role,
        join_url=absolute_url("agency_invitations.join", token=token),
        register_url=absolute_url("accounts.register"),
        days=current_app.config["AGENCY_INVITATION_MAX_AGE"] // 86400,
    )
    audit.record(
        "agency.invited",
        invitation,
        actor_id=actor.id,
        data={"agency_id": agency.id, "email": email, "role": str(role)},
    )
    return invitation


def revoke_invitation(agency_id: int, invitation_id: int, actor: User) -> None:
    _require_city_admin(actor)
    invitation = db.session.scalar(
        select(AgencyInvitation).where(
            AgencyInvitation.id == invitation_id, AgencyInvitation.agency_id == agency_id
        )
    )
    if invitation is None or not invitation.is_open:
        raise NotFound()
    invitation.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        "agency.invitation_revoked",
        invitation,
        actor_id=actor.id,
        data={"agency_id": agency_id, "email": invitation.email},
    )


def invitation_for_token(token: str) -> AgencyInvitation:
    """The open invitation a link belongs to; expired, revoked or used links are refused."""
    max_age = current_app.config["AGENCY_INVITATION_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired) as error:
        raise InvalidAgencyInvitation() from error
    invitation = db.session.get(AgencyInvitation, data.get("inv"))
    if invitation is None or invitation.email != data.get("email") or not invitation.is_open:
        raise InvalidAgencyInvitation()
    return invitation


def accept_invitation(user: User, token: str) -> AgencyMember:
    """Take the role. Only the account with the invited email may accept, and only once."""
    invitation = invitation_for_token(token)
    if user.email.lower() != invitation.email:
        raise AgencyInvitationForSomeoneElse()
    member = db.session.scalar(
        select(AgencyMember).where(
            AgencyMember.agency_id == invitation.agency_id,
            AgencyMember.user_id == user.id,
            AgencyMember.role == invitation.role,
        )
    )
    if member is None:
        member = AgencyMember(agency_id=invitation.agency_id, user_id=user.id, role=invitation.role)
        db.session.add(member)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    audit.record(
        "agency.invitation_accepted",
        member,
        actor_id=user.id,
        data={"agency_id": invitation.agency_id, "role": invitation.role},
    )
    return member
