"""Backups as an operator relies on them: the real deploy/backup.sh against a committed
PostgreSQL database, retention, encryption, the copy to a bucket, and ``flask ops restore-check``
proving that a dump restores (and failing when it does not)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer
from sqlalchemy import text

from marketplace.backups import libpq_target
from marketplace.extensions import db
from tests.conftest import make_test_app, migrate_to_head
from tests.databases import fresh_database
from tests.factories import ProductFactory, UserFactory
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BACKUP_SH = ROOT / "deploy" / "backup.sh"
DAY = 24 * 60 * 60


def run_backup(
    app: Flask, backup_dir: Path, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    """deploy/backup.sh as the systemd unit runs it: settings in the environment."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BACKUP_DIR": str(backup_dir),
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "STORAGE_BACKEND": "local",
        "PYTHON": sys.executable,
        "APP_DIR": str(ROOT),
        **settings,
    }
    return subprocess.run(
        ["bash", str(BACKUP_SH), *args], env=env, capture_output=True, text=True, timeout=120
    )


def restore_check(app: Flask, *args: str) -> tuple[int, str, str]:
    """``flask ops restore-check …``: exit code, output, and the scratch database's name."""
    result = app.test_cli_runner().invoke(args=["ops", "restore-check", *args])
    match = re.search(r"scratch database (opop_restore_check_\w+)", result.output)
    return result.exit_code, result.output, match.group(1) if match else ""


def database_exists(app: Flask, name: str) -> bool:
    with app.app_context():
        return bool(
            db.session.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            )
        )


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """committed_app's pattern, once for the module (the tests only read it): a committed
    database with a few rows in the key tables, and an uploaded photo."""
    folder = tmp_path_factory.mktemp("shop")
    with fresh_database(str(folder), prefix="opop_commit") as url:
        app = make_test_app(url, str(folder / "uploads"))
        migrate_to_head(app)
        with app.app_context():
            UserFactory.create_batch(3)
            ProductFactory.create_batch(2)
            db.session.commit()
        photos = folder / "uploads" / "products"
        photos.mkdir(parents=True)
        (photos / "keripik.webp").write_bytes(b"RIFF-foto-keripik")
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def dump_with(app: Flask, path: Path, *options: str) -> Path:
    """A custom-format dump taken directly with pg_dump (for the failing cases)."""
    uri, environ = libpq_target(app.config["SQLALCHEMY_DATABASE_URI"])
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={path}", f"--dbname={uri}", *options],
        env={**os.environ, **environ},
        check=True,
    )
    return path


def test_the_database_password_stays_off_the_tools_command_line() -> None:
    uri, environ = libpq_target(
        "postgresql+psycopg://opop:rah%40sia@db.example:5433/opop?sslmode=require"
    )
    assert uri == "postgresql://opop@db.example:5433/opop?sslmode=require"
    assert environ == {"PGPASSWORD": "rah@sia"}


@pytest.mark.postgres
def test_a_nights_backup_restores_and_old_backups_are_deleted(shop: Flask, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "pasar-opop-db-20260101T000000Z.dump"
    recent = backups / "pasar-opop-uploads-20260102T000000Z.tar.gz"
    unrelated = backups / "catatan.txt"
    for path, days in ((old, 15), (recent, 13), (unrelated, 30)):
        path.write_bytes(b"lama")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - days * DAY))

    result = run_backup(shop, backups)

    assert result.returncode == 0, result.stderr
    (dump,) = backups.glob("pasar-opop-db-*.dump")
    (archive,) = (p for p in backups.glob("pasar-opop-uploads-*.tar.gz") if p != recent)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert dump.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        assert "./products/keripik.webp" in tar.getnames()
    assert not old.exists(), "a 15-day-old backup is kept past BACKUP_KEEP_DAYS=14"
    assert recent.exists() and unrelated.exists()
    assert not list(backups.glob("*.partial"))

    code, output, scratch = restore_check(shop, "--latest", "--backup-dir", str(backups))

    assert code == 0, output
    assert f"restore check passed: {dump.name}" in output
    assert re.search(r"^users\s+3\s+3$", output, re.MULTILINE)
    assert re.search(r"^products\s+2\s+2$", output, re.MULTILINE)
    assert scratch and not database_exists(shop, scratch)


@pytest.mark.postgres
def test_a_corrupted_dump_fails_the_restore_check(shop: Flask, tmp_path: Path) -> None:
    dump = dump_with(shop, tmp_path / "whole.dump")
    corrupted = tmp_path / "corrupted.dump"
    corrupted.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    code, output, scratch = restore_check(shop, str(corrupted))

    assert code == 1
    assert "restore check failed: pg_restore failed" in output
    assert scratch and not database_exists(shop, scratch)


@pytest.mark.postgres
def test_a_dump_missing_a_tables_rows_fails_the_restore_check(shop: Flask, tmp_path: Path) -> None:
    dump = dump_with(shop, tmp_path / "no-users.dump", "--exclude-table-data=users")

    code, output, scratch = restore_check(shop, str(dump))

    assert code == 1
    assert "table users restored empty, the live database has 3 rows" in output
    assert scratch and not database_exists(shop, scratch)


