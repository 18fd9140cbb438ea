"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, inline otherwise.

`enqueue` takes the dotted path of a function ("marketplace.mail:send_one") and its JSON-able
arguments. With Redis, an RQ worker (``flask jobs worker``) runs it inside an application
context, retrying with back-off; a job that still fails is kept as a `FailedJob` row (the dead
letter) for the city's staff to see. Without Redis it runs at once, in this process, and the
periodic work falls to cron (``flask jobs run-periodic`` every minute), so ``make run`` needs
nothing else.

``flask jobs scheduler`` runs RQ's cron scheduler for the periodic tasks that domains register
with `periodic`. Either way each run is noted in `PeriodicRun`, so the city's operations page can
tell a task that stopped running. From that page staff retry or discard a dead letter.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import JSON, String, Text, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import audit
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.extensions import Model, db, redis_client
from marketplace.transitions import guarded_update

log = logging.getLogger(__name__)

QUEUE_NAME = "default"
#: Seconds to wait before each retry.
RETRY_INTERVALS = (10, 60, 300)


class PeriodicRun(Model):
    """When each periodic task last ran, so cron's every-minute call runs only what is due."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_run_at: Mapped[datetime]


class FailedJob(Model):
    """A job that failed after its last retry: the dead letter."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    job_id: Mapped[str] = mapped_column(String(64))
    function: Mapped[str] = mapped_column(String(200))
    arguments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    function: str
    interval_seconds: int


_periodic: dict[str, PeriodicTask] = {}
_app_factory: Callable[[], Flask] | None = None


def periodic(name: str, function: str, interval_seconds: int) -> None:
    """Register work to run every ``interval_seconds`` (by the scheduler, or cron)."""
    _periodic[name] = PeriodicTask(name, function, interval_seconds)


def periodic_tasks() -> list[PeriodicTask]:
    return sorted(_periodic.values(), key=lambda task: task.name)


def _resolve(path: str) -> Callable[..., Any]:
    module, _, attribute = path.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return function


def _worker_app() -> Flask:
    # The ground module never builds the app (that would import upward): the worker command,
    # `flask jobs worker`, hands it over with use_app() before it starts taking jobs.
    if _app_factory is None:
        raise RuntimeError("no application for jobs: start workers with `flask jobs worker`")
    return _app_factory()


def use_app(app: Flask) -> None:
    """Run jobs in this app (tests, and workers started from an existing app)."""
    global _app_factory
    _app_factory = lambda: app  # noqa: E731


def run(path: str, *args: Any) -> Any:
    """The function RQ calls: run ``path`` with ``args`` inside an application context and
    commit what it did (jobs are their own unit of work)."""
    if has_app_context():
        return _run_and_commit(path, args)
    with _worker_app().app_context():
        return _run_and_commit(path, args)


def _run_and_commit(path: str, args: tuple[Any, ...]) -> Any:
    try:
        result = _resolve(path)(*args)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


def enqueue(path: str, *args: Any) -> str | None:
    """Queue a job (Redis) or run it now (no Redis). Returns the RQ job id when queued."""
    if not current_app.config.get("REDIS_URL"):
        _resolve(path)(*args)
        return None
    from rq import Callback, Queue, Retry

    queue = Queue(QUEUE_NAME, connection=redis_client())
    job = queue.enqueue(
        run,
        path,
        *args,
        retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        on_failure=Callback(record_dead_letter),
        description=path,
    )
    return str(job.id)


def after_commit(path: str, *args: Any) -> None:
    """Run ``path`` once the current unit of work has committed: side effects that must not
    happen for a transaction that rolls back, nor hold its locks (a call to a payment provider).
    The request's unit of work dispatches them (`dispatch_after_commit`); with Redis they are
    queued, without it they run at once."""
    g.setdefault("after_commit_jobs", []).append((path, args))


def dispatch_after_commit() -> None:
    """Enqueue (or run) what the unit of work asked for, after it committed."""
    pending: list[tuple[str, tuple[Any, ...]]] = g.pop("after_commit_jobs", [])
    for path, args in pending:
        try:
            enqueue(path, *args)
        except Exception:
            db.session.rollback()
            log.exception("Could not run %s after the commit", path)


def discard_after_commit() -> None:
    """Forget what a rolled-back unit of work asked for."""
    g.pop("after_commit_jobs", None)


def record_dead_letter(job: Any, connection: Any, exc_type: Any, value: Any, tb: Any) -> None:
    """RQ's failure callback: keep the job once it has no retries left."""
    if job.retries_left:
        return
    error = "".join(traceback.format_exception(exc_type, value, tb))[-4000:]
    path, *args = job.args
    with _worker_app().app_context():
        db.session.add(
            FailedJob(job_id=str(job.id), function=str(path), arguments=list(args), error=error)
        )
        db.session.commit()
    log.error("Job %s (%s) failed for good: %s", job.id, path, value)


