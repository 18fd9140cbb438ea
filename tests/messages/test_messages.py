"""Messages between a part's shopper and its cooperative (issue 21): only those two sides find
the thread (anyone else: 404); each message notifies the other side once; the order pages show
what is unread; reading writes nothing, marking read is a POST and writing marks the other
side's messages read; empty or too long text is refused and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.messages import services
from marketplace.messages.models import OrderMessage, Side
from marketplace.notifications.models import Notification, NotificationKind
from tests.conftest import login, logout
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.queries import counted
from tests.reviews.buying import buy


@dataclass
class Part:
    number: str
    id: int
    shopper_email: str
    member_email: str
    owner_id: int
    shopper_id: int
    member_id: int

    @property
    def shopper_url(self) -> str:
        return f"/orders/{self.number}/messages/{self.id}"

    @property
    def vendor_url(self) -> str:
        return f"/vendor/orders/{self.id}/messages"


def a_part(app: Flask, email: str = "ani@example.test", *, complete: bool = False) -> Part:
    with app.test_request_context():
        ani = UserFactory(email=email, full_name="Ani Rahma")
        bought = buy(ani, complete=complete)
        cooperative = db.session.get(Cooperative, bought.cooperative_id)
        owner = CooperativeMemberFactory(cooperative=cooperative).user
        db.session.commit()
        return Part(
            bought.number,
            bought.part_id,
            ani.email,
            bought.member.email,
            owner.id,
            ani.id,
            bought.member.id,
        )


def messages() -> list[OrderMessage]:
    return list(db.session.scalars(select(OrderMessage).order_by(OrderMessage.id)))


def message_notices(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user_id,
                Notification.kind == NotificationKind.MESSAGE.value,
            )
        )
    )


def test_shopper_and_cooperative_write_and_each_is_told_once(client: FlaskClient) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    assert "Pesan ke koperasi" in client.get(f"/orders/{part.number}").get_data(as_text=True)
    response = client.post(part.shopper_url, data={"body": "  Bisa dikirim besok?  "})
    assert response.status_code == 302
    [question] = messages()
    assert (question.body, question.side, question.author_id, question.read_at) == (
        "Bisa dikirim besok?",
        "shopper",
        part.shopper_id,
        None,
    )
    [notice] = message_notices(part.member_id)
    assert [n.link for n in message_notices(part.owner_id)] == [part.vendor_url]
    assert notice.link == part.vendor_url
    assert part.number in notice.message
    assert message_notices(part.shopper_id) == []

    logout(client)
    login(client, part.member_email)
    order_page = client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Pesan dengan pembeli" in order_page and "1 baru" in order_page
    thread = client.get(part.vendor_url).get_data(as_text=True)
    assert "Bisa dikirim besok?" in thread and "Tandai sudah dibaca" in thread
    db.session.expire_all()
    assert messages()[0].read_at is None  # reading wrote nothing
    assert client.post(part.vendor_url, data={"body": "Bisa, Bu."}).status_code == 302
    db.session.expire_all()
    question, answer = messages()
    assert question.read_at is not None  # writing back marks the shopper's message read
    assert (answer.side, answer.read_at) == ("cooperative", None)
    [told] = message_notices(part.shopper_id)
    assert told.link == part.shopper_url
    assert len(message_notices(part.member_id)) == 1  # not told of its own message

    logout(client)
    login(client, part.shopper_email)
    assert "1 baru" in client.get(f"/orders/{part.number}").get_data(as_text=True)
    assert "Bisa, Bu." in client.get(part.shopper_url).get_data(as_text=True)
    assert client.get(f"{part.shopper_url}/read").status_code == 405
    assert client.post(f"{part.shopper_url}/read").status_code == 302
    db.session.expire_all()
    assert messages()[1].read_at is not None
    assert "1 baru" not in client.get(f"/orders/{part.number}").get_data(as_text=True)


def test_someone_else_finds_no_thread_and_writes_nothing(client: FlaskClient) -> None:
    part = a_part(client.application)
    other = a_part(client.application, "budi@example.test")
    login(client, other.shopper_email)
    assert client.get(part.shopper_url).status_code == 404
    assert client.post(part.shopper_url, data={"body": "Halo"}).status_code == 404
    assert client.post(f"{part.shopper_url}/read").status_code == 404
    # Another's part under one's own order number is not found either.
    assert client.get(f"/orders/{other.number}/messages/{part.id}").status_code == 404
    logout(client)
    login(client, other.member_email)
    assert client.get(part.vendor_url).status_code == 404
    assert client.post(part.vendor_url, data={"body": "Halo"}).status_code == 404
    assert client.post(f"{part.vendor_url}/read").status_code == 404
    assert client.get("/vendor/orders/987654/messages").status_code == 404
    logout(client)
    assert client.get(part.shopper_url).status_code == 302  # a guest signs in first
    assert messages() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_empty_or_too_long_text_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    empty = client.post(part.shopper_url, data={"body": "   "})
    assert empty.status_code == 400 and "Wajib diisi." in empty.get_data(as_text=True)
    long = client.post(part.shopper_url, data={"body": "x" * (services.BODY_MAX + 1)})
    assert long.status_code == 400
    assert "x" * (services.BODY_MAX + 1) in long.get_data(as_text=True)  # kept to fix
    logout(client)
    login(client, part.member_email)
    assert client.post(part.vendor_url, data={"body": ""}).status_code == 400
    assert messages() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_service_refuses_what_the_form_would(app: Flask) -> None:
    part = a_part(app)
    with app.test_request_context():
        from marketplace.accounts.models import User

        ani = db.session.get(User, part.shopper_id)
        assert ani is not None
        vendor_order = services.shopper_part(ani, part.number, part.id)
        for body in ("", " \n ", "y" * (services.BODY_MAX + 1)):
            try:
                services.post(ani, vendor_order, Side.SHOPPER, body)
            except services.MessageProblem:
                pass
            else:  # pragma: no cover
                raise AssertionError(body)
        assert messages() == []


def test_the_thread_and_order_pages_read_as_many_queries_however_many_messages(
    client: FlaskClient,
) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    client.post(part.shopper_url, data={"body": "Satu"})
    logout(client)
    login(client, part.member_email)
    client.get(part.vendor_url)
    with counted(client.application) as few:
        assert client.get(part.vendor_url).status_code == 200
        assert client.get(f"/vendor/orders/{part.id}").status_code == 200
    for n in range(6):
        client.post(part.vendor_url, data={"body": f"Pesan {n}"})
    with counted(client.application) as many:
        assert client.get(part.vendor_url).status_code == 200
        assert client.get(f"/vendor/orders/{part.id}").status_code == 200
    assert len(many) == len(few)


def test_messages_are_exported_and_a_shopper_s_erased_with_the_account(app: Flask) -> None:
    from marketplace.accounts.models import User
    from marketplace.accounts.privacy import delete_account, export_personal_data

    part = a_part(app, complete=True)  # no order still running
    with app.test_request_context():
        ani = db.session.get(User, part.shopper_id)
        member = db.session.get(User, part.member_id)
        assert ani is not None and member is not None
        vendor_order = services.shopper_part(ani, part.number, part.id)
        services.post(ani, vendor_order, Side.SHOPPER, "Alamat saya di Jl. Mawar 3")
        services.post(member, vendor_order, Side.COOPERATIVE, "Baik, Bu")
        [exported] = export_personal_data(ani)["messages"]
        assert (exported["order"], exported["as"], exported["text"]) == (
            part.number,
            "shopper",
            "Alamat saya di Jl. Mawar 3",
        )
        delete_account(ani, "password123")
        db.session.commit()
        assert [(m.side, m.body) for m in messages()] == [("cooperative", "Baik, Bu")]
