"""The cart and order pages run a fixed number of queries, however many lines they show."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from marketplace.extensions import db
from tests.conftest import login
from tests.factories import PriceTierFactory, UserFactory
from tests.queries import counted
from tests.shopping import place, stocked_variant


def queries_for(client: FlaskClient, path: str) -> int:
    with counted(client.application) as statements:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


def fill(client: FlaskClient, lines: int) -> None:
    for _ in range(lines):
        variant = stocked_variant(20)  # each from its own cooperative
        PriceTierFactory(variant=variant)
        client.post(
            "/cart/add",
            data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 2},
        )


def test_the_cart_page_does_not_query_per_line(client: FlaskClient) -> None:
    UserFactory(email="ani@example.test")
    login(client, "ani@example.test")
    fill(client, 2)
    few = queries_for(client, "/cart")
    fill(client, 6)
    assert queries_for(client, "/cart") == few


def test_the_checkout_page_does_not_query_per_cooperative(client: FlaskClient) -> None:
    UserFactory(email="ani@example.test")
    login(client, "ani@example.test")
    fill(client, 2)
    few = queries_for(client, "/checkout")
    fill(client, 6)
    assert queries_for(client, "/checkout") == few


def orders_for(client: FlaskClient, user: Any, count: int, parts: int) -> str:
    number = ""
    with client.application.test_request_context():
        for _ in range(count):
            items = [(stocked_variant(10), 1) for _ in range(parts)]
            number = place(user, *items).number or ""
        db.session.flush()  # the emails queued last, as the placing request's commit would
    return number


def test_the_orders_pages_do_not_query_per_order_or_part(client: FlaskClient) -> None:
    user = UserFactory(email="ani@example.test")
    login(client, "ani@example.test")
    small = orders_for(client, user, 2, 1)
    list_few = queries_for(client, "/orders")
    detail_few = queries_for(client, f"/orders/{small}")
    receipt_few = queries_for(client, f"/orders/{small}/receipt")
    large = orders_for(client, user, 6, 4)
    assert queries_for(client, "/orders") == list_few
    assert queries_for(client, f"/orders/{large}") == detail_few
    assert queries_for(client, f"/orders/{large}/receipt") == receipt_few
