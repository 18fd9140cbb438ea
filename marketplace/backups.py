"""Backups: how the PostgreSQL tools reach the database, the copy of a night's files to a bucket
off the machine, and the restore check that proves a dump restores (``flask ops restore-check``).

``deploy/backup.sh`` takes the dump and the uploads archive; it calls this module as
``python -m marketplace.backups …``, not through ``flask``, so that a backup needs only
DATABASE_URL and the BACKUP_* variables and still runs when the app itself would not start (a
release half-installed, a setting missing). For the same reason the BACKUP_* variables are read
here from the environment, not from ``config.py``.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

#: Where backup.sh writes, unless BACKUP_DIR says otherwise.
DEFAULT_BACKUP_DIR = "/var/backups/pasar-opop"
#: The dumps backup.sh writes: ``pasar-opop-db-<UTC time>.dump``, ``.dump.gpg`` when encrypted.
DUMP_PREFIX = "pasar-opop-db-"
DUMP_SUFFIXES = (".dump", ".dump.gpg")
#: Scratch databases are named with this prefix and a random suffix; one left behind (the check
#: killed with SIGKILL) is found by it.
SCRATCH_PREFIX = "opop_restore_check_"

#: Tables a restore must bring back: where the live database has rows, the restored one must
#: have some. The accounts, the catalogue, the shop's orders and money, procurement, the audit.
KEY_TABLES: tuple[str, ...] = (
    "users",
    "cooperatives",
    "cooperative_members",
    "categories",
    "products",
    "product_variants",
    "stock_movements",
    "orders",
    "vendor_orders",
    "order_lines",
    "payments",
    "settlement_entries",
    "agencies",
    "procurement_requests",
    "procurement_quotations",
    "procurement_purchase_orders",
    "procurement_deliveries",
    "procurement_invoices",
    "procurement_payments",
    "audit_log",
)


class BackupError(Exception):
    """A backup, its copy or its restore check failed; the message says what to do."""


def libpq_target(database_url: str | URL) -> tuple[str, dict[str, str]]:
    """What pg_dump and pg_restore need for a SQLAlchemy URL: a libpq URI without the password
    (every local user can read a process's command line) and the environment carrying it."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"not a PostgreSQL database: {url.get_backend_name()}")
    environ = {"PGPASSWORD": url.password} if url.password else {}
    without_password = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    uri = without_password.render_as_string(hide_password=False)
    return uri, environ


def newest_dump(folder: Path) -> Path:
    """The newest dump backup.sh wrote in ``folder`` (its name carries the time)."""
    dumps = sorted(
        path
        for path in folder.glob(f"{DUMP_PREFIX}*")
        if path.is_file() and path.name.endswith(DUMP_SUFFIXES)
    )
    if not dumps:
        raise BackupError(f"no {DUMP_PREFIX}*.dump in {folder}")
    return dumps[-1]


_PACKAGES = {"pg_restore": "postgresql-client", "gpg": "gpg"}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install {_PACKAGES[name]})")
    return found


