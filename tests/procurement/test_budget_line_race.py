"""Two PPK approvals at once on one budget line (issue 23): the Surat Pesanan's check runs under
the line's row lock, so they cannot both take the last of it; the second is refused with the
figures and nothing of it is kept. Run on a database whose writes really commit (PostgreSQL in
CI, where the lock matters; SQLite lets one writer in at a time)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.procurement.models import PurchaseOrder
from tests.conftest import login
from tests.procurement import workflow as wf
from tests.procurement.test_budget_lines import line_for

PPK = "ppk@agency.test"


def _post_at_once(posts: list[tuple[FlaskClient, str, dict[str, str]]]) -> list[Any]:
    barrier = threading.Barrier(len(posts))
    results: list[Any] = []
    errors: list[BaseException] = []

    def post(client: FlaskClient, url: str, data: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(client.post(url, data=data))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=post, args=args) for args in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_approvals_at_once_cannot_both_take_the_last_of_a_line(
    committed_app: Flask,
) -> None:
    app = committed_app
    with app.test_request_context():
        c = wf.cast()
        line = line_for(c, amount=3_000_000)
        # Each Surat Pesanan is 1.800.000; the line holds one of them, not both.
        quotations = [
            wf.forwarded(c, ceiling=2_000_000, budget_line_id=line.id, title=f"Paket {n}").id
            for n in (1, 2)
        ]
        line_id = line.id
        db.session.commit()
    clients = []
    for _ in quotations:
        client = app.test_client()
        assert login(client, PPK).status_code == 302
        clients.append(client)

    responses = _post_at_once(
        [
            (client, f"/procurement/quotations/{quotation}/approve", {"splitting_reason": "Beda"})
            for client, quotation in zip(clients, quotations, strict=True)
        ]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409], statuses
    refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "Rp1.800.000" in refused and "Rp1.200.000 dari pagu Rp3.000.000" in refused
    with app.app_context():
        issued = db.session.scalar(
            select(func.count())
            .select_from(PurchaseOrder)
            .where(PurchaseOrder.budget_line_id == line_id)
        )
        assert issued == 1
