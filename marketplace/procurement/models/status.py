"""The procurement workflow's statuses (each with its label), who acts, and what the timeline
speaks of."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint

from marketplace.procurement.models.agency import ProcurementRole

# ------------------------------------------------------------------------------------------
# The workflow: request → quotations (rounds) → Surat Pesanan → deliveries → BAST → invoices
# → payments. Each stateful object has its status machine in `procurement.lifecycle`.
# ------------------------------------------------------------------------------------------


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    AWARDED = "awarded"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(REQUEST_STATUS_LABELS[self])


REQUEST_STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Draf"),
    RequestStatus.SENT: _l("Dikirim ke koperasi"),
    RequestStatus.AWARDED: _l("Surat Pesanan terbit"),
    RequestStatus.CANCELLED: _l("Dibatalkan"),
}


class QuotationStatus(enum.StrEnum):
    INVITED = "invited"  # waiting for the cooperative's first offer
    QUOTED = "quoted"  # the cooperative's offer waits for the pejabat pengadaan
    COUNTERED = "countered"  # the agency's counter-offer waits for the cooperative
    AGREED = "agreed"  # both agree on the latest round's prices
    FORWARDED = "forwarded"  # waiting for the PPK
    RETURNED = "returned"  # sent back by the PPK with a reason
    APPROVED = "approved"  # a Surat Pesanan was issued
    DECLINED = "declined"  # the cooperative declined
    LAPSED = "lapsed"  # an offer or counter-offer was left unanswered too long
    WITHDRAWN = "withdrawn"  # the request was cancelled or went to another cooperative

    @property
    def label(self) -> str:
        return str(QUOTATION_STATUS_LABELS[self])


QUOTATION_STATUS_LABELS = {
    QuotationStatus.INVITED: _l("Menunggu penawaran"),
    QuotationStatus.QUOTED: _l("Penawaran masuk"),
    QuotationStatus.COUNTERED: _l("Tawaran balik dikirim"),
    QuotationStatus.AGREED: _l("Harga disepakati"),
    QuotationStatus.FORWARDED: _l("Menunggu persetujuan PPK"),
    QuotationStatus.RETURNED: _l("Dikembalikan PPK"),
    QuotationStatus.APPROVED: _l("Disetujui PPK"),
    QuotationStatus.DECLINED: _l("Ditolak koperasi"),
    QuotationStatus.LAPSED: _l("Kedaluwarsa"),
    QuotationStatus.WITHDRAWN: _l("Ditutup"),
}


class RoundKind(enum.StrEnum):
    OFFER = "offer"  # the cooperative's prices
    COUNTER = "counter"  # the agency's counter-offer

    @property
    def label(self) -> str:
        return str(ROUND_KIND_LABELS[self])


ROUND_KIND_LABELS = {
    RoundKind.OFFER: _l("Penawaran koperasi"),
    RoundKind.COUNTER: _l("Tawaran balik OPD"),
}


class OrderStatus(enum.StrEnum):
    ISSUED = "issued"  # waiting for the cooperative's acceptance
    ACCEPTED = "accepted"
    PARTLY_DELIVERED = "partly_delivered"  # some goods accepted by inspection
    DELIVERED = "delivered"  # every line accepted (or the rest ended by the PPK)
    CLOSED = "closed"  # delivered, fully invoiced and paid
    DECLINED = "declined"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(ORDER_STATUS_LABELS[self])


ORDER_STATUS_LABELS = {
    OrderStatus.ISSUED: _l("Menunggu diterima koperasi"),
    OrderStatus.ACCEPTED: _l("Diterima koperasi"),
    OrderStatus.PARTLY_DELIVERED: _l("Diterima sebagian"),
    OrderStatus.DELIVERED: _l("Barang diterima lengkap"),
    OrderStatus.CLOSED: _l("Selesai dan lunas"),
    OrderStatus.DECLINED: _l("Ditolak koperasi"),
    OrderStatus.LAPSED: _l("Kedaluwarsa"),
    OrderStatus.CANCELLED: _l("Dibatalkan"),
}


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"  # delivered with a surat jalan, waiting for inspection
    INSPECTED = "inspected"  # a BAST was issued
    WITHDRAWN = "withdrawn"  # recorded by mistake, withdrawn by the cooperative

    @property
    def label(self) -> str:
        return str(DELIVERY_STATUS_LABELS[self])


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.SENT: _l("Menunggu pemeriksaan"),
    DeliveryStatus.INSPECTED: _l("Sudah diperiksa (BAST)"),
    DeliveryStatus.WITHDRAWN: _l("Ditarik koperasi"),
}


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"
    PAID = "paid"

    @property
    def label(self) -> str:
        return str(INVOICE_STATUS_LABELS[self])


INVOICE_STATUS_LABELS = {
    InvoiceStatus.ISSUED: _l("Menunggu pembayaran"),
    InvoiceStatus.PAID: _l("Lunas"),
}


class PaymentMethod(enum.StrEnum):
    TRANSFER = "transfer"  # bank transfer, with its SP2D reference
    CARD = "card"  # Kartu Kredit Pemerintah (KKP), within its limit

    @property
    def label(self) -> str:
        return str(PAYMENT_METHOD_LABELS[self])


PAYMENT_METHOD_LABELS = {
    PaymentMethod.TRANSFER: _l("Transfer bank (SP2D)"),
    PaymentMethod.CARD: _l("Kartu Kredit Pemerintah (KKP)"),
}


class Actor(enum.StrEnum):
    """Who made a move: an agency member in one of the roles, the cooperative, or the system."""

    PEJABAT_PENGADAAN = ProcurementRole.PEJABAT_PENGADAAN.value
    PPK = ProcurementRole.PPK.value
    PENERIMA = ProcurementRole.PENERIMA.value
    BENDAHARA = ProcurementRole.BENDAHARA.value
    COOPERATIVE = "cooperative"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        if self == Actor.COOPERATIVE:
            return str(_l("Koperasi"))
        if self == Actor.SYSTEM:
            return str(_l("Sistem"))
        return ProcurementRole(self.value).label


class Subject(enum.StrEnum):
    """The object a timeline event is about."""

    REQUEST = "request"
    QUOTATION = "quotation"
    PURCHASE_ORDER = "purchase_order"
    DELIVERY = "delivery"
    INVOICE = "invoice"


def non_negative(*columns: str) -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in columns)
