"""Request ids, JSON logs, metrics and readiness: what an operator relies on."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_test_app
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_each_response_carries_a_request_id(app: Flask) -> None:
    client = app.test_client()
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != generated
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-id-1234"})
    assert kept.headers["X-Request-ID"] == "proxy-id-1234"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(forged.headers["X-Request-ID"]) == 32


def test_logs_are_json_lines_with_the_request_id(
    app: Flask, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    json_app = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), LOG_FORMAT="json"
    )

    @json_app.before_request
    def say_something() -> None:
        logging.getLogger("marketplace.test").warning("halo")

    json_app.test_client().get("/healthz", headers={"X-Request-ID": "trace-abc-123"})
    lines = [line for line in capsys.readouterr().err.splitlines() if '"halo"' in line]
    assert lines, "no log line"
    record = json.loads(lines[-1])
    assert record["message"] == "halo"
    assert record["request_id"] == "trace-abc-123"
    assert record["level"] == "WARNING"


def test_metrics_are_off_unless_enabled(app: Flask) -> None:
    assert app.test_client().get("/metrics").status_code == 404


def test_metrics_count_requests_behind_a_token(app: Flask, tmp_path: Path) -> None:
    metrics_app = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        str(tmp_path),
        METRICS_ENABLED=True,
        METRICS_TOKEN="rahasia",
    )
    client = metrics_app.test_client()
    client.get("/healthz")
    assert client.get("/metrics").status_code == 403
    response = client.get("/metrics", headers={"Authorization": "Bearer rahasia"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'opop_http_requests_total{endpoint="site.healthz",method="GET",status="200"}' in body
    assert "opop_http_request_duration_seconds_bucket" in body


@pytest.mark.redis
def test_readyz_checks_redis_when_configured(app: Flask, redis_url: str, tmp_path: Path) -> None:
    good = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), REDIS_URL=redis_url)
    response = good.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}
    bad = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        str(tmp_path),
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    response = bad.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "error"


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(app: Flask, redis_url: str, tmp_path: Path) -> None:
    """Two app servers count the same client's attempts together."""
    first, second = (
        make_test_app(
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(tmp_path),
            REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI=redis_url,
            RATELIMIT_LOGIN="3 per minute",
        )
        for _ in range(2)
    )
    data = {"email": "siapa@example.test", "password": "salah-salah"}
    statuses = [
        server.test_client().post("/account/login", data=data).status_code
        for server in (first, second, first, second)
    ]
    assert statuses == [400, 400, 400, 429]


def production_env(app: Flask, port: int) -> dict[str, str]:
    """What a production server needs in its environment, on the test's database."""
    return {
        "MARKETPLACE_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_BACKEND": "log",
        # Probes call gunicorn on 127.0.0.1, which production trusts besides the site's host.
        "SERVER_BASE_URL": "https://pasar-opop.example",
    }


def wait_until_ready(process: subprocess.Popen[bytes], port: int) -> dict[str, object]:
    """/readyz's answer once the server gives one; the server's output if it never does."""
    deadline = time.monotonic() + 90  # a loaded 2-core machine boots workers slowly
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                body: dict[str, object] = json.loads(r.read())
                assert r.headers["X-Request-ID"]
                return body
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                # Stopped first: reading the output of a server still running never ends.
                process.terminate()
                output, _ = process.communicate(timeout=60)
                raise AssertionError(f"gunicorn did not serve:\n{output.decode()}") from None
            time.sleep(0.3)


@pytest.mark.slow
def test_gunicorn_serves_the_app_from_the_command_line(committed_app: Flask) -> None:
    port = free_port()
    env = {**os.environ, **production_env(committed_app, port)}
    env.pop("TRUSTED_HOSTS", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = wait_until_ready(process, port)
        checks = body["checks"]
        assert isinstance(checks, dict) and checks["database"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_gunicorn_started_by_hand_counts_every_workers_requests(
    committed_app: Flask, tmp_path: Path
) -> None:
    """Without PROMETHEUS_MULTIPROC_DIR (a container, gunicorn typed by hand) gunicorn.conf.py
    sets up multiprocess metrics itself: /metrics answers with all three workers' requests,
    whichever worker serves it."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(production_env(committed_app, port), METRICS_ENABLED="1")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "3", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(process, port)
        hits = 30
        for _ in range(hits):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                assert r.status == 200
        counts = set()
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                body = r.read().decode()
            line = next(
                line
                for line in body.splitlines()
                if line.startswith("opop_http_requests_total{")
                and 'endpoint="site.healthz"' in line
            )
            counts.add(float(line.rsplit(" ", 1)[1]))
        assert counts == {float(hits)}
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_workers_replaced_after_max_requests_are_forks_of_the_loaded_application(
    committed_app: Flask,
) -> None:
    """gunicorn.conf.py preloads the application: the master loads it once, and a worker that
    replaces one retired after GUNICORN_MAX_REQUESTS serves at once instead of loading it
    again while requests wait. Every request is answered across the replacements."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(
        production_env(committed_app, port),
        GUNICORN_MAX_REQUESTS="4",
        GUNICORN_MAX_REQUESTS_JITTER="0",
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(process, port)
        for _ in range(14):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30) as r:
                assert r.status == 200  # the database is reached from every worker
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode()
    master = re.search(r"Listening at: \S+ \((\d+)\)", output)
    assert master, output
    booted = re.findall(r"Booting worker with pid: (\d+)", output)
    loaded = re.findall(r"application loaded in process (\d+)", output)
    assert len(booted) >= 4, output  # the first worker and at least three replacements
    assert loaded == [master.group(1)], output
