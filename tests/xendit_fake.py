"""A small fake of Xendit's API, so tests never touch the network.

It serves, on 127.0.0.1 at a port from `tests.ports.free_port`, what the gateway
(marketplace/payments/xendit_gateway.py) sends through the official library, in the shapes of
Xendit's documentation:

* ``POST /payment_requests`` (IDR, whole amounts, ``payment_method`` of type QR_CODE,
  VIRTUAL_ACCOUNT or EWALLET with its ``channel_code`` and ONE_TIME_USE; answers PENDING with
  the QRIS string or the VA number, or REQUIRES_ACTION with the e-wallet's links),
  ``GET /payment_requests/{id}`` and ``POST /payment_requests/{id}/payments/simulate`` (test
  mode: marks it paid, then sends ``payment.succeeded`` to `callback_url`),
* ``POST /refunds`` and ``GET /refunds/{id}`` (never more than was paid; none for a VA),
* ``POST /v2/payouts`` (``idempotency-key`` required) and ``GET /v2/payouts/{id}``,

each behind Basic auth with the secret key (401 ``INVALID_API_KEY`` otherwise), with Xendit's
error bodies (``{"error_code", "message"}``), idempotency keys honoured (the same key and body
give the same answer; another body, 409), and switches: `fail_next` (the next calls fail with a
status and body, or a body that is not JSON), `hang` (answer late), `tamper` (change what it
reports). Callbacks are built by `payment_succeeded`, `payment_failed`, `payment_expired`,
`refund_settled` and `payout_settled`, with the ``x-callback-token`` and ``webhook-id`` headers
Xendit sends, and `deliver` POSTs them (``times=2`` for a duplicate; deliver in any order).

Its clock is the app's (`marketplace.clock`), so tests that freeze time stay consistent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from marketplace import clock
from tests.ports import free_port

HOST = "127.0.0.1"
BUSINESS_ID = "5f27a14a9bf05c73dd040bc8"
QR_CHANNELS = ("QRIS",)
VA_CHANNELS = ("BCA", "BNI", "BRI", "MANDIRI", "PERMATA", "BSI")
EWALLET_CHANNELS = ("OVO", "DANA", "SHOPEEPAY", "LINKAJA")
#: The first digits of each bank's virtual account numbers (a merchant code and a prefix).
VA_PREFIXES = {
    "BCA": "10766",
    "BNI": "8808",
    "BRI": "26215",
    "MANDIRI": "88908",
    "PERMATA": "8214",
    "BSI": "7098",
}
PAYOUT_CHANNELS = ("ID_BCA", "ID_BNI", "ID_BRI", "ID_MANDIRI", "ID_PERMATA", "ID_BSI")
REFUND_REASONS = ("FRAUDULENT", "DUPLICATE", "REQUESTED_BY_CUSTOMER", "CANCELLATION", "OTHERS")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | bytes


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    idempotency_key: str | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Callback:
    """A callback delivery: the exact body and the headers Xendit sends."""

    event: dict[str, Any]
    payload: bytes
    headers: dict[str, str]

    @property
    def name(self) -> str:
        return str(self.event["event"])

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error_code": code, "message": message})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE, the checksum that ends every QRIS string (tag 63)."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def qris_string(amount: int, merchant: str = "PASAR OPOP") -> str:
    """A dynamic QRIS payload (EMVCo tags) for ``amount`` rupiah, with its checksum."""

    def tag(number: str, value: str) -> str:
        return f"{number}{len(value):02d}{value}"

    account = tag("00", "ID.CO.QRIS.WWW") + tag("01", "936008980000000" + secrets.token_hex(2))
    body = (
        tag("00", "01")
        + tag("01", "12")  # dynamic: one payment
        + tag("26", account)
        + tag("52", "5499")
        + tag("53", "360")  # IDR
        + tag("54", str(amount))
        + tag("58", "ID")
        + tag("59", merchant[:25])
        + tag("60", "MOJOKERTO")
        + tag("62", tag("05", secrets.token_hex(6)))
        + "6304"
    )
    return body + _crc16(body)


def _is_whole(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False
    return value == int(value)


class FakeXendit:
    """Start with `start`, stop with `stop`; `reset` between tests."""

    def __init__(
        self,
        secret_key: str = "xnd_development_fake_opop_secret",
        callback_token: str = "fake-xendit-callback-token-opop",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.secret_key = secret_key
        self.callback_token = callback_token
        self.now = now or clock.now
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.callback_url: str | None = None
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._idle = threading.Condition()
        self._inflight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything, once calls still being answered (a `hang`) have finished."""
        self.settle()
        with self._lock:
            self.payment_requests: dict[str, dict[str, Any]] = {}
            self.refunds: dict[str, dict[str, Any]] = {}
            self.payouts: dict[str, dict[str, Any]] = {}
            self.requests: list[Recorded] = []
            self.deliveries: list[tuple[int, str]] = []
            self._idempotent: dict[tuple[str, str], tuple[str, Answer]] = {}
            self._failures: list[Answer] = []
            self.delay_seconds = 0.0
            self.callback_url = None
            self.refund_fee = 0
            #: The balance payouts draw on; None for as much as asked.
            self.balance: int | None = None
            #: Transactions Xendit has that no payment request here explains (a test's own).
            self.extra_transactions: list[dict[str, Any]] = []

    def settings(self) -> dict[str, Any]:
        """The app's settings that point the official library at this server, with its keys."""
        return {
            "XENDIT_SECRET_KEY": self.secret_key,
            "XENDIT_CALLBACK_TOKEN": self.callback_token,
            "XENDIT_API_BASE": self.url,
            "XENDIT_TIMEOUT_SECONDS": 10.0,  # a loaded machine answers slowly
        }

    def settle(self, timeout: float = 30) -> None:
        """Wait until no API call (nor the callback it sends) is being answered."""
        with self._idle:
            self._idle.wait_for(lambda: self._inflight == 0, timeout=timeout)

    def start(self) -> FakeXendit:
        fake = self

        class Handler(_Handler):
            xendit = fake

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"fake-xendit-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- switches --------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        error_code: str = "SERVER_ERROR",
        message: str = "An unexpected error occurred, our team has been notified.",
        *,
        times: int = 1,
        raw: bytes | None = None,
    ) -> None:
        """The next ``times`` API calls answer this error (nothing is created); ``raw`` is a
        body that is not JSON (a proxy's error page)."""
        answer = Answer(status, raw) if raw is not None else error(status, error_code, message)
        with self._lock:
            self._failures.extend([answer] * times)

    def hang(self, seconds: float) -> None:
        """API calls answer only after ``seconds`` (then do their work, as a slow Xendit
        would)."""
        self.delay_seconds = seconds

    def tamper(self, kind: str, object_id: str, **fields: Any) -> None:
        """Change what Xendit reports about a payment request, refund or payout."""
        with self._lock:
            getattr(self, kind)[object_id].update(fields)

    # -- what tests read -------------------------------------------------------------------

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # -- callbacks ---------------------------------------------------------------------------

    def callback(
        self,
        event: str,
        data: dict[str, Any],
        *,
        token: str | None = None,
        webhook_id: str | None = None,
    ) -> Callback:
        body = {
            "event": event,
            "business_id": BUSINESS_ID,
            "created": _iso(self.now()),
            "data": data,
        }
        payload = json.dumps(body, default=_json_default).encode()
        headers = {
            "Content-Type": "application/json",
            "x-callback-token": self.callback_token if token is None else token,
            "webhook-id": webhook_id or f"whk-{uuid.uuid4()}",
            "User-Agent": "Xendit-Webhook",
        }
        return Callback(body, payload, headers)

    def _payment(self, request: dict[str, Any], status: str, **extra: Any) -> dict[str, Any]:
        payment_id = request.get("_payment_id") or f"py-{uuid.uuid4()}"
        request["_payment_id"] = payment_id
        return {
            "id": payment_id,
            "payment_request_id": request["id"],
            "reference_id": request["reference_id"],
            "customer_id": None,
            "amount": request["amount"],
            "currency": request["currency"],
            "country": "ID",
            "status": status,
            "payment_method": request["payment_method"],
            "channel_properties": None,
            "payment_detail": None,
            "failure_code": None,
            "metadata": request.get("metadata"),
            "created": _iso(self.now()),
            "updated": _iso(self.now()),
            **extra,
        }

    def payment_succeeded(
        self, request_id: str, *, amount: int | None = None, currency: str | None = None
    ) -> Callback:
        """The shopper paid: the payment request succeeds. ``amount`` and ``currency`` override
        what the callback reports (to test a mismatch); what the API reports is unchanged."""
        with self._lock:
            request = self.payment_requests[request_id]
            if request["status"] in ("PENDING", "REQUIRES_ACTION"):
                request.update(status="SUCCEEDED", updated=_iso(self.now()), actions=[])
                request["payment_method"]["status"] = "EXPIRED"  # used once
            data = self._payment(request, "SUCCEEDED")
            if amount is not None:
                data["amount"] = amount
            if currency is not None:
                data["currency"] = currency
            return self.callback("payment.succeeded", data)

    def payment_failed(
        self, request_id: str, failure_code: str = "USER_DID_NOT_AUTHORIZE_THE_PAYMENT"
    ) -> Callback:
        with self._lock:
            request = self.payment_requests[request_id]
            if request["status"] in ("PENDING", "REQUIRES_ACTION"):
                request.update(status="FAILED", failure_code=failure_code)
            data = self._payment(request, "FAILED", failure_code=failure_code)
            return self.callback("payment.failed", data)

    def payment_expired(self, request_id: str) -> Callback:
        """The QR code or virtual account lapsed unpaid: ``payment_method.expired``, whose data
        is the payment method (it names the payment method, not the request)."""
        with self._lock:
            request = self.payment_requests[request_id]
            if request["status"] in ("PENDING", "REQUIRES_ACTION"):
                request.update(status="EXPIRED", actions=[])
                request["payment_method"]["status"] = "EXPIRED"
            return self.callback("payment_method.expired", dict(request["payment_method"]))

    def refund_settled(self, refund_id: str, status: str = "SUCCEEDED") -> Callback:
        with self._lock:
            refund = self.refunds[refund_id]
            refund.update(status=status, updated=_iso(self.now()))
            if status == "FAILED":
                refund["failure_code"] = "INSUFFICIENT_BALANCE"
                self.payment_requests[refund["payment_request_id"]]["_refunded"] -= refund["amount"]
            event = "refund.succeeded" if status == "SUCCEEDED" else "refund.failed"
            return self.callback(event, {k: v for k, v in refund.items() if k[0] != "_"})

    def payout_settled(self, payout_id: str, status: str = "SUCCEEDED") -> Callback:
        with self._lock:
            payout = self.payouts[payout_id]
            payout.update(status=status, updated=_iso(self.now()))
            if status == "FAILED":
                payout["failure_code"] = "INVALID_DESTINATION"
            return self.callback(f"payout.{status.lower()}", dict(payout))

    def deliver(
        self, callback: Callback, url: str | None = None, *, times: int = 1
    ) -> list[tuple[int, str]]:
        """POST the callback as Xendit would (``times`` over: a duplicate keeps its
        ``webhook-id``)."""
        target = url or self.callback_url
        assert target, "set callback_url first"
        results = []
        for _ in range(times):
            request = urllib.request.Request(  # noqa: S310 - a local URL the test chose
                target, data=callback.payload, headers=callback.headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    result = (response.status, response.read().decode())
            except urllib.error.HTTPError as failure:
                result = (failure.code, failure.read().decode())
            self.deliveries.append(result)
            results.append(result)
        return results

    # -- the API ---------------------------------------------------------------------------

    def _handle(
        self, method: str, path: str, body: Any, headers: dict[str, str], raw: bytes
    ) -> tuple[Answer, Callback | None]:
        key = headers.get("idempotency-key")
        with self._lock:
            self.requests.append(Recorded(method, path, body, key, headers))
            if self._failures:
                return self._failures.pop(0), None
            if method == "POST" and key is not None:
                seen = self._idempotent.get((path, key))
                if seen is not None:
                    if seen[0] != raw.decode():
                        if path == "/v2/payouts":
                            return error(
                                409,
                                "DUPLICATE_ERROR",
                                "A payout with this idempotency key already exists. If you "
                                "meant to execute a different request, please use another "
                                "idempotency key.",
                            ), None
                        return error(
                            409,
                            "IDEMPOTENCY_ERROR",
                            "Provided idempotency key has been used with different payload",
                        ), None
                    return seen[1], None
            answer, callback = self._route(method, path, body, key)
            if method == "POST" and key is not None and answer.status < 500:
                self._idempotent[(path, key)] = (raw.decode(), answer)
            return answer, callback

    def _route(
        self, method: str, path: str, body: Any, key: str | None
    ) -> tuple[Answer, Callback | None]:
        path, _, query = path.partition("?")
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/transactions":
            return self._list_transactions(parse_qs(query)), None
        if method == "POST" and path == "/payment_requests":
            return self._create_payment_request(body), None
        if method == "GET" and len(parts) == 2 and parts[0] == "payment_requests":
            return self._found("payment_requests", parts[1], "Payment request"), None
        if (
            method == "POST"
            and parts[0] == "payment_requests"
            and parts[2:]
            == [
                "payments",
                "simulate",
            ]
        ):
            return self._simulate(parts[1], body)
        if method == "POST" and path == "/refunds":
            return self._create_refund(body), None
        if method == "GET" and len(parts) == 2 and parts[0] == "refunds":
            return self._found("refunds", parts[1], "Refund"), None
        if method == "POST" and path == "/v2/payouts":
            return self._create_payout(body, key), None
        if method == "GET" and parts[:1] == ["v2"] and len(parts) == 3 and parts[1] == "payouts":
            return self._found("payouts", parts[2], "Payout"), None
        return error(404, "NOT_FOUND", f"The requested resource was not found: {path}"), None

    def _found(self, kind: str, object_id: str, what: str) -> Answer:
        found = getattr(self, kind).get(object_id)
        if found is None:
            return error(404, "DATA_NOT_FOUND", f"{what} {object_id} not found")
        return Answer(200, {k: v for k, v in found.items() if not k.startswith("_")})

    def _amount(self, body: dict[str, Any]) -> Answer | int:
        amount = body.get("amount")
        if not _is_whole(amount) or int(amount) <= 0:
            return error(
                400,
                "API_VALIDATION_ERROR",
                "amount must be a positive whole number for IDR",
            )
        if body.get("currency") != "IDR":
            return error(400, "API_VALIDATION_ERROR", "currency must be IDR for this business")
        return int(amount)

    def _create_payment_request(self, body: Any) -> Answer:
        if not isinstance(body, dict):
            return error(400, "API_VALIDATION_ERROR", "the body must be a JSON object")
        amount = self._amount(body)
        if isinstance(amount, Answer):
            return amount
        reference = body.get("reference_id")
        if not isinstance(reference, str) or not reference:
            return error(400, "API_VALIDATION_ERROR", "reference_id is required")
        method = body.get("payment_method")
        if not isinstance(method, dict):
            return error(400, "API_VALIDATION_ERROR", "payment_method is required")
        if method.get("reusability") != "ONE_TIME_USE":
            return error(
                400, "API_VALIDATION_ERROR", "payment_method.reusability must be ONE_TIME_USE"
            )
        kind = method.get("type")
        field, channels = {
            "QR_CODE": ("qr_code", QR_CHANNELS),
            "VIRTUAL_ACCOUNT": ("virtual_account", VA_CHANNELS),
            "EWALLET": ("ewallet", EWALLET_CHANNELS),
        }.get(kind, ("", ()))
        details = method.get(field) if field else None
        if not isinstance(details, dict) or details.get("channel_code") not in channels:
            return error(
                400,
                "API_VALIDATION_ERROR",
                f"payment_method.{field or 'type'}.channel_code is not supported",
            )
        channel = details["channel_code"]
        properties = dict(details.get("channel_properties") or {})
        now = self.now()
        expires_at = properties.get("expires_at")
        if expires_at is not None:
            try:
                moment = datetime.fromisoformat(expires_at)
            except (TypeError, ValueError):
                return error(400, "API_VALIDATION_ERROR", "expires_at must be an ISO 8601 time")
            if moment.tzinfo is None or moment <= now:
                return error(400, "API_VALIDATION_ERROR", "expires_at must be in the future")
            properties["expires_at"] = _iso(moment)
        request_id = f"pr-{uuid.uuid4()}"
        status, actions = "PENDING", []
        if kind == "QR_CODE":
            properties["qr_string"] = qris_string(amount)
        elif kind == "VIRTUAL_ACCOUNT":
            if not properties.get("customer_name"):
                return error(
                    400, "API_VALIDATION_ERROR", "channel_properties.customer_name is required"
                )
            properties["virtual_account_number"] = VA_PREFIXES[channel] + "".join(
                str(secrets.randbelow(10)) for _ in range(11)
            )
        elif channel == "OVO":
            if not str(properties.get("mobile_number", "")).startswith("+62"):
                return error(
                    400, "API_VALIDATION_ERROR", "channel_properties.mobile_number is required"
                )
        else:
            if not properties.get("success_return_url"):
                return error(
                    400,
                    "API_VALIDATION_ERROR",
                    "channel_properties.success_return_url is required",
                )
            status = "REQUIRES_ACTION"
            app = "DEEPLINK" if channel == "SHOPEEPAY" else "MOBILE"
            actions = [
                {
                    "action": "AUTH",
                    "url_type": app,
                    "url": f"{self.url}/ewallet/{request_id}/app",
                    "method": "GET",
                    "qr_code": None,
                },
                {
                    "action": "AUTH",
                    "url_type": "WEB",
                    "url": f"{self.url}/ewallet/{request_id}",
                    "method": "GET",
                    "qr_code": None,
                },
            ]
        payment_method = {
            "id": f"pm-{uuid.uuid4()}",
            "type": kind,
            "reusability": "ONE_TIME_USE",
            "status": "ACTIVE" if kind != "EWALLET" else "PENDING",
            "reference_id": method.get("reference_id") or reference,
            "description": None,
            "created": _iso(now),
            "updated": _iso(now),
            "metadata": None,
            "card": None,
            "direct_debit": None,
            "over_the_counter": None,
            "qr_code": None,
            "virtual_account": None,
            "ewallet": None,
            field: {**details, "channel_properties": properties},
        }
        if kind == "VIRTUAL_ACCOUNT":
            payment_method[field].update(amount=amount, currency="IDR")
        request = {
            "id": request_id,
            "business_id": BUSINESS_ID,
            "reference_id": reference,
            "customer_id": None,
            "currency": "IDR",
            "amount": amount,
            "country": "ID",
            "status": status,
            "description": body.get("description"),
            "failure_code": None,
            "capture_method": "AUTOMATIC",
            "initiator": None,
            "card_verification_results": None,
            "payment_method": payment_method,
            "actions": actions,
            "metadata": body.get("metadata"),
            "shipping_information": None,
            "items": None,
            "created": _iso(now),
            "updated": _iso(now),
            "_refunded": 0,
        }
        self.payment_requests[request_id] = request
        return self._found("payment_requests", request_id, "Payment request")

    def _simulate(self, request_id: str, body: Any) -> tuple[Answer, Callback | None]:
        if not self.secret_key.startswith("xnd_development_"):
            return error(
                403, "REQUEST_FORBIDDEN_ERROR", "Simulation is only available in test mode"
            ), None
        request = self.payment_requests.get(request_id)
        if request is None:
            return error(404, "DATA_NOT_FOUND", f"Payment request {request_id} not found"), None
        if request["status"] not in ("PENDING", "REQUIRES_ACTION"):
            return error(
                409,
                "PAYMENT_REQUEST_ALREADY_COMPLETED",
                f"Payment request {request_id} is {request['status']}",
            ), None
        callback = self.payment_succeeded(request_id)
        answer = Answer(
            200, {"status": "PENDING", "message": "Payment simulation is being processed"}
        )
        return answer, callback

    def _create_refund(self, body: Any) -> Answer:
        if not isinstance(body, dict):
            return error(400, "API_VALIDATION_ERROR", "the body must be a JSON object")
        request = self.payment_requests.get(str(body.get("payment_request_id")))
        if request is None:
            return error(404, "DATA_NOT_FOUND", "Payment request not found")
        if body.get("reason") not in REFUND_REASONS:
            return error(400, "API_VALIDATION_ERROR", "reason is not one of the allowed values")
        if request["status"] != "SUCCEEDED":
            return error(400, "INELIGIBLE_TRANSACTION", "The payment has not succeeded")
        if request["payment_method"]["type"] == "VIRTUAL_ACCOUNT":
            return error(
                400, "REFUND_NOT_SUPPORTED", "Refund is not supported for this payment method"
            )
        body.setdefault("currency", "IDR")
        amount = self._amount(body)
        if isinstance(amount, Answer):
            return amount
        if request["_refunded"] + amount > request["amount"]:
            return error(
                400,
                "MAXIMUM_REFUND_AMOUNT_REACHED",
                "The refund amount exceeds the amount left to refund",
            )
        request["_refunded"] += amount
        method = request["payment_method"]
        details = method[{"QR_CODE": "qr_code", "EWALLET": "ewallet"}[method["type"]]]
        now = _iso(self.now())
        refund = {
            "id": f"rfd-{uuid.uuid4()}",
            "payment_request_id": request["id"],
            "payment_id": request.get("_payment_id"),
            "invoice_id": None,
            "payment_method_type": method["type"],
            "channel_code": details["channel_code"],
            "amount": amount,
            "currency": "IDR",
            "country": "ID",
            "reference_id": body.get("reference_id"),
            "reason": body["reason"],
            "status": "PENDING",
            "failure_code": None,
            "refund_fee_amount": self.refund_fee,
            "metadata": body.get("metadata"),
            "created": now,
            "updated": now,
        }
        self.refunds[refund["id"]] = refund
        return Answer(200, refund)

    def _create_payout(self, body: Any, key: str | None) -> Answer:
        if not key:
            return error(400, "API_VALIDATION_ERROR", "idempotency-key header is required")
        if not isinstance(body, dict):
            return error(400, "API_VALIDATION_ERROR", "the body must be a JSON object")
        amount = self._amount(body)
        if isinstance(amount, Answer):
            return amount
        if body.get("channel_code") not in PAYOUT_CHANNELS:
            return error(400, "API_VALIDATION_ERROR", "channel_code is not supported")
        account = body.get("channel_properties") or {}
        number = str(account.get("account_number", ""))
        if not number.isdigit() or not account.get("account_holder_name"):
            return error(
                400,
                "API_VALIDATION_ERROR",
                "channel_properties.account_number and account_holder_name are required",
            )
        if not body.get("reference_id"):
            return error(400, "API_VALIDATION_ERROR", "reference_id is required")
        if self.balance is not None:
            if amount > self.balance:
                return error(400, "INSUFFICIENT_BALANCE", "Insufficient balance for the payout")
            self.balance -= amount
        now = self.now()
        payout = {
            "id": f"disb-{uuid.uuid4()}",
            "business_id": BUSINESS_ID,
            "reference_id": body["reference_id"],
            "channel_code": body["channel_code"],
            "channel_properties": account,
            "amount": amount,
            "currency": "IDR",
            "description": body.get("description"),
            "receipt_notification": body.get("receipt_notification"),
            "metadata": body.get("metadata"),
            "status": "ACCEPTED",
            "failure_code": None,
            "estimated_arrival_time": _iso(now),
            "created": _iso(now),
            "updated": _iso(now),
        }
        self.payouts[payout["id"]] = payout
        return Answer(200, payout)

    # -- transactions (reconciliation) -------------------------------------------------------

    #: Xendit's fee by method (whole rupiah): MDR for QRIS and e-wallets, a flat VA fee.
    @staticmethod
    def fee_for(method_type: str, amount: int) -> int:
        if method_type == "VIRTUAL_ACCOUNT":
            return 4_000
        rate = {"QR_CODE": 7, "EWALLET": 15}.get(method_type, 0)  # per mille
        return (amount * rate + 999) // 1000

    def add_transaction(
        self,
        *,
        reference: str,
        amount: int,
        kind: str = "PAYMENT",
        created: datetime | None = None,
        fee: int = 0,
    ) -> dict[str, Any]:
        """A transaction Xendit reports that no payment request or payout here explains."""
        with self._lock:
            transaction = self._transaction(
                f"txn_{uuid.uuid4()}",
                kind=kind,
                product_id=f"py-{uuid.uuid4()}",
                reference=reference,
                amount=amount,
                channel_category="QR_CODE",
                channel_code="QRIS",
                created=created or self.now(),
                fee=fee,
            )
            self.extra_transactions.append(transaction)
            return transaction

    def _transaction(
        self,
        transaction_id: str,
        *,
        kind: str,
        product_id: str,
        reference: str,
        amount: int,
        channel_category: str,
        channel_code: str,
        created: datetime,
        fee: int,
    ) -> dict[str, Any]:
        vat = fee * 11 // 100
        return {
            "id": transaction_id,
            "product_id": product_id,
            "type": kind,
            "status": "SUCCESS",
            "channel_category": channel_category,
            "channel_code": channel_code,
            "account_identifier": None,
            "reference_id": reference,
            "currency": "IDR",
            "amount": amount,
            "cashflow": "MONEY_IN" if kind == "PAYMENT" else "MONEY_OUT",
            "business_id": BUSINESS_ID,
            "fee": {
                "xendit_fee": fee,
                "value_added_tax": vat,
                "xendit_withholding_tax": 0,
                "third_party_withholding_tax": 0,
                "status": "COMPLETED",
            },
            "created": _iso(created),
            "updated": _iso(created),
            "settlement_status": "SETTLED",
            "estimated_settlement_time": _iso(created),
        }

    def transactions(self) -> list[dict[str, Any]]:
        """Xendit's ledger: a PAYMENT for each paid payment request (when it was paid), a
        DISBURSEMENT for each payout that succeeded, and the tests' own."""
        found = []
        for request in self.payment_requests.values():
            if request["status"] != "SUCCEEDED":
                continue
            method = request["payment_method"]
            field = {"QR_CODE": "qr_code", "VIRTUAL_ACCOUNT": "virtual_account"}.get(
                method["type"], "ewallet"
            )
            request.setdefault("_txn_id", f"txn_{uuid.uuid4()}")
            found.append(
                self._transaction(
                    request["_txn_id"],
                    kind="PAYMENT",
                    product_id=request.get("_payment_id") or request["id"],
                    reference=request["reference_id"],
                    amount=request["amount"],
                    channel_category=method["type"],
                    channel_code=method[field]["channel_code"],
                    created=datetime.fromisoformat(request["updated"]),
                    fee=self.fee_for(method["type"], request["amount"]),
                )
            )
        for payout in self.payouts.values():
            if payout["status"] != "SUCCEEDED":
                continue
            payout.setdefault("_txn_id", f"txn_{uuid.uuid4()}")
            found.append(
                self._transaction(
                    payout["_txn_id"],
                    kind="DISBURSEMENT",
                    product_id=payout["id"],
                    reference=payout["reference_id"],
                    amount=payout["amount"],
                    channel_category="BANK",
                    channel_code=payout["channel_code"],
                    created=datetime.fromisoformat(payout["updated"]),
                    fee=2_500,
                )
            )
        return found + self.extra_transactions

    def _list_transactions(self, query: dict[str, list[str]]) -> Answer:
        """GET /transactions: filtered by ``types``, ``created[gte]``/``created[lte]``, newest
        first, ``limit`` per page (at most 50) after ``after_id``."""
        try:
            limit = int(float(query.get("limit", ["10"])[0]))
            low = [datetime.fromisoformat(v) for v in query.get("created[gte]", [])]
            high = [datetime.fromisoformat(v) for v in query.get("created[lte]", [])]
        except ValueError:
            return error(400, "API_VALIDATION_ERROR", "invalid filter")
        if not 1 <= limit <= 50:
            return error(400, "API_VALIDATION_ERROR", "limit must be between 1 and 50")
        types = set(query.get("types", []))
        rows = [
            t
            for t in self.transactions()
            if (not types or t["type"] in types)
            and all(datetime.fromisoformat(t["created"]) >= moment for moment in low)
            and all(datetime.fromisoformat(t["created"]) <= moment for moment in high)
        ]
        rows.sort(key=lambda t: (t["created"], t["id"]), reverse=True)
        after = query.get("after_id", [None])[0]
        if after is not None:
            ids = [t["id"] for t in rows]
            if after not in ids:
                return error(400, "API_VALIDATION_ERROR", "after_id is not a transaction")
            rows = rows[ids.index(after) + 1 :]
        page = rows[:limit]
        links = []
        if len(rows) > limit:
            links.append(
                {"href": f"/transactions?after_id={page[-1]['id']}", "method": "GET", "rel": "next"}
            )
        return Answer(200, {"has_more": len(rows) > limit, "data": page, "links": links})


class _Handler(BaseHTTPRequestHandler):
    xendit: FakeXendit

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            body = answer.body
        else:
            body = json.dumps(answer.body, default=_json_default).encode()
        content_type = "text/html" if isinstance(answer.body, bytes) else "application/json"
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", secrets.token_hex(8))
        self.end_headers()
        # The client may have given up waiting (a `hang` longer than its timeout).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
            self.wfile.flush()

    def _authorised(self) -> bool:
        expected = base64.b64encode(f"{self.xendit.secret_key}:".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"

    def _api(self, method: str) -> None:
        fake = self.xendit
        with fake._idle:
            fake._inflight += 1
        try:
            self._answer(method)
        finally:
            with fake._idle:
                fake._inflight -= 1
                fake._idle.notify_all()

    def _answer(self, method: str) -> None:
        fake = self.xendit
        # A GET keeps its query (the transaction list's filters and paging).
        path = self.path if method == "GET" else urlsplit(self.path).path
        raw = b""
        if method == "POST":
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fake.delay_seconds:
            fake._stopped.wait(fake.delay_seconds)
        if not self._authorised():
            self._send(
                error(401, "INVALID_API_KEY", "API key is not authorized for this API service")
            )
            return
        try:
            body = json.loads(raw, parse_float=Decimal) if raw else None
        except ValueError:
            self._send(error(400, "API_VALIDATION_ERROR", "the body is not JSON"))
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer, callback = fake._handle(method, path, body, headers, raw)
        self._send(answer)
        # As Xendit does, the callback follows the answer.
        if callback is not None and fake.callback_url:
            fake.deliver(callback)

    def do_GET(self) -> None:
        self._api("GET")

    def do_POST(self) -> None:
        self._api("POST")
