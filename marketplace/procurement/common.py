"""What every procurement service shares: the settings, the calendar, a quotation's totals,
document numbers, who the user acts for (scoped look-ups), and `move`, which applies one row of
a status machine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.access import membership_of
from marketplace.cooperatives.services import active_members
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement import rules
from marketplace.procurement.access import agency_roles_of
from marketplace.procurement.lifecycle import MACHINES, find_transition
from marketplace.procurement.models import (
    Actor,
    AgencyMember,
    Delivery,
    Invoice,
    ProcurementEvent,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    Subject,
)
from marketplace.procurement.settings import ProcurementSettings
from marketplace.transitions import guarded_move

#: The most one line may order, and the highest unit price or ceiling accepted (whole rupiah).
MAX_QUANTITY = 1_000_000
MAX_AMOUNT = 999_999_999_999
MAX_LINES = 50

SUBJECTS: dict[type, Subject] = {
    ProcurementRequest: Subject.REQUEST,
    Quotation: Subject.QUOTATION,
    PurchaseOrder: Subject.PURCHASE_ORDER,
    Delivery: Subject.DELIVERY,
    Invoice: Subject.INVOICE,
}


def procurement_settings() -> ProcurementSettings:
    """The rules' numbers from the app's configuration (checked: a wrong value raises)."""
    return ProcurementSettings.from_mapping(current_app.config)


def today() -> date:
    """Today on the calendar the working days are counted on (Kota Mojokerto, WIB)."""
    return clock.now().astimezone(procurement_settings().zone).date()


def local_day(moment: datetime) -> date:
    """The WIB calendar day of a UTC timestamp (naive ones are UTC, as SQLite returns them)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(procurement_settings().zone).date()


def start_of_day(day: date) -> datetime:
    """Midnight WIB at the start of ``day``, in UTC."""
    return datetime.combine(day, time(), tzinfo=procurement_settings().zone).astimezone(UTC)


def last_day(due_at: datetime) -> date:
    """The last calendar day (WIB) before a lapse at midnight."""
    return local_day(due_at) - timedelta(days=1)


def totals_for(quotation: Quotation, subtotal: int | None = None) -> rules.Totals:
    """The latest round's (or ``subtotal``'s) total with PPN when the cooperative is PKP."""
    subtotal = quotation.subtotal if subtotal is None else subtotal
    return rules.totals(subtotal, quotation.cooperative.is_pkp, procurement_settings())


def document_number(prefix: str, row_id: int, at: datetime | None = None) -> str:
    """``SP-2026-000012``: the prefix, the year in Mojokerto and the row id (so it is unique)."""
    return f"{prefix}-{local_day(at or clock.now()).year}-{row_id:06d}"


# --- who the user acts for ---------------------------------------------------------------------


def agency_ids(user: Any, role: ProcurementRole | None = None) -> set[int]:
    """The agencies where the user holds ``role`` (any role when None)."""
    return {agency for agency, held in agency_roles_of(user) if role is None or held == role}


def cooperative_id_of(user: Any) -> int:
    """The cooperative the user acts for, from the membership (never from the request)."""
    membership = membership_of(user)
    if membership is None:
        raise NotFound()
    return membership.cooperative_id


def agency_members(agency_id: int, role: ProcurementRole) -> list[User]:
    """The active users holding ``role`` in the agency."""
    return list(
        db.session.scalars(
            select(User)
            .join(AgencyMember, AgencyMember.user_id == User.id)
            .where(
                AgencyMember.agency_id == agency_id,
                AgencyMember.role == role,
                User.disabled_at.is_(None),
            )
            .order_by(User.id)
        )
    )


def cooperative_members(cooperative_id: int) -> list[User]:
    return active_members(cooperative_id)


# --- the timeline and moves -------------------------------------------------------------------


def request_id_of(obj: Any) -> int:
    if isinstance(obj, ProcurementRequest):
        return obj.id
    if isinstance(obj, Quotation | PurchaseOrder):
        return obj.request_id
    if isinstance(obj, Delivery | Invoice):
        return obj.purchase_order.request_id
    raise TypeError(f"not a procurement object: {obj!r}")


def cooperative_id_for(obj: Any) -> int | None:
    if isinstance(obj, Quotation | PurchaseOrder | Invoice):
        return obj.cooperative_id
    if isinstance(obj, Delivery):
        return obj.purchase_order.cooperative_id
    return None


def record_event(
    obj: Any,
    actor: Actor,
    user: User | None,
    *,
    to_status: str,
    from_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ProcurementEvent:
    """Add a timeline event and its audit entry (``procurement.<subject>.<status>``)."""
    subject = SUBJECTS[type(obj)]
    actor_id = user.id if user is not None else None
    event = ProcurementEvent(
        request_id=request_id_of(obj),
        created_at=clock.now(),
        actor=actor,
        actor_id=actor_id,
        subject=subject,
        subject_id=obj.id,
        reference=obj.number or "",
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
    )
    db.session.add(event)
    audit.record(
        f"procurement.{subject}.{to_status}",
        obj,
        actor_id=actor_id,
        cooperative_id=cooperative_id_for(obj),
        data={
            "from": from_status,
            "number": obj.number,
            "actor": str(actor),
            **({"note": note[:500]} if note else {}),
            **(data or {}),
        },
    )
    return event


def move(
    obj: Any,
    target: str,
    actor: Actor,
    user: User | None,
    *,
    note: str = "",
    values: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> ProcurementEvent:
    """Apply one transition: check the table, change the status with a guarded update (so two
    people acting at once cannot both move it), record the event and the audit entry."""
    find_transition(obj, target, actor)
    source = obj.status
    guarded_move(MACHINES[type(obj)], obj, target, source=source, values=values)
    event = record_event(
        obj, actor, user, to_status=target, from_status=source, note=note, data=data
    )
    db.session.flush()
    return event
