"""Photos in messages and questions about a product before buying (issue 21).

Photos: up to three per message, checked like transfer proofs (real images, size and pixel
limits, re-encoded without metadata), stored privately and served only to the thread's two
sides and the city; anyone else's photo is not found. Questions: one thread per shopper and
product, the cooperative answers from its inbox, each side is told; guests sign in first.
The cooperative's response time is the median of its first answers of the last 90 days."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalogue.models import Product
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.messages import services
from marketplace.messages.models import MessagePhoto, OrderMessage, ProductThread
from marketplace.notifications.models import Notification, NotificationKind
from marketplace.storage import storage
from tests.conftest import login, logout
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.messages.test_messages import a_part
from tests.photos import phone_photo
from tests.queries import counted
from tests.shopping import stocked_variant


def jpeg(size: tuple[int, int] = (640, 480)) -> tuple[io.BytesIO, str]:
    return io.BytesIO(phone_photo(size, orientation=6)), "foto.jpg"


def png() -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "red").save(buffer, "PNG")
    buffer.seek(0)
    return buffer, "layar.png"


def photos() -> list[MessagePhoto]:
    return list(db.session.scalars(select(MessagePhoto).order_by(MessagePhoto.id)))


def stored(app: Flask, key: str) -> bytes:
    with app.app_context():
        return storage().read(key)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_photos_go_with_a_message_and_only_the_thread_s_sides_and_the_city_see_them(
    client: FlaskClient,
) -> None:
    part = a_part(client.application)
    other = a_part(client.application, "budi@example.test")
    with client.application.test_request_context():
        admin = UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    login(client, part.shopper_email)
    sent = client.post(
        part.shopper_url,
        data={"body": "Kemasannya penyok", "photos": [jpeg(), png()]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    first, second = photos()
    assert first.storage_key.startswith("private/messages/")
    assert (first.content_type, second.content_type) == ("image/jpeg", "image/png")
    # Turned upright by its orientation tag and stored without the camera's metadata.
    kept = Image.open(io.BytesIO(stored(client.application, first.storage_key)))
    assert (kept.width, kept.height) == (480, 640) == (first.width, first.height)
    assert not kept.getexif()
    thread = client.get(part.shopper_url).get_data(as_text=True)
    assert f'src="/messages/photos/{first.id}"' in thread
    assert f'src="/messages/photos/{second.id}"' in thread
    mine = client.get(f"/messages/photos/{first.id}")
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg"
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert mine.data == stored(client.application, first.storage_key)

    for email in (part.member_email, "kota@example.test"):
        logout(client)
        login(client, email)
        assert client.get(f"/messages/photos/{second.id}").status_code == 200
    logout(client)
    login(client, part.member_email)
    assert f'src="/messages/photos/{first.id}"' in client.get(part.vendor_url).get_data(
        as_text=True
    )

    # Another shopper, another cooperative's member: not found, like a photo that is not there.
    for email in (other.shopper_email, other.member_email):
        logout(client)
        login(client, email)
        assert client.get(f"/messages/photos/{first.id}").status_code == 404
        assert client.get("/messages/photos/987654").status_code == 404
    logout(client)
    assert client.get(f"/messages/photos/{first.id}").status_code == 302  # a guest signs in
    assert admin.is_city_admin


def test_photos_that_break_the_rules_are_refused_and_nothing_is_kept(
    client: FlaskClient,
) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    too_many = client.post(
        part.shopper_url,
        data={"body": "Empat foto", "photos": [png(), png(), png(), png()]},
        content_type="multipart/form-data",
    )
    assert too_many.status_code == 400
    assert "Paling banyak 3 foto per pesan." in too_many.get_data(as_text=True)
    not_image = client.post(
        part.shopper_url,
        data={"body": "Bukan foto", "photos": [(io.BytesIO(b"%PDF-1.4 bukan foto"), "a.jpg")]},
        content_type="multipart/form-data",
    )
    assert not_image.status_code == 400
    assert "Bukan foto" in not_image.get_data(as_text=True)  # the text is kept to send again
    client.application.config["PAYMENT_PROOF_MAX_BYTES"], limit = (
        1000,
        client.application.config["PAYMENT_PROOF_MAX_BYTES"],
    )
    try:
        too_big = client.post(
            part.shopper_url,
            data={"body": "Besar", "photos": [jpeg()]},
            content_type="multipart/form-data",
        )
    finally:
        client.application.config["PAYMENT_PROOF_MAX_BYTES"] = limit
    assert too_big.status_code == 400
    assert (count(OrderMessage), count(MessagePhoto), count(Notification)) == (0, 0, 0)


@dataclass
class Shop:
    slug: str
    product_id: int
    cooperative_id: int
    member_email: str
    member_id: int


def a_shop(app: Flask) -> Shop:
    with app.test_request_context():
        variant = stocked_variant(5)
        product = variant.product
        member = CooperativeMemberFactory(cooperative=product.cooperative).user
        db.session.commit()
        return Shop(product.slug, product.id, product.cooperative_id, member.email, member.id)


def notices(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user_id, Notification.kind == NotificationKind.MESSAGE
            )
        )
    )


def test_a_guest_asking_signs_in_first_and_comes_back_to_the_question(
    client: FlaskClient,
) -> None:
    shop = a_shop(client.application)
    page = client.get(f"/products/{shop.slug}").get_data(as_text=True)
    assert f'href="/products/{shop.slug}/questions"' in page and "Tanya koperasi" in page
    guest = client.get(f"/products/{shop.slug}/questions")
    assert guest.status_code == 302
    location = urlsplit(guest.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query)["next"] == [f"/products/{shop.slug}/questions"]
    assert client.post(f"/products/{shop.slug}/questions", data={"body": "Halo"}).status_code == 302
    assert count(ProductThread) == 0


def test_a_shopper_asks_about_a_product_and_the_cooperative_answers_from_its_inbox(
    client: FlaskClient,
) -> None:
    shop = a_shop(client.application)
    with client.application.test_request_context():
        ani = UserFactory(email="ani@example.test")
        budi = UserFactory(email="budi@example.test")
        db.session.commit()
        ani_id, budi_id = ani.id, budi.id
    url = f"/products/{shop.slug}/questions"
    login(client, "ani@example.test")
    empty = client.get(url)
    assert empty.status_code == 200 and "Kirim pertanyaan" in empty.get_data(as_text=True)
    assert count(ProductThread) == 0  # reading wrote nothing
    assert client.post(url, data={"body": "Pedasnya level berapa?"}).status_code == 302
    assert client.post(url, data={"body": "Dan tahan berapa lama?"}).status_code == 302
    [question] = db.session.scalars(select(ProductThread)).all()
    assert (question.shopper_id, question.product_id, question.cooperative_id) == (
        ani_id,
        shop.product_id,
        shop.cooperative_id,
    )
    told = notices(shop.member_id)
    assert len(told) == 2
    assert {n.link for n in told} == {f"/vendor/messages/products/{question.id}"}

    logout(client)
    login(client, "budi@example.test")
    theirs = client.get(url).get_data(as_text=True)
    assert "Pedasnya" not in theirs  # each shopper has a thread of their own

    logout(client)
    login(client, shop.member_email)
    inbox = client.get("/vendor/messages").get_data(as_text=True)
    assert f"/vendor/messages/products/{question.id}" in inbox and "2 baru" in inbox
    thread_url = f"/vendor/messages/products/{question.id}"
    assert "Pedasnya level berapa?" in client.get(thread_url).get_data(as_text=True)
    assert client.post(thread_url, data={"body": "Level 3, tahan 6 bulan."}).status_code == 302
    assert "2 baru" not in client.get("/vendor/messages").get_data(as_text=True)
    [answer_notice] = notices(ani_id)
    assert answer_notice.link == url
    assert notices(budi_id) == []

    logout(client)
    login(client, "ani@example.test")
    assert "Level 3, tahan 6 bulan." in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/read").status_code == 302
    db.session.expire_all()
    assert all(m.read_at is not None for m in db.session.scalars(select(OrderMessage)))


def test_no_one_else_finds_a_question_and_a_hidden_product_takes_none(
    client: FlaskClient,
) -> None:
    shop = a_shop(client.application)
    other = a_shop(client.application)
    with client.application.test_request_context():
        ani = UserFactory(email="ani@example.test")
        db.session.commit()
        product = db.session.get(Product, shop.product_id)
        assert product is not None
        question = services.ask_about_product(ani, product, "Ada ukuran besar?", [])
        db.session.commit()
        question_id = question.id
    login(client, other.member_email)
    for path in (f"/vendor/messages/products/{question_id}", "/vendor/messages/products/98765"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"body": "Halo"}).status_code == 404
        assert client.post(f"{path}/read").status_code == 404
    assert "Ada ukuran besar?" not in client.get("/vendor/messages").get_data(as_text=True)
    # A member does not ask their own cooperative.
    mine = client.post(f"/products/{other.slug}/questions", data={"body": "Tes"})
    assert mine.status_code == 400
    logout(client)
    login(client, "ani@example.test")
    assert client.get("/products/no-such-product/questions").status_code == 404
    assert (
        client.post("/products/no-such-product/questions", data={"body": "Hm"}).status_code == 404
    )
    assert count(OrderMessage) == 1


def test_the_response_time_is_the_median_first_answer_of_the_last_90_days(
    client: FlaskClient, clock: ModuleType
) -> None:
    shop = a_shop(client.application)
    app = client.application
    with app.test_request_context():
        from marketplace.accounts.models import User

        member = db.session.get(User, shop.member_id)
        product = db.session.get(Product, shop.product_id)
        cooperative = db.session.get(Cooperative, shop.cooperative_id)
        assert member is not None and product is not None and cooperative is not None
        assert services.response_seconds(cooperative.id) is None
        waits = []
        for n, (hours, old) in enumerate([(1, False), (2, False), (30, False), (1, True)]):
            shopper = UserFactory()
            question = services.ask_about_product(shopper, product, "Tanya", [])
            clock.advance(timedelta(hours=hours))
            answer = services.post(member, question, services.Side.COOPERATIVE, "Jawab")
            again = services.post(member, question, services.Side.COOPERATIVE, "Lagi")
            assert again.reply_seconds is None  # only the first answer counts
            waits.append(answer.reply_seconds)
            if old:
                answer.created_at = clock.now() - timedelta(days=91)
            assert n == len(waits) - 1
        db.session.commit()
        slug = cooperative.slug
        assert waits == [3600, 7200, 108000, 3600]
        with counted(app) as statements:
            seconds = services.response_seconds(shop.cooperative_id)
        assert len(statements) == 1
        assert seconds == 7200  # the median of 1, 2 and 30 hours; the old answer left out
    page = client.get(f"/cooperatives/{slug}").get_data(as_text=True)
    assert "Biasanya membalas dalam ± 2 jam" in page
    assert "Pesanan selesai" in page


def test_the_response_time_reads_in_minutes_hours_or_days(app: Flask) -> None:
    with app.test_request_context():
        text = services.response_time_text
        assert text(None) is None
        assert text(20) == "Biasanya membalas dalam ± 1 menit"
        assert text(25 * 60) == "Biasanya membalas dalam ± 25 menit"
        assert text(90 * 60) == "Biasanya membalas dalam ± 2 jam"
        assert text(47 * 3600) == "Biasanya membalas dalam ± 47 jam"
        assert text(3 * 86400) == "Biasanya membalas dalam ± 3 hari"


def test_the_inbox_reads_as_many_queries_however_many_threads(client: FlaskClient) -> None:
    shop = a_shop(client.application)
    with client.application.test_request_context():
        product = db.session.get(Product, shop.product_id)
        assert product is not None
        services.ask_about_product(UserFactory(), product, "Satu", [])
        db.session.commit()
    login(client, shop.member_email)
    client.get("/vendor/messages")
    with counted(client.application) as few:
        assert client.get("/vendor/messages").status_code == 200
    with client.application.test_request_context():
        product = db.session.get(Product, shop.product_id)
        assert product is not None
        for n in range(5):
            services.ask_about_product(UserFactory(), product, f"Tanya {n}", [])
        db.session.commit()
    with counted(client.application) as many:
        assert client.get("/vendor/messages").status_code == 200
    assert len(many) == len(few)


def test_message_notices_carry_a_wa_me_link_naming_the_order_to_the_other_side(
    client: FlaskClient,
) -> None:
    from urllib.parse import unquote

    from marketplace.orders.models import Order, VendorOrder

    part = a_part(client.application)
    login(client, part.shopper_email)
    client.post(part.shopper_url, data={"body": "Kapan dikirim?"})
    logout(client)
    login(client, part.member_email)
    client.post(part.vendor_url, data={"body": "Besok pagi."})
    vendor_order = db.session.get(VendorOrder, part.id)
    assert vendor_order is not None
    order = db.session.get(Order, vendor_order.order_id)
    cooperative = db.session.get(Cooperative, vendor_order.cooperative_id)
    assert order is not None and cooperative is not None
    [to_member] = notices(part.member_id)
    [to_shopper] = notices(part.shopper_id)
    expected_text = f"Halo, tentang pesanan {part.number} di Pasar OPOP."
    assert to_shopper.whatsapp_url is not None and to_member.whatsapp_url is not None
    # The shopper is sent to the cooperative's WhatsApp, the cooperative to the shopper's.
    assert to_shopper.whatsapp_url.startswith(f"https://wa.me/{cooperative.whatsapp}?text=")
    assert unquote(to_shopper.whatsapp_url.split("?text=", 1)[1]) == expected_text
    shopper_number = order.phone.replace("-", "").replace(" ", "")
    assert to_member.whatsapp_url.startswith("https://wa.me/62")
    assert to_member.whatsapp_url.split("?")[0].endswith(
        shopper_number.lstrip("0+").removeprefix("62")
    )
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "Chat lewat WhatsApp" in page


def test_questions_and_photos_are_exported_and_erased_with_the_account(app: Flask) -> None:
    from marketplace.accounts.models import User
    from marketplace.accounts.privacy import delete_account, export_personal_data

    shop = a_shop(app)
    with app.test_request_context():
        ani = UserFactory(email="ani@example.test")
        product = db.session.get(Product, shop.product_id)
        member = db.session.get(User, shop.member_id)
        assert product is not None and member is not None
        question = services.ask_about_product(ani, product, "Ada ukuran besar?", [png()[0].read()])
        services.post(member, question, services.Side.COOPERATIVE, "Ada, Bu.")
        db.session.commit()
        [key] = [photo.storage_key for photo in photos()]
        [exported] = export_personal_data(ani)["messages"]
        assert exported == {
            "product": product.name,
            "as": "shopper",
            "text": "Ada ukuran besar?",
            "photos": 1,
            "written_at": exported["written_at"],
        }
        delete_account(ani, "password123")
        db.session.commit()
        assert (count(ProductThread), count(OrderMessage), count(MessagePhoto)) == (0, 0, 0)
        try:
            storage().read(key)
        except FileNotFoundError:
            pass
        else:  # pragma: no cover
            raise AssertionError("the photo's file outlived the account")
