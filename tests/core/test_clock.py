"""The controllable clock: frozen in tests, and the source of every stored timestamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from flask import Flask

from marketplace import clock as app_clock
from marketplace.database import utcnow
from tests.factories import UserFactory


def test_a_frozen_clock_stands_still_and_moves_when_told(clock: ModuleType) -> None:
    start = clock.now()
    assert start == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert utcnow() == start
    assert clock.advance(timedelta(hours=2)) == start + timedelta(hours=2)


def test_timestamps_follow_the_frozen_clock(app: Flask, clock: ModuleType) -> None:
    user = UserFactory()
    assert user.created_at.replace(tzinfo=UTC) == clock.now()


def test_the_clock_needs_an_aware_time_and_a_freeze_to_advance() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        app_clock.freeze(datetime(2026, 1, 1))
    with pytest.raises(RuntimeError):
        app_clock.advance(timedelta(minutes=1))
    with app_clock.frozen(datetime(2030, 1, 1, tzinfo=UTC)):
        assert app_clock.now().year == 2030
    assert app_clock.now().year != 2030


def test_a_frozen_block_puts_a_frozen_clock_back(clock: ModuleType) -> None:
    start = clock.now()
    with clock.frozen(start - timedelta(days=3)):
        assert clock.now() == start - timedelta(days=3)
    assert clock.now() == start


def test_today_is_mojokertos_date_not_the_servers(clock: ModuleType, app_ctx: Flask) -> None:
    """At 23:30 UTC it is already 06:30 the next morning in Mojokerto (WIB, UTC+7)."""
    from datetime import date

    clock.freeze(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 12, 7)
    clock.freeze(datetime(2026, 12, 6, 16, 59, tzinfo=UTC))
    assert clock.today() == date(2026, 12, 6)


def test_local_day_is_the_date_in_mojokerto_of_any_moment(app_ctx: Flask) -> None:
    """Naive moments are UTC, as SQLite returns the stored timestamps."""
    from datetime import date

    assert app_clock.local_day(datetime(2026, 12, 6, 17, 0, tzinfo=UTC)) == date(2026, 12, 7)
    assert app_clock.local_day(datetime(2026, 12, 6, 16, 59)) == date(2026, 12, 6)
    assert app_clock.zone().key == app_ctx.config["BABEL_DEFAULT_TIMEZONE"]


def test_a_mojokerto_day_starts_at_17_utc_the_day_before(app_ctx: Flask) -> None:
    from datetime import date

    assert app_clock.day_start(date(2026, 12, 7)) == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    assert app_clock.local_day(app_clock.day_start(date(2026, 12, 7))) == date(2026, 12, 7)
