"""Two cooperatives with a product each, their members, and helpers for the workspace tests
(`place_order_with` gives a shop an order placed through the orders service)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, ProductImage, ProductVariant
from marketplace.complaints.models import Complaint
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    CooperativeMember,
    MemberRole,
)
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import ImportJob, ImportStatus
from marketplace.messages.models import ProductThread
from marketplace.orders import moves as order_moves
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod, VendorOrder
from marketplace.payments.models import Payment
from marketplace.payments.transfers import submit_transfer_proof
from marketplace.reviews.models import Review
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from tests.conftest import login
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.shopping import place


@dataclass
class Shop:
    cooperative: Cooperative
    owner: CooperativeMember
    staff: CooperativeMember
    product: Product
    variant: ProductVariant
    image: ProductImage
    invitation: CooperativeInvitation
    job: ImportJob
    #: A band of its courier table (to the same city, up to 1 kg).
    courier_band: CourierZoneRate
    #: Set by `place_order_with` for tests that need an order (the isolation walk does).
    vendor_order: VendorOrder | None = None
    #: Set by `send_transfer_proof`: a shopper's transfer proof waiting for the cooperative.
    transfer: Payment | None = None
    #: Set by `review_a_purchase`: a shopper's review of the shop's product, not yet answered.
    review: Review | None = None
    #: Set by `ask_about_the_product`: a shopper's question about the shop's product.
    question: ProductThread | None = None
    #: Set by `review_a_purchase` too: the shopper's complaint about that part, with a photo.
    complaint: Complaint | None = None


def png_bytes(
    size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def make_shop(name: str, category: object) -> Shop:
    cooperative = CooperativeFactory(name=f"Koperasi {name}", slug=f"koperasi-{name.lower()}")
    owner = CooperativeMemberFactory(
        cooperative=cooperative,
        user=UserFactory(email=f"owner-{name.lower()}@example.test"),
        role=MemberRole.OWNER,
    )
    staff = CooperativeMemberFactory(
        cooperative=cooperative,
        user=UserFactory(email=f"staff-{name.lower()}@example.test"),
        role=MemberRole.STAFF,
    )
    product = ProductFactory(
        cooperative=cooperative,
        category=category,
        name=f"Keripik {name}",
        slug=f"keripik-{name.lower()}",
    )
    variant = VariantFactory(product=product, sku=f"SKU-{name.upper()}", price=10000, on_hand=0)
    image = ProductImage(
        product_id=product.id, storage_key=f"products/{name.lower()}.jpg", width=10, height=10
    )
    db.session.add(image)
    invitation = CooperativeInvitation(
        cooperative_id=cooperative.id, email=f"new-{name.lower()}@example.test"
    )
    db.session.add(invitation)
    job = ImportJob(
        cooperative_id=cooperative.id,
        filename="produk.csv",
        file_format="csv",
        storage_key="imports/none.csv",
        status=ImportStatus.PREVIEWED,
        total_rows=1,
        processed_rows=1,
        summary={"update_variants": 1},
        changes=[{"row": 2, "sku": variant.sku, "action": "update", "columns": ["harga"]}],
    )
    db.session.add(job)
    courier_band = CourierZoneRate(
        cooperative_id=cooperative.id, zone=Zone.CITY, max_weight_grams=1000, fee=9000
    )
    db.session.add(courier_band)
    db.session.commit()
    return Shop(cooperative, owner, staff, product, variant, image, invitation, job, courier_band)


def place_order_with(
    app: Flask,
    shop: Shop,
    quantity: int = 2,
    *,
    delivery: DeliveryMethod = DeliveryMethod.LOCAL_DELIVERY,
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    paid: bool = True,
    shopper: User | None = None,
) -> VendorOrder:
    """A shopper orders ``quantity`` of the shop's variant through the orders service (the stock
    is restocked for it first); the order is paid unless asked otherwise (pay at pickup is paid
    at the handover, never before)."""
    with app.test_request_context():
        stock.restock(shop.variant.id, quantity)
        order = place(
            shopper or UserFactory(), (shop.variant, quantity), delivery=delivery, payment=payment
        )
        vendor_order = order.vendor_orders[0]
        if paid and payment != PaymentMethod.PAY_AT_PICKUP:
            order_moves.mark_vendor_order_paid(vendor_order, reference="TRF-UJI")
        db.session.commit()
    shop.vendor_order = vendor_order
    return vendor_order


def review_a_purchase(app: Flask, shop: Shop) -> Review:
    """A shopper buys one unit (handed over by the owner, received), reviews it and complains
    about it."""
    from marketplace.complaints import services as complaint_services
    from marketplace.reviews import services as review_services

    part = place_order_with(app, shop, 1, delivery=DeliveryMethod.PICKUP)
    with app.test_request_context():
        shopper = db.session.get(Order, part.order_id).user  # type: ignore[union-attr]
        member = shop.owner.user
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        number = db.session.get(Order, part.order_id).number or ""  # type: ignore[union-attr]
        order_moves.confirm_receipt(shopper, number, part.id)
        line_id = db.session.get(VendorOrder, part.id).lines[0].id  # type: ignore[union-attr]
        review = review_services.write_review(shopper, number, line_id, 4, "Ulasan uji")
        complaint = complaint_services.open_complaint(
            shopper,
            number,
            part.id,
            reason="damaged",
            message="Komplain uji",
            quantities={line_id: 1},
            photos=[png_bytes()],
        )
        db.session.commit()
    shop.review = review
    shop.complaint = complaint
    return review


def ask_about_the_product(app: Flask, shop: Shop) -> ProductThread:
    """A shopper asks the shop about its product before buying (not answered yet)."""
    from marketplace.messages import services as message_services

    with app.test_request_context():
        product = db.session.get(Product, shop.product.id)
        assert product is not None
        question = message_services.ask_about_product(UserFactory(), product, "Ada stok?", [])
        db.session.commit()
    shop.question = question
    return question


def send_transfer_proof(app: Flask, shop: Shop) -> Payment:
    """A shopper orders from the shop, pays by bank transfer and sends the proof, which waits
    for the cooperative's check."""
    with app.test_request_context():
        stock.restock(shop.variant.id, 1)
        shopper = UserFactory()
        order = place(shopper, (shop.variant, 1), payment=PaymentMethod.BANK_TRANSFER)
        payment = submit_transfer_proof(
            shopper, order.number or "", order.vendor_orders[0].id, png_bytes()
        )
        db.session.commit()
    shop.transfer = payment
    return payment


@pytest.fixture
def category(app: Flask) -> object:
    return CategoryFactory(slug="keripik-camilan", name="Keripik & Camilan", name_en="Chips")


@pytest.fixture
def shop_a(app: Flask, category: object) -> Shop:
    return make_shop("Alpha", category)


@pytest.fixture
def shop_b(app: Flask, category: object) -> Shop:
    return make_shop("Beta", category)


@pytest.fixture
def owner_client(client: FlaskClient, shop_a: Shop) -> FlaskClient:
    assert login(client, shop_a.owner.user.email).status_code == 302
    return client


@pytest.fixture
def staff_client(client: FlaskClient, shop_a: Shop) -> FlaskClient:
    assert login(client, shop_a.staff.user.email).status_code == 302
    return client
