"""Who is told of each step of a complaint: the cooperative's active members, the shopper and
the city's administrators (`notifications.notify`, with email through the outbox)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from marketplace.complaints.models import (
    Complaint,
)
from marketplace.complaints.queries import city_admins
from marketplace.cooperatives.services import active_members
from marketplace.i18n import format_day
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify


def when(moment: datetime) -> str:
    return format_day(moment)


# ------------------------------------------------------------------------------------------
# Who is told
# ------------------------------------------------------------------------------------------


def tell_shopper(
    complaint: Complaint,
    message: object,
    kind: NotificationKind = NotificationKind.COMPLAINT_ANSWERED,
) -> None:
    vendor_order = complaint.vendor_order
    shopper = vendor_order.order.user
    notify(
        [shopper],
        kind,
        message,  # type: ignore[arg-type]
        "complaints.detail",
        number=vendor_order.order.number,
        part_id=vendor_order.id,
    )


def tell_cooperative(complaint: Complaint, kind: NotificationKind, message: object) -> None:
    notify(
        active_members(complaint.cooperative_id),
        kind,
        message,  # type: ignore[arg-type]
        "vendors.complaint",
        complaint_id=complaint.id,
    )


def tell_escalated(complaint: Complaint) -> None:
    number = complaint.vendor_order.order.number
    message = lambda: _(  # noqa: E731
        "Komplain pesanan %(number)s diteruskan ke Admin Kota untuk diputuskan.", number=number
    )
    notify(
        city_admins(),
        NotificationKind.COMPLAINT_ESCALATED,
        lambda: _("Komplain pesanan %(number)s menunggu keputusan Anda.", number=number),
        "admin.complaint",
        complaint_id=complaint.id,
    )
    tell_shopper(complaint, message, NotificationKind.COMPLAINT_ESCALATED)
    tell_cooperative(complaint, NotificationKind.COMPLAINT_ESCALATED, message)
