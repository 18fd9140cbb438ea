"""Which provider answers, and the fallback to the cooperative's own table."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from marketplace.cooperatives.models import Cooperative
from marketplace.shipping import biteship
from marketplace.shipping.rates import CourierRate, RatesUnavailable, Shipment, ShippingRates
from marketplace.shipping.table import ZoneTable


@dataclass(frozen=True)
class CourierQuote:
    """The courier services offered for one cooperative's parcel to one destination."""

    rates: list[CourierRate]
    #: The provider whose rates these are.
    provider: str
    #: The configured provider (Biteship) failed: these are the cooperative's own table's.
    fell_back: bool

    @property
    def notice(self) -> str | None:
        """What the shopper is told when the rates are the fallback's."""
        if not self.fell_back:
            return None
        return str(
            _(
                "Tarif kurir online sedang tidak tersedia; yang tampil adalah tarif kurir "
                "koperasi sendiri."
            )
        )


def provider() -> ShippingRates:
    """Biteship when configured, else the cooperatives' own tables."""
    return biteship.Biteship() if biteship.enabled() else ZoneTable()


def shipment_for(
    cooperative: Cooperative, destination_district: str, destination_postal_code: str, weight: int
) -> Shipment:
    return Shipment(
        cooperative_id=cooperative.id,
        origin_district=cooperative.district_code,
        origin_postal_code=cooperative.postal_code,
        destination_district=destination_district,
        destination_postal_code=destination_postal_code,
        weight_grams=weight,
    )


def courier_rates(
    cooperative: Cooperative,
    destination_district: str,
    destination_postal_code: str,
    weight_grams: int,
) -> CourierQuote:
    """The courier services for this parcel, by the configured provider; when it cannot answer,
    the cooperative's own table's, marked as a fallback. No services when the cooperative
    offers no courier."""
    if not cooperative.offers_courier:
        return CourierQuote([], ZoneTable.name, fell_back=False)
    shipment = shipment_for(
        cooperative, destination_district, destination_postal_code, weight_grams
    )
    chosen = provider()
    try:
        return CourierQuote(chosen.rates(shipment), chosen.name, fell_back=False)
    except RatesUnavailable:
        table = ZoneTable()
        return CourierQuote(table.rates(shipment), table.name, fell_back=True)
