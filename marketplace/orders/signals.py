"""Signals the orders package sends, so packages above it (payments) can react to a vendor
order's moves without orders importing them (STYLE.md: a lower package never imports upwards).

`vendor_order_moved` is sent by `marketplace.orders.moves._move` after every transition, in
the same transaction, with the vendor order as sender and ``source``, ``target``, ``actor``,
``actor_id`` and ``event`` as keyword arguments. A receiver that raises makes the move fail. A
receiver returns True when it writes to the shopper about the move itself (one email per
action); the orders package then sends no status email for it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

vendor_order_moved = _signals.signal("vendor-order-moved")

#: Sent by `marketplace.orders.services.place_order` once a new order is in (not when a retried
#: request returns the order already placed), in the same transaction, with the order as sender
#: and ``actor_id``. The payments capability opens a QRIS order's payment request on it; a
#: receiver that raises makes the placing fail.
order_placed = _signals.signal("order-placed")
