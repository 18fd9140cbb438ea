"""Suggestions under the search field on a phone, in both languages: they open over the page
(nothing moves, nothing sticks out), pass axe, and the keyboard or a tap opens one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import describe, open_page, violations
from tests.e2e.test_phone_overflow import measure

pytestmark = pytest.mark.slow

SHIRT = "Kemeja Batik Tulis Surya Majapahit Lengan Panjang"
LABELS = {"id": ("Cari produk", "Saran pencarian"), "en": ("Search products", "Search suggestions")}


@pytest.mark.parametrize("language", ["id", "en"])
def test_suggestions_open_over_the_page_and_lead_to_the_product(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    page = open_page(browser, "phone", language)
    page.goto(live_server.path("/"))
    field_label, list_label = LABELS[language]
    field = page.get_by_role("combobox", name=field_label)
    main_top = page.locator("main").bounding_box()

    field.press_sequentially("kemeja sur", delay=30)
    suggestions = page.get_by_role("listbox", name=list_label)
    expect(suggestions).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(suggestions.get_by_role("option", name=re.compile(SHIRT))).to_be_visible()
    assert page.locator("main").bounding_box() == main_top, "the list pushed the page down"
    fit = measure(page)
    assert fit.fits, str(fit)
    found = violations(page)
    assert not found, describe(found)

    field.press("ArrowDown")
    first = suggestions.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/products/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SHIRT)
    page.context.close()


def test_escape_closes_the_list_and_enter_then_searches_as_typed(
    browser: Browser, live_server: LiveServer
) -> None:
    page = open_page(browser, "desktop", "id")
    page.goto(live_server.path("/"))
    field = page.get_by_role("combobox", name="Cari produk")
    field.press_sequentially("kerip", delay=30)
    expect(page.get_by_role("listbox", name="Saran pencarian")).to_be_visible()
    field.press("Escape")
    expect(page.get_by_role("listbox", name="Saran pencarian")).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/products\?q=kerip$"))
    page.context.close()
