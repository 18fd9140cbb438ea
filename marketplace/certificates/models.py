"""The record of certificate reminders sent, so each goes out once."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import in_check, utcnow
from marketplace.extensions import Model


class CertificateKind(enum.StrEnum):
    HALAL = "halal"  # a product's halal certificate
    PP55 = "pp55"  # the cooperative's PP 55/2022 certificate


class CertificateReminder(Model):
    """One reminder, for one certificate, at one threshold (30 days, 7 days...).

    ``certificate`` names the certificate including its expiry date
    (``halal:product:12:2027-01-31``), so a renewed certificate is reminded about again; the
    unique constraint on (certificate, threshold) is what makes a second run, or two runs at
    once, send nothing twice.
    """

    __tablename__ = "certificate_reminders"
    __table_args__ = (
        UniqueConstraint(
            "certificate", "threshold_days", name="uq_certificate_reminders_certificate_threshold"
        ),
        CheckConstraint(in_check(CertificateKind, "kind"), name="kind"),
        CheckConstraint("threshold_days > 0", name="threshold_days_positive"),
        CheckConstraint(
            "(kind = 'halal') = (product_id IS NOT NULL)", name="product_for_halal_only"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate: Mapped[str] = mapped_column(String(120))
    threshold_days: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    valid_until: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


def certificate_key(kind: str, subject_id: int, valid_until: date) -> str:
    subject = "product" if kind == CertificateKind.HALAL else "cooperative"
    return f"{kind}:{subject}:{subject_id}:{valid_until.isoformat()}"