@pytest.mark.postgres
def test_a_failed_backup_exits_non_zero_and_deletes_nothing(shop: Flask, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "pasar-opop-db-20260101T000000Z.dump"
    old.write_bytes(b"lama")
    os.utime(old, (old.stat().st_atime, old.stat().st_mtime - 30 * DAY))
    # The settings come from an env file as cron passes it (--env-file), with a value the
    # shell could not source.
    missing = shop.config["SQLALCHEMY_DATABASE_URI"] + "_tidak_ada"
    env_file = tmp_path / "env"
    env_file.write_text(
        f'# /etc/pasar-opop/env\nDATABASE_URL="{missing}"\n'
        "MAIL_DEFAULT_SENDER=Pasar OPOP <noreply@pasar-opop.example>\n"
    )

    result = run_backup(shop, backups, "--env-file", str(env_file), DATABASE_URL="")

    assert result.returncode != 0
    assert "_tidak_ada" in result.stderr and "pg_dump failed" in result.stderr
    assert [p.name for p in backups.iterdir()] == [old.name]


@pytest.fixture(scope="module")
def bucket() -> Iterator[dict[str, str]]:
    """An S3 bucket (moto's server on 127.0.0.1) and the settings that reach it."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {
        "BACKUP_S3_BUCKET": "opop-backups",
        "BACKUP_S3_PREFIX": "malam/",
        "BACKUP_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "BACKUP_S3_ACCESS_KEY_ID": "test",
        "BACKUP_S3_SECRET_ACCESS_KEY": "test",
    }
    client(settings).create_bucket(
        Bucket="opop-backups",
        CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"},
    )
    try:
        yield settings
    finally:
        server.stop()


def client(settings: dict[str, str]) -> object:
    return boto3.client(
        "s3",
        endpoint_url=settings["BACKUP_S3_ENDPOINT_URL"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="ap-southeast-3",
    )


@pytest.fixture
def gnupg(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A throwaway keyring holding a key pair: its folder and the key's fingerprint."""
    if shutil.which("gpg") is None:
        pytest.fail("gpg is not installed: apt-get install -y gpg")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
         "Cadangan Uji <cadangan@example.test>", "future-default", "default", "never"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-keys"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line[:4] == "fpr:")
    try:
        yield home, fingerprint
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False)


@pytest.mark.postgres
def test_encrypted_backups_leave_the_machine_and_restore_with_the_secret_key(
    shop: Flask,
    tmp_path: Path,
    gnupg: tuple[Path, str],
    bucket: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring, fingerprint = gnupg
    public_key = tmp_path / "cadangan.asc"
    subprocess.run(
        ["gpg", "--batch", "--armor", "--export", "--output", str(public_key), fingerprint],
        env={**os.environ, "GNUPGHOME": str(keyring)},
        check=True,
    )
    # The server holds the public key only, as a file; its own keyring is empty.
    server_home = tmp_path / "server-gnupg"
    server_home.mkdir(mode=0o700)
    backups = tmp_path / "backups"

    result = run_backup(
        shop,
        backups,
        BACKUP_ENCRYPT_RECIPIENT=str(public_key),
        GNUPGHOME=str(server_home),
        **bucket,
    )

    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in backups.iterdir())
    assert len(names) == 2 and all(name.endswith(".gpg") for name in names), names
    dump = next(backups.glob("pasar-opop-db-*.dump.gpg"))
    assert b"PGDMP" not in dump.read_bytes()[:64]
    stored = client(bucket).list_objects_v2(Bucket="opop-backups")["Contents"]  # type: ignore[attr-defined]
    assert sorted(item["Key"] for item in stored) == [f"malam/{name}" for name in names]

    monkeypatch.setenv("GNUPGHOME", str(keyring))
    code, output, scratch = restore_check(shop, str(dump))

    assert code == 0, output
    assert "restore check passed" in output
    assert scratch and not database_exists(shop, scratch)


@pytest.mark.postgres
def test_uploads_in_a_bucket_are_not_archived_and_a_keyring_key_encrypts(
    shop: Flask, tmp_path: Path, gnupg: tuple[Path, str]
) -> None:
    keyring, fingerprint = gnupg
    backups = tmp_path / "backups"

    result = run_backup(
        shop,
        backups,
        STORAGE_BACKEND="s3",
        BACKUP_ENCRYPT_RECIPIENT=fingerprint,
        GNUPGHOME=str(keyring),
    )

    assert result.returncode == 0, result.stderr
    assert "uploads: STORAGE_BACKEND=s3, not archived" in result.stderr
    assert [p.name.split("-2")[0] for p in backups.iterdir()] == ["pasar-opop-db"]
    assert next(backups.iterdir()).name.endswith(".dump.gpg")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    assert parser.read(ROOT / "deploy" / "systemd" / name), name
    return parser


def test_the_backup_timer_starts_the_backup_nightly_at_half_past_two_in_mojokerto() -> None:
    timer = unit("pasar-opop-backup.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00 Asia/Jakarta"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["RandomizedDelaySec"]
    assert timer["Timer"]["Unit"] == "pasar-opop-backup.service"
    assert timer["Install"]["WantedBy"] == "timers.target"

    service = unit("pasar-opop-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    assert (service["User"], service["Group"]) == ("pasar-opop", "pasar-opop")
    assert service["EnvironmentFile"] == "/etc/pasar-opop/env"
    interpreter, script = service["ExecStart"].split()
    assert interpreter == "/bin/bash"
    assert script.startswith("/srv/pasar-opop/app/")
    assert (ROOT / script.removeprefix("/srv/pasar-opop/app/")) == BACKUP_SH
    assert BACKUP_SH.stat().st_mode & 0o111, "backup.sh is executable, for cron"
