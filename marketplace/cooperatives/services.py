"""Cooperative rules: applying to sell, the city's decisions, the profile, and staff invitations.

The city's decisions are a small state machine (`DECISIONS`, a `transitions.TransitionTable`
keyed by the decision's name); anything else raises `InvalidTransition`.
Every decision records its reason, is audited, and is emailed to the owners.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from marketplace import audit, clock
from marketplace.accounts import invitations
from marketplace.accounts.models import User
from marketplace.cooperatives.exceptions import (
    AlreadyMember,
    CannotRemoveOwner,
    CityAdminOnly,
    InvalidTransition,
    OwnerOnly,
    ReasonRequired,
)
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    CooperativeMember,
    CooperativeStatus,
    MemberRole,
)
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.slugs import unique_slug
from marketplace.transitions import TransitionTable, guarded_move, row, rows
from marketplace.urls import absolute_url

S = CooperativeStatus
#: The city's decisions, by name: the statuses each may start from and the status it leads to.
DECISIONS: TransitionTable[CooperativeStatus, None, Cooperative] = TransitionTable(
    CooperativeStatus,
    (
        row(S.PENDING, S.APPROVED, action="approve"),
        row(S.PENDING, S.CHANGES_REQUESTED, action="request_changes"),
        *rows((S.PENDING, S.CHANGES_REQUESTED), S.REJECTED, action="reject"),
        row(S.APPROVED, S.SUSPENDED, action="suspend"),
        row(S.SUSPENDED, S.APPROVED, action="reinstate"),
    ),
    lambda _source, _target: InvalidTransition(),
)
#: Decisions that must say why (the owners read it in the email and in the workspace).
NEEDS_REASON = frozenset({"request_changes", "reject", "suspend"})


@dataclass
class ApplicationData:
    """What a cooperative tells the city when it applies (and corrects when asked)."""

    name: str
    kind: str
    pesantren_name: str | None
    description: str
    kecamatan: str
    kelurahan: str
    address: str
    postal_code: str
    whatsapp: str
    email: str | None
    nib: str
    npwp: str
    is_pkp: bool
    pp55_certificate_number: str | None
    pp55_valid_until: date | None
    bank_name: str
    bank_account_number: str
    bank_account_holder: str


@dataclass
class ProfileData:
    """What the owner of an approved cooperative may change without a new review."""

    description: str
    kelurahan: str
    address: str
    postal_code: str
    whatsapp: str
    email: str | None
    is_pkp: bool
    pp55_certificate_number: str | None
    pp55_valid_until: date | None
    local_delivery_fee: int
    free_courier_minimum: int | None = None


@dataclass
class BankAccountData:
    bank_name: str
    bank_account_number: str
    bank_account_holder: str


def _clean(data: Any) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(data).items()}


def require_owner(membership: CooperativeMember) -> None:
    """Staff may do everything in the workspace except change the profile, bank or members."""
    if not membership.is_owner:
        raise OwnerOnly()


# ---------------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------------


def apply_for_cooperative(user: User, data: ApplicationData) -> Cooperative:
    """Open a cooperative application; the applicant becomes its owner. It waits as pending."""
    if db.session.scalar(select(CooperativeMember.id).where(CooperativeMember.user_id == user.id)):
        raise AlreadyMember()
    fields = _clean(data)
    if fields["kind"] != "koppontren":
        fields["pesantren_name"] = fields["pesantren_name"] or None
    cooperative = Cooperative(
        **fields,
        slug=unique_slug(Cooperative.slug, data.name),
        status=CooperativeStatus.PENDING,
    )
    db.session.add(cooperative)
    db.session.flush()
    db.session.add(
        CooperativeMember(cooperative_id=cooperative.id, user_id=user.id, role=MemberRole.OWNER)
    )
    db.session.flush()
    audit.record(
        "cooperative.applied", cooperative, actor_id=user.id, cooperative_id=cooperative.id
    )
    return cooperative


def update_application(membership: CooperativeMember, data: ApplicationData) -> Cooperative:
    """Correct the application while it waits; when changes were requested, send it back."""
    require_owner(membership)
    cooperative = membership.cooperative
    if cooperative.status not in (S.PENDING, S.CHANGES_REQUESTED):
        raise InvalidTransition()
    for key, value in _clean(data).items():
        setattr(cooperative, key, value)
    if cooperative.status == S.CHANGES_REQUESTED:
        cooperative.status = S.PENDING
        audit.record(
            "cooperative.resubmitted",
            cooperative,
            actor_id=membership.user_id,
            cooperative_id=cooperative.id,
            data={"previous_reason": cooperative.status_reason},
        )
        cooperative.status_reason = None
    else:
        audit.record(
            "cooperative.application_updated",
            cooperative,
            actor_id=membership.user_id,
            cooperative_id=cooperative.id,
        )
    db.session.flush()
    return cooperative


# ---------------------------------------------------------------------------------------------
# The city's decisions
# ---------------------------------------------------------------------------------------------


def decide(cooperative: Cooperative, action: str, actor: User, reason: str = "") -> Cooperative:
    """Apply one of the city's decisions (see `DECISIONS`), audit it and email the owners."""
    if not actor.is_city_admin:
        raise CityAdminOnly()
    previous = cooperative.status
    target = DECISIONS.for_action(action, previous).target
    reason = reason.strip()
    if action in NEEDS_REASON and not reason:
        raise ReasonRequired()
    values: dict[str, Any] = {"status_reason": reason or None}
    if target == S.APPROVED and cooperative.approved_at is None:
        values["approved_at"] = utcnow()
    guarded_move(DECISIONS, cooperative, target, source=previous, values=values)
    audit.record(
        f"cooperative.{action}",
        cooperative,
        actor_id=actor.id,
        cooperative_id=cooperative.id,
        data={"from": str(previous), "to": str(target), "reason": reason},
    )
    for owner in owners(cooperative.id):
        queue_email(
            owner.email,
            "cooperative_status",
            owner.locale,
            user=owner,
            cooperative=cooperative,
            action=action,
            reason=reason,
            workspace_url=absolute_url("vendors.dashboard"),
        )
    return cooperative


