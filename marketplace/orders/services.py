"""Checkout and the life of an order.

* `quote_order` turns the cart and the shopper's choices (address, a delivery option per
  cooperative, payment method) into prices, or says what is wrong;
* `place_order` is the one function that creates an order, in one transaction;
* `accept_vendor_order` … `mark_delivered` are the cooperative's moves (its pages read through
  `fulfilment_counts`, `list_vendor_orders` and `open_vendor_order`), `cancel_by_shopper` the
  shopper's, `cancel_by_admin` a city administrator's, `mark_vendor_order_paid` /
  `mark_order_paid` / `refund_vendor_order` the payment service's, `expire_vendor_order` /
  `complete_vendor_order` the system's. Every move goes through `_move`, which checks
  `lifecycle.TRANSITIONS`, changes the status with a guarded UPDATE, records the event, releases
  or sells the stock, sends `signals.vendor_order_moved` (the payments capability refunds and
  settles on it), and queues the emails: the shopper's (unless a receiver wrote one itself), the
  cooperative's "new order" when a part is paid, and its notice when someone else cancels a part
  it had been told about;
* `note_proof_sent` / `note_proof_rejected` put a transfer proof's review on the part's timeline
  without moving its status (the payments capability calls them).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cart import services as cart_services
from marketplace.cart.services import CartView, CooperativeGroup
from marketplace.cooperatives.models import Cooperative, CooperativeMember
from marketplace.cooperatives.services import active_members
from marketplace.database import as_utc
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import format_day
from marketplace.inventory import stock
from marketplace.mail import queue_email
from marketplace.observability import count_order_placed
from marketplace.orders.exceptions import (
    CheckoutProblem,
    EmailNotVerified,
    InvalidTransition,
    MissingDetail,
    PricesChanged,
)
from marketplace.orders.lifecycle import (
    HOLDS_STOCK,
    FulfilmentGroup,
    find_transition,
    group_of,
    pays_at_pickup,
)
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    EventKind,
    Order,
    OrderLine,
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.orders.payment_options import qris_gateway
from marketplace.orders.signals import order_placed, vendor_order_moved
from marketplace.urls import absolute_url

S = VendorOrderStatus
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# ------------------------------------------------------------------------------------------
# Delivery and payment options
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOption:
    method: DeliveryMethod
    fee: int


def delivery_options(cooperative: Cooperative, weight_grams: int) -> list[DeliveryOption]:
    """What this cooperative offers for a parcel of this weight (courier only when one of its
    bands takes the weight)."""
    options = []
    if cooperative.offers_pickup:
        options.append(DeliveryOption(DeliveryMethod.PICKUP, 0))
    if cooperative.offers_local_delivery:
        options.append(
            DeliveryOption(DeliveryMethod.LOCAL_DELIVERY, cooperative.local_delivery_fee)
        )
    if cooperative.offers_courier:
        fee = cooperative.courier_fee_for(weight_grams)
        if fee is not None:
            options.append(DeliveryOption(DeliveryMethod.COURIER, fee))
    return options


def _normalized(city: str) -> str:
    return " ".join(city.casefold().split())


def is_local_address(city: str) -> bool:
    """Local delivery reaches only ``LOCAL_DELIVERY_CITY`` (Kota Mojokerto, not the Kabupaten)."""
    return _normalized(city) == _normalized(current_app.config["LOCAL_DELIVERY_CITY"])


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def payment_methods(all_pickup: bool | None = None) -> list[PaymentMethod]:
    """The methods offered: QRIS first, only with its gateway (`payment_options`); card only with
    Stripe configured; pay at pickup only when every part is picked up (None: not known yet,
    offer it with the rule shown next to it)."""
    methods = []
    if qris_gateway(current_app.config) is not None:
        methods.append(PaymentMethod.QRIS)
    if card_payments_enabled():
        methods.append(PaymentMethod.CARD)
    methods.append(PaymentMethod.BANK_TRANSFER)
    if all_pickup is not False:
        methods.append(PaymentMethod.PAY_AT_PICKUP)
    return methods


# ------------------------------------------------------------------------------------------
# Quoting
# ------------------------------------------------------------------------------------------


@dataclass
class ShippingAddress:
    recipient_name: str
    phone: str
    street: str
    kelurahan: str
    kecamatan: str
    city: str
    province: str
    postal_code: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def one_line(self) -> str:
        return ", ".join(
            [
                self.street,
                self.kelurahan,
                self.kecamatan,
                self.city,
                self.province,
                self.postal_code,
            ]
        )


@dataclass
class CheckoutChoices:
    address: ShippingAddress
    #: cooperative id → how its part is delivered
    delivery: dict[int, DeliveryMethod]
    payment: PaymentMethod

    def to_session(self) -> dict[str, Any]:
        return {
            "address": self.address.as_dict(),
            "delivery": {str(k): str(v) for k, v in self.delivery.items()},
            "payment": str(self.payment),
        }

    @classmethod
    def from_session(cls, data: Any) -> CheckoutChoices | None:
        """Choices saved by the checkout page, or None when missing or malformed."""
        try:
            return cls(
                address=ShippingAddress(**data["address"]),
                delivery={int(k): DeliveryMethod(v) for k, v in data["delivery"].items()},
                payment=PaymentMethod(data["payment"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass
class PartQuote:
    group: CooperativeGroup
    delivery: DeliveryMethod
    delivery_fee: int

    @property
    def cooperative(self) -> Cooperative:
        return self.group.cooperative

    @property
    def total(self) -> int:
        return self.group.subtotal + self.delivery_fee

    def rows(self) -> list[tuple[str, str, int, str, int, int]]:
        """(product, variant, quantity, unit, unit price, line total) for the summary table."""
        return [
            (
                item.product.name,
                item.variant.name,
                item.line.quantity,
                item.product.unit,
                item.unit_price,
                item.line_total,
            )
            for item in self.group.lines
        ]


@dataclass
class Quote:
    cart: CartView
    choices: CheckoutChoices
    parts: list[PartQuote]

    @property
    def items_total(self) -> int:
        return sum(part.group.subtotal for part in self.parts)

    @property
    def delivery_total(self) -> int:
        return sum(part.delivery_fee for part in self.parts)

    @property
    def grand_total(self) -> int:
        return self.items_total + self.delivery_total


def ensure_cart_orderable(view: CartView) -> None:
    """The cart must have lines and none with a problem (sold out, not for sale, too few)."""
    if view.is_empty:
        raise CheckoutProblem(_("Keranjang Anda kosong."))
    for line in view.problems:
        name = line.product.name + (f" ({line.variant.name})" if line.variant.name else "")
        raise CheckoutProblem(_("%(product)s: %(problem)s", product=name, problem=line.problem))


def quote_order(view: CartView, choices: CheckoutChoices) -> Quote:
    """Prices for the cart with these choices, checking every rule; CheckoutProblem says what
    to change."""
    ensure_cart_orderable(view)
    parts = []
    for group in view.groups:
        cooperative = group.cooperative
        method = choices.delivery.get(cooperative.id)
        offered = {o.method: o for o in delivery_options(cooperative, group.weight_grams)}
        if method is None or method not in offered:
            raise CheckoutProblem(_("Pilih cara pengiriman untuk %(name)s.", name=cooperative.name))
        if method == DeliveryMethod.LOCAL_DELIVERY and not is_local_address(choices.address.city):
            raise CheckoutProblem(
                _(
                    "Antar lokal %(name)s hanya untuk alamat di %(city)s. Pilih ambil sendiri "
                    "atau kurir.",
                    name=cooperative.name,
                    city=current_app.config["LOCAL_DELIVERY_CITY"],
                )
            )
        parts.append(PartQuote(group, method, offered[method].fee))
    all_pickup = all(part.delivery == DeliveryMethod.PICKUP for part in parts)
    if choices.payment not in payment_methods(all_pickup):
        if choices.payment == PaymentMethod.PAY_AT_PICKUP:
            raise CheckoutProblem(
                _("Bayar saat mengambil hanya bisa bila semua pesanan diambil sendiri.")
            )
        raise CheckoutProblem(_("Metode pembayaran ini belum tersedia."))
    return Quote(view, choices, parts)


def quote_for(user: User, choices: CheckoutChoices) -> Quote:
    """The quote for the user's own cart as it is now."""
    return quote_order(cart_services.view_cart(cart_services.find_cart(user, None)), choices)


