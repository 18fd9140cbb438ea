"""The migration to zone tables (b4d8e2f6a9c3): each cooperative's weight bands become the
bands of every zone, so no courier fee changes until the cooperative edits its table; the way
down drops the zone table and keeps the weight bands."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from tests.factories import CooperativeFactory, CourierRateBandFactory

BEFORE = "c7d9e3a5b1f2"


def test_weight_bands_become_every_zone_s_bands_and_survive_the_way_down(
    committed_app: Flask,
) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.test_request_context():
        with_bands = CooperativeFactory(offers_courier=True)
        CourierRateBandFactory(cooperative=with_bands, max_weight_grams=1000, fee=11000)
        CourierRateBandFactory(cooperative=with_bands, max_weight_grams=5000, fee=20000)
        without = CooperativeFactory()
        ids = (with_bands.id, without.id)
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        assert db.session.scalar(text("SELECT count(*) FROM courier_rate_bands")) == 2
        db.session.commit()
        db.session.remove()
        upgrade()
        rows = db.session.scalars(select(CourierZoneRate).order_by(CourierZoneRate.id)).all()
        by_zone = {
            zone: sorted((r.max_weight_grams, r.fee) for r in rows if r.zone == zone)
            for zone in Zone
        }
        assert by_zone == {zone: [(1000, 11000), (5000, 20000)] for zone in Zone}
        assert {r.cooperative_id for r in rows} == {ids[0]}
        db.session.commit()
