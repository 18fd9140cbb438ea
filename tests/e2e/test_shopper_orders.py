"""The shopper's journey: a guest searches, fills a cart from two cooperatives (one product with
a size), logs in on the way to checkout (the guest cart merges), pays by bank transfer and sees
the order split in two, each part with its timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

SHOPPER_EMAIL = "pembeli@demo.test"
BATIK_SHIRT = "kemeja-batik-tulis-surya-majapahit-lengan-panjang-miftahul-ulum"
BATIK_COOPERATIVE = "Koppontren Miftahul Ulum"
CHIPS_COOPERATIVE_SLUG = "koppontren-al-hikmah"
CHIPS_COOPERATIVE = "Koppontren Al-Hikmah"
CHIPS = "Keripik Tempe Original 100 g"


def test_a_guest_orders_from_two_cooperatives_and_sees_the_order_split(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    page.goto(live_server.path("/?lang=id"))
    nav = page.locator("#main-nav")
    header = page.get_by_role("banner")
    cart_count = header.locator(".header-cart .nav-count")  # in the bar, outside the menu

    # A batik shirt in size M, found with the search box.
    search = page.get_by_role("search")
    search.get_by_label("Cari produk").fill("kemeja batik surya")
    search.get_by_role("button", name="Cari").click()
    page.locator(".listing__results .product-card__link").filter(
        has_text="Kemeja Batik Tulis Surya Majapahit Lengan Panjang"
    ).click()
    expect(page).to_have_url(live_server.path(f"/products/{BATIK_SHIRT}"))
    add_form = page.locator("form.add-to-cart")
    sizes = page.get_by_role("group", name="Pilih varian")
    sizes.get_by_role("radio", name=re.compile(r"^M\b")).check()
    add_form.get_by_label("Jumlah (pcs)").fill("1")
    add_form.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_role("status")).to_contain_text("masuk ke keranjang")
    expect(cart_count).to_have_text("1")

    # Chips from another cooperative, straight from the card on the cooperative's page.
    page.goto(live_server.path(f"/cooperatives/{CHIPS_COOPERATIVE_SLUG}"))
    card = page.locator("article.product-card").filter(
        has=page.get_by_role("heading", name=CHIPS, exact=True)
    )
    card.get_by_role("button", name=re.compile("^Tambah ke keranjang")).click()
    expect(page.get_by_role("status")).to_contain_text(CHIPS)
    expect(cart_count).to_have_text("2")

    # The cart groups the lines by cooperative.
    header.get_by_role("link", name=re.compile("^Keranjang")).click()
    expect(page.get_by_role("heading", name=BATIK_COOPERATIVE)).to_be_visible()
    expect(page.get_by_role("heading", name=CHIPS_COOPERATIVE)).to_be_visible()

    # Checking out asks the guest to log in; the guest cart joins the shopper's cart.
    page.get_by_role("link", name="Lanjut ke checkout").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=/checkout$"))
    login = page.locator("main form")
    login.get_by_label("Email").fill(SHOPPER_EMAIL)
    login.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    login.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.path("/checkout"))
    expect(cart_count).to_have_text("2")

    # The saved address is chosen already; one delivery option per cooperative; bank transfer.
    expect(page.get_by_role("radio", name="Rumah")).to_be_checked()
    page.get_by_role("group", name=f"Pengiriman dari {BATIK_COOPERATIVE}").get_by_role(
        "radio", name=re.compile("^Ambil sendiri")
    ).check()
    page.get_by_role("group", name=f"Pengiriman dari {CHIPS_COOPERATIVE}").get_by_role(
        "radio", name=re.compile("^Antar lokal")
    ).check()
    page.get_by_role("group", name="Metode pembayaran").get_by_role(
        "radio", name="Transfer bank"
    ).check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()

    expect(page).to_have_url(live_server.path("/checkout/review"))
    expect(page.get_by_role("heading", name="Ringkasan pesanan")).to_be_visible()
    page.get_by_role("button", name="Buat pesanan").click()

    # The order, split in two, each part with its own timeline.
    expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
    expect(page.get_by_role("status")).to_contain_text("sudah dibuat")
    parts = page.locator("section.order-part")
    expect(parts).to_have_count(2)
    for name in (BATIK_COOPERATIVE, CHIPS_COOPERATIVE):
        part = parts.filter(has=page.get_by_role("heading", name=name, exact=True))
        expect(part.get_by_text("Menunggu pembayaran", exact=True)).to_be_visible()
        expect(part.locator("ol.timeline li")).to_have_count(1)
        expect(part.locator("ol.timeline")).to_contain_text("Pesanan dibuat")
    expect(cart_count).to_have_text("0")

    # It is listed under "my orders".
    nav.get_by_role("link", name="Pesanan saya").click()
    expect(page.locator("main table tbody tr").first).to_contain_text(BATIK_COOPERATIVE)

    page_events.assert_clean()
