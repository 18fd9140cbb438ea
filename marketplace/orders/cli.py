"""``flask orders expire`` and ``flask orders complete``: safe from cron every minute, and safe to
run twice at once (each vendor order moves with a guarded update; the loser of a race skips it).
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.jobs import each_in_own_transaction
from marketplace.mail import dispatch_queued
from marketplace.urls import site_request_context

orders_cli = AppGroup("orders", help="Orders: expiry of unpaid orders, automatic completion.")


def move_each(ids: list[int], move: Callable[[int], bool]) -> int:
    """Each vendor order in its own transaction, so locks are short and one failure stays
    alone. Emails go out after each commit (links use SERVER_BASE_URL)."""
    with site_request_context():
        moved = each_in_own_transaction(
            ids,
            move,
            lambda vendor_order_id: f"vendor order {vendor_order_id} could not be moved",
            logger=current_app.logger,
            after_commit=dispatch_queued,
        )
    return sum(moved)


def expire_overdue(limit: int = 500) -> int:
    """Cancel unpaid orders whose payment (or pickup) time ran out; release their stock."""
    from marketplace.orders.moves import expire_vendor_order, overdue_vendor_order_ids

    return move_each(overdue_vendor_order_ids(limit), expire_vendor_order)


def complete_delivered(limit: int = 500) -> int:
    """Complete orders delivered more than ORDER_AUTO_COMPLETE_DAYS ago."""
    from marketplace.orders.moves import completable_vendor_order_ids, complete_vendor_order

    return move_each(completable_vendor_order_ids(limit), complete_vendor_order)


@orders_cli.command("expire")
@click.option("--limit", default=500, show_default=True, help="At most this many vendor orders.")
def expire_command(limit: int) -> None:
    """Cancel unpaid orders whose payment (or pickup) time ran out and release their stock."""
    click.echo(f"expired {expire_overdue(limit)}")


@orders_cli.command("complete")
@click.option("--limit", default=500, show_default=True, help="At most this many vendor orders.")
def complete_command(limit: int) -> None:
    """Complete orders delivered more than ORDER_AUTO_COMPLETE_DAYS ago."""
    click.echo(f"completed {complete_delivered(limit)}")
