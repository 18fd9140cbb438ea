"""The demo shopper pays a cart from two cooperatives at once by QRIS: checkout offers QRIS first,
placing the order shows our own page with the QR code, the fake Xendit is told the shopper paid
(its test-mode simulation, which posts the ``payment.succeeded`` callback to the live server),
and the page, polling by itself, says the payment arrived; both parts are paid. Once one
cooperative has handed its part over, the city pays it out through Xendit's Payout API and its
statement shows the payout.

The live server has Xendit on, pointing the official library at the fake (XENDIT_API_BASE). The
QRIS page is also measured at 360×740 and on a desktop, in both languages, with axe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.cart import services as cart_services
from marketplace.catalogue.models import Product
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments import xendit_gateway
from marketplace.payments.models import Payment
from tests.e2e.conftest import LiveServer, PageEvents, serve_app
from tests.xendit_fake import FakeXendit

pytestmark = pytest.mark.slow

SHOPPER_EMAIL = "pembeli@demo.test"
#: One product of each of two cooperatives.
PRODUCTS = ("keripik-tempe-original-al-hikmah", "sambal-ijo-khas-pesantren-nurul-huda")


@pytest.fixture(scope="module")
def qris_server(
    tmp_path_factory: pytest.TempPathFactory, fake_xendit: FakeXendit
) -> Iterator[LiveServer]:
    with serve_app(
        tmp_path_factory.mktemp("e2e-qris"),
        **fake_xendit.settings(),
    ) as live:
        yield live


def _fill_cart(live: LiveServer) -> list[str]:
    """The demo shopper's cart: one of each product (names of their cooperatives)."""
    with live.app.test_request_context():
        shopper = db.session.scalar(select(User).where(User.email == SHOPPER_EMAIL))
        assert shopper is not None
        cart = cart_services.user_cart(shopper)
        names = []
        for slug in PRODUCTS:
            product = db.session.scalar(select(Product).where(Product.slug == slug))
            assert product is not None
            cart_services.add_item(cart, product.variants[0].id, product.min_order_qty)
            names.append(product.cooperative.name)
        db.session.commit()
        return names


def _log_in(page: Page, live: LiveServer, email: str = SHOPPER_EMAIL) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


def _order(live: LiveServer, number: str) -> tuple[Order, Payment]:
    with live.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        assert payment is not None
        db.session.expunge_all()
        return order, payment


def _place_by_qris(page: Page, live: LiveServer, cooperatives: list[str]) -> str:
    return _place_by(page, live, cooperatives, "QRIS (semua e-wallet dan m-banking)")


def _place_by(page: Page, live: LiveServer, cooperatives: list[str], method: str) -> str:
    page.goto(live.path("/checkout?lang=id"))
    methods = page.get_by_role("group", name="Metode pembayaran").get_by_role("radio")
    expect(methods.first).to_have_accessible_name("QRIS (semua e-wallet dan m-banking)")
    for name in cooperatives:
        page.get_by_role("group", name=f"Pengiriman dari {name}").get_by_role(
            "radio", name=re.compile("^Ambil sendiri")
        ).check()
    methods.and_(page.get_by_role("radio", name=method, exact=True)).check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page).to_have_url(re.compile(r"/orders/OPOP-\d{4}-\d{6}/payment/online$"))
    found = re.search(r"/orders/(OPOP-\d{4}-\d{6})/", page.url)
    assert found
    return found.group(1)


