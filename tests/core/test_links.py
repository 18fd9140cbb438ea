"""Links that leave the site are built on SERVER_BASE_URL, never on the request's Host header.

A forged ``Host: evil.example`` once put ``http://evil.example/account/reset-password/<token>``
into a victim's password reset email. These tests send requests with a forged host and check
every email, the sitemap, the canonical links, JSON-LD, the API, the PDFs' base address and the
code base itself (marketplace/urls.py is the one way to build an absolute link).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
    registration,
)
from tests.hosts import FORGED_HOST, SITE, forged_host_client, site_links
from tests.payments.paying import image_bytes
from tests.shopping import place, stocked_variant

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)  # the `clock` fixture's day in Kota Mojokerto


@pytest.fixture
def site(app: Flask) -> Iterator[str]:
    """The site's public address is SITE for this test."""
    saved = app.config["SERVER_BASE_URL"]
    app.config["SERVER_BASE_URL"] = SITE
    yield SITE
    app.config["SERVER_BASE_URL"] = saved


def latest_email(template: str) -> OutboxEmail:
    email = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == template).order_by(OutboxEmail.id.desc())
    ).first()
    assert email is not None, template
    return email


def test_an_absolute_url_is_on_the_site_whatever_host_the_request_named(
    app: Flask, site: str
) -> None:
    from marketplace.urls import absolute_url

    with app.test_request_context(base_url=f"http://{FORGED_HOST}"):
        assert absolute_url("accounts.login") == f"{SITE}/account/login"
        assert absolute_url("catalogue.product", slug="keripik", _anchor="ulasan") == (
            f"{SITE}/products/keripik#ulasan"
        )
    # Mounted below a path (SCRIPT_NAME), the base address names the prefix once.
    app.config["SERVER_BASE_URL"] = f"{SITE}/pasar/"
    with app.test_request_context("/pasar/", base_url=f"http://{FORGED_HOST}/pasar"):
        assert absolute_url("accounts.login") == f"{SITE}/pasar/account/login"


# --- The emails of the penetration test: asked for with a forged host ----------------------


def test_a_password_reset_asked_with_a_forged_host_links_to_the_site(app: Flask, site: str) -> None:
    UserFactory(email="korban@example.test")
    client = forged_host_client(app)

    response = client.post("/account/forgot-password", data={"email": "korban@example.test"})

    assert response.status_code == 302
    email = latest_email("reset_password")
    [link] = site_links(email.body_text)
    assert link.startswith(f"{SITE}/account/reset-password/")
    assert link in email.body_html
    assert FORGED_HOST not in email.body_html


