"""No page is wider than a cheap Android phone: every GET page each role reaches, at 360×740.

The pages are not listed by hand. Every GET rule of the app's URL map is walked by every role
the authorization matrix (tests/core/test_authorization_matrix.py) lets in, with the ids of the
demo data's objects (completed here with what the demo lacks: an order waiting for its
transfer, a transfer proof to check, a refund, an import, a delivery to inspect, a member of
staff, invitations), so a new page is walked as soon as it exists. A page fails when the
document scrolls sideways or a visible control sticks out past the right edge of the screen
without sitting in a region that scrolls sideways on purpose (a labelled, focusable
``role="region"``). Every offending page is reported at once.

What is not walked, and why, is listed in NOT_PAGES (files and data, not pages) and UNREACHED.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.routing import Rule

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.accounts.services import create_user, find_user_by_email
from marketplace.cart import services as cart_services
from marketplace.catalogue.models import Category, Product
from marketplace.complaints.models import ComplaintStatus
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    CooperativeMember,
    CooperativeStatus,
    MemberRole,
)
from marketplace.demo import DEMO_PASSWORD, DEMO_PROCUREMENTS
from marketplace.demo.complaints import add_complaints
from marketplace.extensions import db
from marketplace.inventory.bulk import export as bulk_export
from marketplace.inventory.bulk import imports as bulk_imports
from marketplace.messages import services as message_services
from marketplace.messages.models import MessagePhoto, Side
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders.delivery import ShippingAddress
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod, VendorOrder
from marketplace.payments.models import PaymentFlag, Refund
from marketplace.payments.records import raise_flag
from marketplace.payments.transfers import confirm_transfer, submit_transfer_proof
from marketplace.procurement import (
    agencies,
    corrections,
    freezing,
    fulfilment,
    payment,
    tax_records,
)
from marketplace.procurement.models import (
    Agency,
    AgencyMember,
    Bast,
    Delivery,
    DeliveryStatus,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    QuotationRound,
    RequestStatus,
)
from marketplace.urls import site_request_context
from tests.core.test_authorization_matrix import Entry, entries, expected
from tests.e2e.conftest import LiveServer, serve_app
from tests.payments.paying import image_bytes

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}

#: The cooperative whose workspace is walked: the demo shopper's orders and a procurement of
#: the demo agency (in every stage up to its invoice) are with it.
COOPERATIVE = "koppontren-nurul-huda"
OWNER = "koperasi2@demo.test"
STAFF = "staf.nurulhuda@demo.test"
SHOPPER = "pembeli@demo.test"
ADMIN = "admin@demo.test"
APPLICANT = "pendaftar@demo.test"


@dataclass(frozen=True)
class Walker:
    """Someone the walk signs in as, and the role of the matrix's world that stands for them
    (its objects are this walker's objects)."""

    label: str
    email: str | None
    matrix_role: str
    #: Policies that admit the matrix's role but not this walker.
    refused: frozenset[str] = frozenset()


#: Staff may not do what only the cooperative's owner may (members, profile, bank account).
OWNER_ONLY = frozenset({"cooperative_owner", "active_cooperative_owner"})
#: A cooperative waiting for approval has no workspace yet, only its application and status.
APPROVED_ONLY = frozenset({"active_cooperative_member", "active_cooperative_owner"})


WALKERS = (
    Walker("guest", None, "guest"),
    Walker("shopper", SHOPPER, "shopper"),
    Walker("cooperative owner", OWNER, "coop_a"),
    Walker("cooperative staff", STAFF, "coop_a", refused=OWNER_ONLY),
    # Cooperative B of the matrix: a member of a cooperative, none of whose objects are named.
    Walker("cooperative applicant", APPLICANT, "coop_b", refused=APPROVED_ONLY),
    Walker("pejabat pengadaan", "pengadaan@demo.test", "pp_a"),
    Walker("PPK", "ppk@demo.test", "ppk_a"),
    Walker("penerima", "penerima@demo.test", "penerima_a"),
    Walker("bendahara", "bendahara@demo.test", "bendahara_a"),
    Walker("city administrator", ADMIN, "admin"),
)

#: GET routes that answer with a file or data, not a page a phone lays out.
NOT_PAGES = {
    "static": "the site's own CSS, scripts and images",
    "catalogue.robots": "robots.txt",
    "catalogue.search_suggestions": "JSON for the search field's list",
    "regions.search": "JSON for the address form's region lists",
    "catalogue.sitemap": "the XML sitemap",
    "api.cooperatives": "JSON",
    "api.products": "JSON",
    "api.openapi": "JSON",
    "site.healthz": "plain text for the load balancer",
    "site.readyz": "plain text for the load balancer",
    "site.metrics": "Prometheus' text format (and off unless configured)",
    "site.media": "an image",
    "reviews.photo": "a review's photo",
    "site.web_manifest": "the web app manifest (JSON)",
    "site.service_worker": "the service worker's script",
    "admin.export_table": "a CSV or XLSX download",
    "payments.admin_statement_csv": "a CSV download",
    "payments.vendor_statement_csv": "a CSV download",
    "payments.pending_payouts_csv": "a CSV download",
    "payments.admin_proof": "the transfer proof's image",
    "payments.vendor_proof": "the transfer proof's image",
    "payments.shopper_proof": "the transfer proof's image",
    "messages.photo": "a message's photo",
    "procurement.document_pdf": "a PDF",
    "procurement.document_version": "a PDF",
    "procurement.signed_scan": "a signed document's scan (PDF or image)",
    "vendors.shipping_label": "a PDF",
    "procurement.report_csv": "a CSV download",
    "procurement.report_xlsx": "an XLSX download",
    "procurement.package_export": "a CSV or XLSX download",
    "procurement.tax_recap_xlsx": "an XLSX download",
    "vendors.export": "a CSV or XLSX download",
    "vendors.template": "a CSV or XLSX download",
    "vendors.sales_export": "a CSV download",
    "vendors.import_progress": "JSON polled by the import page",
    "payments.online_status": "JSON polled by the online payment page",
    "complaints.photo": "a complaint's photo",
    "complaints.refund_proof": "the cooperative's proof of a complaint's refund",
    "vendors.complaint_photo": "a complaint's photo",
    "vendors.complaint_refund_proof_file": "the proof of a complaint's refund",
    "admin.complaint_photo": "a complaint's photo",
    "admin.complaint_refund_proof": "the proof of a complaint's refund",
}
#: Pages no walker can reach here.
UNREACHED = {
    "payments.card_return": "Stripe sends the shopper back here after paying by card; card "
    "payments are off in this server (tests/e2e/test_card_payment.py walks that return)",
    "payments.online": "the QR code, VA number or e-wallet link of an order paid online; online "
    "payments are off in this server "
    "(tests/e2e/test_qris_payment.py measures that page at 360×740 and on a desktop, in both "
    "languages, against the fake Xendit)",
    "payments.find_order": "only sends the city on, to the order's page (walked as "
    "payments.admin_order) or back to the payments desk",
}


# ------------------------------------------------------------------------------------------
# The demo data, completed with what it lacks
# ------------------------------------------------------------------------------------------


@dataclass
class Demo:
    """The values the walk puts into URLs."""

    params: dict[str, Any] = field(default_factory=dict)
    #: endpoint -> the URL values of each object it is walked with
    variants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _token(app: Flask, salt: str, data: dict[str, Any]) -> str:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt).dumps(data)


