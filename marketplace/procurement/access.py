"""Route policies for agency members, by procurement role."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.policy import Policy
from marketplace.procurement.models import AgencyMember, ProcurementRole


def agency_roles_of(user: Any) -> set[tuple[int, str]]:
    """The (agency id, role) pairs the user holds; looked up once per request."""
    if not user or not user.is_authenticated:
        return set()
    cache: dict[int, set[tuple[int, str]]] = g.setdefault("agency_roles", {})
    if user.id not in cache:
        rows = db.session.execute(
            select(AgencyMember.agency_id, AgencyMember.role).where(AgencyMember.user_id == user.id)
        ).all()
        cache[user.id] = {(agency_id, role) for agency_id, role in rows}
    return cache[user.id]


def has_role(user: Any, role: ProcurementRole, agency_id: int | None = None) -> bool:
    return any(
        r == role and (agency_id is None or a == agency_id) for a, r in agency_roles_of(user)
    )


AGENCY_MEMBER = Policy("agency_member", lambda user: bool(agency_roles_of(user)))


def agency_role(role: ProcurementRole) -> Policy:
    """Only members holding ``role`` in some agency (the service then checks which agency)."""
    return Policy(f"agency_{role.value}", lambda user: has_role(user, role))


def _participant(user: Any) -> bool:
    from marketplace.cooperatives.access import membership_of

    return bool(agency_roles_of(user)) or membership_of(user) is not None


#: Agency members and cooperative members: the worklist, notifications and documents (the
#: services then show each only their own agency's or cooperative's).
PROCUREMENT_PARTICIPANT = Policy("procurement_participant", _participant)

#: City administrators (every agency) and agency members (their own agencies).
REPORT_READER = Policy(
    "procurement_report_reader",
    lambda user: bool(user.is_authenticated and (user.is_city_admin or agency_roles_of(user))),
)
