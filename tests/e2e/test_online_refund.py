"""A part paid by virtual account and then cancelled: the shopper is asked for a bank account on
the order and payment pages, gives it in the browser, and the refund goes out as a payout
through the fake Xendit. The pages are measured at 360×740 and on a desktop, in both languages,
with axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order
from marketplace.payments.models import Payment, Refund, RefundMethod
from tests.e2e.conftest import LiveServer, serve_app
from tests.e2e.test_qris_payment import SHOPPER_EMAIL, _fill_cart, _log_in, _place_by
from tests.xendit_fake import FakeXendit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def refund_server(
    tmp_path_factory: pytest.TempPathFactory, fake_xendit: FakeXendit
) -> Iterator[LiveServer]:
    with serve_app(
        tmp_path_factory.mktemp("e2e-refund"),
        **fake_xendit.settings(),
    ) as live:
        yield live


def _paid_then_cancelled(live: LiveServer, fake: FakeXendit, number: str) -> int:
    """The order's VA is paid (the callback posted to the live server), then the shopper
    cancels its first part: the refund's id."""
    with live.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        request_id = db.session.scalar(
            select(Payment.provider_reference).where(Payment.order_id == order.id)
        )
    fake.callback_url = live.path("/payments/xendit/callback")
    assert fake.deliver(fake.payment_succeeded(request_id or ""))[0][0] == 200
    with live.app.test_request_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        shopper = db.session.scalar(select(User).where(User.email == SHOPPER_EMAIL))
        assert order is not None and shopper is not None
        order_moves.cancel_by_shopper(shopper, number, order.vendor_orders[0].id, "Salah pilih")
        db.session.commit()
        refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
        assert refund is not None and refund.method == RefundMethod.PAYOUT
        return refund.id


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_shopper_gives_a_bank_account_for_a_refund_on_a_phone(
    refund_server: LiveServer, fake_xendit: FakeXendit, browser: Browser, language: str
) -> None:
    from tests.e2e.test_accessibility import describe, open_page, violations
    from tests.e2e.test_phone_overflow import measure

    live = refund_server
    problems = {}
    number = ""
    refund_id = 0
    for viewport in ("phone", "desktop"):
        page = open_page(browser, viewport, language)
        try:
            _log_in(page, live)
            if not number:
                number = _place_by(page, live, _fill_cart(live), "Virtual account bank")
                page.get_by_role("button", name="BCA", exact=True).click()
                expect(page.locator(".online-pay__number")).to_be_visible()
                refund_id = _paid_then_cancelled(live, fake_xendit, number)
            for path in (f"/orders/{number}", f"/orders/{number}/payment"):
                page.goto(live.path(f"{path}?lang={language}"))
                assert page.locator("html").get_attribute("lang") == language
                expect(page.locator("main")).to_contain_text(
                    "Menunggu rekening bank Anda"
                    if language == "id"
                    else "Waiting for your bank account"
                )
                found = violations(page)
                if found:
                    problems[f"{viewport} {path} axe"] = describe(found)
                fits = measure(page)
                if not fits.fits:
                    problems[f"{viewport} {path} width"] = str(fits)
        finally:
            page.context.close()
    assert not problems, "\n\n".join(f"{key}:\n{text}" for key, text in problems.items())

    # On the phone, the shopper fills the form; the payout goes out once.
    page = open_page(browser, "phone", language)
    try:
        _log_in(page, live)
        page.goto(live.path(f"/orders/{number}/payment?lang={language}"))
        form = page.locator(f"#refund-{refund_id} form")
        form.locator("select").select_option("ID_BCA")
        form.locator(f"input[name='refund{refund_id}-account_number']").fill("1234567890")
        form.locator(f"input[name='refund{refund_id}-holder']").fill("Siti Pembeli")
        form.locator("button[type=submit]").click()
        expect(page.locator("main")).to_contain_text(
            "Sedang ditransfer ke rekening Anda"
            if language == "id"
            else "Being transferred to your bank account"
        )
        assert measure(page).fits
    finally:
        page.context.close()
    payouts = [
        c
        for c in fake_xendit.calls("POST", "/v2/payouts")
        if c.body["reference_id"].endswith(f"-{refund_id}-0")
    ]
    assert len(payouts) == 1
