"""The world the form fuzzing runs in: the demo data (every role, orders and procurements in
each state) on a database of its own, committed once, plus what the demo lacks, all made through
the real services: orders awaiting payment, a proof to check, paid, accepted and shipped, and a
filled cart; on the payment desk a flagged transfer, a transfer refund to return and a failed
card refund; in the admin's queues a product to moderate, a hidden product, a disabled account,
an open agency invitation, a failed job and an email that failed every attempt; in the owner's
cooperative a staff member, an open invitation, a product with two pictures and an import
checked but not applied; an unverified account; and procurements waiting on each officer (an
offer, an agreed offer, one for the PPK, a delivery to inspect or withdraw and a BAST to
invoice)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from marketplace import clock
from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.accounts.services import create_user, find_user_by_email
from marketplace.catalogue import management, moderation
from marketplace.catalogue.models import Product, ProductStatus, ProductVariant
from marketplace.complaints.models import Complaint
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.models import CooperativeMember
from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from marketplace.inventory.bulk import export as bulk_export
from marketplace.inventory.bulk import imports as bulk_imports
from marketplace.inventory.models import ImportStatus
from marketplace.jobs import FailedJob
from marketplace.mail import FAILED, OutboxEmail
from marketplace.messages import services as message_services
from marketplace.messages.models import OrderMessage, ProductThread, Side
from marketplace.orders import checkout as order_checkout
from marketplace.orders import moves as order_moves
from marketplace.orders.models import (
    DeliveryMethod,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from marketplace.payments import refunds, transfers
from marketplace.payments.models import (
    Payee,
    Payment,
    PaymentAllocation,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from marketplace.payments.reconciliation_models import DifferenceKind, ReconciliationDifference
from marketplace.payments.records import raise_flag
from marketplace.payments.services import apply_received
from marketplace.procurement import agencies, negotiation, purchasing, requests
from marketplace.procurement.models import (
    Agency,
    AgencyMember,
    BudgetLine,
    FrozenDocument,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    RequestStatus,
)
from marketplace.reviews import services as review_services
from tests.conftest import login
from tests.fuzz.forms import Form, crawl
from tests.procurement import workflow as wf
from tests.shopping import choices, fill_cart, place

SHOPPER = "pembeli@demo.test"
OWNER = "koperasi1@demo.test"
ADMIN = "admin@demo.test"
APPLICANT = "pendaftar@demo.test"  # the demo's cooperative waiting for the city's approval
UNVERIFIED = "belum-verifikasi@demo.test"

PROCUREMENT = ("procurement.",)
#: Who crawls, in order (the first role to find a form for an endpoint fuzzes it): where from,
#: and which views they follow links to (all when empty; the guest and the shopper cover the
#: public pages and the account, so the workspaces' crawls stay in their workspace).
ROLES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "guest": (["/", "/account/login", "/account/register", "/account/forgot-password"], ()),
    SHOPPER: (["/", "/account/profile", "/orders", "/cart"], ()),
    OWNER: (
        ["/vendor/", "/vendor/orders", "/procurement/", "/account/notifications/"],
        ("vendors.", "payments.", "notifications.", *PROCUREMENT),
    ),
    "pengadaan@demo.test": (["/procurement/"], PROCUREMENT),
    "ppk@demo.test": (["/procurement/"], PROCUREMENT),
    "penerima@demo.test": (["/procurement/"], PROCUREMENT),
    "bendahara@demo.test": (["/procurement/"], PROCUREMENT),
    ADMIN: (
        ["/admin/", "/admin/payments/", "/procurement/budgets"],
        ("admin.", "payments.", *PROCUREMENT),
    ),
    APPLICANT: (["/vendor/status"], ("vendors.",)),
    UNVERIFIED: (["/account/profile"], ("accounts.",)),
}


@dataclass
class World:
    app: Flask
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)  # role → cookies
    forms: dict[str, Form] = field(default_factory=dict)  # endpoint → the form to fuzz
    pages: int = 0


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def seed(app: Flask) -> None:
    with app.test_request_context():
        seed_demo()
        db.session.commit()
    with app.test_request_context():
        _payments_desk()  # before the orders the shopper's pages must show first, and the cart
        db.session.commit()
    with app.test_request_context():
        _orders_in_every_state()
        db.session.commit()
    with app.test_request_context():
        _admin_queues()
        _owner_workspace()
        db.session.commit()
    with app.test_request_context():
        _procurements_waiting()
        db.session.commit()


def _orders_in_every_state() -> None:
    shopper = find_user_by_email(SHOPPER)
    owner = find_user_by_email(OWNER)
    assert shopper is not None and owner is not None
    cooperative_id = db.session.scalar(
        select(CooperativeMember.cooperative_id).where(CooperativeMember.user_id == owner.id)
    )
    products = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status == ProductStatus.ACTIVE)
        .order_by(Product.id)
    ).all()
    variant = next(p.variants[0] for p in products if p.variants[0].available >= 20)

    def order(
        delivery: DeliveryMethod = DeliveryMethod.PICKUP,
        payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    ) -> Order:
        fill_cart(shopper, (variant, 1))
        return order_checkout.place_order(
            shopper,
            choices(variant, delivery=delivery, payment=payment),
            order_checkout.new_idempotency_key(),
        )

    proof = order()
    transfers.submit_transfer_proof(shopper, proof.number, proof.vendor_orders[0].id, png())
    paid = order()
    order_moves.mark_order_paid(paid, reference="FUZZ")  # to accept or reject
    for delivery in (DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY):
        accepted = order(delivery=delivery)
        order_moves.mark_order_paid(accepted, reference="FUZZ")
        order_moves.accept_vendor_order(owner, accepted.vendor_orders[0].id)  # ready / ship
    shipped = order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    order_moves.mark_order_paid(shipped, reference="FUZZ")
    order_moves.accept_vendor_order(owner, shipped.vendor_orders[0].id)
    order_moves.mark_shipped(owner, shipped.vendor_orders[0].id, "Kurir koperasi")  # to deliver
    # The newest orders come first in the shopper's list, and the crawl reads a few of each page.
    delivered = order(delivery=DeliveryMethod.LOCAL_DELIVERY)
    order_moves.mark_order_paid(delivered, reference="FUZZ")
    order_moves.accept_vendor_order(owner, delivered.vendor_orders[0].id)
    order_moves.mark_shipped(owner, delivered.vendor_orders[0].id, "Kurir koperasi")
    order_moves.mark_delivered(owner, delivered.vendor_orders[0].id)  # receipt to confirm
    # Unread messages each way, so both sides' threads show the form that marks them read.
    message_services.post(shopper, delivered.vendor_orders[0], Side.SHOPPER, "Sudah dikirim?")
    # A completed order the shopper reviewed (to change or delete), and another buyer's review
    # of the same product (the shopper may report it; the owner answers it).
    completed = order()
    order_moves.mark_order_paid(completed, reference="FUZZ")
    _hand_over(owner, completed.vendor_orders[0].id)
    order_moves.confirm_receipt(shopper, completed.number or "", completed.vendor_orders[0].id)
    review_services.write_review(
        shopper, completed.number or "", completed.vendor_orders[0].lines[0].id, 4, "Enak (uji)"
    )
    reviewer = create_user("pengulas@demo.test", DEMO_PASSWORD, "Pengulas Uji", verified=True)
    theirs = place(reviewer, (variant, 1))
    order_moves.mark_order_paid(theirs, reference="FUZZ")
    _hand_over(owner, theirs.vendor_orders[0].id)
    order_moves.confirm_receipt(reviewer, theirs.number or "", theirs.vendor_orders[0].id)
    review = review_services.write_review(
        reviewer, theirs.number or "", theirs.vendor_orders[0].lines[0].id, 2, "Kurang (uji)"
    )
    review_services.report_review(shopper, review.id, "uji")  # in the city's queue
    message_services.post(owner, completed.vendor_orders[0], Side.COOPERATIVE, "Terima kasih")
    # Questions about the product before buying: the shopper's, answered (the shopper marks the
    # answer read), and another's, not yet (the cooperative's inbox, answer and mark read).
    asked = message_services.ask_about_product(shopper, variant.product, "Ada rasa pedas?", [])
    message_services.post(owner, asked, Side.COOPERATIVE, "Ada, level 3.")
    message_services.ask_about_product(reviewer, variant.product, "Tahan berapa lama?", [])
    order(payment=PaymentMethod.CARD)  # awaiting a card payment
    order()  # awaiting a transfer: proof upload, cancel
    fill_cart(shopper, (variant, 2))  # the cart and the checkout


def _hand_over(owner: User, part_id: int) -> None:
    order_moves.accept_vendor_order(owner, part_id)
    order_moves.mark_ready_for_pickup(owner, part_id)
    order_moves.mark_delivered(owner, part_id)


def _quoting_owners() -> list[str]:
    """The owners of the cooperatives the demo agency asked for quotations."""
    rows = db.session.execute(
        select(CooperativeMember.cooperative_id, Quotation.id)
        .join(Quotation, Quotation.cooperative_id == CooperativeMember.cooperative_id)
        .where(CooperativeMember.role == "owner")
        .order_by(Quotation.id)
    ).all()
    emails: list[str] = []
    for cooperative_id, _ in rows:
        member = db.session.scalar(
            select(CooperativeMember).where(
                CooperativeMember.cooperative_id == cooperative_id,
                CooperativeMember.role == "owner",
            )
        )
        if member is not None and member.user.email not in emails:
            emails.append(member.user.email)
    return emails


def _pages_no_link_leads_to() -> dict[str, list[str]]:
    """Pages reached from a search form rather than a link: the desk's page of a paid order
    (where a part can be cancelled) and the draft request searched for a catalogue product; and
    the payment page of an order whose refund waits for the shopper's account."""
    number = db.session.scalars(
        select(Order.number)
        .join(VendorOrder, VendorOrder.order_id == Order.id)
        .where(VendorOrder.status == VendorOrderStatus.PAID)
        .order_by(Order.id)
    ).first()
    draft = db.session.scalars(
        select(ProcurementRequest.id)
        .where(ProcurementRequest.status == RequestStatus.DRAFT)
        .order_by(ProcurementRequest.id)
    ).first()
    # The demo's partly delivered Surat Pesanan (the PPK may end it short): the PPK's crawl
    # reads only a few Surat Pesanan, and the seed's own (a delivery still to inspect) is newer.
    partly = db.session.scalars(
        select(PurchaseOrder.id)
        .where(PurchaseOrder.status == OrderStatus.PARTLY_DELIVERED)
        .order_by(PurchaseOrder.id)
    ).first()
    # A paid invoice of the demo, where the treasurer records its SPP, SPM and tax
    # remittances (the treasurer's crawl reads only a few Surat Pesanan).
    paid_invoice = db.session.scalars(
        select(Invoice.id).where(Invoice.status == InvoiceStatus.PAID).order_by(Invoice.id)
    ).first()
    # The payment page of the order whose refund waits for the shopper's bank account (the
    # crawl reads only a few of the shopper's orders).
    waiting = db.session.scalars(
        select(Order.number)
        .join(Refund, Refund.order_id == Order.id)
        .where(Refund.method == RefundMethod.PAYOUT)
    ).first()
    # The shopper's question about a product (its page is linked from the product's page).
    asked = db.session.scalars(
        select(Product.slug)
        .join(ProductThread, ProductThread.product_id == Product.id)
        .join(User, User.id == ProductThread.shopper_id)
        .where(User.email == SHOPPER)
    ).first()
    assert number is not None and draft is not None and partly is not None
    assert waiting is not None and asked is not None
    # The demo's complaints, one in each state (the crawl reads only a few orders): the
    # shopper's pages with a step to take, and the cooperative's; and a delivered part to
    # complain about.
    complaints = {
        complaint.status: complaint for complaint in db.session.scalars(select(Complaint))
    }

    def shopper_page(status: str) -> str:
        part = complaints[status].vendor_order
        return f"/orders/{part.order.number}/complaint/{part.id}"

    delivered = db.session.scalars(
        select(VendorOrder)
        .where(VendorOrder.status == VendorOrderStatus.DELIVERED)
        .where(~VendorOrder.id.in_([c.vendor_order_id for c in complaints.values()]))
        .order_by(VendorOrder.id)
    ).first()
    assert delivered is not None
    # The crawl reads only a few orders, and the demo's complaints are newer than the world's:
    # the shopper's thread with the cooperative's unread answer (to mark read), and the
    # cooperative's parts to ship, to make ready for pickup and to deliver.
    answered = db.session.scalars(
        select(VendorOrder)
        .join(OrderMessage, OrderMessage.vendor_order_id == VendorOrder.id)
        .where(OrderMessage.side == Side.COOPERATIVE, OrderMessage.read_at.is_(None))
        .order_by(VendorOrder.id)
    ).first()
    shipped = db.session.scalars(
        select(VendorOrder.id)
        .where(VendorOrder.status == VendorOrderStatus.SHIPPED)
        .order_by(VendorOrder.id.desc())
    ).first()
    unread_by_cooperative = db.session.scalars(
        select(OrderMessage.vendor_order_id)
        .where(
            OrderMessage.side == Side.SHOPPER,
            OrderMessage.read_at.is_(None),
            OrderMessage.vendor_order_id.is_not(None),
        )
        .order_by(OrderMessage.id)
    ).first()
    to_ship, to_hand_over = (
        db.session.scalars(
            select(VendorOrder.id)
            .where(
                VendorOrder.status == VendorOrderStatus.ACCEPTED,
                VendorOrder.delivery_method == method,
            )
            .order_by(VendorOrder.id.desc())
        ).first()
        for method in (DeliveryMethod.LOCAL_DELIVERY, DeliveryMethod.PICKUP)
    )
    assert answered is not None and shipped is not None
    assert to_ship is not None and to_hand_over is not None
    assert unread_by_cooperative is not None
    # A frozen document's public verification page: its address is printed on paper (and as a
    # QR code), so no page links to it.
    token = db.session.scalars(select(FrozenDocument.token).order_by(FrozenDocument.id)).first()
    assert token is not None
    return {
        "guest": [f"/v/{token}"],
        SHOPPER: [
            f"/orders/{waiting}/payment",
            f"/products/{asked}/questions",
            f"/orders/{answered.order.number}/messages/{answered.id}",
            f"/orders/{delivered.order.number}/complaint/{delivered.id}/new",
            *(
                shopper_page(status)
                for status in ("open", "return_requested", "rejected", "refund_accepted")
            ),
        ],
        OWNER: [
            f"/vendor/orders/{to_ship}",
            f"/vendor/orders/{to_hand_over}",
            f"/vendor/orders/{shipped}",
            f"/vendor/orders/{unread_by_cooperative}/messages",
            *(
                f"/vendor/complaints/{complaints[status].id}"
                for status in ("open", "return_shipped", "resolved")
            ),
        ],
        ADMIN: [f"/admin/payments/orders/{number}"],
        "pengadaan@demo.test": [f"/procurement/requests/{draft}?q=keripik"],
        "ppk@demo.test": [f"/procurement/orders/{partly}"],
        "bendahara@demo.test": [f"/procurement/invoices/{paid_invoice}"],
    }


