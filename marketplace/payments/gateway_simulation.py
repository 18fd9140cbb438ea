"""The simulation gateway for online payments (QRIS, virtual accounts, e-wallets): development
only, when Xendit has no keys (see `orders.payment_options`), so ``make run`` shows the whole
path while no money moves.

The same calls as `payments.xendit_gateway` (`create_payment`, `get_payment`,
`simulate_payment`) returning the same records (`xendit_records.GatewayPayment`), without a
network: a payment request is a dict shaped like Xendit's answer, kept in our own `Payment` row
(``raw_payload``, found again by ``provider_reference``). Its QR code is a well-formed QRIS
string for a merchant named "SIMULASI" that no bank would pay; its virtual account numbers start
with 9999 (no bank issues them); its e-wallet requests have no link (the page's "Bayar
(simulasi)" button stands in for the e-wallet's app).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from marketplace import clock
from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.payments.gateway_exceptions import GatewayRefused
from marketplace.payments.models import Payment
from marketplace.payments.xendit_records import GatewayPayment, Method, payment_from

PREFIX = "sim-pr-"
MERCHANT = "SIMULASI PASAR OPOP"


def _crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE, the checksum that ends every QRIS string (tag 63)."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def simulated_qr_string(amount: int, reference: str) -> str:
    """A dynamic QRIS payload (EMVCo tags) for ``amount`` rupiah, with its checksum."""

    def tag(number: str, value: str) -> str:
        return f"{number}{len(value):02d}{value}"

    body = (
        tag("00", "01")
        + tag("01", "12")
        + tag("26", tag("00", "ID.CO.QRIS.WWW") + tag("01", "9360000000000000000"))
        + tag("52", "5499")
        + tag("53", "360")
        + tag("54", str(amount))
        + tag("58", "ID")
        + tag("59", MERCHANT[:25])
        + tag("60", "MOJOKERTO")
        + tag("62", tag("01", reference[:25]))
        + "6304"
    )
    return body + _crc16(body)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def create_payment(
    *,
    amount: int,
    method: Method,
    channel: str,
    reference: str,
    idempotency_key: str,
    expires_at: datetime,
    description: str = "",
    customer_name: str | None = None,
    mobile_number: str | None = None,
    success_url: str | None = None,
    failure_url: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> GatewayPayment:
    """A simulated payment request (the caller keeps it on its `Payment`). The same key
    returns the request already made for it."""
    kept = db.session.scalar(
        select(Payment).where(
            Payment.idempotency_key == idempotency_key, Payment.provider_reference.is_not(None)
        )
    )
    if kept is not None:
        return payment_from(kept.raw_payload)
    now = clock.now()
    request_id = PREFIX + secrets.token_hex(12)
    data: dict[str, Any] = {
        "id": request_id,
        "reference_id": reference,
        "currency": "IDR",
        "amount": amount,
        "status": "PENDING",
        "description": description,
        "metadata": dict(metadata or {}),
        "simulation": True,
        "payment_method": {
            "id": "sim-pm-" + secrets.token_hex(12),
            "type": method.value,
            "reusability": "ONE_TIME_USE",
            "status": "ACTIVE",
            **_method_details(method, channel, amount, reference, expires_at, mobile_number),
        },
        "created": _iso(now),
        "updated": _iso(now),
    }
    return payment_from(data)


def _method_details(
    method: Method,
    channel: str,
    amount: int,
    reference: str,
    expires_at: datetime,
    mobile_number: str | None,
) -> dict[str, Any]:
    """The payment method's part of the request, as Xendit shapes it for each method."""
    if method is Method.QRIS:
        properties = {"qr_string": simulated_qr_string(amount, reference)}
        return {
            "qr_code": {
                "channel_code": channel,
                "channel_properties": {**properties, "expires_at": _iso(expires_at)},
            }
        }
    if method is Method.VIRTUAL_ACCOUNT:
        number = "9999" + "".join(secrets.choice("0123456789") for _ in range(12))
        return {
            "virtual_account": {
                "channel_code": channel,
                "channel_properties": {
                    "virtual_account_number": number,
                    "expires_at": _iso(expires_at),
                },
            }
        }
    return {
        "ewallet": {
            "channel_code": channel,
            "channel_properties": ({"mobile_number": mobile_number} if mobile_number else {}),
        }
    }


def _kept(payment_request_id: str) -> Payment:
    payment = db.session.scalar(
        select(Payment).where(Payment.provider_reference == payment_request_id)
    )
    if payment is None or not payment_request_id.startswith(PREFIX):
        raise GatewayRefused(
            detail=f"no simulated payment request {payment_request_id}",
            code="DATA_NOT_FOUND",
            status=404,
        )
    return payment


def get_payment(payment_request_id: str) -> GatewayPayment:
    """The simulated request as kept; an unpaid one past its deadline reads as expired."""
    data = dict(_kept(payment_request_id).raw_payload)
    read = payment_from(data)
    if (
        read.gateway_status == "PENDING"
        and read.expires_at is not None
        and as_utc(read.expires_at) <= clock.now()
    ):
        return payment_from({**data, "status": "EXPIRED"})
    return read


def simulate_payment(payment_request_id: str) -> None:
    """The simulated shopper pays: the kept request becomes SUCCEEDED (nothing else changes;
    the caller then applies it as it applies a verified callback)."""
    payment = _kept(payment_request_id)
    read = get_payment(payment_request_id)
    if read.gateway_status != "PENDING":
        raise GatewayRefused(
            detail=f"simulated payment request {payment_request_id} is {read.gateway_status}",
            code="PAYMENT_REQUEST_ALREADY_COMPLETED",
            status=409,
        )
    payment.raw_payload = {
        **payment.raw_payload,
        "status": "SUCCEEDED",
        "updated": _iso(clock.now()),
    }
    db.session.flush()
