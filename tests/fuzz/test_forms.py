"""Every form, fuzzed: each POST route in the URL map is found as a form on a page its role
reaches (the demo world plus orders in every state), and posted with random strings, Unicode
(NUL, right-to-left marks), huge and negative numbers and empty or missing values in any of its
fields, hidden ones included. The answer is never a 500; a refusal (4xx, or the form again with
its errors) carries a message and leaves the database exactly as it was; and whatever happens,
the stock ledger and the orders stay whole.

A POST route that no page of the world shows must be listed in NOT_REACHED with the reason, so a
new route is either fuzzed or explained. (The catalogue's search parameters and the open-data API
have their own fuzz tests in tests/catalogue.)
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.datastructures import MultiDict

from marketplace import create_app
from marketplace.extensions import db, limiter
from tests.conftest import _TestSession, make_test_app, migrate_to_head
from tests.databases import fresh_database
from tests.fuzz.forms import Form
from tests.fuzz.world import World, explore, seed
from tests.ports import free_port

#: POST routes no page of the fuzzing world shows a form for, and why.
NOT_REACHED: dict[str, str] = {
    "payments.stripe_webhook": "not a form: Stripe's signed JSON (tests/payments/test_card.py)",
    "accounts.reset_password": "reached from the emailed link only",
    "accounts.verify_email": "reached from the emailed link only (its page's button posts it)",
    "invitations.join": "reached from the emailed invitation only",
    "agency_invitations.join": "reached from the emailed invitation only",
    "orders.place": "its form is the answer to posting the checkout, not a page",
    "payments.xendit_callback": "not a form: Xendit's JSON and token "
    "(tests/payments/test_online_qris.py)",
    "payments.pay_through_gateway": "the button shows only with Xendit configured, which the "
    "world is not (tests/payments/test_payouts.py posts it)",
    "payments.approve_payout": "payouts through Xendit are offered only with Xendit configured, "
    "which the world is not (tests/payments/test_payouts.py posts every payout form)",
    "payments.cancel_payout": "the same: a payout awaiting approval needs Xendit configured",
    "payments.retry_payout": "the same: a payout sent without an answer needs Xendit configured",
    "payments.payout_schedule_setting": "the schedule's switch shows only with Xendit configured "
    "(tests/payments/test_payouts.py turns it on and off)",
    "payments.online_choose": "online payment is offered only with Xendit configured, which the "
    "world is not (tests/payments/test_online_va_ewallet.py posts it)",
    "payments.online_simulate": "the simulation exists only in development, never in tests' "
    "configuration (tests/payments/test_online_qris.py checks both)",
}

#: A refusal shows one of these: a field's error, an alert, or an error page.
MESSAGE = re.compile(r'class="field__error"|class="alert alert--error"|class="error-page"')

junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u202eRTL\u202c",
            "\u200f\u200e",
            "\ufeff",
            "<script>alert(1)</script>",
            "' OR '1'='1",
            "%s%n",
            "١٢٣",  # Arabic-Indic digits
            "１２",  # full-width digits
            "1e309",
            "NaN",
            "-0",
            "0x10",
            "2026-02-30",
            "9" * 40,
            "x" * 5000,
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
)
OMIT = object()


def _field_values(form: Form) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """For each field: what the page offers, a junk value, or nothing at all."""
    choices = []
    for f in form.fields:
        if f.kind == "file":
            upload = st.tuples(st.binary(max_size=300), st.sampled_from(["a.png", "x.pdf", ""]))
            choices.append(st.one_of(st.just(OMIT), upload))
            continue
        offered = [o for o in f.options if o] or [f.value]
        valid = st.sampled_from(offered) if f.sent else st.just(OMIT)
        choices.append(st.one_of(valid, valid, junk, st.just(OMIT)))
    return st.tuples(*choices).map(
        lambda values: [(f.name, v) for f, v in zip(form.fields, values, strict=True)]
    )


@contextmanager
def rolled_back(app: Flask) -> Iterator[Connection]:
    """Everything done inside (requests included) is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = _TestSession(  # type: ignore[assignment]
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    try:
        yield connection
    finally:
        scoped_session.remove(db.session)
        db.session = original  # type: ignore[assignment]
        outer.rollback()
        connection.close()


def fingerprint(connection: Connection) -> dict[str, str]:
    """A digest of every table's rows."""
    digests = {}
    for table in db.metadata.sorted_tables:
        rows = connection.execute(table.select()).all()
        digests[table.name] = hashlib.sha1(  # noqa: S324 - a fingerprint, not security
            repr(sorted(map(repr, rows))).encode()
        ).hexdigest()
    return digests


def assert_whole(connection: Connection) -> None:
    """The invariants no request may break, however it ends."""
    ledger = connection.execute(
        text(
            "SELECT v.id FROM product_variants v LEFT JOIN stock_movements m "
            "ON m.variant_id = v.id GROUP BY v.id, v.on_hand "
            "HAVING COALESCE(SUM(m.quantity), 0) <> v.on_hand"
        )
    ).all()
    assert ledger == [], "stock ledger no longer sums to on hand"
    assert (
        connection.execute(
            text("SELECT id FROM product_variants WHERE reserved < 0 OR reserved > on_hand")
        ).all()
        == []
    ), "reserved outside 0..on hand"
    assert (
        connection.execute(
            text(
                "SELECT id FROM orders o WHERE NOT EXISTS "
                "(SELECT 1 FROM vendor_orders v WHERE v.order_id = o.id)"
            )
        ).all()
        == []
    ), "an order without parts"
    assert (
        connection.execute(
            text(
                "SELECT id FROM vendor_orders v WHERE NOT EXISTS "
                "(SELECT 1 FROM order_lines l WHERE l.vendor_order_id = v.id)"
            )
        ).all()
        == []
    ), "an order part without lines"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with fresh_database(str(tmp)) as url:
        app = make_test_app(
            url,
            str(tmp / "uploads"),
            WTF_CSRF_ENABLED=False,
            # Card payments on, against a port nobody answers: posting the card form meets
            # Stripe being down.
            STRIPE_SECRET_KEY="sk_test_fuzz",
            STRIPE_WEBHOOK_SECRET="whsec_fuzz",
            STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}",
            STRIPE_MAX_NETWORK_RETRIES=0,
        )
        migrate_to_head(app)
        seed(app)
        yield explore(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _post_routes() -> list[str]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
        - set(NOT_REACHED)
    )


