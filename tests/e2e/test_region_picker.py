"""The address form's region lists on a phone: typed and picked with the keyboard, each list
under the one above, the village's postcode filled in, nothing sticking out, axe clean; and the
same form without JavaScript, step by step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import describe, open_page, sign_in, violations
from tests.e2e.test_phone_overflow import measure

pytestmark = pytest.mark.slow

SHOPPER = "pembeli@demo.test"


def pick(page: Page, label: str, typed: str, name: str) -> None:
    """Type the start of a name that only ``name`` has, then choose it with the keyboard."""
    field = page.get_by_role("combobox", name=label)
    field.press_sequentially(typed, delay=30)
    options = page.get_by_role("listbox", name=label)
    expect(options.get_by_role("option")).to_have_count(1)
    expect(options.get_by_role("option", name=name, exact=True)).to_be_visible()
    field.press("ArrowDown")
    expect(options.get_by_role("option", name=name, exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    field.press("Enter")
    expect(field).to_have_value(name)
    expect(options).to_be_hidden()


def fill_the_rest(page: Page) -> None:
    page.locator("input[name=label]").fill("Kantor")
    page.locator("input[name=recipient_name]").fill("Nur Aini")
    page.locator("input[name=phone]").fill("081234567890")
    page.locator("input[name=street]").fill("Jl. Benteng Pancasila No. 3")


def test_regions_are_typed_and_picked_on_a_phone(browser: Browser, live_server: LiveServer) -> None:
    page = open_page(browser, "phone", "id")
    sign_in(page, live_server, SHOPPER, "id")
    page.goto(live_server.path("/account/addresses/new"))
    expect(page.get_by_role("button", name="Tampilkan pilihan wilayah")).to_be_hidden()
    pick(page, "Provinsi", "jaw", "Jawa Timur")
    pick(page, "Kota/Kabupaten", "kota mo", "Kota Mojokerto")
    fit = measure(page)
    assert fit.fits, str(fit)
    found = violations(page)
    assert not found, describe(found)
    pick(page, "Kecamatan", "pra", "Prajuritkulon")
    pick(page, "Kelurahan/Desa", "sur", "Surodinawan")
    expect(page.locator("input[name=postal_code]")).to_have_value("61328")
    fill_the_rest(page)
    page.get_by_role("button", name="Simpan alamat").click()
    expect(page).to_have_url(re.compile(r"/account/profile$"))
    expect(page.locator("main")).to_contain_text(
        "Jl. Benteng Pancasila No. 3, Surodinawan, Prajuritkulon, Kota Mojokerto, Jawa Timur 61328"
    )
    page.context.close()


def test_without_javascript_the_lists_open_step_by_step(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, SHOPPER, "en")
    page.goto(live_server.path("/account/addresses/new"))
    fill_the_rest(page)
    choose = page.get_by_role("button", name="Show the region choices")
    for label, name in (
        ("Province", "Jawa Timur"),
        ("City/Regency", "Kota Surabaya"),
        ("District", "Genteng"),
        ("Village (kelurahan/desa)", "Ketabang"),
    ):
        page.get_by_label(label, exact=True).select_option(label=name)
        choose.click()
    expect(page.locator("input[name=postal_code]")).to_have_value("60272")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator("main")).to_contain_text(
        "Ketabang, Genteng, Kota Surabaya, Jawa Timur 60272"
    )
    context.close()