@dataclass
class CheckoutSetup:
    """What the checkout page offers for the user's cart as it is now."""

    cart: CartView
    #: Why the cart cannot be checked out (sold out, too few, empty), or None.
    problem: str | None
    #: (cooperative id, name, its delivery options for this part's weight), in the cart's order.
    delivery: list[tuple[int, str, list[DeliveryOption]]]
    payment_methods: list[PaymentMethod]


def checkout_setup(user: User) -> CheckoutSetup:
    view = cart_services.view_cart(cart_services.find_cart(user, None))
    problem = None
    try:
        ensure_cart_orderable(view)
    except CheckoutProblem as error:
        problem = error.message
    delivery = [
        (
            group.cooperative.id,
            group.cooperative.name,
            delivery_options(group.cooperative, group.weight_grams),
        )
        for group in view.groups
    ]
    return CheckoutSetup(view, problem, delivery, payment_methods())


def new_idempotency_key() -> str:
    """A fresh key for the review page's "place order" form."""
    return secrets.token_urlsafe(24)


# ------------------------------------------------------------------------------------------
# Placing the order
# ------------------------------------------------------------------------------------------


def order_number(order_id: int, placed_at: datetime) -> str:
    """``OPOP-2026-000123``: the year in Mojokerto and the row id, so it is unique."""
    return f"OPOP-{clock.local_day(placed_at).year}-{order_id:06d}"


