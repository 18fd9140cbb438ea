"""The workspaces on a 360x740 phone: the cooperative's, the agencies' procurement screens and the
city's. Their menus fold into one "Menu" button, so the first screen shows the page's heading and
what follows it, not a column of links; the button opens the whole menu. On a desktop the menu
is shown as before and there is no button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import describe, open_page, sign_in, violations

pytestmark = pytest.mark.slow

PHONE_HEIGHT = 740

#: Each role's home in its workspace (and the cooperative's busiest page), with the menu's name.
HOMES = [
    ("koperasi1@demo.test", ["/vendor/", "/vendor/orders"], "Menu koperasi"),
    ("pengadaan@demo.test", ["/procurement/"], "Menu pengadaan"),
    ("ppk@demo.test", ["/procurement/"], "Menu pengadaan"),
    ("penerima@demo.test", ["/procurement/"], "Menu pengadaan"),
    ("bendahara@demo.test", ["/procurement/"], "Menu pengadaan"),
    ("koperasi2@demo.test", ["/procurement/"], "Menu pengadaan"),
    ("admin@demo.test", ["/admin/"], "Menu admin kota"),
]
IDS = ["cooperative", "pp", "ppk", "receiver", "treasurer", "cooperative-procurement", "city"]


def heading_bottom(page: Page) -> float:
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None, "the page has a visible main heading"
    return float(box["y"] + box["height"])


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("email", "paths", "menu_name"), HOMES, ids=IDS)
def test_the_first_phone_screen_shows_the_page_not_the_menu(
    live_server: LiveServer,
    browser: Browser,
    email: str,
    paths: list[str],
    menu_name: str,
    language: str,
) -> None:
    page = open_page(browser, "phone", language)
    try:
        sign_in(page, live_server, email, language)
        for path in paths:
            page.goto(live_server.path(path))
            assert page.locator("html").get_attribute("lang") == language
            # The heading sits in the top half of the first screen, so the page's own content
            # (the work waiting, the orders) starts on it too.
            assert heading_bottom(page) <= PHONE_HEIGHT / 2, path
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            menu = page.locator("nav.menu-fold")
            toggle = menu.locator("[data-menu-toggle]")
            links = menu.get_by_role("link")
            expect(toggle).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            expect(links.first).to_be_hidden()
    finally:
        page.context.close()


def test_the_phone_menu_opens_names_the_current_section_and_closes(
    live_server: LiveServer, browser: Browser
) -> None:
    page = open_page(browser, "phone", "id")
    try:
        sign_in(page, live_server, "koperasi1@demo.test", "id")
        page.goto(live_server.path("/vendor/orders"))
        menu = page.get_by_role("navigation", name="Menu koperasi")
        toggle = menu.get_by_role("button", name="Menu: Pesanan")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        current = menu.get_by_role("link", name="Pesanan", exact=True)
        expect(current).to_be_visible()
        expect(current).to_have_attribute("aria-current", "page")
        expect(menu.get_by_role("link")).to_have_count(14)  # the owner's whole menu
        found = violations(page)
        assert not found, describe(found)
        # One tap on a section goes there; the menu is folded again on the next page.
        menu.get_by_role("link", name="Stok", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        toggle = page.get_by_role("navigation", name="Menu koperasi").get_by_role("button")
        expect(toggle).to_have_accessible_name("Menu: Stok")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(menu.get_by_role("link", name="Dasbor")).to_be_hidden()
    finally:
        page.context.close()


@pytest.mark.parametrize(("email", "paths", "menu_name"), HOMES[:2] + HOMES[-1:])
def test_on_a_desktop_the_menu_shows_in_full_without_a_button(
    live_server: LiveServer, browser: Browser, email: str, paths: list[str], menu_name: str
) -> None:
    page = open_page(browser, "desktop", "id")
    try:
        sign_in(page, live_server, email, "id")
        page.goto(live_server.path(paths[0]))
        menu = page.get_by_role("navigation", name=menu_name)
        expect(menu.get_by_role("button")).to_be_hidden()
        for link in menu.get_by_role("link").all():
            expect(link).to_be_visible()
    finally:
        page.context.close()


def test_without_javascript_the_phone_menu_stays_open(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": PHONE_HEIGHT}, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, "admin@demo.test", "id")
        page.goto(live_server.path("/admin/"))
        menu = page.get_by_role("navigation", name="Menu admin kota")
        expect(menu.get_by_role("button")).to_be_hidden()
        expect(menu.get_by_role("link", name="Log audit")).to_be_visible()
    finally:
        context.close()
