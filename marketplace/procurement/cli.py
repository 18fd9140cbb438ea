"""``flask procurement freeze-documents``: freeze the documents issued before freezing existed
(run once after the upgrade that brought it; safe to run again)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.urls import site_request_context

procurement_cli = AppGroup("procurement", help="Government procurement.")


@procurement_cli.command("freeze-documents")
def freeze_documents_command() -> None:
    """Store the PDF of every issued document that has none yet, with its hash and token."""
    from marketplace.procurement import freezing

    with site_request_context():
        count = freezing.freeze_missing()
    click.echo(f"froze {count} documents")
