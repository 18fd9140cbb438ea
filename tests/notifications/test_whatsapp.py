"""Notices by WhatsApp through the Cloud API (marketplace/notifications/whatsapp.py), against a
fake of Meta's API on 127.0.0.1 (tests/whatsapp_fake.py): off unless configured; only to those
who opted in for the kind and have a number; never sent inside a request; sent once however
often it is tried; a 4xx fails at once, a 5xx or a timeout is tried again later, and every
failure is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications import whatsapp
from marketplace.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    WhatsAppDelivery,
)
from marketplace.notifications.services import notify, save_email_choices
from tests.conftest import login
from tests.factories import UserFactory
from tests.whatsapp_fake import PHONE_NUMBER_ID, TOKEN, VERSION, FakeWhatsApp, meta_error

KIND = NotificationKind.MESSAGE


@pytest.fixture(scope="session")
def whatsapp_server() -> Iterator[FakeWhatsApp]:
    fake = FakeWhatsApp().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(whatsapp_server: FakeWhatsApp, app: Flask) -> Iterator[FakeWhatsApp]:
    """WhatsApp switched on against the fake (emptied for this test)."""
    whatsapp_server.reset()
    names = (*whatsapp_server.settings(), "WHATSAPP_TIMEOUT_SECONDS", "WHATSAPP_TEMPLATE")
    saved = {name: app.config.get(name) for name in names}
    app.config.update(whatsapp_server.settings())
    try:
        yield whatsapp_server
    finally:
        app.config.update(saved)
        whatsapp_server.reset()


def opted_in(
    phone: str | None = "0812-3456-7890", kinds: tuple[NotificationKind, ...] = (KIND,)
) -> User:
    user = UserFactory(phone=phone)
    save_email_choices(user, {}, dict.fromkeys(kinds, True))
    return user


def tell(user: User, text: str = "Pesan baru tentang pesanan OPOP-2026-000123.") -> Notification:
    notify([user], KIND, lambda: text, "notifications.index")
    notification = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
    ).first()
    assert notification is not None
    return notification


def deliveries() -> list[WhatsAppDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WhatsAppDelivery).order_by(WhatsAppDelivery.id)))


def test_whatsapp_is_off_unless_the_token_and_phone_number_id_are_both_set(
    app_ctx: Flask,
) -> None:
    user = opted_in()
    tell(user)
    assert deliveries() == []
    assert not whatsapp.enabled({"WHATSAPP_TOKEN": TOKEN})
    assert not whatsapp.enabled({"WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID})
    assert whatsapp.enabled({"WHATSAPP_TOKEN": TOKEN, "WHATSAPP_PHONE_NUMBER_ID": "1"})
    assert whatsapp.send_pending() == (0, 0)


def test_a_notice_is_sent_to_those_who_opted_in_for_its_kind_and_have_a_number(
    app: Flask, fake: FakeWhatsApp
) -> None:
    with app.test_request_context():
        ani = opted_in("0812-3456-7890")
        other_kind = opted_in(kinds=(NotificationKind.PAYOUT,))
        no_number = opted_in(phone=None)
        not_asked = UserFactory(phone="081298765432")
        for user in (ani, other_kind, no_number, not_asked):
            tell(user)
        db.session.commit()
        [delivery] = deliveries()
        assert (delivery.phone, delivery.status, delivery.link) == (
            "6281234567890",
            "pending",
            "http://localhost/account/notifications/",
        )
        assert fake.requests == []  # nothing is sent inside the unit of work that notified
        assert whatsapp.send_pending() == (1, 0)
        [sent] = deliveries()
        assert sent.status == "sent" and sent.message_id and sent.message_id.startswith("wamid.")
        assert (sent.attempts, sent.last_error, sent.sent_at is not None) == (1, None, True)
    [request] = fake.requests
    assert request.path == f"/{VERSION}/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {
            "preview_url": False,
            "body": "Pesan baru tentang pesanan OPOP-2026-000123.\n\n"
            "http://localhost/account/notifications/",
        },
    }


def test_with_a_template_configured_the_notice_goes_as_its_parameters(
    app: Flask, fake: FakeWhatsApp
) -> None:
    app.config["WHATSAPP_TEMPLATE"] = "pasar_opop_notifikasi"
    with app.test_request_context():
        tell(opted_in(), "Bukti transfer dikirim.")
        db.session.commit()
        assert whatsapp.send_pending() == (1, 0)
    template = fake.requests[0].body["template"]
    assert template["name"] == "pasar_opop_notifikasi"
    assert template["language"] == {"code": "id"}
    assert template["components"][0]["parameters"] == [
        {"type": "text", "text": "Bukti transfer dikirim."},
        {"type": "text", "text": "http://localhost/account/notifications/"},
    ]


def test_a_refusal_fails_at_once_and_is_recorded(app: Flask, fake: FakeWhatsApp) -> None:
    fake.fail_next(
        *meta_error(400, 131030, "Recipient phone number not in allowed list", "Add it to the list")
    )
    with app.test_request_context():
        tell(opted_in())
        db.session.commit()
        assert whatsapp.send_pending() == (0, 1)
        [delivery] = deliveries()
        assert (delivery.status, delivery.attempts, delivery.message_id) == ("failed", 1, None)
        assert delivery.last_error == (
            "HTTP 400, code 131030: (#131030) Recipient phone number not in allowed list "
            "(Add it to the list)"
        )
        assert whatsapp.send_pending() == (0, 0)  # never tried again
    assert len(fake.requests) == 1


def test_a_wrong_token_is_a_refusal_too(app: Flask, fake: FakeWhatsApp) -> None:
    app.config["WHATSAPP_TOKEN"] = "EAAG-old-token"
    with app.test_request_context():
        tell(opted_in())
        db.session.commit()
        whatsapp.send_pending()
        [delivery] = deliveries()
        assert delivery.status == "failed" and "HTTP 401, code 190" in (delivery.last_error or "")


def test_a_server_error_is_tried_again_after_a_wait_until_it_is_sent(
    app: Flask, fake: FakeWhatsApp, clock: ModuleType
) -> None:
    fake.fail_next(502, b"<html>Bad Gateway</html>")
    fake.fail_next(*meta_error(400, 130429, "Rate limit hit"))  # throttled: tried again too
    with app.test_request_context():
        tell(opted_in())
        db.session.commit()
        assert whatsapp.send_pending() == (0, 1)
        [delivery] = deliveries()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert "HTTP 502" in (delivery.last_error or "")
        assert whatsapp.send_pending() == (0, 0)  # not due yet: nothing is sent
        clock.advance(timedelta(seconds=whatsapp.BACKOFF_SECONDS[0]))
        assert whatsapp.send_pending() == (0, 1)
        [delivery] = deliveries()
        assert (delivery.status, delivery.attempts) == ("pending", 2)
        assert "code 130429" in (delivery.last_error or "")
        clock.advance(timedelta(seconds=whatsapp.BACKOFF_SECONDS[1]))
        assert whatsapp.send_pending() == (1, 0)
        [delivery] = deliveries()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, None)
    assert len(fake.requests) == 3


def test_a_timeout_is_tried_again_and_fails_for_good_after_the_last_try(
    app: Flask, fake: FakeWhatsApp, clock: ModuleType
) -> None:
    app.config.update(WHATSAPP_TIMEOUT_SECONDS=0.3, WHATSAPP_MAX_ATTEMPTS=2)
    fake.hang(1.0)
    try:
        with app.test_request_context():
            tell(opted_in())
            db.session.commit()
            assert whatsapp.send_pending() == (0, 1)
            [delivery] = deliveries()
            assert (delivery.status, delivery.last_error) == ("pending", "no answer in 0.3 s")
            clock.advance(timedelta(hours=1))
            assert whatsapp.send_pending() == (0, 1)
            [delivery] = deliveries()
            assert (delivery.status, delivery.attempts) == ("failed", 2)
    finally:
        app.config["WHATSAPP_MAX_ATTEMPTS"] = 5
        fake.hang(0)


def test_no_connection_is_tried_again(app: Flask, fake: FakeWhatsApp) -> None:
    from tests.ports import free_port

    app.config["WHATSAPP_API_BASE"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    with app.test_request_context():
        tell(opted_in())
        db.session.commit()
        whatsapp.send_pending()
        [delivery] = deliveries()
        assert delivery.status == "pending"
        assert (delivery.last_error or "").startswith("no connection")


def test_a_notice_is_sent_once_however_often_its_delivery_is_tried(
    app: Flask, fake: FakeWhatsApp, clock: ModuleType
) -> None:
    with app.test_request_context():
        notification = tell(opted_in())
        db.session.commit()
        [delivery] = deliveries()
        assert whatsapp.send_one(delivery.id) is True
        assert whatsapp.send_one(delivery.id) is False  # the job and the sweep: one message
        assert whatsapp.send_pending() == (0, 0)
        assert len(fake.requests) == 1
        # A notice has one delivery, whoever asks for a second.
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(
                WhatsAppDelivery(notification_id=notification.id, phone="6281234567890", link="/")
            )
            db.session.flush()


def test_a_claim_whose_sender_died_is_taken_over(
    app: Flask, fake: FakeWhatsApp, clock: ModuleType
) -> None:
    with app.test_request_context():
        tell(opted_in())
        db.session.commit()
        [delivery] = deliveries()
        assert whatsapp._claim(delivery.id)  # a sender claims it, then dies
        assert whatsapp.send_pending() == (0, 0)  # another does not take a live claim
        clock.advance(whatsapp.CLAIM_TIMEOUT + timedelta(seconds=1))
        assert whatsapp.send_pending() == (1, 0)
        [delivery] = deliveries()
        assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_with_redis_the_delivery_is_a_job_after_the_commit(app: Flask, fake: FakeWhatsApp) -> None:
    saved = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # never reached: nothing is dispatched
    try:
        with app.test_request_context():
            tell(opted_in())
            [delivery] = deliveries()
            assert g.after_commit_jobs == [(whatsapp.SEND_JOB, (delivery.id,))]
            g.pop("after_commit_jobs")
    finally:
        app.config["REDIS_URL"] = saved
    assert fake.requests == []


def test_a_message_posted_in_a_request_never_waits_for_whatsapp(
    client: FlaskClient, fake: FakeWhatsApp
) -> None:
    from tests.messages.test_messages import a_part

    part = a_part(client.application)
    with client.application.test_request_context():
        member = db.session.get(User, part.member_id)
        assert member is not None
        member.phone = "085733101010"
        save_email_choices(member, {}, {KIND: True})
        db.session.commit()
    fake.hang(2.0)  # a request that called Meta would take this long
    try:
        login(client, part.shopper_email)
        response = client.post(part.shopper_url, data={"body": "Sudah dikirim?"})
        assert response.status_code == 302
        assert fake.requests == []
    finally:
        fake.hang(0)
    [delivery] = deliveries()
    assert (delivery.phone, delivery.status) == ("6285733101010", "pending")
    assert delivery.link == f"http://localhost/vendor/orders/{part.id}/messages"


def test_the_settings_page_offers_whatsapp_only_when_it_is_set_up(
    client: FlaskClient, whatsapp_server: FakeWhatsApp
) -> None:
    with client.application.test_request_context():
        UserFactory(email="ani@example.test", phone="081234567890")
        db.session.commit()
    login(client, "ani@example.test")
    page = client.get("/account/notifications/settings").get_data(as_text=True)
    assert "Kirim juga lewat WhatsApp" not in page
    app = client.application
    saved = {name: app.config.get(name) for name in whatsapp_server.settings()}
    app.config.update(whatsapp_server.settings())
    try:
        page = client.get("/account/notifications/settings").get_data(as_text=True)
        assert "Kirim juga lewat WhatsApp" in page and "6281234567890" in page
        assert 'name="whatsapp_kinds" value="message" checked' not in page
        saved_page = client.post(
            "/account/notifications/settings",
            data={"email_kinds": ["message"], "whatsapp_kinds": ["message", "payout"]},
        )
        assert saved_page.status_code == 302
        wrong = client.post(
            "/account/notifications/settings",
            data={"email_kinds": ["message"], "whatsapp_kinds": ["spam"]},
        )
        assert wrong.status_code == 400
    finally:
        app.config.update(saved)
    rows = {
        p.kind: (p.email, p.whatsapp) for p in db.session.scalars(select(NotificationPreference))
    }
    assert rows["message"] == (True, True) and rows["payout"] == (False, True)
    assert rows["transfer_proof"] == (False, False)
    assert db.session.scalar(select(func.count()).select_from(WhatsAppDelivery)) == 0


def test_the_operations_page_shows_deliveries_and_failures_only_once_there_are_any(
    app: Flask, fake: FakeWhatsApp
) -> None:
    from marketplace.admin.operations import whatsapp_outbox

    with app.test_request_context():
        app.config["WHATSAPP_TOKEN"] = None
        assert not whatsapp_outbox().shown
        app.config.update(fake.settings())
        assert whatsapp_outbox().shown  # set up: shown even before the first message
        fake.fail_next(*meta_error(400, 131026, "Message undeliverable"))
        tell(opted_in("081234567890"))
        tell(opted_in("081298765432"))
        db.session.commit()
        assert whatsapp.send_pending() == (1, 1)
        ops = whatsapp_outbox()
        assert (ops.pending, ops.sending, ops.failed, ops.sent_recently) == (0, 0, 1, 1)
        [failure] = ops.failures
        assert failure.phone == "6281***890"
        assert "131026" in (failure.last_error or "")
        UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "kota@example.test")
    page = client.get("/admin/operations").get_data(as_text=True)
    assert "Notifikasi WhatsApp" in page and "6281***890" in page
    assert "6281234567890" not in page
