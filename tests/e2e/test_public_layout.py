"""What new users tripped on, as they see it: the first card out of line with its neighbours, a
signed-in header whose links broke over two lines at 1366px, the cart's count hidden in the
phone's menu, a phone's listing that opened on a screenful of filters, and buttons whose spoken
names had a stray colon ("Tambah ke keranjang : Keripik")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}
DESKTOP = {"width": 1280, "height": 800}

CHIPS = "Keripik Tempe Original 100 g"
CHIPS_COOPERATIVE = "/cooperatives/koppontren-al-hikmah"


def open_page(browser: Browser, viewport: dict[str, int], language: str = "id") -> Page:
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="id-ID" if language == "id" else "en-US",
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, live: LiveServer, email: str) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


#: For each grid of cards on the page: the top edge of each card in its first row.
FIRST_ROWS = """() => [...document.querySelectorAll('.product-grid, .category-list, .coop-list')]
  .map(grid => {
    const columns = getComputedStyle(grid).gridTemplateColumns.split(' ').length;
    return {grid: grid.className, tops: [...grid.children].slice(0, columns)
      .map(card => Math.round(card.getBoundingClientRect().top))};
  })"""


@pytest.mark.parametrize("path", ["/", "/products", CHIPS_COOPERATIVE])
def test_the_first_card_of_a_grid_lines_up_with_its_neighbours(
    live_server: LiveServer, browser: Browser, path: str
) -> None:
    page = open_page(browser, DESKTOP)
    try:
        page.goto(live_server.path(path))
        grids: list[dict[str, Any]] = page.evaluate(FIRST_ROWS)
        assert grids, f"{path} shows a grid of cards"
        for grid in grids:
            assert len(grid["tops"]) > 1 and len(set(grid["tops"])) == 1, (path, grid)
    finally:
        page.context.close()


#: The header's rows: where the brand, search, cart and language switch sit, where each link
#: of the menu sits, and any link whose words wrap onto a second line.
HEADER = """() => {
  const box = e => e.getBoundingClientRect();
  const middle = e => Math.round(box(e).top + box(e).height / 2);
  const links = [...document.querySelectorAll('#main-nav li')];
  return {
    // Government staff have no cart: only what the header shows is measured.
    top: ['.brand', '.site-search', '.site-header a[href="/cart"]', '.lang-switch']
      .map(s => document.querySelector(s)).filter(e => e).map(middle),
    links: links.map(middle),
    menuTop: Math.round(box(document.getElementById('main-nav')).top),
    broken: [...document.querySelectorAll('.site-header a, .site-header button')]
      .filter(e => e.getClientRects().length > 1 || box(e).height > 48).map(e => e.innerText),
  };
}"""


@pytest.mark.parametrize(
    "email",
    ["koperasi1@demo.test", "admin@demo.test", "pengadaan@demo.test", "pembeli@demo.test"],
    ids=["cooperative", "city", "agency", "shopper"],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_signed_in_header_keeps_every_link_on_one_line_at_1366(
    live_server: LiveServer, browser: Browser, email: str, language: str
) -> None:
    page = open_page(browser, LAPTOP, language)
    try:
        sign_in(page, live_server, email)
        page.goto(live_server.path(f"/?lang={language}"))
        header = page.evaluate(HEADER)
        assert not header["broken"], header
        # Two rows: brand, search, cart and language; then every link, side by side.
        assert max(header["top"]) - min(header["top"]) <= 2, header
        assert max(header["links"]) - min(header["links"]) <= 2, header
        assert header["menuTop"] > max(header["top"]), header
    finally:
        page.context.close()


def test_on_a_phone_the_cart_count_shows_and_the_results_come_before_the_filters(
    live_server: LiveServer, browser: Browser
) -> None:
    page = open_page(browser, PHONE)
    try:
        page.goto(live_server.path("/products"))
        banner = page.get_by_role("banner")
        cart = banner.get_by_role("link", name=re.compile(r"^Keranjang 0 barang$"))
        expect(cart).to_be_in_viewport()
        expect(page.locator("#main-nav")).to_be_hidden()  # the menu is folded

        # The results start on the first screen; the filters wait behind their summary.
        filters = page.locator(".filters-panel")
        expect(filters).not_to_have_attribute("open", "")
        expect(page.get_by_label("Bersertifikat halal")).to_be_hidden()
        expect(page.locator(".listing__results .product-card").first).to_be_in_viewport()

        # A card's button adds to the cart, and the count in the bar says so.
        page.locator(".listing__results .product-card form button").first.click()
        expect(banner.locator(".header-cart .nav-count")).to_have_text("1")
        expect(banner.locator(".header-cart .nav-count")).to_be_in_viewport()

        filters.locator("summary").click()
        page.get_by_label("Bersertifikat halal").check()
        filters.get_by_role("button", name="Terapkan").click()
        expect(page).to_have_url(re.compile(r"halal=1"))
        expect(filters.locator("summary")).to_have_text("Saring (1)")
        expect(page.get_by_label("Bersertifikat halal")).to_be_hidden()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a 360px screen"
    finally:
        page.context.close()


def test_on_a_desktop_the_filters_are_open_beside_the_results(
    live_server: LiveServer, browser: Browser
) -> None:
    page = open_page(browser, DESKTOP, "en")
    try:
        page.goto(live_server.path("/products"))
        filters = page.locator(".listing__filters")
        expect(filters.get_by_role("heading", name="Filter")).to_be_visible()
        expect(filters.locator("summary")).to_be_hidden()
        expect(filters.get_by_label("Halal certified")).to_be_visible()
        results = page.locator(".listing__results").bounding_box()
        beside = filters.bounding_box()
        assert results and beside and beside["x"] + beside["width"] <= results["x"]
    finally:
        page.context.close()


#: A button or link whose accessible name has a space before a colon.
STRAY_COLON = re.compile(r'- (?:button|link) "[^"]* :')


def test_buttons_are_named_without_a_stray_colon(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.path(f"{CHIPS_COOPERATIVE}?lang=id"))
    card = page.locator("article.product-card").filter(
        has=page.get_by_role("heading", name=CHIPS, exact=True)
    )
    expect(card.get_by_role("button")).to_have_accessible_name(f"Tambah ke keranjang: {CHIPS}")
    assert not STRAY_COLON.search(page.locator("main").aria_snapshot())

    page.goto(live_server.path("/products/keripik-tempe-original-al-hikmah"))
    expect(page.locator("form.add-to-cart button[type=submit]")).to_have_accessible_name(
        "Tambah ke keranjang"
    )
    page.goto(live_server.path("/cooperatives/koppontren-miftahul-ulum?lang=en"))  # batik sizes
    snapshot = page.locator("main").aria_snapshot()
    assert "Choose an option: " in snapshot and not STRAY_COLON.search(snapshot)

    sign_in(page, live_server, "admin@demo.test")
    page.goto(live_server.path("/admin/"))
    snapshot = page.locator("main").aria_snapshot()
    assert "Download CSV: " in snapshot and not STRAY_COLON.search(snapshot)
