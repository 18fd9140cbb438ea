"""What the operations page reads: the job queue and its dead letters, the mail outbox, the
WhatsApp deliveries, when each
periodic task last ran, and whether the database, the file storage and Redis are healthy.

Reading only, in a fixed number of queries however many rows fail, and without writing anything:
a late task is computed here, storage writability is asked of the operating system (never
tested by writing). Retrying, discarding and resending are done by `jobs` and `mail`, which own
those tables.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import column, func, inspect, or_, select, table
from sqlalchemy.orm import load_only

from marketplace import jobs
from marketplace.database import as_utc, utcnow
from marketplace.extensions import db, redis_client
from marketplace.jobs import FailedJob, PeriodicRun, PeriodicTask
from marketplace.mail import FAILED, PENDING, SENDING, SENT, OutboxEmail
from marketplace.notifications import whatsapp
from marketplace.notifications.models import WhatsAppDelivery
from marketplace.notifications.models import WhatsAppStatus as W
from marketplace.storage import LocalStorage, S3Storage, storage

log = logging.getLogger(__name__)

#: The page lists this many failed jobs and failed emails (the newest); the counts say the rest.
LIST_LIMIT = 50
#: "Sent recently": the last day, enough to see that mail is flowing.
SENT_WINDOW = timedelta(hours=24)
#: A periodic task is late once its last run is older than this many of its intervals: one
#: missed turn is a slow run; two mean the scheduler (or cron) has stopped.
LATE_AFTER_INTERVALS = 2
#: Below this much free space the upload folder is flagged: photos and generated documents
#: stop saving when the disk fills, and a day's uploads fit well within it.
LOW_DISK_BYTES = 1024**3
#: Alembic's record of the revision the database is at.
VERSION_TABLE = "alembic_version"
#: A key no one writes: reading it proves the bucket answers without changing anything.
S3_PROBE_KEY = "ops/health-probe-never-written"


@dataclass(frozen=True)
class FailedEmail:
    id: int
    recipient: str  # partly masked: the page is for fixing delivery, not for reading addresses
    subject: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class Outbox:
    pending: int
    sending: int
    failed: int
    sent_recently: int
    failed_emails: list[FailedEmail]


@dataclass(frozen=True)
class FailedWhatsApp:
    id: int
    phone: str  # partly masked
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class WhatsAppOutbox:
    """Notices by WhatsApp (`notifications.whatsapp`): shown when it is set up or has rows."""

    enabled: bool
    pending: int
    sending: int
    failed: int
    sent_recently: int
    failures: list[FailedWhatsApp]

    @property
    def shown(self) -> bool:
        return self.enabled or bool(self.pending + self.sending + self.failed + self.sent_recently)


@dataclass(frozen=True)
class Queue:
    uses_redis: bool
    #: Jobs waiting per queue; None when Redis did not answer (or is not used).
    depths: dict[str, int] | None
    failed_total: int
    failed_jobs: list[FailedJob]


@dataclass(frozen=True)
class PeriodicState:
    task: PeriodicTask
    last_run_at: datetime | None
    late: bool

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.task.interval_seconds)


@dataclass(frozen=True)
class DatabaseHealth:
    reachable: bool
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return self.reachable and bool(self.heads) and set(self.current) == set(self.heads)


@dataclass(frozen=True)
class StorageHealth:
    backend: str  # "local" or "s3"
    location: str  # the upload folder, or the bucket's name
    exists: bool
    readable: bool
    #: None when it cannot be known without writing (a bucket).
    writable: bool | None
    free_bytes: int | None
    error: str | None = None

    @property
    def low_space(self) -> bool:
        return self.free_bytes is not None and self.free_bytes < LOW_DISK_BYTES

    @property
    def ok(self) -> bool:
        return self.readable and self.writable is not False and not self.low_space


@dataclass(frozen=True)
class RedisHealth:
    configured: bool
    reachable: bool | None


@dataclass(frozen=True)
class Operations:
    queue: Queue
    outbox: Outbox
    whatsapp: WhatsAppOutbox
    periodic: list[PeriodicState]
    database: DatabaseHealth
    storage: StorageHealth
    redis: RedisHealth


def build_operations() -> Operations:
    """Everything the operations page shows."""
    redis = redis_health()
    return Operations(
        queue=job_queue(redis),
        outbox=outbox(),
        whatsapp=whatsapp_outbox(),
        periodic=periodic_states(),
        database=database_health(),
        storage=storage_health(),
        redis=redis,
    )


def job_queue(redis: RedisHealth) -> Queue:
    depths = None
    if redis.reachable:
        try:
            depths = jobs.queue_depth()
        except Exception as error:  # noqa: BLE001 - the page says the depth is unknown
            log.warning("Operations page: queue depth unavailable: %s", error)
    failed_total = jobs.failed_job_count()
    failed = db.session.scalars(
        select(FailedJob)
        .order_by(FailedJob.failed_at.desc(), FailedJob.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return Queue(redis.configured, depths, failed_total, list(failed))


def outbox() -> Outbox:
    since = utcnow() - SENT_WINDOW
    counts = dict(
        db.session.execute(
            select(OutboxEmail.status, func.count())
            .where(or_(OutboxEmail.status != SENT, OutboxEmail.sent_at >= since))
            .group_by(OutboxEmail.status)
        )
        .tuples()
        .all()
    )
    failed = db.session.scalars(
        select(OutboxEmail)
        .options(
            load_only(
                OutboxEmail.to_address,
                OutboxEmail.subject,
                OutboxEmail.attempts,
                OutboxEmail.last_error,
                OutboxEmail.created_at,
            )
        )
        .where(OutboxEmail.status == FAILED)
        .order_by(OutboxEmail.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return Outbox(
        pending=counts.get(PENDING, 0),
        sending=counts.get(SENDING, 0),
        failed=counts.get(FAILED, 0),
        sent_recently=counts.get(SENT, 0),
        failed_emails=[
            FailedEmail(
                email.id,
                mask_email(email.to_address),
                email.subject,
                email.attempts,
                email.last_error,
                email.created_at,
            )
            for email in failed
        ],
    )


def whatsapp_outbox() -> WhatsAppOutbox:
    """The WhatsApp deliveries by status (sent: the last day) and the newest failures (two
    queries)."""
    since = utcnow() - SENT_WINDOW
    counts = dict(
        db.session.execute(
            select(WhatsAppDelivery.status, func.count())
            .where(or_(WhatsAppDelivery.status != W.SENT, WhatsAppDelivery.sent_at >= since))
            .group_by(WhatsAppDelivery.status)
        )
        .tuples()
        .all()
    )
    failures = db.session.scalars(
        select(WhatsAppDelivery)
        .where(WhatsAppDelivery.status == W.FAILED)
        .order_by(WhatsAppDelivery.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return WhatsAppOutbox(
        enabled=whatsapp.enabled(),
        pending=counts.get(W.PENDING, 0),
        sending=counts.get(W.SENDING, 0),
        failed=counts.get(W.FAILED, 0),
        sent_recently=counts.get(W.SENT, 0),
        failures=[
            FailedWhatsApp(
                delivery.id,
                mask_phone(delivery.phone),
                delivery.attempts,
                delivery.last_error,
                as_utc(delivery.created_at),
            )
            for delivery in failures
        ],
    )


def mask_phone(number: str) -> str:
    """``6281234567890`` → ``6281***890``: enough to recognise, not to call."""
    return f"{number[:4]}***{number[-3:]}" if len(number) > 7 else "***"


def mask_email(address: str) -> str:
    """``budi.santoso@example.test`` → ``bu***@example.test``: enough to recognise, not to copy."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address[:2] + "***"
    return f"{local[: 2 if len(local) > 3 else 1]}***@{domain}"


