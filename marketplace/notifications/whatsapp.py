"""Notices by WhatsApp, through the WhatsApp Business Cloud API: the only module that talks to it.

Off unless WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are both set. Then `notify` hands each
notice of a kind a person opted in to (and who has a WhatsApp number on their account) to
`queue`, which writes a `WhatsAppDelivery` in the same transaction: one per notice, under a
unique constraint, so a notice is never queued twice. Nothing is sent inside a request: with
Redis a job sends it after the commit (`jobs.after_commit`); the every-minute sweep
(`send_pending`) sends what is left and what is due for another try, with or without Redis.

One try is ``POST {WHATSAPP_API_BASE}/{version}/{phone number id}/messages`` with the token as a
Bearer token, a template message when WHATSAPP_TEMPLATE names one (the notice's text and link as
its body parameters), else a text message. Meta answers 200 with ``messages[0].id`` (a
``wamid``); an error is ``{"error": {"message", "type", "code", "error_data": {"details"},
"fbtrace_id"}}``. A 5xx, a 429 (or Meta's throttling codes), a timeout or no connection leaves
the delivery pending for another try after a back-off, until WHATSAPP_MAX_ATTEMPTS; any other
4xx fails at once (another try would be refused the same way). Failures keep their error for
the city's staff. A sender claims a delivery with a guarded update before it calls Meta, so two
senders (the job and the sweep) never both send it; a sender that died after Meta accepted the
message but before recording it leaves a claim that goes stale, and the delivery is tried again
(at least once, the best an API without idempotency keys allows).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from marketplace import clock
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.jobs import after_commit
from marketplace.notifications.models import (
    Notification,
    WhatsAppDelivery,
)
from marketplace.notifications.models import WhatsAppStatus as W
from marketplace.transitions import TransitionTable, guarded_update, row
from marketplace.validators import WHATSAPP_RE, normalize_whatsapp

log = logging.getLogger(__name__)

#: Seconds before each further try (the last repeats).
BACKOFF_SECONDS = (60, 300, 1800, 7200)
#: A claim older than this was abandoned by its sender (it died): another may take it.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: Meta's error codes for throttling, answered with a 4xx but worth another try later.
THROTTLED_CODES = frozenset({4, 80007, 130429, 131048, 131056})
#: The job's dotted path (`jobs.enqueue`).
SEND_JOB = "marketplace.notifications.whatsapp:send_one"


def _refused(source: W, target: W) -> Conflict:
    return Conflict(f"WhatsApp delivery {source.value} -> {target.value}")


#: A delivery's status machine (`marketplace.transitions`).
MACHINE: TransitionTable[W, None, WhatsAppDelivery] = TransitionTable(
    W,
    (
        row(W.PENDING, W.SENDING),  # a sender claims it
        row(W.SENDING, W.SENDING),  # a claim abandoned past CLAIM_TIMEOUT is taken over
        row(W.SENDING, W.SENT),
        row(W.SENDING, W.PENDING),  # the try failed, tries are left
        row(W.SENDING, W.FAILED),  # refused, or every try failed
    ),
    _refused,
)


def enabled(config: Mapping[str, Any] | None = None) -> bool:
    """Whether WhatsApp is set up: both the token and the phone number id."""
    config = config if config is not None else current_app.config
    return bool(config.get("WHATSAPP_TOKEN") and config.get("WHATSAPP_PHONE_NUMBER_ID"))


def phone_of(value: str | None) -> str | None:
    """A person's number as WhatsApp wants it (62...), or None when it is not one."""
    digits = normalize_whatsapp(value or "")
    return digits if WHATSAPP_RE.match(digits) else None


