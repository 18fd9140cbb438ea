"""One step of a complaint: a move of `machine.MACHINE` (a guarded update, so two people acting
at once cannot both make it), on the part's timeline and in the audit log."""

from __future__ import annotations

from collections.abc import Mapping

from marketplace import audit
from marketplace.complaints.machine import MACHINE
from marketplace.complaints.models import Complaint, ComplaintStatus
from marketplace.complaints.queries import TEXT_MAX
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind
from marketplace.transitions import guarded_move


def move(
    complaint: Complaint,
    target: ComplaintStatus,
    actor: ActorKind,
    actor_id: int | None,
    note: str,
    values: Mapping[str, object] | None = None,
) -> None:
    """One move of the machine, on the part's timeline and in the audit log."""
    source = complaint.status
    MACHINE.find(source, target, actor=actor, obj=complaint)
    guarded_move(MACHINE, complaint, target, source=source, values=dict(values or {}))
    vendor_order = complaint.vendor_order
    order_moves.note_complaint_step(vendor_order, actor, actor_id, note)
    audit.record(
        f"complaint.{target}",
        complaint,
        actor_id=actor_id,
        cooperative_id=complaint.cooperative_id,
        data={"from": str(source), "number": vendor_order.order.number, "note": note[:500]},
    )


def clean_text(value: str | None) -> str:
    return (value or "").strip()[:TEXT_MAX]
