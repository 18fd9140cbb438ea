"""What messages hold about a person: exported on request, erased on deletion.

A deleted account's messages as a shopper go with it (their own words; no record the law asks
us to keep depends on them). What a member wrote for a cooperative stays in the cooperative's
thread, under the erased name the account now has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from marketplace.accounts.models import User
from marketplace.accounts.privacy import collect_personal_data, erase_personal_data
from marketplace.extensions import db
from marketplace.messages.models import OrderMessage, Side
from marketplace.orders.models import Order, VendorOrder


@collect_personal_data.connect
def _export_messages(user: User) -> tuple[str, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(OrderMessage, Order.number)
        .join(VendorOrder, VendorOrder.id == OrderMessage.vendor_order_id)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(OrderMessage.author_id == user.id)
        .order_by(OrderMessage.id)
    ).all()
    return "messages", [
        {
            "order": number,
            "as": message.side,
            "text": message.body,
            "written_at": message.created_at.isoformat(),
        }
        for message, number in rows
    ]


@erase_personal_data.connect
def _erase_messages(user: User) -> None:
    db.session.execute(
        delete(OrderMessage)
        .where(OrderMessage.author_id == user.id, OrderMessage.side == Side.SHOPPER.value)
        .execution_options(synchronize_session=False)
    )
