"""The procurement workflow's statuses (each with its label), who acts, and what the timeline
speaks of."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import CheckConstraint

from marketplace.labels import LabelledEnum
from marketplace.procurement.models.agency import ProcurementRole

# ------------------------------------------------------------------------------------------
# The workflow: request → quotations (rounds) → Surat Pesanan → deliveries → BAST → invoices
# → payments. Each stateful object has its status machine in `procurement.lifecycle`.
# ------------------------------------------------------------------------------------------


class RequestStatus(LabelledEnum):
    DRAFT = "draft", _l("Draf")
    SENT = "sent", _l("Dikirim ke koperasi")
    AWARDED = "awarded", _l("Surat Pesanan terbit")
    CANCELLED = "cancelled", _l("Dibatalkan")


class QuotationStatus(LabelledEnum):
    #: Waiting for the cooperative's first offer.
    INVITED = "invited", _l("Menunggu penawaran")
    #: The cooperative's offer waits for the pejabat pengadaan.
    QUOTED = "quoted", _l("Penawaran masuk")
    #: The agency's counter-offer waits for the cooperative.
    COUNTERED = "countered", _l("Tawaran balik dikirim")
    #: Both agree on the latest round's prices.
    AGREED = "agreed", _l("Harga disepakati")
    #: Waiting for the PPK.
    FORWARDED = "forwarded", _l("Menunggu persetujuan PPK")
    #: Sent back by the PPK with a reason.
    RETURNED = "returned", _l("Dikembalikan PPK")
    #: A Surat Pesanan was issued.
    APPROVED = "approved", _l("Disetujui PPK")
    #: The cooperative declined.
    DECLINED = "declined", _l("Ditolak koperasi")
    #: An offer or counter-offer was left unanswered too long.
    LAPSED = "lapsed", _l("Kedaluwarsa")
    #: The request was cancelled or went to another cooperative.
    WITHDRAWN = "withdrawn", _l("Ditutup")


class RoundKind(LabelledEnum):
    #: The cooperative's prices.
    OFFER = "offer", _l("Penawaran koperasi")
    #: The agency's counter-offer.
    COUNTER = "counter", _l("Tawaran balik OPD")


class OrderStatus(LabelledEnum):
    #: Waiting for the cooperative's acceptance.
    ISSUED = "issued", _l("Menunggu diterima koperasi")
    ACCEPTED = "accepted", _l("Diterima koperasi")
    #: Some goods accepted by inspection.
    PARTLY_DELIVERED = "partly_delivered", _l("Diterima sebagian")
    #: Every line accepted (or the rest ended by the PPK).
    DELIVERED = "delivered", _l("Barang diterima lengkap")
    #: Delivered, fully invoiced and paid.
    CLOSED = "closed", _l("Selesai dan lunas")
    DECLINED = "declined", _l("Ditolak koperasi")
    LAPSED = "lapsed", _l("Kedaluwarsa")
    CANCELLED = "cancelled", _l("Dibatalkan")


class DeliveryStatus(LabelledEnum):
    #: Delivered with a surat jalan, waiting for inspection.
    SENT = "sent", _l("Menunggu pemeriksaan")
    #: A BAST was issued.
    INSPECTED = "inspected", _l("Sudah diperiksa (BAST)")
    #: Recorded by mistake, withdrawn by the cooperative.
    WITHDRAWN = "withdrawn", _l("Ditarik koperasi")


class InvoiceStatus(LabelledEnum):
    ISSUED = "issued", _l("Menunggu pembayaran")
    PAID = "paid", _l("Lunas")
    #: Cancelled by the cooperative before payment (its number stays; a new one replaces it).
    CANCELLED = "cancelled", _l("Dibatalkan")


class PaymentMethod(LabelledEnum):
    #: Bank transfer, with its SP2D reference.
    TRANSFER = "transfer", _l("Transfer bank (SP2D)")
    #: Kartu Kredit Pemerintah (KKP), within its limit.
    CARD = "card", _l("Kartu Kredit Pemerintah (KKP)")


def _held_by(role: ProcurementRole) -> tuple[str, LazyString]:
    """The actor who holds a role: the role's value and its label, read in one place."""
    return role.value, role._label


class Actor(LabelledEnum):
    """Who made a move: an agency member in one of the roles, the cooperative, or the system."""

    PEJABAT_PENGADAAN = _held_by(ProcurementRole.PEJABAT_PENGADAAN)
    PPK = _held_by(ProcurementRole.PPK)
    PENERIMA = _held_by(ProcurementRole.PENERIMA)
    BENDAHARA = _held_by(ProcurementRole.BENDAHARA)
    COOPERATIVE = "cooperative", _l("Koperasi")
    SYSTEM = "system", _l("Sistem")


class Subject(LabelledEnum):
    """The object a timeline event is about."""

    REQUEST = "request", _l("Permintaan")
    QUOTATION = "quotation", _l("Penawaran")
    PURCHASE_ORDER = "purchase_order", _l("Surat Pesanan")
    DELIVERY = "delivery", _l("Surat jalan")
    INVOICE = "invoice", _l("Invoice")


def non_negative(*columns: str) -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in columns)