POST_ROUTES = _post_routes()


def test_routes_not_reached_are_exactly_those_listed(world: World) -> None:
    routes = {r.endpoint for r in world.app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert set(NOT_REACHED) <= routes, "NOT_REACHED names a route that no longer exists"
    reached = set(NOT_REACHED) & set(world.forms)
    assert not reached, f"now reached, remove from NOT_REACHED: {sorted(reached)}"


@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_every_form_survives_any_input(world: World, endpoint: str) -> None:
    form = world.forms.get(endpoint)
    assert form is not None, (
        f"No page of the world shows a form posting to {endpoint}: give the world what it "
        "needs (tests/fuzz/world.py) or list it in NOT_REACHED with the reason."
    )
    app = world.app

    @settings(max_examples=max(3, settings.default.max_examples // 5))
    @given(values=_field_values(form))
    def post_anything(values: list[tuple[str, Any]]) -> None:
        data: MultiDict[str, Any] = MultiDict()
        for name, value in values:
            if value is OMIT:
                continue
            if isinstance(value, tuple):
                value = (io.BytesIO(value[0]), value[1])
            data.add(name, value)
        with rolled_back(app) as connection:
            with app.app_context():
                limiter.reset()
            client = app.test_client()
            for key, value in world.cookies[form.role].items():
                client.set_cookie(key, value)
            before = fingerprint(connection)
            response = client.post(
                form.action,
                data=data,
                content_type="multipart/form-data" if form.multipart else None,
            )
            status = response.status_code
            assert status < 500, f"{status} from {form.action} with {values!r}"
            body = response.get_data(as_text=True)
            refused = status >= 400 or (status == 200 and MESSAGE.search(body) is not None)
            if status >= 400:
                assert MESSAGE.search(body) or response.is_json, (
                    f"{status} without a message from {form.action} with {values!r}"
                )
            if refused:
                assert fingerprint(connection) == before, (
                    f"refused ({status}) but the database changed: {form.action} {values!r}"
                )
            assert_whole(connection)

    post_anything()
