"""A small fake of Stripe's API, so tests never touch the network.

It serves, on 127.0.0.1 at a port from `tests.ports.free_port`, what the gateway uses:

* ``POST /v1/checkout/sessions`` (form-encoded like Stripe, checks the API key, the currency and
  that ``expires_at`` is 30 minutes to 24 hours ahead, honours ``Idempotency-Key``),
* ``GET /v1/checkout/sessions/{id}``,
* ``POST /v1/refunds`` (partial refunds, never more than is left),

with Stripe-shaped errors, and switches to make the next calls fail (`fail_next`) or answer
late (`hang`). It replaces Stripe's hosted page with a test page, ``GET /pay/{session_id}``, whose
"Bayar" button completes the session, signs a ``checkout.session.completed`` event with Stripe's
real algorithm (HMAC-SHA256 of ``"{timestamp}.{payload}"``, sent as
``Stripe-Signature: t=...,v1=...``), POSTs it to the app's webhook and redirects to the success URL.

Tests that use the Flask test client build the same signed events with `complete`, `expire`,
`payment_failed` and `charge_refunded`, and post them themselves.

Its clock is the app's (`marketplace.clock`), so tests that freeze time stay consistent.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from marketplace import clock
from tests.ports import free_port

HOST = "127.0.0.1"
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 60 * 60


@dataclass(frozen=True)
class SignedEvent:
    """A webhook delivery: the exact body and the headers Stripe would send."""

    event: dict[str, Any]
    payload: bytes
    headers: dict[str, str]

    @property
    def id(self) -> str:
        return str(self.event["id"])


@dataclass
class Failure:
    status: int
    body: dict[str, Any]


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


def _nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0][c]=v`` form fields into nested dicts and lists, as Stripe reads them."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


def _error(
    status: int, type_: str, message: str, param: str | None = None, code: str | None = None
) -> Failure:
    body: dict[str, Any] = {"type": type_, "message": message}
    if param:
        body["param"] = param
    if code:
        body["code"] = code
    return Failure(status, {"error": body})


class FakeStripe:
    """Start with `start`, stop with `stop`; `reset` between tests."""

    def __init__(
        self,
        secret_key: str = "sk_test_fake_opop",
        webhook_secret: str = "whsec_fake_opop",
        now: Callable[[], int] | None = None,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.now = now or (lambda: int(clock.now().timestamp()))
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.webhook_url: str | None = None
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
            self.sessions: dict[str, dict[str, Any]] = {}
            self.intents: dict[str, dict[str, Any]] = {}
            self.refunds: dict[str, dict[str, Any]] = {}
            self.requests: list[Recorded] = []
            self.deliveries: list[tuple[int, str]] = []
            self._idempotent: dict[str, tuple[str, Failure]] = {}
            self._failures: list[Failure] = []
            self.delay_seconds = 0.0

    def settle(self, timeout: float = 30) -> None:
        """Wait until no API call is being answered."""
        with self._idle:
            self._idle.wait_for(lambda: self._inflight == 0, timeout=timeout)

    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe = fake

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"fake-stripe-{self.port}", daemon=True
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
        type_: str = "api_error",
        message: str = "Something went wrong on Stripe's end.",
        code: str | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` API calls answer this error (nothing is created)."""
        with self._lock:
            self._failures.extend([_error(status, type_, message, code=code)] * times)

    def hang(self, seconds: float) -> None:
        """API calls answer only after ``seconds`` (then do their work, as a slow Stripe would)."""
        self.delay_seconds = seconds

    # -- what tests read -------------------------------------------------------------------

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    @property
    def only_session(self) -> dict[str, Any]:
        assert len(self.sessions) == 1, list(self.sessions)
        return next(iter(self.sessions.values()))

    # -- events ----------------------------------------------------------------------------

    def sign(self, payload: bytes, timestamp: int | None = None, secret: str | None = None) -> str:
        """Stripe's signature header for ``payload`` (the real algorithm)."""
        timestamp = self.now() if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new(
            (secret or self.webhook_secret).encode(), signed, hashlib.sha256
        ).hexdigest()
        return f"t={timestamp},v1={digest}"

    def event(
        self,
        type_: str,
        obj: dict[str, Any],
        *,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> SignedEvent:
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2025-10-29.clover",
            "created": self.now(),
            "type": type_,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }
        payload = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": self.sign(payload, timestamp, secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        return SignedEvent(event, payload, headers)

    def _public(self, session: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def complete(
        self, session_id: str, *, amount_total: int | None = None, currency: str | None = None
    ) -> SignedEvent:
        """The shopper paid: the session completes and a PaymentIntent exists. ``amount_total``
        and ``currency`` override what Stripe reports (to test a mismatch)."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                intent_id = f"pi_{secrets.token_hex(12)}"
                amount = session["amount_total"] if amount_total is None else amount_total
                self.intents[intent_id] = {
                    "id": intent_id,
                    "amount_received": amount,
                    "amount_refunded": 0,
                    "charge": f"ch_{secrets.token_hex(12)}",
                    "currency": currency or session["currency"],
                    "metadata": session["metadata"],
                }
                session.update(
                    status="complete",
                    payment_status="paid",
                    payment_intent=intent_id,
                    amount_total=amount,
                    currency=currency or session["currency"],
                )
            return self.event("checkout.session.completed", self._public(session))

    def expire(self, session_id: str) -> SignedEvent:
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session["status"] = "expired"
            return self.event("checkout.session.expired", self._public(session))

    def payment_failed(
        self, session_id: str, message: str = "Your card was declined."
    ) -> SignedEvent:
        with self._lock:
            session = self.sessions[session_id]
            intent = {
                "id": f"pi_{secrets.token_hex(12)}",
                "object": "payment_intent",
                "status": "requires_payment_method",
                "metadata": session["metadata"],
                "last_payment_error": {"code": "card_declined", "message": message},
            }
            return self.event("payment_intent.payment_failed", intent)

    def charge_refunded(self, payment_intent: str, extra: int = 0) -> SignedEvent:
        """Stripe's ``charge.refunded``; ``extra`` refunds that much more first (as if someone
        refunded from Stripe's dashboard)."""
        with self._lock:
            intent = self.intents[payment_intent]
            intent["amount_refunded"] += extra
            charge = {
                "id": intent["charge"],
                "object": "charge",
                "amount": intent["amount_received"],
                "amount_refunded": intent["amount_refunded"],
                "currency": intent["currency"],
                "payment_intent": payment_intent,
                "refunded": intent["amount_refunded"] >= intent["amount_received"],
            }
            return self.event("charge.refunded", charge)

    def deliver(self, signed: SignedEvent) -> tuple[int, str]:
        """POST the event to the app's webhook, as Stripe would."""
        assert self.webhook_url, "set webhook_url first"
        request = urllib.request.Request(  # noqa: S310 - a local URL the test chose
            self.webhook_url, data=signed.payload, headers=signed.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                result = (response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            result = (error.code, error.read().decode())
        self.deliveries.append(result)
        return result

    # -- the API ---------------------------------------------------------------------------

    def _handle_api(
        self, method: str, path: str, params: dict[str, Any], key: str | None, raw: str
    ) -> Failure:
        with self._lock:
            self.requests.append(Recorded(method, path, params, key))
            if self._failures:
                return self._failures.pop(0)
            if key is not None and method == "POST":
                seen = self._idempotent.get(key)
                if seen is not None:
                    if seen[0] != f"{path}?{raw}":
                        return _error(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        )
                    return seen[1]
            result = self._route(method, path, params)
            if key is not None and method == "POST" and result.status < 500:
                self._idempotent[key] = (f"{path}?{raw}", result)
            return result

    def _route(self, method: str, path: str, params: dict[str, Any]) -> Failure:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(params)
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[-1])
            if session is None:
                return _error(
                    404,
                    "invalid_request_error",
                    f"No such checkout.session: '{path.rsplit('/', 1)[-1]}'",
                    code="resource_missing",
                )
            return Failure(200, self._public(session))
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(params)
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _create_session(self, params: dict[str, Any]) -> Failure:
        now = self.now()
        for name in ("success_url", "cancel_url"):
            if not params.get(name):
                return _error(
                    400, "invalid_request_error", f"Missing required param: {name}.", name
                )
        if params.get("mode") != "payment":
            return _error(400, "invalid_request_error", "Invalid mode.", "mode")
        items = params.get("line_items") or []
        if not isinstance(items, list) or not items:
            return _error(400, "invalid_request_error", "Missing line_items.", "line_items")
        total = 0
        for index, item in enumerate(items):
            price = item.get("price_data") or {}
            if price.get("currency") != "idr":
                return _error(
                    400,
                    "invalid_request_error",
                    "This fake only takes IDR.",
                    f"line_items[{index}][price_data][currency]",
                )
            amount, quantity = price.get("unit_amount", ""), item.get("quantity", "1")
            if not str(amount).isdigit() or not str(quantity).isdigit() or int(quantity) < 1:
                return _error(
                    400,
                    "invalid_request_error",
                    "Invalid integer.",
                    f"line_items[{index}][price_data][unit_amount]",
                    "parameter_invalid_integer",
                )
            total += int(amount) * int(quantity)
        expires_at = str(params.get("expires_at", ""))
        if expires_at:
            if not expires_at.isdigit():
                return _error(400, "invalid_request_error", "Invalid integer.", "expires_at")
            if not now + MIN_EXPIRY <= int(expires_at) <= now + MAX_EXPIRY:
                return _error(
                    400,
                    "invalid_request_error",
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                    "Checkout Session creation.",
                    "expires_at",
                )
        session_id = f"cs_test_{secrets.token_hex(16)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": total,
            "currency": "idr",
            "payment_intent": None,
            "url": f"{self.url}/pay/{session_id}",
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "expires_at": int(expires_at) if expires_at else now + MAX_EXPIRY,
            "created": now,
            "metadata": params.get("metadata") or {},
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "locale": params.get("locale"),
            "livemode": False,
            "_line_items": items,
        }
        self.sessions[session_id] = session
        return Failure(200, self._public(session))

    def _create_refund(self, params: dict[str, Any]) -> Failure:
        intent = self.intents.get(str(params.get("payment_intent", "")))
        if intent is None:
            return _error(
                404,
                "invalid_request_error",
                f"No such payment_intent: '{params.get('payment_intent')}'",
                "payment_intent",
                "resource_missing",
            )
        left = intent["amount_received"] - intent["amount_refunded"]
        amount = str(params.get("amount", left))
        if not amount.isdigit() or int(amount) <= 0:
            return _error(400, "invalid_request_error", "Invalid integer.", "amount")
        if int(amount) > left:
            return _error(
                400,
                "invalid_request_error",
                f"Refund amount ({int(amount)}) is greater than unrefunded amount on charge "
                f"({left})",
                "amount",
                "amount_too_large",
            )
        intent["amount_refunded"] += int(amount)
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": int(amount),
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": intent["charge"],
            "status": "succeeded",
            "reason": params.get("reason"),
            "metadata": params.get("metadata") or {},
            "created": self.now(),
        }
        self.refunds[refund["id"]] = refund
        return Failure(200, refund)

    # -- the hosted page -------------------------------------------------------------------

    def _pay_page(self, session_id: str) -> tuple[int, str]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, "<!doctype html><title>Not found</title><p>No such session.</p>"
        rows = "".join(
            "<li>{} · IDR {:,.2f}</li>".format(
                html.escape(item["price_data"]["product_data"]["name"]),
                int(item["price_data"]["unit_amount"]) / 100,
            )
            for item in session["_line_items"]
        )
        if session["status"] != "open":
            body = f"<p>Session {html.escape(session['status'])}.</p>"
        else:
            body = (
                f'<form method="post" action="/pay/{session_id}">'
                f'<button type="submit">Bayar</button></form>'
                f'<p><a href="{html.escape(session["cancel_url"])}">Batal</a></p>'
            )
        return 200, (
            '<!doctype html><html lang="id"><head><meta charset="utf-8">'
            '<title>Fake Stripe Checkout</title><link rel="icon" href="data:,"></head><body><main>'
            f"<h1>Fake Stripe Checkout</h1><ul>{rows}</ul>"
            f"<p>Total: IDR {session['amount_total'] / 100:,.2f}</p>{body}</main></body></html>"
        )

    def _pay(self, session_id: str) -> tuple[int, str]:
        session = self.sessions.get(session_id)
        if session is None or session["status"] != "open":
            return 404, ""
        signed = self.complete(session_id)
        if self.webhook_url:
            self.deliver(signed)
        return 303, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(8)}")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # The client may have given up waiting (a `hang` longer than its timeout).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _api(self, method: str) -> None:
        fake = self.stripe
        with fake._idle:
            fake._inflight += 1
        try:
            self._answer(method)
        finally:
            with fake._idle:
                fake._inflight -= 1
                fake._idle.notify_all()

    def _answer(self, method: str) -> None:
        fake = self.stripe
        parts = urlsplit(self.path)
        raw = parts.query
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
        if fake.delay_seconds:
            fake._stopped.wait(fake.delay_seconds)
        if self.headers.get("Authorization") != f"Bearer {fake.secret_key}":
            result = _error(401, "invalid_request_error", "Invalid API Key provided.")
        else:
            params = _nested(parse_qsl(raw, keep_blank_values=True))
            result = fake._handle_api(
                method, parts.path, params, self.headers.get("Idempotency-Key"), raw
            )
        self._send(result.status, json.dumps(result.body).encode(), "application/json")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/pay/"):
            status, page = self.stripe._pay_page(path.removeprefix("/pay/"))
            self._send(status, page.encode(), "text/html; charset=utf-8")
        else:
            self._api("GET")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/pay/"):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, location = self.stripe._pay(path.removeprefix("/pay/"))
            self._send(status, b"", "text/plain", {"Location": location} if location else None)
        else:
            self._api("POST")
