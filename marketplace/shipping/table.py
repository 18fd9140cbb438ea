"""The embedded provider: each cooperative's own table of courier fees by destination zone and
weight band, and the cooperative's edits of it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.rates import CourierRate, Shipment
from marketplace.shipping.zones import Zone, zone_of

PROVIDER = "table"


def rate_code(zone: Zone) -> str:
    return f"{PROVIDER}:{zone}"


class ZoneTable:
    """The cooperative's fee for the lightest band of the destination's zone that takes the
    parcel; nothing when no band of that zone does (the parcel cannot go by courier there)."""

    name = PROVIDER

    def rates(self, shipment: Shipment) -> list[CourierRate]:
        zone = zone_of(shipment.origin_district, shipment.destination_district)
        fee = db.session.scalar(
            select(CourierZoneRate.fee)
            .where(
                CourierZoneRate.cooperative_id == shipment.cooperative_id,
                CourierZoneRate.zone == zone,
                CourierZoneRate.max_weight_grams >= shipment.weight_grams,
            )
            .order_by(CourierZoneRate.max_weight_grams)
            .limit(1)
        )
        if fee is None:
            return []
        return [
            CourierRate(
                provider=PROVIDER,
                code=rate_code(zone),
                courier_name=_("Kurir koperasi"),
                service_name=zone.label,
                price=fee,
                eta="",
            )
        ]


# ------------------------------------------------------------------------------------------
# The cooperative's edits
# ------------------------------------------------------------------------------------------


def zone_table(cooperative_id: int) -> dict[Zone, list[CourierZoneRate]]:
    """Every zone, nearest first, with its bands, lightest first (a zone may have none)."""
    table: dict[Zone, list[CourierZoneRate]] = {zone: [] for zone in Zone}
    rows = db.session.scalars(
        select(CourierZoneRate)
        .where(CourierZoneRate.cooperative_id == cooperative_id)
        .order_by(CourierZoneRate.max_weight_grams)
    )
    for row in rows:
        table[Zone(row.zone)].append(row)
    return table


def set_band(cooperative_id: int, zone: Zone, max_weight_grams: int, fee: int) -> CourierZoneRate:
    """Add a band to a zone, or change the fee of the zone's band of that weight."""
    band = db.session.scalar(
        select(CourierZoneRate).where(
            CourierZoneRate.cooperative_id == cooperative_id,
            CourierZoneRate.zone == zone,
            CourierZoneRate.max_weight_grams == max_weight_grams,
        )
    )
    if band is None:
        band = CourierZoneRate(
            cooperative_id=cooperative_id, zone=zone, max_weight_grams=max_weight_grams, fee=fee
        )
        db.session.add(band)
    else:
        band.fee = fee
    db.session.flush()
    audit.record(
        "courier_rates.band_set",
        band,
        cooperative_id=cooperative_id,
        data={"zone": str(zone), "max_weight_grams": max_weight_grams, "fee": fee},
    )
    return band


def remove_band(cooperative_id: int, band_id: int) -> None:
    """Remove one of the cooperative's bands; another cooperative's is not found."""
    band = db.session.get(CourierZoneRate, band_id)
    if band is None or band.cooperative_id != cooperative_id:
        raise NotFound()
    audit.record(
        "courier_rates.band_removed",
        band,
        cooperative_id=cooperative_id,
        data={"zone": band.zone, "max_weight_grams": band.max_weight_grams, "fee": band.fee},
    )
    db.session.delete(band)
    db.session.flush()
