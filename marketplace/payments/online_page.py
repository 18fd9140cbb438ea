"""The shopper's online payment page and its status request (reads only): the QR code, the
virtual account number with the bank's steps, or the e-wallet's link, with the amount, the
deadline and where the payment stands. Computed, so a lapsed request shows as lapsed before the
job writes it: a GET never writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from markupsafe import Markup

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.database import as_utc
from marketplace.orders.models import Order, PaymentMethod
from marketplace.orders.payment_options import is_online
from marketplace.payments.how_to_pay import PaySteps, channel_name, virtual_account_steps
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.online import (
    awaiting_parts,
    channels,
    is_simulation,
    needs_mobile_number,
    online_payments,
    shopper_order,
)
from marketplace.payments.qr import qr_svg
from marketplace.payments.services import earliest_due
from marketplace.payments.xendit_records import GatewayPayment, payment_from

P = PaymentStatus


@dataclass(frozen=True)
class ChannelChoice:
    code: str
    name: str
    needs_mobile_number: bool


@dataclass(frozen=True)
class OnlinePage:
    """What the payment page and its status request show."""

    order: Order
    method: PaymentMethod | None
    payment: Payment | None
    amount: int
    deadline: datetime | None
    #: choose | waiting | paid | problem | expired | unavailable | closed
    state: str
    simulation: bool
    qr_string: str | None = None
    va_number: str | None = None
    ewallet_url: str | None = None
    ewallet_desktop_url: str | None = None
    #: The last request ended without payment (an e-wallet declined, a lapsed link).
    tried_before: bool = False
    choices: tuple[ChannelChoice, ...] = field(default=())

    @property
    def qr(self) -> Markup | None:
        return qr_svg(self.qr_string, label=_("Kode QRIS")) if self.qr_string else None

    @property
    def channel(self) -> str | None:
        return self.payment.channel if self.payment is not None else None

    @property
    def channel_name(self) -> str:
        return channel_name(self.channel or "")

    @property
    def is_push(self) -> bool:
        """OVO: the request waits in the shopper's app, no link."""
        return self.state == "waiting" and needs_mobile_number(self.channel)

    @property
    def steps(self) -> PaySteps | None:
        """The bank's own "cara bayar" for a virtual account."""
        if self.state != "waiting" or self.method != PaymentMethod.VIRTUAL_ACCOUNT:
            return None
        return virtual_account_steps(self.channel or "", self.va_number or "", self.amount)


def _choices(method: PaymentMethod | None) -> tuple[ChannelChoice, ...]:
    if method is None or method == PaymentMethod.QRIS:
        return ()
    return tuple(
        ChannelChoice(code, channel_name(code), needs_mobile_number(code))
        for code in channels(method)
    )


def online_page(user: User, number: str) -> OnlinePage:
    """The order's QR code, VA number or e-wallet link, amount, deadline and where its payment
    stands; computed, so a lapsed request shows as lapsed before the job writes it (GET never
    writes)."""
    order = shopper_order(user, number)
    method = PaymentMethod(order.payment) if is_online(order.payment) else None
    payments = online_payments(order) if method is not None else []
    now = clock.now()
    parts = awaiting_parts(order)
    due = earliest_due(parts)
    received = [p for p in payments if p.state in (P.SUCCEEDED, P.REFUNDED)]
    held = [p for p in payments if p.state == P.HELD]
    pending = [p for p in payments if p.state == P.PENDING]
    current = pending[-1] if pending else (payments[-1] if payments else None)
    shown: GatewayPayment | None = None
    tried_before = False
    if held:
        state, current = "problem", held[-1]
    elif received and not parts:
        state, current = "paid", received[-1]
    elif not parts or method is None:
        state = "closed"
    elif due is None or due <= now:
        state = "expired"
    elif current is not None and current.state == P.PENDING and current.provider_reference:
        expires = current.expires_at
        if expires is None or as_utc(expires) > now:
            state, shown = "waiting", payment_from(current.raw_payload)
        elif method == PaymentMethod.QRIS:
            state = "expired"
        else:  # the e-wallet's own link lapsed while the order still waits: pick again
            state, tried_before = "choose", True
    elif (current is not None and current.state == P.PENDING) or method == PaymentMethod.QRIS:
        state = "unavailable"  # no request could be made yet: try again
    else:
        state = "choose"
        tried_before = current is not None
    if state == "choose":
        current = None
    return OnlinePage(
        order=order,
        method=method,
        payment=current,
        amount=current.amount if current is not None else sum(vo.total for vo in parts),
        deadline=(
            min(as_utc(current.expires_at), due)
            if current is not None and current.expires_at and due
            else due
        ),
        state=state,
        simulation=is_simulation(),
        qr_string=shown.qr_string if shown else None,
        va_number=shown.va_number if shown else None,
        ewallet_url=shown.ewallet_url if shown else None,
        ewallet_desktop_url=shown.ewallet_desktop_url if shown else None,
        tried_before=tried_before,
        choices=_choices(method),
    )
