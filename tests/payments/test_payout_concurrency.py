"""Payouts racing on PostgreSQL, each a real request with its own connection, on a database
whose writes really commit: two city administrators paying the same cooperative at once never
pay out more than its available balance, and two failure callbacks for one payout at once
return its amount exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import settlement
from marketplace.payments.models import CooperativePayout, EntryKind, PayoutStatus, SettlementEntry
from tests.conftest import login
from tests.factories import UserFactory
from tests.payments.test_payouts import bca_cooperative, sold
from tests.payments.xendit_fixtures import switch_on
from tests.xendit_fake import FakeXendit

pytestmark = pytest.mark.postgres


@pytest.fixture
def payout_app(committed_app: Flask, xendit_server: FakeXendit) -> Iterator[Flask]:
    xendit_server.reset()
    switch_on(committed_app, xendit_server)
    yield committed_app
    xendit_server.reset()


def at_once(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], tuple[int, str]]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def cooperative_with(app: Flask, amount: int, *admins: str) -> int:
    with app.test_request_context():
        for email in admins:
            UserFactory(is_city_admin=True, email=email)
        cooperative = bca_cooperative()
        sold(cooperative, amount)
        db.session.commit()
        return cooperative.id


def admin_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_two_payouts_started_at_once_never_exceed_the_balance(
    payout_app: Flask, xendit_server: FakeXendit
) -> None:
    cooperative_id = cooperative_with(payout_app, 50_000, "satu@kota.test", "dua@kota.test")
    clients = [admin_client(payout_app, e) for e in ("satu@kota.test", "dua@kota.test")]
    url = f"/admin/payments/payouts/cooperatives/{cooperative_id}/xendit"

    def pay(client: FlaskClient) -> Callable[[], tuple[int, str]]:
        def call() -> tuple[int, str]:
            response = client.post(url, data={"amount": "30000"})
            return response.status_code, response.get_data(as_text=True)

        return call

    results = at_once([pay(client) for client in clients])

    assert sorted(status for status, _ in results) == [302, 400]
    refused = next(body for status, body in results if status == 400)
    assert "melebihi saldo tersedia" in refused
    with payout_app.app_context():
        assert settlement.balance(cooperative_id) == 20_000
        [payout] = db.session.scalars(select(CooperativePayout)).all()
        assert payout.status == PayoutStatus.REQUESTED and payout.gateway_id
    assert len(xendit_server.payouts) == 1


def test_two_failure_callbacks_at_once_return_the_amount_once(
    payout_app: Flask, xendit_server: FakeXendit
) -> None:
    cooperative_id = cooperative_with(payout_app, 50_000, "satu@kota.test")
    client = admin_client(payout_app, "satu@kota.test")
    url = f"/admin/payments/payouts/cooperatives/{cooperative_id}/xendit"
    assert client.post(url, data={"amount": "30000"}).status_code == 302
    [gateway_id] = xendit_server.payouts
    first = xendit_server.payout_settled(gateway_id, "FAILED")
    second = xendit_server.callback("payout.failed", dict(xendit_server.payouts[gateway_id]))

    def deliver(callback: object) -> Callable[[], tuple[int, str]]:
        def call() -> tuple[int, str]:
            response = payout_app.test_client().post(
                "/payments/xendit/callback",
                data=callback.payload,  # type: ignore[attr-defined]
                headers=callback.headers,  # type: ignore[attr-defined]
            )
            return response.status_code, response.get_json()["outcome"]

        return call

    results = at_once([deliver(first), deliver(second)])

    assert sorted(results) == [(200, "payout_failed"), (200, "payout_unchanged")]
    with payout_app.app_context():
        returned = db.session.scalars(
            select(SettlementEntry).where(SettlementEntry.kind == EntryKind.RETURNED)
        ).all()
        assert [entry.amount for entry in returned] == [30_000]
        assert settlement.balance(cooperative_id) == 50_000
