"""Invitations by email, one service for every kind: a cooperative owner's invitation to join as
staff and the city's invitation to hold a role in an agency.

An invitation is a row (the address, who invited it, when it was accepted or revoked:
`InvitationMixin`) and a signed link that expires. The link names the row and the address, so
it works only while the row is open (once), and only for the account with that address. Each kind
says where its rows live, its salt, how long its links last and which page opens them
(`InvitationKind`). Who may invite, what the email says and what accepting grants stay with the
cooperatives and procurement, which both build on this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.accounts.exceptions import InvalidInvitation, InvitationForSomeoneElse
from marketplace.accounts.models import User
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.urls import absolute_url


class InvitationMixin:
    """The columns every invitation table has; the table adds whose invitation it is."""

    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revoked_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


I = TypeVar("I", bound=InvitationMixin)  # noqa: E741 - the invitation model
G = TypeVar("G")


def _always(_invitation: Any) -> bool:
    return True


@dataclass(frozen=True)
class InvitationKind(Generic[I]):
    """One kind of invitation: its table, the column naming whose invitation it is, the salt
    of its links, the setting of their lifetime in seconds and the page that opens them."""

    model: type[I]
    owner_column: str
    salt: str
    max_age_setting: str
    join_endpoint: str
    #: Whether an open invitation may still be used (a suspended cooperative's may not).
    usable: Callable[[I], bool] = _always

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def token(self, invitation: I) -> str:
        """The signed token of an invitation's link."""
        row: Any = invitation  # every invitation table has its own ``id``
        return str(self._serializer().dumps({"inv": row.id, "email": row.email}))

    def join_url(self, invitation: I) -> str:
        return absolute_url(self.join_endpoint, token=self.token(invitation))

    def valid_days(self) -> int:
        """How many days a link works, as the email tells it."""
        return int(current_app.config[self.max_age_setting]) // 86400


def open_invitations(kind: InvitationKind[I], owner_id: int) -> list[I]:
    """The owner's invitations not yet accepted nor revoked, newest first."""
    model: Any = kind.model
    return list(
        db.session.scalars(
            select(model)
            .where(
                getattr(model, kind.owner_column) == owner_id,
                model.accepted_at.is_(None),
                model.revoked_at.is_(None),
            )
            .order_by(model.id.desc())
        )
    )


def create(
    kind: InvitationKind[I], owner_id: int, email: str, invited_by_id: int, **values: Any
) -> I:
    """A new open invitation for ``email``. Inviting the same address again (to the same
    ``values``, an agency's role) revokes the earlier one, so only the newest link works."""
    email = email.strip().lower()
    for old in open_invitations(kind, owner_id):
        if old.email == email and all(getattr(old, k) == v for k, v in values.items()):
            old.revoked_at = utcnow()
    model: Any = kind.model  # a mapped table: its constructor takes its columns
    invitation: I = model(
        **{kind.owner_column: owner_id},
        email=email,
        invited_by_id=invited_by_id,
        **values,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def revoke(kind: InvitationKind[I], owner_id: int, invitation_id: int) -> I:
    """Revoke one of the owner's open invitations; another owner's, or a closed one, is not
    found."""
    model: Any = kind.model
    invitation: I | None = db.session.scalar(
        select(model).where(
            model.id == invitation_id, getattr(model, kind.owner_column) == owner_id
        )
    )
    if invitation is None or not invitation.is_open:
        raise NotFound()
    invitation.revoked_at = utcnow()
    db.session.flush()
    return invitation


def for_token(kind: InvitationKind[I], token: str) -> I:
    """The open invitation a link belongs to; expired, revoked or used links are refused."""
    max_age = current_app.config[kind.max_age_setting]
    try:
        data = kind._serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired) as error:
        raise InvalidInvitation() from error
    invitation = db.session.get(kind.model, data.get("inv"))
    if (
        invitation is None
        or invitation.email != data.get("email")
        or not invitation.is_open
        or not kind.usable(invitation)
    ):
        raise InvalidInvitation()
    return invitation


def accept(kind: InvitationKind[I], user: User, token: str, grant: Callable[[I], G]) -> G:
    """Accept a link: only the account with the invited address may, and only once. ``grant``
    gives what the invitation was for (a membership, a role) and its result is returned."""
    invitation = for_token(kind, token)
    if user.email.lower() != invitation.email:
        raise InvitationForSomeoneElse()
    granted = grant(invitation)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    return granted
