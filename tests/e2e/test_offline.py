"""Offline: the service worker registers, and a page that cannot load shows the offline page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error, Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

SHOPPER_EMAIL = "pembeli@demo.test"
SHOPPER_NAME = "Nur Aini"
PHONE = {"width": 360, "height": 740}

#: Every response the service worker keeps, with its URL (page.evaluate in the page's origin).
CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found.push({url: new URL(request.url).pathname, body: await response.text()});
    }
  }
  return found;
}"""


def sign_in(page: Page, live: LiveServer) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(SHOPPER_EMAIL)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


def wait_for_worker(page: Page) -> str:
    """Wait until the service worker is active; its script's address."""
    script = page.wait_for_function(
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return registration && registration.active ? registration.active.scriptURL : false;
        }"""
    )
    return str(script.json_value())


def test_a_page_that_cannot_load_offline_shows_the_offline_page(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    page.goto(live_server.path("/cart"))
    assert wait_for_worker(page) == live_server.path("/sw.js")

    page.context.set_offline(True)
    page.goto(live_server.path("/orders"))
    # The page the shopper asked for stays in the address bar, with the offline page in it,
    # in both languages, dressed in the site's stylesheet and logo from the worker's cache.
    expect(page).to_have_url(live_server.path("/orders"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tidak ada sambungan internet")
    expect(page.get_by_role("heading", name="No internet connection")).to_be_visible()
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(11, 107, 58)")
    assert page.locator(".brand img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Nothing the shopper saw was kept: only the offline page (as a guest sees it) and the
    # static files it shows.
    cached = page.evaluate(CACHED)
    assert sorted(entry["url"] for entry in cached) == sorted(
        ["/offline", "/static/css/app.css", "/static/img/logo.svg", "/static/img/favicon.svg"]
    )
    offline = next(entry["body"] for entry in cached if entry["url"] == "/offline")
    assert SHOPPER_NAME not in offline
    assert "csrf_token" not in offline

    # Back online, "Coba lagi" loads the page that could not load.
    page.context.set_offline(False)
    page.get_by_role("link", name="Coba lagi").click()
    expect(page).to_have_url(live_server.path("/orders"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Tidak ada sambungan internet")
    expect(page.locator("#main-nav")).to_contain_text("Pesanan saya")
    page_events.assert_clean()


def test_forms_that_post_are_left_to_the_browser_offline(
    live_server: LiveServer, page: Page
) -> None:
    page.goto(live_server.path("/account/login"))
    wait_for_worker(page)
    page.context.set_offline(True)
    form = page.locator("main form")
    form.locator("input[name=email]").fill(SHOPPER_EMAIL)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    # A POST is never answered from the cache: the browser reports it did not go, so nobody
    # takes the offline page for a sign-in, an order or a payment that went through.
    navigation = page.expect_navigation()
    with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED"), navigation:
        form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", name="Tidak ada sambungan internet")).to_have_count(0)
