"""Notifications for everyone: each event that waits for someone gives each person who must act
exactly one notice, in their language, with an email unless they turned that kind off; the list
is theirs alone (another's notice is not found), reading it changes nothing, and marking read
is a POST."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
)
from marketplace.notifications.services import notify, whatsapp_link
from marketplace.orders import moves as order_moves
from marketplace.orders.models import PaymentMethod
from marketplace.payments import settlement
from marketplace.payments.models import Payment
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.payments.paying import image_bytes
from tests.payments.test_payouts import sold
from tests.payments.test_transfers import upload
from tests.queries import counted
from tests.shopping import place, stocked_variant

K = NotificationKind
UNREAD = re.compile(r'class="nav-notifications".*?<span class="nav-count">(\d+)</span>', re.S)


def notices(user_id: int, kind: NotificationKind | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if kind is not None:
        query = query.where(Notification.kind == kind.value)
    return list(db.session.scalars(query.order_by(Notification.id)))


def emails_to(address: str, template: str | None = None) -> list[OutboxEmail]:
    query = select(OutboxEmail).where(OutboxEmail.to_address == address)
    if template is not None:
        query = query.where(OutboxEmail.template == template)
    return list(db.session.scalars(query))


def email_off(user: User, kind: NotificationKind) -> None:
    db.session.add(NotificationPreference(user_id=user.id, kind=kind.value, email=False))
    db.session.flush()


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


class Shop:
    """A cooperative with two members (one reads English, one turned proof emails off) and a
    shopper's order paid by transfer to the cooperative's account."""

    def __init__(self, app: Flask) -> None:
        with app.test_request_context():
            variant = stocked_variant(10)
            cooperative = variant.product.cooperative
            self.cooperative_id = cooperative.id
            self.owner = CooperativeMemberFactory(
                cooperative=cooperative, user__email="pemilik@example.test"
            ).user
            self.staff = CooperativeMemberFactory(
                cooperative=cooperative, user__email="staf@example.test", user__locale="en"
            ).user
            self.shopper = UserFactory(email="pembeli@example.test")
            self.order = place(self.shopper, (variant, 2), payment=PaymentMethod.BANK_TRANSFER)
            self.part_id = self.order.vendor_orders[0].id
            self.number = self.order.number or ""
            db.session.commit()

    @property
    def members(self) -> list[User]:
        return [self.owner, self.staff]


# ------------------------------------------------------------------------------------------
# The events
# ------------------------------------------------------------------------------------------


def test_a_transfer_proof_tells_each_member_once_and_waits_on_the_dashboard(app: Flask) -> None:
    shop = Shop(app)
    with app.test_request_context():
        email_off(shop.staff, K.TRANSFER_PROOF)
        db.session.commit()
    shopper = signed_in(app, shop.shopper.email)
    assert upload(shopper, shop.order, image_bytes(), shop.part_id).status_code == 302

    payment = db.session.scalars(select(Payment).where(Payment.order_id == shop.order.id)).one()
    for member in shop.members:
        [notice] = notices(member.id)
        assert notice.kind == K.TRANSFER_PROOF
        assert notice.link == f"/vendor/transfers/{payment.id}"
        assert notice.read_at is None
        assert notice.whatsapp_url and notice.whatsapp_url.startswith("https://wa.me/62")
        assert shop.number in notice.whatsapp_url
    assert shop.number in notices(shop.owner.id)[0].message
    assert "waits for your check" in notices(shop.staff.id)[0].message  # in English
    # The owner gets the email; the member who turned it off only the notice.
    [email] = emails_to(shop.owner.email, "transfer_proof_received")
    assert f"/vendor/transfers/{payment.id}" in email.body_text
    assert "/account/notifications/settings" in email.body_text
    assert emails_to(shop.staff.email) == []
    # The shopper, who acted, is told nothing of it.
    assert notices(shop.shopper.id) == []

    owner = signed_in(app, shop.owner.email)
    dashboard = owner.get("/vendor/").get_data(as_text=True)
    waiting = re.search(r'data-job="transfers"><span class="stat__value">(\d+)</span>', dashboard)
    assert waiting and waiting.group(1) == "1"
    assert UNREAD.search(dashboard).group(1) == "1"  # type: ignore[union-attr]


def test_a_proof_sent_to_the_city_s_account_is_not_the_cooperative_s_to_check(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "PAYMENT_TRANSFER_ACCOUNT": "platform",
        "PLATFORM_BANK_NAME": "BCA",
        "PLATFORM_BANK_ACCOUNT_NUMBER": "9876543210",
        "PLATFORM_BANK_ACCOUNT_HOLDER": "Pemkot Mojokerto",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    shop = Shop(app)
    shopper = signed_in(app, shop.shopper.email)
    assert upload(shopper, shop.order, image_bytes(), shop.part_id).status_code == 302

    assert notices(shop.owner.id) == []
    owner = signed_in(app, shop.owner.email)
    dashboard = owner.get("/vendor/").get_data(as_text=True)
    assert 'data-job="transfers"><span class="stat__value">0</span>' in dashboard


def test_a_part_cancelled_by_someone_else_tells_the_cooperative_once(app: Flask) -> None:
    shop = Shop(app)
    with app.test_request_context():
        email_off(shop.staff, K.PART_CANCELLED)
        part = db.session.get(type(shop.order.vendor_orders[0]), shop.part_id)
        assert part is not None
        order_moves.mark_vendor_order_paid(part, reference="TRF-1")
        admin = UserFactory(is_city_admin=True)
        order_moves.cancel_by_admin(admin, shop.part_id, "Stok rusak.")
        db.session.commit()

    for member in shop.members:
        [notice] = notices(member.id, K.PART_CANCELLED)
        assert notice.link == f"/vendor/orders/{shop.part_id}"
        assert shop.number in notice.message
    assert len(emails_to(shop.owner.email, "vendor_order_cancelled")) == 1
    assert emails_to(shop.staff.email, "vendor_order_cancelled") == []


def test_a_part_the_cooperative_rejects_itself_gives_it_no_notice(app: Flask) -> None:
    shop = Shop(app)
    with app.test_request_context():
        part = db.session.get(type(shop.order.vendor_orders[0]), shop.part_id)
        assert part is not None
        order_moves.mark_vendor_order_paid(part, reference="TRF-1")
        order_moves.reject_vendor_order(shop.owner, shop.part_id, "Stok habis.")
        db.session.commit()
    assert notices(shop.owner.id, K.PART_CANCELLED) == []
    assert notices(shop.staff.id, K.PART_CANCELLED) == []


def test_a_payout_recorded_by_the_city_tells_the_cooperative_once(app: Flask) -> None:
    shop = Shop(app)
    with app.test_request_context():
        admin = UserFactory(is_city_admin=True)
        sold(db.session.get(Cooperative, shop.cooperative_id), 50_000)
        settlement.record_payout(admin, shop.cooperative_id, 5_000, date(2026, 12, 2), "TRF-9")
        db.session.commit()

    for member in shop.members:
        [notice] = notices(member.id, K.PAYOUT)
        assert notice.link == "/vendor/statement"
        assert notice.whatsapp_url is None
    # Each member reads it in their own language (rupiah written the Indonesian way in both).
    assert notices(shop.owner.id, K.PAYOUT)[0].message == (
        "Pasar OPOP membayar Rp5.000 ke rekening koperasi Anda. Lihat rinciannya di laporan saldo."
    )
    assert notices(shop.staff.id, K.PAYOUT)[0].message == (
        "Pasar OPOP paid Rp5.000 to your cooperative's bank account. See the details in the "
        "balance statement."
    )
    [email] = emails_to(shop.owner.email, "notification")
    assert "/vendor/statement" in email.body_text and "Rp5.000" in email.subject
    assert notices(admin.id) == []


# ------------------------------------------------------------------------------------------
# The list, opening, marking read
# ------------------------------------------------------------------------------------------


def _some_notices(app: Flask, count: int, email: str = "ani@example.test") -> User:
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email)) or UserFactory(
            email=email
        )
        for n in range(count):
            notify([user], K.PAYOUT, lambda n=n: f"Pemberitahuan {n}", "orders.index")
        db.session.commit()
        return user


def test_every_signed_in_person_sees_their_count_and_reading_the_list_changes_nothing(
    app: Flask,
) -> None:
    user = _some_notices(app, 2)
    client = signed_in(app, user.email)
    home = client.get("/").get_data(as_text=True)
    assert UNREAD.search(home).group(1) == "2"  # type: ignore[union-attr]
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "Pemberitahuan 0" in page and "Pemberitahuan 1" in page
    assert all(n.read_at is None for n in notices(user.id))  # GET wrote nothing


def test_opening_marks_one_read_and_only_by_post(app: Flask) -> None:
    user = _some_notices(app, 2)
    first, second = notices(user.id)
    client = signed_in(app, user.email)
    assert client.get(f"/account/notifications/{first.id}/open").status_code == 405
    response = client.post(f"/account/notifications/{first.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/orders"
    db.session.expire_all()
    assert first.read_at is not None and second.read_at is None
    assert client.get("/account/notifications/read").status_code == 405
    assert client.post("/account/notifications/read").status_code == 302
    db.session.expire_all()
    assert second.read_at is not None


def test_another_person_s_notice_is_not_found_and_stays_unread(app: Flask) -> None:
    theirs = notices(_some_notices(app, 1, "lain@example.test").id)[0]
    mine = _some_notices(app, 1)
    client = signed_in(app, mine.email)
    assert client.post(f"/account/notifications/{theirs.id}/open").status_code == 404
    assert client.post("/account/notifications/987654/open").status_code == 404
    client.post("/account/notifications/read")
    db.session.expire_all()
    assert theirs.read_at is None


def test_a_guest_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/account/notifications/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_list_reads_as_many_queries_however_many_notices(app: Flask) -> None:
    user = _some_notices(app, 2)
    client = signed_in(app, user.email)
    client.get("/account/notifications/")
    with counted(app) as few:
        assert client.get("/account/notifications/").status_code == 200
    _some_notices(app, 30)
    with counted(app) as many:
        assert client.get("/account/notifications/").status_code == 200
    assert len(many) == len(few) <= 8


# ------------------------------------------------------------------------------------------
# Email preferences
# ------------------------------------------------------------------------------------------


def test_turning_an_email_off_keeps_the_notice_and_drops_the_email(app: Flask) -> None:
    user = _some_notices(app, 0)
    client = signed_in(app, user.email)
    page = client.get("/account/notifications/settings").get_data(as_text=True)
    assert page.count('type="checkbox"') == len(K)
    assert page.count("checked") == len(K)  # every kind by email, until turned off
    kept = [kind.value for kind in K if kind != K.PAYOUT]
    response = client.post("/account/notifications/settings", data={"email_kinds": kept})
    assert response.status_code == 302

    _some_notices(app, 1)
    assert len(notices(user.id)) == 1
    assert emails_to(user.email) == []
    page = client.get("/account/notifications/settings").get_data(as_text=True)
    assert page.count("checked") == len(K) - 1

    client.post("/account/notifications/settings", data={"email_kinds": [k.value for k in K]})
    _some_notices(app, 1)
    assert len(emails_to(user.email, "notification")) == 1


def test_an_unknown_kind_is_refused_and_nothing_changes(app: Flask) -> None:
    user = _some_notices(app, 0)
    client = signed_in(app, user.email)
    response = client.post("/account/notifications/settings", data={"email_kinds": ["spam"]})
    assert response.status_code == 400
    assert "field__error" in response.get_data(as_text=True)
    count = db.session.scalar(
        select(func.count())
        .select_from(NotificationPreference)
        .where(NotificationPreference.user_id == user.id)
    )
    assert count == 0


# ------------------------------------------------------------------------------------------
# WhatsApp links
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0812-3456-7890", "https://wa.me/6281234567890?text="),
        ("+62 812 3456 7890", "https://wa.me/6281234567890?text="),
        ("", None),
        ("12", None),
        (None, None),
    ],
)
def test_a_whatsapp_link_opens_a_chat_with_the_order_number(
    app: Flask, phone: str | None, expected: str | None
) -> None:
    with app.test_request_context():
        link = whatsapp_link(phone, "OPOP-2026-000001")
    if expected is None:
        assert link is None
    else:
        assert link is not None and link.startswith(expected)
        assert "OPOP-2026-000001" in link
