from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, TransitionRefused


class PaymentError(DomainError):
    """A payment rule refused an action; the message is safe to show."""

    default_message = _l("Pembayaran tidak dapat diproses.")


class InvalidPaymentTransition(TransitionRefused, PaymentError):
    """A payment status change that `payments.states.PAYMENT_TRANSITIONS` does not allow."""

    default_message = _l("Status pembayaran tidak dapat diubah seperti itu.")

    def describe(self, source: str, target: str) -> str:
        return str(
            _(
                "Pembayaran berstatus \u201c%(source)s\u201d tidak dapat diubah menjadi "
                "\u201c%(target)s\u201d.",
                source=source,
                target=target,
            )
        )


class CardPaymentsUnavailable(PaymentError):
    status_code = 404
    default_message = _l("Pembayaran dengan kartu belum tersedia.")


class NothingToPay(PaymentError):
    status_code = 409
    default_message = _l("Tidak ada tagihan yang menunggu pembayaran untuk pesanan ini.")


class ProviderError(PaymentError):
    """The card payment provider refused or did not answer. The order is unchanged."""

    status_code = 502
    default_message = _l(
        "Layanan pembayaran kartu sedang tidak dapat dihubungi. Pesanan Anda tetap tersimpan "
        "dan belum dibayar; coba lagi beberapa saat lagi."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str = "",
        retryable: bool = True,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        #: What went wrong, for the log and the city's desk (never shown to shoppers).
        self.detail = detail
        #: Whether trying again later may work (no answer, Stripe's own error, rate limit).
        self.retryable = retryable
        self.code = code


class InvalidWebhook(PaymentError):
    """A webhook whose signature is missing, wrong or too old."""

    default_message = _l("Tanda tangan webhook tidak valid.")

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class ProofProblem(PaymentError):
    """A transfer proof cannot be accepted as it is; the message says why."""

    default_message = _l("Bukti transfer tidak dapat diterima.")


class MissingReason(PaymentError):
    default_message = _l("Tulis alasannya.")


class PayoutProblem(PaymentError):
    default_message = _l("Pembayaran ke koperasi tidak dapat dicatat.")
