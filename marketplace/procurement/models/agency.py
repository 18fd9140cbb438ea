"""City agencies (OPD), the procurement roles their members hold, their invitations and their
yearly goods budgets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.invitations import InvitationMixin
from marketplace.accounts.models import User
from marketplace.database import TimestampMixin, in_check, money_column
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class ProcurementRole(LabelledEnum):
    #: Prepares requests and negotiates.
    PEJABAT_PENGADAAN = "pejabat_pengadaan", _l("Pejabat Pengadaan")
    #: Commitment officer: approves and signs.
    PPK = "ppk", _l("PPK (Pejabat Pembuat Komitmen)")
    #: Receives and inspects deliveries.
    PENERIMA = "penerima", _l("Pemeriksa/Penerima Barang")
    #: Records payment and withholding.
    BENDAHARA = "bendahara", _l("Bendahara Pengeluaran")


class Agency(TimestampMixin, Model):
    """A city office (Organisasi Perangkat Daerah) that buys through the marketplace."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    npwp: Mapped[str | None] = mapped_column(String(20))
    is_demo: Mapped[bool] = mapped_column(default=False)

    members: Mapped[list[AgencyMember]] = relationship(
        back_populates="agency", cascade="all, delete-orphan"
    )


class AgencyMember(TimestampMixin, Model):
    """One procurement role held by one user in one agency; a person may hold several."""

    __tablename__ = "agency_members"
    __table_args__ = (
        UniqueConstraint("agency_id", "user_id", "role", name="uq_agency_members_agency_user_role"),
        CheckConstraint(in_check(ProcurementRole, "role"), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    #: The official's civil servant number (18 digits), printed under the name in every
    #: signature block; a person holding several roles has the same NIP on each.
    nip: Mapped[str | None] = mapped_column(String(18))

    agency: Mapped[Agency] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class AgencyInvitation(InvitationMixin, TimestampMixin, Model):
    """The city's invitation for someone without an account to hold a role in an agency.

    The emailed link is signed and expires (``AGENCY_INVITATION_MAX_AGE``); this row lets the city
    see and revoke what is outstanding, and makes each link usable once.
    """

    __tablename__ = "agency_invitations"
    __table_args__ = (
        CheckConstraint(in_check(ProcurementRole, "role"), name="role"),
        Index("ix_agency_invitations_agency_id_email", "agency_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Served by the (agency_id, email) index.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(30))
    #: The invitee's NIP, given to the role when the invitation is accepted.
    nip: Mapped[str | None] = mapped_column(String(18))

    agency: Mapped[Agency] = relationship()


class Budget(TimestampMixin, Model):
    """An agency's yearly budget for goods, entered by the city administrator, against which
    the share spent here is reported."""

    __tablename__ = "procurement_budgets"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", name="uq_procurement_budgets_agency_year"),
        CheckConstraint("goods_budget >= 0", name="goods_budget_non_negative"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        Index("ix_procurement_budgets_year", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int]
    goods_budget: Mapped[int] = money_column()
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    agency: Mapped[Agency] = relationship()
