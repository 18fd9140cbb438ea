"""The mail outbox: emails are rows written in the same transaction as the change they report.

`queue_email` renders the message in the recipient's language and adds it to the session. After
the request commits, `dispatch_queued` sends what this request queued; anything that fails stays
in the outbox and `flask mail send-pending` (cron) retries it. Sending claims each row with a
guarded UPDATE (`transitions.guarded_update`, from the statuses `MACHINE` allows), so two
senders running at once never send the same email twice. An email that
failed every attempt waits for the city's staff, who send it again from the operations page
(`resend`).
"""

from __future__ import annotations

import enum
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import audit
from marketplace.database import utcnow
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import Model, db
from marketplace.jobs import after_commit
from marketplace.transitions import TransitionTable, guarded_move, guarded_update, row

log = logging.getLogger(__name__)


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


PENDING, SENDING, SENT, FAILED = (
    MailStatus.PENDING,
    MailStatus.SENDING,
    MailStatus.SENT,
    MailStatus.FAILED,
)


class OutboxEmail(Model):
    __tablename__ = "outbox_emails"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_outbox_emails_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class NotFailed(Conflict):
    default_message = _l(
        "Email ini tidak lagi gagal (mungkin sudah dikirim ulang); muat ulang halaman."
    )


#: An email's status machine (`marketplace.transitions`).
MACHINE: TransitionTable[MailStatus, None, OutboxEmail] = TransitionTable(
    MailStatus,
    (
        row(PENDING, SENDING),  # a sender claims it (`_claim`)
        row(SENDING, SENDING),  # a claim abandoned past MAIL_CLAIM_TIMEOUT is taken over
        row(SENDING, SENT),
        row(SENDING, PENDING),  # the try failed, attempts are left
        row(SENDING, FAILED),  # every attempt failed: the city's staff decide
        row(FAILED, PENDING),  # sent again by the city's staff (`resend`)
    ),
    lambda _source, _target: NotFailed(),
)


class MailBackend(Protocol):
    def send(self, email: OutboxEmail) -> None: ...


class LogBackend:
    """Development: the message goes to the log, so links can be clicked from the console."""

    def send(self, email: OutboxEmail) -> None:
        log.info("EMAIL to %s: %s\n%s", email.to_address, email.subject, email.body_text)


@dataclass(frozen=True)
class SentMessage:
    to_address: str
    subject: str
    body_text: str
    body_html: str


class MemoryBackend:
    """Tests: keeps a copy of what was sent. Set ``fail_with`` to make every send raise."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self.fail_with: Exception | None = None

    def send(self, email: OutboxEmail) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(
            SentMessage(email.to_address, email.subject, email.body_text, email.body_html)
        )


class SmtpBackend:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def send(self, email: OutboxEmail) -> None:
        cfg = self.config
        message = EmailMessage()
        message["From"] = cfg["MAIL_DEFAULT_SENDER"]
        message["To"] = email.to_address
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain="pasaropop")
        message.set_content(email.body_text)
        message.add_alternative(email.body_html, subtype="html")
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(message)


def init_mail(app: Flask) -> None:
    backend_name = app.config["MAIL_BACKEND"]
    backend: MailBackend
    if backend_name == "smtp":
        backend = SmtpBackend(app.config)
    elif backend_name == "memory":
        backend = MemoryBackend()
    else:
        backend = LogBackend()
    app.extensions["mail_backend"] = backend
    app.extensions["outbox_backlog"] = outbox_backlog


def outbox_backlog() -> dict[str, int]:
    """Emails not sent yet, by state: waiting, being sent, given up on."""
    counts = dict(
        db.session.execute(
            select(OutboxEmail.status, func.count())
            .where(OutboxEmail.status != SENT)
            .group_by(OutboxEmail.status)
        )
        .tuples()
        .all()
    )
    return {state: int(counts.get(state, 0)) for state in (PENDING, SENDING, FAILED)}


def backend() -> MailBackend:
    result: MailBackend = current_app.extensions["mail_backend"]
    return result


def queue_email(to: str, template: str, locale: str | None, **context: Any) -> OutboxEmail:
    """Render ``email/<template>.{txt,html}`` in the recipient's language and add it to the outbox.

    The template's first line of the text version is ``Subject: ...``.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    subject_line, _, body = text.partition("\n")
    subject = subject_line.removeprefix("Subject:").strip()
    email = OutboxEmail(
        to_address=to,
        subject=subject[:200],
        body_text=body.lstrip("\n"),
        body_html=html,
        template=template,
        locale=locale,
    )
    db.session.add(email)
    g.setdefault("queued_emails", []).append(email)
    return email


def _claim(email_id: int) -> bool:
    """Take the email for sending: a guarded update from a status the table allows a claim
    from (pending, or sending but abandoned); committed at once, so other senders see it."""
    stale = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    claimed = guarded_update(
        (OutboxEmail, email_id),
        or_(OutboxEmail.status != SENDING, OutboxEmail.claimed_at < stale),
        sources=MACHINE.sources(SENDING),
        values={"status": SENDING, "claimed_at": utcnow(), "attempts": OutboxEmail.attempts + 1},
    )
    db.session.commit()
    return claimed


def send_one(email_id: int) -> bool:
    """Claim, send and mark one email. Returns True when it was sent by this call."""
    if not _claim(email_id):
        return False
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    assert email is not None
    try:
        backend().send(email)
    except Exception as error:  # noqa: BLE001 - any transport failure leaves the email queued
        log.warning("Sending email %s failed: %s", email_id, error)
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
        email.status = FAILED if email.attempts >= max_attempts else PENDING
        email.claimed_at = None
        db.session.commit()
        return False
    email.status = SENT
    email.sent_at = utcnow()
    email.last_error = None
    db.session.commit()
    return True


def dispatch_queued() -> None:
    """Send what the current request queued, after its transaction committed."""
    queued: list[OutboxEmail] = g.pop("queued_emails", [])
    for email in queued:
        try:
            if current_app.config.get("REDIS_URL"):
                # A worker sends it (retrying with back-off); the request does not wait.
                from marketplace.jobs import enqueue

                enqueue("marketplace.mail:send_one", email.id)
            else:
                send_one(email.id)
        except Exception:
            db.session.rollback()
            log.exception("Could not dispatch email %s", email.id)


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Send pending (and abandoned) emails. Returns (sent, failed) counts."""
    stale = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    ids = db.session.scalars(
        select(OutboxEmail.id)
        .where(
            (OutboxEmail.status == PENDING)
            | ((OutboxEmail.status == SENDING) & (OutboxEmail.claimed_at < stale))
        )
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for email_id in ids:
        if send_one(email_id):
            sent += 1
        else:
            failed += 1
    return sent, failed


def resend(email_id: int, actor_id: int) -> OutboxEmail:
    """Give an email that failed every attempt a fresh round of them (once the mail server is
    fixed) and send it after the commit; if that fails too, the dispatcher retries as usual."""
    email = db.session.get(OutboxEmail, email_id, with_for_update=True)
    if email is None:
        raise NotFound()
    if email.status != FAILED:
        raise NotFailed()
    audit.record(
        "email.resent",
        email,
        actor_id=actor_id,
        data={"attempts": email.attempts, "last_error": (email.last_error or "")[:200]},
    )
    guarded_move(MACHINE, email, PENDING, source=FAILED, values={"attempts": 0, "claimed_at": None})
    after_commit("marketplace.mail:send_one", email.id)
    return email
