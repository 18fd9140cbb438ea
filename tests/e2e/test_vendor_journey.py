"""A cooperative lists a new product: two sizes, a photo, stock, publication, then a shopper's
search finds it. The demo shopper orders it by bank transfer (the payment is recorded through
orders.services, as the payments capability will), and the cooperative accepts and ships it from
its workspace; the shopper's order page then shows it shipped, with the tracking number."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

PRODUCT = "Rengginang Lorjuk Uji Peramban"
COOPERATIVE = "Koppontren Al-Hikmah"
TRACKING_NUMBER = "JNE-UJI-0042"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (214, 160, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_cooperative_lists_a_product_then_ships_the_shoppers_order(
    live_server: LiveServer, browser: Browser, page: Page, page_events: PageEvents
) -> None:
    page.goto(live_server.path("/account/login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill("koperasi1@demo.test")
    form.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Masuk", exact=True).click()

    page.locator("#main-nav").get_by_role("link", name="Koperasi saya").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dasbor koperasi")
    page.get_by_role("link", name="Tambah produk").first.click()

    # The first size, with its price and opening stock.
    page.get_by_label("Nama produk").fill(PRODUCT)
    page.get_by_label("Kategori").select_option(label="Makanan & Minuman › Keripik & Camilan")
    page.get_by_label("Deskripsi").fill("Rengginang renyah dengan lorjuk, digoreng sendiri.")
    page.get_by_label("Satuan jual").fill("bungkus")
    page.get_by_label("SKU (kode barang)").fill("RGL-UJI-100")
    page.get_by_label("Ukuran", exact=True).fill("100 g")
    page.get_by_label("Harga satuan (Rp)", exact=True).fill("12.000")
    page.get_by_label("Stok awal").fill("5")
    page.get_by_role("button", name="Simpan produk").click()
    expect(page.get_by_role("status")).to_contain_text("Produk disimpan sebagai draf")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PRODUCT)

    # A second size.
    page.get_by_role("link", name="Tambah varian (ukuran/warna)").click()
    page.get_by_label("SKU (kode barang)").fill("RGL-UJI-250")
    page.get_by_label("Ukuran", exact=True).fill("250 g")
    page.get_by_label("Harga satuan (Rp)", exact=True).fill("27000")
    page.get_by_role("button", name="Simpan varian").click()
    variants = page.locator(
        "section", has=page.get_by_role("heading", name="Varian, harga, dan stok")
    )
    expect(variants.get_by_role("cell", name="RGL-UJI-250", exact=True)).to_be_visible()

    # A photo, drawn by the test.
    page.get_by_label("Foto produk").set_input_files(
        files=[{"name": "rengginang.png", "mimeType": "image/png", "buffer": _photo()}]
    )
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.get_by_role("status")).to_contain_text("Foto sudah ditambahkan.")
    expect(page.locator(".photo-list img")).to_have_count(1)

    # Restock the second size.
    variants.get_by_role("link", name=re.compile(r"^Stok RGL-UJI-250$")).click()
    page.get_by_label("Jenis perubahan").select_option("restock")
    page.get_by_label("Jumlah").fill("20")
    page.get_by_label("Keterangan").fill("Produksi minggu ini")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_contain_text("20 di gudang")
    expect(page.get_by_role("cell", name="Produksi minggu ini")).to_be_visible()

    # Publish.
    page.get_by_role("link", name=PRODUCT).click()
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.get_by_role("status")).to_contain_text("Produk sudah terbit di katalog.")

    # A shopper's search finds it, with both sizes.
    search = page.get_by_role("search")
    search.get_by_label("Cari produk").fill("rengginang lorjuk")
    search.get_by_role("button", name="Cari").click()
    results = page.locator(".listing__results")
    results.locator(".product-card__link").filter(has_text=PRODUCT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    buy_box = page.locator("[data-variant-picker]")
    expect(buy_box.locator("[data-price]")).to_have_text("Rp12.000")
    buy_box.get_by_label(re.compile(r"250 g")).check()
    expect(buy_box.locator("[data-price]")).to_have_text("Rp27.000")
    product_url = page.url

    # The demo shopper, in a browser of their own, orders the 250 g size by bank transfer.
    shopper = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    shopper.set_default_timeout(10_000)
    shop = shopper.new_page()
    shopper_events = PageEvents()
    shop.on("console", shopper_events.on_console)
    shop.on("pageerror", shopper_events.on_page_error)
    shop.on("request", shopper_events.on_request)
    try:
        number = _shopper_orders(live_server, shop, product_url)
        _record_transfer(live_server, number)

        # The cooperative finds the paid order among its new orders, accepts it and ships it.
        page.goto(live_server.path("/vendor/"))
        waiting = page.locator("section", has=page.get_by_role("heading", name="Pesanan menunggu"))
        waiting.get_by_role("link", name="Pesanan baru").click()
        page.get_by_role("link", name=number).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Pesanan {number}")
        expect(page.get_by_role("cell", name="RGL-UJI-250", exact=True)).to_be_visible()
        page.get_by_role("button", name="Terima pesanan").click()
        expect(page.get_by_role("status")).to_contain_text(f"Pesanan {number} diterima.")
        page.get_by_role("link", name="Slip pengemasan").click()
        expect(page.get_by_role("button", name="Cetak")).to_be_visible()
        expect(page.get_by_role("cell", name="RGL-UJI-250", exact=True)).to_be_visible()
        page.get_by_role("link", name="Kembali ke pesanan").click()
        page.get_by_label("Kurir", exact=True).select_option(label="JNE")
        page.get_by_label("Nomor resi").fill(TRACKING_NUMBER)
        page.get_by_role("button", name="Tandai sudah dikirim").click()
        expect(page.get_by_role("status")).to_contain_text("sudah dikirim")
        expect(page.locator(".status--shipped")).to_have_text("Dikirim")

        # The shopper sees it shipped, with the tracking number.
        shop.reload()
        part = shop.locator("section.order-part").filter(
            has=shop.get_by_role("heading", name=COOPERATIVE, exact=True)
        )
        expect(part.locator(".status--shipped")).to_have_text("Dikirim")
        expect(part).to_contain_text(f"Nomor resi: {TRACKING_NUMBER}")
        expect(part.locator("ol.timeline")).to_contain_text("Dikirim")
        shopper_events.assert_clean()
    finally:
        shopper.close()
    page_events.assert_clean()


def _shopper_orders(live_server: LiveServer, shop: Page, product_url: str) -> str:
    """Log in as the demo shopper, order one 250 g pack by courier and bank transfer; the
    order number."""
    shop.goto(live_server.path("/account/login?lang=id"))
    form = shop.locator("main form")
    form.get_by_label("Email").fill("pembeli@demo.test")
    form.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Masuk", exact=True).click()
    expect(shop.locator("#main-nav")).to_contain_text("Pesanan saya")
    shop.goto(product_url)
    shop.get_by_role("group", name="Pilih varian").get_by_role(
        "radio", name=re.compile(r"250 g")
    ).check()
    add_form = shop.locator("form.add-to-cart")
    add_form.get_by_label("Jumlah (bungkus)").fill("1")
    add_form.get_by_role("button", name="Tambah ke keranjang").click()
    expect(shop.get_by_role("status")).to_contain_text("masuk ke keranjang")
    shop.goto(live_server.path("/checkout"))
    shop.get_by_role("group", name=f"Pengiriman dari {COOPERATIVE}").get_by_role(
        "radio", name=re.compile("^Kurir")
    ).check()
    shop.get_by_role("group", name="Metode pembayaran").get_by_role(
        "radio", name="Transfer bank"
    ).check()
    shop.get_by_role("button", name="Lanjut ke ringkasan").click()
    shop.get_by_role("button", name="Buat pesanan").click()
    expect(shop).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
    return shop.url.rsplit("/", 1)[1]


def _record_transfer(live_server: LiveServer, number: str) -> None:
    """The bank transfer arrives. Payments are built elsewhere; here the payment service's move
    is made directly, in the live server's app, as its webhook will."""
    app = live_server.app
    with app.test_request_context(base_url=live_server.url):
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        part = next(p for p in order.vendor_orders if p.cooperative_name == COOPERATIVE)
        order_moves.mark_vendor_order_paid(part, reference="E2E-TRANSFER")
        db.session.commit()
