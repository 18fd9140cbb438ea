"""Payment records. One `Payment` per attempt to pay (a Stripe Checkout Session, an uploaded
transfer proof, cash handed over at pickup), with `PaymentAllocation` rows saying which vendor
orders it pays and how much of it each; `PaymentEvent` is its log. `Refund` is money going back;
`StripeEvent` keeps every webhook event once (its id is unique); `SettlementEntry` is the
cooperatives' ledger.

Money is whole rupiah in BigInteger columns, each with a CHECK that it is not negative.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum
from marketplace.orders.models import Order, PaymentMethod, VendorOrder
from marketplace.payments.ledger_kinds import ENTRY_SIGNS as ENTRY_SIGNS
from marketplace.payments.ledger_kinds import EntryKind as EntryKind


class PaymentStatus(LabelledEnum):
    """Where an attempt stands. The allowed moves are `payments.states.PAYMENT_TRANSITIONS`."""

    #: Waiting: a Checkout Session is open, or a transfer proof awaits review.
    PENDING = "pending", _l("Menunggu")
    #: The money arrived and was applied to the order's parts.
    SUCCEEDED = "succeeded", _l("Berhasil")
    #: The money arrived but did not match the order (amount or currency): not applied, flagged.
    HELD = "held", _l("Ditahan untuk diperiksa")
    #: The attempt could not start (the provider refused or did not answer).
    FAILED = "failed", _l("Gagal")
    #: The Checkout Session expired unpaid.
    EXPIRED = "expired", _l("Kedaluwarsa")
    #: The transfer proof was rejected (a reason is recorded).
    REJECTED = "rejected", _l("Ditolak")
    #: Everything received has been returned.
    REFUNDED = "refunded", _l("Dikembalikan")


#: A transfer is decided on its proof: its statuses say so (`Payment.status_label`), and never
#: "Diterima", the delivered part's word.
TRANSFER_STATUS_LABELS = {
    PaymentStatus.PENDING: _l("Bukti sedang diperiksa"),
    PaymentStatus.SUCCEEDED: _l("Bukti disetujui"),
    PaymentStatus.REJECTED: _l("Bukti ditolak"),
}


class Payee(enum.StrEnum):
    """Whose account the money went to."""

    PLATFORM = "platform"
    COOPERATIVE = "cooperative"


class PaymentFlag(LabelledEnum):
    """Why the city should look at a payment."""

    AMOUNT_MISMATCH = "amount_mismatch", _l("Jumlah atau mata uang tidak sesuai pesanan")
    PAID_AFTER_CANCEL = "paid_after_cancel", _l("Dibayar setelah pesanan dibatalkan")
    DUPLICATE = "duplicate", _l("Pembayaran ganda")
    REFUNDED_OUTSIDE = "refunded_outside", _l("Dana dikembalikan di luar Pasar OPOP")
    #: A refund paid out to the shopper's account came back from the bank after it completed.
    REFUND_RETURNED = "refund_returned", _l("Transfer pengembalian dana dikembalikan oleh bank")


class Payment(TimestampMixin, Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(in_check(PaymentMethod, "method"), name="method"),
        CheckConstraint(in_check(PaymentStatus, "status"), name="status"),
        CheckConstraint(in_check(Payee, "payee"), name="payee"),
        CheckConstraint("flag IS NULL OR " + in_check(PaymentFlag, "flag"), name="flag"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("gateway_fee IS NULL OR gateway_fee >= 0", name="gateway_fee_non_negative"),
        CheckConstraint("currency = 'IDR'", name="currency_idr"),
        # Stripe's ids of the Checkout Session and of its PaymentIntent find the payment again.
        UniqueConstraint("provider_reference", name="uq_payments_provider_reference"),
        UniqueConstraint("idempotency_key", name="uq_payments_idempotency_key"),
        Index("ix_payments_payment_intent", "payment_intent"),
        Index("ix_payments_order_id_id", "order_id", "id"),
        # The city's desk and the cooperatives' screens list waiting proofs and open flags.
        Index("ix_payments_method_status", "method", "status"),
        Index("ix_payments_flag_resolved_at", "flag", "flag_resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=PaymentStatus.PENDING)
    amount: Mapped[int] = money_column()
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    payee: Mapped[str] = mapped_column(String(12))
    #: What the shopper writes on a transfer (the order number, with the part for a cooperative).
    reference: Mapped[str] = mapped_column(String(40), default="")
    #: The provider's id: the Stripe Checkout Session (card); NULL for transfers and cash.
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    payment_intent: Mapped[str | None] = mapped_column(String(255))
    #: The gateway's channel the shopper chose: QRIS, a bank (BCA, ...) or an e-wallet (OVO, ...).
    channel: Mapped[str | None] = mapped_column(String(20))
    #: From the daily reconciliation: Xendit's transaction for this payment and its fee (with
    #: the VAT on it), whole rupiah, borne by the platform.
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(80))
    gateway_fee: Mapped[int | None] = money_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    checkout_url: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    # The account the shopper was told to transfer to, as it was then.
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account_number: Mapped[str | None] = mapped_column(String(30))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    # The transfer proof: stored under a random name in a private folder.
    proof_key: Mapped[str | None] = mapped_column(String(255))
    proof_content_type: Mapped[str | None] = mapped_column(String(40))
    proof_size: Mapped[int | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(String(24))
    flag_note: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[datetime | None]
    flag_resolved_at: Mapped[datetime | None]
    flag_resolved_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    flag_resolution: Mapped[str | None] = mapped_column(Text)
    #: The provider's last error (a failed start, a failed card attempt).
    error: Mapped[str | None] = mapped_column(Text)
    #: The provider's latest view of this payment, as it sent it.
    raw_payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    order: Mapped[Order] = relationship()
    allocations: Mapped[list[PaymentAllocation]] = relationship(
        back_populates="payment", order_by="PaymentAllocation.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[PaymentEvent]] = relationship(
        back_populates="payment", order_by="PaymentEvent.id", cascade="all, delete-orphan"
    )
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def state(self) -> PaymentStatus:
        return PaymentStatus(self.status)

    @property
    def kind(self) -> PaymentMethod:
        return PaymentMethod(self.method)

    @property
    def status_label(self) -> str:
        """The status in words for this kind of payment (a transfer's proof is "disetujui")."""
        if self.method == PaymentMethod.BANK_TRANSFER and self.state in TRANSFER_STATUS_LABELS:
            return str(TRANSFER_STATUS_LABELS[self.state])
        return self.state.label

    @property
    def flag_kind(self) -> PaymentFlag | None:
        return PaymentFlag(self.flag) if self.flag else None

    @property
    def is_flag_open(self) -> bool:
        return self.flag is not None and self.flag_resolved_at is None

    @property
    def refunded_amount(self) -> int:
        """What has been (or is being) returned of this payment."""
        return sum(r.amount for r in self.refunds if r.state != RefundStatus.FAILED)


class PaymentAllocation(Model):
    """The part of a payment meant for one vendor order."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint(
            "payment_id", "vendor_order_id", name="uq_payment_allocations_payment_vendor_order"
        ),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = money_column()

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    vendor_order: Mapped[VendorOrder] = relationship()


class PaymentEvent(Model):
    """One line of a payment's log: a status change, a webhook, a decision, a refund."""

    __tablename__ = "payment_events"
    __table_args__ = (
        CheckConstraint(
            "from_status IS NULL OR " + in_check(PaymentStatus, "from_status"), name="from_status"
        ),
        CheckConstraint(
            "to_status IS NULL OR " + in_check(PaymentStatus, "to_status"), name="to_status"
        ),
        Index("ix_payment_events_payment_id_id", "payment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    payment: Mapped[Payment] = relationship(back_populates="events")

    @property
    def to_label(self) -> str | None:
        if not self.to_status:
            return None
        status = PaymentStatus(self.to_status)
        if self.payment.method == PaymentMethod.BANK_TRANSFER and status in TRANSFER_STATUS_LABELS:
            return str(TRANSFER_STATUS_LABELS[status])
        return status.label


class RefundMethod(enum.StrEnum):
    #: Through Stripe, to the card that paid.
    CARD = "card"
    #: Returned by bank transfer by people: a city administrator records it with its reference.
    TRANSFER = "transfer"
    #: Through the Indonesian gateway's Refund API, to the e-wallet or QRIS source that paid.
    GATEWAY = "gateway"
    #: Paid out through the gateway to a bank account the shopper gives (a virtual account,
    #: or a payment the gateway cannot refund).
    PAYOUT = "payout"
    #: The cooperative collected the money itself (a transfer to its own account, cash at
    #: pickup), so it returns it and records the transfer with a proof the shopper confirms
    #: (a complaint's refund).
    COOPERATIVE = "by_coop"


#: How each refund goes back, in the words the shopper and the city read.
REFUND_METHOD_LABELS = {
    RefundMethod.CARD: _l("Ke kartu yang membayar"),
    RefundMethod.TRANSFER: _l("Transfer bank"),
    RefundMethod.GATEWAY: _l("Ke e-wallet atau aplikasi yang membayar"),
    RefundMethod.PAYOUT: _l("Transfer ke rekening Anda"),
    RefundMethod.COOPERATIVE: _l("Dikembalikan langsung oleh koperasi"),
}


class RefundStatus(LabelledEnum):
    #: To do: Stripe not called yet (or to retry), or a transfer not made yet.
    PENDING = "pending", _l("Sedang diproses")
    SUCCEEDED = "succeeded", _l("Selesai")
    #: Stripe refused it, or gave up after the retries; the city must act.
    FAILED = "failed", _l("Gagal")


class RefundReason(enum.StrEnum):
    CANCELLED = "cancelled"
    PAID_AFTER_CANCEL = "paid_after_cancel"
    DUPLICATE = "duplicate"
    #: The cooperative (or the city) accepted a complaint about delivered goods.
    COMPLAINT = "complaint"


class Refund(TimestampMixin, Model):
    """Money going back to the shopper: a part's amount (its goods and delivery fee)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(in_check(RefundMethod, "method"), name="method"),
        CheckConstraint(in_check(RefundStatus, "status"), name="status"),
        CheckConstraint(in_check(RefundReason, "reason"), name="reason"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("gateway_fee IS NULL OR gateway_fee >= 0", name="gateway_fee_non_negative"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint("gateway_round >= 0", name="gateway_round_non_negative"),
        UniqueConstraint("idempotency_key", name="uq_refunds_idempotency_key"),
        # One refund of a payment per part: a second cancellation signal changes nothing. A
        # complaint's refund is apart (a part may have both): it is once per complaint.
        Index(
            "uq_refunds_payment_id_vendor_order_id",
            "payment_id",
            "vendor_order_id",
            unique=True,
            sqlite_where=text("complaint_id IS NULL"),
            postgresql_where=text("complaint_id IS NULL"),
        ),
        UniqueConstraint("complaint_id", name="uq_refunds_complaint_id"),
        Index("ix_refunds_status_method", "status", "method"),
        # A gateway's callback names its refund or payout by the gateway's id.
        Index("ix_refunds_provider_reference", "provider_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=RefundStatus.PENDING)
    reason: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = money_column()
    idempotency_key: Mapped[str] = mapped_column(String(80))
    #: Stripe's refund id, or the bank reference of the transfer back.
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raw_payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A payout's destination, as the shopper gave it (`payments.gateway_refunds`): the gateway's
    #: channel code (ID_BCA, ...), the account number and its holder. Empty until given, and
    #: emptied again when the bank refuses the account, so the shopper can correct it.
    payout_channel: Mapped[str | None] = mapped_column(String(20))
    payout_account_number: Mapped[str | None] = mapped_column(String(30))
    payout_account_holder: Mapped[str | None] = mapped_column(String(120))
    #: Xendit's fee on a refund it made (its Refund API reports it), the platform's.
    gateway_fee: Mapped[int | None] = money_column()
    #: Each new attempt at the gateway after one it settled as failed (a corrected account, a
    #: refund the city retries) gets a new idempotency key; a call that only went unanswered
    #: is sent again under the same key.
    gateway_round: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The complaint this refund settles (its idempotency: one refund per complaint). The key
    #: is by table name, so payments never imports complaints.
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="RESTRICT")
    )

    payment: Mapped[Payment | None] = relationship(back_populates="refunds")
    vendor_order: Mapped[VendorOrder | None] = relationship()
    order: Mapped[Order] = relationship()

    @property
    def state(self) -> RefundStatus:
        return RefundStatus(self.status)

    @property
    def kind(self) -> RefundMethod:
        return RefundMethod(self.method)

    @property
    def method_label(self) -> str:
        return str(REFUND_METHOD_LABELS[self.kind])

    @property
    def needs_account(self) -> bool:
        """A payout waiting for the shopper's bank account (or a corrected one)."""
        return (
            self.method == RefundMethod.PAYOUT
            and self.status == RefundStatus.PENDING
            and not self.payout_account_number
        )

    @property
    def status_label(self) -> str:
        """Where the refund stands, in the shopper's words."""
        if self.needs_account:
            return str(_l("Menunggu rekening bank Anda"))
        if self.method == RefundMethod.PAYOUT and self.status == RefundStatus.PENDING:
            return str(_l("Sedang ditransfer ke rekening Anda"))
        return self.state.label


class StripeEvent(Model):
    """Every Stripe webhook event received, once: a repeated delivery hits the unique id."""

    __tablename__ = "stripe_events"
    __table_args__ = (UniqueConstraint("event_id", name="uq_stripe_events_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(80), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SettlementEntry(Model):
    """One line of a cooperative's ledger. Entries are only ever added; the balance is their
    signed sum (there is no stored balance to drift from it)."""

    __tablename__ = "settlement_entries"
    __table_args__ = (
        CheckConstraint(in_check(EntryKind, "kind"), name="kind"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        # Every entry but a payout (its return, its fee) belongs to a shop order's part or a
        # government invoice.
        CheckConstraint(
            "(kind IN ('payout', 'returned', 'payout_fee'))"
            " = (vendor_order_id IS NULL AND invoice_id IS NULL)",
            name="payout_has_no_vendor_order",
        ),
        CheckConstraint("vendor_order_id IS NULL OR invoice_id IS NULL", name="one_source"),
        CheckConstraint(
            "kind <> 'payout' OR (paid_on IS NOT NULL AND bank_reference IS NOT NULL)",
            name="payout_details",
        ),
        # A delivered part is posted once, whatever repeats the signal.
        UniqueConstraint(
            "vendor_order_id", "kind", name="uq_settlement_entries_vendor_order_id_kind"
        ),
        # A government invoice's payment is posted once and reversed at most once; the invoice
        # may be paid again after a reversal (a new payment).
        UniqueConstraint(
            "invoice_payment_id", "kind", name="uq_settlement_entries_invoice_payment_id_kind"
        ),
        CheckConstraint(
            "(invoice_id IS NULL) = (invoice_payment_id IS NULL)", name="invoice_payment"
        ),
        Index("ix_settlement_entries_cooperative_id_id", "cooperative_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = money_column()
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT")
    )
    #: A government invoice paid by an agency's treasurer (procurement posts these; the
    #: foreign key is by table name, so payments never imports procurement).
    invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="RESTRICT")
    )
    #: The treasurer's payment of that invoice the entry posts or reverses.
    invoice_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_payments.id", ondelete="RESTRICT")
    )
    #: The order or invoice number, copied so the statement reads without joins.
    order_number: Mapped[str | None] = mapped_column(String(24))
    paid_on: Mapped[date | None]
    bank_reference: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cooperative: Mapped[Cooperative] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def entry_kind(self) -> EntryKind:
        return EntryKind(self.kind)

    @property
    def signed_amount(self) -> int:
        return ENTRY_SIGNS[self.entry_kind] * self.amount


class GatewayCallbackRecord(Model):
    """Every callback of the Indonesian gateway (Xendit) received, once: a repeated delivery
    hits the unique key (Xendit's ``webhook-id`` where sent, else the payment and its status,
    `xendit_records.GatewayCallback.dedup_key`)."""

    __tablename__ = "gateway_callbacks"
    __table_args__ = (UniqueConstraint("dedup_key", name="uq_gateway_callbacks_dedup_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(80), index=True)
    #: The payment request (pr-...) or payment method (pm-...) the callback is about.
    object_id: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PayoutStatus(LabelledEnum):
    """A payout to a cooperative through the gateway (`payments.payouts`)."""

    #: Above the approval threshold: waits for a second city administrator.
    AWAITING_APPROVAL = "awaiting_approval", _l("Menunggu persetujuan")
    #: Taken from the balance and sent (or being sent) to the gateway.
    REQUESTED = "requested", _l("Dikirim ke bank")
    SUCCEEDED = "succeeded", _l("Berhasil")
    #: The gateway refused it or the bank failed it: its amount went back to the balance.
    FAILED = "failed", _l("Gagal, saldo dikembalikan")
    #: Refused by the second administrator before it was sent.
    CANCELLED = "cancelled", _l("Dibatalkan")


class CooperativePayout(TimestampMixin, Model):
    """Money paid to a cooperative's bank account through the gateway's payout API: one
    idempotency key for every attempt, the gateway's payout id, and the ledger entries it
    posted (the payout, and its return when it failed)."""

    __tablename__ = "cooperative_payouts"
    __table_args__ = (
        CheckConstraint(in_check(PayoutStatus, "status"), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("gateway_fee IS NULL OR gateway_fee >= 0", name="gateway_fee_non_negative"),
        UniqueConstraint("reference", name="uq_cooperative_payouts_reference"),
        UniqueConstraint("idempotency_key", name="uq_cooperative_payouts_idempotency_key"),
        UniqueConstraint("gateway_id", name="uq_cooperative_payouts_gateway_id"),
        UniqueConstraint("returned_entry_id", name="uq_cooperative_payouts_returned_entry_id"),
        Index("ix_cooperative_payouts_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=PayoutStatus.REQUESTED)
    amount: Mapped[int] = money_column()
    #: Our reference at the gateway (``opop-payout-...``), also the ledger entry's reference.
    reference: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    bank_name: Mapped[str | None] = mapped_column(String(60))
    channel_code: Mapped[str | None] = mapped_column(String(30))
    account_number: Mapped[str | None] = mapped_column(String(30))
    account_holder: Mapped[str | None] = mapped_column(String(120))
    gateway_id: Mapped[str | None] = mapped_column(String(255))
    gateway_status: Mapped[str | None] = mapped_column(String(30))
    #: Xendit's fee for sending it (with its VAT), from the daily reconciliation; the platform's.
    gateway_fee: Mapped[int | None] = money_column()
    failure_code: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settled_at: Mapped[datetime | None]
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("settlement_entries.id", ondelete="RESTRICT")
    )
    returned_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("settlement_entries.id", ondelete="RESTRICT")
    )

    cooperative: Mapped[Cooperative] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requested_by])

    @property
    def state(self) -> PayoutStatus:
        return PayoutStatus(self.status)
