"""The city's payout page with Xendit on, at 360×740 and on a desktop, in both languages, with
axe: a cooperative to pay (the amount field and "pay through Xendit"), one whose account is on
hold, a payout waiting for a second administrator, one sent without an answer (send again), and
the statement showing a payout's Xendit id. (The phone walk of every page runs with Xendit off,
where the page shows the manual path only.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.payments import payouts
from tests.e2e.conftest import LiveServer, serve_app
from tests.factories import UserFactory
from tests.payments.test_payouts import bca_cooperative, sold
from tests.xendit_fake import FakeXendit

pytestmark = pytest.mark.slow

ADMIN = "admin@demo.test"


@pytest.fixture(scope="module")
def payout_server(
    tmp_path_factory: pytest.TempPathFactory, fake_xendit: FakeXendit
) -> Iterator[tuple[LiveServer, int, int]]:
    with (
        serve_app(
            tmp_path_factory.mktemp("e2e-payouts"),
            **fake_xendit.settings(),
            PAYOUT_APPROVAL_THRESHOLD=100_000,
        ) as live,
        live.app.test_request_context(),
    ):
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        assert admin is not None
        other = UserFactory(is_city_admin=True)
        paid = bca_cooperative(name="Koperasi Pembayaran Panjang Namanya Sekali")
        sold(paid, 2_500_000)
        sent = payouts.start_payout(other, paid.id, 50_000)
        payouts.send_payout(sent.id)
        payouts.start_payout(other, paid.id, 1_250_000)  # waits for approval
        unanswered = payouts.start_payout(other, paid.id, 20_000)  # never sent
        assert unanswered.gateway_id is None
        held = bca_cooperative(name="Koperasi Rekening Baru")
        sold(held, 75_000)
        held.bank_account_changed_at = clock.now()
        db.session.commit()
        yield live, paid.id, held.id


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_payout_page_fits_a_phone_and_passes_axe(
    payout_server: tuple[LiveServer, int, int], browser: Browser, language: str
) -> None:
    from tests.e2e.test_accessibility import describe, open_page, sign_in, violations
    from tests.e2e.test_phone_overflow import measure

    live, cooperative_id, held_id = payout_server
    problems = {}
    for viewport in ("phone", "desktop"):
        page = open_page(browser, viewport, language)
        try:
            sign_in(page, live, ADMIN, language)
            for path in (
                f"/admin/payments/payouts/?lang={language}",
                f"/admin/payments/cooperatives/{cooperative_id}/statement?lang={language}",
            ):
                page.goto(live.path(path))
                assert page.locator("html").get_attribute("lang") == language
                found = violations(page)
                if found:
                    problems[f"{viewport} {path} axe"] = describe(found)
                fits = measure(page)
                if not fits.fits:
                    problems[f"{viewport} {path} width"] = str(fits)
            page.goto(live.path(f"/admin/payments/payouts/?lang={language}"))
            pay = "Bayar lewat Xendit" if language == "id" else "Pay through Xendit"
            paid_row = page.locator(f"#cooperative-{cooperative_id}")
            expect(paid_row.get_by_role("button", name=pay)).to_have_count(1)
            expect(page.locator(f"#cooperative-{held_id}").get_by_role("button")).to_have_count(0)
        finally:
            page.context.close()
    assert not problems, "\n\n".join(f"{key}:\n{text}" for key, text in problems.items())
