"""Counting the SQL a request runs, for the tests that hold a page to a fixed number of queries
(no query per row: the dashboards, the lists, the cart)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from marketplace.extensions import db


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The statements run inside the block (the test transaction's savepoints left out)."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
