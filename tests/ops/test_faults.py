"""Faults survived: a dependency failing mid-request never loses or half-writes an order.

(Stripe failing or timing out while a card payment starts: tests/payments/test_card.py; a
webhook meeting a locked database: tests/payments/test_webhook_faults.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text

from marketplace.cart import services as cart_services
from marketplace.cart.models import CartLine
from marketplace.catalogue import services as catalogue_services
from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.mail import OutboxEmail, send_pending
from marketplace.orders.models import Order
from tests.conftest import login
from tests.factories import UserFactory
from tests.orders.test_order_pages import add, checkout_data, review_form
from tests.shopping import stocked_variant

SHOPPER = "ani@example.test"


def _ready_to_place(client: FlaskClient, variant: Any) -> dict[str, str]:
    """The shopper's cart holds one ``variant`` and the checkout is filled in: the review
    page's form, ready to post to /checkout/place."""
    login(client, SHOPPER)
    add(client, variant)
    assert client.post("/checkout", data=checkout_data(variant)).status_code == 302
    return review_form(client)


def test_the_mail_server_down_does_not_fail_the_order(
    app: Flask, client: FlaskClient, sent_mail: list[Any], regions: None
) -> None:
    UserFactory(email=SHOPPER)
    variant = stocked_variant(5)
    form = _ready_to_place(client, variant)
    app.extensions["mail_backend"].fail_with = ConnectionRefusedError("mail server down")

    response = client.post("/checkout/place", data=form)

    [order] = db.session.scalars(select(Order)).all()
    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.number}"
    assert variant.reserved == 1
    waiting = db.session.scalars(select(OutboxEmail)).all()
    assert waiting and all(e.status == "pending" for e in waiting)
    assert all("mail server down" in (e.last_error or "") for e in waiting)
    assert sent_mail == []

    # The mail server is back: the periodic retry sends what waited.
    app.extensions["mail_backend"].fail_with = None
    with app.app_context():
        assert send_pending() == (len(waiting), 0)
    assert SHOPPER in {m.to_address for m in sent_mail}


def test_a_crash_between_reserving_stock_and_placing_the_order_leaves_nothing_reserved(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker fails right after the stock is reserved (really committed database, the
    crash answered as in production): no order, no reservation, the cart as it was; placing
    again then works."""
    app = committed_app
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.test_request_context():
        UserFactory(email=SHOPPER)
        variant = stocked_variant(5)
        db.session.commit()
        variant_id = variant.id
    client = app.test_client()
    with app.test_request_context():
        form = _ready_to_place(client, db.session.get(ProductVariant, variant_id))

    reserved: list[dict[int, int]] = []
    real_reserve = stock.reserve

    def reserve(quantities: dict[int, int]) -> None:
        real_reserve(quantities)
        reserved.append(quantities)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(stock, "reserve", reserve)
    monkeypatch.setattr(cart_services, "remove_lines", crash)  # the next step after reserving
    response = client.post("/checkout/place", data=form)

    assert response.status_code == 500
    assert reserved == [{variant_id: 1}]  # the reservation had been made
    with app.app_context():
        stored = db.session.get(ProductVariant, variant_id)
        assert stored is not None and (stored.on_hand, stored.reserved) == (5, 0)
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.scalar(select(func.count()).select_from(CartLine)) == 1

    monkeypatch.undo()
    response = client.post("/checkout/place", data=form)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(ProductVariant, variant_id)
        assert stored is not None and stored.reserved == 1
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1


@pytest.mark.postgres
def test_the_database_going_away_mid_request_gives_a_503_and_the_next_request_works(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL really drops the request's connection halfway through (a restart, a
    failover): a friendly 503, and the pool gives the next request a working connection."""
    app = committed_app
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    real = catalogue_services.featured_products

    def database_goes_away(*args: Any, **kwargs: Any) -> Any:
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return real(*args, **kwargs)  # its query meets the dead connection

    monkeypatch.setattr(catalogue_services, "featured_products", database_goes_away)
    client = app.test_client()
    response = client.get("/")
    admin.dispose()

    assert response.status_code == 503
    assert "Layanan sedang sibuk" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/").status_code == 200
    with app.test_request_context():
        UserFactory(email=SHOPPER)
        db.session.commit()
    assert login(client, SHOPPER).status_code == 302  # and writing works again too
