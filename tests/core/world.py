"""A small marketplace in which every route of the app has something real to name, owned by
somebody: the world of the authorization matrix and of the CSRF walk.

The parties: a shopper (with an order from cooperative A, a transfer proof, a refund, an address
and a cart line), another shopper, cooperative A (its listings, import job, staff, invitation,
orders and procurement quotation, Surat Pesanan, deliveries, BAST and invoice), cooperative B,
agency A and agency B (one member per procurement role each) and a city administrator. The ids
in the URLs are always of the shopper's, cooperative A's and agency A's objects, so everyone
else is "another party" for them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Connection, Table, event, select

from marketplace.accounts.models import User
from marketplace.catalogue.models import ProductImage
from marketplace.complaints import money as complaint_money
from marketplace.complaints import services as complaint_services
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    MemberRole,
)
from marketplace.extensions import db
from marketplace.inventory.models import ImportJob, ImportStatus
from marketplace.jobs import FailedJob
from marketplace.mail import FAILED, OutboxEmail
from marketplace.messages import services as message_services
from marketplace.messages.models import MessagePhoto
from marketplace.notifications.models import Notification
from marketplace.orders import moves as order_moves
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod
from marketplace.orders.moves import cancel_by_admin
from marketplace.payments.models import (
    CooperativePayout,
    Payee,
    Payment,
    PaymentFlag,
    PaymentStatus,
    PayoutStatus,
    Refund,
)
from marketplace.payments.reconciliation_models import DifferenceKind, ReconciliationDifference
from marketplace.payments.records import raise_flag
from marketplace.payments.transfers import confirm_transfer, submit_transfer_proof
from marketplace.procurement import budget_lines, signed_scans
from marketplace.procurement.common import today
from marketplace.procurement.models import (
    AgencyInvitation,
    AgencyMember,
    ProcurementRole,
)
from marketplace.reviews import services as review_services
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from marketplace.storage import storage
from tests.conftest import login
from tests.factories import (
    AddressFactory,
    AgencyMemberFactory,
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
)
from tests.payments.paying import image_bytes
from tests.photos import phone_photo
from tests.procurement import workflow as wf
from tests.shopping import fill_cart, place, stocked_variant

AGENCY_ROLES = {
    "pp": ProcurementRole.PEJABAT_PENGADAAN,
    "ppk": ProcurementRole.PPK,
    "penerima": ProcurementRole.PENERIMA,
    "bendahara": ProcurementRole.BENDAHARA,
}
#: The Checkout Session id of the shopper's unfinished card payment.
CARD_SESSION = "cs_test_matrix"
#: Everyone the walks act as, in the order they are walked.
ROLES = (
    "guest",
    "shopper",
    "other_shopper",
    "coop_a",
    "coop_b",
    *(f"{role}_{agency}" for agency in ("a", "b") for role in AGENCY_ROLES),
    "admin",
)


@dataclass
class World:
    """The users by role, and the objects the URLs name."""

    users: dict[str, User]
    order: Order
    transfer: Payment
    refund: Refund
    cooperative_a: Cooperative
    cooperative_b: Cooperative
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _serializer(app: Flask, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt)


def new_user(email: str, **fields: Any) -> User:
    user: User = UserFactory.create(email=email, **fields)
    return user


def build_world(app: Flask) -> World:
    """Everything through the real services (orders, payments, the procurement workflow), so
    each object is in a state its pages know how to show."""
    with app.test_request_context():
        cast = wf.cast()
        agency_b = cast.other_agency
        users: dict[str, User] = {
            "shopper": new_user("pembeli@world.test"),
            "other_shopper": new_user("pembeli-lain@world.test"),
            "coop_a": cast.member,
            "pp_a": cast.pp,
            "ppk_a": cast.ppk,
            "penerima_a": cast.receiver,
            "bendahara_a": cast.treasurer,
            "pp_b": cast.other_pp,
            "ppk_b": cast.other_ppk,
            "admin": new_user("admin@world.test", is_city_admin=True),
        }
        for role in ("penerima", "bendahara"):
            user = new_user(f"{role}@other.test")
            AgencyMemberFactory(agency=agency_b, user=user, role=AGENCY_ROLES[role])
            users[f"{role}_b"] = user

        # Cooperative A (the procurement cast's) and cooperative B, each with a listing.
        cooperative_a = cast.cooperative
        product_a = cast.variant.product
        cooperative_b: Cooperative = CooperativeFactory.create(
            name="Koperasi Beta Dunia", slug="koperasi-beta-dunia"
        )
        users["coop_b"] = new_user("owner@beta.test")
        CooperativeMemberFactory(cooperative=cooperative_b, user=users["coop_b"])
        stocked_variant(5, product=ProductFactory(cooperative=cooperative_b))
        staff = CooperativeMemberFactory(
            cooperative=cooperative_a,
            user=UserFactory(email="staff@coop.test"),
            role=MemberRole.STAFF,
        )
        invitation = CooperativeInvitation(
            cooperative_id=cooperative_a.id, email="calon-staf@world.test"
        )
        image_key = storage().save(image_bytes(), "products", "png")
        image = ProductImage(product_id=product_a.id, storage_key=image_key, width=40, height=30)
        job = ImportJob(
            cooperative_id=cooperative_a.id,
            filename="produk.csv",
            file_format="csv",
            storage_key=storage().save(
                b"sku,nama_produk,kategori,satuan,harga,stok\n", "imports", "csv"
            ),
            status=ImportStatus.PREVIEWED,
            total_rows=1,
            processed_rows=1,
            summary={"update_variants": 1},
            changes=[{"row": 2, "sku": cast.variant.sku, "action": "update", "columns": ["harga"]}],
        )
        agency_invitation = AgencyInvitation(
            agency_id=cast.agency.id, email="calon-ppk@world.test", role="ppk"
        )
        media_key = storage().save(image_bytes(), "products", "png")  # for /media/ alone
        courier_band = CourierZoneRate(
            cooperative_id=cooperative_a.id, zone=Zone.CITY, max_weight_grams=1000, fee=9000
        )
        db.session.add_all([invitation, image, job, agency_invitation, courier_band])
        db.session.flush()

        # The shopper: an order from cooperative A whose transfer proof waits for the
        # cooperative, a paid order the city cancelled (a refund to return), an address and a
        # cart line.
        shopper = users["shopper"]
        order = place(shopper, (cast.variant, 2))
        transfer = submit_transfer_proof(
            shopper, order.number or "", order.vendor_orders[0].id, image_bytes()
        )
        cancelled = place(shopper, (cast.variant, 1))
        # A part that travels to the shopper: it has a shipping label.
        to_the_door = place(shopper, (cast.variant, 1), delivery=DeliveryMethod.LOCAL_DELIVERY)
        paid = submit_transfer_proof(
            shopper, cancelled.number or "", cancelled.vendor_orders[0].id, image_bytes()
        )
        raise_flag(transfer, PaymentFlag.AMOUNT_MISMATCH, "uji")
        # A card payment opened for the same order (its Checkout Session never finished).
        card = Payment(
            order_id=order.id,
            method=PaymentMethod.CARD,
            status=PaymentStatus.PENDING,
            amount=order.vendor_orders[0].total,
            payee=Payee.PLATFORM,
            reference=order.number or "",
            idempotency_key="opop-checkout-matrix",
            created_by=shopper.id,
            provider_reference=CARD_SESSION,
        )
        db.session.add(card)
        confirm_transfer(paid, users["admin"])
        cancel_by_admin(users["admin"], cancelled.vendor_orders[0].id, "uji")
        refund = db.session.scalars(select(Refund).where(Refund.order_id == cancelled.id)).one()
        # A completed order of the shopper from cooperative A, its line reviewed.
        reviewed_variant = stocked_variant(5, product=ProductFactory(cooperative=cooperative_a))
        reviewed = place(shopper, (reviewed_variant, 1))
        reviewed_part = reviewed.vendor_orders[0]
        order_moves.mark_vendor_order_paid(reviewed_part)
        order_moves.accept_vendor_order(cast.member, reviewed_part.id)
        order_moves.mark_ready_for_pickup(cast.member, reviewed_part.id)
        order_moves.mark_delivered(cast.member, reviewed_part.id)
        order_moves.confirm_receipt(shopper, reviewed.number or "", reviewed_part.id)
        review = review_services.write_review(
            shopper, reviewed.number or "", reviewed_part.lines[0].id, 4, "Ulasan dunia uji"
        )
        # A shown review with a photo, by a buyer who walks nothing: a walker deleting their
        # own account (undone in the database) really removes their photos' files.
        photo_buyer = new_user("pemberi-ulasan@world.test")
        photographed = place(photo_buyer, (reviewed_variant, 1))
        photographed_part = photographed.vendor_orders[0]
        order_moves.mark_vendor_order_paid(photographed_part)
        order_moves.accept_vendor_order(cast.member, photographed_part.id)
        order_moves.mark_ready_for_pickup(cast.member, photographed_part.id)
        order_moves.mark_delivered(cast.member, photographed_part.id)
        order_moves.confirm_receipt(photo_buyer, photographed.number or "", photographed_part.id)
        photographed_review = review_services.write_review(
            photo_buyer,
            photographed.number or "",
            photographed_part.lines[0].id,
            5,
            "Ulasan dengan foto",
            [phone_photo((64, 48))],
        )
        # The shopper's question about cooperative A's product, with a photo.
        # Two photos, the second named: its id is no complaint photo's on any database, so a
        # route walked with the wrong kind of photo id answers 404 everywhere.
        product_thread = message_services.ask_about_product(
            shopper, product_a, "Ada ukuran lain?", [image_bytes(), image_bytes()]
        )
        message_photo = db.session.scalars(select(MessagePhoto).order_by(MessagePhoto.id)).all()[-1]
        # A complaint about that part, which cooperative A accepted with a refund it makes
        # itself (the money went to its own account) and whose proof it sent.
        complaint = complaint_services.open_complaint(
            shopper,
            reviewed.number or "",
            reviewed_part.id,
            reason="damaged",
            message="Komplain dunia uji",
            quantities={reviewed_part.lines[0].id: 1},
            photos=[image_bytes()],
        )
        complaint_services.accept_refund(
            cast.member, cooperative_a.id, complaint.id, {reviewed_part.lines[0].id: 1_000}
        )
        complaint_money.record_cooperative_refund(
            cast.member, cooperative_a.id, complaint.id, image_bytes()
        )
        address = AddressFactory(user=shopper)
        fill_cart(shopper, (cast.variant, 1))
        cart_line = shopper_cart_line(shopper)

        # Agency A and cooperative A: a draft request, a quotation with an offer, and a Surat
        # Pesanan with one inspected delivery (its BAST and invoice) and one waiting.
        draft = wf.draft(cast)
        quotation = wf.quoted(cast)
        purchase_order = wf.accepted(cast)
        inspected = wf.deliver(cast, purchase_order, 100)
        bast = wf.inspect(cast, inspected, 100)
        invoice = wf.invoice_for(cast, bast)
        waiting = wf.deliver(cast, purchase_order, 50)
        # The signed invoice, scanned and sent back by cooperative A.
        signed_scan = signed_scans.upload(
            cast.member, purchase_order.id, f"invoice:{invoice.id}", image_bytes()
        )
        # Agency A's budget line (after the requests above, which name none).
        budget_line = budget_lines.create_line(
            cast.ppk,
            budget_lines.LineDetails(
                cast.agency.id,
                today().year,
                "5.1.02.01.01.0052",
                "Belanja Makanan dan Minuman Rapat",
                "4.01.01.2.01.0001",
                "Penyediaan Makanan dan Minuman",
                50_000_000,
            ),
        )
        notification = db.session.scalars(
            select(Notification).where(Notification.user_id == cast.pp.id).limit(1)
        ).one()
        agency_member = db.session.scalars(
            select(AgencyMember).where(AgencyMember.user_id == cast.ppk.id)
        ).one()
        category = CategoryFactory()
        # The operations page's dead letter and an email that failed every attempt.
        failed_job = FailedJob(
            job_id="rq-matrix",
            function="tests.ops.job_functions:remember",
            arguments=["matrix"],
            error="RuntimeError: uji",
        )
        failed_email = OutboxEmail(
            to_address="gagal@world.test",
            subject="Uji",
            body_text="Uji",
            body_html="<p>Uji</p>",
            template="uji",
            locale="id",
            status=FAILED,
            attempts=8,
        )
        # A difference the reconciliation with Xendit found, open on the city's desk.
        difference = ReconciliationDifference(
            dedup_key=f"paid_not_recorded:txn_matrix_{uuid.uuid4()}:",
            day=date(2026, 12, 1),
            kind=DifferenceKind.PAID_NOT_RECORDED,
            gateway_id="txn_matrix",
            reference="OPOP-2026-999999",
            gateway_amount=25_000,
        )
        # A payout to cooperative A waiting for a second administrator's approval.
        payout = CooperativePayout(
            cooperative_id=cooperative_a.id,
            amount=50_000,
            reference="opop-payout-matrix",
            idempotency_key="opop-payout-key-matrix",
            status=PayoutStatus.AWAITING_APPROVAL,
        )
        db.session.add_all([failed_job, failed_email, difference, payout])
        db.session.commit()

        world = World(
            users=users,
            order=order,
            transfer=transfer,
            refund=refund,
            cooperative_a=cooperative_a,
            cooperative_b=cooperative_b,
        )
        world.objects.update(
            product=product_a,
            variant=cast.variant,
            image=image,
            job=job,
            staff=staff,
            invitation=invitation,
            courier_band=courier_band,
            vendor_order=order.vendor_orders[0],
            address=address,
            cart_line=cart_line,
            agency=cast.agency,
            agency_member=agency_member,
            agency_invitation=agency_invitation,
            draft=draft,
            quotation=quotation,
            purchase_order=purchase_order,
            signed_scan=signed_scan,
            budget_line=budget_line,
            inspected=inspected,
            bast=bast,
            invoice=invoice,
            waiting=waiting,
            notification=notification,
            category=category,
            other_category=product_a.category,
            other_user=new_user("warga@world.test"),
            failed_job=failed_job,
            failed_email=failed_email,
            difference=difference,
            payout=payout,
            reviewed_order=reviewed,
            review=review,
            review_photo=photographed_review.photos[0],
            product_thread=product_thread,
            message_photo=message_photo,
            complaint=complaint,
            complaint_photo=complaint.photos[0],
            labelled_part=to_the_door.vendor_orders[0],
        )
        world.tokens.update(
            media=media_key,
            verify=_serializer(app, "accounts.verify-email").dumps(
                {"uid": shopper.id, "email": shopper.email}
            ),
            reset=_serializer(app, "accounts.reset-password").dumps(
                {"uid": shopper.id, "pw": shopper.password_hash[-12:]}
            ),
            invitation=_serializer(app, "cooperatives.invitation").dumps(
                {"inv": invitation.id, "email": invitation.email}
            ),
            agency_invitation=_serializer(app, "procurement.agency-invitation").dumps(
                {"inv": agency_invitation.id, "email": agency_invitation.email}
            ),
        )
        return world


def shopper_cart_line(user: User) -> Any:
    from marketplace.cart import services as cart_services

    cart = cart_services.user_cart(user)
    return cart.lines[0]


# ------------------------------------------------------------------------------------------
# Acting as a role
# ------------------------------------------------------------------------------------------


def client_as(app: Flask, world: World, role: str) -> FlaskClient:
    """A test client signed in as ``role`` (a guest's is signed in as nobody)."""
    client = app.test_client()
    if role != "guest":
        response = login(client, world.users[role].email)
        assert response.status_code == 302, f"{role} could not sign in"
    return client


@contextmanager
def undone() -> Iterator[None]:
    """Whatever a request inside commits is rolled back afterwards (a savepoint around the
    request on the test's connection), so one world serves every role's allowed actions."""
    db.session.commit()
    connection = db.session.get_bind()
    assert isinstance(connection, Connection)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        db.session.rollback()
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


@contextmanager
def cookies_kept(client: FlaskClient) -> Iterator[None]:
    """Put the client's cookies back after the request (an allowed logout, account deletion or
    language switch must not change who the rest of the walk acts as)."""
    jar = client._cookies
    assert jar is not None  # the client keeps cookies
    saved = [(c.key, c.value, c.domain, c.path) for c in jar.values()]
    try:
        yield
    finally:
        jar.clear()
        for key, value, domain, path in saved:
            client.set_cookie(key, value, domain=domain, path=path)


# ------------------------------------------------------------------------------------------
# What changed
# ------------------------------------------------------------------------------------------


def fingerprint() -> dict[str, str]:
    """Every row of every table, hashed per table: any insert, update or delete shows."""
    db.session.expire_all()
    hashes = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*_order(table))).all()
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(tuple(row)).encode())
        hashes[table.name] = f"{len(rows)}:{digest.hexdigest()[:16]}"
    return hashes


def _order(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


class WriteLog:
    """The INSERT, UPDATE and DELETE statements the app sends while it is attached: names the
    request that changed something when a fingerprint differs."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE"}:
            self.statements.append(" ".join(statement.split())[:120])

    @contextmanager
    def attached(self) -> Iterator[WriteLog]:
        connection = db.session.get_bind()  # the test's connection, which every request uses
        event.listen(connection, "before_cursor_execute", self)
        try:
            yield self
        finally:
            event.remove(connection, "before_cursor_execute", self)

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken


ValueFor = Callable[[World], Any]
