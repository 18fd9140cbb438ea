"""Nothing moves once a page has drawn: the Cumulative Layout Shift of the shopper's pages on a
phone (360×740) over a slow network stays under 0.05 (Lighthouse calls under 0.1 good).

A shift is what the browser itself reports (``layout-shift`` entries of a PerformanceObserver,
read with ``buffered: true`` so those before the observer count too); shifts right after the
user typed or clicked (``hadRecentInput``) are not counted, as in Lighthouse. The network is
throttled as Lighthouse's "slow 4G" is, so images and the script arrive after the first paint,
as they do on a cheap phone, and a box without reserved space shows its jump.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}
#: Lighthouse's mobile throttling: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
LIMIT = 0.05
SHOPPER = "pembeli@demo.test"
CHIPS = "/products/keripik-tempe-original-al-hikmah"

#: Waits for the load event and a short settle, then sums every shift the page recorded, with
#: the elements that moved (to say what to fix).
LAYOUT_SHIFT = """async (settleMs) => {
  if (document.readyState !== 'complete') {
    await new Promise((resolve) => addEventListener('load', resolve, {once: true}));
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const describe = (node) => {
    if (!node || !node.tagName) { return String(node && node.nodeName); }
    const classes = node.classList.length ? '.' + [...node.classList].join('.') : '';
    return node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + classes;
  };
  return await new Promise((resolve) => {
    let total = 0;
    const shifts = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.hadRecentInput) { continue; }
        total += entry.value;
        shifts.push({
          value: Math.round(entry.value * 10000) / 10000,
          at: Math.round(entry.startTime),
          moved: (entry.sources || []).map((source) => describe(source.node)),
        });
      }
    });
    observer.observe({type: 'layout-shift', buffered: true});
    setTimeout(() => { observer.disconnect(); resolve({total, shifts}); }, 300);
  });
}"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        locale="id-ID",
        extra_http_headers={"Accept-Language": "id"},
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    try:
        yield page
    finally:
        context.close()


def layout_shift(page: Page, live: LiveServer, path: str) -> dict[str, Any]:
    page.goto(live.path(path), wait_until="load")
    result: dict[str, Any] = page.evaluate(LAYOUT_SHIFT, 800)
    return result


def shifts_above_limit(page: Page, live: LiveServer, paths: list[str]) -> dict[str, Any]:
    measured = {path: layout_shift(page, live, path) for path in paths}
    return {path: found for path, found in measured.items() if found["total"] > LIMIT}


def test_the_public_pages_do_not_move_after_they_draw(live_server: LiveServer, phone: Page) -> None:
    listing = "/products"
    too_much = shifts_above_limit(phone, live_server, ["/", listing, CHIPS])
    assert not too_much, too_much


def test_the_cart_and_checkout_do_not_move_after_they_draw(
    live_server: LiveServer, phone: Page
) -> None:
    phone.goto(live_server.path("/account/login"))
    form = phone.locator("main form")
    form.locator("input[name=email]").fill(SHOPPER)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    phone.wait_for_url(live_server.path("/"))
    phone.goto(live_server.path(CHIPS))
    phone.locator("form.add-to-cart button[type=submit]").click()
    expect(phone.get_by_role("status")).to_contain_text("masuk ke keranjang")
    try:
        too_much = shifts_above_limit(phone, live_server, ["/cart", "/checkout"])
    finally:
        # The live server is shared: the demo shopper's cart is left as it was found (empty).
        _empty_cart(live_server)
    assert not too_much, too_much


def test_the_workspace_pages_do_not_move_after_they_draw(
    live_server: LiveServer, phone: Page
) -> None:
    """The workspace menus fold from the first paint (they folded when the script ran)."""
    phone.goto(live_server.path("/account/login"))
    form = phone.locator("main form")
    form.locator("input[name=email]").fill("koperasi1@demo.test")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    phone.wait_for_url(live_server.path("/"))
    too_much = shifts_above_limit(phone, live_server, ["/vendor/", "/vendor/orders"])
    assert not too_much, too_much


def _empty_cart(live: LiveServer) -> None:
    from sqlalchemy import delete, select

    from marketplace.accounts.services import find_user_by_email
    from marketplace.cart.models import Cart, CartLine
    from marketplace.extensions import db

    with live.app.app_context():
        shopper = find_user_by_email(SHOPPER)
        assert shopper is not None
        carts = select(Cart.id).where(Cart.user_id == shopper.id)
        db.session.execute(delete(CartLine).where(CartLine.cart_id.in_(carts)))
        db.session.commit()


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_the_menu_and_sort_button_are_drawn_once_for_either_kind_of_browser(
    live_server: LiveServer, browser: Browser, scripts: bool
) -> None:
    """The page is laid out for the script from the first paint; a browser without JavaScript
    gets the open menu and the sort button from noscript.css instead."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=scripts)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(live_server.path("/products?lang=id"))
        menu = page.locator("#main-nav")
        toggle = page.locator(".nav-toggle")
        sort_button = page.locator(".sort-form").get_by_role("button", name="Urutkan")
        if scripts:
            expect(menu).to_be_hidden()
            expect(toggle).to_be_visible()
            expect(sort_button).to_be_hidden()
            toggle.click()
            expect(menu).to_be_visible()
        else:
            expect(menu).to_be_visible()
            expect(menu.get_by_role("link", name="Masuk")).to_be_visible()
            expect(toggle).to_be_hidden()
            expect(sort_button).to_be_visible()
    finally:
        context.close()
