"""Test databases: a SQLite file per worker, or a PostgreSQL database created for the run.

``TEST_DATABASE_URL`` names a PostgreSQL server (any database on it); the suite creates its own
databases there and drops them afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def backend() -> str:
    return "postgres" if postgres_server_url() else "sqlite"


@contextmanager
def postgres_database(prefix: str = "opop_test") -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, then drop it."""
    server = postgres_server_url()
    assert server, "TEST_DATABASE_URL is not set"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{prefix}_{worker}_{secrets.token_hex(4)}".lower()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def fresh_database(tmp_dir: str, prefix: str = "opop_test") -> Iterator[str]:
    """An empty database of the backend under test: its URL."""
    if backend() == "postgres":
        with postgres_database(prefix) as url:
            yield url
    else:
        path = os.path.join(tmp_dir, f"{prefix}_{secrets.token_hex(4)}.sqlite3")
        yield f"sqlite:///{path}"