def queue(notification: Notification, phone: str, link: str) -> WhatsAppDelivery:
    """Send ``notification`` by WhatsApp to ``phone`` once this transaction commits (the caller
    checked that WhatsApp is on and the person opted in)."""
    delivery = WhatsAppDelivery(
        notification_id=notification.id,
        phone=phone,
        link=link[:500],
        status=W.PENDING,
        created_at=clock.now(),
        next_attempt_at=clock.now(),
    )
    db.session.add(delivery)
    db.session.flush()
    if current_app.config.get("REDIS_URL"):
        # A worker sends it; without Redis the sweep does (never the request itself).
        after_commit(SEND_JOB, delivery.id)
    return delivery


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one try came to: sent (with Meta's message id), or an error, retryable or not."""

    message_id: str | None = None
    error: str | None = None
    retryable: bool = False


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one try: pending and due, or sending but abandoned. Committed at
    once, so another sender sees the claim."""
    now = clock.now()
    claimed = guarded_update(
        (WhatsAppDelivery, delivery_id),
        or_(
            (WhatsAppDelivery.status == W.PENDING) & (WhatsAppDelivery.next_attempt_at <= now),
            (WhatsAppDelivery.status == W.SENDING)
            & (WhatsAppDelivery.claimed_at < now - CLAIM_TIMEOUT),
        ),
        sources=MACHINE.sources(W.SENDING),
        values={"status": W.SENDING, "claimed_at": now, "attempts": WhatsAppDelivery.attempts + 1},
    )
    db.session.commit()
    return claimed


def send_one(delivery_id: int) -> bool:
    """Claim, send and record one delivery (the job). True when this call sent it. Never
    raises for Meta's answers: failures are recorded on the delivery."""
    if not enabled() or not _claim(delivery_id):
        return False
    delivery = db.session.get(WhatsAppDelivery, delivery_id, populate_existing=True)
    notification = db.session.get(Notification, delivery.notification_id) if delivery else None
    assert delivery is not None
    if notification is None:  # the notice went with its account
        _record(delivery, Outcome(error="the notice no longer exists"))
        return False
    outcome = _post(_payload(delivery.phone, notification.message, delivery.link))
    _record(delivery, outcome)
    return outcome.message_id is not None


def _record(delivery: WhatsAppDelivery, outcome: Outcome) -> None:
    max_attempts = int(current_app.config["WHATSAPP_MAX_ATTEMPTS"])
    values: dict[str, Any] = {"claimed_at": None}
    if outcome.message_id is not None:
        target = W.SENT
        values.update(sent_at=clock.now(), message_id=outcome.message_id[:200], last_error=None)
    else:
        values["last_error"] = (outcome.error or "")[:2000]
        if outcome.retryable and delivery.attempts < max_attempts:
            target = W.PENDING
            wait = BACKOFF_SECONDS[min(delivery.attempts, len(BACKOFF_SECONDS)) - 1]
            values["next_attempt_at"] = clock.now() + timedelta(seconds=wait)
        else:
            target = W.FAILED
        log.warning(
            "WhatsApp delivery %s: %s (try %s)", delivery.id, outcome.error, delivery.attempts
        )
    # Only the claim's holder records: the row still reads "sending".
    guarded_update(
        delivery,
        WhatsAppDelivery.status == W.SENDING,
        values={"status": target, **values},
    )
    db.session.commit()


def send_pending(limit: int = 200) -> tuple[int, int]:
    """The sweep (every minute): try each delivery that is due, and those whose sender died.
    Returns (sent, not sent) counts."""
    if not enabled():
        return 0, 0
    now = clock.now()
    ids = db.session.scalars(
        select(WhatsAppDelivery.id)
        .where(
            ((WhatsAppDelivery.status == W.PENDING) & (WhatsAppDelivery.next_attempt_at <= now))
            | (
                (WhatsAppDelivery.status == W.SENDING)
                & (WhatsAppDelivery.claimed_at < now - CLAIM_TIMEOUT)
            )
        )
        .order_by(WhatsAppDelivery.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    for delivery_id in ids:
        sent += send_one(delivery_id)
    return sent, len(ids) - sent


def _payload(phone: str, text: str, link: str) -> dict[str, Any]:
    """The message: the approved template with the notice's text and link as its body
    parameters, or (no template configured) a text message."""
    config = current_app.config
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": phone}
    template = config.get("WHATSAPP_TEMPLATE")
    if template:
        return {
            **base,
            "type": "template",
            "template": {
                "name": template,
                "language": {"code": config["WHATSAPP_TEMPLATE_LANGUAGE"]},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": text[:1000]},
                            {"type": "text", "text": link},
                        ],
                    }
                ],
            },
        }
    return {**base, "type": "text", "text": {"preview_url": False, "body": f"{text}\n\n{link}"}}


def _endpoint() -> str:
    config = current_app.config
    base = str(config["WHATSAPP_API_BASE"]).rstrip("/")
    return f"{base}/{config['WHATSAPP_API_VERSION']}/{config['WHATSAPP_PHONE_NUMBER_ID']}/messages"


def _post(payload: dict[str, Any]) -> Outcome:
    """One request to Meta, its answer turned into an `Outcome`."""
    config = current_app.config
    request = urllib.request.Request(  # noqa: S310 - the configured https address (checked in production)
        _endpoint(),
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {config['WHATSAPP_TOKEN']}",
            "Content-Type": "application/json",
        },
    )
    timeout = float(config["WHATSAPP_TIMEOUT_SECONDS"])
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        return _refusal(error.code, error.read())
    except TimeoutError:
        return Outcome(error=f"no answer in {timeout} s", retryable=True)
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return Outcome(error=f"no answer in {timeout} s", retryable=True)
        return Outcome(error=f"no connection: {error.reason}", retryable=True)
    except OSError as error:
        return Outcome(error=f"no connection: {error}", retryable=True)
    try:
        message_id = str(json.loads(body)["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return Outcome(error=f"an answer without a message id: {body[:200]!r}", retryable=False)
    return Outcome(message_id=message_id)


def _refusal(status: int, body: bytes) -> Outcome:
    """Meta's error: ``{"error": {"message", "code", "error_data": {"details"}, ...}}``."""
    code: Any = None
    text = body[:300].decode("utf-8", "replace")
    try:
        error = json.loads(body)["error"]
        code = error.get("code")
        details = (error.get("error_data") or {}).get("details")
        text = f"{error.get('message')}" + (f" ({details})" if details else "")
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    retryable = status >= 500 or status == 429 or code in THROTTLED_CODES
    return Outcome(error=f"HTTP {status}, code {code}: {text}", retryable=retryable)
