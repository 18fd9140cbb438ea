"""The Surat Pesanan, BAST and invoice PDFs are rendered once and kept in the storage: by a job
on the queue when they are issued (with Redis), or at the first download (without). A stored PDF
is found by a digest of its HTML, so a document that changed is rendered again, never stale; the
digest is keyed by SECRET_KEY, so nobody who knows a document's content can derive its name."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue, SimpleWorker

from marketplace import jobs
from marketplace.extensions import db, redis_client
from marketplace.procurement import documents
from marketplace.storage import LocalStorage
from tests.conftest import login, make_test_app
from tests.procurement import workflow as wf
from tests.procurement.test_documents import procurement  # noqa: F401 - a fixture

OFFICER = "pejabat_pengadaan@agency.test"


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A storage of this test's own: the session's is shared with other tests, which may have
    stored the very same documents (same ids, same HTML) already."""
    root = tmp_path / "storage"
    monkeypatch.setitem(app.extensions, "storage", LocalStorage(root))
    return root


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of each PDF WeasyPrint renders during the test."""
    rendered: list[str] = []
    real: Callable[[str], bytes] = documents._pdf_from_html

    def counting(html: str) -> bytes:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(documents, "_pdf_from_html", counting)
    return rendered


def download(client: FlaskClient, kind: str, object_id: int) -> bytes:
    response = client.get(f"/procurement/documents/{kind}/{object_id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.data


@pytest.mark.parametrize("kind", documents.STORED_KINDS)
def test_without_a_queue_the_first_download_renders_and_stores_the_pdf(
    client: FlaskClient,
    procurement: dict[str, Any],  # noqa: F811
    renders: list[str],
    kind: str,
) -> None:
    login(client, OFFICER)
    first = download(client, kind, procurement[kind])
    assert len(renders) == 1
    assert download(client, kind, procurement[kind]) == first
    assert len(renders) == 1, "the second download rendered again"


def test_a_changed_document_is_rendered_again(
    client: FlaskClient,
    procurement: dict[str, Any],  # noqa: F811
    renders: list[str],
    clock: ModuleType,
) -> None:
    login(client, OFFICER)
    today = download(client, "order", procurement["order"])
    before = len(renders)
    clock.advance(timedelta(days=1))  # the date printed on the document changes
    tomorrow = download(client, "order", procurement["order"])
    assert len(renders) == before + 1
    assert "2 Desember 2026" in renders[-1]
    assert tomorrow != today


def test_the_request_document_is_not_stored(
    client: FlaskClient,
    procurement: dict[str, Any],  # noqa: F811
    storage_root: Path,
) -> None:
    """Its content depends on who reads it (an invited cooperative sees only itself)."""
    login(client, OFFICER)
    download(client, "request", procurement["request"])
    assert not (storage_root / documents.PDF_FOLDER).exists()


def test_a_stored_pdf_is_named_by_an_hmac_of_its_html_under_the_secret_key(
    app: Flask,
    client: FlaskClient,
    procurement: dict[str, Any],  # noqa: F811
    renders: list[str],
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plain SHA-256 of the HTML could be computed by anyone who knows the document (the
    cooperative, the agency, someone who guesses its few changing fields)."""
    login(client, OFFICER)
    download(client, "order", procurement["order"])
    [html] = renders
    [stored] = (storage_root / documents.PDF_FOLDER).rglob("*.pdf")
    plain = hashlib.sha256(html.encode()).hexdigest()[:32]
    keyed = hmac.new(app.config["SECRET_KEY"].encode(), html.encode(), "sha256").hexdigest()[:32]
    assert stored.stem == keyed != plain

    document = documents.Document("order", procurement["order"], "SP-1", "order.html", {})
    with app.test_request_context():
        before = documents.pdf_key(document, html)
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-of-enough-length")
        assert documents.pdf_key(document, html) != before


def test_a_pdf_stored_under_its_old_plain_digest_is_rendered_again(
    client: FlaskClient,
    procurement: dict[str, Any],  # noqa: F811
    renders: list[str],
    storage_root: Path,
) -> None:
    """PDFs stored before the names were keyed are not found, so the first download renders
    and stores the document again; nothing needs moving."""
    login(client, OFFICER)
    download(client, "order", procurement["order"])
    [html] = renders
    [keyed] = (storage_root / documents.PDF_FOLDER).rglob("*.pdf")
    keyed.unlink()
    plain = hashlib.sha256(html.encode()).hexdigest()[:32]
    (keyed.parent / f"{plain}.pdf").write_bytes(b"%PDF-1.4 old file")
    again = download(client, "order", procurement["order"])
    assert again != b"%PDF-1.4 old file" and len(renders) == 2
    assert keyed.read_bytes() == again


@pytest.fixture
def queued_app(app: Flask, redis_url: str, tmp_path: Path) -> Any:
    queued = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url
    )
    jobs.use_app(queued)
    yield queued
    jobs._app_factory = None


def pdf_jobs(app: Flask) -> list[Any]:
    with app.app_context():
        queue = Queue(jobs.QUEUE_NAME, connection=redis_client())
        return [
            job
            for job in queue.get_jobs()
            if job.args and job.args[0] == "marketplace.procurement.documents:generate_pdf"
        ]


@pytest.mark.redis
def test_with_a_queue_issuing_a_surat_pesanan_queues_its_pdf_for_a_worker(
    queued_app: Flask, renders: list[str], clock: ModuleType
) -> None:
    with queued_app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000)
        order = wf.issued(c, price=10_000, quantity=100)
        db.session.commit()
        assert renders == [], "rendered in the request"
        jobs.dispatch_after_commit()  # what the request's unit of work does after its commit
        order_id = order.id
    queued = [job for job in pdf_jobs(queued_app) if job.args[1:] == ("order", order_id)]
    assert len(queued) == 1

    with queued_app.app_context():
        SimpleWorker(
            [Queue(jobs.QUEUE_NAME, connection=redis_client())], connection=redis_client()
        ).work(burst=True)
    assert len(renders) == 1, "the worker did not render the PDF"
    stored = list((Path(queued_app.config["UPLOAD_FOLDER"]) / documents.PDF_FOLDER).rglob("*.pdf"))
    assert [p.parent.name for p in stored] == [str(order_id)]

    client = queued_app.test_client()
    login(client, OFFICER)
    assert download(client, "order", order_id) == stored[0].read_bytes()
    assert len(renders) == 1, "the download rendered again instead of serving the stored PDF"
