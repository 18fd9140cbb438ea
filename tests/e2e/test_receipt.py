"""The shopper receives a delivered part on a phone: the order page's "Pesanan diterima" fits a
360 px screen in both languages, and pressing it (the browser asks first) completes the part."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import VendorOrder
from marketplace.urls import site_request_context
from tests.e2e.conftest import LiveServer, serve_app
from tests.e2e.test_phone_overflow import measure
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant

pytestmark = pytest.mark.slow

EMAIL = "penerima@example.test"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the shop added here would change what other browser tests find
    first in the shared one."""
    with serve_app(tmp_path_factory.mktemp("e2e-receipt")) as live:
        yield live


def delivered_part(live: LiveServer) -> tuple[str, int]:
    """A new shopper's paid pickup part, handed over by the cooperative: (number, part id)."""
    with live.app.app_context(), site_request_context():
        shopper = UserFactory(email=EMAIL)
        variant = stocked_variant(5, product__name="Kerupuk Udang Sidoarjo Kemasan Keluarga")
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        part = place(shopper, (variant, 1)).vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
        return part.order.number or "", part.id


def test_the_shopper_confirms_receipt_on_a_phone(own_server: LiveServer, browser: Browser) -> None:
    number, part_id = delivered_part(own_server)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(own_server.path("/account/login"))
        form = page.locator("main form")
        form.locator("input[name=email]").fill(EMAIL)
        form.locator("input[name=password]").fill("password123")
        form.locator("button[type=submit]").click()
        page.wait_for_url(own_server.path("/"))

        for language, name in (("en", "Order received"), ("id", "Pesanan diterima")):
            page.goto(own_server.path(f"/orders/{number}?lang={language}"))
            button = page.get_by_role("button", name=name)
            expect(button).to_be_visible()
            fits = measure(page)
            assert fits.fits, f"{language}: {fits}"

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Pesanan diterima").click()
        expect(page.get_by_text("Penerimaan dikonfirmasi dan pesanan ini selesai.")).to_be_visible()
        expect(page.get_by_role("button", name="Pesanan diterima")).to_have_count(0)
        assert measure(page).fits
    finally:
        context.close()
    with own_server.app.app_context():
        part = db.session.get(VendorOrder, part_id)
        assert part is not None and part.status == "completed"