def _one(statement: Any) -> Any:
    value = db.session.scalars(statement).first()
    assert value is not None, f"the demo data has nothing for {statement}"
    return value


def _place(shopper: User, *slugs: str) -> Order:
    """An order by bank transfer for one of each product, collected from each cooperative."""
    cart = cart_services.user_cart(shopper)
    products = [_one(select(Product).where(Product.slug == slug)) for slug in slugs]
    for product in products:
        cart_services.add_item(cart, product.variants[0].id, product.min_order_qty)
    address = next(a for a in shopper.addresses if a.is_default)
    choices = order_checkout.CheckoutChoices(
        address=ShippingAddress.from_saved(address),
        delivery={product.cooperative_id: DeliveryMethod.PICKUP for product in products},
        payment=PaymentMethod.BANK_TRANSFER,
    )
    return order_checkout.place_order(shopper, choices, order_checkout.new_idempotency_key())


def complete_the_demo(app: Flask) -> Demo:
    """Through the real services, what the demo data does not have; the URL values of it all."""
    demo = Demo()
    with app.app_context(), site_request_context():
        cooperative = _one(select(Cooperative).where(Cooperative.slug == COOPERATIVE))
        people = {email: find_user_by_email(email) for email in (SHOPPER, OWNER, ADMIN)}
        shopper, owner, admin = people[SHOPPER], people[OWNER], people[ADMIN]
        assert shopper and owner and admin
        # First, while the shopper's cart is empty (each complaint's order is placed from it).
        _add_complaints(demo, shopper, admin)
        _add_shopping(demo, shopper, admin, cooperative)
        _add_workspace(demo, owner, cooperative)
        agency = _add_procurement(demo, owner, cooperative)
        _add_tax_records(demo)
        _add_corrections(demo, cooperative)
        _add_invitations(demo, app, owner, admin, cooperative, agency)
        _add_city(demo, shopper)
        _add_messages(demo, shopper, owner)
        db.session.commit()
    return demo