def _order_for_key(user_id: int, key: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.user_id == user_id, Order.idempotency_key == key)
    )


def _payment_due(payment: PaymentMethod, placed_at: datetime) -> datetime | None:
    config = current_app.config
    if payment == PaymentMethod.CARD:
        return placed_at + timedelta(minutes=config["ORDER_PAYMENT_MINUTES_CARD"])
    if payment == PaymentMethod.QRIS:
        return placed_at + timedelta(minutes=config["ORDER_PAYMENT_MINUTES_QRIS"])
    if payment == PaymentMethod.BANK_TRANSFER:
        return placed_at + timedelta(minutes=config["ORDER_PAYMENT_MINUTES_BANK_TRANSFER"])
    return None  # pay at pickup: the clock starts at "ready for pickup"


def place_order(
    user: User,
    choices: CheckoutChoices | None,
    idempotency_key: str,
    expected_total: int | None = None,
) -> Order:
    """Turn the user's cart into an order, all in one transaction.

    Prices, minimums, delivery options and stock are checked again here, whatever the pages
    showed. Stock is reserved through the inventory module; the order gets one vendor order per
    cooperative and lines copying names, SKU and prices; the ordered lines leave the cart.
    Placing again with the same idempotency key (a double click, a retried request, two at
    once) returns the first order. ``expected_total`` is the total the review page showed: when
    prices changed since, nothing is placed (`PricesChanged`). On any failure nothing is left
    behind: no order, no reservation, the cart unchanged.
    """
    if not user.is_verified:
        raise EmailNotVerified()
    if not IDEMPOTENCY_KEY_RE.match(idempotency_key or ""):
        raise CheckoutProblem(_("Formulir pesanan tidak valid. Buka ringkasan pesanan lagi."))
    existing = _order_for_key(user.id, idempotency_key)
    if existing is not None:
        return existing
    if choices is None:
        raise CheckoutProblem(_("Pilih alamat, pengiriman dan pembayaran dulu."))
    cart = cart_services.find_cart(user, None)
    quote = quote_order(cart_services.view_cart(cart), choices)
    if expected_total is not None and expected_total != quote.grand_total:
        raise PricesChanged()
    assert cart is not None
    placed_at = clock.now()
    try:
        with db.session.begin_nested():
            order = _insert_order(user, quote, idempotency_key, placed_at)
            stock.reserve(
                stock.quantities_of(
                    (line.variant.id, line.line.quantity) for line in quote.cart.lines
                )
            )
            cart_services.remove_lines(cart.id, [line.line.id for line in quote.cart.lines])
            db.session.flush()
    except IntegrityError:
        # The same key was placed by a request that committed while this one ran.
        existing = _order_for_key(user.id, idempotency_key)
        if existing is None:
            raise
        return existing
    audit.record("order.placed", order, actor_id=user.id, data={"number": order.number})
    count_order_placed(order.payment_method)
    order_placed.send(order, actor_id=user.id)
    _queue_placed_emails(order)
    return order


def _insert_order(user: User, quote: Quote, key: str, placed_at: datetime) -> Order:
    address = quote.choices.address
    payment = quote.choices.payment
    order = Order(
        user_id=user.id,
        idempotency_key=key,
        payment_method=payment,
        items_total=quote.items_total,
        delivery_total=quote.delivery_total,
        grand_total=quote.grand_total,
        **address.as_dict(),
    )
    db.session.add(order)
    db.session.flush()  # the unique key is checked here, before anything is reserved
    order.number = order_number(order.id, placed_at)
    due = _payment_due(payment, placed_at)
    for part in quote.parts:
        cooperative = part.cooperative
        vendor_order = VendorOrder(
            order=order,
            cooperative_id=cooperative.id,
            cooperative_name=cooperative.name,
            status=S.AWAITING_PAYMENT,
            delivery_method=part.delivery,
            delivery_fee=part.delivery_fee,
            items_total=part.group.subtotal,
            total=part.total,
            weight_grams=part.group.weight_grams,
            payment_due_at=due,
        )
        for item in part.group.lines:
            vendor_order.lines.append(
                OrderLine(
                    variant_id=item.variant.id,
                    product_name=item.product.name,
                    variant_name=item.variant.name,
                    sku=item.variant.sku,
                    cooperative_name=cooperative.name,
                    unit=item.product.unit,
                    unit_price=item.unit_price,
                    quantity=item.line.quantity,
                    line_total=item.line_total,
                    weight_grams=item.product.weight_grams,
                )
            )
        vendor_order.events.append(
            VendorOrderEvent(
                from_status=None,
                to_status=S.AWAITING_PAYMENT,
                actor_kind=ActorKind.SHOPPER,
                actor_id=user.id,
                note="",
                created_at=placed_at,
            )
        )
        db.session.add(vendor_order)
    db.session.flush()
    return order


