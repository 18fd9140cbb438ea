from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError


class InsufficientStock(DomainError):
    default_message = _l("Stok tidak mencukupi.")

    def __init__(self, available: int, message: str | None = None) -> None:
        self.available = available
        super().__init__(message)


class InvalidQuantity(DomainError):
    default_message = _l("Jumlah tidak valid.")


class NoteRequired(DomainError):
    default_message = _l("Tuliskan keterangan perubahan stok.")
