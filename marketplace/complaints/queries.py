"""Reading complaints: the windows (computed, never written by a page), finding a complaint
as each side may (another party's answers 404 exactly like a missing one), the lists and
counts of the workspaces, and the private files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintLine,
    ComplaintStatus,
)
from marketplace.database import as_utc
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder, VendorOrderStatus
from marketplace.payments.models import (
    Refund,
)
from marketplace.storage import PRIVATE_PREFIX, storage

C = ComplaintStatus
PHOTO_FOLDER = PRIVATE_PREFIX + "complaint-photos"
PROOF_FOLDER = PRIVATE_PREFIX + "complaint-refund-proofs"
MAX_PHOTOS = 3
#: Photos are stored at most this many pixels on their long side (as transfer proofs).
PHOTO_MAX_SIDE = 2400
TEXT_MAX = 2000
#: A part may be complained about in these statuses (delivered; completed by the shopper's
#: confirmation or the timer).
COMPLAINABLE = (VendorOrderStatus.DELIVERED, VendorOrderStatus.COMPLETED)


# ------------------------------------------------------------------------------------------
# Windows
# ------------------------------------------------------------------------------------------


def window_end(vendor_order: VendorOrder) -> datetime | None:
    """When the shopper can no longer complain about the part: ORDER_COMPLAINT_DAYS after its
    delivery (None: not delivered)."""
    if vendor_order.delivered_at is None:
        return None
    days = current_app.config["ORDER_COMPLAINT_DAYS"]
    return as_utc(vendor_order.delivered_at) + timedelta(days=days)


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days, in Kota Mojokerto's calendar: Saturday
    and Sunday do not count (a complaint of Friday 10:00 is due, with two days, Tuesday 10:00;
    one of Saturday, Tuesday 10:00 too)."""
    moment = as_utc(start).astimezone(clock.zone())
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment.astimezone(UTC)


def answer_due(opened_at: datetime) -> datetime:
    """When the cooperative's answer is due."""
    return add_working_days(opened_at, current_app.config["COMPLAINT_ANSWER_WORKING_DAYS"])


def in_window(vendor_order: VendorOrder, now: datetime | None = None) -> bool:
    """Whether the part may be complained about now (delivered, inside the window)."""
    end = window_end(vendor_order)
    return vendor_order.state in COMPLAINABLE and end is not None and (now or clock.now()) < end


def can_complain(vendor_order: VendorOrder, now: datetime | None = None) -> bool:
    """Whether the part's shopper may open a complaint about it now (no complaint yet)."""
    return in_window(vendor_order, now) and complaint_of_part(vendor_order.id) is None


def is_lapsed(complaint: Complaint, now: datetime | None = None) -> bool:
    """An open complaint the cooperative did not answer in time (the job escalates it; a page
    shows it as lapsed by computing this)."""
    return complaint.state == C.OPEN and as_utc(complaint.answer_due_at) <= (now or clock.now())


# ------------------------------------------------------------------------------------------
# Finding a complaint (another party's answers 404 exactly like a missing one)
# ------------------------------------------------------------------------------------------


def complaint_of_part(vendor_order_id: int) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.vendor_order_id == vendor_order_id))


def complaints_of_parts(part_ids: list[int]) -> dict[int, Complaint]:
    """The complaints of these parts (one query), by part."""
    if not part_ids:
        return {}
    return {
        complaint.vendor_order_id: complaint
        for complaint in db.session.scalars(
            select(Complaint).where(Complaint.vendor_order_id.in_(part_ids))
        )
    }


def _loaded(query: object) -> Complaint | None:
    return db.session.scalar(
        query.options(  # type: ignore[attr-defined]
            selectinload(Complaint.lines).selectinload(ComplaintLine.order_line),
            selectinload(Complaint.photos),
        )
    )


def shopper_complaint(user: User, number: str, part_id: int) -> Complaint:
    """The complaint about a part of one of the user's orders."""
    complaint = _loaded(
        select(Complaint)
        .join(Complaint.vendor_order)
        .join(VendorOrder.order)
        .where(
            Complaint.vendor_order_id == part_id,
            Order.number == number,
            Order.user_id == user.id,
        )
    )
    if complaint is None:
        raise NotFound()
    return complaint


