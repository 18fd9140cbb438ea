"""The declarative base, shared column helpers and the database-wide connection settings."""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from marketplace import clock

# Stable constraint names let Alembic alter tables on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Flask-SQLAlchemy copies this base, so the type map lives on the registry itself.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={int: Integer, datetime: DateTime(timezone=True)},
    )


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC. Every timestamp is stored in UTC.

    It reads `marketplace.clock`, so a test that freezes the clock also freezes timestamps.
    """
    return clock.now()


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; treat them as UTC so comparisons work on both databases."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def in_check(values: Iterable[str], column: str) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values`` (enum members or strings)."""
    return f"{column} IN (" + ", ".join(f"'{v!s}'" for v in values) + ")"


def money_column(**kwargs: Any) -> Mapped[int]:
    """A whole-rupiah amount. Pair it with a CHECK (col >= 0) in the table's constraints."""
    return mapped_column(BigInteger, **kwargs)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; SQLAlchemy's
    # documented fix is to switch it off and emit BEGIN ourselves (see _begin_sqlite). How long
    # a writer waits for the lock is pysqlite's `timeout` (SQLITE_BUSY_TIMEOUT_SECONDS).
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers proceed while one writer commits (ignored for in-memory databases).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        # The search dictionary's triggers split product text into words with it (migration
        # 20261207_c4e1a9b7d2f3); without it, SQLite refuses to write products.
        dbapi_connection.create_function(
            "catalogue_words", 1, catalogue_words_json, deterministic=True
        )


_WORD = re.compile(r"[^\W_]+")


def split_words(text: str | None) -> list[str]:
    """The words of ``text`` as SQLite's full-text index splits and folds them (FTS5
    ``unicode61 remove_diacritics 2``): lower case, accents dropped, any character neither
    letter nor digit a separator."""
    if not text:
        return []
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(folded)


def catalogue_words(text: str | None) -> list[str]:
    """The distinct words of ``text`` (`split_words`), in order."""
    return list(dict.fromkeys(split_words(text)))


def catalogue_words_json(text: str | None) -> str:
    """`catalogue_words` as a JSON array, for ``json_each`` in SQLite triggers."""
    return json.dumps(catalogue_words(text))


#: Requests that may write. Their SQLite transactions take the write lock when they begin.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def sqlite_begin_statement() -> str:
    """How this context's SQLite transaction begins.

    A deferred BEGIN takes a read lock that SQLite cannot upgrade to a write lock while another
    connection writes: the upgrade fails at once with "database is locked", whatever the busy
    timeout. A request that may write therefore begins IMMEDIATE, waiting (up to the busy
    timeout) for its turn before it reads, so it reads what the previous writer committed.
    Reads stay deferred and run beside the writer under WAL.
    """
    if has_request_context() and request.method in WRITING_METHODS:
        return "BEGIN IMMEDIATE"
    return "BEGIN"


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(sqlite_begin_statement())


def is_lock_timeout(error: BaseException) -> bool:
    """SQLite's write lock could not be had within the busy timeout."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)


#: Database objects that autogenerate cannot model (full-text tables and their shadow tables, the
#: generated tsvector column and its indexes, the search dictionary). Migrations create them by
#: hand; the schema comparison leaves them out.
UNMODELLED_TABLE_PREFIXES: tuple[str, ...] = ("product_search", "search_words")
UNMODELLED_COLUMNS: tuple[str, ...] = ("search_vector",)
UNMODELLED_INDEX_PREFIXES: tuple[str, ...] = ("ix_products_search_",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: skip objects that only migrations manage."""
    if not name:
        return True
    if type_ == "table":
        return not name.startswith(UNMODELLED_TABLE_PREFIXES)
    if type_ == "column":
        return name not in UNMODELLED_COLUMNS
    if type_ == "index":
        return not name.startswith(UNMODELLED_INDEX_PREFIXES)
    return True
