"""The application's clock: everything that asks "what time is it?" asks here.

Production reads the system clock. Tests freeze it and move it forward (payment windows, pickup
windows, automatic completion) without sleeping; see the ``clock`` fixture in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: Kota Mojokerto's zone (WIB), when no app names one (BABEL_DEFAULT_TIMEZONE).
MOJOKERTO = "Asia/Jakarta"

_frozen_at: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC (the frozen time when a test froze the clock)."""
    return _frozen_at if _frozen_at is not None else datetime.now(UTC)


def zone() -> ZoneInfo:
    """Kota Mojokerto's time zone: the app's BABEL_DEFAULT_TIMEZONE (WIB outside an app)."""
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else MOJOKERTO
    return ZoneInfo(name)


def local_day(moment: datetime) -> date:
    """The date in Kota Mojokerto at ``moment``. A naive ``moment`` is taken as UTC, which is
    how every timestamp is stored (SQLite returns them without their offset)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone()).date()


def day_start(day: date) -> datetime:
    """The UTC instant a calendar day in Kota Mojokerto begins at (how timestamps are stored,
    so a day's rows are ``day_start(day) <= t < day_start(day + 1 day)``)."""
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(UTC)


def today() -> date:
    """Today's date in Kota Mojokerto by this clock: not the server's date, which in UTC is
    still yesterday until 07:00 WIB."""
    return local_day(now())


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (a timezone-aware datetime)."""
    global _frozen_at
    if at.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    _frozen_at = at.astimezone(UTC)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward and return the new time."""
    if _frozen_at is None:
        raise RuntimeError("advance() needs a frozen clock; call freeze() first")
    freeze(_frozen_at + delta)
    return now()


def unfreeze() -> None:
    """Back to the system clock."""
    global _frozen_at
    _frozen_at = None


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze the clock at ``at`` for a ``with`` block, then put it back as it was."""
    global _frozen_at
    previous = _frozen_at
    freeze(at)
    try:
        yield
    finally:
        _frozen_at = previous