def _run(command: list[str], environ: dict[str, str] | None = None) -> None:
    result = subprocess.run(  # noqa: S603 (a fixed tool; arguments are paths and a URI)
        command,
        env={**os.environ, **(environ or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        tail = "\n".join(output[-8:])
        raise BackupError(f"{Path(command[0]).name} failed (exit {result.returncode}):\n{tail}")


@contextmanager
def readable_dump(path: Path) -> Iterator[Path]:
    """The dump itself, or, for a ``.gpg`` one, a decrypted copy in a private temporary folder
    (removed afterwards). Decrypting needs the secret key in gpg's keyring (GNUPGHOME)."""
    if path.suffix != ".gpg":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="opop-restore-") as folder:
        plain = Path(folder) / path.with_suffix("").name
        _run([_tool("gpg"), "--batch", "--quiet", "--decrypt", "--output", str(plain), str(path)])
        yield plain


@contextmanager
def scratch_database(server: URL) -> Iterator[URL]:
    """A new, empty database on ``server`` under a random name, dropped afterwards whatever
    happens (an error, Ctrl-C; SIGTERM too inside ``check_restore``)."""
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except SQLAlchemyError as error:
            raise BackupError(
                f"could not create the scratch database {name}: {error.__cause__ or error}\n"
                f"The role {server.username!r} must be allowed to create databases "
                f"(ALTER ROLE {server.username} CREATEDB), or run the check as one that is."
            ) from error
        try:
            yield server.set(database=name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Let SIGTERM unwind the stack (so the scratch database is dropped) instead of killing
    the process on the spot."""

    def exit_now(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, exit_now)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def restore(dump: Path, database: URL) -> None:
    """Restore a custom-format dump into an empty database, stopping at the first error."""
    uri, environ = libpq_target(database)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(dump),
        ],
        environ,
    )


def revisions(conn: Connection) -> set[str]:
    """The Alembic revisions a database is at (none when it has no alembic_version table)."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {str(row) for row in conn.scalars(text("SELECT version_num FROM alembic_version"))}


def table_counts(conn: Connection) -> dict[str, int | None]:
    """Rows in each key table; None for a table the database does not have."""
    present = set(inspect(conn).get_table_names())
    return {
        # The names come from KEY_TABLES above, never from input.
        table: int(conn.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0)  # noqa: S608
        if table in present
        else None
        for table in KEY_TABLES
    }


@dataclass(frozen=True)
class TableCheck:
    table: str
    live: int | None
    restored: int | None

    @property
    def problem(self) -> str | None:
        if self.restored is None and self.live is not None:
            return f"table {self.table} is missing from the restore"
        if self.live and not self.restored:
            return f"table {self.table} restored empty, the live database has {self.live} rows"
        return None


@dataclass(frozen=True)
class RestoreReport:
    dump: Path
    database: str
    revisions: set[str]
    heads: set[str]
    tables: list[TableCheck]

    def problems(self) -> list[str]:
        found = [check.problem for check in self.tables if check.problem]
        if self.revisions != self.heads:
            found.insert(
                0,
                f"the dump is at migration {_names(self.revisions)}, the code's head is "
                f"{_names(self.heads)}: restore it with the release that made it, or run "
                "`flask db upgrade` after restoring",
            )
        return found

    def lines(self) -> list[str]:
        rows = [f"migration: {_names(self.revisions)} (head {_names(self.heads)})"]
        rows.append(f"{'table':<32}{'live':>12}{'restored':>12}")
        for check in self.tables:
            rows.append(f"{check.table:<32}{_number(check.live):>12}{_number(check.restored):>12}")
        return rows


def _names(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def check_restore(
    dump: Path, live: Engine, heads: set[str], say: Callable[[str], object] = print
) -> RestoreReport:
    """Restore ``dump`` into a scratch database beside the live one, compare the two, drop the
    scratch database. ``say`` reports progress (the scratch database's name first)."""
    with (
        _sigterm_as_exit(),
        readable_dump(dump) as plain,
        scratch_database(live.url) as scratch,
    ):
        say(f"restoring {dump.name} into the scratch database {scratch.database}")
        restore(plain, scratch)
        restored_engine = create_engine(scratch, poolclass=NullPool)
        try:
            with restored_engine.connect() as conn:
                restored_revisions = revisions(conn)
                restored_counts = table_counts(conn)
        finally:
            restored_engine.dispose()
    with live.connect() as conn:
        live_counts = table_counts(conn)
    return RestoreReport(
        dump=dump,
        database=str(scratch.database),
        revisions=restored_revisions,
        heads=heads,
        tables=[
            TableCheck(table, live_counts[table], restored_counts[table]) for table in KEY_TABLES
        ],
    )


def upload(paths: Sequence[Path], environ: dict[str, str]) -> list[str]:
    """Copy files to BACKUP_S3_BUCKET under BACKUP_S3_PREFIX; the keys written.

    The bucket is reached with BACKUP_S3_ENDPOINT_URL, BACKUP_S3_ACCESS_KEY_ID,
    BACKUP_S3_SECRET_ACCESS_KEY and BACKUP_S3_REGION, each falling back to the uploads' S3_*
    setting (and boto3's own AWS_* variables when neither is set). Old copies are the bucket's
    business: give it a lifecycle rule.
    """
    from marketplace.storage import s3_client

    bucket = environ.get("BACKUP_S3_BUCKET")
    if not bucket:
        raise BackupError("BACKUP_S3_BUCKET is not set")

    def setting(name: str) -> str | None:
        return environ.get(f"BACKUP_{name}") or environ.get(name) or None

    client = s3_client(
        setting("S3_ENDPOINT_URL"),
        setting("S3_ACCESS_KEY_ID"),
        setting("S3_SECRET_ACCESS_KEY"),
        setting("S3_REGION") or "ap-southeast-3",
    )
    prefix = environ.get("BACKUP_S3_PREFIX", "")
    keys = []
    for path in paths:
        key = f"{prefix}{path.name}"
        try:
            client.upload_file(str(path), bucket, key)
            stored = client.head_object(Bucket=bucket, Key=key)
        except Exception as error:  # boto3 raises botocore's errors and its own
            raise BackupError(
                f"could not copy {path.name} to s3://{bucket}/{key}: {error}"
            ) from error
        if stored["ContentLength"] != path.stat().st_size:
            raise BackupError(f"s3://{bucket}/{key} does not have the size of {path.name}")
        keys.append(key)
    return keys


def main(argv: Sequence[str]) -> int:
    """``python -m marketplace.backups libpq-env`` prints shell assignments (PG_URI and an
    exported PGPASSWORD) for DATABASE_URL; ``… upload FILE…`` copies files to the bucket."""
    try:
        if list(argv[:1]) == ["libpq-env"] and len(argv) == 1:
            database_url = os.environ.get("DATABASE_URL")
            if not database_url:
                raise BackupError("DATABASE_URL is not set")
            uri, environ = libpq_target(database_url)
            print(f"PG_URI={shlex.quote(uri)}")
            for name, value in environ.items():
                print(f"export {name}={shlex.quote(value)}")
            return 0
        if list(argv[:1]) == ["upload"] and len(argv) > 1:
            for key in upload([Path(name) for name in argv[1:]], dict(os.environ)):
                print(f"copied to s3://{os.environ['BACKUP_S3_BUCKET']}/{key}", file=sys.stderr)
            return 0
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("usage: python -m marketplace.backups libpq-env | upload FILE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
