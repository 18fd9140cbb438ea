"""A small cache of providers' answers: in Redis when REDIS_URL is set (shared by every
process, as the catalogue's cache is), else in this process. Entries expire after their time."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app
from redis.exceptions import RedisError

from marketplace import clock
from marketplace.extensions import redis_client

log = logging.getLogger(__name__)
PREFIX = "opop:shipping:"
#: Entries the in-process store keeps at most (expired ones are dropped first).
LOCAL_LIMIT = 2000


def _local() -> dict[str, tuple[float, Any]]:
    store: dict[str, tuple[float, Any]] = current_app.extensions.setdefault("shipping_cache", {})
    return store


def get(key: str) -> Any | None:
    """The value kept under ``key``, or None when missing, expired or Redis is unreachable."""
    if current_app.config.get("REDIS_URL"):
        try:
            raw = redis_client().get(PREFIX + key)
        except RedisError:
            log.warning("shipping cache: Redis unreachable, asking the provider")
            return None
        return json.loads(raw) if raw else None
    entry = _local().get(key)
    if entry is None or entry[0] <= clock.now().timestamp():
        return None
    return entry[1]


def put(key: str, value: Any, seconds: int) -> None:
    """Keep ``value`` (JSON-able) for ``seconds``; 0 keeps nothing."""
    if seconds <= 0:
        return
    if current_app.config.get("REDIS_URL"):
        try:
            redis_client().set(PREFIX + key, json.dumps(value), ex=seconds)
        except RedisError:
            log.warning("shipping cache: Redis unreachable, the answer is not kept")
        return
    store = _local()
    now = clock.now().timestamp()
    if len(store) >= LOCAL_LIMIT:
        for stale in [k for k, (expires, _) in store.items() if expires <= now]:
            del store[stale]
        if len(store) >= LOCAL_LIMIT:
            store.clear()
    store[key] = (now + seconds, value)
