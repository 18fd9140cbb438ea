"""What messages hold about a person: exported on request, erased on deletion.

A deleted account's messages as a shopper go with it, with their photos, and so do its questions
about products (their own words; no record the law asks us to keep depends on them). What a
member wrote for a cooperative stays in the cooperative's thread, under the erased name the
account now has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, or_, select

from marketplace.accounts.models import User
from marketplace.accounts.privacy import collect_personal_data, erase_personal_data
from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.messages.models import MessagePhoto, OrderMessage, ProductThread, Side
from marketplace.orders.models import Order, VendorOrder
from marketplace.reviews.services import remove_files_after_commit


@collect_personal_data.connect
def _export_messages(user: User) -> tuple[str, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(OrderMessage, Order.number, Product.name)
        .outerjoin(VendorOrder, VendorOrder.id == OrderMessage.vendor_order_id)
        .outerjoin(Order, Order.id == VendorOrder.order_id)
        .outerjoin(ProductThread, ProductThread.id == OrderMessage.product_thread_id)
        .outerjoin(Product, Product.id == ProductThread.product_id)
        .where(OrderMessage.author_id == user.id)
        .order_by(OrderMessage.id)
    ).all()
    return "messages", [
        {
            **({"order": number} if number is not None else {"product": product}),
            "as": message.side,
            "text": message.body,
            "photos": len(message.photos),
            "written_at": message.created_at.isoformat(),
        }
        for message, number, product in rows
    ]


@erase_personal_data.connect
def _erase_messages(user: User) -> None:
    own = or_(
        and_(OrderMessage.author_id == user.id, OrderMessage.side == Side.SHOPPER.value),
        OrderMessage.product_thread_id.in_(
            select(ProductThread.id).where(ProductThread.shopper_id == user.id)
        ),
    )
    keys = list(
        db.session.scalars(
            select(MessagePhoto.storage_key)
            .join(OrderMessage, OrderMessage.id == MessagePhoto.message_id)
            .where(own)
        )
    )
    db.session.execute(
        delete(MessagePhoto)
        .where(MessagePhoto.message_id.in_(select(OrderMessage.id).where(own)))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(OrderMessage).where(own).execution_options(synchronize_session=False))
    db.session.execute(
        delete(ProductThread)
        .where(ProductThread.shopper_id == user.id)
        .execution_options(synchronize_session=False)
    )
    remove_files_after_commit(keys)
