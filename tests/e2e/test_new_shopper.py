"""What new shoppers tripped on, on a phone: registering on the way to checkout (through the email
verification) comes back to checkout; a form whose page expired comes back with what was typed;
after a transfer proof is sent the order says it is being checked, with an entry on its timeline,
and the cooperative's confirmation sends the shopper one email."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents
from tests.e2e.test_accessibility import VIEWPORTS, describe, open_page, violations
from tests.e2e.test_region_picker import pick

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}
CHIPS = "/products/keripik-tempe-original-al-hikmah"
NAME, EMAIL, PASSWORD = "Nur Hidayah", "nur.hidayah@example.test", "gurih-renyah-2026"


def sent_to(live: LiveServer, address: str) -> list[str]:
    """The text of the emails the live server sent to ``address``, oldest first."""
    sent = live.app.extensions["mail_backend"].sent
    return [m.body_text for m in sent if m.to_address == address]


def subjects_to(live: LiveServer, address: str) -> list[str]:
    return [m.subject for m in live.app.extensions["mail_backend"].sent if m.to_address == address]


def fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 360px screen"


def proof_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_new_shopper_registers_at_checkout_and_sees_the_transfer_proof_being_checked(
    live_server: LiveServer, page: Page, page_events: PageEvents, browser: Browser
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.path(f"{CHIPS}?lang=id"))
    page.locator("form.add-to-cart").get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_role("status")).to_contain_text("masuk ke keranjang")
    page.goto(live_server.path("/cart"))
    page.get_by_role("link", name="Lanjut ke checkout").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=/checkout$"))

    # No account yet: "Daftar" on the sign-in page keeps where the guest was going.
    page.locator("main").get_by_role("link", name="Daftar").click()
    expect(page).to_have_url(live_server.path("/account/register?next=/checkout"))
    form = page.locator("main form")
    form.get_by_label("Nama lengkap").fill(NAME)
    form.get_by_label("Email").fill(EMAIL)
    form.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    form.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    form.get_by_label(re.compile("^Saya menyetujui")).check()
    # The page stayed open too long: its token no longer holds when the form is sent.
    form.locator("input[name=csrf_token]").evaluate("input => { input.value = 'kedaluwarsa'; }")
    form.get_by_role("button", name="Daftar").click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Halaman ini sudah kedaluwarsa")
    expect(summary).to_contain_text("Isian Anda masih ada")
    expect(form.get_by_label("Nama lengkap")).to_have_value(NAME)
    expect(form.get_by_label("Email")).to_have_value(EMAIL)
    expect(form.get_by_label("Kata sandi", exact=True)).to_have_value("")
    fits_the_screen(page)
    assert not violations(page), describe(violations(page))
    form.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    form.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    form.get_by_role("button", name="Daftar").click()
    expect(page).to_have_url(live_server.path("/account/check-email?next=/checkout"))

    # The verification link asks for one press (opening it changes nothing), then leads to
    # signing in, and signing in back to checkout.
    [verification] = sent_to(live_server, EMAIL)
    link = re.search(r"(http://\S+/account/verify/\S+)", verification)
    assert link is not None
    page.goto(link.group(1))
    fits_the_screen(page)
    page.get_by_role("button", name="Ya, ini email saya").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=/checkout$"))
    expect(page.get_by_role("status")).to_contain_text("sudah terverifikasi")
    login = page.locator("main form")
    login.get_by_label("Email").fill(EMAIL)
    login.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    login.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.path("/checkout"))

    checkout = page.locator("main form")
    checkout.get_by_label("Nama penerima").fill(NAME)
    checkout.get_by_label("Nomor HP").fill("081234567890")
    checkout.get_by_label("Alamat (jalan, nomor, RT/RW)").fill("Jl. Empunala No. 17")
    pick(page, "Provinsi", "jawa", "Jawa Timur")
    pick(page, "Kota/Kabupaten", "kota mo", "Kota Mojokerto")
    pick(page, "Kecamatan", "mag", "Magersari")
    # Choosing the village lists each cooperative's delivery for it again (checkout.js), and
    # fills its postcode.
    with page.expect_navigation():
        pick(page, "Kelurahan/Desa", "bal", "Balongsari")
    expect(checkout.get_by_label("Kode pos")).to_have_value("61314")
    expect(checkout.get_by_label("Alamat (jalan, nomor, RT/RW)")).to_have_value(
        "Jl. Empunala No. 17"
    )
    page.get_by_role("group", name=re.compile("^Pengiriman dari")).get_by_role(
        "radio", name=re.compile("^Ambil sendiri")
    ).check()
    page.get_by_role("group", name="Metode pembayaran").get_by_role(
        "radio", name="Transfer bank"
    ).check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
    order_url = page.url
    number = order_url.rsplit("/", 1)[-1]
    part = page.locator("section.order-part")
    expect(part.get_by_text("Bila belum dibayar, pesanan dibatalkan otomatis.")).to_be_visible()
    # The cooperative hears of the order once it is paid, not before.
    assert not any("Pesanan baru" in s for s in subjects_to(live_server, "koperasi1@demo.test"))

    # The proof is sent from the payment page.
    page.get_by_role("link", name="Unggah bukti transfer").click()
    page.locator("main form input[type=file]").set_input_files(
        files=[{"name": "bukti.png", "mimeType": "image/png", "buffer": proof_png()}]
    )
    page.get_by_role("button", name="Kirim bukti transfer").click()
    expect(page.get_by_role("status")).to_contain_text("Bukti transfer terkirim")
    page.get_by_role("link", name="Kembali ke pesanan").click()

    # The order says what happens now, and its timeline has the step.
    expect(part.locator(".status")).to_have_text("Bukti transfer dikirim")
    expect(part.locator(".alert")).to_contain_text(
        "Bukti transfer dikirim. Menunggu konfirmasi koperasi."
    )
    expect(part.locator(".alert")).to_contain_text("Pesanan tetap disimpan selama pemeriksaan")
    expect(part).not_to_contain_text("dibatalkan otomatis")
    entries = part.locator("ol.timeline li")
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_contain_text("Bukti transfer dikirim")
    fits_the_screen(page)
    assert not violations(page), describe(violations(page))
    page.goto(live_server.path("/orders"))
    expect(page.locator("main table")).to_contain_text("Bukti transfer dikirim")

    # The cooperative is asked to check it, confirms, and hears of the order; the shopper gets
    # one email for the confirmation.
    assert any(
        s == f"Bukti transfer pesanan {number} menunggu pemeriksaan"
        for s in subjects_to(live_server, "koperasi1@demo.test")
    )
    shopper_mail = len(subjects_to(live_server, EMAIL))
    cooperative = browser.new_context(viewport=PHONE, locale="id-ID")
    try:
        desk = cooperative.new_page()
        desk.on("dialog", lambda dialog: dialog.accept())  # "Uang ... sudah masuk?"
        desk.goto(live_server.path("/account/login"))
        desk.locator("main form input[name=email]").fill("koperasi1@demo.test")
        desk.locator("main form input[name=password]").fill(DEMO_PASSWORD)
        desk.locator("main form button[type=submit]").click()
        desk.goto(live_server.path("/vendor/transfers/"))
        desk.get_by_role("link", name=re.compile(number)).first.click()
        desk.get_by_role("button", name="Konfirmasi: uang sudah masuk").click()
        expect(desk.get_by_role("status")).to_contain_text("Pembayaran dikonfirmasi")
        expect(desk.locator("main")).to_contain_text("Bukti disetujui")
    finally:
        cooperative.close()
    assert subjects_to(live_server, EMAIL)[shopper_mail:] == [
        f"Pembayaran pesanan {number} diterima"
    ]
    assert f"Pesanan baru {number} untuk Koppontren Al-Hikmah" in subjects_to(
        live_server, "koperasi1@demo.test"
    )
    page.goto(order_url)
    expect(part.locator(".status")).to_have_text("Sudah dibayar")

    # The expired form came back with status 400, as a form with errors does; Chromium logs
    # that response. Nothing else may have gone wrong.
    register = live_server.path("/account/register?next=/checkout")
    expected = f"status of 400 (BAD REQUEST) ({register})"
    assert sum(expected in error for error in page_events.console_errors) == 1
    page_events.console_errors = [e for e in page_events.console_errors if expected not in e]
    page_events.assert_clean()


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_expired_pages_fit_the_screen_and_pass_axe(
    live_server: LiveServer, browser: Browser, viewport: str, language: str
) -> None:
    """The registration form shown again, and the page for a form that cannot be."""
    page = open_page(browser, viewport, language)
    problems: dict[str, str] = {}
    try:
        page.goto(live_server.path(f"/account/register?lang={language}"))
        form = page.locator("main form")
        form.locator("input[name=full_name]").fill(NAME)
        form.locator("input[name=csrf_token]").evaluate("input => { input.value = 'x'; }")
        form.locator("button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_visible()
        expect(form.locator("input[name=full_name]")).to_have_value(NAME)
        if found := violations(page):
            problems["registration shown again"] = describe(found)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"]

        page.goto(live_server.path(CHIPS))
        adding = page.locator("form.add-to-cart")
        adding.locator("input[name=csrf_token]").evaluate("input => { input.value = 'x'; }")
        adding.locator("button[type=submit]").click()
        heading = "Halaman kedaluwarsa" if language == "id" else "Page expired"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("main a.button")).to_have_attribute("href", CHIPS)
        if found := violations(page):
            problems["expired page"] = describe(found)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"]
    finally:
        page.context.close()
    assert not problems, problems
