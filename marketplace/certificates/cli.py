"""``flask certificates remind``: email cooperatives before their certificates expire (daily from
cron; also a periodic task). Safe to run twice, and twice at once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace import clock
from marketplace.urls import site_request_context

certificates_cli = AppGroup("certificates", help="Certificates: reminders before they expire.")


def send_reminders() -> int:
    """Send the reminders due today (in Kota Mojokerto). Links in the emails use
    SERVER_BASE_URL."""
    from marketplace.certificates.reminders import send_reminders as send

    with site_request_context():
        return send(clock.today())


@certificates_cli.command("remind")
def remind_command() -> None:
    """Email owners 30 and 7 days (CERTIFICATE_REMINDER_DAYS) before a certificate expires."""
    click.echo(f"reminded about {send_reminders()} certificates")