def _add_shopping(demo: Demo, shopper: User, admin: User, cooperative: Cooperative) -> None:
    """An order whose transfers are awaited (the payment page: accounts, amounts, references,
    the deadline) from the cooperative and another one, with a proof sent for the cooperative's
    part that the city flagged; a paid order the city cancelled (a refund); a full cart."""
    waiting = _place(
        shopper, "sambal-bawang-pedas-grosir-karton-nurul-huda", "keripik-tempe-original-al-hikmah"
    )
    part = next(p for p in waiting.vendor_orders if p.cooperative_id == cooperative.id)
    transfer = submit_transfer_proof(shopper, waiting.number or "", part.id, image_bytes())
    raise_flag(transfer, PaymentFlag.AMOUNT_MISMATCH, "Nominal transfer berbeda Rp1.000.")
    cancelled = _place(shopper, "bumbu-pecel-kacang-nurul-huda")
    paid = submit_transfer_proof(
        shopper, cancelled.number or "", cancelled.vendor_orders[0].id, image_bytes()
    )
    confirm_transfer(paid, admin)
    order_moves.cancel_by_admin(admin, cancelled.vendor_orders[0].id, "Stok habis di gudang.")
    refund = _one(select(Refund).where(Refund.order_id == cancelled.id))
    # The cart: two cooperatives, one line of a product with sizes.
    cart = cart_services.user_cart(shopper)
    for slug in (
        "kemeja-batik-tulis-surya-majapahit-lengan-panjang-miftahul-ulum",
        "sambal-ijo-khas-pesantren-nurul-huda",
    ):
        product = _one(select(Product).where(Product.slug == slug))
        cart_services.add_item(cart, product.variants[-1].id, product.min_order_qty)

    older = db.session.scalars(
        select(Order.number)
        .where(Order.user_id == shopper.id, Order.id.not_in([waiting.id, cancelled.id]))
        .order_by(Order.id)
    )
    # Each of the shopper's orders: waiting, cancelled and refunded, paid, completed.
    numbers = [{"number": number} for number in (waiting.number, cancelled.number, *older)]
    demo.params |= {
        "address_id": shopper.addresses[0].id,
        "number": waiting.number,
        "payment_id": transfer.id,
        "refund_id": refund.id,
        "vendor_order_id": part.id,
    }
    demo.variants |= {
        "orders.detail": numbers,
        "orders.receipt": numbers,
        "payments.admin_order": numbers[:2],
    }


def _add_messages(demo: Demo, shopper: User, owner: User) -> None:
    """A thread on the awaited order's part with the cooperative: a question, the answer and a
    long word, each side with one message to read (the form that marks it read shows)."""
    part = db.session.get(VendorOrder, demo.params["vendor_order_id"])
    assert part is not None
    message_services.post(shopper, part, Side.SHOPPER, "Apakah bisa diambil sore hari?")
    message_services.post(owner, part, Side.COOPERATIVE, "Bisa, Bu, sampai pukul 16.00 WIB.")
    message_services.post(shopper, part, Side.SHOPPER, "Baik, terima kasih. " + "x" * 120)
    # A question about a product before buying, with a photo; the cooperative's answer.
    product = _one(
        select(Product).where(Product.slug == "sambal-bawang-pedas-grosir-karton-nurul-huda")
    )
    question = message_services.ask_about_product(
        shopper, product, "Apakah ada yang tidak pedas? " + "y" * 120, [image_bytes()]
    )
    message_services.post(owner, question, Side.COOPERATIVE, "Ada, sambal bawang original.")
    photo = _one(select(MessagePhoto).order_by(MessagePhoto.id.desc()).limit(1))
    demo.params |= {"part_id": part.id, "thread_id": question.id, "photo_id": photo.id}
    demo.variants |= {"messages.product_question": [{"slug": product.slug}]}


