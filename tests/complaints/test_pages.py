"""The complaint pages: the shopper opens one from the order page with a photo, the cooperative
answers with a partial refund, the shopper reads the refund's status; the city decides an
escalated one; another party's complaint and files answer 404; bad input changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.complaints.models import Complaint
from marketplace.extensions import db
from marketplace.payments.models import Refund
from tests.complaints.filing import delivered
from tests.conftest import login, logout
from tests.factories import UserFactory
from tests.payments.paying import image_bytes
from tests.queries import counted


@dataclass
class Part:
    number: str
    id: int
    line_id: int
    shopper_email: str
    member_email: str

    @property
    def new_url(self) -> str:
        return f"/orders/{self.number}/complaint/{self.id}/new"

    @property
    def url(self) -> str:
        return f"/orders/{self.number}/complaint/{self.id}"


def a_part(app: Flask, email: str = "sari@example.test", **kwargs: object) -> Part:
    with app.test_request_context():
        bought = delivered(shopper=UserFactory(email=email), **kwargs)  # type: ignore[arg-type]
        db.session.commit()
        return Part(bought.number, bought.part_id, bought.line_id, email, bought.member.email)


def the_complaint() -> Complaint:
    db.session.expire_all()
    complaint = db.session.scalar(select(Complaint))
    assert complaint is not None
    return complaint


def open_one(client: FlaskClient, part: Part, quantity: str = "2") -> None:
    response = client.post(
        part.new_url,
        data={
            "reason": "damaged",
            "message": "Dua bungkus sobek.",
            f"qty_{part.line_id}": quantity,
            "photos": [(io.BytesIO(image_bytes()), "foto.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_complaint_with_a_partial_refund_from_the_order_page_to_the_refund_status(
    client: FlaskClient,
) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    order_page = client.get(f"/orders/{part.number}").get_data(as_text=True)
    assert "Ajukan komplain" in order_page and part.new_url in order_page
    form = client.get(part.new_url)
    assert form.status_code == 200 and "Barang rusak" in form.get_data(as_text=True)
    open_one(client, part)
    complaint = the_complaint()
    assert (complaint.status, complaint.lines[0].quantity, len(complaint.photos)) == (
        "open",
        2,
        1,
    )
    detail = client.get(part.url).get_data(as_text=True)
    assert "Menunggu jawaban koperasi" in detail and "Dua bungkus sobek." in detail
    photo = client.get(f"{part.url}/photos/{complaint.photos[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert "private" in photo.headers["Cache-Control"]
    order_page = client.get(f"/orders/{part.number}").get_data(as_text=True)
    assert "Lihat komplain" in order_page and "Ajukan komplain" not in order_page
    assert client.get(part.new_url).status_code == 302  # one complaint per part

    logout(client)
    login(client, part.member_email)
    dashboard = client.get("/vendor/").get_data(as_text=True)
    assert 'data-job="complaints"><span class="stat__value">1</span>' in dashboard
    assert "Komplain menunggu" in dashboard
    assert part.number in client.get("/vendor/complaints?show=waiting").get_data(as_text=True)
    page = client.get(f"/vendor/complaints/{complaint.id}")
    assert page.status_code == 200 and "Jawab komplain" in page.get_data(as_text=True)
    too_much = client.post(
        f"/vendor/complaints/{complaint.id}/answer",
        data={"answer": "refund", f"amount_{part.line_id}": "20.001", "note": ""},
    )
    assert too_much.status_code == 400 and "paling banyak" in too_much.get_data(as_text=True)
    assert the_complaint().status == "open"
    answered = client.post(
        f"/vendor/complaints/{complaint.id}/answer",
        data={"answer": "refund", f"amount_{part.line_id}": "12.500", "note": "Maaf."},
    )
    assert answered.status_code == 302
    assert the_complaint().status == "refund_accepted"

    logout(client)
    login(client, part.shopper_email)
    detail = client.get(part.url).get_data(as_text=True)
    assert "Diterima: dana dikembalikan" in detail and "Rp12.500" in detail
    # Paid at the cooperative's own account: it returns the money itself and sends a proof.
    assert "Dikembalikan langsung oleh koperasi" in detail and "Sedang diproses" in detail


def test_someone_else_finds_no_complaint_and_changes_nothing(client: FlaskClient) -> None:
    part = a_part(client.application)
    other = a_part(client.application, "budi@example.test")
    login(client, part.shopper_email)
    open_one(client, part)
    complaint = the_complaint()
    photo_id = complaint.photos[0].id
    logout(client)

    login(client, other.shopper_email)
    for url in (
        part.new_url,
        part.url,
        f"{part.url}/photos/{photo_id}",
        f"{part.url}/refund-proof",
    ):
        assert client.get(url).status_code == 404, url
    for action in ("return", "escalate", "close", "refund-received"):
        assert client.post(f"{part.url}/{action}", data={"note": "x"}).status_code == 404
    # Another's part under one's own order number.
    assert client.get(f"/orders/{other.number}/complaint/{part.id}").status_code == 404
    logout(client)

    login(client, other.member_email)
    base = f"/vendor/complaints/{complaint.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/photos/{photo_id}").status_code == 404
    for action in ("answer", "received", "refund-proof", "escalate"):
        assert client.post(f"{base}/{action}", data={"answer": "reject"}).status_code == 404
    assert client.get("/admin/complaints").status_code in (403, 404)
    assert client.get(f"/admin/complaints/{complaint.id}").status_code in (403, 404)
    assert the_complaint().status == "open"


def test_the_city_decides_an_escalated_complaint_and_sees_the_thread(client: FlaskClient) -> None:
    part = a_part(client.application)
    with client.application.test_request_context():
        UserFactory(email="kota@example.test", is_city_admin=True)
        db.session.commit()
    login(client, part.shopper_email)
    open_one(client, part, "1")
    client.post(f"/orders/{part.number}/messages/{part.id}", data={"body": "Sobek, Pak."})
    bad = client.post(f"{part.url}/escalate", data={"note": ""})
    assert bad.status_code == 400 and the_complaint().status == "open"
    assert client.post(f"{part.url}/escalate", data={"note": "Tidak dijawab."}).status_code == 302
    complaint = the_complaint()
    assert complaint.status == "escalated"
    logout(client)

    login(client, "kota@example.test")
    queue = client.get("/admin/complaints").get_data(as_text=True)
    assert part.number in queue
    page = client.get(f"/admin/complaints/{complaint.id}").get_data(as_text=True)
    assert "Sobek, Pak." in page and "Tidak dijawab." in page
    refused = client.post(
        f"/admin/complaints/{complaint.id}/decide", data={"refund_amount": "10.001", "reason": "x"}
    )
    assert refused.status_code == 400 and the_complaint().status == "escalated"
    decided = client.post(
        f"/admin/complaints/{complaint.id}/decide",
        data={"refund_amount": "4.000", "reason": "Sebagian rusak."},
    )
    assert decided.status_code == 302
    complaint = the_complaint()
    assert (complaint.status, complaint.refund_amount) == ("resolved", 4_000)
    refund = db.session.scalar(select(Refund).where(Refund.complaint_id == complaint.id))
    assert refund is not None and refund.amount == 4_000
    assert "Keputusan Admin Kota (final)" in client.get(
        f"/admin/complaints/{complaint.id}"
    ).get_data(as_text=True)


def test_a_complaint_after_the_window_is_refused_on_the_page(client: FlaskClient) -> None:
    from datetime import timedelta

    from marketplace import clock

    part = a_part(client.application)
    login(client, part.shopper_email)
    clock.freeze(clock.now() + timedelta(days=3, seconds=1))
    try:
        page = client.get(part.new_url)
        assert "Komplain hanya dapat diajukan sampai" in page.get_data(as_text=True)
        assert "Ajukan komplain" not in client.get(f"/orders/{part.number}").get_data(as_text=True)
        client.post(
            part.new_url,
            data={"reason": "damaged", "message": "x", f"qty_{part.line_id}": "1"},
        )
        assert db.session.scalar(select(Complaint)) is None
    finally:
        clock.unfreeze()


def test_the_order_page_asks_no_query_per_part_for_complaints(client: FlaskClient) -> None:
    part = a_part(client.application)
    login(client, part.shopper_email)
    client.get(f"/orders/{part.number}")
    with counted(client.application) as statements:
        client.get(f"/orders/{part.number}")
    complaint_queries = [s for s in statements if "complaints" in s]
    assert len(complaint_queries) == 1
