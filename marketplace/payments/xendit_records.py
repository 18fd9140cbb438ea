"""The project's own records of what Xendit answers: no call to Xendit, no ``xendit`` import.

What the gateway (`payments.xendit_gateway`, the one module that talks to Xendit) hands back,
and what a callback says: the methods, states and refund reasons as enums; a payment request,
refund, payout and callback as frozen dataclasses; amounts read as exact whole rupiah (ints),
times as aware UTC datetimes; Xendit's states mapped to ours; `payment_from`, `refund_from` and
`payout_from` (an answer, or a stored copy of one, as a record); and the callbacks: the token
checked in constant time against ``XENDIT_CALLBACK_TOKEN``, the body read into a
`GatewayCallback`. Anything unreadable is `UnexpectedGatewayAnswer` (or `InvalidCallback`), never
a rounded amount.
"""

from __future__ import annotations

import enum
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from marketplace.payments.gateway_exceptions import InvalidCallback, UnexpectedGatewayAnswer

#: The header that carries the callback token, and the one that names a delivery (Xendit sends
#: the same ``webhook-id`` again when it retries a callback).
TOKEN_HEADER = "x-callback-token"  # noqa: S105 - a header name, not a secret
WEBHOOK_ID_HEADER = "webhook-id"


class Method(enum.StrEnum):
    """How the shopper pays, as Xendit's ``payment_method.type`` names it."""

    QRIS = "QR_CODE"
    VIRTUAL_ACCOUNT = "VIRTUAL_ACCOUNT"
    EWALLET = "EWALLET"


class Status(enum.StrEnum):
    """A payment's, refund's or payout's state, in our words (Xendit's own is kept beside it)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REVERSED = "reversed"  # a payout the bank sent back
    UNKNOWN = "unknown"


class CallbackKind(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    PAYOUT = "payout"
    OTHER = "other"


class RefundReason(enum.StrEnum):
    """The reasons Xendit's Refund API accepts."""

    FRAUDULENT = "FRAUDULENT"
    DUPLICATE = "DUPLICATE"
    REQUESTED_BY_CUSTOMER = "REQUESTED_BY_CUSTOMER"
    CANCELLATION = "CANCELLATION"
    OTHERS = "OTHERS"


@dataclass(frozen=True)
class GatewayPayment:
    """A payment request: one amount, one method, paid once."""

    id: str  # pr-...
    reference: str  # our reference_id
    status: Status
    gateway_status: str  # PENDING, REQUIRES_ACTION, SUCCEEDED, FAILED, EXPIRED, ...
    amount: int  # whole rupiah
    currency: str
    method: Method | None
    channel: str | None  # QRIS, BCA, ..., OVO, ...
    payment_method_id: str | None  # pm-... (an expiry callback names this one)
    qr_string: str | None = None
    va_number: str | None = None
    va_bank: str | None = None
    ewallet_url: str | None = None  # the app's deep link or mobile page, for a phone
    ewallet_desktop_url: str | None = None  # the e-wallet's web checkout, for a computer
    expires_at: datetime | None = None  # aware, UTC
    fee: int | None = None  # not in a payment request: Xendit reports fees per transaction
    failure_code: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    payment_request_id: str | None
    reference: str | None
    status: Status
    gateway_status: str
    amount: int
    currency: str | None
    fee: int | None
    failure_code: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class GatewayPayout:
    id: str
    reference: str
    status: Status
    gateway_status: str  # ACCEPTED, REQUESTED, SUCCEEDED, FAILED, CANCELLED, REVERSED
    amount: int
    currency: str
    channel_code: str | None  # ID_BCA, ID_MANDIRI, ...
    account_number: str | None
    account_holder_name: str | None
    failure_code: str | None = None
    estimated_arrival: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class GatewayTransaction:
    """One movement of money in Xendit's ledger (its Transaction API): a payment received, a
    payout or refund sent, with the fee Xendit charged for it."""

    id: str  # txn_...
    type: str  # PAYMENT, DISBURSEMENT, REFUND, ...
    status: str  # SUCCESS, PENDING, FAILED, VOIDED, REVERSED
    product_id: str | None  # the payment, payout or refund it belongs to
    reference: str | None  # our reference_id
    channel_code: str | None
    amount: int  # whole rupiah, gross
    currency: str
    fee: int  # Xendit's fee with its VAT, whole rupiah (0 when not charged yet)
    created: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"


