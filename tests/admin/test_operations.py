"""The operations page: the city's IT officer sees failed jobs, failed emails, late periodic tasks
and unhealthy storage, database or Redis before shoppers do, and can retry, discard or resend."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select, text

from marketplace import jobs
from marketplace.accounts.models import User
from marketplace.admin import operations
from marketplace.audit import AuditLog
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs import FailedJob, PeriodicRun
from marketplace.mail import FAILED, PENDING, SENT, OutboxEmail
from tests.admin.test_dashboard import counted
from tests.conftest import login
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.ops import job_functions
from tests.ops.test_jobs import redis_app, work  # noqa: F401 - a fixture, a worker
from tests.ops.test_storage import s3_app, s3_endpoint  # noqa: F401 - fixtures
from tests.ports import free_port

PAGE = "/admin/operations"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "jobs.py", line 1, in run\n'
    "RuntimeError: gateway refused the refund"
)


@pytest.fixture(autouse=True)
def _forget_calls() -> Iterator[None]:
    job_functions.calls.clear()
    yield
    job_functions.calls.clear()


def dead_letter(value: str = "lagi", **overrides: Any) -> FailedJob:
    job = FailedJob(
        job_id=overrides.pop("job_id", f"rq-{value}"),
        function=overrides.pop("function", "tests.ops.job_functions:remember"),
        arguments=[value],
        error=overrides.pop("error", TRACEBACK),
        **overrides,
    )
    db.session.add(job)
    db.session.commit()
    return job


def outbox_email(
    status: str = FAILED, to: str = "budi.santoso@example.test", **overrides: Any
) -> OutboxEmail:
    email = OutboxEmail(
        to_address=to,
        subject=overrides.pop("subject", "Pesanan OPOP-2026-000123 sudah dibayar"),
        body_text="Halo",
        body_html="<p>Halo</p>",
        template="order_paid",
        locale="id",
        status=status,
        attempts=overrides.pop("attempts", 8 if status == FAILED else 0),
        last_error=overrides.pop(
            "last_error",
            "SMTPRecipientsRefused: 550 mailbox unavailable" if status == FAILED else None,
        ),
        **overrides,
    )
    db.session.add(email)
    db.session.commit()
    return email


def page(client: FlaskClient, path: str = PAGE) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def audit_actions() -> list[tuple[str, int | None, int | None]]:
    return [
        (entry.action, entry.actor_id, entry.subject_id)
        for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id))
    ]


def actions_for(job: FailedJob, email: OutboxEmail) -> dict[str, str]:
    return {
        "retry": f"{PAGE}/failed-jobs/{job.id}/retry",
        "discard": f"{PAGE}/failed-jobs/{job.id}/discard",
        "resend": f"{PAGE}/emails/{email.id}/resend",
    }


# ---------------------------------------------------------------------------------------------
# Who may see it
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["guest", "shopper", "cooperative member"])
def test_only_city_administrators_reach_the_page_and_its_actions(
    client: FlaskClient, who: str
) -> None:
    job, email = dead_letter(), outbox_email()
    if who == "shopper":
        assert login(client, UserFactory().email).status_code == 302
    elif who == "cooperative member":
        assert login(client, CooperativeMemberFactory().user.email).status_code == 302
    responses = [client.get(PAGE)] + [client.post(url) for url in actions_for(job, email).values()]
    for response in responses:
        if who == "guest":
            assert response.status_code == 302
            assert "/account/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(FailedJob, job.id) is not None
    assert db.session.get(OutboxEmail, email.id).status == FAILED  # type: ignore[union-attr]
    assert job_functions.calls == []
    assert audit_actions() == []


def test_the_workspace_menu_leads_to_the_page_and_marks_it(admin_client: FlaskClient) -> None:
    assert f'<a href="{PAGE}">Operasional</a>' in page(admin_client, "/admin/")
    assert f'<a href="{PAGE}" aria-current="page">Operasional</a>' in page(admin_client)


# ---------------------------------------------------------------------------------------------
# The job queue and its dead letters
# ---------------------------------------------------------------------------------------------


def test_without_redis_the_page_says_jobs_run_at_once(admin_client: FlaskClient) -> None:
    html = page(admin_client)
    assert "Redis tidak dipakai: pekerjaan dijalankan langsung saat diminta" in html
    assert 'Pekerjaan gagal <span class="badge">0</span>' in html


def test_failed_jobs_are_listed_with_their_arguments_and_error(
    admin_client: FlaskClient, clock: ModuleType
) -> None:
    job = dead_letter("kirim-ulang")
    html = page(admin_client)
    assert '<span class="badge badge--danger">1</span>' in html
    assert "<code>tests.ops.job_functions:remember</code>" in html
    assert "Argumen: kirim-ulang" in html
    assert "<summary>RuntimeError: gateway refused the refund</summary>" in html
    assert "Gagal 1/12/26 10.00" in html  # stored in UTC (03:00), shown in Mojokerto's time
    assert f'action="{PAGE}/failed-jobs/{job.id}/retry"' in html
    assert f'action="{PAGE}/failed-jobs/{job.id}/discard"' in html


def test_retry_runs_the_job_again_drops_the_letter_and_is_audited(
    admin_client: FlaskClient, admin: User
) -> None:
    job = dead_letter("lagi")
    other = dead_letter("yang-lain")
    response = admin_client.post(f"{PAGE}/failed-jobs/{job.id}/retry")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)
    assert job_functions.calls == ["lagi"]  # no Redis: run at once, after the commit
    db.session.expire_all()
    assert db.session.scalars(select(FailedJob.id)).all() == [other.id]
    [entry] = db.session.scalars(select(AuditLog)).all()
    assert (entry.action, entry.actor_id, entry.subject_type, entry.subject_id) == (
        "job.retried",
        admin.id,
        "FailedJob",
        job.id,
    )
    assert entry.data["function"] == "tests.ops.job_functions:remember"
    assert entry.data["arguments"] == ["lagi"]


def test_discard_drops_the_letter_without_running_it(
    admin_client: FlaskClient, admin: User
) -> None:
    job = dead_letter("buang")
    response = admin_client.post(f"{PAGE}/failed-jobs/{job.id}/discard")
    assert response.status_code == 302
    assert job_functions.calls == []
    db.session.expire_all()
    assert db.session.get(FailedJob, job.id) is None
    assert audit_actions() == [("job.discarded", admin.id, job.id)]
    [entry] = db.session.scalars(select(AuditLog)).all()
    assert entry.data["arguments"] == ["buang"]  # what was thrown away stays on record


@pytest.mark.parametrize("action", ["retry", "discard", "resend"])
def test_an_unknown_id_answers_404_and_changes_nothing(
    admin_client: FlaskClient, action: str
) -> None:
    job, email = dead_letter(), outbox_email()
    missing = {
        "retry": f"{PAGE}/failed-jobs/{job.id + 1000}/retry",
        "discard": f"{PAGE}/failed-jobs/{job.id + 1000}/discard",
        "resend": f"{PAGE}/emails/{email.id + 1000}/resend",
    }[action]
    assert admin_client.post(missing).status_code == 404
    db.session.expire_all()
    assert db.session.get(FailedJob, job.id) is not None
    refreshed = db.session.get(OutboxEmail, email.id)
    assert refreshed is not None and (refreshed.status, refreshed.attempts) == (FAILED, 8)
    assert job_functions.calls == []
    assert audit_actions() == []


def test_a_letter_already_retried_is_not_run_twice(admin_client: FlaskClient) -> None:
    job = dead_letter("sekali")
    assert admin_client.post(f"{PAGE}/failed-jobs/{job.id}/retry").status_code == 302
    assert admin_client.post(f"{PAGE}/failed-jobs/{job.id}/retry").status_code == 404
    assert job_functions.calls == ["sekali"]


@pytest.mark.redis
def test_with_redis_a_retried_job_waits_in_the_queue_for_a_worker(
    redis_app: Flask,  # noqa: F811
    admin: User,
) -> None:
    client = redis_app.test_client()
    assert login(client, admin.email).status_code == 302
    job = dead_letter("antre")
    assert "Pekerjaan menunggu per antrean" in page(client)
    assert client.post(f"{PAGE}/failed-jobs/{job.id}/retry").status_code == 302
    assert job_functions.calls == []  # queued, not run by the request
    html = page(client)
    assert (
        '<span class="stat__value">1</span> <span class="stat__label">'
        "menunggu di antrean default</span>" in html
    )
    work(redis_app)
    assert job_functions.calls == ["antre"]
    assert '<span class="stat__value">0</span>' in page(client)


@pytest.mark.redis
def test_with_redis_a_retried_job_that_fails_again_leaves_a_new_letter(
    redis_app: Flask,  # noqa: F811
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", (0,))
    client = redis_app.test_client()
    assert login(client, admin.email).status_code == 302
    job = dead_letter("lagi", function="tests.ops.job_functions:always_fails")
    assert client.post(f"{PAGE}/failed-jobs/{job.id}/retry").status_code == 302
    work(redis_app)
    assert job_functions.calls == ["failed lagi"] * 2  # the run and its one retry
    db.session.expire_all()
    [again] = db.session.scalars(select(FailedJob)).all()
    assert again.id != job.id
    assert (again.function, again.arguments) == ("tests.ops.job_functions:always_fails", ["lagi"])


# ---------------------------------------------------------------------------------------------
# The mail outbox
# ---------------------------------------------------------------------------------------------


def test_the_outbox_counts_by_state_and_lists_failed_emails_masked(
    admin_client: FlaskClient,
) -> None:
    outbox_email(PENDING, "satu@example.test")
    outbox_email(PENDING, "dua@example.test")
    failed = outbox_email(FAILED, "budi.santoso@example.test")
    outbox_email(SENT, "baru@example.test", sent_at=utcnow() - timedelta(hours=2))
    outbox_email(SENT, "lama@example.test", sent_at=utcnow() - timedelta(days=2))
    html = page(admin_client)
    stats = {
        label: int(value)
        for value, label in re.findall(
            r'<span class="stat__value">(\d+)</span> <span class="stat__label">([^<]+)</span>',
            html,
        )
    }
    assert stats == {
        "Menunggu dikirim": 2,
        "Sedang dikirim": 0,
        "Gagal": 1,
        "Terkirim 24 jam terakhir": 1,
    }
    assert "Untuk bu***@example.test" in html
    assert "budi.santoso@example.test" not in html
    assert "Pesanan OPOP-2026-000123 sudah dibayar" in html
    assert "8 kali dicoba" in html
    assert "SMTPRecipientsRefused: 550 mailbox unavailable" in html
    assert html.count("/resend") == 1
    assert f'action="{PAGE}/emails/{failed.id}/resend"' in html


def test_recipients_are_masked_but_recognisable() -> None:
    assert operations.mask_email("budi.santoso@example.test") == "bu***@example.test"
    assert operations.mask_email("ani@example.test") == "a***@example.test"
    assert operations.mask_email("x@example.test") == "x***@example.test"


def test_resend_sends_a_failed_email_now_and_is_audited(
    admin_client: FlaskClient, admin: User, sent_mail: list[Any]
) -> None:
    email = outbox_email(FAILED, "budi.santoso@example.test")
    assert admin_client.post(f"{PAGE}/emails/{email.id}/resend").status_code == 302
    assert [message.to_address for message in sent_mail] == ["budi.santoso@example.test"]
    db.session.expire_all()
    refreshed = db.session.get(OutboxEmail, email.id)
    assert refreshed is not None
    assert (refreshed.status, refreshed.attempts, refreshed.last_error) == (SENT, 1, None)
    assert audit_actions() == [("email.resent", admin.id, email.id)]
    [entry] = db.session.scalars(select(AuditLog)).all()
    assert entry.data["attempts"] == 8


def test_a_resent_email_the_server_still_refuses_waits_for_the_dispatcher(
    admin_client: FlaskClient, app: Flask
) -> None:
    email = outbox_email(FAILED)
    app.extensions["mail_backend"].fail_with = ConnectionRefusedError("smtp down")
    assert admin_client.post(f"{PAGE}/emails/{email.id}/resend").status_code == 302
    db.session.expire_all()
    refreshed = db.session.get(OutboxEmail, email.id)
    assert refreshed is not None
    # A fresh round of attempts: the dispatcher (cron, or a worker) keeps trying.
    assert (refreshed.status, refreshed.attempts) == (PENDING, 1)
    assert refreshed.last_error == "ConnectionRefusedError: smtp down"


def test_only_a_failed_email_can_be_resent(admin_client: FlaskClient, sent_mail: list[Any]) -> None:
    email = outbox_email(SENT, sent_at=utcnow())
    response = admin_client.post(f"{PAGE}/emails/{email.id}/resend")
    assert response.status_code == 409
    assert "tidak lagi gagal" in response.get_data(as_text=True)
    assert sent_mail == []
    assert audit_actions() == []


# ---------------------------------------------------------------------------------------------
# Periodic tasks
# ---------------------------------------------------------------------------------------------


def periodic_rows(html: str) -> dict[str, tuple[str, str, str]]:
    """Each periodic task's row: (interval, last run, state)."""
    rows = re.findall(
        r'<th scope="row"><code>([^<]+)</code> <span class="muted small">([^<]*)</span></th>\s*'
        r'<td>([^<]*)</td>\s*<td><span class="badge[^"]*">([^<]+)</span></td>',
        html,
    )
    return {name: (interval, last, state) for name, interval, last, state in rows}


