"""The scale-out proof, small: `bench/cluster.py`'s scenario in the suite.

Two gunicorn servers (``gunicorn -w 2 -b 127.0.0.1:PORT wsgi:app``, production configuration)
share a fresh PostgreSQL database and a Redis database behind a round-robin proxy, with the fake
Stripe as the card provider. A few shoppers browse, search and buy the scarce "hot" variants by
transfer and by card (webhooks sometimes delivered twice), members hand paid orders over, and one
server is SIGKILLed halfway. The other keeps serving, and afterwards every order a shopper was
told about exists, nothing is oversold, nothing is paid twice and the ledgers balance.

The cluster gets a Redis database of its own (TEST_CLUSTER_REDIS_URL, else database 11 of the
tests' Redis server), since it flushes it and runs a worker on its queue.
"""

from __future__ import annotations

import os

import pytest
from redis.connection import parse_url

from bench.cluster import Load, around_the_kill, check_invariants, run_load, running_cluster
from tests.databases import postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def cluster_redis_url(redis_url: str) -> str:
    explicit = os.environ.get("TEST_CLUSTER_REDIS_URL")
    if explicit:
        return explicit
    parts = parse_url(redis_url)
    return f"redis://{parts.get('host', '127.0.0.1')}:{parts.get('port', 6379)}/11"


def test_two_servers_lose_nothing_when_one_is_killed(redis_url: str) -> None:
    lines: list[str] = []
    with (
        postgres_database("opop_cluster") as url,
        running_cluster(
            url,
            cluster_redis_url(redis_url),
            products=300,
            shoppers=4,
            hot_cooperatives=2,
            hot_variants=6,
            log=lines.append,
        ) as cluster,
    ):
        stats = run_load(cluster, Load(duration=8, clients=4, kill_after=3), log=lines.append)
        kill = around_the_kill(stats, cluster)
        checks = check_invariants(url, stats)
        proxy = cluster.proxy.stats
        victim, survivor = cluster.servers

    report = "\n".join([*lines, *(f"{c.name}: {c.ok} {c.detail}" for c in checks)])
    assert victim.process.returncode == -9, report
    assert survivor.process.returncode is not None  # stopped after the run, not before
    assert kill is not None and kill["after_ok"] >= 20, report
    assert proxy.skipped[victim.port] >= 1, "the proxy never tried the dead server"
    assert proxy.connections[survivor.port] > proxy.connections[victim.port], report
    assert stats.orders, f"no order was placed\n{report}"
    assert sum(stats.webhook_outcomes.values()) >= 1, report
    assert all(check.ok for check in checks), report
