"""Which gateway, if any, takes online payments (QRIS, virtual accounts, e-wallets): read from
the settings, so the checkout (here, in orders) and the payments capability (above) decide the
same way without orders importing it.

* ``xendit``: both XENDIT_SECRET_KEY and XENDIT_CALLBACK_TOKEN are set (the callback is what
  reports a payment, so one without the other offers nothing);
* ``simulation``: a development machine with neither set, so ``make run`` shows the path with a
  clearly marked simulation in which no money moves; never in testing or production;
* None: online payments are not offered.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from marketplace.orders.models import PaymentMethod

#: Paid through the gateway, one payment for the whole order, in the order checkout offers them.
ONLINE_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod.QRIS,
    PaymentMethod.EWALLET,
    PaymentMethod.VIRTUAL_ACCOUNT,
)


class OnlineGateway(enum.StrEnum):
    XENDIT = "xendit"
    SIMULATION = "simulation"


def online_gateway(config: Mapping[str, Any]) -> OnlineGateway | None:
    """The gateway online payments go through with these settings, or None (not offered)."""
    key = bool(config.get("XENDIT_SECRET_KEY"))
    token = bool(config.get("XENDIT_CALLBACK_TOKEN"))
    if key and token:
        return OnlineGateway.XENDIT
    if not key and not token and config.get("ENV_NAME") == "development":
        return OnlineGateway.SIMULATION
    return None


def is_online(method: str | None) -> bool:
    """Paid through the gateway (QRIS, an e-wallet or a virtual account)."""
    return method in ONLINE_METHODS
