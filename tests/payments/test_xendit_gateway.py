"""The Xendit gateway (marketplace/payments/xendit_gateway.py) against the fake Xendit server:
what it sends, what it reads back, and how each failure reaches the app."""

from __future__ import annotations

import base64
import hmac
import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from marketplace.payments import xendit_gateway as xg
from marketplace.payments import xendit_records as xr
from marketplace.payments.exceptions import InvalidWebhook, ProviderError
from marketplace.payments.gateway_exceptions import (
    GatewayAuthenticationFailed,
    GatewayNotConfigured,
    GatewayRefused,
    GatewayTimeout,
    GatewayUnavailable,
    InvalidCallback,
    UnexpectedGatewayAnswer,
)
from marketplace.payments.qr import qr_svg
from tests.payments.xendit_fixtures import CallbackReceiver
from tests.ports import free_port
from tests.xendit_fake import Callback, FakeXendit

#: Whole seconds: Xendit keeps times to the millisecond.
DEADLINE = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def qris(
    amount: int = 150_000, key: str = "idem-qris", reference: str = "OPOP-1"
) -> xr.GatewayPayment:
    return xg.create_payment(
        amount=amount,
        method=xr.Method.QRIS,
        channel="QRIS",
        reference=reference,
        idempotency_key=key,
        expires_at=DEADLINE,
        description="Pesanan OPOP-1",
    )


def shopeepay(amount: int = 150_000, key: str = "idem-ewallet") -> xr.GatewayPayment:
    return xg.create_payment(
        amount=amount,
        method=xr.Method.EWALLET,
        channel="SHOPEEPAY",
        reference="OPOP-3",
        idempotency_key=key,
        expires_at=DEADLINE,
        success_url="https://pasar-opop.example/bayar/OPOP-3/selesai",
        failure_url="https://pasar-opop.example/bayar/OPOP-3/gagal",
    )


def virtual_account(bank: str = "BNI", key: str = "idem-va") -> xr.GatewayPayment:
    return xg.create_payment(
        amount=275_500,
        method=xr.Method.VIRTUAL_ACCOUNT,
        channel=bank,
        reference="OPOP-2",
        idempotency_key=key,
        expires_at=DEADLINE,
        customer_name="Siti Aminah",
    )


def paid(fake: FakeXendit, payment: xr.GatewayPayment) -> None:
    fake.payment_succeeded(payment.id)


def delivered(callback: Callback) -> xr.GatewayCallback:
    """The callback as the app's endpoint will read it: token checked, body parsed."""
    return xr.read_callback(callback.payload, callback.headers)


# --- What is offered ---------------------------------------------------------------------------


def test_only_channels_the_library_supports_are_offered_and_gopay_is_not_among_them() -> None:
    assert xg.CHANNELS == {
        xr.Method.QRIS: ("QRIS",),
        xr.Method.VIRTUAL_ACCOUNT: ("BCA", "BNI", "BRI", "MANDIRI", "PERMATA", "BSI"),
        # xendit-python 7.0.0 has no GOPAY e-wallet: GoPay's app pays the QRIS code.
        xr.Method.EWALLET: ("OVO", "DANA", "SHOPEEPAY", "LINKAJA"),
    }
    assert "GOPAY" in xg.WANTED_CHANNELS[xr.Method.EWALLET]


def test_the_gateway_is_on_only_with_both_the_key_and_the_callback_token(
    gateway_app: Flask,
) -> None:
    assert not xg.xendit_enabled(gateway_app)  # the testing configuration has neither
    saved = dict(gateway_app.config)
    try:
        gateway_app.config["XENDIT_SECRET_KEY"] = "xnd_development_abc"
        assert not xg.xendit_enabled(gateway_app)
        gateway_app.config["XENDIT_CALLBACK_TOKEN"] = "token"
        assert xg.xendit_enabled(gateway_app)
        gateway_app.config["XENDIT_SECRET_KEY"] = None
        assert not xg.xendit_enabled(gateway_app)
    finally:
        gateway_app.config.update(saved)


