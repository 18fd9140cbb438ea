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
def counted(app: Flask, bind: Any = None) -> Iterator[list[str]]:
    """The statements run inside the block (the test transaction's savepoints left out), on the
    app's engine, or on ``bind`` (the test session's connection, when a second app built on the
    same database serves the request)."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    if bind is not None:
        engine = bind
    else:
        with app.app_context():
            engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
