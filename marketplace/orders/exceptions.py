from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, TransitionRefused


class InvalidTransition(TransitionRefused):
    """A status change that the vendor order's status machine does not allow."""

    default_message = _l("Status pesanan tidak dapat diubah seperti itu.")

    def describe(self, source: str, target: str) -> str:
        return str(
            _(
                "Pesanan berstatus \u201c%(source)s\u201d tidak dapat diubah menjadi "
                "\u201c%(target)s\u201d.",
                source=source,
                target=target,
            )
        )


class EmailNotVerified(DomainError):
    status_code = 403
    default_message = _l("Verifikasi email Anda dulu sebelum memesan.")


class CheckoutProblem(DomainError):
    """The cart or the checkout choices cannot become an order as they are; the message says
    what to fix."""

    default_message = _l("Pesanan belum dapat dibuat. Periksa kembali keranjang Anda.")


class PricesChanged(CheckoutProblem):
    default_message = _l(
        "Harga atau ongkos kirim berubah sejak halaman ringkasan dibuka. Periksa ringkasan "
        "terbaru, lalu buat pesanan lagi."
    )


class MissingDetail(DomainError):
    """A cooperative's move lacks what the shopper must be told (a reason, a tracking number)."""

    default_message = _l("Lengkapi keterangan yang diminta.")


class UnusualTrackingNumber(MissingDetail):
    """A tracking number unlike its courier's: asked to be confirmed, never refused."""


class ReceiptNotDue(DomainError):
    """The shopper confirms receipt of a part the cooperative has not handed over (or one that
    was cancelled): nothing changes."""

    status_code = 409
    default_message = _l(
        "Penerimaan hanya dapat dikonfirmasi setelah koperasi menyerahkan pesanan kepada Anda."
    )
