"""Orders to fulfil: the cooperative's lists and order page. Every move goes through
orders.services (its lifecycle, audit entry and shopper email); a move the lifecycle refuses, or
a form with a missing detail, is explained and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.models import (
    DeliveryMethod,
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.shipping import table
from marketplace.shipping.zones import Zone
from tests.conftest import login
from tests.factories import UserFactory
from tests.queries import counted
from tests.vendors.conftest import Shop, place_order_with

S = VendorOrderStatus


def fingerprint(vendor_order: VendorOrder) -> tuple[Any, ...]:
    """Everything a move could change: the part, its timeline, audit entries, emails, stock."""
    db.session.expire_all()

    def count(statement: Any) -> int:
        return db.session.scalar(statement) or 0

    part = db.session.get(VendorOrder, vendor_order.id)
    assert part is not None
    variant = part.lines[0].variant
    return (
        part.status,
        part.courier_name,
        part.tracking_number,
        part.cancel_reason,
        part.paid_at,
        count(
            select(func.count())
            .select_from(VendorOrderEvent)
            .where(VendorOrderEvent.vendor_order_id == part.id)
        ),
        count(select(func.count()).select_from(AuditLog)),
        count(select(func.count()).select_from(OutboxEmail)),
        (variant.on_hand, variant.reserved),
    )


def status_of(vendor_order: VendorOrder) -> str:
    db.session.expire_all()
    part = db.session.get(VendorOrder, vendor_order.id)
    assert part is not None
    return part.status


def test_each_order_is_listed_under_its_state_and_only_to_its_cooperative(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    unpaid = place_order_with(app, shop_a, 1, paid=False)
    at_pickup = place_order_with(
        app, shop_a, 1, delivery=DeliveryMethod.PICKUP, payment=PaymentMethod.PAY_AT_PICKUP
    )
    paid = place_order_with(app, shop_a, 1)
    theirs = place_order_with(app, shop_b, 1)
    numbers = {part.id: part.order.number for part in (unpaid, at_pickup, paid, theirs)}

    page = owner_client.get("/vendor/orders").get_data(as_text=True)  # "new orders" first
    assert numbers[paid.id] in page and numbers[at_pickup.id] in page
    assert numbers[unpaid.id] not in page
    assert 'aria-current="page">Pesanan baru <span class="tabs__count">2</span>' in page
    assert "Menunggu pembayaran <span" in page
    waiting = owner_client.get("/vendor/orders?group=awaiting_payment").get_data(as_text=True)
    assert numbers[unpaid.id] in waiting and numbers[paid.id] not in waiting
    assert "Keripik Alpha × 1" in waiting and "Siti Aminah" in waiting
    for group in ("to_accept", "to_pack", "on_the_way", "delivered", "awaiting_payment", "closed"):
        listed = owner_client.get(f"/vendor/orders?group={group}").get_data(as_text=True)
        assert numbers[theirs.id] not in listed and shop_b.product.name not in listed
    # An unknown group falls back to the new orders rather than failing.
    assert numbers[paid.id] in owner_client.get("/vendor/orders?group=x").get_data(as_text=True)


def test_a_paid_order_is_accepted_shipped_and_delivered_by_staff(
    app: Flask, staff_client: FlaskClient, shop_a: Shop, sent_mail: list[Any]
) -> None:
    part = place_order_with(app, shop_a, 2)
    number = part.order.number
    shopper = part.order.user.email
    page = staff_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Terima pesanan" in page and "Tolak pesanan" in page
    assert "Jl. Majapahit No. 5" in page and "081234567890" in page and "SKU-ALPHA" in page
    assert "Transfer bank" in page and "lunas" in page

    response = staff_client.post(f"/vendor/orders/{part.id}/accept")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/vendor/orders/{part.id}"
    assert status_of(part) == S.ACCEPTED
    page = staff_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert f"Pesanan {number} diterima." in page
    assert "Tandai sudah dikirim" in page and "Terima pesanan" not in page

    response = staff_client.post(
        f"/vendor/orders/{part.id}/ship",
        data={"courier": "other", "courier_name": "Kurir Koperasi", "tracking_number": "AH-0001"},
    )
    assert response.status_code == 302 and status_of(part) == S.SHIPPED
    response = staff_client.post(f"/vendor/orders/{part.id}/deliver")
    assert response.status_code == 302 and status_of(part) == S.DELIVERED
    db.session.expire_all()
    assert (shop_a.variant.on_hand, shop_a.variant.reserved) == (0, 0)  # sold

    # The shopper heard of every move, once.
    to_shopper = [m.subject for m in sent_mail if m.to_address == shopper]
    assert to_shopper == [
        f"Pesanan {number}: Diproses koperasi",
        f"Pesanan {number}: Dikirim",
        f"Pesanan {number}: Diterima pembeli",
    ]
    shipped = next(m for m in sent_mail if m.subject.endswith("Dikirim"))
    assert "Dikirim lewat Kurir Koperasi, Nomor resi: AH-0001." in shipped.body_text
    # orders.services audits every move with the acting member; the workspace adds nothing.
    audit = db.session.execute(
        select(AuditLog.action, AuditLog.actor_id, AuditLog.cooperative_id)
        .where(AuditLog.subject_type == "VendorOrder", AuditLog.subject_id == part.id)
        .order_by(AuditLog.id)
    ).all()
    staff = shop_a.staff.user.id
    cooperative = shop_a.cooperative.id
    assert [tuple(row) for row in audit] == [
        ("vendor_order.paid", None, cooperative),
        ("vendor_order.accepted", staff, cooperative),
        ("vendor_order.shipped", staff, cooperative),
        ("vendor_order.delivered", staff, cooperative),
    ]


def test_rejecting_needs_a_reason_then_releases_the_stock(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, sent_mail: list[Any]
) -> None:
    part = place_order_with(app, shop_a, 3)
    before = fingerprint(part)
    response = owner_client.post(f"/vendor/orders/{part.id}/reject", data={"reason": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "Wajib diisi." in page
    assert fingerprint(part) == before

    response = owner_client.post(
        f"/vendor/orders/{part.id}/reject", data={"reason": "Bahan baku habis"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert status_of(part) == S.CANCELLED
    assert shop_a.variant.reserved == 0 and shop_a.variant.on_hand == 3
    # The shopper hears why (and, in a second email, how the payment comes back).
    assert any("Alasan pembatalan: Bahan baku habis" in mail.body_text for mail in sent_mail)
    assert any("dikembalikan" in mail.body_text for mail in sent_mail)
    page = owner_client.get("/vendor/orders?group=closed").get_data(as_text=True)
    assert part.order.number in page


def test_a_move_the_lifecycle_refuses_is_explained_and_changes_nothing(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    unpaid = place_order_with(app, shop_a, 1, paid=False)
    before = fingerprint(unpaid)
    response = owner_client.post(f"/vendor/orders/{unpaid.id}/accept")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert (
        "Pesanan berstatus \u201cMenunggu pembayaran\u201d tidak dapat diubah menjadi "
        "\u201cDiproses koperasi\u201d." in page
    )
    assert "Menunggu pembayaran pembeli." in page
    assert fingerprint(unpaid) == before

    part = place_order_with(app, shop_a, 1)  # local delivery: shipped, never set out for pickup
    assert owner_client.post(f"/vendor/orders/{part.id}/accept").status_code == 302
    before = fingerprint(part)
    for action, data in [
        ("accept", {}),  # a second click, or another member in another tab
        ("ready", {}),
        ("deliver", {}),
        ("reject", {"reason": "terlambat"}),
    ]:
        response = owner_client.post(f"/vendor/orders/{part.id}/{action}", data=data)
        assert response.status_code == 409, action
        assert "tidak dapat diubah menjadi" in response.get_data(as_text=True)
    assert fingerprint(part) == before


def test_the_english_page_explains_a_refused_move_in_english(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    part = place_order_with(app, shop_a, 1, paid=False)
    response = owner_client.post(f"/vendor/orders/{part.id}/accept?lang=en")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "cannot become" in page and "tidak dapat" not in page


def test_a_courier_parcel_is_not_shipped_without_its_tracking_number(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, sent_mail: list[Any]
) -> None:
    shop_a.cooperative.offers_courier = True
    for zone in Zone:
        table.set_band(shop_a.cooperative.id, zone, 5000, 15000)
    part = place_order_with(app, shop_a, 1, delivery=DeliveryMethod.COURIER)
    assert owner_client.post(f"/vendor/orders/{part.id}/accept").status_code == 302
    before = fingerprint(part)
    response = owner_client.post(f"/vendor/orders/{part.id}/ship", data={"courier": "jne"})
    assert response.status_code == 400
    assert "Tulis nomor resi pengiriman." in response.get_data(as_text=True)
    response = owner_client.post(
        f"/vendor/orders/{part.id}/ship", data={"courier": "", "tracking_number": "X1"}
    )
    assert response.status_code == 400
    assert "Pilih kurir." in response.get_data(as_text=True)
    response = owner_client.post(
        f"/vendor/orders/{part.id}/ship",
        data={"courier": "other", "courier_name": "", "tracking_number": "X1"},
    )
    assert response.status_code == 400
    assert "Tulis nama kurir atau pengantar." in response.get_data(as_text=True)
    # A JNE number that is not like JNE's: asked again, with a box to confirm it.
    response = owner_client.post(
        f"/vendor/orders/{part.id}/ship", data={"courier": "jne", "tracking_number": "X1"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nomor resi X1 tidak seperti nomor resi JNE biasanya." in page
    assert 'name="resi_confirmed"' in page
    assert fingerprint(part) == before
    response = owner_client.post(
        f"/vendor/orders/{part.id}/ship",
        data={"courier": "jne", "tracking_number": "JNE0123456789"},
    )
    assert response.status_code == 302 and status_of(part) == S.SHIPPED
    assert "Nomor resi: JNE0123456789" in sent_mail[-1].body_text


def test_pay_at_pickup_is_accepted_set_out_and_handed_over_against_payment(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, sent_mail: list[Any]
) -> None:
    part = place_order_with(
        app, shop_a, 2, delivery=DeliveryMethod.PICKUP, payment=PaymentMethod.PAY_AT_PICKUP
    )
    page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Pembeli membayar saat mengambil barang di koperasi." in page
    assert "tagih Rp20.000 saat barang diambil" in page
    assert "Jl. Majapahit" not in page  # nothing is sent: the address is not the point
    assert owner_client.post(f"/vendor/orders/{part.id}/accept").status_code == 302
    assert owner_client.post(f"/vendor/orders/{part.id}/ready").status_code == 302
    page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Serahkan barang setelah menerima pembayaran Rp20.000." in page
    assert "Sudah diambil dan dibayar" in page
    assert owner_client.post(f"/vendor/orders/{part.id}/deliver").status_code == 302
    db.session.expire_all()
    assert status_of(part) == S.DELIVERED
    refreshed = db.session.get(VendorOrder, part.id)
    assert refreshed is not None and refreshed.paid_at is not None
    subjects = [m.subject for m in sent_mail if m.to_address == part.order.user.email]
    assert [s.split(": ")[1] for s in subjects] == [
        "Diproses koperasi",
        "Siap diambil",
        "Diterima pembeli",
    ]


def test_the_packing_slip_is_printable(app: Flask, owner_client: FlaskClient, shop_a: Shop) -> None:
    part = place_order_with(app, shop_a, 2)
    response = owner_client.get(f"/vendor/orders/{part.id}/packing-slip")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Slip pengemasan {part.order.number}" in page
    assert "data-print>Cetak</button>" in page
    assert "SKU-ALPHA" in page and "Siti Aminah" in page and "Koperasi Alpha" in page
    assert "style=" not in page and "<script>" not in page


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def expire_job(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_opening_an_overdue_order_shows_it_expired_and_the_job_writes_it(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    part = place_order_with(app, shop_a, 1, paid=False)
    part.payment_due_at = part.created_at - timedelta(minutes=1)
    db.session.commit()
    before = fingerprint(part)
    with counted(app) as statements:
        page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
        slip = owner_client.get(f"/vendor/orders/{part.id}/packing-slip")
    assert "Dibatalkan otomatis" in page
    assert "Terima pesanan" not in page  # no move offered on a part shown cancelled
    assert slip.status_code == 200 and "SKU-ALPHA" in slip.get_data(as_text=True)
    # The pages wrote nothing: no statement, and the part still awaits payment with its stock.
    assert statements and writes(statements) == []
    assert fingerprint(part) == before and status_of(part) == S.AWAITING_PAYMENT
    # The periodic job writes the expiry.
    assert expire_job(app) == "expired 1"
    assert status_of(part) == S.CANCELLED
    assert fingerprint(part) != before


def test_opening_a_long_delivered_order_shows_it_completed_and_the_job_writes_it(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, clock: ModuleType
) -> None:
    part = place_order_with(app, shop_a, 1, delivery=DeliveryMethod.PICKUP)
    member = shop_a.owner.user
    with app.test_request_context():
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
    clock.advance(timedelta(days=8))
    with counted(app) as statements:
        page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert "Selesai otomatis" in page
    assert statements and writes(statements) == []
    assert status_of(part) == S.DELIVERED
    result = app.test_cli_runner().invoke(args=["orders", "complete"])
    assert result.output.strip() == "completed 1"
    assert status_of(part) == S.COMPLETED


def test_order_moves_need_the_csrf_token(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, csrf_enabled: None
) -> None:
    part = place_order_with(app, shop_a, 1)
    before = fingerprint(part)
    for action, data in [
        ("accept", {}),
        ("reject", {"reason": "x"}),
        ("ship", {"courier": "jne", "tracking_number": "1"}),
        ("ready", {}),
        ("deliver", {}),
    ]:
        response = owner_client.post(f"/vendor/orders/{part.id}/{action}", data=data)
        assert response.status_code == 400, action
    assert fingerprint(part) == before
    page = owner_client.get(f"/vendor/orders/{part.id}").get_data(as_text=True)
    assert page.count('method="post"') == page.count('name="csrf_token"') >= 3


def test_a_shopper_sees_the_tracking_number_on_the_order_page(
    app: Flask, client: FlaskClient, shop_a: Shop
) -> None:
    shopper = UserFactory(email="pembeli@example.test")
    part = place_order_with(app, shop_a, 1, shopper=shopper)
    assert login(client, shop_a.owner.user.email).status_code == 302
    client.post(f"/vendor/orders/{part.id}/accept")
    client.post(
        f"/vendor/orders/{part.id}/ship",
        data={"courier": "other", "courier_name": "Kurir Koperasi", "tracking_number": "AH-77"},
    )
    client.post("/account/logout")
    assert login(client, "pembeli@example.test").status_code == 302
    page = client.get(f"/orders/{part.order.number}").get_data(as_text=True)
    assert "Dikirim" in page and "Nomor resi: AH-77" in page
    # The cooperative's own pengantar has no tracking site.
    assert "Lacak di situs" not in page


def test_a_parcel_sent_with_a_listed_courier_links_to_its_tracking_site(
    app: Flask, client: FlaskClient, shop_a: Shop
) -> None:
    shopper = UserFactory(email="pembeli@example.test")
    part = place_order_with(app, shop_a, 1, shopper=shopper)
    assert login(client, shop_a.owner.user.email).status_code == 302
    client.post(f"/vendor/orders/{part.id}/accept")
    response = client.post(
        f"/vendor/orders/{part.id}/ship", data={"courier": "jnt", "tracking_number": "JP1234567890"}
    )
    assert response.status_code == 302
    client.post("/account/logout")
    assert login(client, "pembeli@example.test").status_code == 302
    page = client.get(f"/orders/{part.order.number}").get_data(as_text=True)
    assert "Dikirim lewat J&amp;T Express · Nomor resi: JP1234567890" in page
    assert '<a href="https://jet.co.id" rel="noopener noreferrer" target="_blank">' in page
    assert "Lacak di situs J&amp;T Express" in page