def signed_in_client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "guest":
        assert login(client, role, DEMO_PASSWORD).status_code == 302, role
    return client


def explore(app: Flask) -> World:
    world = World(app)
    roles = dict(ROLES)
    with app.app_context():
        for email in _quoting_owners():
            roles.setdefault(email, (["/procurement/"], PROCUREMENT))
        for role, pages in _pages_no_link_leads_to().items():
            starts, only = roles[role]
            roles[role] = ([*starts, *pages], only)
    for role, (starts, only) in roles.items():
        client = signed_in_client(app, role)
        forms, pages = crawl(app, client, role, starts, only=only)
        world.pages += pages
        for form in forms:
            world.forms.setdefault(form.endpoint, form)
        world.cookies[role] = {cookie.key: cookie.value for cookie in client._cookies.values()}
    return world


def _owner_membership() -> CooperativeMember:
    owner = find_user_by_email(OWNER)
    assert owner is not None
    membership = db.session.scalar(
        select(CooperativeMember).where(CooperativeMember.user_id == owner.id)
    )
    assert membership is not None
    return membership


def _admin() -> User:
    admin = find_user_by_email(ADMIN)
    assert admin is not None
    return admin


def _admin_queues() -> None:
    """A product waiting for moderation, a hidden product, a disabled account, an open agency
    invitation, a failed job and a failed email: the admin's queues, each with something in it."""
    admin = _admin()
    membership = _owner_membership()
    category_id = db.session.scalars(select(Product.category_id).order_by(Product.id)).first()
    assert category_id is not None
    moderation.set_moderation(admin, True)
    waiting, _variant = management.create_product(
        membership.cooperative_id,
        membership.user_id,
        management.ProductData(
            category_id=category_id,
            name="Keripik Uji Moderasi",
            description="Menunggu pemeriksaan admin kota.",
            unit="bungkus",
            weight_grams=250,
            min_order_qty=1,
        ),
        management.VariantData(sku="FUZZ-MODERASI", price=12_000),
    )
    management.change_publication(
        membership.cooperative_id, waiting.id, membership.user_id, "publish"
    )
    assert waiting.status == ProductStatus.PENDING_REVIEW
    moderation.set_moderation(admin, False)
    # A live product of another cooperative, hidden by the city.
    hidden = db.session.scalars(
        select(Product)
        .where(
            Product.status == ProductStatus.ACTIVE,
            Product.cooperative_id != membership.cooperative_id,
        )
        .order_by(Product.id.desc())
    ).first()
    assert hidden is not None
    moderation.hide_product(hidden.id, admin, "Foto tidak sesuai produk (uji).")
    disabled = create_user("nonaktif@demo.test", DEMO_PASSWORD, "Akun Nonaktif", verified=True)
    accounts.disable_user(disabled, admin)
    agency_id = db.session.scalars(select(Agency.id).order_by(Agency.id)).first()
    assert agency_id is not None
    agencies.add_member(agency_id, admin, "calon-ppk@demo.test", ProcurementRole.PPK.value)
    # An account that has not verified its email yet: its profile offers the link again.
    create_user(UNVERIFIED, DEMO_PASSWORD, "Belum Verifikasi")
    # The operations page's dead letter and an email that failed every attempt.
    db.session.add_all(
        [
            FailedJob(
                job_id="rq-fuzz",
                function="tests.ops.job_functions:remember",
                arguments=["fuzz"],
                error="RuntimeError: uji",
            ),
            OutboxEmail(
                to_address="gagal@demo.test",
                subject="Uji gagal kirim",
                body_text="Uji",
                body_html="<p>Uji</p>",
                template="uji",
                locale="id",
                status=FAILED,
                attempts=8,
                last_error="SMTPServerDisconnected: uji",
            ),
        ]
    )


