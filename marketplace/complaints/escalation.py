"""Asking the city: either side may, and the periodic job does when a cooperative leaves an open
complaint unanswered past its deadline (COMPLAINT_ANSWER_WORKING_DAYS working days); the city's
decision, a refund or a rejection with its reason, is final."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.complaints.exceptions import ComplaintProblem
from marketplace.complaints.models import Complaint, Resolution, Side
from marketplace.complaints.money import start_refund
from marketplace.complaints.moves import clean_text, move
from marketplace.complaints.notices import tell_cooperative, tell_escalated, tell_shopper
from marketplace.complaints.queries import (
    C,
    admin_complaint,
    cooperative_complaint,
    is_lapsed,
    shopper_complaint,
)
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.notifications.models import NotificationKind
from marketplace.orders.models import ActorKind


def escalate(
    actor: User,
    complaint: Complaint,
    side: Side,
    note: str,
) -> Complaint:
    """Either side asks the city to decide (the caller found the complaint as that side's)."""
    note = clean_text(note)
    if not note:
        raise ComplaintProblem(_("Tulis mengapa Admin Kota perlu memutuskan."))
    kind = ActorKind.SHOPPER if side == Side.SHOPPER else ActorKind.COOPERATIVE
    move(
        complaint,
        C.ESCALATED,
        kind,
        actor.id,
        _("Diteruskan ke Admin Kota oleh %(side)s: %(note)s", side=side.label, note=note),
        {"escalated_at": clock.now(), "escalated_by": side.value, "escalation_note": note},
    )
    tell_escalated(complaint)
    return complaint


def escalate_as_shopper(user: User, number: str, part_id: int, note: str) -> Complaint:
    return escalate(user, shopper_complaint(user, number, part_id), Side.SHOPPER, note)


def escalate_as_cooperative(
    member: User, cooperative_id: int, complaint_id: int, note: str
) -> Complaint:
    return escalate(
        member, cooperative_complaint(cooperative_id, complaint_id), Side.COOPERATIVE, note
    )


# The city's decision -------------------------------------------------------------------------


def decide(admin: User, complaint_id: int, *, refund_amount: int, reason: str) -> Complaint:
    """The city decides, finally: a refund of ``refund_amount`` (at most what was paid for the
    complained units), or a rejection (0), with its reason."""
    complaint = admin_complaint(admin, complaint_id)
    reason = clean_text(reason)
    if not reason:
        raise ComplaintProblem(_("Tulis alasan keputusan."))
    paid = sum(line.paid for line in complaint.lines)
    if refund_amount < 0 or refund_amount > paid:
        raise ComplaintProblem(_("Pengembalian paling banyak %(max)s.", max=rupiah(paid)))
    resolution = Resolution.REFUND if refund_amount > 0 else Resolution.REJECTED
    note = (
        _(
            "Admin Kota memutuskan pengembalian dana %(amount)s: %(reason)s",
            amount=rupiah(refund_amount),
            reason=reason,
        )
        if refund_amount > 0
        else _("Admin Kota menolak komplain: %(reason)s", reason=reason)
    )
    move(
        complaint,
        C.RESOLVED,
        ActorKind.CITY_ADMIN,
        admin.id,
        note,
        {
            "decided_at": clock.now(),
            "decided_by": admin.id,
            "decision_reason": reason,
            "resolution": resolution.value,
            "refund_amount": refund_amount,
            "closed_at": clock.now(),
        },
    )
    if refund_amount > 0:
        _spread_over_lines(complaint, refund_amount)
        start_refund(complaint, refund_amount, admin.id)
    message = lambda: _(  # noqa: E731
        "Admin Kota memutuskan komplain pesanan %(number)s.",
        number=complaint.vendor_order.order.number,
    )
    tell_shopper(complaint, message)
    tell_cooperative(complaint, NotificationKind.COMPLAINT_ANSWERED, message)
    return complaint


def _spread_over_lines(complaint: Complaint, amount: int) -> None:
    """The city's amount, line by line in order, each at most what was paid for it."""
    left = amount
    for line in complaint.lines:
        line.refund_amount = min(line.paid, left)
        left -= line.refund_amount


# The periodic job ----------------------------------------------------------------------------


def lapsed_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(Complaint.id)
            .where(Complaint.status == C.OPEN, Complaint.answer_due_at <= clock.now())
            .order_by(Complaint.answer_due_at, Complaint.id)
            .limit(limit)
        )
    )


def escalate_one(complaint_id: int) -> bool:
    """Escalate one complaint the cooperative left unanswered (False: not due, or moved)."""
    from marketplace.complaints.exceptions import ComplaintMoveRefused

    complaint = db.session.get(Complaint, complaint_id, populate_existing=True)
    if complaint is None or not is_lapsed(complaint):
        return False
    try:
        with db.session.begin_nested():
            move(
                complaint,
                C.ESCALATED,
                ActorKind.SYSTEM,
                None,
                _("Koperasi tidak menjawab tepat waktu: diteruskan ke Admin Kota."),
                {"escalated_at": clock.now(), "escalated_by": Side.SYSTEM.value},
            )
    except ComplaintMoveRefused:
        return False
    tell_escalated(complaint)
    return True


def escalate_lapsed(limit: int = 500) -> int:
    """The periodic task: each lapsed open complaint goes to the city, in its own transaction."""
    from marketplace.orders.cli import move_each

    return move_each(lapsed_ids(limit), escalate_one)
