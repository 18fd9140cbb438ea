"""Logs, request ids and metrics for operating several app servers.

Every request gets an id (taken from a proxy's ``X-Request-ID`` when it is well-formed, else a
new one); it is returned in the response and stamped on every log line written while the
request runs. In production logs are JSON, one object per line. ``/metrics`` serves Prometheus
metrics when ``METRICS_ENABLED`` is set, optionally behind a bearer token.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

REQUESTS = Counter(
    "opop_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "opop_http_request_duration_seconds",
    "Time to answer a request",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
#: Business events counted by the domains (orders placed, payments confirmed, ...).
EVENTS = Counter("opop_events_total", "Business events", ["kind"])
# Read from Redis or the database when /metrics is scraped, by whichever worker answers: the
# most recent reading of a live worker is the true one (a worker's older, higher reading is not).
QUEUE_DEPTH = Gauge(
    "opop_job_queue_depth",
    "Jobs waiting in the background queue",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
FAILED_JOBS = Gauge(
    "opop_failed_jobs",
    "Background jobs that failed for good (the failed_jobs table)",
    multiprocess_mode="livemostrecent",
)
OUTBOX = Gauge(
    "opop_mail_outbox",
    "Emails not sent yet by state (pending, sending, failed)",
    ["state"],
    multiprocess_mode="livemostrecent",
)


#: The figures an operator watches, with bounded labels. Counted when the change is made in
#: the unit of work; a request that then rolls back (rare: a failed commit) is still counted.
ORDERS_PLACED = Counter("opop_orders_placed_total", "Orders placed", ["payment_method"])
PAYMENTS = Counter(
    "opop_payments_total",
    "Payments by method and outcome (succeeded: money received and applied; failed: a card "
    "session that could not start, a declined card attempt, a rejected transfer proof)",
    ["method", "outcome"],
)
REFUNDS = Counter("opop_refunds_total", "Refunds by method and outcome", ["method", "outcome"])
WEBHOOK_EVENTS = Counter(
    "opop_webhook_events_total",
    "Payment provider webhook deliveries by event type and outcome",
    ["provider", "type", "outcome"],
)
#: Event types named in the webhook counter; any other is counted as "other".
WEBHOOK_TYPES = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.expired",
        "payment_intent.payment_failed",
        "charge.refunded",
        # Xendit's (payments/online.py)
        "payment.succeeded",
        "payment.failed",
        "payment_method.expired",
    }
)


def count_event(kind: str) -> None:
    """Count a business event (``order_placed``, ``payment_confirmed``...)."""
    EVENTS.labels(kind=kind).inc()


def count_order_placed(payment_method: str) -> None:
    ORDERS_PLACED.labels(payment_method=str(payment_method)).inc()


def count_payment(method: str, outcome: str) -> None:
    """``outcome``: ``succeeded`` or ``failed``."""
    PAYMENTS.labels(method=str(method), outcome=outcome).inc()


def count_refund(method: str, outcome: str) -> None:
    """``outcome``: ``completed`` or ``failed``."""
    REFUNDS.labels(method=str(method), outcome=outcome).inc()


def count_webhook(provider: str, event_type: str, outcome: str) -> None:
    """One webhook delivery: ``outcome`` is what was done (``paid``, ``duplicate``,
    ``invalid_signature``, ``error``...)."""
    kind = event_type if event_type in WEBHOOK_TYPES else "other"
    WEBHOOK_EVENTS.labels(provider=provider, type=kind, outcome=outcome[:40]).inc()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    """JSON lines in production (LOG_FORMAT=json), readable text elsewhere."""
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_opop", False):
            root.removeHandler(existing)
    handler._opop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    endpoint = request.endpoint or "unmatched"
    if current_app.config["METRICS_ENABLED"]:
        started = g.get("request_started")
        if started is not None:
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    return response


def metrics_response() -> Response:
    """The Prometheus exposition; 404 unless enabled, 403 without the token when one is set."""
    if not current_app.config["METRICS_ENABLED"]:
        abort(404)
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied.encode(), str(token).encode()):
            abort(403)
    refresh_gauges()
    registry: Any
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: each writes its samples to files; collect them all.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def refresh_gauges() -> None:
    """Read the backlogs an operator is alerted on (deploy/prometheus/alerts.yml)."""
    extensions = current_app.extensions
    if "queue_depth" in extensions:
        for queue, depth in extensions["queue_depth"]().items():
            QUEUE_DEPTH.labels(queue=queue).set(depth)
    if "failed_job_count" in extensions:
        FAILED_JOBS.set(extensions["failed_job_count"]())
    if "outbox_backlog" in extensions:
        for state, count in extensions["outbox_backlog"]().items():
            OUTBOX.labels(state=state).set(count)


def init_observability(app: Flask) -> None:
    configure_logging(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