def _owner_workspace() -> None:
    """The owner's cooperative with a staff member, an open invitation, a product with two
    pictures and an import checked but not applied."""
    membership = _owner_membership()
    cooperative_id = membership.cooperative_id
    staff = create_user("staf@demo.test", DEMO_PASSWORD, "Staf Koperasi", verified=True)
    invitation = cooperatives.invite_staff(membership, staff.email)
    token = cooperatives.INVITATIONS.token(invitation)
    cooperatives.accept_invitation(staff, token)
    cooperatives.invite_staff(membership, "calon-staf@demo.test")
    product = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status == ProductStatus.ACTIVE)
        .order_by(Product.id)
    ).first()
    assert product is not None
    management.add_image(cooperative_id, product.id, membership.user_id, png(), "Tampak samping")
    rows = bulk_export.export_rows(cooperative_id)
    row = rows[-1]
    row[4] = int(row[4]) + 500  # the price: one change to preview
    job = bulk_imports.start_import(
        cooperative_id, membership.user_id, "harga.csv", bulk_export.write_file([row], "csv")
    )
    assert job.status == ImportStatus.PREVIEWED and not job.errors and job.changes, job.errors


def _payments_desk() -> None:
    """On the payment desk: a flagged transfer, a transfer refund to return and a card refund
    Stripe could not make."""
    admin = _admin()
    shopper = find_user_by_email(SHOPPER)
    assert shopper is not None
    variant = _shopping_variant()

    def order(payment: PaymentMethod = PaymentMethod.BANK_TRANSFER) -> Order:
        fill_cart(shopper, (variant, 1))
        return order_checkout.place_order(
            shopper, choices(variant, payment=payment), order_checkout.new_idempotency_key()
        )

    flagged = order()
    proof = transfers.submit_transfer_proof(
        shopper, flagged.number, flagged.vendor_orders[0].id, png()
    )
    raise_flag(proof, PaymentFlag.AMOUNT_MISMATCH, "Nominal transfer berbeda (uji).")
    returned = order()
    paid = transfers.submit_transfer_proof(
        shopper, returned.number, returned.vendor_orders[0].id, png()
    )
    transfers.confirm_transfer(paid, admin)
    order_moves.cancel_by_admin(admin, returned.vendor_orders[0].id, "Stok rusak (uji).")
    # A card payment Stripe took (recorded as its webhook would), then a cancellation whose
    # refund Stripe cannot make: the payment has no PaymentIntent to refund.
    by_card = order(PaymentMethod.CARD)
    card = Payment(
        order_id=by_card.id,
        method=PaymentMethod.CARD,
        status=PaymentStatus.SUCCEEDED,
        amount=by_card.vendor_orders[0].total,
        payee=Payee.PLATFORM,
        reference=by_card.number or "",
        idempotency_key="opop-checkout-fuzz",
        created_by=shopper.id,
        provider_reference="cs_test_fuzz",
    )
    card.allocations = [
        PaymentAllocation(vendor_order_id=part.id, amount=part.total)
        for part in by_card.vendor_orders
    ]
    db.session.add(card)
    db.session.flush()
    apply_received(card, admin.id)
    order_moves.cancel_by_admin(admin, by_card.vendor_orders[0].id, "Tidak dapat dikirim (uji).")
    refund = db.session.scalars(select(Refund).where(Refund.order_id == by_card.id)).one()
    db.session.commit()
    refunds.process_refund(refund.id)
    db.session.refresh(refund)
    assert refund.status == RefundStatus.FAILED, refund.status
    # A difference the daily reconciliation with Xendit found, open on the desk.
    db.session.add(
        ReconciliationDifference(
            dedup_key="paid_not_recorded:txn_fuzz:",
            day=clock.today(),
            kind=DifferenceKind.PAID_NOT_RECORDED,
            gateway_id="txn_fuzz",
            reference="OPOP-2026-999999",
            gateway_amount=25_000,
        )
    )
    db.session.commit()
    # A refund waiting for the shopper's bank account (made in production for a virtual
    # account with Xendit on; Xendit is off here, so a payout meets no gateway and waits).
    waiting = order()
    db.session.add(
        Refund(
            vendor_order_id=waiting.vendor_orders[0].id,
            order_id=waiting.id,
            method=RefundMethod.PAYOUT,
            status=RefundStatus.PENDING,
            reason=RefundReason.CANCELLED,
            amount=waiting.vendor_orders[0].total,
            idempotency_key="opop-refund-fuzz-payout",
        )
    )
    db.session.commit()


