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

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts import invitations
from marketplace.accounts.models import User
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


class AlreadyHoldsRole(DomainError):
    default_message = _l("Orang ini sudah memegang peran itu di instansi ini.")


class UnknownRole(DomainError):
    default_message = _l("Pilih salah satu dari daftar.")


class InvalidNip(DomainError):
    default_message = _l("NIP harus tepat 18 angka.")


NIP_LENGTH = 18


def clean_nip(value: str | None) -> str | None:
    """A NIP as stored: the 18 digits without the spaces, dots or dashes people type between
    its parts (``19800101 200501 1 001``); empty is None (the document then prints a dotted line
    for the officer to fill by hand). Anything else is refused with what is wrong with it."""
    text = "".join((value or "").split()).replace(".", "").replace("-", "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InvalidNip(str(_l("NIP hanya berisi angka, tanpa huruf atau tanda lain.")))
    if len(text) != NIP_LENGTH:
        raise InvalidNip(
            str(_l("NIP harus tepat 18 angka; yang diisi %(count)d angka.", count=len(text)))
        )
    return text


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
    agency_id: int, actor: User, email: str, role: str, nip: str | None = None
) -> AgencyMember | AgencyInvitation:
    """Give the account with this email the role; without an account, invite the address.
    Without a NIP, a person who already holds another role here keeps the NIP recorded there."""
    _require_city_admin(actor)
    agency = _agency(agency_id)
    role_value = _role(role)
    nip_value = clean_nip(nip)
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        return _invite(agency, actor, email, role_value, nip_value)
    held = db.session.scalar(
        select(AgencyMember.id).where(
            AgencyMember.agency_id == agency.id,
            AgencyMember.user_id == user.id,
            AgencyMember.role == role_value,
        )
    )
    if held:
        raise AlreadyHoldsRole()
    member = AgencyMember(
        agency_id=agency.id,
        user_id=user.id,
        role=role_value,
        nip=nip_value or _recorded_nip(agency.id, user.id),
    )
    db.session.add(member)
    db.session.flush()
    if nip_value:
        _set_nip(agency.id, user.id, nip_value)
    audit.record(
        "agency.member_added",
        member,
        actor_id=actor.id,
        data={"agency_id": agency.id, "user_id": user.id, "role": str(role_value)},
    )
    return member


def _recorded_nip(agency_id: int, user_id: int) -> str | None:
    return db.session.scalar(
        select(AgencyMember.nip)
        .where(
            AgencyMember.agency_id == agency_id,
            AgencyMember.user_id == user_id,
            AgencyMember.nip.is_not(None),
        )
        .order_by(AgencyMember.id)
        .limit(1)
    )


def _set_nip(agency_id: int, user_id: int, nip: str | None) -> None:
    """One person, one NIP: every role they hold in the agency carries it."""
    for row in db.session.scalars(
        select(AgencyMember).where(
            AgencyMember.agency_id == agency_id, AgencyMember.user_id == user_id
        )
    ):
        row.nip = nip
    db.session.flush()


def set_member_nip(agency_id: int, member_id: int, actor: User, nip: str | None) -> AgencyMember:
    """Record (or clear) a member's NIP, on each role the person holds in the agency."""
    _require_city_admin(actor)
    member = db.session.scalar(
        select(AgencyMember).where(
            AgencyMember.id == member_id, AgencyMember.agency_id == agency_id
        )
    )
    if member is None:
        raise NotFound()
    value = clean_nip(nip)
    if member.nip != value:
        _set_nip(agency_id, member.user_id, value)
        audit.record(
            "agency.member_nip_changed",
            member,
            actor_id=actor.id,
            data={"agency_id": agency_id, "user_id": member.user_id, "nip": value},
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


#: Agency roles for people without an account: the city's, opened at /agency-invitations/<token>.
INVITATIONS = invitations.InvitationKind(
    model=AgencyInvitation,
    owner_column="agency_id",
    salt="procurement.agency-invitation",
    max_age_setting="AGENCY_INVITATION_MAX_AGE",
    join_endpoint="agency_invitations.join",
)


def open_invitations(agency_id: int) -> list[AgencyInvitation]:
    return invitations.open_invitations(INVITATIONS, agency_id)


def _invite(
    agency: Agency, actor: User, email: str, role: ProcurementRole, nip: str | None
) -> AgencyInvitation:
    """Email a signed, expiring link. Inviting the same address to the same role again replaces
    the earlier link (whatever NIP either carried)."""
    invitation = invitations.create(
        INVITATIONS, agency.id, email, invited_by_id=actor.id, role=role
    )
    invitation.nip = nip
    queue_email(
        email,
        "agency_invitation",
        None,
        agency=agency,
        role=role,
        join_url=INVITATIONS.join_url(invitation),
        register_url=absolute_url("accounts.register"),
        days=INVITATIONS.valid_days(),
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
    invitation = invitations.revoke(INVITATIONS, agency_id, invitation_id)
    audit.record(
        "agency.invitation_revoked",
        invitation,
        actor_id=actor.id,
        data={"agency_id": agency_id, "email": invitation.email},
    )


def invitation_for_token(token: str) -> AgencyInvitation:
    """The open invitation a link belongs to; expired, revoked or used links are refused."""
    return invitations.for_token(INVITATIONS, token)


def accept_invitation(user: User, token: str) -> AgencyMember:
    """Take the role. Only the account with the invited email may accept, and only once."""

    def take_role(invitation: AgencyInvitation) -> AgencyMember:
        member = db.session.scalar(
            select(AgencyMember).where(
                AgencyMember.agency_id == invitation.agency_id,
                AgencyMember.user_id == user.id,
                AgencyMember.role == invitation.role,
            )
        )
        if member is None:
            member = AgencyMember(
                agency_id=invitation.agency_id, user_id=user.id, role=invitation.role
            )
            db.session.add(member)
        nip = invitation.nip or _recorded_nip(invitation.agency_id, user.id)
        db.session.flush()
        if nip:
            _set_nip(invitation.agency_id, user.id, nip)
        return member

    member = invitations.accept(INVITATIONS, user, token, take_role)
    audit.record(
        "agency.invitation_accepted",
        member,
        actor_id=user.id,
        data={"agency_id": member.agency_id, "role": member.role},
    )
    return member