def _queue_placed_emails(order: Order) -> None:
    shopper = order.user
    queue_email(
        shopper.email,
        "order_placed",
        shopper.locale,
        order=order,
        user=shopper,
        order_url=absolute_url("orders.detail", number=order.number),
    )
    # Paid at pickup, the cooperative decides now whether it takes the order on. Paid in
    # advance, it hears of its part once the part is paid (`_move`): an order by card or
    # transfer that is never paid is no work for it.
    if order.payment == PaymentMethod.PAY_AT_PICKUP:
        for vendor_order in order.vendor_orders:
            _queue_cooperative_email(vendor_order, "vendor_new_order")


def _queue_cooperative_email(vendor_order: VendorOrder, template: str, **context: Any) -> None:
    """Tell the members of the part's cooperative, each in their language."""
    order = vendor_order.order
    for member in active_members(vendor_order.cooperative_id):
        queue_email(
            member.email,
            template,
            member.locale,
            order=order,
            vendor_order=vendor_order,
            member=member,
            order_url=absolute_url("vendors.order", vendor_order_id=vendor_order.id),
            **context,
        )


def _cooperative_was_told(vendor_order: VendorOrder, source: VendorOrderStatus) -> bool:
    """Whether the cooperative heard of this part before it left ``source``: it was paid (or is
    paid at pickup), or a transfer proof for it was waiting for the cooperative's check."""
    return (
        source != S.AWAITING_PAYMENT
        or pays_at_pickup(vendor_order)
        or vendor_order.proof_under_review is not None
    )


#: Notes the system writes, by their Indonesian text. They are stored in the site's language
#: whoever's request triggered them, and shown in the reader's (`display_note`).
_SYSTEM_NOTES = {
    "Dibatalkan oleh pembeli.": _l("Dibatalkan oleh pembeli."),
    "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat.": _l(
        "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat."
    ),
    "Selesai otomatis setelah diterima.": _l("Selesai otomatis setelah diterima."),
    "Menunggu konfirmasi koperasi.": _l("Menunggu konfirmasi koperasi."),
    "Menunggu konfirmasi Pasar OPOP.": _l("Menunggu konfirmasi Pasar OPOP."),
}


def _in_default_language(message: str) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(_SYSTEM_NOTES[message])


def display_note(note: str) -> str:
    """A timeline note or cancellation reason as the reader should see it."""
    translated = _SYSTEM_NOTES.get(note)
    return str(translated) if translated is not None else note


# ------------------------------------------------------------------------------------------
# Moving a vendor order
# ------------------------------------------------------------------------------------------


def _quantities(vendor_order: VendorOrder) -> dict[int, int]:
    return stock.quantities_of((line.variant_id, line.quantity) for line in vendor_order.lines)


