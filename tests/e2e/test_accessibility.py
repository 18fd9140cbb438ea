"""axe-core on the main pages, in both languages, at a phone and a desktop viewport."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.slow

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}

GUEST_PAGES = [
    "/",
    "/products",
    "/products?q=keripik&halal=1",
    "/products?q=keripk",  # a typo: the correction and its "Maksud Anda" link
    "/categories/makanan-minuman",
    "/products/keripik-tempe-original-al-hikmah",
    "/cooperatives",
    "/cooperatives/koppontren-al-hikmah",
    "/account/login",
    "/account/register",
    "/account/forgot-password",
    "/terms",
    "/privacy",
    "/halaman-tidak-ada",
    "/offline",
]
SHOPPER_PAGES = [
    "/account/profile",
    "/account/addresses/new",
    # The address form with its four region lists filled down to the kelurahan.
    "/account/addresses/new?province=35&regency=35.76&district=35.76.02",
    "/account/password",
    "/account/privacy",
    "/account/notifications/",
    "/account/notifications/settings",
    "/cart",
    "/orders",
    # The demo shopper's question about a product before buying, answered.
    "/products/keripik-tempe-pedas-daun-jeruk-al-hikmah/questions",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/cooperatives",
    "/admin/cooperatives?status=approved",
    "/admin/categories",
    "/admin/moderation",
    "/admin/reviews",
    "/admin/complaints",
    "/admin/search-synonyms",
    "/admin/products",
    "/admin/certificates",
    "/admin/users",
    "/admin/agencies",
    "/admin/audit",
    "/admin/operations",
    # One page of each kind with an object (the demo's first of each).
    "/admin/cooperatives/1",
    "/admin/categories/1",
    "/admin/categories/1/merge",
    "/admin/products/1",
    "/admin/users/1",
    "/admin/agencies/1",
    "/admin/payments/",
    "/admin/payments/payouts/",
    "/admin/payments/payouts/new",
    "/admin/payments/cooperatives/1/statement",
]
VENDOR_PAGES = [
    "/vendor/",
    "/vendor/orders",
    "/vendor/orders?group=closed",
    "/vendor/reviews",
    "/vendor/complaints",
    "/vendor/reports",
    "/vendor/reports?period=month",
    "/vendor/products",
    "/vendor/stock",
    "/vendor/imports",
    "/vendor/transfers/",
    "/vendor/statement",
    "/vendor/messages",
    "/vendor/courier-rates",
    "/account/notifications/",
]


def complaint_pages(live: LiveServer, email: str) -> list[str]:
    """Each side's pages of the demo's complaints that carry a form (one complaint in each
    state, about Koppontren Al-Hikmah's goods)."""
    from sqlalchemy import select

    from marketplace.complaints.models import Complaint
    from marketplace.extensions import db

    with live.app.app_context():
        found = {c.status: c for c in db.session.scalars(select(Complaint))}

        def shopper(status: str) -> str:
            part = found[status].vendor_order
            return f"/orders/{part.order.number}/complaint/{part.id}"

        pages = {
            "pembeli@demo.test": [
                shopper(status) for status in ("open", "return_requested", "refund_accepted")
            ],
            "koperasi1@demo.test": [
                f"/vendor/complaints/{found[status].id}"
                for status in ("open", "return_shipped", "resolved")
            ],
            "admin@demo.test": [f"/admin/complaints/{found['escalated'].id}"],
        }
    return pages.get(email, [])


def violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, so the page's CSP does not apply to axe itself.
    page.evaluate(AXE)
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    )


def open_page(browser: Browser, viewport: str, language: str) -> Page:
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        locale="id-ID" if language == "id" else "en-US",
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, live: LiveServer, email: str, language: str) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))
    # A signed-in account's own language wins over the browser's: choose the test's.
    page.goto(live.path(f"/?lang={language}"))


#: Pages in Indonesian whatever the reader's language: the offline page (both languages on one
#: page, each part marked with its own lang) and the procurement documents (official papers).
ALWAYS_INDONESIAN = ("/offline", "/procurement/documents/")


def audit_pages(
    page: Page, live: LiveServer, paths: list[str], language: str, who: str = ""
) -> dict[str, str]:
    """axe's serious and critical findings on each page, by page (each in the test's language)."""
    problems = {}
    for path in paths:
        page.goto(live.path(path))
        if not path.startswith(ALWAYS_INDONESIAN):
            assert page.locator("html").get_attribute("lang") == language, f"{who} {path}"
        found = violations(page)
        if found:
            problems[f"{who} {path}".strip()] = describe(found)
    return problems


