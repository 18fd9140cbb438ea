"""The demo shopper pays an order by card: Stripe's hosted page is the fake server's test page,
whose "Bayar" button completes the session and posts the signed webhook before sending the
browser back; the order is then paid.

The live server here has card payments on, pointing the real `stripe` library at the fake
Stripe (STRIPE_API_BASE) and allowing its origin in the CSP's form-action
(STRIPE_CHECKOUT_ORIGIN), exactly as production allows https://checkout.stripe.com.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents, serve_app
from tests.stripe_fake import FakeStripe

pytestmark = pytest.mark.slow

SHOPPER_EMAIL = "pembeli@demo.test"
CHIPS_COOPERATIVE_SLUG = "koppontren-al-hikmah"
CHIPS_COOPERATIVE = "Koppontren Al-Hikmah"
CHIPS = "Keripik Tempe Original 100 g"


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def card_server(
    tmp_path_factory: pytest.TempPathFactory, fake_stripe: FakeStripe
) -> Iterator[LiveServer]:
    with serve_app(
        tmp_path_factory.mktemp("e2e-card"),
        STRIPE_SECRET_KEY=fake_stripe.secret_key,
        STRIPE_WEBHOOK_SECRET=fake_stripe.webhook_secret,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_CHECKOUT_ORIGIN=fake_stripe.url,
        STRIPE_TIMEOUT_SECONDS=10.0,
    ) as live:
        fake_stripe.webhook_url = live.path("/payments/stripe/webhook")
        yield live


def test_the_demo_shopper_pays_an_order_by_card_and_sees_it_paid(
    card_server: LiveServer, fake_stripe: FakeStripe, page: Page, page_events: PageEvents
) -> None:
    live = card_server
    page.goto(live.path("/account/login?lang=id"))
    login = page.locator("main form")
    login.get_by_label("Email").fill(SHOPPER_EMAIL)
    login.get_by_label("Kata sandi", exact=True).fill(DEMO_PASSWORD)
    login.get_by_role("button", name="Masuk").click()

    page.goto(live.path(f"/cooperatives/{CHIPS_COOPERATIVE_SLUG}"))
    card = page.locator("article.product-card").filter(
        has=page.get_by_role("heading", name=CHIPS, exact=True)
    )
    card.get_by_role("button", name=re.compile("^Tambah ke keranjang")).click()
    expect(page.get_by_role("status")).to_contain_text(CHIPS)

    page.goto(live.path("/checkout"))
    page.get_by_role("group", name=f"Pengiriman dari {CHIPS_COOPERATIVE}").get_by_role(
        "radio", name=re.compile("^Ambil sendiri")
    ).check()
    page.get_by_role("group", name="Metode pembayaran").get_by_role(
        "radio", name="Kartu kredit/debit"
    ).check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}$"))
    order_url = page.url
    part = page.locator("section.order-part")
    expect(part.get_by_text("Menunggu pembayaran", exact=True)).to_be_visible()

    # The order page sends the shopper to Stripe (here: the fake's hosted test page).
    page.get_by_role("button", name="Bayar dengan kartu").click()
    expect(page).to_have_url(re.compile(re.escape(fake_stripe.url) + r"/pay/cs_test_\w+$"))
    expect(page.get_by_role("heading", name="Fake Stripe Checkout")).to_be_visible()
    page.get_by_role("button", name="Bayar").click()

    # Back on the site: the signed webhook already marked the order paid.
    expect(page).to_have_url(re.compile(r"/payment/card/return\?session_id=cs_test_\w+$"))
    expect(page.get_by_role("status")).to_contain_text("Pembayaran diterima.")
    assert fake_stripe.deliveries and fake_stripe.deliveries[-1][0] == 200

    page.goto(order_url)
    expect(part.locator(".status")).to_have_text("Sudah dibayar")
    expect(part.locator("ol.timeline li")).to_have_count(2)
    expect(page.get_by_role("button", name="Bayar dengan kartu")).to_have_count(0)

    page_events.assert_clean()


def _log_in(page: Page, live: LiveServer, email: str) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


def _transfer_waiting_for_review(live: LiveServer) -> tuple[str, int, str]:
    """A bank-transfer order of the demo shopper at koperasi1's cooperative, with a proof sent:
    (order number, payment id, the cooperative member's email)."""
    import io

    from PIL import Image
    from sqlalchemy import select

    from marketplace.accounts.models import User
    from marketplace.catalogue.models import ProductVariant
    from marketplace.cooperatives.models import CooperativeMember
    from marketplace.extensions import db
    from marketplace.orders.models import PaymentMethod
    from marketplace.payments import transfers
    from tests.shopping import place

    member_email = "koperasi1@demo.test"
    with live.app.test_request_context():
        shopper = db.session.scalar(select(User).where(User.email == SHOPPER_EMAIL))
        cooperative_id = db.session.scalar(
            select(CooperativeMember.cooperative_id)
            .join(CooperativeMember.user)
            .where(User.email == member_email)
        )
        variant = db.session.scalars(
            select(ProductVariant)
            .where(
                ProductVariant.cooperative_id == cooperative_id,
                ProductVariant.on_hand - ProductVariant.reserved > 0,
            )
            .order_by(ProductVariant.id)
        ).first()
        assert shopper is not None and variant is not None
        order = place(shopper, (variant, 1), payment=PaymentMethod.BANK_TRANSFER)
        buffer = io.BytesIO()
        Image.new("RGB", (300, 200), (240, 240, 240)).save(buffer, "PNG")
        payment = transfers.submit_transfer_proof(
            shopper, order.number or "", order.vendor_orders[0].id, buffer.getvalue()
        )
        db.session.commit()
        return order.number or "", payment.id, member_email


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_payment_pages_have_no_serious_accessibility_violations(
    card_server: LiveServer, browser: Browser, language: str
) -> None:
    from tests.e2e.test_accessibility import describe, open_page, violations

    number, payment_id, member_email = _transfer_waiting_for_review(card_server)
    pages = {
        SHOPPER_EMAIL: [f"/orders/{number}", f"/orders/{number}/payment"],
        member_email: [
            "/vendor/transfers/",
            f"/vendor/transfers/{payment_id}",
            "/vendor/statement",
        ],
        "admin@demo.test": [
            "/admin/payments/",
            f"/admin/payments/transfers/{payment_id}",
            "/admin/payments/payouts/new",
            f"/admin/payments/orders/{number}",
        ],
    }
    problems = {}
    for email, paths in pages.items():
        page = open_page(browser, "desktop", language)
        try:
            _log_in(page, card_server, email)
            for path in paths:
                page.goto(card_server.path(path))
                found = violations(page)
                if found:
                    problems[f"{email} {path}"] = describe(found)
        finally:
            page.context.close()
    assert not problems, "\n\n".join(f"{path}:\n{text}" for path, text in problems.items())