def test_a_periodic_task_is_late_after_twice_its_interval_and_the_page_writes_nothing(
    admin_client: FlaskClient, clock: ModuleType
) -> None:
    now = utcnow()
    db.session.add_all(
        [
            # every minute, ran 90 s ago: within two intervals
            PeriodicRun(name="mail.send_pending", last_run_at=now - timedelta(seconds=90)),
            # every hour, ran three hours ago: late
            PeriodicRun(name="orders.complete", last_run_at=now - timedelta(hours=3)),
        ]
    )
    db.session.commit()
    before = db.session.execute(select(PeriodicRun.name, PeriodicRun.last_run_at)).all()
    rows = periodic_rows(page(admin_client))
    assert set(rows) == {task.name for task in jobs.periodic_tasks()}
    assert rows["mail.send_pending"] == ("setiap 1 menit", "1/12/26 09.58 WIB", "Tepat waktu")
    assert rows["orders.complete"] == ("setiap 1 jam", "1/12/26 07.00 WIB", "Terlambat")
    assert rows["cart.purge"] == ("setiap 1 hari", "belum pernah", "Terlambat")
    db.session.expire_all()
    assert db.session.execute(select(PeriodicRun.name, PeriodicRun.last_run_at)).all() == before
    clock.advance(timedelta(seconds=31))  # 121 s since the last run: two minutes have passed
    assert periodic_rows(page(admin_client))["mail.send_pending"][2] == "Terlambat"


