"""A shopper's first visit: Indonesian by default, switches to English, logs in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

SHOPPER_EMAIL = "pembeli@demo.test"
SHOPPER_NAME = "Nur Aini"


def test_shopper_switches_to_english_and_logs_in(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    page.goto(live_server.path("/"))

    # Indonesian by default.
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "id")
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    # At 1280px the navigation is shown; the "Menu" toggle is for narrow screens only.
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()

    language = page.locator("form.lang-switch")
    english = language.get_by_role("button", name="EN", exact=True)
    indonesian = language.get_by_role("button", name="ID", exact=True)
    expect(indonesian).to_have_attribute("aria-pressed", "true")
    expect(english).to_have_attribute("aria-pressed", "false")

    # The switch POSTs to /language and comes back to the same page, now in English.
    english.click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.path("/"))
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(indonesian).to_have_attribute("aria-pressed", "false")
    log_in_link = nav.get_by_role("link", name="Log in", exact=True)
    expect(log_in_link).to_be_visible()

    # Log in through the form, as a person would.
    log_in_link.click()
    expect(page).to_have_url(live_server.path("/account/login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(SHOPPER_EMAIL)
    form.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Log in", exact=True).click()

    expect(page).to_have_url(live_server.path("/"))
    expect(page.get_by_role("status")).to_contain_text(SHOPPER_NAME)
    # The language chosen before logging in stays (and is saved to the profile).
    expect(html).to_have_attribute("lang", "en")
    expect(nav.locator('a[href="/account/profile"]')).to_be_visible()
    expect(nav.get_by_role("link", name="Masuk", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Log in", exact=True)).to_have_count(0)

    page_events.assert_clean()
