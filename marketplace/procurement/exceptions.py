"""Procurement rules that refuse an action; each message tells the user why and what to do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.i18n import rupiah


class ProcurementError(DomainError):
    """A procurement rule refused the action."""

    default_message = _l("Pengadaan ini tidak dapat diproses.")


class OrderValueAboveLimit(ProcurementError):
    """The order's total including PPN is above the top band (SPK): it needs a full contract."""

    default_message = _l(
        "Nilai pesanan melebihi batas tertinggi yang dapat diproses melalui Pasar OPOP."
    )

    def __init__(self, total: int, limit: int) -> None:
        self.total = total
        self.limit = limit
        super().__init__(
            str(
                _l(
                    "Nilai pesanan %(total)s (termasuk PPN) melebihi batas SPK %(limit)s. "
                    "Pengadaan di atas batas ini memerlukan surat perjanjian (kontrak) dan "
                    "tidak dapat diproses melalui Pasar OPOP. Pesanan juga tidak boleh dipecah "
                    "agar tetap di bawah batas.",
                    total=rupiah(total),
                    limit=rupiah(limit),
                )
            )
        )


class CardLimitExceeded(ProcurementError):
    """A government card (KKP) payment would pass the limit per payee."""

    default_message = _l("Pembayaran melebihi batas kartu kredit pemerintah untuk satu penerima.")

    def __init__(self, amount: int, limit: int, already_charged: int = 0) -> None:
        self.amount = amount
        self.limit = limit
        self.already_charged = already_charged
        super().__init__(
            str(
                _l(
                    "Pembayaran dengan kartu kredit pemerintah (KKP) paling banyak %(limit)s "
                    "untuk satu penerima; pembayaran ini %(amount)s, ditambah %(already)s yang "
                    "sudah dibayar dengan kartu. Bayar dengan transfer (SP2D).",
                    limit=rupiah(limit),
                    amount=rupiah(amount),
                    already=rupiah(already_charged),
                )
            )
        )
