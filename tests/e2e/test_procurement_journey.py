"""The procurement journey in the browser with the demo agency accounts: a request charged to a
budget line, the quotation of the demo's PKP cooperative with a valid PP 55 certificate, a
counter-offer, approval (committing the line), the Surat Pesanan accepted, a partial delivery,
the BAST, the invoice with its faktur pajak (the PDF downloaded and read back: PPN collected,
PPh 22 0.5% final) and the payment, which the budget line shows realised."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.cooperatives.models import Cooperative
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.procurement import budget_lines, tax
from marketplace.procurement.common import today
from marketplace.procurement.models import BudgetLine
from marketplace.procurement.settings import ProcurementSettings
from tests.e2e.conftest import LiveServer, PageEvents

pytestmark = pytest.mark.slow

#: PKP, with a PP 55/2022 certificate valid until 2028.
COOPERATIVE = "Koppontren Miftahul Ulum"
PRODUCT = "Kain Batik Tulis Motif Surya Majapahit"
COOPERATIVE_OWNER = "koperasi4@demo.test"
#: The demo agency's budget line for souvenirs and guests' gifts.
ACCOUNT = "5.1.02.01.01.0064"


def log_in(page: Page, live: LiveServer, email: str) -> None:
    page.context.clear_cookies()
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    expect(page.locator("#main-nav")).to_contain_text("Pengadaan")


def open_work(page: Page, live: LiveServer, section: str, reference: str) -> None:
    """Open an item of the worklist section ``section`` whose reference is ``reference``."""
    page.goto(live.path("/procurement/"))
    page.locator(f'[data-section="{section}"]').get_by_role(
        "link", name=re.compile(re.escape(reference))
    ).click()


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, (pattern, text)
    return match.group(0)


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"[ \t]+", " ", result.stdout.decode("utf-8"))


def test_a_procurement_from_request_to_payment(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    with live_server.app.test_request_context():
        delivery_date = (today() + timedelta(days=10)).isoformat()
        today_iso = today().isoformat()
        line = db.session.scalars(
            select(BudgetLine).where(
                BudgetLine.account_code == ACCOUNT, BudgetLine.year == today().year
            )
        ).one()
        line_id, line_label = line.id, line.label
        realised_before = budget_lines.figures(line).realised

    # The pejabat pengadaan drafts the request and adds a catalogue product.
    log_in(page, live_server, "pengadaan@demo.test")
    page.goto(live_server.path("/procurement/requests/new"))
    form = page.locator("main form")
    form.get_by_label("Judul permintaan").fill("Keripik untuk bingkisan tamu rapat kerja")
    form.get_by_label("Kode RUP").fill("45129901")
    form.get_by_label("Rekening belanja (DPA)").select_option(str(line_id))
    form.get_by_label("HPS/pagu (termasuk PPN)").fill("3.500.000")
    form.get_by_label("Tanggal pengiriman").fill(delivery_date)
    form.get_by_label("Alamat pengiriman").fill("Bagian Umum Setda, Jl. Gajah Mada No. 145")
    form.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("status")).to_contain_text("disimpan")
    request_number = found(r"PMT-\d{4}-\d{6}", page.locator("h1").inner_text())

    search = page.get_by_role("search", name="Cari di katalog")
    search.get_by_label("Nama produk").fill("Surya Majapahit")
    search.get_by_role("button", name="Cari").click()
    choice = page.locator("form.catalogue-choice").filter(has_text=PRODUCT)
    choice.get_by_label(f"Jumlah {PRODUCT}").fill("10")
    choice.get_by_role("button", name="Tambahkan").click()
    expect(page.get_by_role("status")).to_contain_text(f"{COOPERATIVE} ditambahkan")
    expect(page.locator("main")).to_contain_text(line_label)
    page.get_by_role("button", name="Kirim ke koperasi").click()
    expect(page.get_by_text("Dikirim ke koperasi", exact=True)).to_be_visible()

    # The cooperative's owner quotes; the catalogue price is the starting point.
    log_in(page, live_server, COOPERATIVE_OWNER)
    expect(page.locator(".nav-notifications .nav-count")).not_to_have_text("0")
    open_work(page, live_server, "to_quote", request_number)
    price = page.get_by_label(re.compile(rf"^Harga satuan {PRODUCT}"))
    expect(price).to_have_value("225.000")
    page.get_by_label("Tanggal pengiriman yang disanggupi").fill(delivery_date)
    page.get_by_label("Pesan (boleh dikosongkan)").fill("Stok siap, dikirim bertahap.")
    page.get_by_role("button", name="Kirim penawaran").click()
    expect(page.get_by_role("status")).to_contain_text("Penawaran dikirim")

    # The officer counter-offers line by line.
    log_in(page, live_server, "pengadaan@demo.test")
    open_work(page, live_server, "to_answer", request_number)
    page.get_by_label(re.compile(rf"^Harga satuan {PRODUCT}")).fill("215.000")
    page.get_by_label("Pesan (boleh dikosongkan)").fill("Mohon harga Rp215.000 per lembar.")
    page.get_by_role("button", name="Kirim tawaran balik").click()
    expect(page.get_by_role("status")).to_contain_text("Tawaran balik dikirim")

    # The cooperative accepts the counter-offer; the officer forwards it to the PPK.
    log_in(page, live_server, COOPERATIVE_OWNER)
    open_work(page, live_server, "to_answer", request_number)
    expect(page.locator("table.rounds")).to_contain_text("Rp215.000")
    page.get_by_role("button", name="Terima tawaran balik").click()
    log_in(page, live_server, "pengadaan@demo.test")
    open_work(page, live_server, "to_forward", request_number)
    page.get_by_role("button", name="Teruskan ke PPK").click()
    expect(page.get_by_role("status")).to_contain_text("Diteruskan ke PPK")

    # The PPK approves: the Surat Pesanan is issued.
    log_in(page, live_server, "ppk@demo.test")
    open_work(page, live_server, "to_approve", request_number)
    page.get_by_role("button", name="Setujui dan terbitkan Surat Pesanan").click()
    expect(page).to_have_url(re.compile(r"/procurement/orders/\d+$"))
    order_number = found(r"SP-\d{4}-\d{6}", page.locator("h1").inner_text())
    # 10 × Rp215.000 and PPN 11% (12% × 11/12): Rp2.386.500, charged to the line.
    expect(page.locator("main")).to_contain_text("Rp2.386.500")
    expect(page.locator("main")).to_contain_text(line_label)

    # The cooperative accepts it and delivers part of it.
    log_in(page, live_server, COOPERATIVE_OWNER)
    open_work(page, live_server, "to_accept", order_number)
    page.get_by_role("button", name="Terima Surat Pesanan").click()
    expect(page.get_by_role("status")).to_contain_text("Surat Pesanan diterima")
    page.get_by_label(re.compile(rf"^Jumlah {PRODUCT}.* dikirim")).fill("6")
    page.get_by_label("Nama pengantar (boleh dikosongkan)").fill("Pak Slamet")
    page.get_by_role("button", name="Simpan pengiriman").click()
    expect(page.get_by_role("status")).to_contain_text("surat jalan SJ-")
    note_number = found(r"SJ-\d{4}-\d{6}", page.get_by_role("status").inner_text())

    # The receiver inspects the delivery: the BAST is issued.
    log_in(page, live_server, "penerima@demo.test")
    open_work(page, live_server, "to_inspect", note_number)
    expect(page.get_by_label(re.compile(r"jumlah diterima \(dari 6 dikirim\)"))).to_have_value("6")
    page.get_by_role("button", name="Simpan pemeriksaan dan terbitkan BAST").click()
    expect(page.get_by_role("status")).to_contain_text("BAST")
    bast_number = found(r"BAST-\d{4}-\d{6}", page.get_by_role("status").inner_text())
    expect(page.locator("main")).to_contain_text("Diterima sebagian")

    # The cooperative invoices the BAST and downloads the invoice PDF.
    log_in(page, live_server, COOPERATIVE_OWNER)
    open_work(page, live_server, "to_invoice", bast_number)
    page.get_by_role("button", name=f"Terbitkan invoice untuk {bast_number}").click()
    expect(page.get_by_role("status")).to_contain_text("Invoice INV-")
    invoice_number = found(r"INV-\d{4}-\d{6}", page.get_by_role("status").inner_text())
    # A PKP cooperative: its faktur pajak, recorded with the invoice.
    page.get_by_label("Nomor faktur pajak").fill("04002600000000991")
    page.get_by_label("Tanggal faktur pajak").fill(today_iso)
    page.get_by_role("button", name="Simpan faktur pajak").click()
    expect(page.locator("main")).to_contain_text("Faktur pajak 04002600000000991")
    page.locator("article.delivery").filter(has_text=bast_number).get_by_role(
        "link", name="Invoice/kuitansi"
    ).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh PDF").click()
    download = download_info.value
    # The faktur pajak recorded after issue is printed on the invoice's second version.
    assert download.suggested_filename == f"{invoice_number}-v2.pdf"
    with open(download.path(), "rb") as file:
        text = pdf_text(file.read())
    with live_server.app.app_context():
        cooperative = db.session.query(Cooperative).filter_by(name=COOPERATIVE).one()
        expected = tax.calculate_invoice(
            [tax.InvoiceLine(6, 215_000)],
            is_pkp=cooperative.is_pkp,
            pp55_certificate_valid=cooperative.has_valid_pp55(today()),
            order_total_excluding_ppn=2_150_000,
            settings=ProcurementSettings.from_mapping(live_server.app.config),
        )
    assert cooperative.is_pkp and expected.pph22_final  # the demo's PKP + PP 55 cooperative
    assert "INVOICE / KUITANSI" in text and order_number in text
    assert "Rp1.290.000" in text
    assert f"PPh 22 {expected.pph22_rate_label}" in text  # judged on the whole order
    assert expected.pph22 == 6_450 and expected.ppn == 141_900 == expected.ppn_collected
    assert f"Rp{expected.payable:,}".replace(",", ".") in text
    assert "04002600000000991" in text
    assert expected.total_in_words in " ".join(text.split())

    # The treasurer records the payment.
    log_in(page, live_server, "bendahara@demo.test")
    open_work(page, live_server, "to_pay", invoice_number)
    page.get_by_label("Nomor SP2D atau nomor transaksi kartu").fill("SP2D-00991/BU/2026")
    page.get_by_label("Nomor bukti potong PPh 22").fill("BP22-00991")
    page.get_by_role("button", name="Simpan pembayaran").click()
    expect(page.get_by_role("status")).to_contain_text("Pembayaran dicatat")
    expect(page.locator("main")).to_contain_text("Lunas")

    # The cooperative sees what it received and what was withheld.
    log_in(page, live_server, COOPERATIVE_OWNER)
    page.goto(live_server.path("/procurement/cooperative/payments"))
    row = page.locator("main table tbody tr").filter(has_text=invoice_number)
    expect(row).to_contain_text("BP22-00991")
    expect(row).to_contain_text(f"Rp{expected.payable:,}".replace(",", "."))

    # The PPK sees the order on its budget line, and the invoice paid realised on it.
    log_in(page, live_server, "ppk@demo.test")
    page.goto(live_server.path("/procurement/budget-lines"))
    page.get_by_role("link", name=ACCOUNT).click()
    order_row = page.locator("main table tbody tr").filter(has_text=order_number)
    expect(order_row).to_contain_text("Rp2.386.500")
    with live_server.app.test_request_context():
        realised = budget_lines.figures(db.session.get(BudgetLine, line_id)).realised
    assert realised - realised_before == expected.total
    expect(page.locator("main dl")).to_contain_text(f"Rp{realised:,}".replace(",", "."))

    page_events.assert_clean()
