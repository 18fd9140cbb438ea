"""Telling the next actor of a procurement step, through the shared notifications
(`marketplace.notifications.services.notify`): an in-app notice and, unless the person turned
it off, an email, both in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from marketplace.accounts.models import User
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify as notify_users
from marketplace.procurement.common import cooperative_members
from marketplace.procurement.models import PurchaseOrder, Quotation


def notify(users: Iterable[User], message: Callable[[], Any], endpoint: str, **values: Any) -> int:
    """Notify each user once of a procurement step: ``message`` is called in the user's
    language; the link is ``url_for(endpoint, **values)``. Returns how many were notified."""
    return notify_users(users, NotificationKind.PROCUREMENT, message, endpoint, **values)


def tell_quotation_cooperative(quotation: Quotation, message: Callable[[], Any]) -> None:
    """Notify the quotation's cooperative, linking to its page of the quotation."""
    notify(
        cooperative_members(quotation.cooperative_id),
        message,
        "procurement.coop_quotation",
        quotation_id=quotation.id,
    )


def tell_quotation_agency(
    quotation: Quotation, users: list[User], message: Callable[[], Any]
) -> None:
    """Notify the agency's ``users``, linking to their page of the quotation."""
    notify(users, message, "procurement.quotation", quotation_id=quotation.id)


def tell_order_cooperative(order: PurchaseOrder, message: Callable[[], Any]) -> None:
    """Notify the Surat Pesanan's cooperative, linking to its page of the order."""
    notify(
        cooperative_members(order.cooperative_id),
        message,
        "procurement.coop_order",
        order_id=order.id,
    )