def _add_complaints(demo: Demo, shopper: User, admin: User) -> None:
    """A complaint in each state about the walked cooperative's goods (the demo's own are
    another cooperative's): each side's page of each."""
    product = _one(select(Product).where(Product.slug == "sambal-korek-super-pedas-nurul-huda"))
    made = add_complaints(shopper, admin, product, list(ComplaintStatus))
    demo.params |= {"complaint_id": made[0].id}
    demo.variants |= {
        "complaints.detail": [
            {"number": c.vendor_order.order.number, "part_id": c.vendor_order_id} for c in made
        ],
        "vendors.complaint": [{"complaint_id": c.id} for c in made],
        "admin.complaint": [{"complaint_id": c.id} for c in made],
    }


def _add_workspace(demo: Demo, owner: User, cooperative: Cooperative) -> None:
    """A member of staff, and an import of the cooperative's own list, checked and waiting for
    confirmation."""
    staff = create_user(STAFF, DEMO_PASSWORD, "Ahmad Fauzi", verified=True, locale="id")
    db.session.add(
        CooperativeMember(cooperative_id=cooperative.id, user_id=staff.id, role=MemberRole.STAFF)
    )
    export = bulk_export.write_file(bulk_export.export_rows(cooperative.id), "csv")
    job = bulk_imports.start_import(cooperative.id, owner.id, "harga-terbaru-juli.csv", export)
    product = _one(
        select(Product).where(Product.slug == "sambal-bawang-pedas-grosir-karton-nurul-huda")
    )
    parts = [
        {"vendor_order_id": part_id}
        for part_id in db.session.scalars(
            select(VendorOrder.id)
            .where(VendorOrder.cooperative_id == cooperative.id)
            .order_by(VendorOrder.id)
        )
    ]
    demo.params |= {
        "cooperative_id": cooperative.id,
        "product_id": product.id,
        "variant_id": product.variants[0].id,
        "job_id": job.id,
    }
    demo.variants |= {
        "catalogue.cooperative": [{"slug": COOPERATIVE}],
        "catalogue.product": [
            {"slug": "kemeja-batik-tulis-surya-majapahit-lengan-panjang-miftahul-ulum"},
            {"slug": product.slug},
        ],
        "vendors.order": parts,
        "vendors.packing_slip": parts,
        # "Cek ongkir" with a kecamatan chosen: the lists and the services found.
        "catalogue.shipping_cost": [
            {
                "slug": "keripik-tempe-original-al-hikmah",
                "province": "35",
                "regency": "35.78",
                "district": "35.78.07",
            }
        ],
    }


