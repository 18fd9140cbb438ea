"""Procurement rules that refuse an action; each message tells the user why and what to do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, TransitionRefused
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


class CeilingAboveLimit(ProcurementError):
    """A request's HPS/pagu is above the top band (SPK): the purchase needs a full contract."""

    default_message = _l(
        "HPS/pagu melebihi batas tertinggi yang dapat diproses melalui Pasar OPOP."
    )

    def __init__(self, ceiling: int, limit: int) -> None:
        self.ceiling = ceiling
        self.limit = limit
        super().__init__(
            str(
                _l(
                    "HPS/pagu %(ceiling)s (termasuk PPN) melebihi batas SPK %(limit)s. "
                    "Pengadaan di atas batas ini memerlukan surat perjanjian (kontrak) dan "
                    "tidak dapat diproses melalui Pasar OPOP. Paket juga tidak boleh dipecah "
                    "agar tetap di bawah batas.",
                    ceiling=rupiah(ceiling),
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


class InvalidTransition(TransitionRefused, ProcurementError):
    """A move that the object's status machine (procurement.lifecycle) does not allow now."""

    default_message = _l("Langkah ini tidak dapat dilakukan pada tahap sekarang.")

    def describe(self, source: str, target: str) -> str:
        return str(
            _l(
                "Tahap \u201c%(source)s\u201d tidak dapat diubah menjadi "
                "\u201c%(target)s\u201d. Muat ulang halaman untuk melihat tahap terbaru.",
                source=source,
                target=target,
            )
        )


class InvalidProcurementInput(ProcurementError):
    """Input that cannot be used (a quantity, a price, a date, an unknown id); the message says
    what to change. Nothing was changed."""

    default_message = _l("Periksa kembali isian Anda.")


class QuoteAboveCeiling(ProcurementError):
    """The quotation's total including PPN is above the request's ceiling (HPS/pagu)."""

    default_message = _l("Nilai penawaran melebihi HPS/pagu.")

    def __init__(self, total: int, ceiling: int) -> None:
        self.total = total
        self.ceiling = ceiling
        super().__init__(
            str(
                _l(
                    "Nilai penawaran %(total)s (termasuk PPN) melebihi HPS/pagu %(ceiling)s. "
                    "Tawar ulang harganya; penawaran di atas HPS/pagu tidak dapat disetujui.",
                    total=rupiah(total),
                    ceiling=rupiah(ceiling),
                )
            )
        )


class SplittingNotAcknowledged(ProcurementError):
    """The splitting check warned and the PPK gave no reason to approve anyway."""

    default_message = _l("Tulis alasan persetujuan untuk peringatan pemecahan paket.")


class Lapsed(ProcurementError):
    """The offer or the Surat Pesanan waited past its working days: it can no longer be
    answered (the periodic task, or opening the page, records the lapse)."""

    status_code = 409
    default_message = _l(
        "Batas waktu untuk menjawab sudah lewat: penawaran atau Surat Pesanan ini kedaluwarsa."
    )


class BudgetExceeded(ProcurementError):
    """A request or a Surat Pesanan would take more than what remains of its budget line."""

    status_code = 409
    default_message = _l("Nilai ini melebihi sisa anggaran rekening belanja.")

    def __init__(self, what: str, value: int, account: str, remaining: int, budget: int) -> None:
        self.value = value
        self.remaining = remaining
        super().__init__(
            str(
                _l(
                    "%(what)s %(value)s (termasuk PPN) melebihi sisa anggaran rekening "
                    "%(account)s: %(remaining)s dari pagu %(budget)s, setelah dikurangi Surat "
                    "Pesanan yang sudah terbit. Kurangi nilainya, pilih rekening lain, atau "
                    "minta PPK mencatat pergeseran anggaran.",
                    what=what,
                    value=rupiah(value),
                    account=account,
                    remaining=rupiah(remaining),
                    budget=rupiah(budget),
                )
            )
        )
