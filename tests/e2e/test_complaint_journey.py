"""The complaint journey in a browser, on a phone: the shopper complains about a delivered
part with a photo, the cooperative accepts a partial refund from its workspace, and the
shopper reads the refund's status on the complaint's page, within a 360 px screen and with no
serious accessibility finding on the complaint form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.urls import site_request_context
from tests.e2e.conftest import LiveServer, serve_app
from tests.e2e.test_accessibility import describe, violations
from tests.e2e.test_phone_overflow import measure
from tests.e2e.test_review_journey import sign_in
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.photos import phone_photo
from tests.shopping import place, stocked_variant

pytestmark = pytest.mark.slow

SHOPPER = "pengadu@example.test"
MEMBER = "penanggap@example.test"
PRODUCT = "Keripik Tempe Uji Komplain"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the shop added here would change what other browser tests find."""
    with serve_app(tmp_path_factory.mktemp("e2e-complaints")) as live:
        yield live


def delivered_part(live: LiveServer) -> tuple[str, int]:
    """A new shopper's paid pickup part of three units at Rp10.000, handed over:
    (order number, part id)."""
    with live.app.app_context(), site_request_context():
        shopper = UserFactory(email=SHOPPER)
        variant = stocked_variant(5, price=10_000, product__name=PRODUCT)
        member = CooperativeMemberFactory(
            cooperative=variant.product.cooperative, user=UserFactory(email=MEMBER)
        ).user
        part = place(shopper, (variant, 3)).vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(member, part.id)
        order_moves.mark_ready_for_pickup(member, part.id)
        order_moves.mark_delivered(member, part.id)
        db.session.commit()
        return part.order.number or "", part.id


def test_a_complaint_with_a_partial_refund_to_the_shopper_s_refund_status(
    own_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    number, part_id = delivered_part(own_server)
    photo = tmp_path / "sobek.jpg"
    photo.write_bytes(phone_photo((1200, 900)))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, own_server, SHOPPER)
        page.goto(own_server.path(f"/orders/{number}"))
        page.get_by_role("link", name="Ajukan komplain").click()
        page.wait_for_url(f"**/orders/{number}/complaint/{part_id}/new")
        assert measure(page).fits
        found = violations(page)
        assert not found, describe(found)
        page.get_by_label("Barang rusak").check()
        page.get_by_label(f"Jumlah {PRODUCT} yang dikomplain").fill("2")
        page.get_by_label("Ceritakan masalahnya").fill("Dua bungkus sobek saat diterima.")
        page.get_by_label("Foto (boleh kosong)").set_input_files(str(photo))
        page.get_by_role("button", name="Kirim komplain").click()
        expect(page.get_by_text("Komplain terkirim")).to_be_visible()
        expect(page.get_by_text("Menunggu jawaban koperasi")).to_be_visible()
        assert measure(page).fits
        context.clear_cookies()

        sign_in(page, own_server, MEMBER)
        page.goto(own_server.path("/vendor/"))
        waiting = page.locator("a[data-job='complaints']")
        expect(waiting).to_contain_text("1")
        waiting.click()
        page.get_by_role("link", name=f"Pesanan {number}").click()
        expect(page.get_by_text("Dua bungkus sobek saat diterima.", exact=True)).to_be_visible()
        page.get_by_label("Setujui: kembalikan dana").check()
        page.get_by_label(f"Dana kembali untuk {PRODUCT} (Rp)").fill("12.500")
        page.get_by_label("Pesan untuk pembeli (wajib bila menolak)").fill("Mohon maaf, Kak.")
        page.get_by_role("button", name="Kirim jawaban").click()
        expect(page.get_by_text("Jawaban terkirim ke pembeli.")).to_be_visible()
        assert measure(page).fits
        context.clear_cookies()

        sign_in(page, own_server, SHOPPER)
        page.goto(own_server.path(f"/orders/{number}/complaint/{part_id}"))
        summary = page.locator("main")
        expect(summary).to_contain_text("Diterima: dana dikembalikan")
        expect(summary).to_contain_text("Rp12.500")
        expect(summary).to_contain_text("Sedang diproses")
        assert measure(page).fits
    finally:
        context.close()