def approve(cooperative: Cooperative, actor: User, reason: str = "") -> Cooperative:
    return decide(cooperative, "approve", actor, reason)


def request_changes(cooperative: Cooperative, actor: User, message: str) -> Cooperative:
    return decide(cooperative, "request_changes", actor, message)


def reject(cooperative: Cooperative, actor: User, reason: str) -> Cooperative:
    return decide(cooperative, "reject", actor, reason)


def suspend(cooperative: Cooperative, actor: User, reason: str) -> Cooperative:
    return decide(cooperative, "suspend", actor, reason)


def reinstate(cooperative: Cooperative, actor: User, reason: str = "") -> Cooperative:
    return decide(cooperative, "reinstate", actor, reason)


def allowed_decisions(cooperative: Cooperative) -> list[str]:
    """The decisions the city may take on this cooperative now, in `DECISIONS` order."""
    return DECISIONS.actions(cooperative.status)


def set_pilot(cooperative: Cooperative, actor: User, is_pilot: bool) -> Cooperative:
    """Mark (or unmark) one of the programme's pilot cooperatives (audited)."""
    if not actor.is_city_admin:
        raise CityAdminOnly()
    if cooperative.is_pilot != is_pilot:
        cooperative.is_pilot = is_pilot
        db.session.flush()
        audit.record(
            "cooperative.pilot_set" if is_pilot else "cooperative.pilot_unset",
            cooperative,
            actor_id=actor.id,
            cooperative_id=cooperative.id,
        )
    return cooperative


# ---------------------------------------------------------------------------------------------
# Profile and bank account (owner only)
# ---------------------------------------------------------------------------------------------


def update_profile(membership: CooperativeMember, data: ProfileData) -> Cooperative:
    require_owner(membership)
    cooperative = membership.cooperative
    changed = {}
    for key, value in _clean(data).items():
        if getattr(cooperative, key) != value:
            changed[key] = True
            setattr(cooperative, key, value)
    if changed:
        audit.record(
            "cooperative.profile_updated",
            cooperative,
            actor_id=membership.user_id,
            cooperative_id=cooperative.id,
            data={"fields": sorted(changed)},
        )
    db.session.flush()
    return cooperative


def update_bank_account(membership: CooperativeMember, data: BankAccountData) -> Cooperative:
    """Where the cooperative is paid: audited with the old and new account, for disputes. A
    changed account is announced to every owner by email (someone who took over one owner's
    login cannot quietly redirect the money) and holds payouts for
    PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE, counted from ``bank_account_changed_at``."""
    require_owner(membership)
    cooperative = membership.cooperative
    before = f"{cooperative.bank_name} {cooperative.bank_account_number}"
    cleaned = _clean(data)
    changed = any(getattr(cooperative, key) != value for key, value in cleaned.items())
    for key, value in cleaned.items():
        setattr(cooperative, key, value)
    audit.record(
        "cooperative.bank_account_changed",
        cooperative,
        actor_id=membership.user_id,
        cooperative_id=cooperative.id,
        data={"from": before, "to": f"{data.bank_name} {data.bank_account_number}"},
    )
    if changed:
        cooperative.bank_account_changed_at = clock.now()
        hours = int(current_app.config["PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"])
        for owner in owners(cooperative.id):
            queue_email(
                owner.email,
                "bank_account_changed",
                owner.locale,
                user=owner,
                cooperative=cooperative,
                changed_by=membership.user,
                hold_hours=hours,
                workspace_url=absolute_url("vendors.bank_account"),
            )
    db.session.flush()
    return cooperative


