"""Reminders to cooperatives before a certificate of theirs expires.

For each threshold in ``CERTIFICATE_REMINDER_DAYS`` (30 and 7 days by default) the owners of a
cooperative are emailed about its products' halal certificates and its own PP 55/2022
certificate that expire within that many days. A certificate gets the reminder of the smallest
threshold it has reached (one found 5 days before expiry gets the 7-day reminder only), and
each (certificate, threshold) is sent once: a `CertificateReminder` row is inserted in the same
transaction as the email, under a unique constraint, so a second run, or two at once, skips it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from marketplace.catalogue.models import Product, ProductStatus
from marketplace.certificates.models import CertificateKind, CertificateReminder, certificate_key
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.cooperatives.services import owners
from marketplace.extensions import db
from marketplace.jobs import each_in_own_transaction
from marketplace.mail import dispatch_queued, queue_email
from marketplace.urls import absolute_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A certificate that has reached a reminder threshold and was not reminded about yet."""

    kind: str
    cooperative_id: int
    product_id: int | None
    name: str
    number: str
    valid_until: date
    threshold: int
    days_left: int

    @property
    def certificate(self) -> str:
        subject = self.product_id if self.product_id is not None else self.cooperative_id
        return certificate_key(self.kind, subject, self.valid_until)


def _threshold(days_left: int, thresholds: list[int]) -> int | None:
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def due_reminders(today: date) -> list[Due]:
    """Every reminder due today that has not been sent, by cooperative. Three queries."""
    thresholds = sorted(int(t) for t in current_app.config["CERTIFICATE_REMINDER_DAYS"])
    if not thresholds:
        return []
    horizon = today + timedelta(days=thresholds[-1])
    halal = db.session.execute(
        select(
            Product.id,
            Product.cooperative_id,
            Product.name,
            Product.halal_number,
            Product.halal_valid_until,
        )
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(
            Product.status != ProductStatus.ARCHIVED,
            Cooperative.status == CooperativeStatus.APPROVED,
            Product.halal_number.is_not(None),
            Product.halal_valid_until.between(today, horizon),
        )
    ).all()
    pp55 = db.session.execute(
        select(
            Cooperative.id,
            Cooperative.name,
            Cooperative.pp55_certificate_number,
            Cooperative.pp55_valid_until,
        ).where(
            Cooperative.status == CooperativeStatus.APPROVED,
            Cooperative.pp55_certificate_number.is_not(None),
            Cooperative.pp55_valid_until.between(today, horizon),
        )
    ).all()
    candidates: list[Due] = []
    for product_id, cooperative_id, name, number, valid_until in halal:
        days = (valid_until - today).days
        threshold = _threshold(days, thresholds)
        if threshold is not None:
            candidates.append(
                Due(
                    CertificateKind.HALAL,
                    cooperative_id,
                    product_id,
                    name,
                    number,
                    valid_until,
                    threshold,
                    days,
                )
            )
    for cooperative_id, name, number, valid_until in pp55:
        days = (valid_until - today).days
        threshold = _threshold(days, thresholds)
        if threshold is not None:
            candidates.append(
                Due(
                    CertificateKind.PP55,
                    cooperative_id,
                    None,
                    name,
                    number,
                    valid_until,
                    threshold,
                    days,
                )
            )
    if not candidates:
        return []
    sent = set(
        db.session.execute(
            select(CertificateReminder.certificate, CertificateReminder.threshold_days).where(
                tuple_(CertificateReminder.certificate, CertificateReminder.threshold_days).in_(
                    [(due.certificate, due.threshold) for due in candidates]
                )
            )
        ).all()
    )
    due = [c for c in candidates if (c.certificate, c.threshold) not in sent]
    return sorted(due, key=lambda d: (d.cooperative_id, d.valid_until, d.name))


def _claim(due: Due) -> bool:
    """Record the reminder; False when another run recorded it first."""
    try:
        with db.session.begin_nested():
            db.session.add(
                CertificateReminder(
                    certificate=due.certificate,
                    threshold_days=due.threshold,
                    kind=due.kind,
                    cooperative_id=due.cooperative_id,
                    product_id=due.product_id,
                    valid_until=due.valid_until,
                )
            )
    except IntegrityError:
        return False
    return True


def _queue(cooperative_id: int, items: list[Due]) -> None:
    cooperative = db.session.get(Cooperative, cooperative_id)
    assert cooperative is not None
    for owner in owners(cooperative_id):
        if owner.disabled_at is not None:
            continue
        queue_email(
            owner.email,
            "certificate_reminder",
            owner.locale,
            user=owner,
            cooperative=cooperative,
            items=items,
            soonest=min(item.days_left for item in items),
            workspace_url=absolute_url("vendors.dashboard"),
        )


def send_reminders(today: date) -> int:
    """Send what is due, one transaction per cooperative (each email goes out after its commit).
    Returns how many certificates were reminded about. Needs a request context for the links."""
    due = due_reminders(today)
    db.session.commit()  # end the read; each cooperative below is its own short transaction
    by_cooperative: dict[int, list[Due]] = defaultdict(list)
    for item in due:
        by_cooperative[item.cooperative_id].append(item)
    reminded = each_in_own_transaction(
        by_cooperative.items(),
        _remind_cooperative,
        lambda entry: f"certificate reminders for cooperative {entry[0]} failed",
        logger=log,
        after_commit=dispatch_queued,
    )
    return sum(reminded)


def _remind_cooperative(entry: tuple[int, list[Due]]) -> int:
    """Claim a cooperative's due reminders and queue its email; how many it claimed."""
    cooperative_id, items = entry
    claimed = [item for item in items if _claim(item)]
    if claimed:
        _queue(cooperative_id, claimed)
    return len(claimed)
