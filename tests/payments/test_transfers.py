"""Bank transfers: the account, amount and reference the shopper sees, the proof they upload,
and its confirmation or rejection by the right cooperative (only) or a city administrator."""

from __future__ import annotations

import io
import os
from datetime import UTC, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageFile
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments.models import Payee, Payment, PaymentStatus
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.payments.paying import (
    image_bytes,
    member_of,
    payments_of,
    pdf_bytes,
    placed_order,
    refresh,
    shopper_client,
)
from tests.photos import phone_photo

S = VendorOrderStatus
P = PaymentStatus
TRANSFER = PaymentMethod.BANK_TRANSFER


def upload(
    client: FlaskClient, order: Order, data: bytes, part: int | None = None, name: str = "bukti.png"
) -> Any:
    prefix = f"transfer{part or 0}"
    query = f"?part={part}" if part else ""
    return client.post(
        f"/orders/{order.number}/payment/transfer-proof{query}",
        data={f"{prefix}-proof": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"]) / "private"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def signed_in(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return signed_in(app, UserFactory(email="admin@example.test", is_city_admin=True))


def test_the_order_shows_each_cooperatives_account_amount_and_reference(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER, cooperatives=2)
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    for position, part in enumerate(order.vendor_orders, start=1):
        cooperative = part.cooperative
        assert cooperative.bank_account_number in page
        assert cooperative.bank_account_holder in page
        assert f"Rp{part.total:,}".replace(",", ".") in page
        assert f"{order.number}-{position}" in page
    assert "Unggah bukti transfer" in page


def test_with_the_platforms_account_there_is_one_transfer_for_the_order(
    app: Flask, config: dict[str, Any]
) -> None:
    config.update(
        PAYMENT_TRANSFER_ACCOUNT="platform",
        PLATFORM_BANK_NAME="Bank Jatim",
        PLATFORM_BANK_ACCOUNT_NUMBER="0099887766",
        PLATFORM_BANK_ACCOUNT_HOLDER="Pasar OPOP Kota Mojokerto",
    )
    order = placed_order(app, payment=TRANSFER, cooperatives=2)
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    # Shown once (its copy button carries it again, in data-copy).
    assert page.count(">0099887766<") == 1
    assert f"Rp{order.grand_total:,}".replace(",", ".") in page
    assert upload(client, order, image_bytes()).status_code == 302
    [payment] = payments_of(order)
    assert (payment.payee, payment.amount, payment.reference) == (
        Payee.PLATFORM,
        order.grand_total,
        order.number,
    )
    assert len(payment.allocations) == 2


def test_a_proof_is_stored_privately_and_keeps_the_order_open_for_review(
    app: Flask, clock: ModuleType
) -> None:
    order = placed_order(app, payment=TRANSFER)
    [part] = order.vendor_orders
    client = shopper_client(app)
    clock.advance(timedelta(hours=23))

    before = stored_files(app)
    response = upload(client, order, image_bytes("PNG"), part.id)

    assert response.status_code == 302
    [payment] = payments_of(order)
    assert (payment.state, payment.amount, payment.proof_content_type) == (
        P.PENDING,
        part.total,
        "image/png",
    )
    assert payment.proof_key.startswith("private/transfer-proofs/")
    [new_file] = set(stored_files(app)) - set(before)
    assert new_file.name == payment.proof_key.rsplit("/", 1)[-1]
    assert client.get(f"/media/{payment.proof_key}").status_code == 404  # never public
    own = client.get(f"/orders/{order.number}/payment/proofs/{payment.id}")
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    refresh(part)
    assert part.payment_due_at.replace(tzinfo=UTC) == clock.now() + timedelta(hours=48)
    page = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "sedang diperiksa" in page
    # One proof at a time.
    again = upload(client, order, image_bytes("PNG"), part.id)
    assert again.status_code == 400
    assert "masih diperiksa" in again.get_data(as_text=True)


def test_a_receipt_photographed_with_a_phone_is_accepted_and_stored_smaller(app: Flask) -> None:
    """The photo as the camera made it (4000×3000, 7 MB), sent whole by a browser that cannot
    resize it first: stored at 2400 pixels on its long side, upright, without its EXIF."""
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "paling besar 15 MB" in page and 'data-resize-image="2400"' in page
    english = client.get(f"/orders/{order.number}/payment?lang=en").get_data(as_text=True)
    assert "A photo or screenshot (JPEG, PNG, WebP) or a PDF, at most 15 MB." in english
    photo = phone_photo(orientation=6)
    assert len(photo) > 5 * 1024 * 1024
    response = upload(client, order, photo, order.vendor_orders[0].id, "IMG_2031.jpg")
    assert response.status_code == 302
    [payment] = payments_of(order)
    stored = client.get(f"/orders/{order.number}/payment/proofs/{payment.id}")
    with Image.open(io.BytesIO(stored.data)) as proof:
        assert (proof.format, proof.size) == ("JPEG", (1800, 2400))
        assert proof.getexif() == {}
    assert payment.proof_size == len(stored.data) < len(photo) // 2


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 not a picture", "bukti.jpg", "Jenis berkas tidak didukung"),
        (b"GIF89a" + b"\x00" * 40, "bukti.gif", "Jenis berkas tidak didukung"),
        (b"%PDF-1.4 truncated", "bukti.pdf", "bukan PDF yang utuh"),
        (b"", "kosong.png", "Berkas kosong"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_saved(
    app: Flask, data: bytes, name: str, message: str
) -> None:
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    before = stored_files(app)
    response = upload(client, order, data, order.vendor_orders[0].id, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert payments_of(order) == []
    assert stored_files(app) == before


def test_a_decompression_bomb_is_refused_cleanly(app: Flask) -> None:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # 144 megapixels in a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    order = placed_order(app, payment=TRANSFER)
    before = stored_files(app)
    response = upload(shopper_client(app), order, buffer.getvalue(), order.vendor_orders[0].id)
    assert response.status_code == 400
    assert "Gambar terlalu besar (lebih dari 16 megapiksel)" in response.get_data(as_text=True)
    assert payments_of(order) == [] and stored_files(app) == before


def test_a_proof_over_sixteen_megapixels_is_refused_before_it_is_decoded(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo of a receipt needs a phone's 12 megapixels; 25 would cost 75 MB to decode."""
    decoded: list[Any] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    buffer = io.BytesIO()
    Image.new("RGB", (5_000, 5_000), (240, 240, 240)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 1024 * 1024
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    before = stored_files(app)
    response = upload(client, order, buffer.getvalue(), order.vendor_orders[0].id)
    assert response.status_code == 400
    assert "Gambar terlalu besar (lebih dari 16 megapiksel)" in response.get_data(as_text=True)
    client.get("/?lang=en")
    response = upload(client, order, buffer.getvalue(), order.vendor_orders[0].id)
    assert "more than 16 megapixels" in response.get_data(as_text=True)
    assert decoded == [], "the image was decoded before its size was checked"
    assert payments_of(order) == [] and stored_files(app) == before


def test_a_file_over_fifteen_megabytes_is_refused(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER)
    too_big = image_bytes("PNG") + os.urandom(15 * 1024 * 1024)
    before = stored_files(app)
    response = upload(shopper_client(app), order, too_big, order.vendor_orders[0].id)
    assert response.status_code == 400
    assert "Berkas terlalu besar. Ukuran paling besar 15 MB." in response.get_data(as_text=True)
    assert payments_of(order) == [] and stored_files(app) == before


def test_a_pdf_proof_is_accepted_and_downloaded(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    assert (
        upload(client, order, pdf_bytes(), order.vendor_orders[0].id, "bukti.pdf").status_code
        == 302
    )
    [payment] = payments_of(order)
    response = client.get(f"/orders/{order.number}/payment/proofs/{payment.id}")
    assert response.data == pdf_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_an_english_shopper_gets_the_message_in_english(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    client.get("/?lang=en")
    response = upload(client, order, b"plain text", order.vendor_orders[0].id, "bukti.txt")
    assert "File type not supported" in response.get_data(as_text=True)


def uploaded(app: Flask, cooperatives: int = 1) -> tuple[Order, Payment]:
    order = placed_order(app, payment=TRANSFER, cooperatives=cooperatives)
    client = shopper_client(app)
    assert upload(client, order, image_bytes(), order.vendor_orders[0].id).status_code == 302
    return order, payments_of(order)[0]


def test_the_cooperative_confirms_a_transfer_and_the_part_is_paid(app: Flask) -> None:
    order, payment = uploaded(app)
    member = signed_in(app, member_of(order))
    listing = member.get("/vendor/transfers/").get_data(as_text=True)
    assert order.number in listing
    review = member.get(f"/vendor/transfers/{payment.id}").get_data(as_text=True)
    assert "Konfirmasi: uang sudah masuk" in review
    proof = member.get(f"/vendor/transfers/{payment.id}/proof")
    assert proof.status_code == 200 and proof.mimetype == "image/png"

    response = member.post(f"/vendor/transfers/{payment.id}/confirm")

    assert response.status_code == 302
    [part] = order.vendor_orders
    refresh(part)
    assert part.status == S.PAID and part.events[-1].note == payment.reference
    [payment] = payments_of(order)
    assert payment.state == P.SUCCEEDED and payment.decided_by is not None
    subjects = db.session.scalars(select(OutboxEmail.subject)).all()
    assert f"Pembayaran pesanan {order.number} diterima" in subjects
    # A decision is made once.
    assert member.post(f"/vendor/transfers/{payment.id}/confirm").status_code == 409


def test_another_cooperative_never_sees_the_transfer(app: Flask) -> None:
    order, payment = uploaded(app)
    stranger = signed_in(app, CooperativeMemberFactory().user)
    assert order.number not in stranger.get("/vendor/transfers/").get_data(as_text=True)
    for method, path in (
        ("get", f"/vendor/transfers/{payment.id}"),
        ("get", f"/vendor/transfers/{payment.id}/proof"),
        ("post", f"/vendor/transfers/{payment.id}/confirm"),
        ("post", f"/vendor/transfers/{payment.id}/reject"),
    ):
        assert getattr(stranger, method)(path, data={"reason": "x"}).status_code == 404, path
    assert payments_of(order)[0].state == P.PENDING
    # A shopper who is no member is refused outright.
    assert shopper_client(app).get("/vendor/transfers/").status_code == 403


def test_in_a_two_cooperative_order_each_sees_only_its_own_transfer(app: Flask) -> None:
    order = placed_order(app, payment=TRANSFER, cooperatives=2)
    client = shopper_client(app)
    first, second = order.vendor_orders
    upload(client, order, image_bytes(), first.id)
    upload(client, order, image_bytes(), second.id)
    one, two = payments_of(order)
    second_member = signed_in(app, member_of(order, 1))
    assert second_member.get(f"/vendor/transfers/{one.id}").status_code == 404
    assert second_member.post(f"/vendor/transfers/{two.id}/confirm").status_code == 302
    refresh(first, second)
    assert (first.status, second.status) == (S.AWAITING_PAYMENT, S.PAID)


def test_rejecting_needs_a_reason_and_tells_the_shopper(app: Flask) -> None:
    order, payment = uploaded(app)
    member = signed_in(app, member_of(order))
    refused = member.post(f"/vendor/transfers/{payment.id}/reject", data={"reason": " "})
    assert refused.status_code == 400 and "Wajib diisi." in refused.get_data(as_text=True)

    response = member.post(
        f"/vendor/transfers/{payment.id}/reject", data={"reason": "Belum ada uang masuk"}
    )

    assert response.status_code == 302
    [payment] = payments_of(order)
    assert (payment.state, payment.decision_note) == (P.REJECTED, "Belum ada uang masuk")
    email = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.template == "transfer_proof_rejected")
    )
    assert email is not None and "Belum ada uang masuk" in email.body_text
    client = shopper_client(app)
    page = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "ditolak: Belum ada uang masuk" in page
    assert upload(client, order, image_bytes(), order.vendor_orders[0].id).status_code == 302
    assert [p.state for p in payments_of(order)] == [P.REJECTED, P.PENDING]


def test_a_city_administrator_confirms_and_rejects_transfers(
    app: Flask, admin: FlaskClient
) -> None:
    order, payment = uploaded(app)
    desk = admin.get("/admin/payments/").get_data(as_text=True)
    assert payment.reference in desk
    assert admin.get(f"/admin/payments/transfers/{payment.id}/proof").status_code == 200
    assert admin.post(f"/admin/payments/transfers/{payment.id}/confirm").status_code == 302
    assert payments_of(order)[0].state == P.SUCCEEDED

    other, pending = uploaded(app)
    response = admin.post(
        f"/admin/payments/transfers/{pending.id}/reject", data={"reason": "Nominal kurang"}
    )
    assert response.status_code == 302
    assert payments_of(other)[0].state == P.REJECTED


def test_platform_transfers_are_for_the_city_not_the_cooperative(
    app: Flask, config: dict[str, Any], admin: FlaskClient
) -> None:
    config.update(
        PAYMENT_TRANSFER_ACCOUNT="platform",
        PLATFORM_BANK_NAME="Bank Jatim",
        PLATFORM_BANK_ACCOUNT_NUMBER="0099887766",
        PLATFORM_BANK_ACCOUNT_HOLDER="Pasar OPOP",
    )
    order = placed_order(app, payment=TRANSFER)
    client = shopper_client(app)
    upload(client, order, image_bytes())
    [payment] = payments_of(order)
    member = signed_in(app, member_of(order))
    assert member.get(f"/vendor/transfers/{payment.id}").status_code == 404
    assert admin.get(f"/admin/payments/transfers/{payment.id}").status_code == 200


def test_a_transfer_confirmed_after_the_order_expired_is_returned_and_flagged(
    app: Flask, clock: ModuleType, admin: FlaskClient
) -> None:
    order, payment = uploaded(app)
    [part] = order.vendor_orders
    clock.advance(timedelta(days=3))  # past the review window too: the order expires
    assert app.test_cli_runner().invoke(args=["orders", "expire"]).output.strip() == "expired 1"

    assert admin.post(f"/admin/payments/transfers/{payment.id}/confirm").status_code == 302

    [payment] = payments_of(order)
    assert payment.flag == "paid_after_cancel"
    refresh(part)
    assert part.status == S.CANCELLED
    desk = admin.get("/admin/payments/").get_data(as_text=True)
    assert "Dibayar setelah pesanan dibatalkan" in desk
    assert "Dana yang harus dikembalikan lewat transfer" in desk
    # The city resolves the flag with a note.
    assert admin.post(f"/admin/payments/flags/{payment.id}", data={"note": ""}).status_code == 400
    assert (
        admin.post(
            f"/admin/payments/flags/{payment.id}", data={"note": "Dana dikembalikan, telp pembeli"}
        ).status_code
        == 302
    )
    assert not payments_of(order)[0].is_flag_open