# ---------------------------------------------------------------------------------------------
# Members and invitations
# ---------------------------------------------------------------------------------------------


def active_members(cooperative_id: int) -> list[User]:
    """The cooperative's members whose accounts are not disabled: who is told of its orders."""
    return list(
        db.session.scalars(
            select(User)
            .join(CooperativeMember, CooperativeMember.user_id == User.id)
            .where(CooperativeMember.cooperative_id == cooperative_id, User.disabled_at.is_(None))
            .order_by(User.id)
        )
    )


def owners(cooperative_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CooperativeMember, CooperativeMember.user_id == User.id)
            .where(
                CooperativeMember.cooperative_id == cooperative_id,
                CooperativeMember.role == MemberRole.OWNER,
            )
            .order_by(User.id)
        )
    )


def list_members(cooperative_id: int) -> list[CooperativeMember]:
    return list(
        db.session.scalars(
            select(CooperativeMember)
            .where(CooperativeMember.cooperative_id == cooperative_id)
            .order_by(CooperativeMember.role, CooperativeMember.id)
        )
    )


def _usable(invitation: CooperativeInvitation) -> bool:
    return invitation.cooperative.status not in (S.REJECTED, S.SUSPENDED)


#: Staff invitations: the owner's, opened at /join/<token>.
INVITATIONS = invitations.InvitationKind(
    model=CooperativeInvitation,
    owner_column="cooperative_id",
    salt="cooperatives.invitation",
    max_age_setting="COOPERATIVE_INVITATION_MAX_AGE",
    join_endpoint="invitations.join",
    usable=_usable,
)


def list_open_invitations(cooperative_id: int) -> list[CooperativeInvitation]:
    return invitations.open_invitations(INVITATIONS, cooperative_id)


def invite_staff(membership: CooperativeMember, email: str) -> CooperativeInvitation:
    """Email an expiring link to join as staff. Inviting the same address again replaces the
    earlier link."""
    require_owner(membership)
    email = email.strip().lower()
    already = db.session.scalar(
        select(CooperativeMember.id)
        .join(User, User.id == CooperativeMember.user_id)
        .where(
            CooperativeMember.cooperative_id == membership.cooperative_id,
            func.lower(User.email) == email,
        )
    )
    if already:
        raise AlreadyMember()
    invitation = invitations.create(
        INVITATIONS, membership.cooperative_id, email, invited_by_id=membership.user_id
    )
    queue_email(
        email,
        "cooperative_invitation",
        None,
        cooperative=membership.cooperative,
        inviter=membership.user,
        join_url=INVITATIONS.join_url(invitation),
        days=INVITATIONS.valid_days(),
    )
    audit.record(
        "cooperative.staff_invited",
        invitation,
        actor_id=membership.user_id,
        cooperative_id=membership.cooperative_id,
        data={"email": email},
    )
    return invitation


def revoke_invitation(membership: CooperativeMember, invitation_id: int) -> None:
    require_owner(membership)
    invitation = invitations.revoke(INVITATIONS, membership.cooperative_id, invitation_id)
    audit.record(
        "cooperative.invitation_revoked",
        invitation,
        actor_id=membership.user_id,
        cooperative_id=membership.cooperative_id,
    )
    db.session.flush()


def invitation_for_token(token: str) -> CooperativeInvitation:
    """The open invitation a link belongs to; expired, revoked or used links are refused, and
    so are a rejected or suspended cooperative's."""
    return invitations.for_token(INVITATIONS, token)


def accept_invitation(user: User, token: str) -> CooperativeMember:
    """Join as staff. Only the account with the invited email may accept, and only once."""

    def join(invitation: CooperativeInvitation) -> CooperativeMember:
        if db.session.scalar(
            select(CooperativeMember.id).where(CooperativeMember.user_id == user.id)
        ):
            raise AlreadyMember()
        member = CooperativeMember(
            cooperative_id=invitation.cooperative_id, user_id=user.id, role=MemberRole.STAFF
        )
        db.session.add(member)
        return member

    member = invitations.accept(INVITATIONS, user, token, join)
    audit.record(
        "cooperative.staff_joined",
        member,
        actor_id=user.id,
        cooperative_id=member.cooperative_id,
    )
    return member


def remove_member(membership: CooperativeMember, member_id: int) -> None:
    """The owner removes a staff member. Owners cannot be removed here."""
    require_owner(membership)
    member = db.session.scalar(
        select(CooperativeMember).where(
            CooperativeMember.id == member_id,
            CooperativeMember.cooperative_id == membership.cooperative_id,
        )
    )
    if member is None:
        raise NotFound()
    if member.is_owner:
        raise CannotRemoveOwner()
    audit.record(
        "cooperative.staff_removed",
        member,
        actor_id=membership.user_id,
        cooperative_id=membership.cooperative_id,
        data={"user_id": member.user_id},
    )
    db.session.delete(member)
    db.session.flush()
