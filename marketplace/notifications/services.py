"""Telling the person who must act next: an in-app notice for everyone signed in, and an email
through the outbox unless the person turned email off for that kind of event, both in the
recipient's language.

`notify` adds to the session and flushes; the request (or the job) commits, and the emails go
out after the commit like every email of the outbox. Reading the list never writes: a notice is
marked read when it is opened (POST), or all at once (POST).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from flask import current_app, g, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.notifications import whatsapp
from marketplace.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
)
from marketplace.urls import absolute_url
from marketplace.validators import WHATSAPP_RE, normalize_whatsapp

#: The email a notice sends unless its caller names a template of its own.
EMAIL_TEMPLATE = "notification"


def notify(
    users: Iterable[User],
    kind: NotificationKind,
    message: Callable[[], Any],
    endpoint: str,
    *,
    email_template: str = EMAIL_TEMPLATE,
    email_context: Mapping[str, Any] | None = None,
    whatsapp_url: str | None = None,
    **values: Any,
) -> int:
    """Notify each user once: ``message`` is called in the user's language; the notice links
    to ``url_for(endpoint, **values)``, the email to the same page on SERVER_BASE_URL. The email
    (``email_template``, given ``user``, ``message``, ``link``, ``whatsapp_url``,
    ``settings_url`` and ``email_context``) is left out for those who turned email off for
    ``kind``. Returns how many were notified."""
    recipients = list({user.id: user for user in users}.values())
    if not recipients:
        return 0
    silent = _email_off(kind, [user.id for user in recipients])
    by_whatsapp = (
        _whatsapp_on(kind, [user.id for user in recipients]) if whatsapp.enabled() else set()
    )
    link = url_for(endpoint, **values)
    to_send: list[tuple[Notification, str]] = []
    for user in recipients:
        locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            text = str(message())
        notification = Notification(
            user_id=user.id,
            kind=kind.value,
            created_at=clock.now(),
            message=text[:500],
            link=link,
            whatsapp_url=whatsapp_url,
        )
        db.session.add(notification)
        phone = whatsapp.phone_of(user.phone) if user.id in by_whatsapp else None
        if phone is not None:
            to_send.append((notification, phone))
        if user.id not in silent:
            queue_email(
                user.email,
                email_template,
                locale,
                user=user,
                message=text,
                link=absolute_url(endpoint, **values),
                whatsapp_url=whatsapp_url,
                settings_url=absolute_url("notifications.settings"),
                **(email_context or {}),
            )
    db.session.flush()
    if to_send:
        page = absolute_url(endpoint, **values)
        for notification, phone in to_send:
            whatsapp.queue(notification, phone, page)
    return len(recipients)


def whatsapp_link(phone: str | None, order_number: str | None) -> str | None:
    """A wa.me link to ``phone`` with a message naming the order, in the site's language (the
    other party reads it); None without a number. Nothing is sent: the reader's own WhatsApp
    opens with the text written."""
    digits = normalize_whatsapp(phone or "")
    if not WHATSAPP_RE.match(digits) or not order_number:
        return None
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = _("Halo, tentang pesanan %(number)s di Pasar OPOP.", number=order_number)
    return f"https://wa.me/{digits}?text={quote(text)}"


def _whatsapp_on(kind: NotificationKind, user_ids: list[int]) -> set[int]:
    """Who of ``user_ids`` opted in to WhatsApp for ``kind`` (one query)."""
    return set(
        db.session.scalars(
            select(NotificationPreference.user_id).where(
                NotificationPreference.kind == kind.value,
                NotificationPreference.user_id.in_(user_ids),
                NotificationPreference.whatsapp.is_(True),
            )
        )
    )


def _email_off(kind: NotificationKind, user_ids: list[int]) -> set[int]:
    """Who of ``user_ids`` turned email off for ``kind`` (one query)."""
    return set(
        db.session.scalars(
            select(NotificationPreference.user_id).where(
                NotificationPreference.kind == kind.value,
                NotificationPreference.user_id.in_(user_ids),
                NotificationPreference.email.is_(False),
            )
        )
    )


# ------------------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    if not user or not user.is_authenticated:
        return 0
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def header_unread() -> int:
    """The signed-in user's unread notices for the header, counted once per request and only
    when a page shows them."""
    if not has_request_context():
        return 0
    if "notifications_unread" not in g:
        g.notifications_unread = unread_count(current_user)
    return int(g.notifications_unread)


def list_notifications(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def open_notification(user: User, notification_id: int) -> str:
    """Mark one of the user's notices read and return its link; another's is not found."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()
    return notification.link


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------
# Preferences
# ------------------------------------------------------------------------------------------


def email_choices(user: User) -> dict[NotificationKind, bool]:
    """For every kind, whether the user gets its email (on unless turned off)."""
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.email).where(
            NotificationPreference.user_id == user.id
        )
    ).all()
    stored = {row.kind: row.email for row in rows}
    return {kind: bool(stored.get(kind.value, True)) for kind in NotificationKind}


def whatsapp_choices(user: User) -> dict[NotificationKind, bool]:
    """For every kind, whether the user opted in to it by WhatsApp (off unless chosen)."""
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.whatsapp).where(
            NotificationPreference.user_id == user.id
        )
    ).all()
    stored = {row.kind: row.whatsapp for row in rows}
    return {kind: bool(stored.get(kind.value, False)) for kind in NotificationKind}


def save_email_choices(
    user: User,
    choices: Mapping[NotificationKind, bool],
    by_whatsapp: Mapping[NotificationKind, bool] | None = None,
) -> None:
    """Store the user's choice for each kind named in ``choices`` (email) and, when given,
    ``by_whatsapp``."""
    existing = {
        preference.kind: preference
        for preference in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, email in choices.items():
        preference = existing.get(kind.value)
        if preference is None:
            preference = NotificationPreference(
                user_id=user.id, kind=kind.value, email=email, whatsapp=False
            )
            db.session.add(preference)
            existing[kind.value] = preference
        else:
            preference.email = email
    for kind, wanted in (by_whatsapp or {}).items():
        preference = existing.get(kind.value)
        if preference is None:
            preference = NotificationPreference(user_id=user.id, kind=kind.value, email=True)
            db.session.add(preference)
            existing[kind.value] = preference
        preference.whatsapp = wanted
    db.session.flush()
