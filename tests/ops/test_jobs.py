"""Background jobs: inline without Redis; RQ with retries and a dead letter with Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from sqlalchemy import select

from marketplace import jobs
from marketplace.database import as_utc, utcnow
from marketplace.extensions import db, redis_client
from marketplace.mail import OutboxEmail
from tests.conftest import make_test_app
from tests.factories import registration
from tests.ops import job_functions


@pytest.fixture(autouse=True)
def _forget_calls() -> None:
    job_functions.calls.clear()


def test_without_redis_a_job_runs_at_once(app: Flask) -> None:
    with app.test_request_context():
        assert jobs.enqueue("tests.ops.job_functions:remember", "sekarang") is None
    assert job_functions.calls == ["sekarang"]


def test_periodic_tasks_run_once_from_cron(app: Flask, sent_mail: list[Any]) -> None:
    from tests.core.test_mail import queue

    queue(app)
    app.extensions["mail_backend"].fail_with = ConnectionError("down")
    with app.test_request_context():
        db.session.commit()
    app.extensions["mail_backend"].fail_with = None
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic"])
    assert result.exit_code == 0, result.output
    assert "mail.send_pending" in result.output
    assert len(sent_mail) == 1
    listing = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert "mail.send_pending\tevery 60s" in listing.output


@pytest.fixture
def redis_app(app: Flask, redis_url: str, tmp_path: Path) -> Iterator[Flask]:
    queued = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url
    )
    jobs.use_app(queued)
    with queued.app_context():
        redis_client().flushdb()
    yield queued
    jobs._app_factory = None


def work(app: Flask) -> None:
    with app.app_context():
        queue = Queue(jobs.QUEUE_NAME, connection=redis_client())
        SimpleWorker([queue], connection=redis_client()).work(burst=True)


@pytest.mark.redis
def test_with_redis_mail_waits_for_a_worker(redis_app: Flask) -> None:
    client = redis_app.test_client()
    client.post(
        "/account/register",
        data=registration(full_name="Ani", email="ani@example.test", password="rahasia-sekali"),
    )
    email = db.session.scalars(select(OutboxEmail)).one()
    assert email.status == "pending"
    with redis_app.app_context():
        assert jobs.queue_depth() == {"default": 1}
    work(redis_app)
    db.session.refresh(email)
    assert email.status == "sent"
    assert [m.to_address for m in redis_app.extensions["mail_backend"].sent] == ["ani@example.test"]


@pytest.mark.redis
def test_a_failing_job_is_retried_then_kept_as_a_dead_letter(
    redis_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", (0, 0))
    with redis_app.test_request_context():
        job_id = jobs.enqueue("tests.ops.job_functions:always_fails", "kirim")
    work(redis_app)
    assert job_functions.calls == ["failed kirim"] * 3
    [dead] = db.session.scalars(select(jobs.FailedJob)).all()
    assert dead.job_id == job_id
    assert dead.function == "tests.ops.job_functions:always_fails"
    assert dead.arguments == ["kirim"]
    assert "cannot do kirim" in dead.error


@pytest.mark.redis
def test_the_scheduler_registers_every_periodic_task(redis_app: Flask) -> None:
    with redis_app.app_context():
        names = [task.name for task in jobs.periodic_tasks()]
    assert "mail.send_pending" in names


@pytest.mark.redis
def test_the_scheduler_notes_each_run_for_the_operations_page(
    redis_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        jobs,
        "_periodic",
        {"uji.tick": jobs.PeriodicTask("uji.tick", "tests.ops.job_functions:tick", 60)},
    )
    # One pass of the scheduler's loop: enqueue what is due (everything, on its first pass).
    monkeypatch.setattr(CronScheduler, "start", lambda self: self.enqueue_jobs())
    result = redis_app.test_cli_runner().invoke(args=["jobs", "scheduler"])
    assert result.exit_code == 0, result.output
    work(redis_app)
    assert job_functions.calls == ["tick"]
    run = db.session.get(jobs.PeriodicRun, "uji.tick")
    assert run is not None
    assert as_utc(run.last_run_at) > utcnow() - timedelta(minutes=1)


def test_a_scheduled_run_that_fails_is_still_noted_as_run(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = jobs.PeriodicTask("uji.gagal", "tests.ops.job_functions:tick_and_fail", 60)
    monkeypatch.setattr(jobs, "_periodic", {task.name: task})
    with app.app_context(), pytest.raises(RuntimeError):
        jobs.run("marketplace.jobs:run_periodic_task", task.name)
    assert job_functions.calls == ["tick"]
    assert db.session.get(jobs.PeriodicRun, task.name) is not None  # it ran, and failed


def test_cron_runs_each_periodic_task_only_when_it_is_due(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-periodic"]).output
    assert "mail.send_pending" in first and "cart.purge" in first
    second = runner.invoke(args=["jobs", "run-periodic"]).output
    assert second.strip() == "ran:"
    forced = runner.invoke(args=["jobs", "run-periodic", "--all"]).output
    assert "orders.expire" in forced
