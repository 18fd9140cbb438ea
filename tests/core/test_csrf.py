"""CSRF protection rejects forged POSTs: on every route that changes something, enumerated from
the URL map (only the Stripe webhook, authenticated by its signature, takes no token).

That no GET changes anything is walked in test_authorization_matrix.py, for every GET route as
every role.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from marketplace.accounts.models import User
from marketplace.extensions import csrf, db
from tests.core.test_authorization_matrix import (
    configure,
    entries,
    expected,
    form_data,
    request_as,
    urls,
)
from tests.core.world import (
    ROLES,
    World,
    WriteLog,
    build_world,
    changed_tables,
    client_as,
    fingerprint,
)
from tests.factories import registration


def test_a_forged_post_without_a_token_is_rejected(client: FlaskClient, csrf_enabled: None) -> None:
    response = client.post(
        "/account/register",
        data=registration(
            full_name="Penyusup", email="penyusup@example.test", password="rahasia-sekali"
        ),
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_post_with_the_pages_token_is_accepted(client: FlaskClient, csrf_enabled: None) -> None:
    page = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/account/register",
        data={
            "csrf_token": token.group(1),
            "full_name": "Tamu Baik",
            "email": "baik@example.test",
            "password": "rahasia-sekali",
            "confirm": "rahasia-sekali",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302


def test_the_language_switch_needs_a_token_too(client: FlaskClient, csrf_enabled: None) -> None:
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 400


# ------------------------------------------------------------------------------------------
# Every state-changing route, enumerated from the URL map
# ------------------------------------------------------------------------------------------

#: Endpoints that take no CSRF token, and what authenticates them instead.
SIGNATURE_AUTHENTICATED = {
    "payments.stripe_webhook": "Stripe's signature (tests/payments/test_card.py)",
    "payments.xendit_callback": "Xendit's callback token (tests/payments/test_online_qris.py)",
}
CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def changing_rules(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
        for method in sorted((rule.methods or set()) & CHANGING_METHODS)
    ]


def test_only_the_documented_endpoints_are_exempt_from_csrf(app: Flask) -> None:
    exempt = {
        f"{view.__module__}.{view.__name__}"
        for endpoint in SIGNATURE_AUTHENTICATED
        for view in [app.view_functions[endpoint]]
    }
    assert csrf._exempt_views == exempt, "document the exemption in SIGNATURE_AUTHENTICATED"
    assert not csrf._exempt_blueprints


def test_every_state_changing_route_refuses_a_request_without_a_valid_token(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each POST route is sent, without a token and with another visitor's, by a role the
    authorization matrix lets use it (its owner where it names one), with valid answers to its
    form: 400 both times, and nothing changes."""
    configure(app, monkeypatch)
    matrix = entries()
    by_role: dict[str, list[tuple[Rule, str]]] = {}
    for rule, method in changing_rules(app):
        if rule.endpoint in SIGNATURE_AUTHENTICATED:
            continue
        role = next(r for r in ROLES if expected(matrix[rule.endpoint], r) == "allowed")
        by_role.setdefault(role, []).append((rule, method))
    assert sum(len(rules) for rules in by_role.values()) >= 100

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = app.test_client().get("/account/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None
    data = form_data(world)
    failures = []
    log = WriteLog()
    for role, rules in by_role.items():
        client = client_as(app, world, role)  # signed in before CSRF is on
        before = fingerprint()
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        with log.attached():
            for rule, method in rules:
                for url in urls(rule, world):
                    for token in (None, found.group(1)):
                        sent = dict(data) if token is None else {**data, "csrf_token": token}
                        response = request_as(client, method, url, sent, undo=False)
                        writes = log.take()
                        if response.status_code != 400 or writes:
                            failures.append(
                                f"{role}: {method} {url} ({rule.endpoint}) with token {token!r}: "
                                f"{response.status_code}, wrote {writes[:2]}"
                            )
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
        after = fingerprint()
        if before != after:
            failures.append(f"{role}: a refused request changed {changed_tables(before, after)}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)