@dataclass(frozen=True)
class GatewayCallback:
    """A callback, read but not trusted: read the payment (or payout) back before acting."""

    kind: CallbackKind
    event: str  # payment.succeeded, payment_method.expired, refund.failed, payout.succeeded ...
    webhook_id: str | None  # the ``webhook-id`` header, when Xendit sends it
    object_id: str | None  # the payment (py-...), payment method, refund or payout it is about
    status: Status
    gateway_status: str
    payment_request_id: str | None = None
    payment_id: str | None = None
    payment_method_id: str | None = None
    reference: str | None = None
    amount: int | None = None
    currency: str | None = None
    failure_code: str | None = None
    created: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dedup_key(self) -> str:
        """What makes this callback unique: Xendit's webhook id where sent, else the object
        and its status (a repeated delivery of the same news has the same key)."""
        if self.webhook_id:
            return f"webhook:{self.webhook_id}"
        return f"{self.event}:{self.object_id}:{self.gateway_status}"


# --- Values read from Xendit -----------------------------------------------------------------


def rupiah(value: object, what: str = "amount") -> int:
    """An amount from Xendit as whole rupiah; `UnexpectedGatewayAnswer` for anything else (a
    fraction, a string, a negative number): the amount is never rounded."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise UnexpectedGatewayAnswer(detail=f"{what} is not a number: {value!r}")
    exact = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    if not exact.is_finite() or exact != exact.to_integral_value() or exact < 0:
        raise UnexpectedGatewayAnswer(detail=f"{what} is not whole rupiah: {value!r}")
    return int(exact)


def _optional_rupiah(value: object, what: str) -> int | None:
    return None if value is None else rupiah(value, what)


def _timestamp(value: object) -> datetime | None:
    """An ISO 8601 time from Xendit as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise UnexpectedGatewayAnswer(detail=f"not a time: {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # Xendit's times are UTC
    return moment.astimezone(UTC)


def _text(data: Mapping[str, Any], name: str, what: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise UnexpectedGatewayAnswer(detail=f"{what} without {name}")
    return value


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_PAYMENT_STATUSES = {
    "PENDING": Status.PENDING,
    "REQUIRES_ACTION": Status.PENDING,
    "AWAITING_CAPTURE": Status.PENDING,
    "ACTIVE": Status.PENDING,  # a payment method still waiting to be paid
    "SUCCEEDED": Status.SUCCEEDED,
    "FAILED": Status.FAILED,
    "EXPIRED": Status.EXPIRED,
    "CANCELED": Status.CANCELED,
    "CANCELLED": Status.CANCELED,
    "VOIDED": Status.CANCELED,
    "INACTIVE": Status.CANCELED,
}
_PAYOUT_STATUSES = {
    "ACCEPTED": Status.PENDING,
    "REQUESTED": Status.PENDING,
    "PENDING": Status.PENDING,
    "SUCCEEDED": Status.SUCCEEDED,
    "FAILED": Status.FAILED,
    "CANCELLED": Status.CANCELED,
    "REVERSED": Status.REVERSED,
}


def _status(value: object, table: Mapping[str, Status] = _PAYMENT_STATUSES) -> Status:
    return table.get(str(value), Status.UNKNOWN)


# --- Answers as records ----------------------------------------------------------------------


_METHOD_FIELDS = {
    Method.QRIS: "qr_code",
    Method.VIRTUAL_ACCOUNT: "virtual_account",
    Method.EWALLET: "ewallet",
}


def payment_from(data: Mapping[str, Any]) -> GatewayPayment:
    """A payment request from Xendit's JSON (an answer, or a stored copy of one)."""
    payment_method = _object(data.get("payment_method"))
    try:
        method: Method | None = Method(str(payment_method.get("type")))
    except ValueError:
        method = None
    details = _object(payment_method.get(_METHOD_FIELDS[method])) if method else {}
    properties = _object(details.get("channel_properties"))
    channel = _optional_text(details.get("channel_code"))
    urls = {
        str(action.get("url_type")): _optional_text(action.get("url"))
        for action in data.get("actions") or []
        if isinstance(action, dict)
    }
    qr_string = None
    if method is Method.QRIS:
        qr_string = _optional_text(properties.get("qr_string")) or next(
            (
                action["qr_code"]
                for action in data.get("actions") or []
                if isinstance(action, dict) and _optional_text(action.get("qr_code"))
            ),
            None,
        )
    is_va = method is Method.VIRTUAL_ACCOUNT
    return GatewayPayment(
        id=_text(data, "id", "a payment request"),
        reference=_text(data, "reference_id", "a payment request"),
        status=_status(data.get("status")),
        gateway_status=str(data.get("status")),
        amount=rupiah(data.get("amount"), "the payment request's amount"),
        currency=_text(data, "currency", "a payment request"),
        method=method,
        channel=channel,
        payment_method_id=_optional_text(payment_method.get("id")),
        qr_string=qr_string,
        va_number=_optional_text(properties.get("virtual_account_number")) if is_va else None,
        va_bank=channel if is_va else None,
        ewallet_url=urls.get("DEEPLINK") or urls.get("MOBILE"),
        ewallet_desktop_url=urls.get("WEB"),
        expires_at=_timestamp(properties.get("expires_at")),
        failure_code=_optional_text(data.get("failure_code")),
        raw=dict(data),
    )


def transaction_from(data: Mapping[str, Any]) -> GatewayTransaction:
    """A transaction from Xendit's JSON; its fee is Xendit's fee plus the VAT on it (the
    withholding taxes are not money Xendit keeps)."""
    fee = _object(data.get("fee"))
    return GatewayTransaction(
        id=_text(data, "id", "a transaction"),
        type=str(data.get("type") or ""),
        status=str(data.get("status") or ""),
        product_id=_optional_text(data.get("product_id")),
        reference=_optional_text(data.get("reference_id")),
        channel_code=_optional_text(data.get("channel_code")),
        amount=rupiah(data.get("amount"), "the transaction's amount"),
        currency=_text(data, "currency", "a transaction"),
        fee=(_optional_rupiah(fee.get("xendit_fee"), "the transaction's fee") or 0)
        + (_optional_rupiah(fee.get("value_added_tax"), "the VAT on the fee") or 0),
        created=_timestamp(data.get("created")),
        raw=dict(data),
    )


def refund_from(data: Mapping[str, Any]) -> GatewayRefund:
    status = str(data.get("status") or "")
    return GatewayRefund(
        id=_text(data, "id", "a refund"),
        payment_request_id=_optional_text(data.get("payment_request_id")),
        reference=_optional_text(data.get("reference_id")),
        status=_status(status),
        gateway_status=status,
        amount=rupiah(data.get("amount"), "the refund's amount"),
        currency=_optional_text(data.get("currency")),
        fee=_optional_rupiah(data.get("refund_fee_amount"), "the refund's fee"),
        failure_code=_optional_text(data.get("failure_code")),
        raw=dict(data),
    )


def payout_from(data: Mapping[str, Any]) -> GatewayPayout:
    status = str(data.get("status") or "")
    account = _object(data.get("channel_properties"))
    return GatewayPayout(
        id=_text(data, "id", "a payout"),
        reference=_text(data, "reference_id", "a payout"),
        status=_status(status, _PAYOUT_STATUSES),
        gateway_status=status,
        amount=rupiah(data.get("amount"), "the payout's amount"),
        currency=_text(data, "currency", "a payout"),
        channel_code=_optional_text(data.get("channel_code")),
        account_number=_optional_text(account.get("account_number")),
        account_holder_name=_optional_text(account.get("account_holder_name")),
        failure_code=_optional_text(data.get("failure_code")),
        estimated_arrival=_timestamp(data.get("estimated_arrival_time")),
        raw=dict(data),
    )


# --- Callbacks ------------------------------------------------------------------------------


def verify_callback_token(token: str | None) -> None:
    """`InvalidCallback` unless ``token`` (the ``x-callback-token`` header) is our callback
    token; compared in constant time, so the answer's timing tells nothing about it."""
    expected = current_app.config.get("XENDIT_CALLBACK_TOKEN")
    if not expected:
        raise InvalidCallback(detail="XENDIT_CALLBACK_TOKEN is not set")
    if not token or not hmac.compare_digest(token.encode(), str(expected).encode()):
        raise InvalidCallback(detail=f"missing or wrong {TOKEN_HEADER} header")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def read_callback(body: bytes, headers: Mapping[str, str]) -> GatewayCallback:
    """A callback as Xendit delivered it: the token checked, then the body read."""
    verify_callback_token(_header(headers, TOKEN_HEADER))
    return parse_callback(body, webhook_id=_header(headers, WEBHOOK_ID_HEADER))


_PAYMENT_EVENTS = {"payment.succeeded", "payment.failed", "payment.pending"}
#: Payments API v3's names, for a dashboard subscribed to them.
_PAYMENT_V3_EVENTS = {"payment.capture": "SUCCEEDED", "payment.failure": "FAILED"}
_EXPIRY_EVENTS = {"payment_method.expired", "payment_request.expiry"}


def parse_callback(body: bytes, *, webhook_id: str | None = None) -> GatewayCallback:
    """A callback's body (``{"event", "business_id", "created", "data"}``) as our values.

    Payments: ``payment.succeeded``, ``payment.failed``, ``payment.pending`` (Payment Request
    API), ``payment_method.expired`` (its QR code or virtual account lapsed unpaid); refunds:
    ``refund.succeeded``, ``refund.failed``; payouts: ``payout.succeeded``, ``payout.failed``,
    ``payout.reversed`` and the rest of ``payout.*``. Any other event is `CallbackKind.OTHER`,
    to be acknowledged and ignored.
    """
    try:
        event = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCallback(detail="the body is not JSON") from error
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise InvalidCallback(detail="the body is not a Xendit callback")
    name: str = event["event"]
    data = _object(event.get("data"))
    common: dict[str, Any] = {
        "event": name,
        "webhook_id": webhook_id or None,
        "object_id": _optional_text(data.get("id")),
        "reference": _optional_text(data.get("reference_id")),
        "currency": _optional_text(data.get("currency")),
        "failure_code": _optional_text(data.get("failure_code")),
        "created": _timestamp(event.get("created")),
        "raw": event,
    }
    try:
        return _callback(name, data, common)
    except UnexpectedGatewayAnswer as error:
        raise InvalidCallback(detail=error.detail) from error


def _callback(name: str, data: dict[str, Any], common: dict[str, Any]) -> GatewayCallback:
    status = str(data.get("status") or "")
    if name in _PAYMENT_EVENTS or name in _PAYMENT_V3_EVENTS:
        status = status or _PAYMENT_V3_EVENTS.get(name, "")
        payment_id = _optional_text(data.get("id")) or _optional_text(data.get("payment_id"))
        amount = data.get("amount", data.get("request_amount"))
        return GatewayCallback(
            kind=CallbackKind.PAYMENT,
            status=_status(status),
            gateway_status=status,
            payment_request_id=_optional_text(data.get("payment_request_id")),
            payment_id=payment_id,
            payment_method_id=_optional_text(_object(data.get("payment_method")).get("id")),
            amount=_optional_rupiah(amount, "the payment's amount"),
            **{**common, "object_id": payment_id},
        )
    if name in _EXPIRY_EVENTS:
        is_method = name.startswith("payment_method.")
        return GatewayCallback(
            kind=CallbackKind.PAYMENT,
            status=Status.EXPIRED,
            gateway_status=status or "EXPIRED",
            payment_request_id=_optional_text(data.get("payment_request_id"))
            or (None if is_method else _optional_text(data.get("id"))),
            payment_method_id=_optional_text(data.get("id")) if is_method else None,
            amount=_optional_rupiah(data.get("request_amount"), "the payment's amount"),
            **common,
        )
    if name.startswith("refund."):
        return GatewayCallback(
            kind=CallbackKind.REFUND,
            status=_status(status),
            gateway_status=status,
            payment_request_id=_optional_text(data.get("payment_request_id")),
            payment_id=_optional_text(data.get("payment_id")),
            amount=_optional_rupiah(data.get("amount"), "the refund's amount"),
            **common,
        )
    if name.startswith("payout."):
        return GatewayCallback(
            kind=CallbackKind.PAYOUT,
            status=_status(status, _PAYOUT_STATUSES),
            gateway_status=status,
            amount=_optional_rupiah(data.get("amount"), "the payout's amount"),
            **common,
        )
    return GatewayCallback(
        kind=CallbackKind.OTHER, status=Status.UNKNOWN, gateway_status=status, **common
    )
