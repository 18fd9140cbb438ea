"""The seam: what any courier-rates provider is asked and what it answers, in our own records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError


@dataclass(frozen=True)
class Shipment:
    """One cooperative's parcel to one destination."""

    cooperative_id: int
    #: The cooperative's kecamatan code ("35.76.02") and postcode.
    origin_district: str
    origin_postal_code: str
    #: The destination's kecamatan (or village) code and postcode.
    destination_district: str
    destination_postal_code: str
    weight_grams: int


@dataclass(frozen=True)
class CourierRate:
    """One courier service for a shipment, as the shopper sees it and the order keeps it."""

    #: Which provider listed it ("table", "biteship").
    provider: str
    #: Stable within its provider: what the shopper's choice names ("jne:reg", "table:city").
    code: str
    courier_name: str
    service_name: str
    #: Whole rupiah.
    price: int
    #: The estimated delivery time as the provider words it ("2 - 3 hari"); "" when unknown.
    eta: str


class ShippingRates(Protocol):
    """A courier-rates provider."""

    name: str

    def rates(self, shipment: Shipment) -> list[CourierRate]:
        """The services offered for this shipment, cheapest first (may be empty); raises
        `RatesUnavailable` when the provider cannot answer."""
        ...


class RatesUnavailable(DomainError):
    """The provider could not answer (refused, failed, too slow): fall back to the table."""

    status_code = 503
    default_message = _l("Tarif kurir tidak dapat diambil saat ini.")
