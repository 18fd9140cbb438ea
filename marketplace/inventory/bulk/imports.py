"""Import jobs: starting one (store the file, check it), confirming it (apply it), and running
either step in the background for large files.

Files of ``IMPORT_BACKGROUND_ROWS`` rows or more are checked and applied in the background, like
every other background work: with Redis (``REDIS_URL``) an RQ worker runs the step
(`marketplace.jobs`, queued once the request that created or confirmed the job has committed);
without Redis a thread of this process runs it, started after that commit, so the request does
not wait for a large file either way. The step records ``processed_rows`` every few hundred rows
through a short transaction of its own, and the job page polls it. (On SQLite a second writer
would wait for the import's own transaction, so there progress is recorded while checking but
not while applying; PostgreSQL records both.) A thread ends with the process: a job left running
by a restart is marked failed when it is next opened after ``STALE_AFTER``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update

from marketplace import jobs
from marketplace.database import as_utc, utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inventory.bulk.apply import apply_plan
from marketplace.inventory.bulk.plan import Plan, plan_import
from marketplace.inventory.bulk.read import detect_format, read_file, row_error
from marketplace.inventory.exceptions import ImportNotReady
from marketplace.inventory.models import ImportJob, ImportStatus
from marketplace.storage import PRIVATE_PREFIX, storage

log = logging.getLogger(__name__)

#: How many changes the preview keeps to show (all errors are kept).
PREVIEW_CHANGES = 500
STALE_AFTER = timedelta(hours=2)
#: Uploaded import files: a cooperative's prices and stock, for its own members only (no route
#: serves them; the import job reads them back).
IMPORT_FOLDER = PRIVATE_PREFIX + "imports"
#: What an RQ worker runs for a large import's step.
RUN_QUEUED = "marketplace.inventory.bulk.imports:run_queued"


def owned_job(cooperative_id: int, job_id: int) -> ImportJob:
    job = db.session.scalar(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.cooperative_id == cooperative_id)
    )
    if job is None:
        raise NotFound()
    if job.is_running and utcnow() - as_utc(job.updated_at) > STALE_AFTER:
        job.status = ImportStatus.FAILED
        job.errors = [row_error(1, None, "stale")]
        job.finished_at = utcnow()
        db.session.flush()
    return job


def list_jobs(cooperative_id: int, limit: int = 10) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .where(ImportJob.cooperative_id == cooperative_id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
    )


def _in_background(rows: int) -> bool:
    return rows >= int(current_app.config["IMPORT_BACKGROUND_ROWS"])


def start_import(cooperative_id: int, actor_id: int, filename: str, data: bytes) -> ImportJob:
    """Store the file and check it (a dry run). Large files are checked in the background."""
    max_bytes: int = current_app.config["IMPORT_MAX_BYTES"]
    fmt = detect_format(data)
    key = (
        storage().save(data, f"{IMPORT_FOLDER}/{cooperative_id}", fmt)
        if len(data) <= max_bytes
        else ""
    )
    job = ImportJob(
        cooperative_id=cooperative_id,
        created_by_id=actor_id,
        filename=(filename or f"impor.{fmt}")[:200],
        file_format=fmt,
        storage_key=key,
        status=ImportStatus.VALIDATING,
    )
    db.session.add(job)
    db.session.flush()
    if not key:
        _finish(job, ImportStatus.FAILED, [row_error(1, None, "too_large", mb=max_bytes // 2**20)])
        return job
    parsed_rows = _count_rows(data)
    job.total_rows = parsed_rows
    if _in_background(parsed_rows):
        _in_the_background(job.id, "check")
    else:
        _check(job, data)
    return job


def _count_rows(data: bytes) -> int:
    return len(read_file(data).rows)


def confirm_import(cooperative_id: int, job_id: int, actor_id: int) -> ImportJob:
    """Apply a previewed import in one transaction (all rows or none)."""
    job = owned_job(cooperative_id, job_id)
    if job.status != ImportStatus.PREVIEWED or job.errors:
        raise ImportNotReady()
    job.status = ImportStatus.APPLYING
    job.processed_rows = 0
    db.session.flush()
    if _in_background(job.total_rows):
        _in_the_background(job.id, "apply", actor_id)
    else:
        _run_apply(job, actor_id)
    return job


def _check(job: ImportJob, data: bytes) -> None:
    _store_plan(job, plan_import(job.cooperative_id, data))


def _store_plan(job: ImportJob, plan: Plan) -> None:
    job.total_rows = plan.total
    job.processed_rows = plan.total
    job.summary = plan.summary
    job.changes = plan.changes[:PREVIEW_CHANGES]
    job.errors = plan.errors
    job.status = ImportStatus.PREVIEWED
    db.session.flush()


def _run_apply(
    job: ImportJob, actor_id: int, progress: Callable[[int], None] | None = None
) -> None:
    """Re-check the file and apply it inside a savepoint; on any failure nothing is applied."""
    data = storage().read(job.storage_key)
    note = str(_l("Impor berkas %(name)s", name=job.filename))[:255]
    job_id, cooperative_id = job.id, job.cooperative_id
    try:
        with db.session.begin_nested():
            plan = plan_import(cooperative_id, data)
            if plan.errors:
                raise _StalePreview(plan.errors)
            apply_plan(cooperative_id, actor_id, plan, note, progress)
    except _StalePreview as stale:
        job = db.session.get(ImportJob, job_id)  # type: ignore[assignment]  # committed earlier
        _finish(
            job, ImportStatus.FAILED, [row_error(1, None, "changed_since_preview"), *stale.errors]
        )
        return
    except DomainError as error:
        log.warning("Import %s failed: %s", job_id, error.message)
        job = db.session.get(ImportJob, job_id)  # type: ignore[assignment]  # committed earlier
        _finish(job, ImportStatus.FAILED, [row_error(1, None, "failed")])
        return
    job.summary = plan.summary
    job.processed_rows = job.total_rows
    _finish(job, ImportStatus.APPLIED, [])


class _StalePreview(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("the file no longer passes its checks")
        self.errors = errors


def _finish(job: ImportJob, status: ImportStatus, errors: list[dict[str, Any]]) -> None:
    job.status = status
    job.errors = errors
    job.finished_at = utcnow()
    db.session.flush()


def _after_commit(callback: Callable[[Flask], None]) -> None:
    """Run ``callback`` once the current transaction has committed (the job row is visible)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's real object
    event.listen(db.session(), "after_commit", lambda _session: callback(app), once=True)


