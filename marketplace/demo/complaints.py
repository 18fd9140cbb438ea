"""The demo's complaints: the demo shopper's orders from Koppontren Al-Hikmah, each handed over
yesterday and with a complaint in one state of the machine, made through the real services (so
timelines, refunds, stock and ledger are right). Emails about this invented history are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import g
from sqlalchemy import delete, func, select, update

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.accounts.services import find_user_by_email
from marketplace.cart import services as cart_services
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.complaints import escalation, money, services
from marketplace.complaints.models import Complaint, ComplaintStatus
from marketplace.demo.people import owner_of
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import Notification
from marketplace.urls import site_request_context

#: The product the demo complaints are about (Koppontren Al-Hikmah's, not in the demo orders).
PRODUCT_SLUG = "keripik-pisang-manis-al-hikmah"
C = ComplaintStatus


def seed_complaints() -> int:
    """One complaint in each state (none when the demo already has complaints)."""
    shopper = find_user_by_email("pembeli@demo.test")
    admin = find_user_by_email("admin@demo.test")
    if shopper is None or admin is None or db.session.scalar(select(Complaint.id).limit(1)):
        return 0
    product = db.session.scalar(
        select(Product).where(Product.slug == PRODUCT_SLUG, Product.status == ProductStatus.ACTIVE)
    )
    if product is None:
        return 0
    first_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    first_notice = db.session.scalar(select(func.max(Notification.id))) or 0
    made = add_complaints(shopper, admin, product, list(STORIES))
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > first_email))
    # The invented history's notices were read back then.
    db.session.execute(
        update(Notification).where(Notification.id > first_notice).values(read_at=clock.now())
    )
    return len(made)


def add_complaints(
    shopper: User, admin: User, product: Product, states: list[ComplaintStatus]
) -> list[Complaint]:
    """For each state, an order of two units of ``product`` handed over yesterday and its
    complaint taken to that state by the shopper, the product's cooperative and the city. Each
    order is placed from the shopper's cart, which must be empty."""
    owner = owner_of(product.cooperative_id)
    now = clock.now()
    made = []
    with site_request_context():
        for target in states:
            part, line_id = _delivered_yesterday(shopper, owner, product, now)
            with clock.frozen(now - timedelta(hours=3)):
                complaint = services.open_complaint(
                    shopper,
                    part.order.number,
                    part.id,
                    reason=_REASONS[target],
                    message=_MESSAGES[target],
                    quantities={line_id: 1},
                )
            with clock.frozen(now - timedelta(hours=1)):
                STORIES[target](_Actors(shopper, owner, admin), complaint, line_id)
            assert complaint.state == target, (target, complaint.state)
            made.append(complaint)
        g.pop("queued_emails", None)
    return made


class _Actors:
    def __init__(self, shopper: User, owner: User, admin: User) -> None:
        self.shopper, self.owner, self.admin = shopper, owner, admin


def _delivered_yesterday(shopper: User, owner: User, product: Product, now: Any) -> Any:
    from marketplace.orders import checkout as order_checkout
    from marketplace.orders import moves as order_moves
    from marketplace.orders.delivery import ShippingAddress
    from marketplace.orders.models import DeliveryMethod, PaymentMethod

    address = next(a for a in shopper.addresses if a.is_default)
    with clock.frozen(now - timedelta(days=1, hours=6)):
        cart = cart_services.user_cart(shopper)
        cart_services.add_item(cart, product.variants[0].id, 2)
        order = order_checkout.place_order(
            shopper,
            order_checkout.CheckoutChoices(
                address=ShippingAddress.from_saved(address),
                delivery={product.cooperative_id: DeliveryMethod.PICKUP},
                payment=PaymentMethod.BANK_TRANSFER,
            ),
            order_checkout.new_idempotency_key(),
        )
        order_moves.mark_order_paid(order, reference="DEMO-TRANSFER")
    part = order.vendor_orders[0]
    with clock.frozen(now - timedelta(days=1, hours=2)):
        order_moves.accept_vendor_order(owner, part.id)
        order_moves.mark_ready_for_pickup(owner, part.id)
        order_moves.mark_delivered(owner, part.id)
    return part, part.lines[0].id


