"""Typed errors of the Indonesian payment gateway (payments/xendit_gateway.py).

They extend `ProviderError` and `InvalidWebhook`, so code that already handles a card provider's
failure (a 502 page, "try again later") handles these the same way. The messages are safe to
show; what the gateway said goes in ``detail``, for the log and the city's desk.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.payments.exceptions import InvalidWebhook, PaymentError, ProviderError


class GatewayNotConfigured(PaymentError):
    """QRIS, e-wallets and virtual accounts are off: no key, or no callback token."""

    status_code = 404
    default_message = _l("Pembayaran dengan QRIS, e-wallet dan virtual account belum tersedia.")


class GatewayError(ProviderError):
    """The payment gateway refused or did not answer. Nothing was paid or paid out."""

    default_message = _l(
        "Layanan pembayaran sedang tidak dapat dihubungi. Pesanan Anda tetap tersimpan dan "
        "belum dibayar; coba lagi beberapa saat lagi."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str = "",
        retryable: bool = True,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, detail=detail, retryable=retryable, code=code)
        #: The HTTP status the gateway answered (None when it did not answer).
        self.status = status


class GatewayUnavailable(GatewayError):
    """No answer (connection refused or reset), or the gateway's own error (5xx): try again
    later with the same idempotency key."""


class GatewayTimeout(GatewayUnavailable):
    """No answer within XENDIT_TIMEOUT_SECONDS. The call may still have been carried out: only
    a retry with the same idempotency key is safe."""


class GatewayRefused(GatewayError):
    """The gateway answered that this request cannot be carried out (4xx): the same request
    will be refused again (``code`` says why: API_VALIDATION_ERROR, REFUND_NOT_SUPPORTED, ...)."""

    default_message = _l("Layanan pembayaran menolak permintaan ini.")


class GatewayAuthenticationFailed(GatewayRefused):
    """The gateway refused our key (401/403): a configuration problem, not the shopper's."""


class UnexpectedGatewayAnswer(GatewayError):
    """The gateway answered something we cannot read safely (not JSON, a missing field, an
    amount that is not a whole number of rupiah). Nothing is assumed from it."""


class InvalidCallback(InvalidWebhook):
    """A callback whose token is missing or wrong, or whose body is not a gateway event."""

    default_message = _l("Callback pembayaran tidak valid.")
