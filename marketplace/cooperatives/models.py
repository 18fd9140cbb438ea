"""Cooperatives (koperasi, Koppontren) and the people who act for them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.invitations import InvitationMixin
from marketplace.accounts.models import User
from marketplace.database import TimestampMixin, in_check, money_column
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum

#: The three kecamatan of Kota Mojokerto.
KECAMATAN = ("Magersari", "Kranggan", "Prajurit Kulon")
#: Their Kemendagri codes (marketplace/regions): a cooperative's courier parcels start there.
KECAMATAN_CODES = {"Prajurit Kulon": "35.76.01", "Magersari": "35.76.02", "Kranggan": "35.76.03"}


class CooperativeStatus(LabelledEnum):
    PENDING = "pending", _l("Menunggu keputusan")
    CHANGES_REQUESTED = "changes_requested", _l("Diminta perbaikan")
    APPROVED = "approved", _l("Disetujui")
    REJECTED = "rejected", _l("Ditolak")
    SUSPENDED = "suspended", _l("Dihentikan sementara")


class CooperativeKind(enum.StrEnum):
    KOPPONTREN = "koppontren"
    KOPERASI = "koperasi"


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class Cooperative(TimestampMixin, Model):
    __tablename__ = "cooperatives"
    __table_args__ = (
        CheckConstraint(in_check(CooperativeStatus, "status"), name="status"),
        CheckConstraint(in_check(CooperativeKind, "kind"), name="kind"),
        CheckConstraint(in_check(KECAMATAN, "kecamatan"), name="kecamatan"),
        CheckConstraint("local_delivery_fee >= 0", name="local_delivery_fee_non_negative"),
        CheckConstraint(
            "free_courier_minimum IS NULL OR free_courier_minimum > 0",
            name="free_courier_minimum_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(180), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=CooperativeKind.KOPERASI)
    pesantren_name: Mapped[str | None] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    kecamatan: Mapped[str] = mapped_column(String(40), index=True)
    kelurahan: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(255))
    postal_code: Mapped[str] = mapped_column(String(5))
    whatsapp: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    nib: Mapped[str] = mapped_column(String(20))
    npwp: Mapped[str] = mapped_column(String(20))
    is_pkp: Mapped[bool] = mapped_column(default=False)
    pp55_certificate_number: Mapped[str | None] = mapped_column(String(60))
    pp55_valid_until: Mapped[date | None]
    bank_name: Mapped[str] = mapped_column(String(60))
    bank_account_number: Mapped[str] = mapped_column(String(30))
    bank_account_holder: Mapped[str] = mapped_column(String(120))
    #: When the bank account last changed: payouts wait PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE.
    bank_account_changed_at: Mapped[datetime | None]
    local_delivery_fee: Mapped[int] = money_column(default=0)
    # How shoppers may receive this cooperative's goods (chosen per cooperative at checkout).
    offers_pickup: Mapped[bool] = mapped_column(default=True, server_default=true())
    offers_local_delivery: Mapped[bool] = mapped_column(default=True, server_default=true())
    offers_courier: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: From this much of its goods in one order, the cheapest courier service is free to the
    #: shopper (the cooperative pays the courier); none: never.
    free_courier_minimum: Mapped[int | None] = money_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=CooperativeStatus.PENDING, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: One of the OPOP pilot cooperatives the city follows (the programme dashboard reports the
    #: share of government spend that goes to them). Set by the city.
    is_pilot: Mapped[bool] = mapped_column(default=False, server_default=false())

    members: Mapped[list[CooperativeMember]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> CooperativeStatus:
        return CooperativeStatus(self.status)

    @property
    def is_approved(self) -> bool:
        return self.status == CooperativeStatus.APPROVED

    @property
    def is_koppontren(self) -> bool:
        return self.kind == CooperativeKind.KOPPONTREN

    def has_valid_pp55(self, on: date) -> bool:
        """The PP 55/2022 certificate lowers PPh 22 only while it is valid."""
        return bool(self.pp55_certificate_number) and (
            self.pp55_valid_until is not None and self.pp55_valid_until >= on
        )

    @property
    def district_code(self) -> str:
        """The Kemendagri code of the cooperative's kecamatan: where its parcels start."""
        return KECAMATAN_CODES[self.kecamatan]

    def whatsapp_url(self, message: str | None = None) -> str:
        from urllib.parse import quote

        url = f"https://wa.me/{self.whatsapp}"
        return f"{url}?text={quote(message)}" if message else url

    def __repr__(self) -> str:
        return f"<Cooperative {self.slug} {self.status}>"


class CooperativeMember(TimestampMixin, Model):
    """A user acting for a cooperative. A user belongs to at most one cooperative."""

    __tablename__ = "cooperative_members"
    __table_args__ = (
        UniqueConstraint("user_id", name="uq_cooperative_members_user_id"),
        CheckConstraint(in_check(MemberRole, "role"), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.STAFF)

    cooperative: Mapped[Cooperative] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER


class CooperativeInvitation(InvitationMixin, TimestampMixin, Model):
    """An owner's invitation for someone to join the cooperative as staff.

    The emailed link is signed and expires (``COOPERATIVE_INVITATION_MAX_AGE``); this row lets the
    owner see and revoke what is outstanding, and makes each link usable once.
    """

    __tablename__ = "cooperative_invitations"
    __table_args__ = (
        Index("ix_cooperative_invitations_cooperative_id_email", "cooperative_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Served by the (cooperative_id, email) index.
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))

    cooperative: Mapped[Cooperative] = relationship()