def test_a_registration_with_a_forged_host_sends_a_verification_link_to_the_site(
    app: Flask, site: str
) -> None:
    client = forged_host_client(app)

    response = client.post(
        "/account/register",
        data=registration(password="rahasia-sekali"),
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    email = latest_email("verify_email")
    [link] = site_links(email.body_text)
    assert link.startswith(f"{SITE}/account/verify/")
    assert FORGED_HOST not in email.body_html


def test_the_account_exists_notice_sent_for_a_forged_host_links_to_the_site(
    app: Flask, site: str
) -> None:
    UserFactory(email="ada@example.test")
    client = forged_host_client(app)

    client.post(
        "/account/register",
        data=registration(
            full_name="Penyerang", email="ada@example.test", password="rahasia-sekali"
        ),
    )

    email = latest_email("account_exists")
    assert sorted(site_links(email.body_text)) == [
        f"{SITE}/account/forgot-password",
        f"{SITE}/account/login",
    ]
    assert FORGED_HOST not in email.body_html


# --- Every email the site sends ----------------------------------------------------------


#: Emails that carry no link at all.
WITHOUT_LINKS: set[str] = set()


def email_templates() -> set[str]:
    return {path.stem for path in (ROOT / "templates" / "email").glob("*.txt")}


def test_every_email_links_to_the_site_whatever_host_the_request_named(
    app: Flask, site: str, clock: ModuleType, xendit_fake: Any
) -> None:
    """Each email template is sent once from a request with a forged host. A new email must be
    added here: the test fails while one of the templates was not sent."""
    from marketplace.accounts.services import register_user, request_password_reset
    from marketplace.catalogue.moderation import hide_product
    from marketplace.certificates.reminders import send_reminders
    from marketplace.cooperatives.services import (
        BankAccountData,
        invite_staff,
        suspend,
        update_bank_account,
    )
    from marketplace.orders.moves import cancel_by_admin
    from marketplace.payments import gateway_refunds
    from marketplace.payments.transfers import (
        confirm_transfer,
        reject_transfer,
        submit_transfer_proof,
    )
    from marketplace.procurement.agencies import add_member
    from marketplace.procurement.notifications import notify

    with app.test_request_context(
        base_url=f"http://{FORGED_HOST}", headers={"X-Forwarded-Host": FORGED_HOST}
    ):
        admin = UserFactory(is_city_admin=True)
        UserFactory(email="ada@example.test")
        register_user("ada@example.test", "rahasia-sekali", "Ada", "id")
        register_user("baru@example.test", "rahasia-sekali", "Baru", "id")
        request_password_reset("ada@example.test")

        variant = stocked_variant(10)
        cooperative = variant.product.cooperative
        owner = CooperativeMemberFactory(cooperative=cooperative)
        shopper = UserFactory()
        order = place(shopper, (variant, 2))
        part = order.vendor_orders[0]
        number = order.number or ""
        proof = submit_transfer_proof(shopper, number, part.id, image_bytes())
        reject_transfer(proof, admin, "Bukti tidak terbaca.")
        proof = submit_transfer_proof(shopper, number, part.id, image_bytes())
        confirm_transfer(proof, admin)
        cancel_by_admin(admin, part.id, "Stok rusak.")
        # An unpaid part has no refund to tell of: its cancellation has a status email.
        cancel_by_admin(admin, place(shopper, (variant, 1)).vendor_orders[0].id, "Stok rusak.")

        invite_staff(owner, "staf@example.test")
        update_bank_account(owner, BankAccountData("BCA", "1234567890", "Koperasi Baru"))
        hide_product(variant.product_id, admin, "Foto tidak sesuai.")
        suspend(cooperative, admin, "Pemeriksaan.")
        add_member(AgencyFactory().id, admin, "pejabat@example.test", "ppk")
        notify([shopper], lambda: "Ada permintaan baru.", "procurement.index")

        expiring = CooperativeFactory(
            pp55_certificate_number="PP55-1", pp55_valid_until=TODAY + timedelta(7)
        )
        CooperativeMemberFactory(cooperative=expiring)
        assert send_reminders(TODAY) == 1
        # A part paid by e-wallet and cancelled, which Xendit then cannot refund (a job after
        # the commit): the refund needs the shopper's bank account.
        refund_id = _cancel_an_ewallet_payment(admin, shopper, stocked_variant(10))
    xendit_fake.fail_next(400, "REFUND_NOT_SUPPORTED", "Refund is not supported")
    with app.app_context():
        gateway_refunds.process_refund(refund_id)

    emails = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
    assert {email.template for email in emails} == email_templates()
    for email in emails:
        linked = site_links(email.body_text) and site_links(email.body_html)
        assert linked or email.template in WITHOUT_LINKS, email.template


def _cancel_an_ewallet_payment(admin: Any, shopper: Any, variant: Any) -> int:
    """A part paid by DANA through Xendit, cancelled by the city: its refund's id."""
    from marketplace.orders.models import PaymentMethod
    from marketplace.orders.moves import cancel_by_admin
    from marketplace.payments.models import (
        Payee,
        Payment,
        PaymentAllocation,
        PaymentStatus,
        Refund,
    )
    from marketplace.payments.services import apply_received

    order = place(shopper, (variant, 1), payment=PaymentMethod.EWALLET)
    part = order.vendor_orders[0]
    payment = Payment(
        order_id=order.id,
        method=PaymentMethod.EWALLET,
        channel="DANA",
        status=PaymentStatus.SUCCEEDED,
        amount=part.total,
        payee=Payee.PLATFORM,
        reference=order.number or "",
        provider_reference="pr-links",
        allocations=[PaymentAllocation(vendor_order_id=part.id, amount=part.total)],
    )
    db.session.add(payment)
    db.session.flush()
    apply_received(payment, admin.id)
    cancel_by_admin(admin, part.id, "Stok rusak.")
    refund = db.session.scalars(select(Refund).where(Refund.payment_id == payment.id)).one()
    db.session.commit()
    return refund.id


# --- Pages and data that carry absolute links ------------------------------------------


@pytest.fixture
def listed_product(app: Flask) -> Any:
    from marketplace.catalogue.models import ProductImage

    product = ProductFactory(name="Keripik Tempe", slug="keripik-tempe", category=CategoryFactory())
    stocked_variant(5, product=product)
    db.session.add(
        ProductImage(
            product_id=product.id,
            storage_key="products/1/keripik.webp",
            width=800,
            height=600,
            position=0,
        )
    )
    db.session.flush()
    return product


def test_public_pages_name_the_site_in_canonical_links_and_json_ld(
    app: Flask, site: str, listed_product: Any
) -> None:
    client = forged_host_client(app)
    slug = listed_product.cooperative.slug

    product = client.get("/products/keripik-tempe").get_data(as_text=True)
    assert f'<link rel="canonical" href="{SITE}/products/keripik-tempe">' in product
    assert f'<meta property="og:url" content="{SITE}/products/keripik-tempe">' in product
    assert f'content="{SITE}/media/products/1/keripik.webp"' in product
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', product, re.S)
    assert json_ld is not None
    data = json.loads(json_ld.group(1))
    assert data["url"] == f"{SITE}/products/keripik-tempe"
    assert data["image"] == [f"{SITE}/media/products/1/keripik.webp"]

    pages = {
        "/products?q=keripik": f"{SITE}/products?q=keripik",
        "/cooperatives": f"{SITE}/cooperatives",
        f"/cooperatives/{slug}": f"{SITE}/cooperatives/{slug}",
    }
    for path, canonical in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert f'<link rel="canonical" href="{canonical}">' in html, path
        site_links(html)


def test_the_sitemap_and_robots_txt_name_the_site(
    app: Flask, site: str, listed_product: Any
) -> None:
    client = forged_host_client(app)

    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    robots = client.get("/robots.txt").get_data(as_text=True)

    assert f"<loc>{SITE}/products/keripik-tempe</loc>" in sitemap
    assert f"<loc>{SITE}/</loc>" in sitemap
    assert len(site_links(sitemap)) == sitemap.count("<loc>")
    assert f"Sitemap: {SITE}/sitemap.xml" in robots
    assert FORGED_HOST not in robots


def test_the_open_data_api_names_the_site(app: Flask, site: str, listed_product: Any) -> None:
    client = forged_host_client(app)

    products = client.get("/api/v1/products").get_json()
    cooperatives = client.get("/api/v1/cooperatives").get_json()
    schema = client.get("/api/v1/openapi.json").get_json()

    [item] = products["items"]
    assert item["url"] == f"{SITE}/products/keripik-tempe"
    assert item["images"] == [f"{SITE}/media/products/1/keripik.webp"]
    assert cooperatives["items"][0]["url"].startswith(f"{SITE}/cooperatives/")
    assert schema["servers"] == [{"url": SITE}]
    for body in (products, cooperatives, schema):
        assert FORGED_HOST not in json.dumps(body)


def test_a_pdf_rendered_in_a_request_with_a_forged_host_resolves_links_on_the_site(
    app: Flask, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF is stored and served to every later reader: a link in it resolved against the
    request's host would reach them all."""
    import weasyprint

    from marketplace.procurement.documents import _pdf_from_html

    seen: list[str] = []

    class RecordingHTML:
        def __init__(self, *, string: str, base_url: str, url_fetcher: Any) -> None:
            seen.append(base_url)

        def write_pdf(self) -> bytes:
            return b"%PDF-"

    monkeypatch.setattr(weasyprint, "HTML", RecordingHTML)
    with app.test_request_context(base_url=f"http://{FORGED_HOST}"):
        _pdf_from_html('<p><a href="/procurement/">Pengadaan</a></p>')
    assert seen == [SITE]


# --- Nothing builds a link from the request any more ------------------------------------

#: What builds an address from the request's Host; allowed only where it is not a link.
HOST_FROM_REQUEST = re.compile(
    r"_external|request\.(?:host|host_url|url|url_root|root_url|base_url)\b"
    r"|X-Forwarded-Host|HTTP_HOST"
)
#: file -> the one match that is not a link, and why.
ALLOWED = {
    # The docstring of the one module that builds absolute links, saying what it replaces.
    "marketplace/urls.py": "_external",
    # A key of the page cache, never shown: pages of different hosts are cached apart.
    "marketplace/catalogue/cache.py": "request.host_url",
}


SOURCES = {"marketplace": ("*.py",), "templates": ("*.html", "*.txt", "*.xml")}


def source_files() -> Iterator[Path]:
    for folder, patterns in SOURCES.items():
        for pattern in patterns:
            yield from (ROOT / folder).rglob(pattern)


def test_no_code_builds_a_link_from_the_request_host() -> None:
    """Absolute links come from marketplace.urls.absolute_url (SERVER_BASE_URL) only."""
    found = []
    for path in source_files():
        name = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in HOST_FROM_REQUEST.finditer(line):
                if ALLOWED.get(name) != match.group(0):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
