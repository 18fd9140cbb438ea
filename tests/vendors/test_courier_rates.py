"""The cooperative's courier table in its workspace: the owner sets and removes the bands of
each zone; staff may not; another cooperative's band is not found (404) and stays as it was."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from tests.vendors.conftest import Shop


def bands(shop: Shop) -> list[tuple[str, int, int]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(CourierZoneRate)
        .where(CourierZoneRate.cooperative_id == shop.cooperative.id)
        .order_by(CourierZoneRate.zone, CourierZoneRate.max_weight_grams)
    )
    return [(row.zone, row.max_weight_grams, row.fee) for row in rows]


def test_the_owner_sees_every_zone_with_its_bands(owner_client: FlaskClient, shop_a: Shop) -> None:
    page = owner_client.get("/vendor/courier-rates").get_data(as_text=True)
    for zone in Zone:
        assert zone.label in page
    assert "Rp9.000" in page  # the shop's band to the same city
    assert "Kecamatan Magersari" in page


def test_the_owner_adds_a_band_and_changes_its_fee(owner_client: FlaskClient, shop_a: Shop) -> None:
    form = {"zone": "java", "max_weight_grams": "3.000", "fee": "Rp25.000"}
    assert owner_client.post("/vendor/courier-rates", data=form).status_code == 302
    assert ("java", 3000, 25000) in bands(shop_a)
    owner_client.post("/vendor/courier-rates", data={**form, "fee": "27000"})
    assert [b for b in bands(shop_a) if b[0] == "java"] == [("java", 3000, 27000)]


def test_a_band_needs_a_known_zone_a_weight_and_a_fee(
    owner_client: FlaskClient, shop_a: Shop
) -> None:
    before = bands(shop_a)
    for form in (
        {"zone": "moon", "max_weight_grams": "1000", "fee": "1000"},
        {"zone": "city", "max_weight_grams": "0", "fee": "1000"},
        {"zone": "city", "max_weight_grams": "1000", "fee": "-5"},
        {"zone": "city", "max_weight_grams": "1000"},
    ):
        assert owner_client.post("/vendor/courier-rates", data=form).status_code == 400
    assert bands(shop_a) == before


def test_the_owner_removes_a_band(owner_client: FlaskClient, shop_a: Shop) -> None:
    url = f"/vendor/courier-rates/{shop_a.courier_band.id}/remove"
    assert owner_client.post(url).status_code == 302
    assert bands(shop_a) == []


def test_another_cooperative_s_table_cannot_be_edited(
    owner_client: FlaskClient, shop_a: Shop, shop_b: Shop
) -> None:
    theirs = bands(shop_b)
    url = f"/vendor/courier-rates/{shop_b.courier_band.id}/remove"
    assert owner_client.post(url).status_code == 404
    # Setting a band always writes the signed-in member's own table.
    owner_client.post(
        "/vendor/courier-rates", data={"zone": "city", "max_weight_grams": "1000", "fee": "1"}
    )
    assert bands(shop_b) == theirs
    assert bands(shop_a) == [("city", 1000, 1)]


def test_staff_may_not_change_the_table(staff_client: FlaskClient, shop_a: Shop) -> None:
    assert staff_client.get("/vendor/courier-rates").status_code == 403
    url = f"/vendor/courier-rates/{shop_a.courier_band.id}/remove"
    assert staff_client.post(url).status_code == 403
    assert bands(shop_a) == [("city", 1000, 9000)]
