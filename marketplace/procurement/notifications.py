"""Telling the next actor: an in-app notification and an email through the outbox, both in the
recipient's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import func, select, update

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.procurement.common import cooperative_members, unique_users
from marketplace.procurement.models import Notification, PurchaseOrder, Quotation
from marketplace.urls import absolute_url


def notify(
    users: Iterable[User],
    message: Callable[[], Any],
    endpoint: str,
    *,
    request_id: int | None = None,
    **values: Any,
) -> int:
    """Notify each user once: ``message`` is called in the user's language; the link is
    ``url_for(endpoint, **values)``. Returns how many were notified."""
    count = 0
    for user in unique_users(users):
        locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            text = str(message())
        db.session.add(
            Notification(
                user_id=user.id,
                request_id=request_id,
                created_at=clock.now(),
                message=text[:500],
                link=url_for(endpoint, **values),
            )
        )
        queue_email(
            user.email,
            "procurement_notice",
            locale,
            user=user,
            message=text,
            link=absolute_url(endpoint, **values),
        )
        count += 1
    db.session.flush()
    return count


def tell_quotation_cooperative(quotation: Quotation, message: Callable[[], Any]) -> None:
    """Notify the quotation's cooperative, linking to its page of the quotation."""
    notify(
        cooperative_members(quotation.cooperative_id),
        message,
        "procurement.coop_quotation",
        request_id=quotation.request_id,
        quotation_id=quotation.id,
    )


def tell_quotation_agency(
    quotation: Quotation, users: list[User], message: Callable[[], Any]
) -> None:
    """Notify the agency's ``users``, linking to their page of the quotation."""
    notify(
        users,
        message,
        "procurement.quotation",
        request_id=quotation.request_id,
        quotation_id=quotation.id,
    )


def tell_order_cooperative(order: PurchaseOrder, message: Callable[[], Any]) -> None:
    """Notify the Surat Pesanan's cooperative, linking to its page of the order."""
    notify(
        cooperative_members(order.cooperative_id),
        message,
        "procurement.coop_order",
        request_id=order.request_id,
        order_id=order.id,
    )


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
    """Mark one of the user's notifications read and return its link."""
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