def report(problems: dict[str, str]) -> str:
    return "\n\n".join(f"{path}:\n{text}" for path, text in problems.items())


def first_link(page: Page, live: LiveServer, listing: str) -> str:
    page.goto(live.path(listing))
    href = page.locator("main table tbody a, main .order-list a").first.get_attribute("href")
    assert href, f"{listing} lists something to open"
    return href


def last_link(page: Page, live: LiveServer, listing: str) -> str:
    page.goto(live.path(listing))
    href = page.locator("main table tbody a, main .order-list a").last.get_attribute("href")
    assert href, f"{listing} lists something to open"
    return href


def verification_link(live: LiveServer) -> str:
    """The page a new account's verification link opens (a button to confirm)."""
    import secrets

    from itsdangerous import URLSafeTimedSerializer

    from marketplace.accounts.services import create_user
    from marketplace.extensions import db

    with live.app.app_context():
        user = create_user(
            f"baru-{secrets.token_hex(3)}@demo.test", "rahasia-panjang-2026", "Calon Pembeli"
        )
        db.session.commit()
        serializer = URLSafeTimedSerializer(
            live.app.config["SECRET_KEY"], salt="accounts.verify-email"
        )
        return f"/account/verify/{serializer.dumps({'uid': user.id, 'email': user.email})}"


