"""A shipping estimate before the cart: what a cooperative's courier services cost to one
kecamatan for a parcel of one product, shown on the product page for the shopper's saved
address and on the product's "Cek ongkir" page for a kecamatan picked from the lists.

The estimate reads the same providers as checkout (`services.courier_rates`), so the price
shown is the price checkout asks for the same parcel to the same kecamatan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.accounts.models import Address, User
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.regions import services as regions
from marketplace.regions.models import DISTRICT, Region
from marketplace.shipping.services import CourierQuote, courier_rates


@dataclass(frozen=True)
class Destination:
    """A kecamatan the parcel goes to, with a postcode inside it (Biteship prices by postcode)."""

    district_code: str
    postal_code: str
    #: "Genteng, Kota Surabaya"
    label: str


@dataclass(frozen=True)
class Estimate:
    destination: Destination
    quote: CourierQuote

    @property
    def cheapest(self) -> int | None:
        return min((rate.price for rate in self.quote.rates), default=None)


def saved_destination(user: User) -> Destination | None:
    """The shopper's default saved address (or first), when its region was chosen from the list."""
    address = db.session.scalar(
        select(Address)
        .where(Address.user_id == user.id, Address.district_code.is_not(None))
        .order_by(Address.is_default.desc(), Address.id)
        .limit(1)
    )
    if address is None or not address.district_code:
        return None
    return Destination(
        address.district_code, address.postal_code, f"{address.kecamatan}, {address.city}"
    )


def district_destination(code: str) -> Destination | None:
    """A kecamatan picked from the lists, at the postcode of its first village; None for a code
    that is no loaded kecamatan."""
    district = regions.get(code)
    if district is None or district.level != DISTRICT:
        return None
    regency = db.session.get(Region, district.parent_code) if district.parent_code else None
    postal_code = db.session.scalar(
        select(Region.postal_code)
        .where(Region.parent_code == district.code, Region.postal_code.is_not(None))
        .order_by(Region.postal_code)
        .limit(1)
    )
    if postal_code is None:
        return None
    label = f"{district.name}, {regency.name}" if regency else district.name
    return Destination(district.code, postal_code, label)


def estimate(cooperative: Cooperative, weight_grams: int, destination: Destination) -> Estimate:
    return Estimate(
        destination,
        courier_rates(
            cooperative, destination.district_code, destination.postal_code, weight_grams
        ),
    )
