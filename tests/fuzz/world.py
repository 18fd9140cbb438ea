"""The world the form fuzzing runs in: the demo data (every role, orders and procurements in
each state) on a database of its own, committed once, plus orders in the states the demo lacks
(awaiting payment, a proof to check, paid, accepted, shipped) and a filled cart."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from marketplace.accounts.services import find_user_by_email
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.cooperatives.models import CooperativeMember
from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod
from marketplace.payments import transfers
from marketplace.procurement.models import Quotation
from tests.conftest import login
from tests.fuzz.forms import Form, crawl
from tests.shopping import choices, fill_cart

SHOPPER = "pembeli@demo.test"
OWNER = "koperasi1@demo.test"

PROCUREMENT = ("procurement.",)
#: Who crawls, in order (the first role to find a form for an endpoint fuzzes it): where from,
#: and which views they follow links to (all when empty; the guest and the shopper cover the
#: public pages and the account, so the workspaces' crawls stay in their workspace).
ROLES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "guest": (["/", "/account/login", "/account/register", "/account/forgot-password"], ()),
    SHOPPER: (["/", "/account/profile", "/orders", "/cart"], ()),
    OWNER: (
        ["/vendor/", "/vendor/orders", "/procurement/"],
        ("vendors.", "payments.", *PROCUREMENT),
    ),
    "pengadaan@demo.test": (["/procurement/"], PROCUREMENT),
    "ppk@demo.test": (["/procurement/"], PROCUREMENT),
    "penerima@demo.test": (["/procurement/"], PROCUREMENT),
    "bendahara@demo.test": (["/procurement/"], PROCUREMENT),
    "admin@demo.test": (
        ["/admin/", "/admin/payments/", "/procurement/budgets"],
        ("admin.", "payments.", *PROCUREMENT),
    ),
}


@dataclass
class World:
    app: Flask
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)  # role → cookies
    forms: dict[str, Form] = field(default_factory=dict)  # endpoint → the form to fuzz
    pages: int = 0


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def seed(app: Flask) -> None:
    with app.test_request_context():
        seed_demo()
        db.session.commit()
    with app.test_request_context():
        _orders_in_every_state()
        db.session.commit()


def _orders_in_every_state() -> None:
    shopper = find_user_by_email(SHOPPER)
    owner = find_user_by_email(OWNER)
    assert shopper is not None and owner is not None
    cooperative_id = db.session.scalar(
        select(CooperativeMember.cooperative_id).where(CooperativeMember.user_id == owner.id)
    )
    products = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status == ProductStatus.ACTIVE)
        .order_by(Product.id)
    ).all()
    variant = next(p.variants[0] for p in products if p.variants[0].available >= 20)

    def order(
        delivery: DeliveryMethod = DeliveryMethod.PICKUP,
        payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    ) -> Order:
        fill_cart(shopper, (variant, 1))
        return orders.place_order(
            shopper,
            choices(variant, delivery=delivery, payment=payment),
            orders.new_idempotency_key(),
        )

    proof = order()
    transfers.submit_transfer_proof(shopper, proof.number, proof.vendor_orders[0].id, png())
    paid = order()
    orders.mark_order_paid(paid, reference="FUZZ")  # to accept or reject
    for delivery in (DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY):
        accepted = order(delivery=delivery)
        orders.mark_order_paid(accepted, reference="FUZZ")
        orders.accept_vendor_order(owner, accepted.vendor_orders[0].id)  # ready / ship
    shipped = order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    orders.mark_order_paid(shipped, reference="FUZZ")
    orders.accept_vendor_order(owner, shipped.vendor_orders[0].id)
    orders.mark_shipped(owner, shipped.vendor_orders[0].id, "Kurir koperasi")  # to deliver
    # The newest orders come first in the shopper's list, and the crawl reads a few of each page.
    order(payment=PaymentMethod.CARD)  # awaiting a card payment
    order()  # awaiting a transfer: proof upload, cancel
    fill_cart(shopper, (variant, 2))  # the cart and the checkout


def _quoting_owners() -> list[str]:
    """The owners of the cooperatives the demo agency asked for quotations."""
    rows = db.session.execute(
        select(CooperativeMember.cooperative_id, Quotation.id)
        .join(Quotation, Quotation.cooperative_id == CooperativeMember.cooperative_id)
        .where(CooperativeMember.role == "owner")
        .order_by(Quotation.id)
    ).all()
    emails: list[str] = []
    for cooperative_id, _ in rows:
        member = db.session.scalar(
            select(CooperativeMember).where(
                CooperativeMember.cooperative_id == cooperative_id,
                CooperativeMember.role == "owner",
            )
        )
        if member is not None and member.user.email not in emails:
            emails.append(member.user.email)
    return emails


def signed_in_client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "guest":
        assert login(client, role, DEMO_PASSWORD).status_code == 302, role
    return client


def explore(app: Flask) -> World:
    world = World(app)
    roles = dict(ROLES)
    with app.app_context():
        for email in _quoting_owners():
            roles.setdefault(email, (["/procurement/"], PROCUREMENT))
    for role, (starts, only) in roles.items():
        client = signed_in_client(app, role)
        forms, pages = crawl(app, client, role, starts, only=only)
        world.pages += pages
        for form in forms:
            world.forms.setdefault(form.endpoint, form)
        world.cookies[role] = {cookie.key: cookie.value for cookie in client._cookies.values()}
    return world
