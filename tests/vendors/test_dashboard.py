"""The cooperative's dashboard puts its most frequent jobs one tap away, each counted: new orders
to accept, transfer proofs to check, low stock to update, procurement deliveries to record. The
counts are the cooperative's own (another cooperative's work is never counted) and the page reads
as many queries however much work waits."""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient

from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.orders import moves as order_moves
from marketplace.orders.models import DeliveryMethod, PaymentMethod
from marketplace.payments.transfers import submit_transfer_proof
from tests.conftest import login, logout
from tests.factories import UserFactory, VariantFactory
from tests.procurement import workflow as wf
from tests.queries import counted
from tests.shopping import place
from tests.vendors.conftest import Shop, png_bytes, send_transfer_proof

OUR_MEMBER = "owner@coop.test"  # the member of the procurement cast's cooperative
JOB = re.compile(
    r'<a class="stat card[^"]*" href="(?P<href>[^"]+)" data-job="(?P<key>\w+)">'
    r'<span class="stat__value">(?P<count>\d+)</span>'
)


def jobs(client: FlaskClient) -> dict[str, tuple[str, int]]:
    """The dashboard's jobs: key -> (link, count)."""
    response = client.get("/vendor/")
    assert response.status_code == 200
    return {m["key"]: (m["href"], int(m["count"])) for m in JOB.finditer(response.get_data(True))}


def orders_to_accept(variant: ProductVariant, count: int) -> None:
    """Paid orders that wait for the cooperative to accept them."""
    for _ in range(count):
        order = place(UserFactory(), (variant, 1), payment=PaymentMethod.BANK_TRANSFER)
        order_moves.mark_vendor_order_paid(order.vendor_orders[0], reference="TRF-UJI")


def transfer_proofs(variant: ProductVariant, count: int) -> None:
    """Orders paid by transfer whose proofs wait for the cooperative's check."""
    for _ in range(count):
        shopper = UserFactory()
        order = place(shopper, (variant, 1), payment=PaymentMethod.BANK_TRANSFER)
        submit_transfer_proof(shopper, order.number or "", order.vendor_orders[0].id, png_bytes())


def low_variants(variant: ProductVariant, count: int) -> None:
    """Variants of the same product at or under their low-stock threshold."""
    for n in range(count):
        VariantFactory(product=variant.product, name=f"Kecil {n}", low_stock_threshold=5)


def procurement_to_deliver(c: wf.Cast, count: int) -> None:
    """Surat Pesanan the cooperative accepted and has yet to deliver in full (one partly)."""
    for n in range(count):
        order = wf.accepted(c, quantity=100)
        if n == 0:
            wf.deliver(c, order, 40)


def other_cooperatives_work(c: wf.Cast, shop_b: Shop) -> None:
    """The same kinds of work for another cooperative, which must not count for ours."""
    stock.restock(shop_b.variant.id, 1000)
    orders_to_accept(shop_b.variant, 2)
    transfer_proofs(shop_b.variant, 2)
    low_variants(shop_b.variant, 2)
    theirs = replace(c, cooperative=shop_b.cooperative, member=shop_b.owner.user)
    procurement_to_deliver(replace(theirs, variant=shop_b.variant), 1)


def test_the_dashboard_counts_the_cooperative_s_own_jobs_with_a_link_to_each(
    app: Flask, client: FlaskClient, shop_b: Shop
) -> None:
    with app.test_request_context():
        c = wf.cast()
        orders_to_accept(c.variant, 3)
        transfer_proofs(c.variant, 2)
        low_variants(c.variant, 1)
        procurement_to_deliver(c, 2)
        wf.issued(c)  # a Surat Pesanan still to accept is no delivery to record yet
        other_cooperatives_work(c, shop_b)
        db.session.commit()
    assert login(client, OUR_MEMBER).status_code == 302
    assert jobs(client) == {
        "to_accept": ("/vendor/orders?group=to_accept", 3),
        "transfers": ("/vendor/transfers/", 2),
        "complaints": ("/vendor/complaints?show=waiting", 0),
        "low_stock": ("/vendor/stock?low=1", 1),
        "deliveries": ("/procurement/#work-coop-to_deliver", 2),
    }
    # Each link opens the list of exactly that work.
    page = client.get("/vendor/stock?low=1").get_data(as_text=True)
    assert "Kecil 0" in page and "Kecil 1" not in page
    page = client.get("/procurement/").get_data(as_text=True)
    assert 'id="work-coop-to_deliver"' in page
    assert 'data-waiting="coop-to_deliver"><span class="stat__value">2</span>' in page


