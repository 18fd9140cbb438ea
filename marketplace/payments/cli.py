"""``flask payments reconcile``: compare a day with Xendit by hand (the periodic task does
yesterday by itself)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
from flask.cli import AppGroup

from marketplace import clock
from marketplace.extensions import db

payments_cli = AppGroup("payments", help="Payments: the daily reconciliation with Xendit.")


@payments_cli.command("reconcile")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day (WIB) to compare; yesterday when left out.",
)
def reconcile_command(day: datetime | None) -> None:
    """Compare one day's payments with Xendit's transactions and record the differences."""
    from marketplace.payments import reconciliation

    chosen: date = day.date() if day is not None else clock.today() - timedelta(days=1)
    result = reconciliation.reconcile_day(chosen)
    db.session.commit()
    click.echo(
        f"{result.day}: {result.transactions} transactions, {result.matched} matched, "
        f"{result.differences} new differences, gross {result.gross}, fees {result.fees}"
    )