def test_without_a_key_a_call_says_the_gateway_is_not_configured(xendit: FakeXendit) -> None:
    from flask import current_app

    current_app.config["XENDIT_SECRET_KEY"] = None
    with pytest.raises(GatewayNotConfigured) as refused:
        qris()
    assert refused.value.status_code == 404
    assert xendit.requests == []


# --- Payment requests ----------------------------------------------------------------------------


def test_a_qris_payment_request_carries_the_qr_string_and_the_deadline(xendit: FakeXendit) -> None:
    payment = qris()

    [call] = xendit.calls("POST", "/payment_requests")
    assert call.idempotency_key == "idem-qris"
    secret = base64.b64encode(f"{xendit.secret_key}:".encode()).decode()
    assert call.headers["authorization"] == f"Basic {secret}"
    assert call.body["amount"] == 150_000
    assert call.body["currency"] == "IDR"
    assert call.body["reference_id"] == "OPOP-1"
    assert call.body["description"] == "Pesanan OPOP-1"
    assert call.body["payment_method"] == {
        "type": "QR_CODE",
        "reusability": "ONE_TIME_USE",
        "reference_id": "OPOP-1",
        "qr_code": {
            "channel_code": "QRIS",
            "channel_properties": {"expires_at": "2030-01-02T03:04:05+00:00"},
        },
    }

    stored = xendit.payment_requests[payment.id]
    assert payment.id.startswith("pr-")
    assert payment.reference == "OPOP-1"
    assert payment.status is xr.Status.PENDING
    assert (payment.method, payment.channel) == (xr.Method.QRIS, "QRIS")
    assert payment.amount == 150_000 and type(payment.amount) is int
    assert payment.currency == "IDR"
    assert (
        payment.qr_string == stored["payment_method"]["qr_code"]["channel_properties"]["qr_string"]
    )
    assert payment.qr_string is not None and payment.qr_string.startswith("000201")
    assert payment.expires_at == DEADLINE
    assert payment.payment_method_id == stored["payment_method"]["id"]
    assert payment.va_number is None and payment.ewallet_url is None
    assert payment.fee is None


def test_a_virtual_account_payment_request_carries_the_bank_and_the_number(
    xendit: FakeXendit,
) -> None:
    payment = virtual_account("MANDIRI")

    [call] = xendit.calls("POST", "/payment_requests")
    va = call.body["payment_method"]["virtual_account"]
    assert va["channel_code"] == "MANDIRI"
    assert va["channel_properties"]["customer_name"] == "Siti Aminah"
    assert payment.va_bank == "MANDIRI"
    assert payment.va_number is not None and payment.va_number.startswith("88908")
    assert payment.amount == 275_500
    assert payment.expires_at == DEADLINE
    assert payment.qr_string is None


def test_a_virtual_account_needs_the_customers_name(xendit: FakeXendit) -> None:
    with pytest.raises(ValueError, match="customer's name"):
        xg.create_payment(
            amount=10_000,
            method=xr.Method.VIRTUAL_ACCOUNT,
            channel="BCA",
            reference="OPOP-2",
            idempotency_key="k",
            expires_at=DEADLINE,
        )
    assert xendit.requests == []


def test_an_ewallet_payment_request_carries_the_app_link_and_the_web_checkout(
    xendit: FakeXendit,
) -> None:
    payment = shopeepay()

    [call] = xendit.calls("POST", "/payment_requests")
    assert call.body["payment_method"]["ewallet"] == {
        "channel_code": "SHOPEEPAY",
        "channel_properties": {
            "success_return_url": "https://pasar-opop.example/bayar/OPOP-3/selesai",
            "failure_return_url": "https://pasar-opop.example/bayar/OPOP-3/gagal",
        },
    }
    assert payment.gateway_status == "REQUIRES_ACTION"
    assert payment.status is xr.Status.PENDING
    assert payment.ewallet_url == f"{xendit.url}/ewallet/{payment.id}/app"
    assert payment.ewallet_desktop_url == f"{xendit.url}/ewallet/{payment.id}"