def test_the_dashboard_shows_nothing_waiting_as_zero(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    with app.test_request_context():
        stock.restock(shop_a.variant.id, 100)  # above the threshold: nothing is low
        db.session.commit()
    found = jobs(owner_client)
    assert {key: count for key, (_link, count) in found.items()} == {
        "to_accept": 0,
        "transfers": 0,
        "complaints": 0,
        "low_stock": 0,
        "deliveries": 0,
    }


def test_the_dashboard_and_worklist_read_as_much_however_much_work_waits(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        c = wf.cast()
        orders_to_accept(c.variant, 1)
        transfer_proofs(c.variant, 1)
        low_variants(c.variant, 1)
        procurement_to_deliver(c, 1)
        db.session.commit()
    assert login(client, OUR_MEMBER).status_code == 302

    def queries() -> dict[str, int]:
        found = {}
        for path in ("/vendor/", "/procurement/"):
            with counted(app) as statements:
                assert client.get(path).status_code == 200
            found[path] = len(statements)
        return found

    few = queries()
    with app.test_request_context():
        orders_to_accept(c.variant, 4)
        transfer_proofs(c.variant, 4)
        low_variants(c.variant, 4)
        procurement_to_deliver(c, 3)
        db.session.commit()
    assert jobs(client)["deliveries"][1] == 4
    assert queries() == few


WAITING = re.compile(
    r'<li><a href="(?P<href>[^"]+)">(?P<label>[^<]+)</a>: <strong>(?P<count>\d+)</strong></li>'
)


def test_the_orders_waiting_for_action_are_those_the_cooperative_must_move(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    """The section "Pesanan menunggu tindakan" lists the queues where the next move is the
    cooperative's: new orders to accept (paid, or paid at pickup), orders to pack, and orders
    shipped or waiting at the cooperative (the handover to confirm). Orders still waiting for
    the shopper's money, delivered (they complete by themselves) or closed are not its work."""
    with app.test_request_context():
        member = shop_a.owner.user
        stock.restock(shop_a.variant.id, 100)
        stock.restock(shop_b.variant.id, 100)

        def part(
            payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
            *,
            paid: bool = True,
            delivery: DeliveryMethod = DeliveryMethod.PICKUP,
            variant: ProductVariant | None = None,
        ) -> int:
            order = place(
                UserFactory(), (variant or shop_a.variant, 1), payment=payment, delivery=delivery
            )
            vendor_order = order.vendor_orders[0]
            if paid:
                order_moves.mark_vendor_order_paid(vendor_order, reference="TRF-UJI")
            return vendor_order.id

        # To accept: 2 (one paid, one to be paid at pickup).
        part()
        part(PaymentMethod.PAY_AT_PICKUP, paid=False)
        # To pack: 1.
        order_moves.accept_vendor_order(member, part())
        # On the way: 3 (one shipped, two waiting at the cooperative).
        shipped = part(delivery=DeliveryMethod.LOCAL_DELIVERY)
        order_moves.accept_vendor_order(member, shipped)
        order_moves.mark_shipped(member, shipped, "Pak Darto")
        for _ in range(2):
            ready = part()
            order_moves.accept_vendor_order(member, ready)
            order_moves.mark_ready_for_pickup(member, ready)
        # Not the cooperative's move: unpaid transfers, delivered (they complete by themselves),
        # cancelled.
        for _ in range(4):
            part(paid=False)
        for _ in range(5):
            handed_over = part()
            order_moves.accept_vendor_order(member, handed_over)
            order_moves.mark_ready_for_pickup(member, handed_over)
            order_moves.mark_delivered(member, handed_over)
        for _ in range(6):
            order_moves.reject_vendor_order(member, part(), "Bahan baku habis")
        # Another cooperative's new order is not ours.
        part(variant=shop_b.variant)
        db.session.commit()

    page = owner_client.get("/vendor/").get_data(as_text=True)
    start = page.index('id="waiting-title"')
    section = page[start : page.index("</section>", start)]
    assert "Pesanan menunggu tindakan" in section
    listed = [(m["href"], m["label"], int(m["count"])) for m in WAITING.finditer(section)]
    assert listed == [
        ("/vendor/orders?group=to_accept", "Pesanan baru", 2),
        ("/vendor/orders?group=to_pack", "Perlu dikemas", 1),
        ("/vendor/orders?group=on_the_way", "Dikirim atau siap diambil", 3),
    ]


def test_a_proof_sent_waits_on_its_own_cooperative_s_dashboard_until_checked(
    app: Flask, client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    """Issue 21: a transfer proof to the cooperative's own account counts as one job waiting on
    that cooperative's dashboard (and on no other's), linking to where it is checked, until a
    member confirms it."""
    payment = send_transfer_proof(app, shop_a)
    assert login(client, shop_b.owner.user.email).status_code == 302
    assert jobs(client)["transfers"] == ("/vendor/transfers/", 0)
    logout(client)
    assert login(client, shop_a.owner.user.email).status_code == 302
    assert jobs(client)["transfers"] == ("/vendor/transfers/", 1)
    assert f'href="/vendor/transfers/{payment.id}"' in client.get("/vendor/transfers/").get_data(
        as_text=True
    )
    assert client.post(f"/vendor/transfers/{payment.id}/confirm").status_code == 302
    assert jobs(client)["transfers"] == ("/vendor/transfers/", 0)