def document_verification_link(live: LiveServer) -> str:
    """The public verification page printed on a demo document (its QR code's address)."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.procurement.models import FrozenDocument

    with live.app.app_context():
        token = db.session.scalars(select(FrozenDocument.token).order_by(FrozenDocument.id)).first()
        assert token, "the demo's procurement documents were frozen when issued"
        return f"/v/{token}"


LANGUAGES = pytest.mark.parametrize("language", ["id", "en"])
VIEWPORT_NAMES = pytest.mark.parametrize("viewport", ["phone", "desktop"])


@LANGUAGES
@VIEWPORT_NAMES
def test_public_pages_have_no_serious_violations(
    live_server: LiveServer, browser: Browser, viewport: str, language: str
) -> None:
    page = open_page(browser, viewport, language)
    try:
        pages = [
            *GUEST_PAGES,
            verification_link(live_server),
            document_verification_link(live_server),
        ]
        problems = audit_pages(page, live_server, pages, language)
        # A form with errors, as a screen reader meets it.
        page.goto(live_server.path("/account/register"))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        found = violations(page)
        if found:
            problems["/account/register (errors)"] = describe(found)
    finally:
        page.context.close()
    assert not problems, report(problems)


@LANGUAGES
@VIEWPORT_NAMES
@pytest.mark.parametrize(
    ("email", "paths", "listing"),
    [
        ("pembeli@demo.test", SHOPPER_PAGES, "/orders"),
        ("koperasi1@demo.test", VENDOR_PAGES, "/vendor/orders?group=closed"),
        ("admin@demo.test", ADMIN_PAGES, None),
    ],
    ids=["shopper", "cooperative", "city"],
)
def test_each_role_s_pages_have_no_serious_violations(
    live_server: LiveServer,
    browser: Browser,
    viewport: str,
    language: str,
    email: str,
    paths: list[str],
    listing: str | None,
) -> None:
    page = open_page(browser, viewport, language)
    try:
        sign_in(page, live_server, email, language)
        pages = list(paths) + complaint_pages(live_server, email)
        if listing is not None:
            # One object page too: the shopper's order (with its payment panel) and its
            # thread, or the cooperative's completed order, its packing slip and its thread.
            opened = first_link(page, live_server, listing)
            pages.append(opened)
            if listing.startswith("/vendor/"):
                pages.append(f"{opened}/packing-slip")
                pages.append(f"{opened}/messages")
                # The first thread of the inbox (the demo's question about a product).
                page.goto(live_server.path("/vendor/messages"))
                question = page.locator("main .inbox a").first.get_attribute("href")
                assert question, "/vendor/messages lists a thread"
                pages.append(question)
            else:
                # The thread with the cooperative of the order's first part.
                page.goto(live_server.path(opened))
                thread = page.locator("main a[href*='/messages/']").first.get_attribute("href")
                assert thread, f"{opened} links to its messages"
                pages.append(thread)
                # The review forms of the demo's completed order (its oldest), with reviews.
                pages.append(f"{last_link(page, live_server, listing)}/reviews")
        problems = audit_pages(page, live_server, pages, language)
    finally:
        page.context.close()
    assert not problems, report(problems)


def test_the_checker_itself_catches_a_missing_label(browser: Browser) -> None:
    page = open_page(browser, "phone", "id")
    try:
        page.set_content(
            '<html lang="id"><head><title>t</title></head><body><main>'
            '<input type="text" name="q"><img src="data:," width="1" height="1">'
            "</main></body></html>"
        )
        found = {v["id"] for v in violations(page)}
    finally:
        page.context.close()
    assert {"label", "image-alt"} <= found


def procurement_pages(live: LiveServer) -> dict[str, list[str]]:
    """Pages of the demo procurements, by the demo account that may open them."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.procurement.models import (
        Delivery,
        DeliveryStatus,
        Invoice,
        InvoiceStatus,
        OrderStatus,
        ProcurementRequest,
        PurchaseOrder,
        RequestStatus,
    )

    with live.app.app_context():
        draft = db.session.scalars(
            select(ProcurementRequest.id).where(ProcurementRequest.status == RequestStatus.DRAFT)
        ).first()
        order = db.session.scalars(
            select(PurchaseOrder).where(PurchaseOrder.status == OrderStatus.PARTLY_DELIVERED)
        ).first()
        assert draft and order
        quotation, invoice = order.quotation_id, db.session.scalars(select(Invoice.id)).first()
        order_id, line_id = order.id, order.budget_line_id
        to_inspect = db.session.scalars(
            select(Delivery.id).where(Delivery.status == DeliveryStatus.SENT)
        ).first()
        # A paid invoice of the demo: its tax records' form, and its month's tax recap.
        paid = db.session.scalars(
            select(Invoice).where(Invoice.status == InvoiceStatus.PAID).order_by(Invoice.id)
        ).first()
        assert paid is not None and paid.payment is not None
        paid_id, paid_agency = paid.id, paid.agency_id
        paid_month = paid.payment.paid_on.strftime("%Y-%m")
    inspection = [f"/procurement/deliveries/{to_inspect}/inspect"] if to_inspect else []
    return {
        "pengadaan@demo.test": [
            "/procurement/",
            "/procurement/worklist/agency/to_send",
            "/procurement/requests",
            # The lists' filters, one of them refused with its message.
            "/procurement/requests?status=draft&date_from=2026-01-01",
            "/procurement/orders?status=bogus&date_to=2026-13-01",
            "/procurement/requests/new",
            f"/procurement/requests/{draft}?q=keripik",
            f"/procurement/quotations/{quotation}",
            f"/procurement/orders/{order_id}",
            f"/procurement/invoices/{invoice}",
            f"/procurement/documents/invoice/{invoice}",
            "/account/notifications/",
            "/account/notifications/settings",
            "/procurement/reports",
            "/procurement/budget-lines",
        ],
        "koperasi2@demo.test": [
            "/procurement/",
            f"/procurement/cooperative/quotations/{quotation}",
            f"/procurement/cooperative/orders/{order_id}",
            "/procurement/cooperative/payments",
            "/procurement/cooperative/quotations?status=quoted",
        ],
        # The PPK's budget lines: the form to enter one, a line's revisions and the form to
        # record one.
        "ppk@demo.test": ["/procurement/budget-lines", f"/procurement/budget-lines/{line_id}"],
        # The inspection's day and team (a delivery of the demo waiting for the receiver).
        "penerima@demo.test": ["/procurement/", *inspection],
        # The treasurer's tax records and monthly tax recap (this month's and a paid month's).
        "bendahara@demo.test": [
            f"/procurement/invoices/{paid_id}",
            f"/procurement/agencies/{paid_agency}/tax-recap",
            f"/procurement/agencies/{paid_agency}/tax-recap?month={paid_month}",
        ],
    }


@LANGUAGES
@VIEWPORT_NAMES
def test_procurement_pages_have_no_serious_violations(
    live_server: LiveServer, browser: Browser, viewport: str, language: str
) -> None:
    problems: dict[str, str] = {}
    for email, paths in procurement_pages(live_server).items():
        page = open_page(browser, viewport, language)
        try:
            sign_in(page, live_server, email, language)
            problems |= audit_pages(page, live_server, paths, language, who=email)
        finally:
            page.context.close()
    assert not problems, report(problems)
