"""The courier-table migrations: going down to before zone tables (c7d9e3a5b1f2) brings back
one weight-band table per cooperative (its farthest zone's fees, so no parcel is charged less
than the table allows); coming back up, those bands become every zone's bands (b4d8e2f6a9c3)
and the weight-band table is dropped again (a1f3c5e7b9d2), which checkout no longer reads."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import inspect, select, text

from marketplace.extensions import db
from marketplace.shipping import table
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from tests.factories import CooperativeFactory

BEFORE = "c7d9e3a5b1f2"


def test_the_farthest_zone_s_bands_survive_the_way_down_and_become_every_zone_s(
    committed_app: Flask,
) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.test_request_context():
        with_rates = CooperativeFactory(offers_courier=True)
        for zone in Zone:
            cheaper = 0 if zone == Zone.OUTSIDE_JAVA else 1000
            table.set_band(with_rates.id, zone, 1000, 11000 - cheaper)
            table.set_band(with_rates.id, zone, 5000, 20000 - cheaper)
        without = CooperativeFactory()
        ids = (with_rates.id, without.id)
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        bands = db.session.execute(
            text(
                "SELECT cooperative_id, max_weight_grams, fee FROM courier_rate_bands"
                " ORDER BY max_weight_grams"
            )
        ).all()
        assert [tuple(b) for b in bands] == [(ids[0], 1000, 11000), (ids[0], 5000, 20000)]
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
        assert "courier_rate_bands" not in inspect(db.engine).get_table_names()
        db.session.commit()
