"""Finding a product: a search with a typo, a filter, a variant, the cooperative's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

SHIRT = "Kemeja Batik Tulis Surya Majapahit Lengan Panjang"


def test_shopper_finds_a_batik_shirt_despite_a_typo(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    page.goto(live_server.path("/"))
    search = page.get_by_role("search")
    search.get_by_label("Cari produk").fill("kemja batk")
    search.get_by_role("button", name="Cari").click()

    expect(page).to_have_url(re.compile(r"/products\?q=kemja\+batk"))
    results = page.locator(".listing__results")
    expect(results.get_by_role("heading", name=SHIRT)).to_be_visible()

    # Narrow down: only cooperatives in Magersari, then sort by price.
    filters = page.locator(".listing__filters")
    filters.get_by_label(re.compile(r"Magersari")).check()
    filters.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"kecamatan=Magersari"))
    expect(results.get_by_role("heading", name=SHIRT)).to_be_visible()
    page.get_by_label("Urutkan").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(page).to_have_url(re.compile(r"kecamatan=Magersari"))

    # The URL is shareable: the back button returns to the same filtered page.
    results.locator(".product-card__link").filter(has_text=SHIRT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHIRT)
    buy_box = page.locator("[data-variant-picker]")
    expect(buy_box.locator("[data-price]")).to_have_text("Rp500.000")
    buy_box.get_by_label(re.compile(r"\bXL\b")).check()
    expect(buy_box.locator("[data-price]")).to_have_text("Rp525.000")

    page.go_back()
    expect(page).to_have_url(
        re.compile(r"kecamatan=Magersari.*sort=price_asc|sort=price_asc.*kecamatan=Magersari")
    )
    page.go_forward()

    cooperative = page.locator(".coop-card").get_by_role("link").first
    name = cooperative.inner_text()
    cooperative.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".product-grid").get_by_role("heading", name=SHIRT)).to_be_visible()
    expect(page.get_by_role("link", name="Chat via WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/62\d+\?text=")
    )
    page_events.assert_clean()