def test_ovo_asks_in_its_app_given_the_phone_number(xendit: FakeXendit) -> None:
    common: dict[str, Any] = {
        "amount": 50_000,
        "method": xr.Method.EWALLET,
        "channel": "OVO",
        "reference": "OPOP-4",
        "expires_at": DEADLINE,
    }
    with pytest.raises(ValueError, match="mobile number"):
        xg.create_payment(idempotency_key="k1", **common)
    payment = xg.create_payment(idempotency_key="k2", mobile_number="+6281234567890", **common)

    [call] = xendit.calls("POST", "/payment_requests")
    assert call.body["payment_method"]["ewallet"]["channel_properties"] == {
        "mobile_number": "+6281234567890"
    }
    assert payment.channel == "OVO"
    assert payment.ewallet_url is None


@pytest.mark.parametrize(
    ("method", "channel"),
    [
        (xr.Method.EWALLET, "GOPAY"),
        (xr.Method.QRIS, "DANA"),
        (xr.Method.VIRTUAL_ACCOUNT, "CIMB"),
        (xr.Method.EWALLET, "GCASH"),
    ],
)
def test_a_channel_not_offered_is_refused_before_anything_is_sent(
    xendit: FakeXendit, method: xr.Method, channel: str
) -> None:
    with pytest.raises(ValueError, match="has no channel"):
        xg.create_payment(
            amount=10_000,
            method=method,
            channel=channel,
            reference="OPOP-9",
            idempotency_key="k",
            expires_at=DEADLINE,
            customer_name="Siti",
            mobile_number="+628123",
            success_url="https://x.example/s",
            failure_url="https://x.example/f",
        )
    assert xendit.requests == []


def test_the_same_idempotency_key_gives_back_the_same_payment_request(xendit: FakeXendit) -> None:
    first = qris(key="checkout-77")
    again = qris(key="checkout-77")

    assert again.id == first.id
    assert again.qr_string == first.qr_string
    assert len(xendit.calls("POST", "/payment_requests")) == 2
    assert len(xendit.payment_requests) == 1
    assert qris(key="checkout-78").id != first.id


def test_the_same_idempotency_key_for_another_amount_is_refused(xendit: FakeXendit) -> None:
    qris(amount=150_000, key="checkout-77")
    with pytest.raises(GatewayRefused) as refused:
        qris(amount=150_001, key="checkout-77")
    assert (refused.value.status, refused.value.code) == (409, "IDEMPOTENCY_ERROR")
    assert refused.value.retryable is False
    assert len(xendit.payment_requests) == 1


def test_a_payment_request_is_read_back_as_xendit_has_it_now(xendit: FakeXendit) -> None:
    payment = qris()
    assert xg.get_payment(payment.id).status is xr.Status.PENDING

    paid(xendit, payment)
    now = xg.get_payment(payment.id)
    assert now.status is xr.Status.SUCCEEDED
    assert now.gateway_status == "SUCCEEDED"
    assert (now.id, now.amount, now.reference) == (payment.id, 150_000, "OPOP-1")
    assert xendit.calls("GET", f"/payment_requests/{payment.id}")


def test_an_unknown_payment_request_is_refused_with_xendits_code(xendit: FakeXendit) -> None:
    with pytest.raises(GatewayRefused) as refused:
        xg.get_payment("pr-does-not-exist")
    assert (refused.value.status, refused.value.code) == (404, "DATA_NOT_FOUND")


def test_a_simulated_payment_is_paid_and_its_callback_sent(
    xendit: FakeXendit, callback_receiver: CallbackReceiver
) -> None:
    xendit.callback_url = callback_receiver.url
    payment = virtual_account()

    xg.simulate_payment(payment.id)
    xendit.settle()

    assert xg.get_payment(payment.id).status is xr.Status.SUCCEEDED
    [received] = callback_receiver.received
    callback = xr.read_callback(received.body, received.headers)
    assert callback.event == "payment.succeeded"
    assert callback.payment_request_id == payment.id
    assert callback.webhook_id == received.headers["webhook-id"]


# --- Failures ----------------------------------------------------------------------------------


def test_a_wrong_key_is_an_authentication_failure_not_the_shoppers(xendit: FakeXendit) -> None:
    from flask import current_app

    current_app.config["XENDIT_SECRET_KEY"] = "xnd_development_someone_elses"
    with pytest.raises(GatewayAuthenticationFailed) as refused:
        qris()
    assert (refused.value.status, refused.value.code) == (401, "INVALID_API_KEY")
    assert refused.value.retryable is False
    assert xendit.payment_requests == {}


