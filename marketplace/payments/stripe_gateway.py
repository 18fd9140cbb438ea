"""The one module that talks to Stripe (STYLE.md: payments at the edge).

It creates and reads Checkout Sessions, creates refunds and verifies webhook signatures, and
turns everything Stripe answers into plain values, so nothing else in the app sees a Stripe
object or a Stripe exception. Amounts cross this boundary in whole rupiah; Stripe counts IDR in
hundredths, so the rupiah are multiplied by 100 on the way out (`minor_units`).

Configuration: ``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET``, ``STRIPE_API_BASE`` (another
API address: the tests' fake server), ``STRIPE_TIMEOUT_SECONDS`` (per request),
``STRIPE_MAX_NETWORK_RETRIES`` (Stripe's library retries connection errors and 5xx answers with
the same idempotency key) and ``STRIPE_WEBHOOK_TOLERANCE_SECONDS``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stripe
from flask import current_app

from marketplace import clock
from marketplace.payments.exceptions import InvalidWebhook, ProviderError

log = logging.getLogger(__name__)

#: The currency of every Checkout Session, as Stripe writes it.
CURRENCY = "idr"
#: Stripe refuses a Checkout Session that expires sooner than this (seconds after creation).
MIN_SESSION_SECONDS = 30 * 60
#: ... or later than this.
MAX_SESSION_SECONDS = 24 * 60 * 60


def minor_units(rupiah: int) -> int:
    """Stripe's amount for whole rupiah: IDR is a two-decimal currency in Stripe's API."""
    if not isinstance(rupiah, int) or isinstance(rupiah, bool) or rupiah < 0:
        raise ValueError("amounts are whole, non-negative rupiah")
    return rupiah * 100


def is_configured() -> bool:
    """Card payments need both the API key and the webhook secret (the webhook marks paid)."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


@dataclass(frozen=True)
class LineItem:
    name: str
    amount: int  # whole rupiah for one unit
    quantity: int = 1
    description: str = ""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str | None  # open, complete, expired
    payment_status: str | None  # unpaid, paid, no_payment_required
    amount_total: int | None  # in Stripe's minor units (hundredths of a rupiah)
    currency: str | None
    payment_intent: str | None
    expires_at: int | None
    metadata: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str | None  # pending, succeeded, failed, canceled, requires_action
    amount: int | None  # minor units
    raw: dict[str, Any] = field(default_factory=dict)


def _client() -> stripe.StripeClient:
    """One client per configuration, shared by the app's threads."""
    config = current_app.config
    secret = config.get("STRIPE_SECRET_KEY")
    if not secret:
        raise ProviderError(detail="STRIPE_SECRET_KEY is not set")
    settings = (
        secret,
        config.get("STRIPE_API_BASE"),
        float(config["STRIPE_TIMEOUT_SECONDS"]),
        int(config["STRIPE_MAX_NETWORK_RETRIES"]),
    )
    cached = current_app.extensions.get("stripe_client")
    if cached is not None and cached[0] == settings:
        client: stripe.StripeClient = cached[1]
        return client
    _, api_base, timeout, retries = settings
    client = stripe.StripeClient(
        secret,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )
    current_app.extensions["stripe_client"] = (settings, client)
    return client