def retry_dead_letter(failed_job_id: int, actor_id: int) -> FailedJob:
    """Run a dead letter's job again and drop the letter. The job goes out after the commit:
    queued with its retries (failing again leaves a new letter), or run at once without Redis."""
    job = _dead_letter(failed_job_id)
    audit.record("job.retried", job, actor_id=actor_id, data=_letter_data(job))
    db.session.delete(job)
    db.session.flush()
    after_commit(job.function, *job.arguments)
    return job


def discard_dead_letter(failed_job_id: int, actor_id: int) -> FailedJob:
    """Drop a dead letter without running it (the audit entry keeps what it was)."""
    job = _dead_letter(failed_job_id)
    audit.record("job.discarded", job, actor_id=actor_id, data=_letter_data(job))
    db.session.delete(job)
    db.session.flush()
    return job


def _dead_letter(failed_job_id: int) -> FailedJob:
    # Locked, so two staff pressing Retry at once run the job once: the second finds no letter.
    job = db.session.get(FailedJob, failed_job_id, with_for_update=True)
    if job is None:
        raise NotFound()
    return job


def _letter_data(job: FailedJob) -> dict[str, Any]:
    return {"job_id": job.job_id, "function": job.function, "arguments": job.arguments}


def failed_job_count() -> int:
    """Jobs that failed for good and wait in the dead letter for someone to look."""
    return int(db.session.scalar(select(func.count()).select_from(FailedJob)) or 0)


def queue_depth() -> dict[str, int]:
    from rq import Queue

    return {QUEUE_NAME: len(Queue(QUEUE_NAME, connection=redis_client()))}


def _claim_run(task: PeriodicTask) -> bool:
    """Take the task's turn if it is due; a guarded update, so two cron runs never both do."""
    now = utcnow()
    if db.session.get(PeriodicRun, task.name) is None:
        db.session.add(PeriodicRun(name=task.name, last_run_at=now - timedelta(days=3650)))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    claimed = guarded_update(
        (PeriodicRun, task.name),
        PeriodicRun.last_run_at <= now - timedelta(seconds=task.interval_seconds - 5),
        values={"last_run_at": now},
    )
    db.session.commit()
    return claimed


def run_periodic_task(name: str) -> None:
    """What RQ's scheduler runs for a periodic task (``flask jobs scheduler``, through `run`):
    note the run as cron's claim does, committed first so a run that fails still shows it
    started, then run the task."""
    task = _periodic[name]
    now = utcnow()
    noted = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == name).values(last_run_at=now)
    )
    if noted.rowcount == 0:  # type: ignore[attr-defined]
        db.session.add(PeriodicRun(name=name, last_run_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # another worker noted its first run at the same moment
        db.session.rollback()
    _resolve(task.function)()


T = TypeVar("T")
R = TypeVar("R")


def each_in_own_transaction(
    items: Iterable[T],
    work: Callable[[T], R],
    failure: Callable[[T], str],
    *,
    logger: logging.Logger,
    after_commit: Callable[[], object] | None = None,
) -> list[R]:
    """Do ``work`` on each item in its own transaction, for the periodic jobs and commands: a
    commit after each item keeps locks short, and an item that fails is rolled back and logged
    (``failure(item)``) while the rest go on. ``after_commit`` runs after each item's commit (to
    send the emails it queued). Returns the results of the items that committed, in order."""
    done = []
    for item in items:
        try:
            result = work(item)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception(failure(item))
            continue
        if after_commit is not None:
            after_commit()
        done.append(result)
    return done


def run_periodic_once(everything: bool = False) -> list[str]:
    """Run the periodic tasks that are due (all of them with ``everything``): cron's entry
    point when there is no Redis, safe to call every minute and twice at once."""
    due = (task for task in periodic_tasks() if everything or _claim_run(task))
    return each_in_own_transaction(
        due, _run_task, lambda task: f"Periodic task {task.name} failed", logger=log
    )


def _run_task(task: PeriodicTask) -> str:
    _resolve(task.function)()
    return task.name


def init_jobs(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        app.extensions["queue_depth"] = queue_depth
    app.extensions["failed_job_count"] = failed_job_count
    periodic("mail.send_pending", "marketplace.mail:send_pending", 60)
    periodic(
        "privacy.purge_expired", "marketplace.accounts.privacy:purge_expired_personal_data", 86400
    )
