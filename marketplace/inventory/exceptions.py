from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError


class InsufficientStock(DomainError):
    """Fewer units are free than asked for; ``available`` says how many are (``on_hand -
    reserved`` when the check ran)."""

    default_message = _l("Stok tidak mencukupi.")

    def __init__(
        self, available: int, message: str | None = None, *, variant_id: int | None = None
    ) -> None:
        self.available = available
        self.variant_id = variant_id
        super().__init__(message)


class InvalidQuantity(DomainError):
    default_message = _l("Jumlah tidak valid.")


class ReservationMismatch(DomainError):
    """Releasing or selling more than is reserved: a bookkeeping error, never a shopper's."""

    status_code = 409
    default_message = _l("Stok yang dipesan tidak sesuai; muat ulang halaman dan coba lagi.")


class NoteRequired(DomainError):
    default_message = _l("Tuliskan keterangan perubahan stok.")


class ImportNotReady(DomainError):
    """Only a previewed import without errors can be confirmed."""

    default_message = _l("Impor tidak dapat dijalankan.")
