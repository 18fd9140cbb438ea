"""``flask ops``: operations commands. ``flask ops restore-check`` proves that a backup restores;
the backups themselves are taken by ``deploy/backup.sh`` (see ``marketplace/backups.py``)."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup

from marketplace.backups import DEFAULT_BACKUP_DIR, BackupError, check_restore, newest_dump
from marketplace.extensions import db

ops_cli = AppGroup("ops", help="Operations: the restore check of a backup.")


@ops_cli.command("restore-check")
@click.argument(
    "dump", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--latest", is_flag=True, help="Check the newest dump in the backup folder.")
@click.option(
    "--backup-dir",
    envvar="BACKUP_DIR",
    default=DEFAULT_BACKUP_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where --latest looks (BACKUP_DIR).",
)
def restore_check_command(dump: Path | None, latest: bool, backup_dir: Path) -> None:
    """Restore DUMP (pg_dump's custom format, or a .gpg of one) into a scratch database on the
    live database's server, check its migration and its key tables' rows against the live
    database, then drop it. Exits 1 when the restore or a check fails."""
    if (dump is None) == (not latest):
        raise click.UsageError("Give a DUMP or --latest (not both).")
    if db.engine.url.get_backend_name() != "postgresql":
        raise click.ClickException("The restore check needs PostgreSQL (DATABASE_URL).")
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    try:
        chosen = dump if dump is not None else newest_dump(backup_dir)
        report = check_restore(chosen, db.engine, heads, say=click.echo)
    except BackupError as error:
        raise click.ClickException(f"restore check failed: {error}") from error
    for line in report.lines():
        click.echo(line)
    problems = report.problems()
    if problems:
        raise click.ClickException(
            "restore check failed:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
    click.echo(f"restore check passed: {chosen.name}; scratch database {report.database} dropped")
