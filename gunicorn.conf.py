"""gunicorn settings for Pasar OPOP. Every value can be overridden on the command line or with
an environment variable, so `gunicorn -w 2 -b 127.0.0.1:PORT wsgi:app` works as typed.

No daemon mode and no pid file: systemd (deploy/) or a container supervises the process.
"""

import glob
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, two per core plus one (gunicorn's rule of thumb), at most 8 on a small machine.
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Restart workers now and then so a slow leak can never take a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# The application is loaded once, in the master, and each worker is a fork of it: a worker
# replaced after max_requests serves at once, where loading the application again took a second
# or more while requests queued behind it (the p99 stalls bench/catalogue.py showed). A preloaded
# master keeps its code on HUP, so an upgrade restarts the web unit instead; systemd holds its
# listening socket meanwhile (deploy/systemd/pasar-opop-web.socket; docs/upgrades.md).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# Behind nginx on the same host: trust its X-Forwarded-* headers (the app's ProxyFix is set with
# PROXY_FIX_X_FOR / PROXY_FIX_X_PROTO).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One JSON object per line, with the request id the app puts on the response.
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_us": %(D)s, '
    '"request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)


# Prometheus counts across workers only in multiprocess mode: each worker writes its samples to
# files in one folder, and /metrics adds them up. The systemd unit names a folder of its own;
# anywhere else (a container, gunicorn started by hand) this config makes one, so every way of
# starting the server counts alike. Set here, before any worker imports prometheus_client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="opop-metrics-")
    # Remembered in the environment: a reload (HUP) reads this file again.
    os.environ["OPOP_METRICS_DIR_IS_TEMPORARY"] = "1"


def on_starting(server):
    """A fresh start counts from zero: samples left by an earlier run would be added in."""
    for path in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(path)


def post_fork(server, worker):
    """A worker opens database connections of its own: one inherited from the master would be
    shared by two processes (SQLAlchemy's advice for forked pools: dispose without closing).
    Redis clients notice the new process id by themselves."""
    app = server.app.wsgi() if server.cfg.preload_app else None
    if app is None or "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # loaded by the worker itself, or not this project's app (bench/bare_app.py)
    from marketplace.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget a dead worker's live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("OPOP_METRICS_DIR_IS_TEMPORARY"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
