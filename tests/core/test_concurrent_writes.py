"""Concurrent writes to one object answer each request clearly, on SQLite as on PostgreSQL.

A penetration test sent four inspections of one delivery at once to a SQLite-backed server: three
answered 500 ("database is locked", then a DetachedInstanceError inside the error handler). A
plain BEGIN takes a read lock that cannot be upgraded to a write lock while another connection
writes, whatever the busy timeout; non-GET requests now begin with BEGIN IMMEDIATE and wait their
turn, so the later inspections see the BAST already issued and are refused in words."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement.models import Bast, PurchaseOrder
from tests.conftest import login
from tests.factories import registration
from tests.procurement import workflow as wf

RECEIVER = "penerima@agency.test"
INSPECTORS = 4


def _post_at_once(clients: list[FlaskClient], url: str, data: dict[str, str]) -> list[Any]:
    barrier = threading.Barrier(len(clients))
    results: list[Any] = []
    errors: list[BaseException] = []

    def post(client: FlaskClient) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(client.post(url, data=data))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_four_inspections_of_one_delivery_at_once_issue_one_bast(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        c = wf.cast()
        order = wf.accepted(c)
        delivery = wf.deliver(c, db.session.get(PurchaseOrder, order.id), 50)
        db.session.commit()
        delivery_id, line_id = delivery.id, delivery.lines[0].id
    clients = []
    for _ in range(INSPECTORS):
        client = app.test_client()
        assert login(client, RECEIVER).status_code == 302
        clients.append(client)

    responses = _post_at_once(
        clients,
        f"/procurement/deliveries/{delivery_id}/inspect",
        {f"accepted_{line_id}": "50", **wf.inspection_fields()},
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302] + [409] * (INSPECTORS - 1), statuses
    for response in responses:
        if response.status_code == 409:
            assert "Muat ulang halaman untuk melihat tahap terbaru" in response.get_data(
                as_text=True
            )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bast)) == 1


@pytest.mark.sqlite
def test_write_requests_begin_immediately_on_sqlite(committed_app: Flask) -> None:
    """A POST takes SQLite's write lock at BEGIN; a GET stays a deferred reader."""
    from sqlalchemy import event

    begun: list[str] = []
    with committed_app.app_context():
        engine = db.engine

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):
            begun.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        client = committed_app.test_client()
        client.get("/")
        reads = list(begun)
        begun.clear()
        client.post("/account/login", data={"email": "nobody@example.test", "password": "x"})
        writes = list(begun)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert reads and all(statement == "BEGIN" for statement in reads), reads
    assert writes and all(statement == "BEGIN IMMEDIATE" for statement in writes), writes


@pytest.mark.sqlite
def test_a_write_that_cannot_get_the_lock_answers_busy_and_changes_nothing(
    tmp_path: Any,
) -> None:
    """Another writer holds SQLite's lock past the busy timeout: a clear 503, not a 500."""
    import sqlite3

    from marketplace.accounts.models import User
    from tests.conftest import make_test_app, migrate_to_head
    from tests.databases import fresh_database

    with fresh_database(str(tmp_path), prefix="opop_locked") as url:
        app = make_test_app(
            url,
            str(tmp_path / "uploads"),
            SQLITE_BUSY_TIMEOUT_SECONDS=0.2,
            PROPAGATE_EXCEPTIONS=False,
        )
        migrate_to_head(app)
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            response = app.test_client().post(
                "/account/register",
                data=registration(password="kopi-tubruk-mojokerto-2026"),
            )
        finally:
            holder.rollback()
            holder.close()
        assert response.status_code == 503
        assert "Retry-After" in response.headers
        assert "Tidak ada yang diubah; coba lagi." in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(User)) == 0
            db.session.remove()
            db.engine.dispose()


def test_the_error_page_answers_even_when_rendering_it_fails(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a database failure the page's navigation may fail to load too (an expired user,
    a dead connection): the handler answers with a bare page rather than raising."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import DetachedInstanceError

    from marketplace import errors

    def fails(*_: Any, **__: Any) -> str:
        raise DetachedInstanceError("Parent instance is not bound to a Session")

    def lost_database(*_: Any, **__: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(errors, "render_template", fails)
    monkeypatch.setattr("marketplace.catalogue.routes.render_template", lost_database, raising=True)
    response = client.get("/")
    assert response.status_code == 503
    assert "Layanan sedang sibuk" in response.get_data(as_text=True)
