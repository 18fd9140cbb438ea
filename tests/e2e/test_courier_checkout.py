"""Checkout by courier in a browser, on a phone: the demo shopper sends a parcel to a new
address in Surabaya; choosing its village lists the cooperative's courier service for East
Java with its price (checkout.js asks again without a button press), the summary and the
order keep that service, and every step fits a 360 px screen with no serious axe finding."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, serve_app
from tests.e2e.test_accessibility import describe, violations
from tests.e2e.test_phone_overflow import measure, sign_in
from tests.e2e.test_region_picker import pick

pytestmark = pytest.mark.slow

SHOPPER = "pembeli@demo.test"
PRODUCT = "/products/keripik-tempe-original-al-hikmah"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the order placed here would change what other browser tests see."""
    with serve_app(tmp_path_factory.mktemp("e2e-courier")) as live:
        yield live


def desktop_in_english(browser: Browser, live: LiveServer) -> None:
    """The same checkout (the cart is the shopper's, not the browser's) on a desktop, in
    English: the courier service is listed and nothing serious is found."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live, SHOPPER)
        page.goto(live.path("/checkout?lang=en"))
        delivery = page.get_by_role("group", name=re.compile("^Delivery from"))
        expect(delivery.get_by_role("radio", name=re.compile("^Courier · "))).to_have_count(1)
        assert measure(page).fits
        found = violations(page)
        assert not found, describe(found)
    finally:
        context.close()


def test_a_courier_service_for_a_new_address_is_listed_chosen_and_kept(
    own_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, own_server, SHOPPER)
        page.goto(own_server.path(PRODUCT))
        page.locator("form.add-to-cart").get_by_role("button", name="Tambah ke keranjang").click()
        expect(page.get_by_role("status")).to_contain_text("masuk ke keranjang")
        page.goto(own_server.path("/checkout"))
        delivery = page.get_by_role("group", name=re.compile("^Pengiriman dari"))
        # The saved home address is in Magersari: the cooperative's own city rate.
        expect(delivery.get_by_role("radio", name=re.compile("^Kurir · "))).to_have_count(1)
        assert measure(page).fits

        with page.expect_navigation():
            page.get_by_role("radio", name="Alamat baru").check()
        expect(delivery.get_by_text("Pilih alamat dengan wilayah dari daftar")).to_be_visible()
        form = page.locator("main form")
        form.get_by_label("Nama penerima").fill("Nur Aini")
        form.get_by_label("Nomor HP").fill("081234567890")
        form.get_by_label("Alamat (jalan, nomor, RT/RW)").fill("Jl. Embong Malang No. 3")
        pick(page, "Provinsi", "jawa", "Jawa Timur")
        pick(page, "Kota/Kabupaten", "kota s", "Kota Surabaya")
        pick(page, "Kecamatan", "gen", "Genteng")
        with page.expect_navigation():
            pick(page, "Kelurahan/Desa", "ket", "Ketabang")
        expect(form.get_by_label("Kode pos")).to_have_value("60272")
        courier = delivery.get_by_role("radio", name=re.compile("^Kurir · .*Jawa Timur · Rp"))
        expect(courier).to_have_count(1)
        label = courier.evaluate("r => r.labels[0].innerText")
        price = re.search(r"Rp[\d.]+", label)
        assert price is not None
        assert measure(page).fits
        found = violations(page)
        assert not found, describe(found)
        desktop_in_english(browser, own_server)

        courier.check()
        page.get_by_role("group", name="Metode pembayaran").get_by_role(
            "radio", name="Transfer bank"
        ).check()
        page.get_by_role("button", name="Lanjut ke ringkasan").click()
        expect(page).to_have_url(own_server.path("/checkout/review"))
        summary = page.locator("main")
        expect(summary).to_contain_text("Kota Surabaya")
        expect(summary).to_contain_text("Kurir · Kurir koperasi Jawa Timur")
        expect(summary).to_contain_text(price.group(0))
        assert measure(page).fits

        page.get_by_role("button", name="Buat pesanan").click()
        expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
        expect(page.locator("main")).to_contain_text("Kurir · Kurir koperasi Jawa Timur")
        assert measure(page).fits
    finally:
        context.close()