def test_xendits_own_error_is_retryable_and_the_retry_creates_the_payment_once(
    xendit: FakeXendit,
) -> None:
    xendit.fail_next(503, "SERVER_ERROR", "Service unavailable")
    with pytest.raises(GatewayUnavailable) as failed:
        qris(key="checkout-5")
    assert failed.value.retryable is True
    assert (failed.value.status, failed.value.code) == (503, "SERVER_ERROR")
    assert isinstance(failed.value, ProviderError)  # handled like the card provider's
    assert failed.value.status_code == 502
    assert xendit.payment_requests == {}

    first = qris(key="checkout-5")
    assert qris(key="checkout-5").id == first.id
    assert len(xendit.payment_requests) == 1


def test_an_error_page_that_is_not_json_is_a_retryable_failure(xendit: FakeXendit) -> None:
    xendit.fail_next(502, raw=b"<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(GatewayUnavailable) as failed:
        qris()
    assert failed.value.retryable is True


@pytest.mark.parametrize("status", [400, 409])
def test_a_refused_request_is_not_retried(xendit: FakeXendit, status: int) -> None:
    xendit.fail_next(status, "API_VALIDATION_ERROR", "amount is invalid")
    with pytest.raises(GatewayRefused) as refused:
        qris()
    assert refused.value.retryable is False
    assert refused.value.code == "API_VALIDATION_ERROR"
    assert "amount is invalid" in refused.value.detail


def test_a_rate_limit_is_retryable(xendit: FakeXendit) -> None:
    xendit.fail_next(429, "RATE_LIMIT_EXCEEDED", "Too many requests")
    with pytest.raises(GatewayUnavailable) as failed:
        qris()
    assert failed.value.retryable is True


def test_no_answer_within_the_timeout_is_a_timeout(xendit: FakeXendit) -> None:
    from flask import current_app

    current_app.config["XENDIT_TIMEOUT_SECONDS"] = 0.3
    xendit.hang(1)
    started = time.monotonic()
    with pytest.raises(GatewayTimeout) as failed:
        qris(key="slow")
    assert time.monotonic() - started < 0.9  # one attempt, not the library's retries
    assert failed.value.retryable is True
    xendit.hang(0)
    xendit.settle()
    # Xendit carried it out after all: the retry with the same key finds it.
    assert qris(key="slow").id == next(iter(xendit.payment_requests))
    assert len(xendit.payment_requests) == 1


def test_no_server_at_the_address_is_unavailable_not_a_timeout(xendit: FakeXendit) -> None:
    from flask import current_app

    current_app.config["XENDIT_API_BASE"] = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GatewayUnavailable) as failed:
        qris()
    assert not isinstance(failed.value, GatewayTimeout)
    assert failed.value.status is None


# --- Amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, 1.5, 150_000.0, True, Decimal("150000"), 2**53])
def test_only_whole_positive_rupiah_go_out(xendit: FakeXendit, amount: Any) -> None:
    with pytest.raises(ValueError, match="whole, positive rupiah"):
        qris(amount=amount)
    assert xendit.requests == []


def test_large_amounts_cross_exactly(xendit: FakeXendit) -> None:
    payment = qris(amount=9_007_199_254_740_991)  # 2**53 - 1
    assert payment.amount == 9_007_199_254_740_991
    assert xendit.payment_requests[payment.id]["amount"] == 9_007_199_254_740_991


@pytest.mark.parametrize("reported", [Decimal("150000.5"), "150000", None, -5, True])
def test_an_amount_that_is_not_whole_rupiah_is_never_rounded_but_refused(
    xendit: FakeXendit, reported: Any
) -> None:
    payment = qris()
    xendit.tamper("payment_requests", payment.id, amount=reported)
    with pytest.raises(UnexpectedGatewayAnswer):
        xg.get_payment(payment.id)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(150_000, 150_000), (Decimal("150000.00"), 150_000), (150_000.0, 150_000), (0, 0)],
)
def test_whole_amounts_in_any_json_spelling_read_exactly(value: Any, expected: int) -> None:
    assert xr.rupiah(value) == expected
    assert type(xr.rupiah(value)) is int