def _add_procurement(demo: Demo, owner: User, cooperative: Cooperative) -> Agency:
    """The demo agency's Surat Pesanan with the cooperative gets a second delivery, to
    inspect; the walk opens its documents, the draft request and the open negotiation."""
    order = _one(
        select(PurchaseOrder).where(
            PurchaseOrder.cooperative_id == cooperative.id,
            PurchaseOrder.status == OrderStatus.PARTLY_DELIVERED,
        )
    )
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        fulfilment.record_delivery(
            owner,
            order.id,
            {line.id: 1 for line in order.lines},
            fulfilment.DeliveryDetails(
                delivered_on=clock.today(), driver="Pak Slamet", vehicle="S 1801 NB"
            ),
        )
    to_inspect, inspected = (
        _one(
            select(Delivery).where(
                Delivery.purchase_order_id == order.id, Delivery.status == status
            )
        )
        for status in (DeliveryStatus.SENT, DeliveryStatus.INSPECTED)
    )
    bast = _one(select(Bast).where(Bast.delivery_id == inspected.id))
    invoice = _one(select(Invoice).where(Invoice.purchase_order_id == order.id))
    draft = _one(
        select(ProcurementRequest).where(
            ProcurementRequest.agency_id == order.agency_id,
            ProcurementRequest.status == RequestStatus.DRAFT,
        )
    )
    countered = next(spec.title for spec in DEMO_PROCUREMENTS if spec.reached == "countered")
    negotiation = _one(
        select(Quotation)
        .join(ProcurementRequest, ProcurementRequest.id == Quotation.request_id)
        .where(ProcurementRequest.title == countered)
    )
    demo.params |= {
        "request_id": draft.id,
        "quotation_id": order.quotation_id,
        "order_id": order.id,
        "delivery_id": to_inspect.id,
        "invoice_id": invoice.id,
        "agency_id": order.agency_id,
        # The budget line the order is charged to (its revisions, its orders).
        "budget_line_id": order.budget_line_id,
    }
    last_round = _one(
        select(QuotationRound)
        .where(QuotationRound.quotation_id == order.quotation_id)
        .order_by(QuotationRound.number.desc())
    )
    demo.variants |= {
        "procurement.request_detail": [{"request_id": draft.id}, {"request_id": order.request_id}],
        # The lists with their filters (and one value refused, with its message).
        "procurement.request_list": [{}, {"status": "draft", "date_from": "2026-01-01"}],
        # A worklist section's own pages (the drafts to send, the pejabat pengadaan's).
        "procurement.worklist_section": [{"side": "agency", "key": "to_send"}],
        "procurement.order_list": [{}, {"status": "bogus", "date_to": "2026-13-01"}],
        "procurement.quotation": [
            {"quotation_id": order.quotation_id},
            {"quotation_id": negotiation.id},
        ],
        "procurement.document": [
            {"kind": "request", "object_id": order.request_id},
            {"kind": "quotation", "object_id": order.quotation_id},
            # The last round's own letter (both parties of the order may open it).
            {"kind": "round", "object_id": last_round.id},
            {"kind": "order", "object_id": order.id},
            {"kind": "delivery", "object_id": inspected.id},
            {"kind": "bast", "object_id": bast.id},
            {"kind": "invoice", "object_id": invoice.id},
        ],
        # The public verification page of the Surat Pesanan's first frozen version.
        "verify.document": [{"token": freezing.versions("order", order.id)[0].token}],
    }
    return order.agency


def _add_tax_records(demo: Demo) -> None:
    """The demo's invoice waiting for the treasurer (PPN collected and PPh 22 withheld) is paid
    and its PPN remitted, so its page shows the remittance form with both taxes and this month's
    tax recap a row with one tax remitted and one not."""
    treasurer = find_user_by_email("bendahara@demo.test")
    assert treasurer is not None
    invoice = _one(
        select(Invoice)
        .where(Invoice.status == InvoiceStatus.ISSUED, Invoice.ppn_collected > 0)
        .order_by(Invoice.id)
    )
    assert invoice.pph22 > 0
    today = clock.today()
    payment.record_payment(
        treasurer,
        invoice.id,
        payment.PaymentDetails(
            "transfer", "SP2D-00777/BU/2026", today, "BP22-00777", "SPP-LS/777", "SPM-LS/777"
        ),
    )
    tax_records.record_tax_records(
        treasurer,
        invoice.id,
        tax_records.TaxRecordDetails(
            "SPP-LS/777",
            "SPM-LS/777",
            ppn=tax_records.Remittance("012345678901234", "0A1B2C3D4E5F6G7H", today),
        ),
    )
    demo.variants["procurement.invoice"] = [
        {"invoice_id": demo.params["invoice_id"]},
        {"invoice_id": invoice.id},
    ]


def _add_corrections(demo: Demo, cooperative: Cooperative) -> None:
    """A paid invoice of the demo whose payment the treasurer reversed, then cancelled by its
    cooperative and replaced: the pages show the reversed payment, the cancelled invoice (and
    its document) and the replacement naming it."""
    treasurer = find_user_by_email("bendahara@demo.test")
    assert treasurer is not None
    paid = _one(
        select(Invoice)
        .join(InvoicePayment, InvoicePayment.invoice_id == Invoice.id)
        .join(AgencyMember, AgencyMember.agency_id == Invoice.agency_id)
        .where(
            AgencyMember.user_id == treasurer.id,
            AgencyMember.role == ProcurementRole.BENDAHARA,
            Invoice.status == InvoiceStatus.PAID,
            InvoicePayment.ppn_ntpn.is_(None),
            InvoicePayment.pph22_ntpn.is_(None),
        )
        .order_by((Invoice.cooperative_id != cooperative.id), Invoice.id)
        .limit(1)
    )
    member = _one(
        select(User)
        .join(CooperativeMember, CooperativeMember.user_id == User.id)
        .where(CooperativeMember.cooperative_id == paid.cooperative_id)
        .order_by(User.id)
    )
    corrections.reverse_payment(treasurer, paid.id, "SP2D dicatat pada invoice yang salah.")
    corrections.cancel_invoice(member, paid.id, "Tarif PPh 22 salah; sertifikat PP 55 berlaku.")
    replacement = fulfilment.issue_invoice(member, paid.bast_id)
    demo.variants["procurement.invoice"] += [
        {"invoice_id": paid.id},
        {"invoice_id": replacement.id},
    ]
    # Both sides open the document only when the walk's cooperative is the invoice's.
    if paid.cooperative_id == cooperative.id:
        demo.variants["procurement.document"] += [{"kind": "invoice", "object_id": paid.id}]
        demo.variants.setdefault("procurement.coop_order", [{}]).append(
            {"order_id": paid.purchase_order_id}
        )


