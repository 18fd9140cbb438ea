"""The payment settings, read and checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask import current_app

from marketplace.payments.models import Payee

TRANSFER_ACCOUNT_CHOICES = ("cooperative", "platform")


class PaymentSettingsError(ValueError):
    """A payment setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    number: str
    holder: str
    payee: Payee


def commission_rate(value: Any) -> Fraction:
    """PLATFORM_COMMISSION_PERCENT as an exact fraction of 100 (int or string, never float)."""
    if isinstance(value, (float, bool)):
        raise PaymentSettingsError(
            "PLATFORM_COMMISSION_PERCENT must be an int or a string such as '2.5', not a float"
        )
    try:
        rate = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as error:
        raise PaymentSettingsError(
            f"PLATFORM_COMMISSION_PERCENT={value!r} is not a number"
        ) from error
    if not 0 <= rate <= 100:
        raise PaymentSettingsError("PLATFORM_COMMISSION_PERCENT must be between 0 and 100")
    return rate


def commission_on(amount: int, rate: Fraction | None = None) -> int:
    """The platform's commission on ``amount`` rupiah, rounded *down* to the whole rupiah (the
    cooperative keeps the fraction), in integer arithmetic: floor(amount × rate / 100)."""
    if rate is None:
        rate = commission_rate(current_app.config["PLATFORM_COMMISSION_PERCENT"])
    return (amount * rate.numerator) // (100 * rate.denominator)


def transfer_payee() -> Payee:
    value = current_app.config["PAYMENT_TRANSFER_ACCOUNT"]
    return Payee.PLATFORM if value == "platform" else Payee.COOPERATIVE


def platform_account() -> BankAccount:
    config = current_app.config
    return BankAccount(
        bank_name=config["PLATFORM_BANK_NAME"] or "",
        number=config["PLATFORM_BANK_ACCOUNT_NUMBER"] or "",
        holder=config["PLATFORM_BANK_ACCOUNT_HOLDER"] or "",
        payee=Payee.PLATFORM,
    )


def validate(config: Any) -> None:
    """Refuse to start with payment settings that cannot work."""
    account = config.get("PAYMENT_TRANSFER_ACCOUNT")
    if account not in TRANSFER_ACCOUNT_CHOICES:
        raise PaymentSettingsError(
            f"PAYMENT_TRANSFER_ACCOUNT={account!r}: use 'cooperative' or 'platform'"
        )
    if account == "platform":
        missing = [
            name
            for name in (
                "PLATFORM_BANK_NAME",
                "PLATFORM_BANK_ACCOUNT_NUMBER",
                "PLATFORM_BANK_ACCOUNT_HOLDER",
            )
            if not config.get(name)
        ]
        if missing:
            raise PaymentSettingsError(
                "PAYMENT_TRANSFER_ACCOUNT=platform needs " + ", ".join(missing)
            )
    commission_rate(config.get("PLATFORM_COMMISSION_PERCENT", "0"))
    for name in ("PAYOUT_APPROVAL_THRESHOLD", "PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"):
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PaymentSettingsError(f"{name}={value!r}: use a whole number, 0 or more")
    if config.get("ENV_NAME") == "production" and bool(config.get("STRIPE_SECRET_KEY")) != bool(
        config.get("STRIPE_WEBHOOK_SECRET")
    ):
        raise PaymentSettingsError(
            "Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (card payments are marked paid "
            "by the webhook), or neither"
        )