def _coop(actors: _Actors, complaint: Complaint) -> tuple[User, int, int]:
    return actors.owner, complaint.cooperative_id, complaint.id


def _refunded(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    services.accept_refund(*_coop(actors, complaint), {line_id: 5_000}, "Mohon maaf, Bu.")
    money.record_cooperative_refund(*_coop(actors, complaint), _proof())


def _replacement(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    services.accept_replacement(*_coop(actors, complaint), "Kami kirim pengganti besok pagi.")


def _return_requested(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    services.request_return(*_coop(actors, complaint), {line_id: complaint.lines[0].paid})


def _return_shipped(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    _return_requested(actors, complaint, line_id)
    part = complaint.vendor_order
    services.record_return_shipment(
        actors.shopper, part.order.number or "", part.id, "JNE", "JNE0012345678"
    )


def _rejected(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    services.reject(*_coop(actors, complaint), "Foto belum menunjukkan kerusakan.")


def _escalated(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    _rejected(actors, complaint, line_id)
    part = complaint.vendor_order
    escalation.escalate_as_shopper(
        actors.shopper, part.order.number or "", part.id, "Kemasan jelas sobek saat diterima."
    )


def _resolved(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    escalation.escalate_as_cooperative(
        *_coop(actors, complaint), "Kami ragu; mohon Admin Kota memutuskan."
    )
    escalation.decide(
        actors.admin, complaint.id, refund_amount=3_000, reason="Setengah isi rusak (foto)."
    )


def _closed(actors: _Actors, complaint: Complaint, line_id: int) -> None:
    _rejected(actors, complaint, line_id)
    part = complaint.vendor_order
    services.close_by_shopper(actors.shopper, part.order.number or "", part.id)


Story = Callable[[_Actors, Complaint, int], None]
#: How each demo complaint got to its state (every state of the machine once).
STORIES: dict[ComplaintStatus, Story] = {
    C.OPEN: lambda actors, complaint, line_id: None,
    C.REFUND_ACCEPTED: _refunded,
    C.REPLACEMENT_ACCEPTED: _replacement,
    C.RETURN_REQUESTED: _return_requested,
    C.RETURN_SHIPPED: _return_shipped,
    C.REJECTED: _rejected,
    C.ESCALATED: _escalated,
    C.RESOLVED: _resolved,
    C.CLOSED: _closed,
}
_REASONS = {
    C.OPEN: "damaged",
    C.REFUND_ACCEPTED: "missing_quantity",
    C.REPLACEMENT_ACCEPTED: "wrong_item",
    C.RETURN_REQUESTED: "not_as_described",
    C.RETURN_SHIPPED: "wrong_item",
    C.REJECTED: "damaged",
    C.ESCALATED: "damaged",
    C.RESOLVED: "damaged",
    C.CLOSED: "not_as_described",
}
_MESSAGES = {
    C.OPEN: "Satu bungkus sobek dan isinya tumpah.",
    C.REFUND_ACCEPTED: "Dipesan dua, yang diterima hanya satu.",
    C.REPLACEMENT_ACCEPTED: "Rasa yang datang bukan yang saya pesan.",
    C.RETURN_REQUESTED: "Ukurannya jauh lebih kecil dari foto.",
    C.RETURN_SHIPPED: "Yang datang produk lain.",
    C.REJECTED: "Kemasan penyok.",
    C.ESCALATED: "Kemasan sobek di dua sisi.",
    C.RESOLVED: "Separuh isinya hancur.",
    C.CLOSED: "Warnanya berbeda dari foto.",
}


def _proof() -> bytes:
    """A small receipt-like picture for the cooperative's proof of its refund."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (245, 245, 240))
    ImageDraw.Draw(image).text((20, 90), "Transfer Rp5.000 - DEMO", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
