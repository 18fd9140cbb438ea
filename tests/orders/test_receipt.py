"""The shopper confirms receipt of a delivered part on the order page ("Pesanan diterima"): one
POST completes it at once; another shopper's part is not found; a part not handed over, or a
second press, changes nothing and says why."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind, Order, VendorOrder, VendorOrderStatus
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant

S = VendorOrderStatus
BUTTON = ">Pesanan diterima</button>"


def ordered(client: FlaskClient, user: Any, *, delivered: bool = True) -> VendorOrder:
    """A paid pickup part of the user's order, handed over unless asked otherwise (written as
    another request would, outside the client's)."""
    with client.application.test_request_context():
        variant = stocked_variant(5)
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        part = place(user, (variant, 1)).vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        if delivered:
            order_moves.accept_vendor_order(member, part.id)
            order_moves.mark_ready_for_pickup(member, part.id)
            order_moves.mark_delivered(member, part.id)
        db.session.commit()
        return part


def stored(part_id: int) -> VendorOrder:
    part = db.session.get(VendorOrder, part_id, populate_existing=True)
    assert part is not None
    return part


def number_of(part: VendorOrder) -> str:
    number = db.session.scalar(select(Order.number).where(Order.id == part.order_id))
    assert number is not None
    return number


def shopper(client: FlaskClient) -> Any:
    user = UserFactory(email="ani@example.test")
    login(client, "ani@example.test")
    return user


def test_the_shopper_confirms_receipt_from_the_order_page(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user)
    number = number_of(part)
    page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert BUTTON in page
    assert f'action="/orders/{number}/parts/{part.id}/received"' in page
    assert "Bila tidak dikonfirmasi, pesanan selesai otomatis pada" in page
    response = client.post(f"/orders/{number}/parts/{part.id}/received")
    assert (response.status_code, response.headers["Location"]) == (302, f"/orders/{number}")
    assert stored(part.id).status == S.COMPLETED
    page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Penerimaan dikonfirmasi dan pesanan ini selesai." in page
    assert "Pembeli mengonfirmasi pesanan sudah diterima." in page  # on the timeline
    assert BUTTON not in page


def test_pressing_twice_is_harmless(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user)
    number = number_of(part)
    client.post(f"/orders/{number}/parts/{part.id}/received")
    again = client.post(f"/orders/{number}/parts/{part.id}/received", follow_redirects=True)
    assert again.status_code == 200
    assert "Pesanan ini sudah selesai." in again.get_data(as_text=True)
    events = stored(part.id).events
    assert [e.to_status for e in events].count(S.COMPLETED) == 1


def test_a_part_not_handed_over_cannot_be_confirmed(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user, delivered=False)
    number = number_of(part)
    assert BUTTON not in client.get(f"/orders/{number}").get_data(as_text=True)
    response = client.post(f"/orders/{number}/parts/{part.id}/received", follow_redirects=True)
    assert response.status_code == 200
    assert (
        "Penerimaan hanya dapat dikonfirmasi setelah koperasi menyerahkan pesanan kepada Anda."
        in response.get_data(as_text=True)
    )
    assert stored(part.id).status == S.PAID


def test_another_shoppers_part_is_not_found(client: FlaskClient) -> None:
    theirs = ordered(client, UserFactory())
    user = shopper(client)
    mine = ordered(client, user)
    for number in (number_of(theirs), number_of(mine)):  # their order, or theirs under mine
        response = client.post(f"/orders/{number}/parts/{theirs.id}/received")
        assert response.status_code == 404
    missing = client.post(f"/orders/{number_of(mine)}/parts/999999/received")
    assert missing.status_code == 404
    assert stored(theirs.id).status == S.DELIVERED


def test_the_page_only_reads_and_the_move_needs_a_post(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user)
    number = number_of(part)
    assert client.get(f"/orders/{number}/parts/{part.id}/received").status_code == 405
    assert stored(part.id).status == S.DELIVERED


def test_confirming_receipt_needs_the_csrf_token(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user)
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/orders/{number_of(part)}/parts/{part.id}/received")
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert stored(part.id).status == S.DELIVERED


def test_the_receipt_button_and_its_note_in_english(client: FlaskClient) -> None:
    user = shopper(client)
    part = ordered(client, user)
    number = number_of(part)
    page = client.get(f"/orders/{number}?lang=en").get_data(as_text=True)
    assert ">Order received</button>" in page
    assert "Confirm receipt to complete this order." in page
    assert "If you do not confirm, the order completes by itself on" in page
    client.post(f"/orders/{number}/parts/{part.id}/received")
    page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Thank you! Receipt is confirmed and this order is completed." in page
    assert "The shopper confirmed the order was received." in page
    assert stored(part.id).events[-1].actor_kind == ActorKind.SHOPPER
