"""The one module that talks to Xendit (STYLE.md: payments at the edge, habit 17).

QRIS, bank virtual accounts and e-wallets through Xendit's Payment Request API, refunds through
its Refund API, payouts to bank accounts through its Payout API (``/v2/payouts``). Everything
crosses this boundary as the project's own values: amounts in whole rupiah (ints), times as
aware UTC datetimes, errors as the typed errors of `payments.gateway_exceptions`. Nothing else
in the app imports ``xendit``.

This module owns the calls: configuration and the client, sending a request and mapping its
errors, creating, reading and simulating payment requests, refunds and payouts, and the channels
offered (those the library's enums know). The records it returns, the reading of Xendit's
answers into them, and the callbacks Xendit sends live in `payments.xendit_records`, which needs
no library.

The official library (``xendit-python``) builds and sends every request (its models check what
we send; it authenticates with the secret key). Its answers are read from the JSON itself, with
decimals kept exact (``parse_float=Decimal``), rather than through the library's generated
models: those read amounts as floats and refuse a whole answer when Xendit adds a field or a
value they do not know, and a payment must never become unreadable because of that.

Configuration: ``XENDIT_SECRET_KEY``, ``XENDIT_CALLBACK_TOKEN`` (the dashboard's Verification
Token, sent back in every callback's ``x-callback-token`` header), ``XENDIT_API_BASE`` (another
API address: the tests' fake server) and ``XENDIT_TIMEOUT_SECONDS`` (per call). The library does
not retry: a caller retries with the same idempotency key, which Xendit answers with what it
created the first time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import urllib3
from flask import Flask, current_app
from xendit.api_client import ApiClient
from xendit.configuration import Configuration
from xendit.exceptions import XenditSdkException
from xendit.payment_request import PaymentRequestApi
from xendit.payment_request.model.e_wallet_channel_code import EWalletChannelCode
from xendit.payment_request.model.e_wallet_channel_properties import EWalletChannelProperties
from xendit.payment_request.model.e_wallet_parameters import EWalletParameters
from xendit.payment_request.model.payment_method_parameters import PaymentMethodParameters
from xendit.payment_request.model.payment_method_reusability import PaymentMethodReusability
from xendit.payment_request.model.payment_method_type import PaymentMethodType
from xendit.payment_request.model.payment_request_currency import PaymentRequestCurrency
from xendit.payment_request.model.payment_request_parameters import PaymentRequestParameters
from xendit.payment_request.model.qr_code_channel_code import QRCodeChannelCode
from xendit.payment_request.model.qr_code_channel_properties import QRCodeChannelProperties
from xendit.payment_request.model.qr_code_parameters import QRCodeParameters
from xendit.payment_request.model.virtual_account_channel_code import VirtualAccountChannelCode
from xendit.payment_request.model.virtual_account_channel_properties import (
    VirtualAccountChannelProperties,
)
from xendit.payment_request.model.virtual_account_parameters import VirtualAccountParameters
from xendit.payout import PayoutApi
from xendit.payout.model.create_payout_request import CreatePayoutRequest
from xendit.payout.model.digital_payout_channel_properties import DigitalPayoutChannelProperties
from xendit.payout.model.receipt_notification import ReceiptNotification
from xendit.refund import RefundApi
from xendit.refund.model.create_refund import CreateRefund

from marketplace.payments.gateway_exceptions import (
    GatewayAuthenticationFailed,
    GatewayError,
    GatewayNotConfigured,
    GatewayRefused,
    GatewayTimeout,
    GatewayUnavailable,
    UnexpectedGatewayAnswer,
)
from marketplace.payments.xendit_records import (
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    GatewayTransaction,
    Method,
    RefundReason,
    payment_from,
    payout_from,
    refund_from,
    transaction_from,
)

log = logging.getLogger(__name__)

CURRENCY = "IDR"
#: Amounts go out as JSON numbers through the library's float fields: exact up to 2**53.
MAX_AMOUNT = 2**53


def _library_codes(enum_class: Any) -> frozenset[str]:
    values = enum_class.allowed_values[("value",)]
    return frozenset(str(v) for k, v in values.items() if k != "XENDIT_ENUM_DEFAULT_FALLBACK")


#: The Indonesian channels issue 20 asks for, in the order a page offers them.
WANTED_CHANNELS: dict[Method, tuple[str, ...]] = {
    Method.QRIS: ("QRIS",),
    Method.VIRTUAL_ACCOUNT: ("BCA", "BNI", "BRI", "MANDIRI", "PERMATA", "BSI"),
    Method.EWALLET: ("GOPAY", "OVO", "DANA", "SHOPEEPAY", "LINKAJA"),
}
_LIBRARY_CHANNELS = {
    Method.QRIS: _library_codes(QRCodeChannelCode),
    Method.VIRTUAL_ACCOUNT: _library_codes(VirtualAccountChannelCode),
    Method.EWALLET: _library_codes(EWalletChannelCode),
}
#: What we offer: only the wanted channels that the library's Payment Request API knows.
#: (xendit-python 7.0.0 has no GOPAY e-wallet; GoPay's app pays any QRIS code instead.)
CHANNELS: dict[Method, tuple[str, ...]] = {
    method: tuple(code for code in wanted if code in _LIBRARY_CHANNELS[method])
    for method, wanted in WANTED_CHANNELS.items()
}
#: E-wallets that ask the shopper in their own app, given the phone number (no redirect).
PUSH_EWALLETS = frozenset({"OVO"})


# --- Configuration ------------------------------------------------------------------------


def xendit_enabled(app: Flask) -> bool:
    """QRIS, e-wallets and virtual accounts are offered: the key and the callback token are
    both set (the callback is what reports a payment)."""
    return bool(app.config.get("XENDIT_SECRET_KEY") and app.config.get("XENDIT_CALLBACK_TOKEN"))


def is_configured() -> bool:
    """`xendit_enabled` for the current app."""
    return xendit_enabled(current_app)


def _client() -> ApiClient:
    """One client per configuration, shared by the app's threads (its connection pool is)."""
    config = current_app.config
    secret = config.get("XENDIT_SECRET_KEY")
    if not secret:
        raise GatewayNotConfigured()
    settings = (secret, (config.get("XENDIT_API_BASE") or "").rstrip("/"))
    cached = current_app.extensions.get("xendit_client")
    if cached is not None and cached[0] == settings:
        client: ApiClient = cached[1]
        return client
    configuration = Configuration(host=settings[1] or None, api_key=secret)
    # One attempt per call: a retry is the caller's, with the same idempotency key.
    configuration.retries = False
    client = ApiClient(configuration)
    current_app.extensions["xendit_client"] = (settings, client)
    return client