# --- Callbacks ----------------------------------------------------------------------------------


def test_the_callback_token_is_accepted_and_compared_in_constant_time(
    xendit: FakeXendit, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    payment = qris()

    callback = delivered(xendit.payment_succeeded(payment.id))

    assert callback.kind is xr.CallbackKind.PAYMENT
    assert compared == [(xendit.callback_token.encode(), xendit.callback_token.encode())]


@pytest.mark.parametrize("token", ["wrong-token", "", "fake-xendit-callback-token-op", "ťoken"])
def test_a_callback_with_a_wrong_or_empty_token_is_refused(xendit: FakeXendit, token: str) -> None:
    payment = qris()
    with pytest.raises(InvalidCallback) as refused:
        delivered(xendit.callback("payment.succeeded", {"id": "py-1"}, token=token))
    assert isinstance(refused.value, InvalidWebhook)
    assert xendit.payment_requests[payment.id]["status"] == "PENDING"


def test_a_callback_without_the_token_header_is_refused(xendit: FakeXendit) -> None:
    callback = xendit.callback("payment.succeeded", {"id": "py-1"})
    headers = {k: v for k, v in callback.headers.items() if k != "x-callback-token"}
    with pytest.raises(InvalidCallback):
        xr.read_callback(callback.payload, headers)


def test_without_a_callback_token_configured_every_callback_is_refused(xendit: FakeXendit) -> None:
    from flask import current_app

    current_app.config["XENDIT_CALLBACK_TOKEN"] = None
    with pytest.raises(InvalidCallback):
        delivered(xendit.callback("payment.succeeded", {"id": "py-1"}, token=""))
    with pytest.raises(InvalidCallback):
        xr.verify_callback_token(None)


def test_a_payment_succeeded_callback_is_read_into_our_values(
    xendit: FakeXendit, callback_receiver: CallbackReceiver
) -> None:
    payment = shopeepay()
    xendit.deliver(xendit.payment_succeeded(payment.id), callback_receiver.url)

    [received] = callback_receiver.received
    assert received.headers["x-callback-token"] == xendit.callback_token
    assert received.headers["content-type"] == "application/json"
    callback = xr.read_callback(received.body, received.headers)
    assert callback.kind is xr.CallbackKind.PAYMENT
    assert callback.event == "payment.succeeded"
    assert callback.status is xr.Status.SUCCEEDED
    assert callback.webhook_id == received.headers["webhook-id"]
    assert callback.dedup_key == f"webhook:{received.headers['webhook-id']}"
    assert callback.payment_request_id == payment.id
    assert callback.payment_id is not None and callback.payment_id.startswith("py-")
    assert callback.object_id == callback.payment_id
    assert callback.reference == "OPOP-3"
    assert (callback.amount, callback.currency) == (150_000, "IDR")
    assert callback.created is not None and callback.created.tzinfo is not None


def test_a_duplicate_delivery_has_the_same_dedup_key(
    xendit: FakeXendit, callback_receiver: CallbackReceiver
) -> None:
    payment = qris()
    results = xendit.deliver(xendit.payment_succeeded(payment.id), callback_receiver.url, times=2)

    assert results == [(200, "ok"), (200, "ok")]
    first, second = (xr.read_callback(r.body, r.headers) for r in callback_receiver.received)
    assert first.dedup_key == second.dedup_key


def test_without_a_webhook_id_a_callback_is_unique_by_its_payment_and_status(
    xendit: FakeXendit,
) -> None:
    payment = qris()
    succeeded = xendit.payment_succeeded(payment.id)

    once = xr.parse_callback(succeeded.payload)
    again = xr.parse_callback(xendit.payment_succeeded(payment.id).payload)

    assert once.webhook_id is None
    assert once.dedup_key == again.dedup_key == f"payment.succeeded:{once.payment_id}:SUCCEEDED"


def test_callbacks_delivered_out_of_order_each_tell_their_own_news(
    xendit: FakeXendit, callback_receiver: CallbackReceiver
) -> None:
    payment = qris()
    succeeded = xendit.payment_succeeded(payment.id)
    expired = xendit.payment_expired(payment.id)  # too late: the request stays paid
    for callback in (expired, succeeded):
        xendit.deliver(callback, callback_receiver.url)

    late, paid_one = (xr.read_callback(r.body, r.headers) for r in callback_receiver.received)
    assert (late.status, paid_one.status) == (xr.Status.EXPIRED, xr.Status.SUCCEEDED)
    assert paid_one.created is not None and late.created is not None
    # What decides is the payment request read back, not the order of arrival.
    assert xg.get_payment(payment.id).status is xr.Status.SUCCEEDED


def test_a_failed_payment_callback_carries_the_failure_code(xendit: FakeXendit) -> None:
    payment = shopeepay()
    callback = delivered(xendit.payment_failed(payment.id, "INSUFFICIENT_BALANCE"))

    assert callback.status is xr.Status.FAILED
    assert callback.failure_code == "INSUFFICIENT_BALANCE"
    assert callback.payment_request_id == payment.id
    assert xg.get_payment(payment.id).status is xr.Status.FAILED


def test_an_expired_qr_code_names_its_payment_method(xendit: FakeXendit) -> None:
    payment = qris()
    callback = delivered(xendit.payment_expired(payment.id))

    assert callback.event == "payment_method.expired"
    assert callback.kind is xr.CallbackKind.PAYMENT
    assert callback.status is xr.Status.EXPIRED
    assert callback.payment_method_id == payment.payment_method_id
    assert callback.payment_request_id is None
    assert callback.reference == "OPOP-1"
    assert xg.get_payment(payment.id).status is xr.Status.EXPIRED


def test_a_payment_request_expiry_callback_names_the_request(xendit: FakeXendit) -> None:
    data = {"payment_request_id": "pr-1", "reference_id": "OPOP-1", "request_amount": 10_000}
    callback = delivered(xendit.callback("payment_request.expiry", data))
    assert (callback.status, callback.payment_request_id) == (xr.Status.EXPIRED, "pr-1")
    assert callback.amount == 10_000


def test_a_callback_with_an_amount_that_is_not_whole_rupiah_is_refused(
    xendit: FakeXendit,
) -> None:
    payment = qris()
    callback = xendit.payment_succeeded(payment.id, amount=Decimal("150000.01"))  # type: ignore[arg-type]
    with pytest.raises(InvalidCallback) as refused:
        delivered(callback)
    assert "not whole rupiah" in refused.value.detail


def test_a_callback_reports_the_amount_and_currency_it_was_sent_with(xendit: FakeXendit) -> None:
    payment = qris()
    callback = delivered(xendit.payment_succeeded(payment.id, amount=1_000, currency="USD"))
    assert (callback.amount, callback.currency) == (1_000, "USD")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"data": {}}', b"\xff\xfe"])
