"""Only city administrators reach /admin/.

The walks enumerate every ``/admin/`` rule in the URL map, so a route added later is covered
without anyone remembering it: a path parameter or a POST endpoint this module does not know
fails the test until it is mapped here.
"""

from __future__ import annotations

import io
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from werkzeug.routing import Rule

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.complaints import escalation
from marketplace.complaints import money as complaint_money
from marketplace.complaints import services as complaint_services
from marketplace.complaints.models import Complaint
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from marketplace.jobs import FailedJob
from marketplace.mail import FAILED, OutboxEmail
from marketplace.orders.models import Order, VendorOrder, VendorOrderStatus
from marketplace.orders.moves import cancel_by_admin
from marketplace.payments.models import (
    CooperativePayout,
    EntryKind,
    Payment,
    PaymentFlag,
    PayoutStatus,
    Refund,
    SettlementEntry,
)
from marketplace.payments.reconciliation_models import DifferenceKind, ReconciliationDifference
from marketplace.payments.records import raise_flag
from marketplace.payments.transfers import confirm_transfer, submit_transfer_proof
from marketplace.procurement.models import AgencyInvitation, AgencyMember
from marketplace.reviews import services as review_services
from marketplace.reviews.models import Review
from tests.complaints.filing import delivered
from tests.conftest import login
from tests.factories import (
    AgencyMemberFactory,
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.payments.paying import image_bytes
from tests.reviews.buying import buy
from tests.shopping import place


@dataclass
class World:
    """One of each object an admin route can name."""

    cooperative: Cooperative
    owner: User
    user: User
    category: Category
    other_category: Category
    product: Product
    pending_product: Product
    agency_member: Any
    invitation: Any
    disabled_user: User
    payments: PaymentWorld
    failed_job: FailedJob
    failed_email: OutboxEmail
    difference: ReconciliationDifference
    payout: CooperativePayout
    review: Review
    #: A complaint the city decided (a refund the cooperative returned with a proof, and a
    #: photo), and one waiting for its decision.
    complaint: Complaint
    escalated: Complaint


def make_complaints(app: Flask) -> tuple[Complaint, Complaint]:
    with app.test_request_context():
        admin = UserFactory(is_city_admin=True)
        made = []
        for _ in range(2):
            bought = delivered()
            complaint = complaint_services.open_complaint(
                bought.shopper,
                bought.number,
                bought.part_id,
                reason="damaged",
                message="Rusak (uji akses).",
                quantities={bought.line_id: 1},
                photos=[image_bytes()],
            )
            escalation.escalate_as_shopper(
                bought.shopper, bought.number, bought.part_id, "Mohon diputuskan."
            )
            made.append((bought, complaint))
        (bought, decided), (_, escalated) = made
        escalation.decide(admin, decided.id, refund_amount=1_000, reason="Uji.")
        complaint_money.record_cooperative_refund(
            bought.member, bought.cooperative_id, decided.id, image_bytes()
        )
        db.session.commit()
        return decided, escalated


@dataclass
class PaymentWorld:
    """What the payment desk's routes name: an order whose transfer proof waits (and is
    flagged), a refund to return by transfer, a cooperative with a balance to pay out."""

    order: Order
    transfer: Payment
    refund: Refund
    payee: Cooperative


def make_payment_world(app: Flask) -> PaymentWorld:
    cashier = UserFactory(is_city_admin=True)
    shopper = UserFactory()
    proof = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(proof, "PNG")
    with app.test_request_context():
        waiting = place(shopper)
        transfer = submit_transfer_proof(
            shopper, waiting.number, waiting.vendor_orders[0].id, proof.getvalue()
        )
        raise_flag(transfer, PaymentFlag.AMOUNT_MISMATCH, "uji")
        cancelled = place(shopper)
        paid = submit_transfer_proof(
            shopper, cancelled.number, cancelled.vendor_orders[0].id, proof.getvalue()
        )
        confirm_transfer(paid, cashier)
        cancel_by_admin(cashier, cancelled.vendor_orders[0].id, "uji")
        delivered = place(shopper)
        # Completed a month ago, past its complaint window: its money may be paid out.
        delivered.vendor_orders[0].status = VendorOrderStatus.COMPLETED
        delivered.vendor_orders[0].delivered_at = clock.now() - timedelta(days=30)
        # The platform holds this part's money (as after a card payment): a balance to pay out.
        db.session.add(
            SettlementEntry(
                cooperative_id=delivered.vendor_orders[0].cooperative_id,
                kind=EntryKind.EARNING,
                amount=50_000,
                vendor_order_id=delivered.vendor_orders[0].id,
            )
        )
        db.session.commit()
    refund = db.session.scalars(select(Refund).where(Refund.order_id == cancelled.id)).one()
    return PaymentWorld(waiting, transfer, refund, delivered.vendor_orders[0].cooperative)


def make_world(app: Flask) -> World:
    cooperative = CooperativeFactory(status=CooperativeStatus.PENDING)
    owner = CooperativeMemberFactory(cooperative=cooperative).user
    approved = CooperativeFactory()
    category = CategoryFactory()
    other_category = CategoryFactory()
    product = ProductFactory(cooperative=approved, category=category)
    VariantFactory(product=product)
    pending_product = ProductFactory(
        cooperative=approved, category=category, status=ProductStatus.PENDING_REVIEW
    )
    VariantFactory(product=pending_product)
    agency_member = AgencyMemberFactory()
    invitation = AgencyInvitation(
        agency_id=agency_member.agency_id, email="diundang@example.test", role="ppk"
    )
    db.session.add(invitation)
    # The operations page's dead letter and an email that failed every attempt.
    failed_job = FailedJob(
        job_id="rq-uji", function="tests.ops.job_functions:remember", arguments=["uji"], error="x"
    )
    failed_email = OutboxEmail(
        to_address="gagal@example.test",
        subject="Uji",
        body_text="Uji",
        body_html="<p>Uji</p>",
        template="uji",
        locale="id",
        status=FAILED,
        attempts=8,
    )
    difference = ReconciliationDifference(
        dedup_key=f"paid_not_recorded:txn_uji_{uuid.uuid4()}:",
        day=date(2026, 12, 1),
        kind=DifferenceKind.PAID_NOT_RECORDED,
        gateway_id="txn_uji",
        reference="OPOP-2026-999999",
        gateway_amount=25_000,
    )
    # A payout waiting for a second administrator's approval.
    payout = CooperativePayout(
        cooperative_id=approved.id,
        amount=1_000,
        reference=f"opop-payout-{secrets.token_hex(8)}",
        idempotency_key=secrets.token_hex(8),
        status=PayoutStatus.AWAITING_APPROVAL,
    )
    db.session.add_all([failed_job, failed_email, difference, payout])
    complaints = make_complaints(app)
    with app.test_request_context():
        reviewer = UserFactory()
        bought = buy(reviewer)
        review = review_services.write_review(reviewer, bought.number, bought.line_id, 2, "Uji")
    db.session.commit()
    return World(
        cooperative=cooperative,
        owner=owner,
        user=UserFactory(),
        category=category,
        other_category=other_category,
        product=product,
        pending_product=pending_product,
        agency_member=agency_member,
        invitation=invitation,
        disabled_user=UserFactory(disabled_at=datetime(2026, 1, 1, tzinfo=UTC)),
        payments=make_payment_world(app),
        failed_job=failed_job,
        failed_email=failed_email,
        difference=difference,
        payout=payout,
        review=review,
        complaint=complaints[0],
        escalated=complaints[1],
    )


#: Path parameters that name an object, and which object of the world they name.
OBJECT_PARAMS = {
    "cooperative_id": lambda w: w.cooperative.id,
    "user_id": lambda w: w.user.id,
    "category_id": lambda w: w.category.id,
    "product_id": lambda w: w.product.id,
    "agency_id": lambda w: w.agency_member.agency_id,
    "member_id": lambda w: w.agency_member.id,
    "invitation_id": lambda w: w.invitation.id,
    "payment_id": lambda w: w.payments.transfer.id,
    "refund_id": lambda w: w.payments.refund.id,
    "number": lambda w: w.payments.order.number,
    "part_id": lambda w: w.payments.order.vendor_orders[0].id,
    "failed_job_id": lambda w: w.failed_job.id,
    "email_id": lambda w: w.failed_email.id,
    "difference_id": lambda w: w.difference.id,
    "payout_id": lambda w: w.payout.id,
    "review_id": lambda w: w.review.id,
    "complaint_id": lambda w: w.complaint.id,
    "photo_id": lambda w: w.complaint.photos[0].id,
}
#: Path parameters that name no object.
PLAIN_PARAMS = {"action": "approve", "fmt": "csv", "key": "cooperatives"}

#: Every POST endpoint: what an administrator gets for it (with the form below), where the
#: endpoint's object must be in a particular state the parameters to use instead, and whether the
#: action leaves an audit entry with the administrator as the actor (every change does).
POSTS: dict[str, tuple[int, dict[str, Any], bool]] = {
    "admin.decide_cooperative": (302, {}, True),
    "admin.set_pilot": (302, {}, True),
    "admin.disable_user": (302, {}, True),
    "admin.enable_user": (302, {"user_id": lambda w: w.disabled_user.id}, True),
    "admin.send_password_reset": (302, {}, True),
    "admin.create_category": (302, {}, True),
    "admin.edit_category": (302, {}, True),
    "admin.move_category": (302, {}, True),
    "admin.merge_category": (302, {}, True),
    "admin.moderation_setting": (302, {}, True),
    "admin.search_synonyms": (302, {}, True),
    "admin.approve_product": (302, {"product_id": lambda w: w.pending_product.id}, True),
    "admin.refuse_product": (302, {"product_id": lambda w: w.pending_product.id}, True),
    "admin.hide_product": (302, {}, True),
    "admin.unhide_product": (409, {}, False),  # the world's product is not hidden
    "admin.create_agency": (302, {}, True),
    "admin.edit_agency": (302, {}, True),
    "admin.add_agency_member": (302, {}, True),
    "admin.set_agency_member_nip": (302, {}, True),
    "admin.remove_agency_member": (302, {}, True),
    "admin.revoke_agency_invitation": (302, {}, True),
    "payments.admin_confirm": (302, {}, True),
    "payments.admin_reject": (302, {}, True),
    "payments.flag": (302, {}, True),
    "payments.refund": (302, {}, True),
    "payments.retry_refund": (400, {}, False),  # only a failed card refund is sent again
    "payments.new_payout": (302, {}, True),
    # Xendit is off here: the gateway's payouts are refused with the page's message.
    "payments.pay_through_gateway": (400, {}, False),
    "payments.approve_payout": (400, {}, False),
    "payments.cancel_payout": (302, {}, True),
    "payments.retry_payout": (400, {}, False),  # only a sent payout without an answer
    "payments.payout_schedule_setting": (302, {}, True),
    "payments.admin_cancel_part": (302, {}, True),
    "payments.resolve_difference": (302, {}, True),
    "admin.retry_failed_job": (302, {}, True),
    "admin.discard_failed_job": (302, {}, True),
    "admin.resend_email": (302, {}, True),
    "admin.review_moderation_setting": (302, {}, True),
    "admin.hide_review": (302, {}, True),
    "admin.show_review": (302, {}, True),  # a visible review: its reports are dismissed
    "admin.decide_complaint": (302, {"complaint_id": lambda w: w.escalated.id}, True),
}


def form_data(world: World) -> dict[str, Any]:
    """Valid answers to every admin form, so only the policy can stop a change."""
    return {
        "reason": "Alasan uji akses.",
        "is_pilot": "y",
        "name": "Kategori Uji Akses",
        "name_en": "Access Test Category",
        "parent_id": "0",
        "target_id": str(world.other_category.id),
        "direction": "down",
        "enabled": "y",
        "email": "akses@example.test",
        "role": "ppk",
        "address": "Jl. Uji",
        "note": "Sudah diperiksa.",
        "bank_reference": "TRF-UJI-1",
        "cooperative_id": str(world.payments.payee.id),
        "amount": "1000",
        "paid_on": "2026-11-02",
        "groups": "kripik, keripik",
        "nip": "198001012005011001",
        "refund_amount": "0",
    }


def admin_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/")]
    assert len(rules) >= 8, "the walk found suspiciously few admin routes"
    return rules


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST"})


def url(rule: Rule, world: World, **overrides: Any) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in overrides:
            values[name] = overrides[name]
        elif name in OBJECT_PARAMS:
            values[name] = OBJECT_PARAMS[name](world)
        elif name in PLAIN_PARAMS:
            values[name] = PLAIN_PARAMS[name]
        else:
            pytest.fail(f"{rule.rule}: map the path parameter {name!r} in test_access.py")
    built = rule.build(values)
    assert built is not None
    return built[1]


def fingerprint() -> tuple[Any, ...]:
    """What any admin action would change: the audit log, the outbox, statuses."""
    db.session.expire_all()

    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return (
        count(AuditLog),
        count(OutboxEmail),
        count(Category),
        tuple(db.session.execute(select(Cooperative.id, Cooperative.status, Cooperative.is_pilot))),
        tuple(db.session.execute(select(Product.id, Product.status, Product.category_id))),
        tuple(db.session.execute(select(User.id, User.disabled_at))),
        tuple(db.session.execute(select(AgencyMember.id, AgencyMember.role))),
        tuple(db.session.execute(select(AgencyInvitation.id, AgencyInvitation.revoked_at))),
        tuple(db.session.execute(select(Payment.id, Payment.status, Payment.flag))),
        tuple(db.session.execute(select(Refund.id, Refund.status))),
        tuple(db.session.execute(select(VendorOrder.id, VendorOrder.status))),
        count(SettlementEntry),
        tuple(db.session.execute(select(FailedJob.id))),
        tuple(db.session.execute(select(Review.id, Review.status, Review.open_reports))),
        tuple(db.session.execute(select(OutboxEmail.id, OutboxEmail.status))),
    )


def sign_in_as(client: FlaskClient, who: str, world: World) -> None:
    if who == "guest":
        return
    email = {
        "shopper": world.user.email,
        "cooperative member": world.owner.email,
        "agency member": world.agency_member.user.email,
    }[who]
    assert login(client, email).status_code == 302


@pytest.mark.parametrize("who", ["guest", "shopper", "cooperative member", "agency member"])
def test_everyone_but_a_city_admin_is_kept_out_of_every_admin_route(
    client: FlaskClient, who: str
) -> None:
    world = make_world(client.application)
    sign_in_as(client, who, world)
    before = fingerprint()
    checked = 0
    for rule in admin_rules(client.application):
        for method in methods(rule):
            response = client.open(url(rule, world), method=method, data=form_data(world))
            if who == "guest":
                assert response.status_code == 302, (method, rule.rule)
                assert "/account/login" in response.headers["Location"], (method, rule.rule)
            else:
                assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked += 1
    assert fingerprint() == before, "a refused request changed something"
    assert checked >= 8


def test_a_city_admin_opens_every_admin_page(admin_client: FlaskClient) -> None:
    world = make_world(admin_client.application)
    for rule in admin_rules(admin_client.application):
        if "GET" not in methods(rule):
            continue
        if rule.endpoint == "payments.find_order":
            # The desk's order search answers with the order's page.
            found = admin_client.get(
                url(rule, world), query_string={"number": world.payments.order.number}
            )
            assert found.headers["Location"].endswith(f"/orders/{world.payments.order.number}")
            continue
        response = admin_client.get(url(rule, world))
        assert response.status_code == 200, (rule.rule, response.status_code)


def test_a_city_admin_can_use_every_admin_action_and_each_is_audited(
    admin_client: FlaskClient, admin: User
) -> None:
    for rule in admin_rules(admin_client.application):
        if "POST" not in methods(rule):
            continue
        if rule.endpoint not in POSTS:
            pytest.fail(f"{rule.endpoint}: add the expected status to POSTS in test_access.py")
        # a fresh world each time: the actions change what they touch
        world = make_world(admin_client.application)
        status, overrides, audited = POSTS[rule.endpoint]
        resolved = {k: (v(world) if callable(v) else v) for k, v in overrides.items()}
        last = db.session.scalar(select(func.max(AuditLog.id))) or 0
        response = admin_client.post(url(rule, world, **resolved), data=form_data(world))
        assert response.status_code == status, (rule.rule, response.status_code)
        entries = list(db.session.scalars(select(AuditLog).where(AuditLog.id > last)))
        if audited:
            assert entries, f"{rule.endpoint} changed something without an audit entry"
            assert {entry.actor_id for entry in entries} == {admin.id}, rule.endpoint
        else:
            assert entries == [], rule.endpoint


def test_the_admin_link_shows_only_for_city_admins(
    client: FlaskClient, admin_client: FlaskClient
) -> None:
    assert 'href="/admin/"' in admin_client.get("/").get_data(as_text=True)
    UserFactory(email="biasa@example.test")
    other = FlaskClient(client.application, client.response_wrapper)
    assert login(other, "biasa@example.test").status_code == 302
    assert 'href="/admin/"' not in other.get("/").get_data(as_text=True)


def test_every_admin_form_carries_a_csrf_token_and_every_action_needs_it(
    admin_client: FlaskClient, csrf_enabled: None
) -> None:
    world = make_world(admin_client.application)
    app = admin_client.application
    forms_seen = 0
    for rule in admin_rules(app):
        if "GET" not in methods(rule) or rule.endpoint == "admin.export_table":
            continue
        page = admin_client.get(url(rule, world))
        if page.mimetype != "text/html":
            continue  # a proof image, a statement CSV
        html = page.get_data(as_text=True)
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            assert 'name="csrf_token"' in form, (rule.rule, form[:200])
            forms_seen += 1
    assert forms_seen >= 15
    before = fingerprint()
    for rule in admin_rules(app):
        if "POST" in methods(rule):
            response = admin_client.post(url(rule, world), data=form_data(world))
            assert response.status_code == 400, rule.rule
    assert fingerprint() == before


def test_the_workspace_menu_leads_to_the_payment_desk_and_marks_it(
    admin_client: FlaskClient,
) -> None:
    for page in ("/admin/", "/admin/cooperatives"):
        html = admin_client.get(page).get_data(as_text=True)
        assert '<a href="/admin/payments/">Meja pembayaran</a>' in html, page
    desk = admin_client.get("/admin/payments/").get_data(as_text=True)
    assert '<a href="/admin/payments/" aria-current="page">Meja pembayaran</a>' in desk