def periodic_states() -> list[PeriodicState]:
    """Each registered periodic task with its last run (None: never ran) and whether it is late."""
    last_runs = {
        name: as_utc(moment)
        for name, moment in db.session.execute(select(PeriodicRun.name, PeriodicRun.last_run_at))
    }
    now = utcnow()
    states = []
    for task in jobs.periodic_tasks():
        last = last_runs.get(task.name)
        late = last is None or now - last > LATE_AFTER_INTERVALS * timedelta(
            seconds=task.interval_seconds
        )
        states.append(PeriodicState(task, last, late))
    return states


@cache
def _migration_heads(directory: str) -> tuple[str, ...]:
    # The migrations ship with the code: read once per process, not on every page view.
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def database_health() -> DatabaseHealth:
    """Whether the database answers and its schema is at the migrations' head revision."""
    heads = _migration_heads(current_app.extensions["migrate"].directory)
    try:
        connection = db.session.connection()
        current: tuple[str, ...] = ()
        if inspect(connection).has_table(VERSION_TABLE):  # none: never migrated
            current = tuple(
                sorted(
                    connection.scalars(
                        select(column("version_num")).select_from(table(VERSION_TABLE))
                    )
                )
            )
    except Exception as error:  # noqa: BLE001 - an unreachable database is what we report
        db.session.rollback()
        log.warning("Operations page: database check failed: %s", error)
        return DatabaseHealth(False, (), heads)
    return DatabaseHealth(True, current, heads)


def storage_health() -> StorageHealth:
    """Whether uploads can be read and written, asked without writing anything."""
    store = storage()
    if isinstance(store, S3Storage):
        return _bucket_health(store)
    assert isinstance(store, LocalStorage)
    return _folder_health(store.root)


def _folder_health(root: Path) -> StorageHealth:
    # The folder is made on the first upload; until then its nearest parent decides.
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        free: int | None = shutil.disk_usage(existing).free
    except OSError:
        free = None
    return StorageHealth(
        backend="local",
        location=str(root),
        exists=existing == root,
        readable=os.access(existing, os.R_OK | os.X_OK),
        writable=os.access(existing, os.W_OK | os.X_OK),
        free_bytes=free,
    )


def _bucket_health(store: S3Storage) -> StorageHealth:
    try:
        store.read(S3_PROBE_KEY)
    except FileNotFoundError:
        readable, error = True, None  # the bucket answered: there is no such file
    except Exception as failure:  # noqa: BLE001 - whatever the bucket answered, it is not ok
        log.warning("Operations page: bucket check failed: %s", failure)
        readable, error = False, type(failure).__name__
    else:
        readable, error = True, None
    return StorageHealth(
        backend="s3",
        location=store.bucket,
        exists=readable,
        readable=readable,
        writable=None,
        free_bytes=None,
        error=error,
    )


def redis_health() -> RedisHealth:
    if not current_app.config.get("REDIS_URL"):
        return RedisHealth(configured=False, reachable=None)
    try:
        redis_client().ping()
    except Exception as error:  # noqa: BLE001 - an unreachable Redis is what we report
        log.warning("Operations page: Redis check failed: %s", error)
        return RedisHealth(configured=True, reachable=False)
    return RedisHealth(configured=True, reachable=True)