def _spawn(app: Flask, job_id: int, phase: str, actor_id: int | None = None) -> None:
    thread = threading.Thread(
        target=run_job, args=(app, job_id, phase, actor_id), name=f"import-{job_id}", daemon=True
    )
    thread.start()
    app.extensions.setdefault("import_threads", []).append(thread)


def _progress_writer(job_id: int, allowed: bool) -> Callable[[int], None]:
    """Record progress in a short transaction of its own, so pollers see it while we run."""

    def write(processed: int) -> None:
        if not allowed:
            return
        with db.engine.begin() as connection:
            connection.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id)
                .values(processed_rows=processed, updated_at=utcnow())
            )

    return write


def _in_the_background(job_id: int, phase: str, actor_id: int | None = None) -> None:
    """Run a step once the request has committed (the job row is then visible): queued for an
    RQ worker with Redis, as every background job is; in a thread of this process without it."""
    if current_app.config.get("REDIS_URL"):
        jobs.after_commit(RUN_QUEUED, job_id, phase, actor_id)
    else:
        _after_commit(lambda app: _spawn(app, job_id, phase, actor_id))


def run_queued(job_id: int, phase: str, actor_id: int | None = None) -> None:
    """What the RQ worker runs (through `marketplace.jobs.run`, inside the app's context)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _run_phase(job_id, phase, actor_id)


def run_job(app: Flask, job_id: int, phase: str, actor_id: int | None = None) -> None:
    """Check or apply one import outside a request (a background thread, or a command)."""
    with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        _run_phase(job_id, phase, actor_id)


def _run_phase(job_id: int, phase: str, actor_id: int | None) -> None:
    """Check or apply one import in its own transactions; a failure marks the job failed (it
    is not retried: the cooperative uploads the file again)."""
    try:
        job = db.session.get(ImportJob, job_id)
        if job is None:
            return
        if phase == "check":
            data = storage().read(job.storage_key)
            plan = plan_import(job.cooperative_id, data, _progress_writer(job_id, True))
            # End the read transaction: on SQLite it could not turn into a write after the
            # progress writer committed.
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            assert job is not None
            _store_plan(job, plan)
        else:
            # On SQLite a second connection cannot write while this transaction does.
            on_sqlite = db.engine.dialect.name == "sqlite"
            _run_apply(
                job,
                actor_id or job.created_by_id or 0,
                _progress_writer(job_id, allowed=not on_sqlite),
            )
        db.session.commit()
    except Exception:
        log.exception("Import job %s (%s) failed", job_id, phase)
        db.session.rollback()
        with db.engine.begin() as connection:
            connection.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id)
                .values(
                    status=ImportStatus.FAILED,
                    errors=[row_error(1, None, "failed")],
                    finished_at=utcnow(),
                )
            )
    finally:
        db.session.remove()
