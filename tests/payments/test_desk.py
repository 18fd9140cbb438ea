"""Who may use the payment screens, the city's desk, and the settings the app refuses."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.errors import ConfigurationError
from tests.conftest import login, make_test_app
from tests.factories import CooperativeMemberFactory, UserFactory
from tests.queries import counted

DESK = [
    "/admin/payments/",
    "/admin/payments/payouts/new",
    "/admin/payments/orders?number=OPOP-2026-000001",
]
VENDOR = ["/vendor/transfers/", "/vendor/statement", "/vendor/statement.csv"]


def test_the_desk_is_for_city_administrators_only(app: Flask) -> None:
    UserFactory(email="p@example.test")
    UserFactory(email="a@example.test", is_city_admin=True)
    CooperativeMemberFactory(user=UserFactory(email="m@example.test"))
    expectations = {
        None: {**dict.fromkeys(DESK, 302), **dict.fromkeys(VENDOR, 302)},
        "p@example.test": {**dict.fromkeys(DESK, 403), **dict.fromkeys(VENDOR, 403)},
        "m@example.test": {**dict.fromkeys(DESK, 403), **dict.fromkeys(VENDOR, 200)},
        "a@example.test": {
            "/admin/payments/": 200,
            "/admin/payments/payouts/new": 200,
            "/admin/payments/orders?number=OPOP-2026-000001": 302,
            **dict.fromkeys(VENDOR, 403),
        },
    }
    for email, routes in expectations.items():
        client = app.test_client()
        if email:
            login(client, email)
        for path, status in routes.items():
            assert client.get(path).status_code == status, (email, path)


def test_an_unknown_order_on_the_desk_is_not_found(app: Flask) -> None:
    UserFactory(email="a@example.test", is_city_admin=True)
    client = app.test_client()
    login(client, "a@example.test")
    assert client.get("/admin/payments/orders/OPOP-2026-999999").status_code == 404
    assert client.get("/admin/payments/transfers/999999").status_code == 404
    assert client.get("/admin/payments/refunds/999999").status_code == 404
    assert client.get("/admin/payments/flags/999999").status_code == 404


def test_forms_on_the_desk_need_the_csrf_token(app: Flask, csrf_enabled: None) -> None:
    UserFactory(email="a@example.test", is_city_admin=True)
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # signed in first: the desk's form is what is tested
    login(client, "a@example.test")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/admin/payments/payouts/new",
        data={"cooperative_id": "1", "amount": "1", "paid_on": "2026-12-01", "bank_reference": "x"},
    )
    assert response.status_code == 400


def test_the_csp_lets_the_pay_form_reach_stripe_only_when_stripe_is_configured(
    tmp_path: object,
) -> None:
    plain = make_test_app("sqlite://", str(tmp_path))
    header = plain.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self';" in header
    with_stripe = make_test_app(
        "sqlite://",
        str(tmp_path),
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    header = with_stripe.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com;" in header


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PAYMENT_TRANSFER_ACCOUNT": "bank"}, "PAYMENT_TRANSFER_ACCOUNT"),
        ({"PAYMENT_TRANSFER_ACCOUNT": "platform"}, "PLATFORM_BANK_NAME"),
        ({"PLATFORM_COMMISSION_PERCENT": "sepuluh"}, "PLATFORM_COMMISSION_PERCENT"),
        ({"PAYOUT_APPROVAL_THRESHOLD": -1}, "PAYOUT_APPROVAL_THRESHOLD=-1"),
        ({"PAYOUT_APPROVAL_THRESHOLD": "10jt"}, "PAYOUT_APPROVAL_THRESHOLD='10jt'"),
        ({"PAYOUT_APPROVAL_THRESHOLD": True}, "PAYOUT_APPROVAL_THRESHOLD=True"),
        ({"PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE": -2}, "PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE=-2"),
        ({"PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE": None}, "PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"),
    ],
)
def test_payment_settings_that_cannot_work_stop_the_app(
    tmp_path: object, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_test_app("sqlite://", str(tmp_path), **overrides)


def test_production_needs_both_stripe_keys_or_neither() -> None:
    from tests.production import production_app

    with pytest.raises(ConfigurationError, match="STRIPE_WEBHOOK_SECRET"):
        production_app(STRIPE_SECRET_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET=None)


def _refunds_to_return(app: Flask, count: int) -> None:
    """Paid transfer orders whose part the city cancelled: refunds to return by transfer."""
    from marketplace.extensions import db
    from marketplace.orders.moves import cancel_by_admin
    from marketplace.payments.transfers import confirm_transfer, submit_transfer_proof
    from tests.payments.paying import image_bytes
    from tests.shopping import place

    cashier = UserFactory(is_city_admin=True)
    with app.test_request_context():
        for _ in range(count):
            shopper = UserFactory()
            order = place(shopper)
            part = order.vendor_orders[0]
            proof = submit_transfer_proof(shopper, order.number or "", part.id, image_bytes())
            confirm_transfer(proof, cashier)
            cancel_by_admin(cashier, part.id, "uji")
        db.session.commit()


def test_the_desk_reads_its_lists_in_the_same_number_of_queries_however_long(
    app: Flask,
) -> None:

    UserFactory(email="a@example.test", is_city_admin=True)
    client = app.test_client()
    login(client, "a@example.test")

    def queries() -> int:
        with counted(app) as statements:
            page = client.get("/admin/payments/")
        assert page.status_code == 200
        return len(statements)

    _refunds_to_return(app, 1)
    one = queries()
    _refunds_to_return(app, 4)
    assert (
        client.get("/admin/payments/").get_data(as_text=True).count("/admin/payments/refunds/") >= 5
    )
    assert queries() == one
