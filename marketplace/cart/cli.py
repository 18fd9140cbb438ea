"""``flask cart purge``: delete guest carts nobody touched for a while (cron, daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.extensions import db

cart_cli = AppGroup("cart", help="Carts.")


def purge_stale_guest_carts(days: int | None = None) -> int:
    """Delete guest carts untouched for ``days`` (default CART_GUEST_MAX_AGE_DAYS)."""
    from marketplace.cart.services import purge_guest_carts

    deleted = purge_guest_carts(days or current_app.config["CART_GUEST_MAX_AGE_DAYS"])
    db.session.commit()
    return deleted


@cart_cli.command("purge")
@click.option("--days", type=int, default=None, help="Default: CART_GUEST_MAX_AGE_DAYS.")
def purge_command(days: int | None) -> None:
    """Delete guest carts untouched for DAYS days (signed-in users' carts are kept)."""
    click.echo(f"deleted {purge_stale_guest_carts(days)} guest carts")
