"""``flask certificates remind``: email cooperatives before their certificates expire (daily from
cron; also a periodic task). Safe to run twice, and twice at once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace import clock
from marketplace.urls import site_request_context

certificates_cli = AppGroup("certificates", help="Certificates: reminders before they expire.")


def send_reminders() -> int:
    """Send the reminders due today (in Kota Mojokerto). Links in the emails use
    SERVER_BASE_URL."""
    from marketplace.certificates.reminders import send_reminders as send

    today = clock.now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    with site_request_context():
        return send(today)


@certificates_cli.command("remind")
def remind_command() -> None:
    """Email owners 30 and 7 days (CERTIFICATE_REMINDER_DAYS) before a certificate expires."""
    click.echo(f"reminded about {send_reminders()} certificates")
