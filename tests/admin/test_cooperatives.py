"""The city decides on cooperatives: the queue with the legal data, the decisions with their
reasons (email and workspace), and what a suspension does to the catalogue and to open orders."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, MemberRole
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders import queries as order_queries
from marketplace.orders.models import VendorOrderStatus
from tests.conftest import login, make_test_app
from tests.factories import (
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.shopping import place, stocked_variant


def pending_cooperative(**fields: Any) -> Cooperative:
    values: dict[str, Any] = {
        "name": "Koppontren Nurul Huda",
        "slug": "koppontren-nurul-huda",
        "status": CooperativeStatus.PENDING,
        "pesantren_name": "Pondok Pesantren Nurul Huda",
        "kecamatan": "Kranggan",
        "nib": "9120001234567",
        "npwp": "0987654321098765",
        "is_pkp": True,
        "pp55_certificate_number": "PP55-2026-0042",
        "pp55_valid_until": date(2027, 6, 30),
        "bank_name": "Bank Syariah Indonesia",
        "bank_account_number": "7123456789",
        "bank_account_holder": "Koppontren Nurul Huda",
    }
    values.update(fields)
    cooperative: Cooperative = CooperativeFactory(**values)
    CooperativeMemberFactory(
        cooperative=cooperative,
        user=UserFactory(email="owner@nurulhuda.test", full_name="Pak Huda"),
        role=MemberRole.OWNER,
    )
    return cooperative


def decisions(cooperative_id: int) -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.cooperative_id == cooperative_id, AuditLog.action.like("cooperative.%"))
            .order_by(AuditLog.id)
        )
    )


def test_the_queue_lists_applications_with_their_legal_data(admin_client: FlaskClient) -> None:
    cooperative = pending_cooperative()
    CooperativeFactory(name="Koperasi Sudah Aktif")  # approved: not in the queue
    html = admin_client.get("/admin/cooperatives").get_data(as_text=True)
    assert "Koppontren Nurul Huda" in html
    assert "Koperasi Sudah Aktif" not in html
    assert "9120001234567" in html  # NIB
    detail = admin_client.get(f"/admin/cooperatives/{cooperative.id}").get_data(as_text=True)
    for fact in (
        "9120001234567",
        "0987654321098765",
        "Ya, pengusaha kena pajak",
        "PP55-2026-0042",
        "30 Jun 2027",
        "Bank Syariah Indonesia 7123456789",
        "Pondok Pesantren Nurul Huda",
        "Kranggan",
        "owner@nurulhuda.test",
    ):
        assert fact in detail, fact
    approved = admin_client.get("/admin/cooperatives?status=approved").get_data(as_text=True)
    assert "Koperasi Sudah Aktif" in approved


def test_approving_emails_the_owner_and_is_audited_with_the_admin(
    admin_client: FlaskClient, admin: User, sent_mail: list[Any]
) -> None:
    cooperative = pending_cooperative()
    response = admin_client.post(
        f"/admin/cooperatives/{cooperative.id}/approve", data={"reason": "Selamat bergabung."}
    )
    assert response.status_code == 302
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.APPROVED
    assert [m.to_address for m in sent_mail] == ["owner@nurulhuda.test"]
    assert "Selamat bergabung." in sent_mail[0].body_text
    entry = decisions(cooperative.id)[-1]
    assert (entry.action, entry.actor_id) == ("cooperative.approve", admin.id)


def test_asking_for_changes_needs_a_message_that_the_cooperative_then_reads(
    admin_client: FlaskClient, client: FlaskClient, sent_mail: list[Any]
) -> None:
    cooperative = pending_cooperative()
    refused = admin_client.post(
        f"/admin/cooperatives/{cooperative.id}/request_changes", data={"reason": "  "}
    )
    assert refused.status_code == 400
    assert "Tuliskan alasannya untuk koperasi." in refused.get_data(as_text=True)
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.PENDING
    assert sent_mail == []

    message = "Unggah ulang NIB: nomornya tidak terbaca."
    response = admin_client.post(
        f"/admin/cooperatives/{cooperative.id}/request_changes", data={"reason": message}
    )
    assert response.status_code == 302
    assert message in sent_mail[0].body_text
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.CHANGES_REQUESTED

    owner = FlaskClient(client.application, client.response_wrapper)
    assert login(owner, "owner@nurulhuda.test").status_code == 302
    assert message in owner.get("/vendor/status").get_data(as_text=True)


def test_rejecting_and_suspending_need_a_reason(admin_client: FlaskClient) -> None:
    pending = pending_cooperative()
    approved = CooperativeFactory()
    for cooperative, action in ((pending, "reject"), (approved, "suspend")):
        response = admin_client.post(f"/admin/cooperatives/{cooperative.id}/{action}", data={})
        assert response.status_code == 400, action
    db.session.refresh(pending)
    db.session.refresh(approved)
    assert (pending.status, approved.status) == ("pending", "approved")


def test_a_decision_the_status_does_not_allow_is_refused(admin_client: FlaskClient) -> None:
    cooperative = CooperativeFactory()  # approved already
    response = admin_client.post(f"/admin/cooperatives/{cooperative.id}/approve", data={})
    assert response.status_code == 409
    assert admin_client.post("/admin/cooperatives/999999/approve").status_code == 404


def test_a_suspended_cooperative_disappears_from_the_catalogue_and_the_api_at_once(
    admin_client: FlaskClient, sent_mail: list[Any]
) -> None:
    cooperative = CooperativeFactory(name="Koperasi Tenggelam", slug="koperasi-tenggelam")
    CooperativeMemberFactory(cooperative=cooperative, user=UserFactory(email="o@tenggelam.test"))
    product = ProductFactory(cooperative=cooperative, name="Sambal Tenggelam", slug="sambal-t")
    VariantFactory(product=product, price=20000)
    shopper = FlaskClient(admin_client.application, admin_client.response_wrapper)

    def visible() -> list[bool]:
        return [
            "Sambal Tenggelam" in shopper.get("/products").get_data(as_text=True),
            shopper.get("/products/sambal-t").status_code == 200,
            shopper.get("/cooperatives/koperasi-tenggelam").status_code == 200,
            any(p["slug"] == "sambal-t" for p in shopper.get("/api/v1/products").json["items"]),
        ]

    assert visible() == [True, True, True, True]
    response = admin_client.post(
        f"/admin/cooperatives/{cooperative.id}/suspend", data={"reason": "Izin usaha dicabut."}
    )
    assert response.status_code == 302
    assert visible() == [False, False, False, False]
    assert "Izin usaha dicabut." in sent_mail[0].body_text

    admin_client.post(f"/admin/cooperatives/{cooperative.id}/reinstate", data={})
    assert visible() == [True, True, True, True]


def test_a_suspended_cooperatives_open_orders_stay_visible_and_can_be_completed(
    app_ctx: Flask, admin: User, clock: Any
) -> None:
    from datetime import timedelta

    from marketplace.cooperatives import services as cooperatives

    variant = stocked_variant(10)
    cooperative = variant.product.cooperative
    member = CooperativeMemberFactory(cooperative=cooperative).user
    shopper = UserFactory()
    order = place(shopper, (variant, 2))
    vendor_order = order.vendor_orders[0]
    order_moves.mark_vendor_order_paid(vendor_order, reference="TRF-1")

    cooperatives.suspend(cooperative, admin, "Pemeriksaan izin.")
    db.session.flush()

    # The shopper still sees the order, and the cooperative still fulfils it.
    assert order_queries.open_order(shopper, order.number or "").id == order.id
    order_moves.accept_vendor_order(member, vendor_order.id)
    order_moves.mark_ready_for_pickup(member, vendor_order.id)
    order_moves.mark_delivered(member, vendor_order.id)
    clock.advance(timedelta(days=app_ctx.config["ORDER_AUTO_COMPLETE_DAYS"] + 1))
    assert order_moves.complete_vendor_order(vendor_order.id)
    db.session.refresh(vendor_order)
    assert vendor_order.status == VendorOrderStatus.COMPLETED
    assert order_queries.open_order(shopper, order.number or "").vendor_orders[0].status == (
        VendorOrderStatus.COMPLETED
    )


def test_the_city_marks_its_pilot_cooperatives(admin_client: FlaskClient, admin: User) -> None:
    cooperative = CooperativeFactory(is_pilot=False)
    admin_client.post(f"/admin/cooperatives/{cooperative.id}/pilot", data={"is_pilot": "y"})
    db.session.refresh(cooperative)
    assert cooperative.is_pilot
    admin_client.post(f"/admin/cooperatives/{cooperative.id}/pilot", data={})
    db.session.refresh(cooperative)
    assert not cooperative.is_pilot
    actions = [(e.action, e.actor_id) for e in decisions(cooperative.id)]
    assert actions == [("cooperative.pilot_set", admin.id), ("cooperative.pilot_unset", admin.id)]


@pytest.mark.redis
def test_a_cached_catalogue_page_forgets_a_suspended_cooperative_at_once(
    app: Flask, redis_url: str, tmp_path: Path
) -> None:
    cached = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url
    )
    with cached.app_context():
        from marketplace.extensions import redis_client

        redis_client().flushdb()
    cooperative = CooperativeFactory()
    VariantFactory(product=ProductFactory(cooperative=cooperative, name="Jamu Tersimpan"))
    UserFactory(email="admin@example.test", is_city_admin=True)
    shopper = cached.test_client()
    assert "Jamu Tersimpan" in shopper.get("/products?q=jamu").get_data(as_text=True)
    with cached.app_context():
        from marketplace.extensions import redis_client

        version = redis_client().get("opop:catalogue:version")
    admin_client = cached.test_client()
    assert login(admin_client, "admin@example.test").status_code == 302
    admin_client.post(f"/admin/cooperatives/{cooperative.id}/suspend", data={"reason": "Uji."})
    with cached.app_context():
        assert redis_client().get("opop:catalogue:version") != version
    assert "Jamu Tersimpan" not in shopper.get("/products?q=jamu").get_data(as_text=True)
