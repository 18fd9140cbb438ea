"""The operations page on a phone: a failed job and a failed email fit 360 px without the page
scrolling sideways, axe finds nothing serious, and Discard and Resend work with CSRF on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.jobs import FailedJob
from marketplace.mail import FAILED, SENT, OutboxEmail
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import describe, open_page, sign_in, violations

pytestmark = pytest.mark.slow

SUBJECT = "Pesanan OPOP-2026-000123 sudah dibayar dan menunggu konfirmasi koperasi"
FUNCTION = "marketplace.procurement.documents:generate_pdf_for_a_rather_long_module_path"


def failed_rows(live_server: LiveServer) -> tuple[int, int]:
    with live_server.app.app_context():
        job = FailedJob(
            job_id="rq-e2e",
            function=FUNCTION,
            arguments=["purchase_order", 1],
            # A traceback's long unbroken line must wrap, not widen the page.
            error="Traceback (most recent call last):\n" + "x" * 400 + "\nRuntimeError: e2e",
        )
        email = OutboxEmail(
            to_address="penerima.dengan.alamat.panjang@kelurahan-mentikan.mojokertokota.go.id",
            subject=SUBJECT,
            body_text="Halo",
            body_html="<p>Halo</p>",
            template="order_paid",
            locale="id",
            status=FAILED,
            attempts=8,
            last_error="SMTPRecipientsRefused: {'" + "a" * 200 + "': (550, b'5.1.1 unknown')}",
        )
        db.session.add_all([job, email])
        db.session.commit()
        return job.id, email.id


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_operations_page_fits_a_phone_and_its_actions_work(
    live_server: LiveServer, browser: Browser, language: str
) -> None:
    job_id, email_id = failed_rows(live_server)
    page = open_page(browser, "phone", language)
    try:
        sign_in(page, live_server, "admin@demo.test", language)
        page.goto(live_server.path("/admin/operations"))
        page.locator(".ops-error summary").first.click()  # the traceback, opened
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"
        # Nor does any failed job or email hide behind a sideways scroll of its own card.
        cramped = page.evaluate(
            "[...document.querySelectorAll('.ops-item')]"
            ".filter(card => card.scrollWidth > card.clientWidth).length"
        )
        assert cramped == 0, f"{cramped} cards scroll sideways"
        found = violations(page)
        assert not found, describe(found)

        discard = "Buang" if language == "id" else "Discard"
        page.get_by_role("button", name=f"{discard} {FUNCTION} #{job_id}").click()
        expect(page.locator(".flashes")).to_contain_text(FUNCTION)
        resend = "Kirim ulang" if language == "id" else "Resend"
        page.get_by_role("button", name=f"{resend} {SUBJECT} #{email_id}").click()
        expect(page.locator(".flashes")).to_contain_text(
            "Email dikirim ulang." if language == "id" else "The email is being sent again."
        )
        assert page.url.endswith("/admin/operations")
    finally:
        page.context.close()
    with live_server.app.app_context():
        assert db.session.get(FailedJob, job_id) is None
        status = db.session.scalar(select(OutboxEmail.status).where(OutboxEmail.id == email_id))
        assert status == SENT
