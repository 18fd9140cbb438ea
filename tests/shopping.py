"""Helpers for cart and order tests: stocked variants, filled carts, placed orders.

Stock always enters through the inventory module, so the ledger matches on hand."""

from __future__ import annotations

from typing import Any

from marketplace.accounts.models import User
from marketplace.cart import services as cart_services
from marketplace.catalogue.models import ProductVariant
from marketplace.inventory import stock
from marketplace.orders import checkout as order_checkout
from marketplace.orders.checkout import CheckoutChoices, ChosenService
from marketplace.orders.delivery import ShippingAddress
from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod
from marketplace.shipping import table
from marketplace.shipping.zones import zone_of
from tests.factories import ProductFactory, UserFactory, VariantFactory

ADDRESS = ShippingAddress(
    recipient_name="Siti Aminah",
    phone="081234567890",
    street="Jl. Majapahit No. 5",
    kelurahan="Miji",
    kecamatan="Kranggan",
    city="Kota Mojokerto",
    province="Jawa Timur",
    postal_code="61322",
    province_code="35",
    regency_code="35.76",
    district_code="35.76.03",
    village_code="35.76.03.1002",
)

#: The checkout form's new address: ADDRESS, its regions chosen from the lists.
NEW_ADDRESS_FORM = {
    "address_choice": "new",
    "recipient_name": ADDRESS.recipient_name,
    "phone": ADDRESS.phone,
    "street": ADDRESS.street,
    "province_code": ADDRESS.province_code,
    "regency_code": ADDRESS.regency_code,
    "district_code": ADDRESS.district_code,
    "village_code": ADDRESS.village_code,
    "postal_code": ADDRESS.postal_code,
}


def stocked_variant(quantity: int = 10, **kwargs: Any) -> ProductVariant:
    """A variant of an active product of an approved cooperative, with ``quantity`` on hand."""
    if "product" not in kwargs:
        product_fields = {
            key.removeprefix("product__"): kwargs.pop(key)
            for key in list(kwargs)
            if key.startswith("product__")
        }
        kwargs["product"] = ProductFactory(**product_fields)
    variant: ProductVariant = VariantFactory(**kwargs)
    if quantity:
        stock.restock(variant.id, quantity)
    return variant


def fill_cart(user: User, *items: tuple[ProductVariant, int]) -> None:
    cart = cart_services.user_cart(user)
    for variant, quantity in items:
        cart_services.add_item(cart, variant.id, quantity)


def choices(
    *variants: ProductVariant,
    delivery: DeliveryMethod = DeliveryMethod.PICKUP,
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    address: ShippingAddress = ADDRESS,
) -> CheckoutChoices:
    """The same delivery method for the cooperative of every variant given; by courier, the
    service of its own table for the address's zone (at a price the quote says again)."""
    chosen = CheckoutChoices(
        address=address,
        delivery={variant.cooperative_id: delivery for variant in variants},
        payment=payment,
    )
    if delivery == DeliveryMethod.COURIER:
        for variant in variants:
            zone = zone_of(variant.product.cooperative.district_code, address.district_code)
            chosen.services[variant.cooperative_id] = ChosenService(table.rate_code(zone), 0)
    return chosen


def place(
    user: User | None = None,
    *items: tuple[ProductVariant, int],
    delivery: DeliveryMethod = DeliveryMethod.PICKUP,
    payment: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    key: str | None = None,
) -> Order:
    """Fill the user's cart with ``items`` and place the order."""
    user = user or UserFactory()
    if not items:
        items = ((stocked_variant(10), 2),)
    fill_cart(user, *items)
    return order_checkout.place_order(
        user,
        choices(*(variant for variant, _ in items), delivery=delivery, payment=payment),
        key or order_checkout.new_idempotency_key(),
    )
