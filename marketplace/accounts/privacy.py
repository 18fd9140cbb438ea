"""Personal data under Indonesia's personal data protection law (UU PDP 27/2022).

A user can download what Pasar OPOP holds about them and delete their account. Each domain
knows its own records, so this module only asks: it sends `collect_personal_data` (receivers add
a section to the export) and `erase_personal_data` (receivers erase or anonymise what they hold)
as blinker signals, and domains above accounts subscribe. Records the law requires us to keep
(orders, invoices, tax and audit records) stay, without the person's name, contact or address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, update

from marketplace import audit
from marketplace.accounts.exceptions import InvalidCredentials
from marketplace.accounts.models import Address, User
from marketplace.accounts.passwords import hash_password, verify_password
from marketplace.accounts.sessions import end_all_sign_ins
from marketplace.database import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db

signals = Namespace()
#: sender: the User; receivers return ``(section name, JSON-able data)``.
collect_personal_data = signals.signal("collect-personal-data")
#: sender: the User; receivers erase or anonymise their records; may raise DomainError to refuse.
erase_personal_data = signals.signal("erase-personal-data")

ERASED_NAME = "Pengguna terhapus"


class ErasureRefused(DomainError):
    """An account that still carries duties (a cooperative owner) cannot be deleted yet."""


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything held about the user, as one JSON-able document."""
    data: dict[str, Any] = {
        "generated_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.locale,
            "email_verified_at": _iso(user.email_verified_at),
            "registered_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "privacy_notice_version": user.privacy_notice_version,
            "privacy_consented_at": _iso(user.privacy_consented_at),
        },
        "addresses": [
            {
                "label": a.label,
                "recipient_name": a.recipient_name,
                "phone": a.phone,
                "address": a.one_line(),
                "default": a.is_default,
            }
            for a in user.addresses
        ],
    }
    for _receiver, section in collect_personal_data.send(user):
        if section:
            name, value = section
            data[name] = value
    audit.record("privacy.exported", user, actor_id=user.id)
    return data


def delete_account(user: User, password: str) -> None:
    """Erase the person, keep the records the law requires (anonymised). Needs the password."""
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials()
    user_id = user.id
    # Receivers may refuse (raise) before anything is changed.
    erase_personal_data.send(user)
    db.session.execute(delete(Address).where(Address.user_id == user_id))
    user.email = f"deleted-{user_id}@deleted.invalid"
    user.full_name = ERASED_NAME
    user.phone = None
    user.password_hash = hash_password(f"erased-{user_id}-{utcnow().timestamp()}")
    user.disabled_at = utcnow()
    user.erased_at = utcnow()
    end_all_sign_ins(user)
    audit.record("privacy.account_erased", user, actor_id=user_id)
    db.session.flush()
    # The audit trail stays (who did what stays provable), but not where the person was.
    db.session.execute(
        update(audit.AuditLog).where(audit.AuditLog.actor_id == user_id).values(ip_address=None)
    )


def purge_expired_personal_data() -> dict[str, int]:
    """Retention: drop sent emails and audit IP addresses older than their configured periods.
    A periodic task (daily)."""
    from marketplace.mail import OutboxEmail

    now = utcnow()
    mail_days = current_app.config["MAIL_RETENTION_DAYS"]
    ip_days = current_app.config["AUDIT_IP_RETENTION_DAYS"]
    mails = db.session.execute(
        delete(OutboxEmail).where(
            OutboxEmail.status.in_(("sent", "failed")),
            OutboxEmail.created_at < now - timedelta(days=mail_days),
        )
    )
    ips = db.session.execute(
        update(audit.AuditLog)
        .where(
            audit.AuditLog.ip_address.is_not(None),
            audit.AuditLog.created_at < now - timedelta(days=ip_days),
        )
        .values(ip_address=None)
    )
    return {"emails": int(mails.rowcount or 0), "ip_addresses": int(ips.rowcount or 0)}  # type: ignore[attr-defined]


def latest_consent(user: User) -> bool:
    return bool(user.privacy_notice_version == current_app.config["PRIVACY_NOTICE_VERSION"])


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


__all__ = [
    "ERASED_NAME",
    "ErasureRefused",
    "collect_personal_data",
    "delete_account",
    "erase_personal_data",
    "export_personal_data",
    "purge_expired_personal_data",
]