def _shopping_variant() -> ProductVariant:
    membership = _owner_membership()
    products = db.session.scalars(
        select(Product)
        .where(
            Product.cooperative_id == membership.cooperative_id,
            Product.status == ProductStatus.ACTIVE,
        )
        .order_by(Product.id)
    ).all()
    return next(p.variants[0] for p in products if p.variants[0].available >= 20)


def _procurements_waiting() -> None:
    """The demo agency's procurements from the owner's cooperative waiting on each officer: an
    offer to agree or counter, an agreed offer to forward, one waiting for the PPK, and a Surat
    Pesanan with a BAST to invoice and a second delivery to inspect (or withdraw)."""
    agency = db.session.scalars(select(Agency).order_by(Agency.id)).first()
    assert agency is not None
    people = {
        role: db.session.scalars(
            select(User)
            .join(AgencyMember, AgencyMember.user_id == User.id)
            .where(AgencyMember.agency_id == agency.id, AgencyMember.role == role)
            .order_by(User.id)
        ).first()
        for role in ProcurementRole
    }
    membership = _owner_membership()
    variant = db.session.scalars(
        select(ProductVariant)
        .join(Product)
        .where(
            Product.cooperative_id == membership.cooperative_id,
            Product.status == ProductStatus.ACTIVE,
        )
        .order_by(ProductVariant.id.desc())
    ).first()
    assert variant is not None and variant.available >= 20
    cast = wf.Cast(
        agency=agency,
        pp=people[ProcurementRole.PEJABAT_PENGADAAN],
        ppk=people[ProcurementRole.PPK],
        receiver=people[ProcurementRole.PENERIMA],
        treasurer=people[ProcurementRole.BENDAHARA],
        cooperative=membership.cooperative,
        member=membership.user,
        variant=variant,
        other_agency=agency,
        other_ppk=people[ProcurementRole.PPK],
        other_pp=people[ProcurementRole.PEJABAT_PENGADAAN],
    )
    # The demo agency has entered its budget lines: each request names one.
    line = db.session.scalars(
        select(BudgetLine.id)
        .where(BudgetLine.agency_id == agency.id, BudgetLine.year == clock.today().year)
        .order_by(BudgetLine.id)
    ).first()
    charged = {"budget_line_id": line, "ceiling": 5_000_000}
    wf.quoted(cast, quantity=5, title="Uji: penawaran menunggu pejabat pengadaan", **charged)
    wf.agreed(cast, quantity=5, title="Uji: penawaran disepakati, belum diteruskan", **charged)
    wf.forwarded(cast, quantity=5, title="Uji: penawaran menunggu PPK", **charged)
    quotation = wf.forwarded(
        cast, quantity=10, title="Uji: Surat Pesanan dikirim bertahap", **charged
    )
    order = negotiation.approve_quotation(cast.ppk, quotation.id, "Kebutuhan berbeda (uji).")
    purchasing.accept_order(cast.member, order.id)
    bast = wf.inspect(cast, wf.deliver(cast, order, 4), 4)
    assert bast.invoice is None
    wf.deliver(cast, order, 6)  # waits for the receiver's inspection
    # A request cancelled after it was sent: its page offers the copy into a new draft.
    ended = wf.sent(cast, 5, title="Uji: permintaan dibatalkan, untuk disalin", **charged)
    requests.cancel_request(cast.pp, ended.id, "Anggaran digeser (uji).")