def test_a_body_that_is_not_a_xendit_callback_is_refused(xendit: FakeXendit, body: bytes) -> None:
    with pytest.raises(InvalidCallback):
        xr.read_callback(body, {"x-callback-token": xendit.callback_token})


def test_an_event_we_do_not_handle_is_read_as_other(xendit: FakeXendit) -> None:
    callback = delivered(xendit.callback("payment_token.activation", {"id": "pt-1"}))
    assert (callback.kind, callback.status) == (xr.CallbackKind.OTHER, xr.Status.UNKNOWN)


# --- Refunds ------------------------------------------------------------------------------------


def test_a_refund_of_part_of_an_ewallet_payment(xendit: FakeXendit) -> None:
    xendit.refund_fee = 2_500
    payment = shopeepay()
    paid(xendit, payment)

    refund = xg.create_refund(
        payment_request_id=payment.id,
        amount=40_000,
        reason=xr.RefundReason.CANCELLATION,
        idempotency_key="refund-1",
        reference="OPOP-3-R1",
    )

    [call] = xendit.calls("POST", "/refunds")
    assert call.idempotency_key == "refund-1"
    assert call.body["payment_request_id"] == payment.id
    assert (call.body["amount"], call.body["currency"]) == (40_000, "IDR")
    assert call.body["reason"] == "CANCELLATION"
    assert refund.id.startswith("rfd-")
    assert (refund.status, refund.amount, refund.fee) == (xr.Status.PENDING, 40_000, 2_500)
    assert refund.reference == "OPOP-3-R1"

    callback = delivered(xendit.refund_settled(refund.id))
    assert (callback.kind, callback.status) == (xr.CallbackKind.REFUND, xr.Status.SUCCEEDED)
    assert (callback.object_id, callback.amount) == (refund.id, 40_000)
    assert xg.get_refund(refund.id).status is xr.Status.SUCCEEDED


