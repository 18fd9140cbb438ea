"""The demo's people: one password for every demo account, found or made by email."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.services import create_user, find_user_by_email
from marketplace.cooperatives.models import (
    CooperativeMember,
    MemberRole,
)
from marketplace.extensions import db

DEMO_PASSWORD = "opop-demo"  # noqa: S105 - published in the README for the demo


def demo_user(email: str, name: str, *, is_city_admin: bool = False) -> User:
    """The demo account with this email, made (verified, Indonesian) when it is missing."""
    user = find_user_by_email(email)
    if user is None:
        user = create_user(
            email, DEMO_PASSWORD, name, verified=True, is_city_admin=is_city_admin, locale="id"
        )
    return user


def owner_of(cooperative_id: int) -> User:
    member = db.session.scalars(
        select(CooperativeMember).where(
            CooperativeMember.cooperative_id == cooperative_id,
            CooperativeMember.role == MemberRole.OWNER,
        )
    ).first()
    assert member is not None
    return member.user
