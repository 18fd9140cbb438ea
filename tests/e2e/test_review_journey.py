"""The review journey in a browser, on a phone: the shopper receives a delivered part, rates
the product with a photo, and the cooperative answers from its workspace; the product page
then shows the rating, the photo and the answer, within a 360 px screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.urls import site_request_context
from tests.e2e.conftest import LiveServer, serve_app
from tests.e2e.test_phone_overflow import measure
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.photos import phone_photo
from tests.shopping import place, stocked_variant

pytestmark = pytest.mark.slow

SHOPPER = "pengulas@example.test"
MEMBER = "penjawab@example.test"
PRODUCT = "Keripik Singkong Balado Uji Ulasan"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the shop added here would change what other browser tests find."""
    with serve_app(tmp_path_factory.mktemp("e2e-reviews")) as live:
        yield live


def delivered_part(live: LiveServer) -> tuple[str, str]:
    """A new shopper's paid pickup part, handed over: (order number, product slug)."""
    with live.app.app_context(), site_request_context():
        shopper = UserFactory(email=SHOPPER)
        variant = stocked_variant(5, product__name=PRODUCT)
        member = CooperativeMemberFactory(
            cooperative=variant.product.cooperative, user=UserFactory(email=MEMBER)
        ).user
        part = place(shopper, (variant, 1)).vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
        return part.order.number or "", variant.product.slug


def sign_in(page: Page, live: LiveServer, email: str) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill("password123")
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/account/login" not in url)


def test_receive_rate_with_a_photo_and_the_cooperative_answers(
    own_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    number, slug = delivered_part(own_server)
    photo = tmp_path / "keripik.jpg"
    photo.write_bytes(phone_photo((1200, 900)))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, own_server, SHOPPER)
        page.goto(own_server.path(f"/orders/{number}"))
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Pesanan diterima").click()
        expect(page.get_by_text("Penerimaan dikonfirmasi dan pesanan ini selesai.")).to_be_visible()

        page.get_by_role("link", name="Beri ulasan").click()
        page.wait_for_url(f"**/orders/{number}/reviews")
        assert measure(page).fits
        page.get_by_label("4 bintang").check()
        page.get_by_label("Ulasan (boleh kosong)").fill("Pedasnya pas, renyah sampai habis.")
        page.get_by_label("Foto (boleh kosong)").set_input_files(str(photo))
        page.get_by_role("button", name="Kirim ulasan").click()
        expect(page.get_by_text("Terima kasih, ulasan Anda tersimpan.")).to_be_visible()
        expect(page.locator(".review__photos img")).to_have_count(1)
        context.clear_cookies()

        sign_in(page, own_server, MEMBER)
        page.goto(own_server.path("/vendor/reviews"))
        expect(page.get_by_text("Pedasnya pas, renyah sampai habis.")).to_be_visible()
        page.get_by_label("Jawaban koperasi").fill("Terima kasih sudah mencoba, Kak!")
        page.get_by_role("button", name="Kirim jawaban").click()
        expect(page.get_by_text("Jawaban Anda tampil di bawah ulasan.")).to_be_visible()
        assert measure(page).fits

        context.clear_cookies()
        page.goto(own_server.path(f"/products/{slug}"))
        reviews = page.locator("#reviews")
        expect(reviews.get_by_text("Pedasnya pas, renyah sampai habis.")).to_be_visible()
        expect(reviews.get_by_text("Terima kasih sudah mencoba, Kak!")).to_be_visible()
        image = reviews.locator(".review__photos img")
        expect(image).to_have_count(1)
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(page.locator(".product-stats")).to_contain_text("4,0")
        expect(page.locator(".product-stats")).to_contain_text("Terjual 1")
        assert measure(page).fits
    finally:
        context.close()