def test_a_retried_refund_is_made_once(xendit: FakeXendit) -> None:
    payment = shopeepay()
    paid(xendit, payment)
    first = xg.create_refund(
        payment_request_id=payment.id,
        amount=150_000,
        reason=xr.RefundReason.REQUESTED_BY_CUSTOMER,
        idempotency_key="refund-1",
    )
    again = xg.create_refund(
        payment_request_id=payment.id,
        amount=150_000,
        reason=xr.RefundReason.REQUESTED_BY_CUSTOMER,
        idempotency_key="refund-1",
    )
    assert again.id == first.id
    assert len(xendit.refunds) == 1


def test_more_than_was_paid_is_never_refunded(xendit: FakeXendit) -> None:
    payment = shopeepay()
    paid(xendit, payment)
    xg.create_refund(
        payment_request_id=payment.id,
        amount=100_000,
        reason=xr.RefundReason.CANCELLATION,
        idempotency_key="r1",
    )
    with pytest.raises(GatewayRefused) as refused:
        xg.create_refund(
            payment_request_id=payment.id,
            amount=50_001,
            reason=xr.RefundReason.CANCELLATION,
            idempotency_key="r2",
        )
    assert refused.value.code == "MAXIMUM_REFUND_AMOUNT_REACHED"


def test_a_virtual_account_payment_cannot_be_refunded_through_xendit(xendit: FakeXendit) -> None:
    payment = virtual_account()
    paid(xendit, payment)
    with pytest.raises(GatewayRefused) as refused:
        xg.create_refund(
            payment_request_id=payment.id,
            amount=1_000,
            reason=xr.RefundReason.CANCELLATION,
            idempotency_key="r1",
        )
    assert (refused.value.status, refused.value.code) == (400, "REFUND_NOT_SUPPORTED")
    assert xendit.refunds == {}


# --- Payouts ------------------------------------------------------------------------------------


def payout(amount: int = 1_250_000, key: str = "payout-koperasi-7-1") -> xr.GatewayPayout:
    return xg.create_payout(
        reference="PAYOUT-7-1",
        amount=amount,
        channel_code="ID_BRI",
        account_number="002301000123456",
        account_holder_name="Koperasi Sumber Rejeki",
        idempotency_key=key,
        description="Pasar OPOP Desember",
        email_to=("bendahara@koperasi.test",),
    )


def test_a_payout_to_a_cooperatives_bank_account(xendit: FakeXendit) -> None:
    sent = payout()

    [call] = xendit.calls("POST", "/v2/payouts")
    assert call.headers["idempotency-key"] == "payout-koperasi-7-1"
    assert call.body == {
        "reference_id": "PAYOUT-7-1",
        "channel_code": "ID_BRI",
        "channel_properties": {
            "account_number": "002301000123456",
            "account_holder_name": "Koperasi Sumber Rejeki",
        },
        "amount": 1_250_000,
        "currency": "IDR",
        "description": "Pasar OPOP Desember",
        "receipt_notification": {"email_to": ["bendahara@koperasi.test"]},
        "metadata": {},
    }
    assert sent.id.startswith("disb-")
    assert (sent.status, sent.gateway_status) == (xr.Status.PENDING, "ACCEPTED")
    assert (sent.amount, sent.currency, sent.channel_code) == (1_250_000, "IDR", "ID_BRI")
    assert sent.account_number == "002301000123456"
    assert sent.estimated_arrival is not None

    callback = delivered(xendit.payout_settled(sent.id))
    assert (callback.kind, callback.event) == (xr.CallbackKind.PAYOUT, "payout.succeeded")
    assert (callback.status, callback.object_id) == (xr.Status.SUCCEEDED, sent.id)
    assert (callback.reference, callback.amount) == ("PAYOUT-7-1", 1_250_000)
    assert xg.get_payout(sent.id).status is xr.Status.SUCCEEDED