def cooperative_complaint(cooperative_id: int, complaint_id: int) -> Complaint:
    """A complaint about one of the cooperative's parts."""
    complaint = _loaded(
        select(Complaint).where(
            Complaint.id == complaint_id, Complaint.cooperative_id == cooperative_id
        )
    )
    if complaint is None:
        raise NotFound()
    return complaint


def admin_complaint(admin: User, complaint_id: int) -> Complaint:
    if not admin.is_city_admin:
        raise NotFound()
    complaint = _loaded(select(Complaint).where(Complaint.id == complaint_id))
    if complaint is None:
        raise NotFound()
    return complaint


def cooperative_complaints(cooperative_id: int, *, waiting: bool = False) -> list[Complaint]:
    """The cooperative's complaints, newest first; ``waiting``: those it must act on."""
    query = select(Complaint).where(Complaint.cooperative_id == cooperative_id)
    if waiting:
        query = query.where(Complaint.status.in_(WAITING_FOR_COOPERATIVE))
    return list(
        db.session.scalars(
            query.options(selectinload(Complaint.vendor_order).selectinload(VendorOrder.order))
            .order_by(Complaint.id.desc())
            .limit(200)
        )
    )


#: What waits for the cooperative: an answer, or goods on their way back to confirm.
WAITING_FOR_COOPERATIVE = (C.OPEN, C.RETURN_SHIPPED)


def waiting_count(cooperative_id: int) -> int:
    """How many complaints wait for the cooperative (its dashboard's "komplain menunggu")."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(
                Complaint.cooperative_id == cooperative_id,
                Complaint.status.in_(WAITING_FOR_COOPERATIVE),
            )
        )
        or 0
    )


def escalated_complaints() -> list[Complaint]:
    """The city's queue: complaints waiting for its decision, oldest first."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.status == C.ESCALATED)
            .options(selectinload(Complaint.vendor_order).selectinload(VendorOrder.order))
            .order_by(Complaint.escalated_at, Complaint.id)
        )
    )


def timeline(complaint: Complaint) -> list[object]:
    """The complaint's steps: the part's timeline entries of kind ``complaint``."""
    from marketplace.orders.models import EventKind, VendorOrderEvent

    return list(
        db.session.scalars(
            select(VendorOrderEvent)
            .where(
                VendorOrderEvent.vendor_order_id == complaint.vendor_order_id,
                VendorOrderEvent.kind == EventKind.COMPLAINT,
            )
            .order_by(VendorOrderEvent.id)
        )
    )


def refund_of(complaint: Complaint) -> Refund | None:
    """The refund settling the complaint, if one was decided."""
    return db.session.scalar(select(Refund).where(Refund.complaint_id == complaint.id))


def refunds_of(complaint_ids: list[int]) -> dict[int, Refund]:
    if not complaint_ids:
        return {}
    return {
        refund.complaint_id: refund
        for refund in db.session.scalars(
            select(Refund).where(Refund.complaint_id.in_(complaint_ids))
        )
        if refund.complaint_id is not None
    }


def private_file(key: str | None, content_type: str | None) -> tuple[bytes, str]:
    if not key:
        raise NotFound()
    try:
        return storage().read(key), content_type or "application/octet-stream"
    except FileNotFoundError as error:
        raise NotFound() from error


def photo_of(complaint: Complaint, photo_id: int) -> tuple[bytes, str]:
    photo = next((photo for photo in complaint.photos if photo.id == photo_id), None)
    if photo is None:
        raise NotFound()
    return private_file(photo.storage_key, photo.content_type)


def city_admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.is_city_admin.is_(True), User.disabled_at.is_(None))
        )
    )


def open_complaint_parts() -> Select[tuple[int]]:
    """The parts a complaint still open holds the money of (`payments.settlement.held`)."""
    return select(Complaint.vendor_order_id).where(Complaint.status.in_(OPEN_STATUSES))
