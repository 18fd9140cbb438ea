"""/metrics counts what the city watches: orders placed, payments by method and outcome, refunds,
webhook deliveries by outcome, and the job queue's depth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.orders.models import PaymentMethod
from tests.conftest import make_test_app
from tests.payments.paying import placed_order, post_event, shopper_client
from tests.stripe_fake import FakeStripe

SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


def samples(client: FlaskClient) -> dict[str, float]:
    """The exposition as ``{'name{label="v",...}': value}`` (labels as Prometheus sorts them)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    found = {}
    for line in response.get_data(as_text=True).splitlines():
        match = SAMPLE.match(line)
        if match:
            key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
            found[key] = float(match["value"])
    return found


def delta(before: dict[str, float], after: dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture(scope="module")
def stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def metrics_app(app: Flask, stripe_server: FakeStripe, tmp_path: Path) -> Flask:
    """The test database, with metrics and card payments (the fake Stripe) on."""
    stripe_server.reset()
    return make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        str(tmp_path),
        METRICS_ENABLED=True,
        STRIPE_SECRET_KEY=stripe_server.secret_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_API_BASE=stripe_server.url,
    )


def test_metrics_count_an_order_placed_and_paid_by_card(
    metrics_app: Flask, stripe_server: FakeStripe
) -> None:
    reader = metrics_app.test_client()
    before = samples(reader)

    order = placed_order(metrics_app, payment=PaymentMethod.CARD)
    client = shopper_client(metrics_app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 303
    paid = stripe_server.complete(stripe_server.only_session["id"])
    assert post_event(client, paid).get_json()["outcome"] == "paid"
    assert post_event(client, paid).get_json()["outcome"] == "duplicate"
    forged = stripe_server.event("checkout.session.completed", {}, secret="whsec_not_stripes")
    assert post_event(client, forged).status_code == 400

    after = samples(reader)
    assert delta(before, after, 'opop_orders_placed_total{payment_method="card"}') == 1
    assert delta(before, after, 'opop_payments_total{method="card",outcome="succeeded"}') == 1
    completed = 'opop_webhook_events_total{outcome="%s",provider="stripe",type="%s"}'
    assert delta(before, after, completed % ("paid", "checkout.session.completed")) == 1
    assert delta(before, after, completed % ("duplicate", "checkout.session.completed")) == 1
    assert delta(before, after, completed % ("invalid_signature", "other")) == 1
    assert "# TYPE opop_refunds_total counter" in reader.get("/metrics").get_data(as_text=True)


def test_metrics_count_a_failed_card_start(metrics_app: Flask, stripe_server: FakeStripe) -> None:
    reader = metrics_app.test_client()
    before = samples(reader)
    order = placed_order(metrics_app, payment=PaymentMethod.CARD)
    stripe_server.fail_next(status=500)
    shopper_client(metrics_app).post(f"/orders/{order.number}/payment/card")
    after = samples(reader)
    assert delta(before, after, 'opop_payments_total{method="card",outcome="failed"}') == 1


@pytest.mark.redis
def test_metrics_show_the_job_queue_depth(app: Flask, redis_url: str, tmp_path: Path) -> None:
    from redis import Redis
    from rq import Queue

    from marketplace.jobs import QUEUE_NAME

    queued_app = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        str(tmp_path),
        METRICS_ENABLED=True,
        REDIS_URL=redis_url,
    )
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    jobs = [queue.enqueue("tests.ops.job_functions.remember", "antre") for _ in range(3)]
    try:
        # Other tests share this Redis database and may drain the queue meanwhile: the gauge
        # must equal the queue's length read just after it (tried a few times to skip a race).
        for _ in range(5):
            shown = samples(queued_app.test_client())['opop_job_queue_depth{queue="default"}']
            if shown == len(queue):
                break
        assert shown == len(queue)
    finally:
        for job in jobs:
            job.cancel()


def test_metrics_show_failed_jobs_and_the_outbox_backlog(app: Flask, tmp_path: Path) -> None:
    from marketplace.extensions import db
    from marketplace.jobs import FailedJob
    from marketplace.mail import OutboxEmail

    metrics_app = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), METRICS_ENABLED=True
    )
    db.session.add(FailedJob(job_id="j1", function="marketplace.mail:send", error="boom"))
    for status in ("pending", "pending", "failed", "sent"):
        db.session.add(
            OutboxEmail(
                to_address="budi@example.test",
                subject="Pesanan",
                body_text="-",
                body_html="-",
                template="orders/placed",
                locale="id",
                status=status,
            )
        )
    db.session.flush()
    shown = samples(metrics_app.test_client())
    assert shown["opop_failed_jobs"] == 1
    assert shown['opop_mail_outbox{state="pending"}'] == 2
    assert shown['opop_mail_outbox{state="failed"}'] == 1
    assert shown['opop_mail_outbox{state="sending"}'] == 0


def test_alert_rules_watch_figures_the_app_exposes(app: Flask, tmp_path: Path) -> None:
    """deploy/prometheus/alerts.yml: each rule complete, and every opop_* figure it reads is
    one /metrics serves (a renamed metric would silence its alert)."""
    import yaml

    rules_file = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
    rules = [
        rule
        for group in yaml.safe_load(rules_file.read_text())["groups"]
        for rule in group["rules"]
    ]
    names = {rule["alert"] for rule in rules}
    assert {
        "PasarOpopNotReady",
        "PasarOpopServerErrors",
        "PasarOpopJobQueueBacklog",
        "PasarOpopFailedJobs",
        "PasarOpopMailBacklog",
        "PasarOpopDiskFilling",
    } <= names
    for rule in rules:
        assert rule["for"] and rule["labels"]["severity"] in ("warning", "critical"), rule
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule
    metrics_app = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), METRICS_ENABLED=True
    )
    client = metrics_app.test_client()
    client.get("/healthz")
    exposition = client.get("/metrics").get_data(as_text=True)
    exposed = {line.split()[2] for line in exposition.splitlines() if line.startswith("# TYPE ")}
    exposed |= {name + "_total" for name in exposed}  # counters are typed without _total
    read = set(re.findall(r"\bopop_[a-z_]+", " ".join(rule["expr"] for rule in rules)))
    assert read and read <= exposed, read - exposed
