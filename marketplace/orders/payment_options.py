"""Which gateway, if any, pays QRIS orders: read from the settings, so the checkout (here, in
orders) and the payments capability (above) decide the same way without orders importing it.

* ``xendit``: both XENDIT_SECRET_KEY and XENDIT_CALLBACK_TOKEN are set (the callback is what
  reports a payment, so one without the other offers nothing);
* ``simulation``: a development machine with neither set, so ``make run`` shows the path with a
  clearly marked simulation in which no money moves; never in testing or production;
* None: QRIS is not offered.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class QrisGateway(enum.StrEnum):
    XENDIT = "xendit"
    SIMULATION = "simulation"


def qris_gateway(config: Mapping[str, Any]) -> QrisGateway | None:
    """The gateway QRIS orders are paid through with these settings, or None (not offered)."""
    key = bool(config.get("XENDIT_SECRET_KEY"))
    token = bool(config.get("XENDIT_CALLBACK_TOKEN"))
    if key and token:
        return QrisGateway.XENDIT
    if not key and not token and config.get("ENV_NAME") == "development":
        return QrisGateway.SIMULATION
    return None