def _add_invitations(
    demo: Demo, app: Flask, owner: User, admin: User, cooperative: Cooperative, agency: Agency
) -> None:
    """Invitations to addresses without an account (any signed-in walker sees the page), and
    the shopper's password reset link."""
    invitation = CooperativeInvitation(
        cooperative_id=cooperative.id, email="calon.staf@demo.test", invited_by_id=owner.id
    )
    db.session.add(invitation)
    agency_invitation = agencies.add_member(agency.id, admin, "calon.ppk@demo.test", "ppk")
    db.session.flush()
    shopper = find_user_by_email(SHOPPER)
    assert shopper is not None
    tokens = {
        "accounts.reset_password": _token(
            app, "accounts.reset-password", {"uid": shopper.id, "pw": shopper.password_hash[-12:]}
        ),
        "invitations.join": _token(
            app, "cooperatives.invitation", {"inv": invitation.id, "email": invitation.email}
        ),
        "agency_invitations.join": _token(
            app,
            "procurement.agency-invitation",
            {"inv": agency_invitation.id, "email": agency_invitation.email},
        ),
    }
    demo.variants |= {endpoint: [{"token": token}] for endpoint, token in tokens.items()}
    # A new account's link asks for a button press; a stale link has a page of its own.
    unverified = create_user("belum.verifikasi@demo.test", "rahasia-panjang-2026", "Calon Pembeli")
    db.session.flush()
    verify = {"uid": unverified.id, "email": unverified.email}
    demo.variants["accounts.verify_email"] = [
        {"token": _token(app, "accounts.verify-email", verify)},
        {"token": "tautan-yang-sudah-tidak-berlaku"},
    ]


def _add_city(demo: Demo, shopper: User) -> None:
    """The city's pages of one user and one category; one approved cooperative (the walk's)
    and the one waiting for approval."""
    category = _one(select(Category).where(Category.parent_id.is_(None)))
    pending = _one(select(Cooperative).where(Cooperative.status != CooperativeStatus.APPROVED))
    demo.params |= {"user_id": shopper.id, "category_id": category.id}
    demo.variants |= {
        "catalogue.category": [{"slug": category.slug}],
        "admin.cooperative": [
            {"cooperative_id": demo.params["cooperative_id"]},
            {"cooperative_id": pending.id},
        ],
    }


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Demo]]:
    """A server of its own: the objects added here would change what other browser tests
    find first in the shared one."""
    with serve_app(tmp_path_factory.mktemp("e2e-overflow")) as live:
        yield live, complete_the_demo(live.app)


# ------------------------------------------------------------------------------------------
# Which pages each walker opens
# ------------------------------------------------------------------------------------------


def admits(entry: Entry, walker: Walker) -> bool:
    return entry.policy not in walker.refused and expected(entry, walker.matrix_role) == "allowed"


def urls_of(rule: Rule, demo: Demo) -> list[str]:
    built = []
    for values in demo.variants.get(rule.endpoint, [{}]):
        values = dict(values)
        for name in sorted(rule.arguments - set(values)):
            if name not in demo.params:
                pytest.fail(
                    f"{rule.rule}: give the path parameter {name!r} of {rule.endpoint} a value "
                    "from the demo data in complete_the_demo() (tests/e2e/test_phone_overflow.py)"
                )
            values[name] = demo.params[name]
        path = rule.build(values)
        assert path is not None
        built.append(path[1])
    return built


