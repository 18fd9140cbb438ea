"""The move of procurement's notices into the shared table keeps every row, read or not, and
the ids go on after them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications.models import Notification, NotificationKind
from marketplace.notifications.services import notify
from tests.factories import UserFactory

BEFORE = "9dc622f6e4e5"


def test_procurement_s_notices_move_with_their_rows_and_ids(committed_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.app_context():
        user_id = UserFactory().id
        db.session.commit()
        # No transaction of this session may hold a lock the migration waits for, and the next
        # one must not have seen the old schema.
        db.session.remove()
        downgrade(revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO procurement_notifications (id, user_id, created_at, read_at, "
                "message, link) VALUES (41, :user, '2026-12-01 08:00:00+00', NULL, 'Baru', "
                "'/procurement/'), (42, :user, '2026-12-01 09:00:00+00', "
                "'2026-12-01 10:00:00+00', 'Dibaca', '/procurement/')"
            ),
            {"user": user_id},
        )
        db.session.commit()
        db.session.remove()
        upgrade()
    with committed_app.test_request_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [(n.id, n.kind, n.message, n.read_at is None) for n in rows] == [
            (41, "procurement", "Baru", True),
            (42, "procurement", "Dibaca", False),
        ]
        user = db.session.get(User, user_id)
        assert user is not None
        notify([user], NotificationKind.PAYOUT, lambda: "x", "orders.index")
        db.session.commit()
        assert db.session.scalars(select(Notification.id).order_by(Notification.id)).all()[-1] > 42


def test_the_review_answered_kind_is_allowed_and_goes_on_the_way_down(
    committed_app: Flask,
) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.test_request_context():
        user = UserFactory()
        user_id = user.id
        notify([user], NotificationKind.REVIEW_ANSWERED, lambda: "Dijawab", "orders.index")
        notify([user], NotificationKind.PAYOUT, lambda: "Dibayar", "orders.index")
        db.session.commit()
        db.session.remove()
        downgrade(revision="b3f1d7a2c9e4")
        kinds = db.session.scalars(text("SELECT kind FROM notifications")).all()
        assert kinds == ["payout"]
        db.session.commit()
        db.session.remove()
        upgrade()
        again = db.session.get(User, user_id)
        assert again is not None
        notify([again], NotificationKind.REVIEW_ANSWERED, lambda: "Lagi", "orders.index")
        db.session.commit()