def _plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as the JSON Stripe sent (for storing and for reading fields)."""
    if isinstance(obj, Mapping) and not isinstance(obj, stripe.StripeObject):
        return dict(obj)
    value: dict[str, Any] = json.loads(str(obj))
    return value


def _failure(error: stripe.StripeError, doing: str) -> ProviderError:
    retryable = isinstance(
        error, stripe.APIConnectionError | stripe.APIError | stripe.RateLimitError
    )
    detail = f"{type(error).__name__} while {doing}: {error.user_message or error}"
    log.warning("Stripe: %s", detail)
    return ProviderError(detail=detail, retryable=retryable, code=getattr(error, "code", None))


def _session(data: dict[str, Any]) -> CheckoutSession:
    intent = data.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return CheckoutSession(
        id=str(data["id"]),
        url=data.get("url"),
        status=data.get("status"),
        payment_status=data.get("payment_status"),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        payment_intent=intent,
        expires_at=data.get("expires_at"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        raw=data,
    )


def session_from_event(data: Mapping[str, Any]) -> CheckoutSession:
    """The Checkout Session carried by a verified ``checkout.session.*`` event."""
    return _session(dict(data))


def create_checkout_session(
    *,
    lines: Sequence[LineItem],
    metadata: Mapping[str, str],
    idempotency_key: str,
    expires_at: datetime,
    success_url: str,
    cancel_url: str,
    customer_email: str | None = None,
    locale: str | None = None,
    client_reference_id: str | None = None,
) -> CheckoutSession:
    """A Checkout Session in IDR for card payment, one line item per ``lines``.

    The idempotency key makes a retried call (ours or the library's) return the session
    already created instead of creating a second one.
    """
    items = []
    for line in lines:
        product: dict[str, str] = {"name": line.name[:250]}
        if line.description:
            product["description"] = line.description[:500]
        items.append(
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": minor_units(line.amount),
                    "product_data": product,
                },
            }
        )
    params: Any = {
        "mode": "payment",
        "payment_method_types": ["card"],
        "line_items": items,
        "metadata": dict(metadata),
        "payment_intent_data": {"metadata": dict(metadata)},
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    if locale:
        params["locale"] = locale
    if client_reference_id:
        params["client_reference_id"] = client_reference_id
    try:
        session = _client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _failure(error, "creating a Checkout Session") from error
    return _session(_plain(session))


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    try:
        session = _client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as error:
        raise _failure(error, "retrieving a Checkout Session") from error
    return _session(_plain(session))


def create_refund(
    *,
    payment_intent: str,
    amount: int,
    idempotency_key: str,
    metadata: Mapping[str, str],
) -> RefundResult:
    """Refund ``amount`` rupiah (possibly part) of a PaymentIntent."""
    params: Any = {
        "payment_intent": payment_intent,
        "amount": minor_units(amount),
        "reason": "requested_by_customer",
        "metadata": dict(metadata),
    }
    try:
        refund = _client().v1.refunds.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _failure(error, "creating a refund") from error
    data = _plain(refund)
    return RefundResult(
        id=str(data["id"]), status=data.get("status"), amount=data.get("amount"), raw=data
    )


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event a webhook carries, once its signature is checked; `InvalidWebhook` otherwise.

    The signature is Stripe's (HMAC-SHA256 of ``"{timestamp}.{body}"`` with the endpoint's
    secret, sent as ``Stripe-Signature: t=...,v1=...``) and is checked with Stripe's own code.
    The age is checked here against the app's clock, so it can be tested: a signature older (or
    newer) than ``STRIPE_WEBHOOK_TOLERANCE_SECONDS`` is refused as a replay.
    """
    config = current_app.config
    secret = config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise InvalidWebhook(detail="STRIPE_WEBHOOK_SECRET is not set")
    try:
        # Stripe's check decodes the body as UTF-8 and lets the error out (a 500, not a 400).
        payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidWebhook(detail="the body is not UTF-8") from error
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=None)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(detail=str(error)) from error
    assert signature_header is not None
    timestamp = _signed_at(signature_header)
    tolerance = int(config["STRIPE_WEBHOOK_TOLERANCE_SECONDS"])
    if abs(clock.now().timestamp() - timestamp) > tolerance:
        raise InvalidWebhook(detail=f"signature timestamp {timestamp} is outside the tolerance")
    try:
        event: dict[str, Any] = json.loads(payload)
    except ValueError as error:
        raise InvalidWebhook(detail="the body is not JSON") from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidWebhook(detail="the body is not a Stripe event")
    return event


def _signed_at(header: str) -> int:
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    raise InvalidWebhook(detail="no timestamp in the signature header")