def get_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def pages_for(walker: Walker, app: Flask, demo: Demo) -> list[tuple[str, str]]:
    """(endpoint, path) of every page ``walker`` may open."""
    matrix = entries()
    pages = []
    for rule in get_rules(app):
        if rule.endpoint in NOT_PAGES or rule.endpoint in UNREACHED:
            continue
        entry = matrix.get(rule.endpoint)
        if entry is None:
            pytest.fail(f"add {rule.endpoint} to the matrix in test_authorization_matrix.py")
        if admits(entry, walker):
            pages.extend((rule.endpoint, path) for path in urls_of(rule, demo))
    return pages


# ------------------------------------------------------------------------------------------
# Measuring a page
# ------------------------------------------------------------------------------------------

#: What sticks out on the page: its scrolling width and the controls past the right edge.
MEASURE = """
() => {
  const width = document.documentElement.clientWidth;
  const scrollsOnPurpose = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if ((overflow === "auto" || overflow === "scroll")
          && node.getAttribute("role") === "region" && node.getAttribute("aria-label")
          && node.tabIndex === 0) {
        return true;
      }
    }
    return false;
  };
  const cut = [];
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, [role=button]";
  for (const element of document.querySelectorAll(controls)) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (box.right <= width + 0.5 || scrollsOnPurpose(element)) continue;
    const name = (element.innerText || element.value || element.getAttribute("aria-label")
                  || element.getAttribute("name") || "").trim().replace(/\\s+/g, " ");
    const tag = element.tagName.toLowerCase();
    cut.push(`${tag} "${name.slice(0, 40)}" (to ${Math.round(box.right)} px)`);
  }
  return {width: width, scrollWidth: document.documentElement.scrollWidth, cut: cut};
}
"""


@dataclass(frozen=True)
class Measure:
    width: int
    scroll_width: int
    cut: list[str]

    @property
    def fits(self) -> bool:
        return self.scroll_width <= self.width and not self.cut

    def __str__(self) -> str:
        text = f"{self.scroll_width} px wide on a {self.width} px screen"
        if self.cut:
            text += "; cut off: " + ", ".join(self.cut[:6])
            if len(self.cut) > 6:
                text += f" and {len(self.cut) - 6} more"
        return text


def measure(page: Page) -> Measure:
    found = page.evaluate(MEASURE)
    return Measure(found["width"], found["scrollWidth"], found["cut"])


# ------------------------------------------------------------------------------------------
# The walk
# ------------------------------------------------------------------------------------------


def sign_in(page: Page, live: LiveServer, email: str) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


def choose_checkout(page: Page, live: LiveServer) -> None:
    """The review page shows the choices made on the checkout page: make the first of each
    (with an empty cart, the checkout sends the walker back to it, and so will the review)."""
    page.goto(live.path("/checkout"))
    if page.url != live.path("/checkout"):
        return
    form = page.locator("main form.checkout-form")
    for name in set(form.locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.name)")):
        radios = form.locator(f"input[type=radio][name='{name}']:not([disabled])")
        if not radios.evaluate_all("rs => rs.some(r => r.checked)"):
            radios.first.check()
    form.locator("button[type=submit]").last.click()
    page.wait_for_url(live.path("/checkout/review"))


#: Steps before a page can be shown: endpoint -> what the walker does first.
BEFORE: dict[str, Callable[[Page, LiveServer], None]] = {"orders.review": choose_checkout}


