"""Sign-ins: each login on each device is a `UserSession` row, and only a live row signs in.

Flask-Login keeps ``User.get_id()`` ("<user id>:<session version>:<token>") in the signed session
cookie and, after "Ingat saya", in the remember cookie for `REMEMBER_COOKIE_DURATION`. Both
cookies stay valid wherever they are copied to, so a signature alone cannot be taken back: the
loader also asks for the sign-in's row. Logging out deletes this device's row (a copied cookie
or a remember cookie left on a shared computer then signs nobody in); bumping
``session_version`` and deleting every row of a user ends all their sign-ins.

A sign-in lasts at most `max_age` after login, the longer of the remember cookie's and the
session's lifetimes: the loader refuses an older row, and a daily job deletes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select

from marketplace import audit
from marketplace.accounts.exceptions import AccountDisabled
from marketplace.accounts.models import User, UserSession
from marketplace.database import utcnow
from marketplace.extensions import db


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _as_timedelta(value: int | float | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def max_age() -> timedelta:
    """How long a sign-in lasts after login, however often it is used."""
    remember = _as_timedelta(current_app.config["REMEMBER_COOKIE_DURATION"])
    return max(remember, current_app.permanent_session_lifetime)


def sign_in(user: User, *, remember: bool = False) -> None:
    """Sign the user in on this device. Every way in goes through here, so that every
    sign-in has a row for logging out to delete."""
    if not user.is_active:
        raise AccountDisabled()
    # A fresh session at login, so a session id planted before login is worthless.
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_digest(token)))
    db.session.flush()
    user.sign_in_token = token
    login_user(user, remember=remember)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a live sign-in, else nobody (a guest)."""
    parts = session_id.split(":")
    if len(parts) != 3:
        return None
    user_id, version, token = parts
    if not user_id.isdecimal() or not version.isdecimal() or not token:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            UserSession.token_hash == _digest(token),
            UserSession.created_at > utcnow() - max_age(),
        )
    )
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    user.sign_in_token = token
    return user


def sign_out() -> None:
    """End this device's sign-in: its row, the session and the remember cookie."""
    token = current_user.sign_in_token if current_user.is_authenticated else None
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))
    logout_user()
    session.clear()
    # Flask-Login deletes the remember cookie when the session says "_remember": "clear";
    # logout_user wrote that, but only when the cookie came with this request, and the clear
    # above erased it. Say it again, always: the response then carries the deletion.
    session["_remember"] = "clear"


def end_all_sign_ins(user: User) -> None:
    """Sign the user out on every device (password changed or reset, account disabled or
    erased, or asked for): the cookies' version no longer matches and no row is left."""
    user.session_version += 1
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def sign_out_everywhere(user: User) -> None:
    """The user's own "sign out of all devices" (this one too: the route signs it out)."""
    end_all_sign_ins(user)
    audit.record("account.signed_out_everywhere", user, actor_id=user.id)


def purge_expired_sign_ins() -> int:
    """Delete the sign-ins older than `max_age`, which the loader refuses already. A periodic
    task (daily)."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.created_at <= utcnow() - max_age())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
