"""Helpers for payment tests: orders ready to pay, webhook deliveries, files."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod
from marketplace.payments.models import Payment
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant
from tests.stripe_fake import SignedEvent

SHOPPER = "ani@example.test"


def placed_order(
    app: Flask,
    *,
    payment: PaymentMethod = PaymentMethod.CARD,
    cooperatives: int = 1,
    quantity: int = 2,
    delivery: DeliveryMethod = DeliveryMethod.PICKUP,
    email: str = SHOPPER,
) -> Order:
    """An order by the shopper ``email`` with one part per cooperative (variants at Rp10.000,
    10 in stock), placed in a request of its own and committed."""
    with app.test_request_context():
        user = db.session.scalar(select(UserFactory._meta.model).filter_by(email=email))
        user = user or UserFactory(email=email)
        items = [(stocked_variant(10), quantity) for _ in range(cooperatives)]
        order = place(user, *items, delivery=delivery, payment=payment)
        db.session.commit()
        return order


def shopper_client(app: Flask, email: str = SHOPPER) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def member_of(order: Order, part: int = 0) -> Any:
    """A member (owner) of the cooperative of the order's ``part``."""
    cooperative = order.vendor_orders[part].cooperative
    return CooperativeMemberFactory(cooperative=cooperative).user


def post_event(client: FlaskClient, signed: SignedEvent) -> Any:
    return client.post("/payments/stripe/webhook", data=signed.payload, headers=signed.headers)


def payments_of(order: Order) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id)
            .order_by(Payment.id)
            .execution_options(populate_existing=True)
        )
    )


def refresh(*objects: Any) -> None:
    for obj in objects:
        db.session.refresh(obj)


def image_bytes(
    format: str = "PNG", size: tuple[int, int] = (40, 30), exif: bytes | None = None
) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    kwargs: dict[str, Any] = {}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, format, **kwargs)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
