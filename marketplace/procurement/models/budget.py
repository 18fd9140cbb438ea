"""An agency's budget lines (kode rekening belanja of its DPA, per year) and their revisions
(pergeseran). A line's amount is never edited: its budget is the amount entered from the DPA
plus its revisions, each a row of its own; what is committed and realised on it is computed from
the Surat Pesanan and invoices that name it (`procurement.budget_lines`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import money_column, utcnow
from marketplace.extensions import Model
from marketplace.procurement.models.agency import Agency


class BudgetLine(Model):
    """One account of an agency's DPA for a year: the account (Permendagri 90 code and name),
    the DPA sub-activity it sits under, and the amount the DPA gives it."""

    __tablename__ = "procurement_budget_lines"
    __table_args__ = (
        UniqueConstraint(
            "agency_id",
            "year",
            "sub_activity_code",
            "account_code",
            name="uq_procurement_budget_lines_agency_year_accounts",
        ),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        # The reports read every agency's lines of a year.
        Index("ix_procurement_budget_lines_year_account_code", "year", "account_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Served by the unique (agency_id, year, ...) index.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    year: Mapped[int]
    #: Kode rekening belanja, e.g. 5.1.02.01.01.0024.
    account_code: Mapped[str] = mapped_column(String(30))
    account_name: Mapped[str] = mapped_column(String(255))
    #: The DPA sub-activity (sub kegiatan), e.g. 4.01.01.2.01.0001.
    sub_activity_code: Mapped[str] = mapped_column(String(30))
    sub_activity_name: Mapped[str] = mapped_column(String(255))
    #: The amount as the DPA first gave it; revisions change the budget, never this.
    amount: Mapped[int] = money_column()
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[BudgetRevision]] = relationship(
        back_populates="line", order_by="BudgetRevision.id"
    )

    @property
    def label(self) -> str:
        return f"{self.account_code} {self.account_name}"


class BudgetRevision(Model):
    """A pergeseran: the line's budget changed by ``change`` rupiah (up or down) on a day, with
    the reason and who recorded it."""

    __tablename__ = "procurement_budget_revisions"
    __table_args__ = (
        CheckConstraint("change <> 0", name="change_not_zero"),
        Index("ix_procurement_budget_revisions_line_id_id", "line_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_budget_lines.id", ondelete="RESTRICT")
    )
    revised_on: Mapped[date]
    #: Whole rupiah, positive (added) or negative (taken away).
    change: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[BudgetLine] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()
