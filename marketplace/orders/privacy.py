"""What orders and carts hold about a person: exported on request, anonymised on deletion.

Orders stay (the cooperatives' sales, tax and audit records depend on them) but lose the
recipient's name, phone and street; the kecamatan, city and postal code remain for statistics.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.accounts.privacy import (
    ERASED_NAME,
    ErasureRefused,
    collect_personal_data,
    erase_personal_data,
)
from marketplace.cart.models import Cart
from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder, VendorOrderStatus

_FINISHED = (
    VendorOrderStatus.COMPLETED,
    VendorOrderStatus.CANCELLED,
    VendorOrderStatus.REFUNDED,
)


@collect_personal_data.connect
def _export_orders(user: User) -> tuple[str, list[dict[str, Any]]]:
    orders = db.session.scalars(
        select(Order)
        .where(Order.user_id == user.id)
        .options(selectinload(Order.vendor_orders).selectinload(VendorOrder.lines))
        .order_by(Order.id)
    ).all()
    return "orders", [
        {
            "number": order.number,
            "placed_at": order.created_at.isoformat(),
            "recipient_name": order.recipient_name,
            "phone": order.phone,
            "address": order.address_line(),
            "payment_method": order.payment_method,
            "grand_total": order.grand_total,
            "parts": [
                {
                    "cooperative": part.cooperative_name,
                    "status": part.status,
                    "lines": [
                        {
                            "product": line.product_name,
                            "variant": line.variant_name,
                            "quantity": line.quantity,
                            "unit_price": line.unit_price,
                        }
                        for line in part.lines
                    ],
                }
                for part in order.vendor_orders
            ],
        }
        for order in orders
    ]


@erase_personal_data.connect
def _anonymise_orders(user: User) -> None:
    open_parts = db.session.scalar(
        select(func.count())
        .select_from(VendorOrder)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(Order.user_id == user.id, VendorOrder.status.not_in(_FINISHED))
    )
    if open_parts:
        raise ErasureRefused(
            str(
                _l(
                    "Masih ada pesanan yang berjalan. Tunggu sampai selesai atau batalkan dulu, "
                    "lalu hapus akun."
                )
            )
        )
    db.session.execute(
        update(Order)
        .where(Order.user_id == user.id)
        .values(recipient_name=ERASED_NAME, phone="-", street="-", kelurahan="-")
    )
    db.session.execute(delete(Cart).where(Cart.user_id == user.id))
