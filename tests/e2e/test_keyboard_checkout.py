"""A shopper who cannot use a mouse: from a product to a placed order with the keyboard alone
(Tab, arrow keys, Enter, typing), every control reached showing where the focus is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

CHIPS = "/products/keripik-tempe-original-al-hikmah"

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  return {
    tag: e.tagName.toLowerCase(), type: e.getAttribute('type') || '',
    name: e.getAttribute('name') || '', checked: !!e.checked,
    text: (e.innerText || '').trim(), label: label.trim(),
    outline: style.outlineStyle, shadow: style.boxShadow,
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FOCUSED)
    return result


def tab_to(page: Page, wanted: str, limit: int = 200, **match: Any) -> dict[str, Any]:
    """Press Tab until the focused element has every ``match`` property (``text`` and ``label``
    match by prefix); it must show a focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if all(
            str(now[key]).startswith(value) if key in ("text", "label") else now[key] == value
            for key, value in match.items()
        ):
            assert now["outline"] != "none" or now["shadow"] != "none", f"{wanted}: focus unseen"
            return now
    pytest.fail(f"{wanted} cannot be reached with Tab")


def choose_radio(page: Page, name: str, label: str) -> None:
    """Tab into a radio group, then move with the arrow keys to the option labelled ``label``."""
    tab_to(page, name, tag="input", type="radio", name=name)
    for _ in range(10):
        if focused(page)["label"].startswith(label):
            break
        page.keyboard.press("ArrowDown")
    now = focused(page)
    assert now["label"].startswith(label) and now["checked"], (name, now)


def test_a_shopper_checks_out_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    page.goto(live_server.path(f"{CHIPS}?lang=id"))
    tab_to(page, "the add-to-cart button", tag="button", text="Tambah ke keranjang")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("masuk ke keranjang")

    tab_to(page, "the cart link", tag="a", text="Keranjang")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.path("/cart"))
    tab_to(page, "the checkout link", tag="a", text="Lanjut ke checkout")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/account/login\?next=/checkout$"))
    tab_to(page, "the email field", tag="input", name="email")
    page.keyboard.type("pembeli@demo.test")
    tab_to(page, "the password field", tag="input", name="password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.path("/checkout"))
    delivery = page.locator("input[type=radio][name^=delivery_]").first.get_attribute("name")
    assert delivery
    choose_radio(page, delivery, "Ambil sendiri")
    choose_radio(page, "payment_method", "Transfer bank")
    tab_to(page, "the summary button", tag="button", text="Lanjut ke ringkasan")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.path("/checkout/review"))
    tab_to(page, "the place-order button", tag="button", text="Buat pesanan")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
    expect(page.get_by_role("status")).to_contain_text("sudah dibuat")
    page_events.assert_clean()
