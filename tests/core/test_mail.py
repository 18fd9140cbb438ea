"""The outbox: emails are written with the change and sent after the commit; failures retry."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail, queue_email, send_pending
from tests.factories import registration


def queue(app: Flask, to: str = "a@example.test") -> OutboxEmail:
    from tests.factories import UserFactory

    user = UserFactory(email=to)
    with app.test_request_context():
        email = queue_email(to, "verify_email", "id", user=user, verify_url="http://x/verify")
        db.session.commit()
    return email


def test_an_email_is_rendered_in_the_recipients_language(app: Flask) -> None:
    from tests.factories import UserFactory

    user = UserFactory(email="en@example.test")
    with app.test_request_context():
        email = queue_email(user.email, "verify_email", "en", user=user, verify_url="http://x/v")
    assert email.subject == "Verify your email address on Pasar OPOP"
    assert "http://x/v" in email.body_text and "http://x/v" in email.body_html


def test_registration_mail_is_sent_after_the_commit(
    client: FlaskClient, sent_mail: list[Any]
) -> None:
    client.post(
        "/account/register",
        data=registration(full_name="Ani", email="ani@example.test", password="rahasia-sekali"),
    )
    assert [m.to_address for m in sent_mail] == ["ani@example.test"]
    stored = db.session.scalars(select(OutboxEmail)).one()
    assert stored.status == "sent" and stored.attempts == 1


def test_a_failed_send_stays_in_the_outbox_and_is_retried(
    app: Flask, client: FlaskClient, sent_mail: list[Any]
) -> None:
    app.extensions["mail_backend"].fail_with = ConnectionRefusedError("mail server down")
    response = client.post(
        "/account/register",
        data=registration(full_name="Ani", email="ani@example.test", password="rahasia-sekali"),
    )
    assert response.status_code == 302  # the registration itself succeeded
    stored = db.session.scalars(select(OutboxEmail)).one()
    assert stored.status == "pending"
    assert "mail server down" in (stored.last_error or "")
    app.extensions["mail_backend"].fail_with = None
    with app.app_context():
        sent, not_sent = send_pending()
    assert (sent, not_sent) == (1, 0)
    db.session.refresh(stored)
    assert stored.status == "sent" and stored.attempts == 2
    assert [m.to_address for m in sent_mail] == ["ani@example.test"]


def test_an_email_is_given_up_after_the_maximum_attempts(app: Flask) -> None:
    email = queue(app)
    app.extensions["mail_backend"].fail_with = TimeoutError("slow")
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    try:
        with app.app_context():
            send_pending()
            send_pending()
            send_pending()
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    db.session.refresh(email)
    assert email.status == "failed" and email.attempts == 2


def test_sending_twice_does_not_send_twice(app: Flask, sent_mail: list[Any]) -> None:
    queue(app)
    with app.app_context():
        assert send_pending() == (1, 0)
        assert send_pending() == (0, 0)
    assert len(sent_mail) == 1


def test_the_cli_sends_pending_mail(app: Flask, sent_mail: list[Any]) -> None:
    queue(app)
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(sent_mail) == 1


@pytest.mark.postgres
def test_two_senders_at_once_send_each_email_once(committed_app: Flask) -> None:
    """Two ``send-pending`` runs race over the same rows on their own connections."""
    from tests.factories import UserFactory

    app = committed_app
    with app.test_request_context():
        user = UserFactory(email="race@example.test")
        for n in range(20):
            queue_email(f"r{n}@example.test", "verify_email", "id", user=user, verify_url="u")
        db.session.commit()
    barrier = threading.Barrier(2)
    totals: list[tuple[int, int]] = []

    def sender() -> None:
        with app.app_context():
            barrier.wait()
            totals.append(send_pending())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent_addresses = [m.to_address for m in app.extensions["mail_backend"].sent]
    assert sorted(sent_addresses) == sorted(f"r{n}@example.test" for n in range(20))
    assert sum(sent for sent, _ in totals) == 20
