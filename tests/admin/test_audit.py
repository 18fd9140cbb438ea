"""The audit log viewer: filters by user, cooperative, kind of action and date; paginated."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

from marketplace.audit import AuditLog
from marketplace.extensions import db
from tests.factories import CooperativeFactory, UserFactory


def entry(
    action: str, actor: Any = None, cooperative: Any = None, at: datetime | None = None, **data: Any
) -> AuditLog:
    log = AuditLog(
        action=action,
        actor_id=actor.id if actor else None,
        cooperative_id=cooperative.id if cooperative else None,
        created_at=at or datetime(2026, 11, 20, 3, tzinfo=UTC),
        data=data,
    )
    db.session.add(log)
    db.session.flush()
    return log


def actions_shown(client: FlaskClient, query: str) -> list[str]:
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r"<code>([\w.]+)</code>", response.get_data(as_text=True))


def test_the_log_is_filtered_by_user_cooperative_action_and_date(
    admin_client: FlaskClient,
) -> None:
    siti = UserFactory(email="siti@contoh.test")
    budi = UserFactory(email="budi@contoh.test")
    alpha = CooperativeFactory(name="Koperasi Alpha")
    beta = CooperativeFactory(name="Koperasi Beta")
    entry("cooperative.approve", siti, alpha, reason="lengkap")
    entry("cooperative.suspend", budi, beta, at=datetime(2026, 11, 25, 3, tzinfo=UTC))
    entry("product.hidden_by_city", siti, beta, at=datetime(2026, 10, 1, 3, tzinfo=UTC))
    # 17:30 UTC on 30 November is already 1 December in Mojokerto.
    entry("account.disabled", budi, at=datetime(2026, 11, 30, 17, 30, tzinfo=UTC))

    assert sorted(actions_shown(admin_client, "user=SITI@")) == [
        "cooperative.approve",
        "product.hidden_by_city",
    ]
    assert sorted(actions_shown(admin_client, f"cooperative={beta.id}")) == [
        "cooperative.suspend",
        "product.hidden_by_city",
    ]
    assert sorted(actions_shown(admin_client, "action=cooperative.*")) == [
        "cooperative.approve",
        "cooperative.suspend",
    ]
    assert actions_shown(admin_client, "action=account.disabled") == ["account.disabled"]
    assert actions_shown(admin_client, "date_from=2026-11-21&date_to=2026-11-30") == [
        "cooperative.suspend"
    ]
    assert actions_shown(admin_client, "date_from=2026-12-01") == ["account.disabled"]
    combined = f"user=budi&cooperative={beta.id}&action=cooperative.*&date_to=2026-11-30"
    assert actions_shown(admin_client, combined) == ["cooperative.suspend"]
    page = admin_client.get("/admin/audit?user=siti").get_data(as_text=True)
    assert "reason: lengkap" in page and "Koperasi Alpha" in page


def test_the_log_is_paginated_newest_first(admin_client: FlaskClient) -> None:
    for n in range(55):
        entry(f"setting.changed{n:02d}")
    first = actions_shown(admin_client, "action=")
    assert len(first) == 50
    assert first[0] == "setting.changed54"
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert 'rel="next"' in html
    second = actions_shown(admin_client, "page=2")
    assert second == [f"setting.changed{n:02d}" for n in range(4, -1, -1)]


def test_bad_filters_are_refused_in_the_users_language(admin_client: FlaskClient) -> None:
    response = admin_client.get("/admin/audit?date_from=kemarin")
    assert response.status_code == 400
    assert "Tanggal tidak valid." in response.get_data(as_text=True)
    reversed_dates = admin_client.get("/admin/audit?date_from=2026-12-02&date_to=2026-12-01")
    assert reversed_dates.status_code == 400
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in reversed_dates.get_data(
        as_text=True
    )
    unknown = admin_client.get("/admin/audit?action=tidak.ada")
    assert unknown.status_code == 400