def _timeout() -> float:
    return float(current_app.config["XENDIT_TIMEOUT_SECONDS"])


# --- Calls and their errors ----------------------------------------------------------------


def _call(doing: str, send: Callable[[], Any]) -> dict[str, Any]:
    """Send one request through the library and return Xendit's JSON answer, or raise the
    typed error for what went wrong."""
    response = None
    try:
        response = send()
        body = response.data
    except XenditSdkException as error:
        raise _refusal(error, doing) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        # The library reads an error's body as JSON: a proxy's HTML 502 page fails there.
        raise _unavailable(
            GatewayUnavailable, f"an error that is not JSON while {doing}"
        ) from error
    except urllib3.exceptions.NewConnectionError as error:
        # Checked first: urllib3 makes it a kind of ConnectTimeoutError, but nothing waited.
        raise _unavailable(GatewayUnavailable, f"no connection while {doing}: {error}") from error
    except urllib3.exceptions.TimeoutError as error:
        raise _unavailable(GatewayTimeout, f"no answer in {_timeout()} s while {doing}") from error
    except urllib3.exceptions.HTTPError as error:
        raise _unavailable(
            GatewayUnavailable, f"{type(error).__name__} while {doing}: {error}"
        ) from error
    finally:
        if response is not None and hasattr(response, "release_conn"):
            response.release_conn()
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise UnexpectedGatewayAnswer(detail=f"an answer that is not JSON while {doing}") from error
    if not isinstance(data, dict):
        raise UnexpectedGatewayAnswer(detail=f"an answer that is not an object while {doing}")
    return data


def _unavailable(kind: type[GatewayUnavailable], detail: str) -> GatewayUnavailable:
    log.warning("Xendit: %s", detail)
    return kind(detail=detail, retryable=True)


def _refusal(error: XenditSdkException, doing: str) -> GatewayError:
    status = int(error.status) if str(error.status).isdigit() else None
    code = str(error.errorCode) if error.errorCode else None
    detail = f"{status} {code or ''} while {doing}: {error.errorMessage}"
    log.warning("Xendit: %s", detail)
    if status is None or status == 0 or status >= 500:
        return GatewayUnavailable(detail=detail, retryable=True, code=code, status=status)
    if status in (401, 403):
        return GatewayAuthenticationFailed(detail=detail, retryable=False, code=code, status=status)
    if status == 429:
        return GatewayUnavailable(detail=detail, retryable=True, code=code, status=status)
    return GatewayRefused(detail=detail, retryable=False, code=code, status=status)


# --- Amounts out -----------------------------------------------------------------------------