def test_the_demo_shopper_pays_a_two_cooperative_cart_by_qris_and_the_city_pays_one_out(
    qris_server: LiveServer, fake_xendit: FakeXendit, page: Page, page_events: PageEvents
) -> None:
    live = qris_server
    fake_xendit.callback_url = live.path("/payments/xendit/callback")
    cooperatives = _fill_cart(live)
    _log_in(page, live)
    number = _place_by_qris(page, live, cooperatives)

    # Our own page: the QR code, the amount, the deadline in WIB, how to pay.
    expect(page.get_by_role("img", name="Kode QRIS")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("WIB")
    expect(main).to_contain_text("pindai kode QR")
    status = page.get_by_role("status").filter(has_text="Menunggu pembayaran")
    expect(status).to_be_visible()
    order, payment = _order(live, number)
    assert payment.amount == order.grand_total
    assert len(fake_xendit.calls("POST", "/payment_requests")) == 1

    # The shopper pays in their app: Xendit (the fake's test mode) posts the callback.
    with live.app.test_request_context():
        xendit_gateway.simulate_payment(payment.provider_reference or "")
    fake_xendit.settle()
    assert fake_xendit.deliveries[-1][0] == 200, fake_xendit.deliveries

    # The page notices by itself (polling), with no reload by the test.
    expect(page.locator("#payment-status")).to_contain_text("Pembayaran diterima", timeout=15_000)
    page.goto(live.path(f"/orders/{number}"))
    parts = page.locator("section.order-part")
    expect(parts).to_have_count(2)
    for index in range(2):
        expect(parts.nth(index).locator(".status")).to_have_text("Sudah dibayar")
    with live.app.app_context():
        states = db.session.scalars(select(Order).where(Order.number == number)).one().vendor_orders
        assert {vo.status for vo in states} == {VendorOrderStatus.PAID}
        assert db.session.scalar(select(Order.payment_method).where(Order.number == number)) == (
            PaymentMethod.QRIS
        )
    # Reopening the page made no second payment request.
    created = [c for c in fake_xendit.calls("POST", "/payment_requests") if c.path.count("/") == 1]
    assert len(created) == 1
    page_events.assert_clean()

    # Al-Hikmah hands its part over and the shopper confirms receipt: its money is available.
    cooperative_id = _complete_part(live, number, cooperatives[0])
    # The city pays Al-Hikmah out through Xendit, and its statement shows the payout.
    admin = page.context.browser.new_context()  # type: ignore[union-attr]
    city = admin.new_page()
    try:
        _log_in(city, live, "admin@demo.test")
        city.goto(live.path("/admin/payments/payouts/"))
        row = city.locator(f"#cooperative-{cooperative_id}")
        expect(row).to_contain_text(cooperatives[0])
        row.get_by_role("button", name="Bayar lewat Xendit").click()
        fake_xendit.settle()
        (payout,) = fake_xendit.payouts.values()
        assert payout["channel_code"] == "ID_BSI"
        assert fake_xendit.deliver(fake_xendit.payout_settled(payout["id"]))[-1][0] == 200
        city.goto(live.path(f"/admin/payments/cooperatives/{cooperative_id}/statement"))
        statement = city.locator("main")
        expect(statement).to_contain_text(payout["id"])
        expect(statement).to_contain_text(payout["reference_id"])
    finally:
        admin.close()
    with live.app.app_context():
        from marketplace.payments import settlement

        assert settlement.balance(cooperative_id) == 0


def _complete_part(live: LiveServer, number: str, cooperative_name: str) -> int:
    """The cooperative accepts, readies and hands over its part; the shopper confirms receipt,
    and the days the shopper may complain pass (until then the money stays held). Returns the
    cooperative's id."""
    from marketplace import clock
    from marketplace.cooperatives.models import Cooperative, CooperativeMember
    from marketplace.orders import moves

    with live.app.test_request_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        part = next(vo for vo in order.vendor_orders if vo.cooperative.name == cooperative_name)
        cooperative = db.session.get(Cooperative, part.cooperative_id)
        assert cooperative is not None
        member = db.session.scalars(
            select(CooperativeMember).where(CooperativeMember.cooperative_id == cooperative.id)
        ).first()
        assert member is not None
        moves.accept_vendor_order(member.user, part.id)
        moves.mark_ready_for_pickup(member.user, part.id)
        moves.mark_delivered(member.user, part.id)
        assert moves.confirm_receipt(order.user, number, part.id)
        days = live.app.config["ORDER_COMPLAINT_DAYS"] + 1
        part.delivered_at = clock.now() - timedelta(days=days)
        db.session.commit()
        return cooperative.id


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_qris_page_fits_a_phone_and_has_no_serious_accessibility_violations(
    qris_server: LiveServer, fake_xendit: FakeXendit, browser: Browser, language: str
) -> None:
    from tests.e2e.test_accessibility import describe, open_page, violations
    from tests.e2e.test_phone_overflow import measure

    live = qris_server
    cooperatives = _fill_cart(live)
    number = ""
    problems = {}
    for viewport in ("phone", "desktop"):
        page = open_page(browser, viewport, language)
        try:
            _log_in(page, live)
            if not number:
                page.goto(live.path("/?lang=id"))
                number = _place_by_qris(page, live, cooperatives)
            page.goto(live.path(f"/orders/{number}/payment/online?lang={language}"))
            assert page.locator("html").get_attribute("lang") == language
            expect(page.locator(".qr-code")).to_be_visible()
            found = violations(page)
            if found:
                problems[f"{viewport} axe"] = describe(found)
            fits = measure(page)
            if not fits.fits:
                problems[f"{viewport} width"] = str(fits)
        finally:
            page.context.close()
    assert not problems, "\n\n".join(f"{key}:\n{text}" for key, text in problems.items())


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_virtual_account_and_ewallet_pages_fit_a_phone_and_pass_axe(
    qris_server: LiveServer, fake_xendit: FakeXendit, browser: Browser, language: str
) -> None:
    """The bank and e-wallet choices, and a VA number with the bank's steps, at 360×740 and on
    a desktop."""
    from tests.e2e.test_accessibility import describe, open_page, violations
    from tests.e2e.test_phone_overflow import measure

    live = qris_server
    problems = {}
    orders: dict[str, str] = {}
    for viewport in ("phone", "desktop"):
        page = open_page(browser, viewport, language)
        try:
            _log_in(page, live)
            for method in ("Virtual account bank", "E-wallet"):
                if method not in orders:
                    orders[method] = _place_by(page, live, _fill_cart(live), method)
                page.goto(live.path(f"/orders/{orders[method]}/payment/online?lang={language}"))
                assert page.locator("html").get_attribute("lang") == language
                if (
                    method == "Virtual account bank"
                    and not page.locator(".online-pay__number").count()
                ):
                    page.get_by_role("button", name="BCA", exact=True).click()
                    expect(page.locator(".online-pay__number")).to_be_visible()
                if method == "E-wallet":
                    expect(page.get_by_role("button", name="DANA", exact=True)).to_be_visible()
                for what, found in (("axe", violations(page)), ("width", measure(page))):
                    if what == "axe" and found:
                        problems[f"{viewport} {method} axe"] = describe(found)
                    if what == "width" and not found.fits:
                        problems[f"{viewport} {method} width"] = str(found)
        finally:
            page.context.close()
    assert not problems, "\n\n".join(f"{key}:\n{text}" for key, text in problems.items())
