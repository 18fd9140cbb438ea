"""The migration of product questions, message photos and WhatsApp deliveries (a3f1c7e5b9d2)
keeps a part's messages on its way down and back up; questions about products go with their
table."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.messages import services
from marketplace.messages.models import OrderMessage, ProductThread, Side
from tests.factories import UserFactory
from tests.messages.test_messages import a_part

BEFORE = "d4f6b8a2c0e3"


def test_the_way_down_keeps_part_threads_and_drops_questions(committed_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    part = a_part(committed_app)
    with committed_app.test_request_context():
        from marketplace.accounts.models import User
        from marketplace.orders.models import VendorOrder

        ani = db.session.get(User, part.shopper_id)
        vendor_order = db.session.get(VendorOrder, part.id)
        assert ani is not None and vendor_order is not None
        services.post(ani, vendor_order, Side.SHOPPER, "Sudah dikirim?")
        product = db.session.scalars(select(Product)).first()
        assert product is not None
        product_id = product.id
        services.ask_about_product(UserFactory(), product, "Ada ukuran besar?", [])
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        bodies = db.session.scalars(text("SELECT body FROM order_messages")).all()
        assert bodies == ["Sudah dikirim?"]
        db.session.commit()
        db.session.remove()
        upgrade()
        [kept] = db.session.scalars(select(OrderMessage)).all()
        assert (kept.vendor_order_id, kept.product_thread_id) == (part.id, None)
        assert db.session.scalars(select(ProductThread)).all() == []
        again = db.session.get(Product, product_id)
        assert again is not None
        services.ask_about_product(UserFactory(), again, "Masih ada?", [])
        db.session.commit()