def test_a_retried_payout_sends_the_money_once(xendit: FakeXendit) -> None:
    first = payout()
    assert payout().id == first.id
    assert len(xendit.payouts) == 1


def test_the_same_payout_key_for_another_amount_is_refused(xendit: FakeXendit) -> None:
    payout(amount=1_000_000)
    with pytest.raises(GatewayRefused) as refused:
        payout(amount=2_000_000)
    assert (refused.value.status, refused.value.code) == (409, "DUPLICATE_ERROR")
    assert len(xendit.payouts) == 1


def test_a_failed_payout_comes_back_in_its_callback(xendit: FakeXendit) -> None:
    sent = payout()
    callback = delivered(xendit.payout_settled(sent.id, "FAILED"))
    assert (callback.status, callback.failure_code) == (xr.Status.FAILED, "INVALID_DESTINATION")
    assert xg.get_payout(sent.id).status is xr.Status.FAILED


def test_a_payout_above_the_balance_is_refused(xendit: FakeXendit) -> None:
    xendit.balance = 1_000_000
    with pytest.raises(GatewayRefused) as refused:
        payout(amount=1_000_001)
    assert refused.value.code == "INSUFFICIENT_BALANCE"
    assert xendit.payouts == {}


def test_the_fake_requires_a_payout_idempotency_key(xendit: FakeXendit) -> None:
    """The library always sends one; the fake holds a raw request to Xendit's rule."""
    import urllib.error
    import urllib.request

    secret = base64.b64encode(f"{xendit.secret_key}:".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the fake's local address
        f"{xendit.url}/v2/payouts",
        data=json.dumps({"amount": 1}).encode(),
        headers={"Authorization": f"Basic {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error_code"] == "API_VALIDATION_ERROR"


def test_a_payout_goes_only_to_an_indonesian_channel(xendit: FakeXendit) -> None:
    with pytest.raises(ValueError, match="Indonesian"):
        xg.create_payout(
            reference="P",
            amount=10_000,
            channel_code="PH_BDO",
            account_number="1",
            account_holder_name="X",
            idempotency_key="k",
        )
    assert xendit.requests == []


# --- The QR code image ----------------------------------------------------------------------------


def test_the_qris_code_is_drawn_as_inline_svg_from_its_string(xendit: FakeXendit) -> None:
    payment = qris()
    assert payment.qr_string is not None

    svg = qr_svg(payment.qr_string)

    assert svg.startswith('<svg role="img" viewBox=')
    assert "<title>QRIS</title>" in svg
    assert "<path" in svg and svg.endswith("</svg>")
    assert "<script" not in svg and "http" not in svg
    assert payment.qr_string not in svg  # drawn, not written out
    assert qr_svg(payment.qr_string) == svg
    assert qr_svg(qris(amount=150_001, key="other").qr_string or "") != svg
    assert str(svg.__html__()) == str(svg)  # Markup: Jinja inserts it as it is


def test_the_qr_codes_name_is_escaped() -> None:
    svg = qr_svg("00020101", label='QRIS <b>"&')
    assert "<title>QRIS &lt;b&gt;" in svg
    with pytest.raises(ValueError):
        qr_svg("")


def test_only_the_gateway_module_imports_the_xendit_library() -> None:
    import ast
    from pathlib import Path

    package = Path(xg.__file__).resolve().parents[1]
    importers = set()
    for path in package.rglob("*.py"):
        text = path.read_text()
        if "xendit" not in text:
            continue
        for node in ast.walk(ast.parse(text, str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == "xendit" or name.startswith("xendit.") for name in names):
                importers.add(path.relative_to(package.parent).as_posix())
    assert importers == {"marketplace/payments/xendit_gateway.py"}