# ---------------------------------------------------------------------------------------------
# Health
# ---------------------------------------------------------------------------------------------


def health(html: str) -> str:
    return html.split('id="ops-health"', 1)[1].split("</section>", 1)[0]


def test_a_healthy_system_says_so(admin_client: FlaskClient, app: Flask, tmp_path: Path) -> None:
    section = health(page(admin_client))
    assert "Terhubung" in section and "Skema terbaru" in section
    with app.app_context():
        head = operations.database_health().heads[0]
    assert f"terbaru: {head}" in section
    assert "dapat ditulis" in section and "tidak dapat ditulis" not in section
    assert "ruang kosong" in section and "hampir penuh" not in section
    assert "Bermasalah" not in section and "badge--danger" not in section
    assert "Tidak dipakai" in section  # Redis


def test_a_schema_behind_the_migrations_is_flagged(admin_client: FlaskClient) -> None:
    db.session.execute(text("UPDATE alembic_version SET version_num = '20200101_old'"))
    db.session.commit()
    section = health(page(admin_client))
    assert "Skema tertinggal" in section
    assert "Revisi: 20200101_old" in section
    assert "flask db upgrade" in section


def test_an_upload_folder_the_app_cannot_write_is_flagged(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_access = operations.os.access
    monkeypatch.setattr(
        operations.os,
        "access",
        lambda path, mode: False if mode & operations.os.W_OK else real_access(path, mode),
    )
    section = health(page(admin_client))
    assert "tidak dapat ditulis" in section
    assert '<span class="badge badge--danger">Bermasalah</span>' in section


def test_an_upload_folder_running_out_of_space_is_flagged(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        operations.shutil,
        "disk_usage",
        lambda path: shutil._ntuple_diskusage(100 * 1024**3, 100 * 1024**3 - 2**28, 2**28),  # type: ignore[attr-defined]
    )
    section = health(page(admin_client))
    assert "ruang kosong 0,2 GB" in section
    assert "hampir penuh" in section and "Bermasalah" in section


def test_checking_the_upload_folder_writes_nothing(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "uploads-not-made-yet"
    with app.test_request_context():
        state = operations._folder_health(folder)
    assert not folder.exists()
    assert state.exists is False and state.writable is True  # its parent decides
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_redis_is_flagged(
    admin_client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setitem(app.config, "REDIS_URL", dead)
    monkeypatch.setitem(app.extensions, "redis", Redis.from_url(dead, socket_connect_timeout=1))
    html = page(admin_client)
    assert "Tidak terjangkau" in health(html)
    assert "Panjang antrean tidak diketahui: Redis tidak menjawab." in html


def test_the_bucket_is_checked_by_reading_never_by_writing(s3_app: Flask) -> None:  # noqa: F811
    store = s3_app.extensions["storage"]
    with s3_app.test_request_context():
        state = operations.storage_health()
    assert (state.backend, state.location) == ("s3", store.bucket)
    assert state.readable is True and state.writable is None and state.ok
    assert store.client.list_objects_v2(Bucket=store.bucket).get("KeyCount") == 0
    store.bucket = "bucket-yang-tidak-ada"
    with s3_app.test_request_context():
        missing = operations.storage_health()
    assert missing.readable is False and not missing.ok
    assert missing.error


# ---------------------------------------------------------------------------------------------
# Queries, language
# ---------------------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_for_one_and_five_failed_rows(
    admin_client: FlaskClient,
) -> None:
    app = admin_client.application
    dead_letter("1")
    outbox_email(FAILED, "a1@example.test")
    page(admin_client)  # warm up: the first page of a session loads a little more
    with counted(app) as one:
        html = page(admin_client)
    assert html.count("/retry") == 1 and html.count("/resend") == 1
    for n in range(2, 6):
        dead_letter(str(n))
        outbox_email(FAILED, f"a{n}@example.test")
    with counted(app) as five:
        html = page(admin_client)
    assert html.count("/retry") == 5 and html.count("/resend") == 5
    assert len(five) == len(one), (len(one), len(five))


def test_the_page_speaks_english(admin_client: FlaskClient) -> None:
    dead_letter()
    outbox_email()
    html = page(admin_client, f"{PAGE}?lang=en")
    for words in (
        "Operations",
        "System health",
        "Job queue",
        "Failed jobs",
        "Mail outbox",
        "Periodic tasks",
        "Retry",
        "Discard",
        "Resend",
        "Sent in the last 24 hours",
    ):
        assert words in html, words