def _move(
    vendor_order: VendorOrder,
    target: VendorOrderStatus,
    actor: ActorKind,
    *,
    actor_id: int | None = None,
    note: str = "",
    values: dict[str, Any] | None = None,
) -> VendorOrderEvent:
    """Apply one transition of the status machine (see the module docstring)."""
    find_transition(vendor_order, target, actor)
    source = vendor_order.state
    # Read before the move: whether a transfer proof was waiting is on the part's timeline.
    cooperative_knew = _cooperative_was_told(vendor_order, source)
    now = clock.now()
    db.session.flush()
    result = db.session.execute(
        update(VendorOrder)
        .where(VendorOrder.id == vendor_order.id, VendorOrder.status == source)
        .values(status=target, updated_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if int(result.rowcount) != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        # Someone else moved it first (another tab, the cooperative, a second cron run).
        db.session.refresh(vendor_order)
        raise InvalidTransition(vendor_order.state, target)
    db.session.expire(vendor_order)
    event = VendorOrderEvent(
        vendor_order_id=vendor_order.id,
        from_status=source,
        to_status=target,
        actor_kind=actor,
        actor_id=actor_id,
        note=note[:2000],
        created_at=now,
    )
    db.session.add(event)
    if target == S.CANCELLED and source in HOLDS_STOCK:
        stock.release(_quantities(vendor_order))
    elif target == S.DELIVERED:
        stock.sell(
            _quantities(vendor_order), note=vendor_order.order.number or "", actor_id=actor_id
        )
    audit.record(
        f"vendor_order.{target}",
        vendor_order,
        actor_id=actor_id,
        cooperative_id=vendor_order.cooperative_id,
        data={"from": str(source), "number": vendor_order.order.number},
    )
    db.session.flush()
    replies = vendor_order_moved.send(
        vendor_order, source=source, target=target, actor=actor, actor_id=actor_id, event=event
    )
    # One email per action: when a receiver wrote to the shopper about this move itself (the
    # payment's confirmation, a refund that says why), the status email would say it twice.
    if not any(told for _receiver, told in replies):
        _queue_status_email(vendor_order, event)
    if target == S.PAID:
        _queue_cooperative_email(vendor_order, "vendor_new_order")
    elif target == S.CANCELLED and actor != ActorKind.COOPERATIVE and cooperative_knew:
        # It may be packing the goods: someone else cancelled what it was told to prepare.
        _queue_cooperative_email(
            vendor_order, "vendor_order_cancelled", event=event, display_note=display_note
        )
    return event


def status_message(vendor_order: VendorOrder, event: VendorOrderEvent) -> str:
    """What happened to this part, in a sentence for the shopper (the current locale)."""
    name = vendor_order.cooperative_name
    status = event.status
    if status == S.PAID:
        return str(_("Pembayaran untuk pesanan dari %(name)s sudah diterima.", name=name))
    if status == S.ACCEPTED:
        return str(_("%(name)s sedang memproses pesanan Anda.", name=name))
    if status == S.SHIPPED:
        message = _("%(name)s sudah mengirim pesanan Anda.", name=name)
        if vendor_order.courier_name:
            message += " " + _("Dikirim lewat %(courier)s", courier=vendor_order.courier_name)
            if vendor_order.tracking_number:
                message += ", " + _("Nomor resi: %(number)s", number=vendor_order.tracking_number)
            message += "."
        return str(message)
    if status == S.READY_FOR_PICKUP:
        message = _(
            "Pesanan Anda siap diambil di %(name)s, %(address)s.",
            name=name,
            address=vendor_order.cooperative.address,
        )
        if vendor_order.payment_due_at is not None:
            message += " " + _(
                "Ambil dan bayar paling lambat %(deadline)s.",
                deadline=format_day(vendor_order.payment_due_at, "medium"),
            )
        return str(message)
    if status == S.DELIVERED:
        return str(_("Pesanan Anda dari %(name)s sudah diterima. Terima kasih!", name=name))
    if status == S.COMPLETED:
        return str(_("Pesanan Anda dari %(name)s sudah selesai.", name=name))
    if status == S.CANCELLED:
        message = _("Pesanan dari %(name)s dibatalkan.", name=name)
        if vendor_order.cancel_reason:
            message += " " + _(
                "Alasan pembatalan: %(reason)s", reason=display_note(vendor_order.cancel_reason)
            )
        return str(message)
    return str(_("Dana untuk pesanan dari %(name)s sudah dikembalikan.", name=name))


def _queue_status_email(vendor_order: VendorOrder, event: VendorOrderEvent) -> None:
    order = vendor_order.order
    shopper = order.user
    locale = shopper.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = status_message(vendor_order, event)
    queue_email(
        shopper.email,
        "order_status_changed",
        locale,
        order=order,
        vendor_order=vendor_order,
        event=event,
        user=shopper,
        message=message,
        order_url=absolute_url("orders.detail", number=order.number),
    )


# The payment service's moves -------------------------------------------------------------


def mark_vendor_order_paid(vendor_order: VendorOrder, *, reference: str = "") -> None:
    """The money for this part arrived (called by the payments capability, e.g. its webhook)."""
    _move(
        vendor_order,
        S.PAID,
        ActorKind.PAYMENT,
        note=reference,
        values={"paid_at": clock.now(), "payment_due_at": None},
    )


def mark_order_paid(order: Order, *, reference: str = "") -> None:
    """One payment for the whole order: every part still awaiting payment becomes paid."""
    for vendor_order in order.vendor_orders:
        if vendor_order.state == S.AWAITING_PAYMENT:
            mark_vendor_order_paid(vendor_order, reference=reference)


def refund_vendor_order(vendor_order: VendorOrder, *, reference: str = "") -> None:
    """The money of a cancelled, paid part went back to the shopper."""
    _move(vendor_order, S.REFUNDED, ActorKind.PAYMENT, note=reference)


def note_proof_sent(
    vendor_order: VendorOrder,
    *,
    actor_id: int,
    review_until: datetime,
    reviewed_by_cooperative: bool,
) -> VendorOrderEvent:
    """A transfer proof for this unpaid part was sent (by the payments capability): the part
    stays open at least until ``review_until`` for the review, and its timeline says what it
    waits on, so the shopper is not told it will be cancelled while the proof is checked."""
    extend_payment_deadline(vendor_order, review_until)
    note = (
        "Menunggu konfirmasi koperasi."
        if reviewed_by_cooperative
        else "Menunggu konfirmasi Pasar OPOP."
    )
    return _add_step(
        vendor_order,
        EventKind.PROOF_SENT,
        ActorKind.SHOPPER,
        actor_id,
        _in_default_language(note),
    )


def note_proof_rejected(
    vendor_order: VendorOrder, *, actor: ActorKind, actor_id: int, reason: str
) -> VendorOrderEvent:
    """The proof for this part was rejected with ``reason``: the part awaits payment again."""
    return _add_step(vendor_order, EventKind.PROOF_REJECTED, actor, actor_id, reason)


def _add_step(
    vendor_order: VendorOrder, kind: EventKind, actor: ActorKind, actor_id: int, note: str
) -> VendorOrderEvent:
    """A timeline entry that is no move: the status stays as it is."""
    status = vendor_order.state
    event = VendorOrderEvent(
        vendor_order_id=vendor_order.id,
        kind=kind,
        from_status=status,
        to_status=status,
        actor_kind=actor,
        actor_id=actor_id,
        note=note[:2000],
        created_at=clock.now(),
    )
    db.session.add(event)
    db.session.flush()
    db.session.expire(vendor_order, ["events"])
    return event


def extend_payment_deadline(vendor_order: VendorOrder, until: datetime) -> bool:
    """Keep an unpaid part open at least until ``until`` (a transfer proof awaits review).

    Only ever moves the deadline later, and only while the part still awaits payment: a guarded
    update, so it never revives a part that expired meanwhile. True when it changed.
    """
    db.session.flush()
    result = db.session.execute(
        update(VendorOrder)
        .where(
            VendorOrder.id == vendor_order.id,
            VendorOrder.status == S.AWAITING_PAYMENT,
            VendorOrder.paid_at.is_(None),
            VendorOrder.payment_due_at.is_not(None),
            VendorOrder.payment_due_at < until,
        )
        .values(payment_due_at=until)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(vendor_order, ["payment_due_at"])
    return int(result.rowcount) == 1  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


# The shopper's move ----------------------------------------------------------------------


def shopper_vendor_order(user: User, number: str, vendor_order_id: int) -> VendorOrder:
    """A part of one of the user's orders; anything else is not found."""
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .join(VendorOrder.order)
        .where(
            VendorOrder.id == vendor_order_id,
            Order.number == number,
            Order.user_id == user.id,
        )
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def cancel_by_shopper(user: User, number: str, vendor_order_id: int, reason: str = "") -> None:
    """The shopper cancels a part before the cooperative accepted it; its stock is released."""
    vendor_order = shopper_vendor_order(user, number, vendor_order_id)
    reason = reason.strip() or _in_default_language("Dibatalkan oleh pembeli.")
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.SHOPPER,
        actor_id=user.id,
        note=reason,
        values={"cancel_reason": reason},
    )


# A city administrator's move ---------------------------------------------------------------


def cancel_by_admin(admin: User, vendor_order_id: int, reason: str) -> VendorOrder:
    """A city administrator cancels a part that has not left the cooperative (for instance when
    it cannot deliver); its stock is released and, when it was paid, the payments capability
    refunds it."""
    if not admin.is_city_admin:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise MissingDetail(_("Tulis alasan pembatalan untuk pembeli dan koperasi."))
    vendor_order = db.session.get(VendorOrder, vendor_order_id)
    if vendor_order is None:
        raise NotFound()
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.CITY_ADMIN,
        actor_id=admin.id,
        note=reason,
        values={"cancel_reason": reason},
    )
    return vendor_order


# The cooperative's moves (its screens come with the vendor workspace) --------------------


def member_vendor_order(member: User, vendor_order_id: int) -> VendorOrder:
    """A vendor order of the member's own cooperative; any other is not found."""
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .join(
            CooperativeMember,
            CooperativeMember.cooperative_id == VendorOrder.cooperative_id,
        )
        .where(VendorOrder.id == vendor_order_id, CooperativeMember.user_id == member.id)
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def accept_vendor_order(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """The cooperative takes the order on (paid, or pay at pickup before payment)."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    _move(vendor_order, S.ACCEPTED, ActorKind.COOPERATIVE, actor_id=member.id, note=note)
    return vendor_order


def reject_vendor_order(member: User, vendor_order_id: int, reason: str) -> VendorOrder:
    """The cooperative declines before accepting: a cancellation with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise MissingDetail(_("Tulis alasan penolakan untuk pembeli."))
    vendor_order = member_vendor_order(member, vendor_order_id)
    _move(
        vendor_order,
        S.CANCELLED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=reason,
        values={"cancel_reason": reason},
    )
    return vendor_order


def mark_shipped(
    member: User, vendor_order_id: int, courier_name: str, tracking_number: str = ""
) -> VendorOrder:
    """Sent out, by the cooperative's own courier (local delivery) or a courier service (its
    tracking number is then required)."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    courier_name = (courier_name or "").strip()
    tracking_number = (tracking_number or "").strip()
    if not courier_name:
        raise MissingDetail(_("Tulis nama kurir atau pengantar."))
    if vendor_order.delivery_method == DeliveryMethod.COURIER and not tracking_number:
        raise MissingDetail(_("Tulis nomor resi pengiriman."))
    note = f"{courier_name} {tracking_number}".strip()
    _move(
        vendor_order,
        S.SHIPPED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values={"courier_name": courier_name[:60], "tracking_number": tracking_number[:80] or None},
    )
    return vendor_order


def mark_ready_for_pickup(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """Packed and waiting at the cooperative. Pay at pickup: collect within ORDER_PICKUP_DAYS."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    values: dict[str, Any] = {}
    if pays_at_pickup(vendor_order):
        days = current_app.config["ORDER_PICKUP_DAYS"]
        values["payment_due_at"] = clock.now() + timedelta(days=days)
    _move(
        vendor_order,
        S.READY_FOR_PICKUP,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values=values,
    )
    return vendor_order


def mark_delivered(member: User, vendor_order_id: int, note: str = "") -> VendorOrder:
    """Handed over. The reservation becomes a sale; pay at pickup is paid now."""
    vendor_order = member_vendor_order(member, vendor_order_id)
    now = clock.now()
    values: dict[str, Any] = {"delivered_at": now}
    if vendor_order.paid_at is None and pays_at_pickup(vendor_order):
        values.update(paid_at=now, payment_due_at=None)
    _move(
        vendor_order,
        S.DELIVERED,
        ActorKind.COOPERATIVE,
        actor_id=member.id,
        note=note,
        values=values,
    )
    return vendor_order


# The system's moves: expiry and automatic completion -------------------------------------


def _is_overdue(vendor_order: VendorOrder, now: datetime) -> bool:
    return (
        vendor_order.state in (S.AWAITING_PAYMENT, S.READY_FOR_PICKUP)
        and vendor_order.paid_at is None
        and vendor_order.payment_due_at is not None
        and as_utc(vendor_order.payment_due_at) <= now
    )


def _is_completable(vendor_order: VendorOrder, now: datetime) -> bool:
    days = current_app.config["ORDER_AUTO_COMPLETE_DAYS"]
    return (
        vendor_order.state == S.DELIVERED
        and vendor_order.delivered_at is not None
        and as_utc(vendor_order.delivered_at) + timedelta(days=days) <= now
    )


def overdue_vendor_order_ids(limit: int = 500) -> list[int]:
    """Unpaid parts whose payment (or pickup) time has passed, oldest first."""
    return list(
        db.session.scalars(
            select(VendorOrder.id)
            .where(
                VendorOrder.status.in_([S.AWAITING_PAYMENT, S.READY_FOR_PICKUP]),
                VendorOrder.payment_due_at <= clock.now(),
                VendorOrder.paid_at.is_(None),
            )
            .order_by(VendorOrder.payment_due_at, VendorOrder.id)
            .limit(limit)
        )
    )


def completable_vendor_order_ids(limit: int = 500) -> list[int]:
    """Delivered parts older than ORDER_AUTO_COMPLETE_DAYS."""
    days = current_app.config["ORDER_AUTO_COMPLETE_DAYS"]
    return list(
        db.session.scalars(
            select(VendorOrder.id)
            .where(
                VendorOrder.status == S.DELIVERED,
                VendorOrder.delivered_at <= clock.now() - timedelta(days=days),
            )
            .order_by(VendorOrder.delivered_at, VendorOrder.id)
            .limit(limit)
        )
    )


def _system_move(
    vendor_order_id: int,
    target: VendorOrderStatus,
    check: Callable[[VendorOrder, datetime], bool],
    note: str,
) -> bool:
    """One system move if it is still due; False when it is not (or another run made it)."""
    vendor_order = db.session.get(VendorOrder, vendor_order_id, populate_existing=True)
    if vendor_order is None or not check(vendor_order, clock.now()):
        return False
    values = {"cancel_reason": note} if target == S.CANCELLED else {}
    try:
        with db.session.begin_nested():
            _move(vendor_order, target, ActorKind.SYSTEM, note=note, values=values)
    except InvalidTransition:
        return False
    return True


def expire_vendor_order(vendor_order_id: int) -> bool:
    """Cancel an unpaid part whose time ran out and release its stock (idempotent)."""
    return _system_move(
        vendor_order_id,
        S.CANCELLED,
        _is_overdue,
        _in_default_language(
            "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat."
        ),
    )


def complete_vendor_order(vendor_order_id: int) -> bool:
    """Mark a long-delivered part completed (idempotent)."""
    return _system_move(
        vendor_order_id,
        S.COMPLETED,
        _is_completable,
        _in_default_language("Selesai otomatis setelah diterima."),
    )


def refresh_vendor_order(vendor_order: VendorOrder) -> bool:
    """Apply what is due on this part now (expiry, completion); True when it moved."""
    now = clock.now()
    if _is_overdue(vendor_order, now):
        return expire_vendor_order(vendor_order.id)
    if _is_completable(vendor_order, now):
        return complete_vendor_order(vendor_order.id)
    return False


def refresh_order(order: Order) -> None:
    """Apply what is due on this order now (expiry, completion): done when it is opened, so a
    page never shows a state that cron would already have changed."""
    for vendor_order in order.vendor_orders:
        refresh_vendor_order(vendor_order)


# ------------------------------------------------------------------------------------------
# The shopper's pages
# ------------------------------------------------------------------------------------------


def list_orders(user: User, page: int = 1, per_page: int = 20) -> tuple[list[Order], bool]:
    """The user's orders, newest first, and whether there is a next page."""
    page = max(page, 1)
    orders = list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user.id)
            # The events say whether a transfer proof is being checked (`status_label`).
            .options(selectinload(Order.vendor_orders).selectinload(VendorOrder.events))
            .order_by(Order.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return orders[:per_page], len(orders) > per_page


def _load_order(user: User, number: str) -> Order:
    order = db.session.scalar(
        select(Order)
        .where(Order.number == number, Order.user_id == user.id)
        .options(
            selectinload(Order.vendor_orders).selectinload(VendorOrder.lines),
            selectinload(Order.vendor_orders).selectinload(VendorOrder.events),
            selectinload(Order.vendor_orders).joinedload(VendorOrder.cooperative),
        )
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound()
    return order


def open_order(user: User, number: str) -> Order:
    """One of the user's orders, brought up to date (expiry, completion) and fully loaded."""
    order = _load_order(user, number)
    if any(
        _is_overdue(vo, clock.now()) or _is_completable(vo, clock.now())
        for vo in order.vendor_orders
    ):
        refresh_order(order)
        order = _load_order(user, number)
    return order


# ------------------------------------------------------------------------------------------
# The cooperative's pages (reads only: its moves are above)
# ------------------------------------------------------------------------------------------


def _pays_at_pickup() -> ColumnElement[bool]:
    return Order.payment_method == PaymentMethod.PAY_AT_PICKUP


def _in_group(group: FulfilmentGroup) -> ColumnElement[bool]:
    """`lifecycle.group_of` as SQL, derived from it so the two can never disagree."""
    whole: list[VendorOrderStatus] = []
    split: list[ColumnElement[bool]] = []
    for status in S:
        at_pickup = group_of(status, at_pickup=True) == group
        in_advance = group_of(status, at_pickup=False) == group
        if at_pickup and in_advance:
            whole.append(status)
        elif at_pickup:
            split.append(and_(VendorOrder.status == status, _pays_at_pickup()))
        elif in_advance:
            split.append(and_(VendorOrder.status == status, not_(_pays_at_pickup())))
    return or_(VendorOrder.status.in_(whole), *split)


def fulfilment_counts(cooperative_id: int) -> dict[FulfilmentGroup, int]:
    """How many of the cooperative's vendor orders sit in each group (one query)."""
    rows = db.session.execute(
        select(VendorOrder.status, Order.payment_method, func.count())
        .join(VendorOrder.order)
        .where(VendorOrder.cooperative_id == cooperative_id)
        .group_by(VendorOrder.status, Order.payment_method)
    ).all()
    counts = dict.fromkeys(FulfilmentGroup, 0)
    for status, payment_method, count in rows:
        counts[group_of(status, payment_method == PaymentMethod.PAY_AT_PICKUP)] += int(count)
    return counts


#: Queues of work list the oldest first (first come, first served); the others the newest first.
_OLDEST_FIRST = frozenset(
    {
        FulfilmentGroup.TO_ACCEPT,
        FulfilmentGroup.TO_PACK,
        FulfilmentGroup.ON_THE_WAY,
        FulfilmentGroup.AWAITING_PAYMENT,
    }
)


def list_vendor_orders(
    cooperative_id: int, group: FulfilmentGroup, page: int = 1, per_page: int = 20
) -> tuple[list[VendorOrder], bool]:
    """One page of the cooperative's vendor orders in a group, with their order and lines
    loaded (a fixed number of queries), and whether there is a next page."""
    page = max(page, 1)
    order_by = VendorOrder.id.asc() if group in _OLDEST_FIRST else VendorOrder.id.desc()
    vendor_orders = list(
        db.session.scalars(
            select(VendorOrder)
            .join(VendorOrder.order)
            .where(VendorOrder.cooperative_id == cooperative_id, _in_group(group))
            .options(contains_eager(VendorOrder.order), selectinload(VendorOrder.lines))
            .order_by(order_by)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return vendor_orders[:per_page], len(vendor_orders) > per_page


def _load_vendor_order(cooperative_id: int, vendor_order_id: int) -> VendorOrder:
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .where(VendorOrder.id == vendor_order_id, VendorOrder.cooperative_id == cooperative_id)
        .options(
            joinedload(VendorOrder.order),
            joinedload(VendorOrder.cooperative),
            selectinload(VendorOrder.lines),
            selectinload(VendorOrder.events),
        )
        .execution_options(populate_existing=True)
    )
    if vendor_order is None:
        raise NotFound()
    return vendor_order


def open_vendor_order(cooperative_id: int, vendor_order_id: int) -> VendorOrder:
    """One of the cooperative's vendor orders, brought up to date (expiry, completion) and fully
    loaded; another cooperative's is not found."""
    vendor_order = _load_vendor_order(cooperative_id, vendor_order_id)
    if refresh_vendor_order(vendor_order):
        vendor_order = _load_vendor_order(cooperative_id, vendor_order_id)
    return vendor_order