@dataclass
class Walked:
    """What one walker saw."""

    opened: int = 0
    #: endpoints whose own page was shown (not a redirect elsewhere)
    reached: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def walk(page: Page, live: LiveServer, demo: Demo, walker: Walker, language: str) -> Walked:
    """Every page ``walker`` may open, in ``language``, measured."""
    if walker.email:
        sign_in(page, live, walker.email)
    # The demo accounts' own language is Indonesian; the cookie of a choice made here wins.
    page.goto(live.path(f"/?lang={language}"))
    assert page.locator("html").get_attribute("lang") == language
    walked = Walked()
    for endpoint, path in pages_for(walker, live.app, demo):
        if endpoint in BEFORE:
            BEFORE[endpoint](page, live)
        try:
            response = page.goto(live.path(path))
        except PlaywrightError as error:
            walked.problems.append(
                f"{walker.label}: {path} ({endpoint}) did not open as a page ({error.message}); "
                "if it serves a file, list it in NOT_PAGES"
            )
            continue
        assert response is not None
        walked.opened += 1
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            walked.problems.append(
                f"{walker.label}: {path} ({endpoint}) is {content_type}: list it in NOT_PAGES"
            )
            continue
        if response.status not in (200, 400, 409):
            walked.problems.append(
                f"{walker.label}: {path} ({endpoint}) answered {response.status}: the walk's "
                "data does not fit the route"
            )
        landed = re.sub(r"^https?://[^/]+", "", page.url)
        if landed.split("?")[0] == path.split("?")[0]:
            walked.reached.add(endpoint)
        found = measure(page)
        if not found.fits:
            shown = path if landed == path else f"{path} (→ {landed})"
            walked.problems.append(f"{walker.label}: {shown} is {found}")
    return walked


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_of_any_role_is_wider_than_a_phone(
    demo_server: tuple[LiveServer, Demo], browser: Browser, language: str
) -> None:
    live, demo = demo_server
    problems: list[str] = []
    reached: set[str] = set()
    summary = []
    for walker in WALKERS:
        # One context (one sign-in) per walker; a fresh one for the next.
        context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        try:
            walked = walk(context.new_page(), live, demo, walker, language)
        finally:
            context.close()
        problems += walked.problems
        reached |= walked.reached
        summary.append(f"{walker.label}: {walked.opened}")
    print(f"Pages walked at 360×740 ({language}): " + ", ".join(summary))

    pages = {rule.endpoint for rule in get_rules(live.app)}
    stale = sorted((set(NOT_PAGES) | set(UNREACHED)) - pages)
    assert not stale, f"no longer routes: {stale}"
    unwalked = sorted(pages - reached - set(NOT_PAGES) - set(UNREACHED))
    assert not unwalked, (
        f"no walker reached these pages: {unwalked}; give the walk the data they need or list "
        "them in UNREACHED with the reason"
    )
    assert not problems, f"{len(problems)} pages do not fit a phone:\n" + "\n".join(problems)


def test_the_measure_finds_what_sticks_out_and_spares_a_region_that_scrolls(
    browser: Browser,
) -> None:
    context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    wide_row = (
        "<table><tr><td><a href='/x'>Ubah</a></td>"
        "<td style='padding-left:500px'><button>Hapus</button></td></tr></table>"
    )
    try:
        page.set_content(f"<main>{wide_row}</main>")
        wide = measure(page)
        page.set_content(f"<main><div style='overflow-x:auto'>{wide_row}</div></main>")
        in_a_scroller = measure(page)
        page.set_content(
            "<main><div role='region' aria-label='Tabel' tabindex='0' style='overflow-x:auto'>"
            f"{wide_row}</div></main>"
        )
        in_a_region = measure(page)
    finally:
        context.close()
    assert wide.scroll_width > 360
    assert [cut.split(" (")[0] for cut in wide.cut] == ['button "Hapus"']
    # A box that merely clips keeps the page narrow but hides the button all the same.
    assert in_a_scroller.scroll_width == 360
    assert [cut.split(" (")[0] for cut in in_a_scroller.cut] == ['button "Hapus"']
    assert in_a_region.fits, in_a_region


def test_the_transfer_details_can_be_copied_on_a_phone(
    demo_server: tuple[LiveServer, Demo], browser: Browser
) -> None:
    live, demo = demo_server
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, live, SHOPPER)
        page.goto(live.path(f"/orders/{demo.params['number']}/payment?lang=id"))
        box = page.locator("section.transfer-box").filter(has=page.locator("dl.bank-account"))
        account = box.locator("dd").nth(1)
        number = account.locator(".copyable").inner_text()
        account.get_by_role("button", name="Salin Nomor rekening").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        status = account.locator("[data-copy-status][aria-live=polite]")
        assert copied == number
        assert status.inner_text() == f"Tersalin: {number}"
        box.locator("dd").nth(3).get_by_role("button", name="Salin Jumlah tepat").click()
        amount = page.evaluate("navigator.clipboard.readText()")
    finally:
        context.close()
    assert amount.isdigit(), "the amount goes to the banking app as digits, without Rp or dots"


def test_without_javascript_the_copy_buttons_stay_hidden(
    demo_server: tuple[LiveServer, Demo], browser: Browser
) -> None:
    live, demo = demo_server
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        sign_in(page, live, SHOPPER)
        page.goto(live.path(f"/orders/{demo.params['number']}/payment?lang=id"))
        buttons = page.locator("[data-copy]")
        assert buttons.count() == 3
        assert not any(buttons.nth(i).is_visible() for i in range(3))
        assert page.locator(".copyable").first.is_visible()
    finally:
        context.close()
