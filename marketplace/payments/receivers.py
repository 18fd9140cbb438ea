"""How payments react to the order lifecycle: the orders package announces every move of a
vendor order (`orders.signals.vendor_order_moved`) and never imports payments.

* a part marked paid is announced to the shopper by the payment's own email;
* a paid part that is cancelled (by the shopper before acceptance, the cooperative's rejection
  or a city administrator) is refunded, and the refund's email says why;
* a QRIS order gets its payment request as it is placed (`orders.signals.order_placed`), and a
  part cancelled unpaid closes the online payment waiting for it;
* a delivered part that is paid at pickup gets its cash payment recorded, and every delivered
  part is posted to its cooperative's settlement ledger.

Stock is not touched here: the orders capability releases or sells it through the inventory.
"""

from __future__ import annotations

from typing import Any

from marketplace.orders.lifecycle import pays_at_pickup
from marketplace.orders.models import Order, VendorOrder, VendorOrderStatus
from marketplace.orders.signals import order_placed, vendor_order_moved


def on_vendor_order_moved(vendor_order: VendorOrder, **move: Any) -> bool:
    """React to a move; True when this capability writes to the shopper about it itself."""
    from marketplace.payments import online, refunds, services, settlement

    target = move["target"]
    actor_id = move.get("actor_id")
    if target == VendorOrderStatus.PAID:
        # Only `services.apply_received` marks a part paid, and it writes one email for the
        # whole payment, naming every part the payment paid.
        return True
    if target == VendorOrderStatus.CANCELLED and vendor_order.paid_at is not None:
        return bool(refunds.refund_cancelled_part(vendor_order, actor_id))
    if target == VendorOrderStatus.CANCELLED:
        online.close_for_cancelled_part(vendor_order, actor_id)
    if target == VendorOrderStatus.DELIVERED:
        if pays_at_pickup(vendor_order):
            services.record_pay_at_pickup(vendor_order, actor_id)
        settlement.post_delivery(vendor_order, actor_id)
    return False


def on_order_placed(order: Order, **placed: Any) -> None:
    """A QRIS order is paid by one code for all its parts: open its payment request now."""
    from marketplace.payments import online

    online.start_for_new_order(order, placed.get("actor_id"))


def connect() -> None:
    """Listen to the orders capability (idempotent: blinker keeps one connection)."""
    vendor_order_moved.connect(on_vendor_order_moved)
    order_placed.connect(on_order_placed)
