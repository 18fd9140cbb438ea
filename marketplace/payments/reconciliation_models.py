"""The daily reconciliation's records: one `ReconciliationRun` per day compared with the
gateway, and each `ReconciliationDifference` it found, which waits on the city's payment desk
until an administrator resolves it with a note."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum
from marketplace.payments.models import CooperativePayout, Payment


class DifferenceKind(LabelledEnum):
    #: Xendit received money that no payment here records as received.
    PAID_NOT_RECORDED = "paid_not_recorded", _l("Dibayar di Xendit, tidak tercatat di sini")
    #: A payment here is marked received; Xendit has no such money.
    RECORDED_NOT_PAID = "recorded_not_paid", _l("Tercatat dibayar di sini, tidak ada di Xendit")
    #: Both have it, for different amounts.
    AMOUNT_DIFFERS = "amount_differs", _l("Jumlah berbeda")
    #: A payout recorded as sent here that Xendit did not send (or the other way round).
    PAYOUT_MISSING = "payout_missing", _l("Pencairan tidak cocok")


class ReconciliationRun(Model):
    __tablename__ = "reconciliation_runs"
    __table_args__ = (
        UniqueConstraint("day", name="uq_reconciliation_runs_day"),
        CheckConstraint(
            "gross >= 0 AND fees >= 0 AND payouts >= 0 AND payout_fees >= 0",
            name="amounts_non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The day in Kota Mojokerto (WIB) that was compared.
    day: Mapped[date]
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)
    transactions: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    differences: Mapped[int] = mapped_column(default=0)
    #: Money received that day as Xendit counts it, and Xendit's fees on it (with their VAT).
    gross: Mapped[int] = money_column(default=0)
    fees: Mapped[int] = money_column(default=0)
    #: Payouts to cooperatives Xendit sent that day, and its fees on them.
    payouts: Mapped[int] = money_column(default=0)
    payout_fees: Mapped[int] = money_column(default=0)

    @property
    def net(self) -> int:
        return self.gross - self.fees


class ReconciliationDifference(Model):
    __tablename__ = "reconciliation_differences"
    __table_args__ = (
        # Running a day again finds the same differences: each is recorded once.
        UniqueConstraint("dedup_key", name="uq_reconciliation_differences_dedup_key"),
        CheckConstraint(in_check(DifferenceKind, "kind"), name="kind"),
        Index("ix_reconciliation_differences_open", "resolved_at", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(30))
    #: Xendit's transaction (txn_...), when it has one.
    gateway_id: Mapped[str | None] = mapped_column(String(80))
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    payout_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperative_payouts.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str] = mapped_column(String(80), default="")
    gateway_amount: Mapped[int | None] = money_column()
    our_amount: Mapped[int | None] = money_column()
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text)

    payment: Mapped[Payment | None] = relationship()
    payout: Mapped[CooperativePayout | None] = relationship()
    resolver: Mapped[User | None] = relationship()

    @property
    def difference_kind(self) -> DifferenceKind:
        return DifferenceKind(self.kind)
