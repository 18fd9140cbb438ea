"""Notifications: an in-app notice for the person who must act next, and each person's choice of
which kinds of notice also come by email."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import in_check, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class NotificationKind(LabelledEnum):
    """The kinds of event someone is told of; each person chooses per kind whether to get email.

    A new kind (a complaint, a message, a review answered) is a member here, its CHECK in a
    migration, and a call to `notifications.notify` where the event happens."""

    TRANSFER_PROOF = "transfer_proof", _l("Bukti transfer dikirim pembeli")
    PART_CANCELLED = "part_cancelled", _l("Pesanan dibatalkan")
    PAYOUT = "payout", _l("Pembayaran ke koperasi")
    PROCUREMENT = "procurement", _l("Langkah pengadaan pemerintah")
    REVIEW_ANSWERED = "review_answered", _l("Ulasan Anda dijawab koperasi")
    MESSAGE = "message", _l("Pesan baru tentang pesanan")
    COMPLAINT_OPENED = "complaint_opened", _l("Komplain baru dari pembeli")
    COMPLAINT_ANSWERED = "complaint_answered", _l("Komplain dijawab atau berubah")
    COMPLAINT_ESCALATED = "complaint_escalated", _l("Komplain diteruskan ke Admin Kota")


class Notification(Model):
    """An in-app notice, written in the recipient's language, linking to a path of this site."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(in_check(NotificationKind, "kind"), name="kind"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(String(500))
    #: A path on this site.
    link: Mapped[str] = mapped_column(String(300))
    #: A wa.me link to the other party with the order number prefilled (nothing is sent).
    whatsapp_url: Mapped[str | None] = mapped_column(String(500))


class NotificationPreference(Model):
    """A person's choice for one kind: email or not (no row means email, the default), and
    WhatsApp or not (no row means not: a person opts in, and only when WhatsApp is set up)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint(in_check(NotificationKind, "kind"), name="kind"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    whatsapp: Mapped[bool] = mapped_column(default=False, server_default=false())


class WhatsAppStatus(LabelledEnum):
    PENDING = "pending", _l("Menunggu dikirim")
    SENDING = "sending", _l("Sedang dikirim")
    SENT = "sent", _l("Terkirim")
    FAILED = "failed", _l("Gagal")


class WhatsAppDelivery(Model):
    """A notice to send by WhatsApp (`notifications.whatsapp`): one per notice (a unique
    constraint, so a notice is never sent twice), its attempts and the last error."""

    __tablename__ = "whatsapp_deliveries"
    __table_args__ = (
        CheckConstraint(in_check(WhatsAppStatus, "status"), name="status"),
        Index("ix_whatsapp_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    #: The recipient's number as WhatsApp wants it (62..., no +).
    phone: Mapped[str] = mapped_column(String(20))
    #: The notice's page on SERVER_BASE_URL, sent with its text.
    link: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default=WhatsAppStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: WhatsApp's id of the sent message (wamid...).
    message_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
