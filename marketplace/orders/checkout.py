"""Checkout: what the shopper may choose, the price of those choices, and placing the order.

* `delivery.delivery_options` and `payment_methods` say what is offered;
* `quote_order` turns the cart and the shopper's choices (address, a delivery option per
  cooperative, payment method) into prices, or says what is wrong;
* `place_order` is the one function that creates an order, in one transaction.

The order's life after that is `marketplace.orders.moves`; its pages read
`marketplace.orders.queries`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import audit, clock, i18n
from marketplace.accounts.models import User
from marketplace.cart import services as cart_services
from marketplace.cart.services import CartView, CooperativeGroup
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.mail import queue_email
from marketplace.observability import count_order_placed
from marketplace.orders.delivery import (
    COURIER_CHOICE,
    DeliveryOption,
    ShippingAddress,
    courier_service_label,
    delivery_options,
    is_local_address,
)
from marketplace.orders.exceptions import (
    CheckoutProblem,
    EmailNotVerified,
    PricesChanged,
)
from marketplace.orders.models import (
    ActorKind,
    DeliveryMethod,
    Order,
    OrderLine,
    PaymentMethod,
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.orders.notices import queue_cooperative_email
from marketplace.orders.payment_options import ONLINE_METHODS, online_gateway
from marketplace.orders.signals import order_placed
from marketplace.shipping.rates import CourierRate
from marketplace.urls import absolute_url

S = VendorOrderStatus
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# ------------------------------------------------------------------------------------------
# Delivery and payment options
# ------------------------------------------------------------------------------------------


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def payment_methods(all_pickup: bool | None = None) -> list[PaymentMethod]:
    """The methods offered: the gateway's first (QRIS, e-wallets, virtual accounts; only with a
    gateway, `payment_options`), then card (only with Stripe configured), then transfer; pay at
    pickup only when every part is picked up (None: not known yet, offer it with the rule shown
    next to it)."""
    methods: list[PaymentMethod] = []
    if online_gateway(current_app.config) is not None:
        methods.extend(ONLINE_METHODS)
    if card_payments_enabled():
        methods.append(PaymentMethod.CARD)
    methods.append(PaymentMethod.BANK_TRANSFER)
    if all_pickup is not False:
        methods.append(PaymentMethod.PAY_AT_PICKUP)
    return methods


# ------------------------------------------------------------------------------------------
# Quoting
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenService:
    """The courier service the shopper chose for a part, at the price they were shown."""

    code: str
    price: int


@dataclass
class CheckoutChoices:
    address: ShippingAddress
    #: cooperative id → how its part is delivered
    delivery: dict[int, DeliveryMethod]
    payment: PaymentMethod
    #: cooperative id → the courier service chosen, for the parts going by courier
    services: dict[int, ChosenService] = field(default_factory=dict)

    def choose(self, cooperative_id: int, option: DeliveryOption) -> None:
        self.delivery[cooperative_id] = option.method
        if option.rate is None:
            self.services.pop(cooperative_id, None)
        else:
            self.services[cooperative_id] = ChosenService(option.rate.code, option.fee)

    def key_for(self, cooperative_id: int) -> str | None:
        """The delivery option chosen for this cooperative's part, as `DeliveryOption.key`."""
        method = self.delivery.get(cooperative_id)
        service = self.services.get(cooperative_id)
        if method == DeliveryMethod.COURIER and service is not None:
            return COURIER_CHOICE + service.code
        return None if method is None else str(method)

    def to_session(self) -> dict[str, Any]:
        return {
            "address": self.address.as_dict(),
            "delivery": {str(k): str(v) for k, v in self.delivery.items()},
            "payment": str(self.payment),
            "services": {str(k): [v.code, v.price] for k, v in self.services.items()},
        }

    @classmethod
    def from_session(cls, data: Any) -> CheckoutChoices | None:
        """Choices saved by the checkout page, or None when missing or malformed."""
        try:
            return cls(
                address=ShippingAddress(**data["address"]),
                delivery={int(k): DeliveryMethod(v) for k, v in data["delivery"].items()},
                payment=PaymentMethod(data["payment"]),
                services={
                    int(k): ChosenService(str(code), int(price))
                    for k, (code, price) in data.get("services", {}).items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass
class PartQuote:
    group: CooperativeGroup
    delivery: DeliveryMethod
    delivery_fee: int
    #: The courier service, for a part going by courier.
    rate: CourierRate | None = None

    @property
    def delivery_label(self) -> str:
        """ "Kurir · JNE REG (1 - 2 hari)": the method, and the courier service chosen."""
        label = str(self.delivery.label)
        return f"{label} · {courier_service_label(self.rate)}" if self.rate else label

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

    def rate_changes(self) -> list[str]:
        """A notice for each courier service whose price is not the one it was chosen at."""
        notices = []
        for part in self.parts:
            chosen = self.choices.services.get(part.cooperative.id)
            if part.rate is not None and chosen is not None and chosen.price != part.delivery_fee:
                notices.append(
                    _(
                        "Ongkos kirim %(service)s dari %(name)s berubah dari %(old)s menjadi "
                        "%(new)s sejak Anda memilihnya.",
                        service=part.delivery_label,
                        name=part.cooperative.name,
                        old=i18n.rupiah(chosen.price),
                        new=i18n.rupiah(part.delivery_fee),
                    )
                )
        return notices


def ensure_cart_orderable(view: CartView) -> None:
    """The cart must have lines and none with a problem (sold out, not for sale, too few)."""
    if view.is_empty:
        raise CheckoutProblem(_("Keranjang Anda kosong."))
    for line in view.problems:
        name = line.product.name + (f" ({line.variant.name})" if line.variant.name else "")
        raise CheckoutProblem(_("%(product)s: %(problem)s", product=name, problem=line.problem))


def _chosen_option(group: CooperativeGroup, choices: CheckoutChoices) -> DeliveryOption:
    """The delivery option chosen for this cooperative's part, as offered now for the address
    (at its price now); a courier service no longer listed is refused."""
    cooperative = group.cooperative
    wanted = choices.key_for(cooperative.id)
    offered = delivery_options(
        cooperative, group.weight_grams, choices.address, group.subtotal
    ).options
    option = next((o for o in offered if o.key == wanted), None)
    if option is None and choices.delivery.get(cooperative.id) == DeliveryMethod.COURIER:
        raise CheckoutProblem(
            _(
                "Layanan kurir yang dipilih untuk %(name)s tidak tersedia untuk alamat ini. "
                "Pilih layanan lain.",
                name=cooperative.name,
            )
        )
    if option is None:
        raise CheckoutProblem(_("Pilih cara pengiriman untuk %(name)s.", name=cooperative.name))
    return option


def quote_order(view: CartView, choices: CheckoutChoices) -> Quote:
    """Prices for the cart with these choices, checking every rule; CheckoutProblem says what
    to change. Courier services are priced as listed now: `Quote.rate_changes` says which
    differ from the price the shopper chose them at."""
    ensure_cart_orderable(view)
    parts = []
    for group in view.groups:
        cooperative = group.cooperative
        option = _chosen_option(group, choices)
        method = option.method
        if method == DeliveryMethod.LOCAL_DELIVERY and not is_local_address(choices.address.city):
            raise CheckoutProblem(
                _(
                    "Antar lokal %(name)s hanya untuk alamat di %(city)s. Pilih ambil sendiri "
                    "atau kurir.",
                    name=cooperative.name,
                    city=current_app.config["LOCAL_DELIVERY_CITY"],
                )
            )
        parts.append(PartQuote(group, method, option.fee, option.rate))
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
    payment_methods: list[PaymentMethod]


def checkout_setup(user: User) -> CheckoutSetup:
    view = cart_services.view_cart(cart_services.find_cart(user, None))
    problem = None
    try:
        ensure_cart_orderable(view)
    except CheckoutProblem as error:
        problem = error.message
    return CheckoutSetup(view, problem, payment_methods())


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
    if payment == PaymentMethod.VIRTUAL_ACCOUNT:
        return placed_at + timedelta(minutes=config["ORDER_PAYMENT_MINUTES_VIRTUAL_ACCOUNT"])
    if payment == PaymentMethod.EWALLET:
        return placed_at + timedelta(minutes=config["ORDER_PAYMENT_MINUTES_EWALLET"])
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
        **address.for_order(),
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
            **_courier_service(part.rate),
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


def _courier_service(rate: CourierRate | None) -> dict[str, str | None]:
    """What the part keeps of the courier service chosen: its code, as it read, and whose."""
    if rate is None:
        return {}
    return {
        "shipping_provider": rate.provider,
        "courier_service_code": rate.code,
        "courier_service": courier_service_label(rate),
    }


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
            queue_cooperative_email(vendor_order, "vendor_new_order")
