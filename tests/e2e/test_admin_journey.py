"""The city administrator's journey: approve a pending cooperative whose product is ready and see
it appear in the catalogue, suspend the cooperative and see it disappear, then open the
programme dashboard and download a table as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts.services import create_user
from marketplace.catalogue import management
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives import services as cooperatives
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.inventory import stock
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

COOPERATIVE = "Koppontren Uji Peramban Admin"
PRODUCT = "Getuk Lindri Uji Peramban"


def pending_cooperative_with_a_ready_product(live_server: LiveServer) -> None:
    """Set up in the live server's database: an application waiting for the city, whose
    product is ready to go (active, in stock) and waits only for the cooperative's approval."""
    app = live_server.app
    with app.test_request_context():
        owner = create_user("pemohon.e2e@demo.test", DEMO_PASSWORD, "Bu Pemohon", verified=True)
        cooperative = cooperatives.apply_for_cooperative(
            owner,
            cooperatives.ApplicationData(
                name=COOPERATIVE,
                kind="koppontren",
                pesantren_name="Pondok Pesantren Uji Peramban",
                description="Getuk dan jajanan pasar.",
                kecamatan="Prajurit Kulon",
                kelurahan="Mentikan",
                address="Jl. Uji Peramban 7",
                postal_code="61328",
                whatsapp="6281234500077",
                email="pemohon.e2e@demo.test",
                nib="9120007654321",
                npwp="0011223344556677",
                is_pkp=False,
                pp55_certificate_number=None,
                pp55_valid_until=None,
                bank_name="Bank Jatim",
                bank_account_number="0099887766",
                bank_account_holder=COOPERATIVE,
            ),
        )
        category_id = management.category_choices()[0][0]
        product, variant = management.create_product(
            cooperative.id,
            owner.id,
            management.ProductData(
                category_id=category_id,
                name=PRODUCT,
                description="Getuk lindri warna-warni dengan kelapa parut.",
                unit="kotak",
                weight_grams=300,
                min_order_qty=1,
                pirt_number="206351601010199",
            ),
            management.VariantData(sku="GTK-E2E-1", price=18_000),
        )
        stock.restock(variant.id, 12, actor_id=owner.id)
        product.status = ProductStatus.ACTIVE  # ready: it shows once the cooperative may sell
        db.session.commit()


def search(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.path("/products?q=getuk+lindri+peramban"))


def test_the_administrator_approves_suspends_and_downloads_the_dashboard(
    live_server: LiveServer, page: Page, page_events: PageEvents, tmp_path: Path
) -> None:
    pending_cooperative_with_a_ready_product(live_server)
    results = page.locator(".listing__results")

    # Not in the catalogue while the application waits.
    search(page, live_server)
    expect(results.get_by_text(PRODUCT)).to_have_count(0)

    page.goto(live_server.path("/account/login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill("admin@demo.test")
    form.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Masuk", exact=True).click()

    # The queue, the application's legal data, the decision.
    page.locator("#main-nav").get_by_role("link", name="Admin Kota").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dasbor program OPOP")
    workspace = page.get_by_role("navigation", name="Menu admin kota")
    workspace.get_by_role("link", name="Koperasi").click()
    page.get_by_role("link", name=COOPERATIVE).click()
    expect(page.get_by_text("9120007654321")).to_be_visible()  # its NIB
    page.get_by_label("Pesan untuk koperasi (boleh kosong)").first.fill("Selamat bergabung.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_role("status")).to_contain_text("Koperasi disetujui")

    # Its product is in the catalogue now.
    search(page, live_server)
    results.get_by_role("link", name=re.compile(PRODUCT)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)

    # Suspended: it disappears at once.
    page.goto(live_server.path("/admin/cooperatives?status=approved"))
    page.get_by_role("link", name=COOPERATIVE).click()
    page.get_by_label("Alasan (wajib)").fill("Pemeriksaan izin usaha.")
    page.get_by_role("button", name="Hentikan sementara").click()
    expect(page.get_by_role("status")).to_contain_text("Toko dihentikan sementara")
    search(page, live_server)
    expect(results.get_by_text(PRODUCT)).to_have_count(0)

    # The dashboard, and a table downloaded as CSV.
    page.goto(live_server.path("/admin/"))
    section = page.get_by_role("region", name="Penjualan umum per koperasi")
    expect(section.get_by_role("img", name="Penjualan umum per koperasi")).to_be_visible()
    with page.expect_download() as download:
        section.get_by_role("link", name=re.compile(r"^Unduh CSV")).click()
    saved = tmp_path / "koperasi.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Koperasi", "Percontohan", "Pesanan", "Penjualan (Rp)"]
    names = {row[0]: row for row in rows[1:]}
    assert names[COOPERATIVE] == [COOPERATIVE, "Tidak", "0", "0"]  # suspended, no sales yet
    assert "Koppontren Al-Hikmah" in names  # a demo cooperative, with its demo orders
    assert all(row[3].isdigit() for row in rows[1:])  # whole rupiah, no formatting
    page_events.assert_clean()