def _outgoing_amount(rupiah: int) -> float:
    """Whole rupiah as the library's float field (exact below 2**53)."""
    if not isinstance(rupiah, int) or isinstance(rupiah, bool) or not 0 < rupiah < MAX_AMOUNT:
        raise ValueError("amounts are whole, positive rupiah")
    return float(rupiah)


# --- Payment requests --------------------------------------------------------------------------


def create_payment(
    *,
    amount: int,
    method: Method,
    channel: str,
    reference: str,
    idempotency_key: str,
    expires_at: datetime,
    description: str = "",
    customer_name: str | None = None,
    mobile_number: str | None = None,
    success_url: str | None = None,
    failure_url: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> GatewayPayment:
    """A payment request in IDR for ``amount`` rupiah by one channel, to be paid once.

    QRIS and virtual accounts lapse at ``expires_at``. A virtual account shows
    ``customer_name`` (the account holder's name the bank app displays). E-wallets need
    ``success_url`` and ``failure_url`` (where the e-wallet sends the shopper back), except OVO,
    which asks the shopper in its app, given ``mobile_number`` (+62...); an e-wallet's deadline
    is the e-wallet's own. The idempotency key makes a retried call return the payment request
    already created instead of a second one.
    """
    if channel not in CHANNELS[method]:
        raise ValueError(f"{method.name} has no channel {channel!r}; offered: {CHANNELS[method]}")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be an aware datetime")
    parameters = PaymentMethodParameters(
        type=PaymentMethodType(method.value),
        reusability=PaymentMethodReusability("ONE_TIME_USE"),
        reference_id=reference,
        **_method_parameters(
            method, channel, expires_at, customer_name, mobile_number, success_url, failure_url
        ),
    )
    request = PaymentRequestParameters(
        currency=PaymentRequestCurrency(CURRENCY),
        amount=_outgoing_amount(amount),
        reference_id=reference,
        payment_method=parameters,
        metadata=dict(metadata or {}),
        **({"description": description[:1000]} if description else {}),
    )
    data = _call(
        "creating a payment request",
        lambda: PaymentRequestApi(_client()).create_payment_request(
            idempotency_key=idempotency_key,
            payment_request_parameters=request,
            _request_timeout=_timeout(),
            _preload_content=False,
        ),
    )
    return payment_from(data)


def _method_parameters(
    method: Method,
    channel: str,
    expires_at: datetime,
    customer_name: str | None,
    mobile_number: str | None,
    success_url: str | None,
    failure_url: str | None,
) -> dict[str, Any]:
    expiry = expires_at.astimezone(UTC)
    if method is Method.QRIS:
        return {
            "qr_code": QRCodeParameters(
                channel_code=QRCodeChannelCode(channel),
                channel_properties=QRCodeChannelProperties(expires_at=expiry),
            )
        }
    if method is Method.VIRTUAL_ACCOUNT:
        if not customer_name:
            raise ValueError("a virtual account needs the customer's name")
        return {
            "virtual_account": VirtualAccountParameters(
                channel_code=VirtualAccountChannelCode(channel),
                channel_properties=VirtualAccountChannelProperties(
                    customer_name=customer_name[:255], expires_at=expiry
                ),
            )
        }
    if channel in PUSH_EWALLETS:
        if not mobile_number:
            raise ValueError(f"{channel} needs the shopper's mobile number")
        properties = EWalletChannelProperties(mobile_number=mobile_number)
    else:
        if not success_url or not failure_url:
            raise ValueError(f"{channel} needs the success and failure return URLs")
        properties = EWalletChannelProperties(
            success_return_url=success_url, failure_return_url=failure_url
        )
    return {
        "ewallet": EWalletParameters(
            channel_code=EWalletChannelCode(channel), channel_properties=properties
        )
    }


def get_payment(payment_request_id: str) -> GatewayPayment:
    """The payment request as Xendit has it now (the authority, not a callback)."""
    data = _call(
        "reading a payment request",
        lambda: PaymentRequestApi(_client()).get_payment_request_by_id(
            payment_request_id, _request_timeout=_timeout(), _preload_content=False
        ),
    )
    return payment_from(data)


def simulate_payment(payment_request_id: str) -> None:
    """Test mode only (a ``xnd_development_`` key): Xendit pays the payment request as if the
    shopper had, then sends the ``payment.succeeded`` callback. A live key is refused."""
    _call(
        "simulating a payment",
        lambda: PaymentRequestApi(_client()).simulate_payment_request_payment(
            payment_request_id, _request_timeout=_timeout(), _preload_content=False
        ),
    )


# --- Refunds --------------------------------------------------------------------------------


def create_refund(
    *,
    payment_request_id: str,
    amount: int,
    reason: RefundReason,
    idempotency_key: str,
    reference: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> GatewayRefund:
    """Give back ``amount`` rupiah (possibly part) of a paid payment request.

    Xendit refunds e-wallet and some QRIS payments; a virtual account is refused with
    `GatewayRefused` (code ``REFUND_NOT_SUPPORTED``): that refund goes out as a payout.
    """
    body = CreateRefund(
        payment_request_id=payment_request_id,
        amount=_outgoing_amount(amount),
        currency=CURRENCY,
        reason=RefundReason(reason).value,
        metadata=dict(metadata or {}),
        **({"reference_id": reference} if reference else {}),
    )
    data = _call(
        "creating a refund",
        lambda: RefundApi(_client()).create_refund(
            idempotency_key=idempotency_key,
            create_refund=body,
            _request_timeout=_timeout(),
            _preload_content=False,
        ),
    )
    return refund_from(data)


def get_refund(refund_id: str) -> GatewayRefund:
    data = _call(
        "reading a refund",
        lambda: RefundApi(_client()).get_refund(
            refund_id, _request_timeout=_timeout(), _preload_content=False
        ),
    )
    return refund_from(data)


# --- Payouts --------------------------------------------------------------------------------


def create_payout(
    *,
    reference: str,
    amount: int,
    channel_code: str,
    account_number: str,
    account_holder_name: str,
    idempotency_key: str,
    description: str = "",
    email_to: tuple[str, ...] = (),
    metadata: Mapping[str, str] | None = None,
) -> GatewayPayout:
    """Send ``amount`` rupiah to a bank account (``channel_code`` such as ``ID_BCA``).

    The idempotency key (Xendit requires one) makes a retried call return the payout already
    created: the same money never goes out twice.
    """
    if not channel_code.startswith("ID_"):
        raise ValueError(f"not an Indonesian payout channel: {channel_code!r}")
    request = CreatePayoutRequest(
        reference_id=reference,
        channel_code=channel_code,
        channel_properties=DigitalPayoutChannelProperties(
            account_number=account_number, account_holder_name=account_holder_name
        ),
        amount=_outgoing_amount(amount),
        currency=CURRENCY,
        metadata=dict(metadata or {}),
        **({"description": description[:100]} if description else {}),
        **(
            {"receipt_notification": ReceiptNotification(email_to=list(email_to))}
            if email_to
            else {}
        ),
    )
    data = _call(
        "creating a payout",
        lambda: PayoutApi(_client()).create_payout(
            idempotency_key,
            create_payout_request=request,
            _request_timeout=_timeout(),
            _preload_content=False,
        ),
    )
    return payout_from(data)


def get_payout(payout_id: str) -> GatewayPayout:
    data = _call(
        "reading a payout",
        lambda: PayoutApi(_client()).get_payout_by_id(
            payout_id, _request_timeout=_timeout(), _preload_content=False
        ),
    )
    return payout_from(data)


# --- Transactions (reconciliation) -----------------------------------------------------------

#: Xendit's largest page of transactions.
TRANSACTIONS_PAGE = 50


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _transactions_request(query: list[tuple[str, Any]]) -> Callable[[], Any]:
    def send() -> Any:
        return _client().call_api(
            "/transactions",
            "GET",
            query_params=query,
            header_params={"Accept": "application/json"},
            response_type=None,
            _return_http_data_only=True,
            _preload_content=False,
            _request_timeout=_timeout(),
        )

    return send


def list_transactions(
    start: datetime, end: datetime, types: tuple[str, ...] = ("PAYMENT", "DISBURSEMENT")
) -> list[GatewayTransaction]:
    """Every transaction of these types created from ``start`` up to ``end`` (inclusive), page
    by page. The query is built here rather than by the library's ``get_all_transactions``,
    which writes the ``created`` range as a Python dict instead of ``created[gte]``; it is
    still sent by the library's client (its authentication, pool and errors)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    found: list[GatewayTransaction] = []
    after: str | None = None
    while True:
        query: list[tuple[str, Any]] = [("types", kind) for kind in types]
        query += [
            ("created[gte]", _iso_utc(start)),
            ("created[lte]", _iso_utc(end)),
            ("limit", TRANSACTIONS_PAGE),
        ]
        if after:
            query.append(("after_id", after))
        data = _call("listing transactions", _transactions_request(query))
        page = data.get("data")
        if not isinstance(page, list):
            raise UnexpectedGatewayAnswer(detail="a list of transactions without data")
        found.extend(transaction_from(item) for item in page if isinstance(item, dict))
        if not data.get("has_more") or not page:
            return found
        after = found[-1].id
