"""The most important property of the workspace: a cooperative sees and changes only its own data.

The walks below enumerate every ``/vendor/`` rule in the URL map, so a route added later is
covered without anyone remembering to add it here: a path parameter this module does not know
fails the test until it is mapped to an object of the other cooperative. Each shop here has a
paid order, so the order routes are walked with a vendor order that could really be moved.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue.models import PriceTier, Product, ProductImage, ProductVariant
from marketplace.complaints.models import Complaint
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    CooperativeMember,
    CooperativeStatus,
)
from marketplace.extensions import db
from marketplace.inventory.models import ImportJob, StockMovement
from marketplace.mail import OutboxEmail
from marketplace.messages.models import OrderMessage, ProductThread
from marketplace.orders.models import Order, VendorOrder, VendorOrderEvent
from marketplace.payments.models import Payment, PaymentAllocation
from marketplace.reviews.models import Review
from marketplace.shipping.models import CourierZoneRate
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.vendors.conftest import (
    Shop,
    ask_about_the_product,
    make_shop,
    place_order_with,
    png_bytes,
    review_a_purchase,
    send_transfer_proof,
)

#: Path parameters that name an object, and where to find the other cooperative's.
OBJECT_PARAMS = {
    "product_id": lambda shop: shop.product.id,
    "variant_id": lambda shop: shop.variant.id,
    "image_id": lambda shop: shop.image.id,
    "job_id": lambda shop: shop.job.id,
    "member_id": lambda shop: shop.staff.id,
    "invitation_id": lambda shop: shop.invitation.id,
    "vendor_order_id": lambda shop: shop.vendor_order.id,
    "payment_id": lambda shop: shop.transfer.id,
    "review_id": lambda shop: shop.review.id,
    "thread_id": lambda shop: shop.question.id,
    "complaint_id": lambda shop: shop.complaint.id,
    "photo_id": lambda shop: shop.complaint.photos[0].id,
    "band_id": lambda shop: shop.courier_band.id,
}
#: Path parameters that name no object.
PLAIN_PARAMS = {"fmt": "csv"}
OWNER_ONLY = {"cooperative_owner", "active_cooperative_owner"}
OPEN_TO_SIGNED_IN = {"/vendor/apply"}


@pytest.fixture
def shop_a(app: Flask, category: Any) -> Shop:
    shop = make_shop("Alpha", category)
    ask_about_the_product(app, shop)
    review_a_purchase(app, shop)
    place_order_with(app, shop)
    send_transfer_proof(app, shop)
    return shop


@pytest.fixture
def shop_b(app: Flask, category: Any) -> Shop:
    shop = make_shop("Beta", category)
    ask_about_the_product(app, shop)
    review_a_purchase(app, shop)
    place_order_with(app, shop)
    send_transfer_proof(app, shop)
    return shop


def vendor_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/vendor/")]
    assert len(rules) > 20, "the walk found suspiciously few vendor routes"
    return rules


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST"})


def form_data(category_id: int) -> dict[str, Any]:
    """Plausible, valid answers to every workspace form, so only ownership can stop a change."""
    return {
        "action": "publish",
        "active": "0",
        "kind": "correction",
        "quantity": "3",
        "note": "uji isolasi",
        "sku": "ISO-NEW-1",
        "price": "12000",
        "low_stock_threshold": "2",
        "initial_stock": "4",
        "name": "Produk Isolasi",
        "category_id": str(category_id),
        "description": "Deskripsi",
        "unit": "pak",
        "weight_grams": "100",
        "min_order_qty": "1",
        "email": "iso@example.test",
        "alt_text": "foto",
        "photo": (io.BytesIO(png_bytes()), "foto.png"),
        "file": (io.BytesIO(b"sku,nama_produk,kategori,satuan,harga,stok\n"), "impor.csv"),
        "reason": "uji isolasi",
        "courier": "other",
        "courier_name": "Kurir Isolasi",
        "tracking_number": "ISO123",
        "period": "month",
        "group": "to_accept",
        "zone": "city",
        "max_weight_grams": "1000",
        "fee": "12000",
    }


def fill(rule: Rule, shop: Any) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in OBJECT_PARAMS:
            values[name] = OBJECT_PARAMS[name](shop)
        elif name in PLAIN_PARAMS:
            values[name] = PLAIN_PARAMS[name]
        else:
            pytest.fail(f"{rule.rule}: map the path parameter {name!r} in test_isolation.py")
    # The rule builds the URL exactly as url_for would.
    built = rule.build(values)
    assert built is not None
    return built[1]


def snapshot(shop: Shop) -> dict[str, Any]:
    """Everything of a cooperative a vendor route could touch, read fresh from the database."""
    db.session.expire_all()
    cid = shop.cooperative.id
    variant_ids = select(ProductVariant.id).where(ProductVariant.cooperative_id == cid)

    def rows(statement: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in db.session.execute(statement).all()]

    return {
        "cooperative": rows(
            select(
                Cooperative.status, Cooperative.updated_at, Cooperative.bank_account_number
            ).where(Cooperative.id == cid)
        ),
        "products": rows(
            select(Product.id, Product.status, Product.name, Product.updated_at)
            .where(Product.cooperative_id == cid)
            .order_by(Product.id)
        ),
        "variants": rows(
            select(
                ProductVariant.id,
                ProductVariant.sku,
                ProductVariant.price,
                ProductVariant.on_hand,
                ProductVariant.is_active,
                ProductVariant.updated_at,
            )
            .where(ProductVariant.cooperative_id == cid)
            .order_by(ProductVariant.id)
        ),
        "tiers": rows(select(func.count()).where(PriceTier.variant_id.in_(variant_ids))),
        "images": rows(
            select(ProductImage.id, ProductImage.position, ProductImage.updated_at)
            .join(Product)
            .where(Product.cooperative_id == cid)
            .order_by(ProductImage.id)
        ),
        "members": rows(
            select(CooperativeMember.id, CooperativeMember.role)
            .where(CooperativeMember.cooperative_id == cid)
            .order_by(CooperativeMember.id)
        ),
        "invitations": rows(
            select(
                CooperativeInvitation.id,
                CooperativeInvitation.revoked_at,
                CooperativeInvitation.accepted_at,
            )
            .where(CooperativeInvitation.cooperative_id == cid)
            .order_by(CooperativeInvitation.id)
        ),
        "jobs": rows(
            select(ImportJob.id, ImportJob.status, ImportJob.updated_at)
            .where(ImportJob.cooperative_id == cid)
            .order_by(ImportJob.id)
        ),
        "movements": rows(select(func.count()).where(StockMovement.variant_id.in_(variant_ids))),
        "courier_rates": rows(
            select(CourierZoneRate.id, CourierZoneRate.zone, CourierZoneRate.fee)
            .where(CourierZoneRate.cooperative_id == cid)
            .order_by(CourierZoneRate.id)
        ),
        "audit": rows(select(func.count()).where(AuditLog.cooperative_id == cid)),
        "questions": rows(
            select(OrderMessage.id, OrderMessage.read_at)
            .join(ProductThread, ProductThread.id == OrderMessage.product_thread_id)
            .where(ProductThread.cooperative_id == cid)
            .order_by(OrderMessage.id)
        ),
        "reviews": rows(
            select(Review.id, Review.answer, Review.status)
            .where(Review.cooperative_id == cid)
            .order_by(Review.id)
        ),
        "complaints": rows(
            select(Complaint.id, Complaint.status, Complaint.updated_at)
            .where(Complaint.cooperative_id == cid)
            .order_by(Complaint.id)
        ),
        "payments": rows(
            select(Payment.id, Payment.status, Payment.updated_at)
            .join(PaymentAllocation)
            .join(VendorOrder)
            .where(VendorOrder.cooperative_id == cid)
            .order_by(Payment.id)
        ),
        "vendor_orders": rows(
            select(
                VendorOrder.id,
                VendorOrder.status,
                VendorOrder.updated_at,
                VendorOrder.courier_name,
                VendorOrder.cancel_reason,
            )
            .where(VendorOrder.cooperative_id == cid)
            .order_by(VendorOrder.id)
        ),
        "order_events": rows(
            select(func.count())
            .select_from(VendorOrderEvent)
            .join(VendorOrder)
            .where(VendorOrder.cooperative_id == cid)
        ),
        "shopper_emails": rows(
            select(func.count())
            .select_from(OutboxEmail)
            .where(
                OutboxEmail.to_address.in_(
                    select(User.email)
                    .join(Order, Order.user_id == User.id)
                    .join(VendorOrder)
                    .where(VendorOrder.cooperative_id == cid)
                )
            )
        ),
    }


def test_a_member_of_one_cooperative_gets_404_for_every_object_of_another(
    client: FlaskClient, shop_a: Shop, shop_b: Shop, category: Any
) -> None:
    assert login(client, shop_a.owner.user.email).status_code == 302
    before = snapshot(shop_b)
    checked = []
    for rule in vendor_rules(client.application):
        if not set(rule.arguments) & set(OBJECT_PARAMS):
            continue
        url = fill(rule, shop_b)
        for method in methods(rule):
            response = client.open(url, method=method, data=form_data(category.id))
            assert response.status_code == 404, (method, url, response.status_code)
            checked.append(f"{method} {rule.rule}")
    assert snapshot(shop_b) == before, "another cooperative's data changed"
    assert len(checked) >= 15, checked


def test_routes_without_ids_never_touch_another_cooperative(
    client: FlaskClient, shop_a: Shop, shop_b: Shop, category: Any
) -> None:
    assert login(client, shop_a.owner.user.email).status_code == 302
    before = snapshot(shop_b)
    for rule in vendor_rules(client.application):
        if set(rule.arguments) & set(OBJECT_PARAMS):
            continue
        url = fill(rule, shop_b)
        for method in methods(rule):
            response = client.open(url, method=method, data=form_data(category.id))
            assert response.status_code < 500, (method, url)
            body = response.get_data(as_text=False)
            assert shop_b.variant.sku.encode() not in body, (method, url)
            assert shop_b.product.name.encode() not in body, (method, url)
    assert snapshot(shop_b) == before, "another cooperative's data changed"


def test_staff_are_refused_every_owner_only_route(
    client: FlaskClient, shop_a: Shop, category: Any
) -> None:
    app = client.application
    assert login(client, shop_a.staff.user.email).status_code == 302
    before = snapshot(shop_a)
    owner_only = 0
    for rule in vendor_rules(app):
        policy = getattr(app.view_functions[rule.endpoint], "_route_policy", None)
        if policy is None or policy.name not in OWNER_ONLY:
            continue
        owner_only += 1
        url = fill(rule, shop_a)
        for method in methods(rule):
            response = client.open(url, method=method, data=form_data(category.id))
            assert response.status_code == 403, (method, url, response.status_code)
    assert owner_only >= 7
    assert snapshot(shop_a) == before


@pytest.mark.parametrize("who", ["guest", "shopper"])
def test_shoppers_and_guests_are_kept_out_of_every_vendor_route(
    client: FlaskClient, shop_a: Shop, category: Any, who: str
) -> None:
    if who == "shopper":
        UserFactory(email="shopper@example.test")
        assert login(client, "shopper@example.test").status_code == 302
    before = snapshot(shop_a)
    for rule in vendor_rules(client.application):
        url = fill(rule, shop_a)
        for method in methods(rule):
            response = client.open(url, method=method, data=form_data(category.id))
            if who == "guest":
                assert response.status_code == 302, (method, url)
                assert "/account/login" in response.headers["Location"], (method, url)
            elif rule.rule in OPEN_TO_SIGNED_IN:
                assert response.status_code in (200, 302, 400), (method, url)
            else:
                assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(shop_a) == before


def test_a_pending_cooperative_reaches_only_its_status_and_application(
    client: FlaskClient, category: Any
) -> None:
    member = CooperativeMemberFactory(
        cooperative__status=CooperativeStatus.PENDING,
        user=UserFactory(email="pending@example.test"),
    )
    assert login(client, "pending@example.test").status_code == 302
    open_to_pending = {"/vendor/", "/vendor/status", "/vendor/application", "/vendor/apply"}
    for rule in vendor_rules(client.application):
        if rule.rule in open_to_pending:
            continue
        url = fill(rule, _placeholder_shop())
        for method in methods(rule):
            response = client.open(url, method=method, data=form_data(category.id))
            assert response.status_code == 403, (method, url, response.status_code)
    assert client.get("/vendor/").headers["Location"].endswith("/vendor/status")
    assert client.get("/vendor/status").status_code == 200
    assert client.get("/vendor/application").status_code == 200
    assert client.get("/vendor/apply").status_code == 302  # already has a cooperative
    assert member.cooperative.status == CooperativeStatus.PENDING


class _Placeholder:
    def __getattr__(self, name: str) -> Any:
        return self

    def __getitem__(self, index: int) -> Any:
        return self

    id = 999_999


def _placeholder_shop() -> Any:
    return _Placeholder()
