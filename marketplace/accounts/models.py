"""Users and their saved addresses. Roles add up: see `User` below."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import TimestampMixin, utcnow
from marketplace.extensions import Model


class User(UserMixin, TimestampMixin, Model):
    """Anyone with an account. Every user can shop; further roles come from memberships.

    A user may also be a member of one cooperative (``CooperativeMember``), a member of agencies
    with procurement roles (``AgencyMember``) and/or a city administrator (``is_city_admin``).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the services, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(8))
    email_verified_at: Mapped[datetime | None]
    is_city_admin: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Part of the login cookies' id: bumping it signs the user out everywhere (password change).
    session_version: Mapped[int] = mapped_column(default=1)
    # Consent to the privacy notice, by its version (UU PDP 27/2022).
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))
    privacy_consented_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )

    # Not a column: the sign-in (`UserSession`) this object was loaded for or signed in with,
    # set only by `accounts.sessions`. Outside the annotations SQLAlchemy maps.
    if TYPE_CHECKING:
        sign_in_token: str | None
    else:
        sign_in_token = None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the account, its
        session version and this sign-in's token (`accounts.sessions` reads it back)."""
        if not self.sign_in_token:
            raise RuntimeError("no sign-in: sign users in with accounts.sessions.sign_in")
        return f"{self.id}:{self.session_version}:{self.sign_in_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(Model):
    """One sign-in on one device. Its token lives in that device's cookies (session and
    remember me) and only its SHA-256 here, so a copy of this table signs nobody in. Logging out
    deletes the row, which ends the sign-in even for a cookie copied before."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Address(TimestampMixin, Model):
    """A delivery address in the Indonesian order: street, kelurahan, kecamatan, kota, provinsi."""

    __tablename__ = "addresses"
    __table_args__ = (CheckConstraint("length(postal_code) = 5", name="postal_code_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    recipient_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(255))
    kelurahan: Mapped[str] = mapped_column(String(80))
    kecamatan: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(80))
    postal_code: Mapped[str] = mapped_column(String(5))
    is_default: Mapped[bool] = mapped_column(default=False)
    # Kemendagri codes of the regions named above (see marketplace/regions). Empty for an
    # address saved before regions were chosen from the list and not matched since: checkout
    # asks the shopper to choose its region again.
    province_code: Mapped[str | None] = mapped_column(String(13))
    regency_code: Mapped[str | None] = mapped_column(String(13))
    district_code: Mapped[str | None] = mapped_column(String(13))
    village_code: Mapped[str | None] = mapped_column(String(13))

    user: Mapped[User] = relationship(back_populates="addresses")

    @property
    def has_region(self) -> bool:
        return self.village_code is not None

    def one_line(self) -> str:
        return address_line(
            self.street,
            self.kelurahan,
            self.kecamatan,
            self.city,
            self.province,
            self.postal_code,
        )


def address_line(
    street: str, village: str, district: str, regency: str, province: str, postal_code: str
) -> str:
    """How every page, document and email writes an address: "street, village, district,
    regency, province postcode"."""
    return f"{street}, {village}, {district}, {regency}, {province} {postal_code}"
