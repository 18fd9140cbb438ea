"""Route policies for cooperative members. The membership is looked up once per request."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.cooperatives.models import CooperativeMember
from marketplace.extensions import db
from marketplace.policy import Policy


def membership_of(user: Any) -> CooperativeMember | None:
    """The signed-in user's cooperative membership, or None."""
    if not user or not user.is_authenticated:
        return None
    cache: dict[int, CooperativeMember | None] = g.setdefault("cooperative_membership", {})
    if user.id not in cache:
        cache[user.id] = db.session.scalar(
            select(CooperativeMember)
            .options(joinedload(CooperativeMember.cooperative))
            .where(CooperativeMember.user_id == user.id)
        )
    return cache[user.id]


def forget_membership() -> None:
    """Drop the per-request cache (after a membership was created or removed in this request)."""
    g.pop("cooperative_membership", None)


def _active(user: Any) -> CooperativeMember | None:
    membership = membership_of(user)
    return membership if membership and membership.cooperative.is_approved else None


#: Any member, whatever the cooperative's status: the application's status page and its edit.
COOPERATIVE_MEMBER = Policy("cooperative_member", lambda user: membership_of(user) is not None)
COOPERATIVE_OWNER = Policy(
    "cooperative_owner",
    lambda user: (m := membership_of(user)) is not None and m.is_owner,
)
#: A member of an approved cooperative: the workspace (listings, stock, imports).
ACTIVE_COOPERATIVE_MEMBER = Policy(
    "active_cooperative_member", lambda user: _active(user) is not None
)
#: The owner of an approved cooperative: its profile, bank account and members.
ACTIVE_COOPERATIVE_OWNER = Policy(
    "active_cooperative_owner",
    lambda user: (m := _active(user)) is not None and m.is_owner,
)
