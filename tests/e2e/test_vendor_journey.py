"""A cooperative lists a new product: two sizes, a photo, stock, publication, then a shopper's
search finds it. (Accepting and shipping an order comes with the orders capability.)"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

PRODUCT = "Rengginang Lorjuk Uji Peramban"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (214, 160, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_cooperative_lists_a_product_that_shoppers_then_find(
    live_server: LiveServer, page: Page, page_events: PageEvents
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
    page_events.assert_clean()
