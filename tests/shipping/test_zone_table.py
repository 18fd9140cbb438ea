"""The embedded provider: a cooperative's own courier table by destination zone and weight
band, seen from its kecamatan (Magersari, 35.76.02, for the factories' cooperative)."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.shipping import services, table
from marketplace.shipping.zones import Zone, zone_of
from tests.factories import CooperativeFactory

#: A destination (kecamatan) in each zone, seen from Magersari, Kota Mojokerto.
DESTINATIONS = {
    Zone.DISTRICT: "35.76.02",  # Magersari itself
    Zone.CITY: "35.76.03",  # Kranggan, Kota Mojokerto
    Zone.EAST_JAVA: "35.16.01",  # Kabupaten Mojokerto
    Zone.JAVA: "33.74.01",  # Kota Semarang, Jawa Tengah
    Zone.OUTSIDE_JAVA: "51.71.01",  # Kota Denpasar, Bali
}
#: Each zone's fee for a parcel up to 1 kg, all different so a wrong zone shows.
FEES = {
    Zone.DISTRICT: 5000,
    Zone.CITY: 8000,
    Zone.EAST_JAVA: 12000,
    Zone.JAVA: 20000,
    Zone.OUTSIDE_JAVA: 35000,
}


@pytest.fixture
def cooperative(app_ctx: Flask) -> Cooperative:
    cooperative = CooperativeFactory(kecamatan="Magersari", offers_courier=True)
    for zone, fee in FEES.items():
        table.set_band(cooperative.id, zone, 1000, fee)
        table.set_band(cooperative.id, zone, 5000, fee * 2)
    db.session.flush()
    return cooperative


def rates_to(cooperative: Cooperative, district: str, grams: int) -> list[int]:
    quote = services.courier_rates(cooperative, district, "61316", grams)
    assert not quote.fell_back
    return [rate.price for rate in quote.rates]


def test_the_cooperative_s_origin_is_its_own_kecamatan(app_ctx: Flask) -> None:
    assert CooperativeFactory(kecamatan="Kranggan").district_code == "35.76.03"
    assert CooperativeFactory(kecamatan="Prajurit Kulon").district_code == "35.76.01"


@pytest.mark.parametrize("zone", list(Zone))
def test_a_destination_in_each_zone_gets_that_zone_s_price(
    cooperative: Cooperative, zone: Zone
) -> None:
    assert zone_of("35.76.02", DESTINATIONS[zone]) == zone
    assert rates_to(cooperative, DESTINATIONS[zone], 800) == [FEES[zone]]
    assert rates_to(cooperative, DESTINATIONS[zone], 1001) == [FEES[zone] * 2]


def test_a_village_code_counts_as_its_kecamatan(cooperative: Cooperative) -> None:
    assert rates_to(cooperative, "35.76.02.1009", 500) == [FEES[Zone.DISTRICT]]
    assert rates_to(cooperative, "35.76.03.1002", 500) == [FEES[Zone.CITY]]


def test_a_parcel_heavier_than_every_band_cannot_go_by_courier(cooperative: Cooperative) -> None:
    assert rates_to(cooperative, DESTINATIONS[Zone.JAVA], 5000) == [FEES[Zone.JAVA] * 2]
    assert rates_to(cooperative, DESTINATIONS[Zone.JAVA], 5001) == []


def test_a_zone_without_bands_has_no_courier(cooperative: Cooperative) -> None:
    for band in list(table.zone_table(cooperative.id)[Zone.OUTSIDE_JAVA]):
        table.remove_band(cooperative.id, band.id)
    assert rates_to(cooperative, DESTINATIONS[Zone.OUTSIDE_JAVA], 500) == []
    assert rates_to(cooperative, DESTINATIONS[Zone.JAVA], 500) == [FEES[Zone.JAVA]]


def test_setting_a_band_of_the_same_weight_changes_its_fee(cooperative: Cooperative) -> None:
    table.set_band(cooperative.id, Zone.CITY, 1000, 9500)
    assert rates_to(cooperative, DESTINATIONS[Zone.CITY], 1000) == [9500]
    assert len(table.zone_table(cooperative.id)[Zone.CITY]) == 2


def test_a_cooperative_without_courier_lists_no_service(cooperative: Cooperative) -> None:
    cooperative.offers_courier = False
    assert services.courier_rates(cooperative, DESTINATIONS[Zone.CITY], "61321", 500).rates == []
