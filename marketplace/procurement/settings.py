"""The numbers the procurement rules apply: tax rates, thresholds, value bands, time limits and
the public holidays.

They live in configuration (``PROCUREMENT_*`` in config.py) because they change with the law;
this module only reads and checks them, so a wrong value stops the app at start-up instead of
producing a wrong invoice. Pure: no Flask, no database; build it from any mapping (the Flask
config, a dict in tests).

Rates are exact numbers (``fractions.Fraction``): write them in the configuration as ints or as
strings (``"1.5"``, ``"11/12"``). Floats are refused, because 0.1 + 0.2 is not 0.3 and a tax
computed from a float can be a rupiah off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Each setting and the configuration key it is read from.
CONFIG_KEYS: dict[str, str] = {
    "ppn_rate_percent": "PROCUREMENT_PPN_RATE_PERCENT",
    "ppn_dpp_fraction": "PROCUREMENT_PPN_DPP_FRACTION",
    "ppn_collection_threshold": "PROCUREMENT_PPN_COLLECTION_THRESHOLD",
    "pph22_threshold": "PROCUREMENT_PPH22_THRESHOLD",
    "pph22_rate_percent": "PROCUREMENT_PPH22_RATE_PERCENT",
    "pph22_pp55_rate_percent": "PROCUREMENT_PPH22_PP55_RATE_PERCENT",
    "stamp_duty_threshold": "PROCUREMENT_STAMP_DUTY_THRESHOLD",
    "stamp_duty_amount": "PROCUREMENT_STAMP_DUTY_AMOUNT",
    "proof_of_purchase_max": "PROCUREMENT_PROOF_OF_PURCHASE_MAX",
    "kuitansi_max": "PROCUREMENT_KUITANSI_MAX",
    "spk_max": "PROCUREMENT_SPK_MAX",
    "card_limit_per_payee": "PROCUREMENT_CARD_LIMIT_PER_PAYEE",
    "splitting_window_days": "PROCUREMENT_SPLITTING_WINDOW_DAYS",
    "quotation_lapse_working_days": "PROCUREMENT_QUOTATION_LAPSE_WORKING_DAYS",
    "order_acceptance_working_days": "PROCUREMENT_ORDER_ACCEPTANCE_WORKING_DAYS",
    "timezone": "PROCUREMENT_TIMEZONE",
    "holidays": "PROCUREMENT_HOLIDAYS",
}

_RATES = ("ppn_rate_percent", "pph22_rate_percent", "pph22_pp55_rate_percent")
_WHOLE_NUMBERS = (
    "ppn_collection_threshold",
    "pph22_threshold",
    "stamp_duty_threshold",
    "stamp_duty_amount",
    "proof_of_purchase_max",
    "kuitansi_max",
    "spk_max",
    "card_limit_per_payee",
    "splitting_window_days",
    "quotation_lapse_working_days",
    "order_acceptance_working_days",
)


@dataclass(frozen=True)
class ProcurementSettings:
    """Rates, thresholds (whole rupiah), value bands, time limits and holidays.

    Every threshold is exclusive ("more than"), every band bound inclusive ("up to").
    """

    ppn_rate_percent: Fraction
    ppn_dpp_fraction: Fraction
    ppn_collection_threshold: int
    pph22_threshold: int
    pph22_rate_percent: Fraction
    pph22_pp55_rate_percent: Fraction
    stamp_duty_threshold: int
    stamp_duty_amount: int
    proof_of_purchase_max: int
    kuitansi_max: int
    spk_max: int
    card_limit_per_payee: int
    splitting_window_days: int
    quotation_lapse_working_days: int
    order_acceptance_working_days: int
    timezone: str
    holidays: frozenset[date]

    def __post_init__(self) -> None:
        # Checked here, not only in from_mapping, so dataclasses.replace() is checked too.
        for name in _RATES:
            rate = getattr(self, name)
            if not isinstance(rate, Fraction) or not 0 <= rate <= 100:
                raise ValueError(f"{name} must be a Fraction from 0 to 100, not {rate!r}")
        if not isinstance(self.ppn_dpp_fraction, Fraction) or not 0 < self.ppn_dpp_fraction <= 1:
            raise ValueError(
                f"ppn_dpp_fraction must be a Fraction in (0, 1], not {self.ppn_dpp_fraction!r}"
            )
        for name in _WHOLE_NUMBERS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
        if not 0 < self.proof_of_purchase_max < self.kuitansi_max < self.spk_max:
            raise ValueError(
                "the value bands must rise: 0 < proof_of_purchase_max < kuitansi_max < spk_max"
            )
        if not isinstance(self.holidays, frozenset) or not all(
            type(day) is date for day in self.holidays
        ):
            raise ValueError("holidays must be a frozenset of dates")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"timezone {self.timezone!r} is not a known time zone") from error

    @property
    def ppn_effective_rate(self) -> Fraction:
        """PPN as a share of the price: 12% of 11/12 is 11/100."""
        return self.ppn_rate_percent / 100 * self.ppn_dpp_fraction

    @property
    def zone(self) -> ZoneInfo:
        """The time zone whose calendar days the working-day counts use."""
        return ZoneInfo(self.timezone)

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> ProcurementSettings:
        """Read every ``PROCUREMENT_*`` key from ``config`` (the Flask config); none is optional."""
        missing = [key for key in CONFIG_KEYS.values() if key not in config]
        if missing:
            raise ValueError(
                "procurement settings missing from the configuration: " + ", ".join(missing)
            )

        def rate(name: str) -> Fraction:
            return exact_number(config[CONFIG_KEYS[name]], CONFIG_KEYS[name])

        def whole(name: str) -> int:
            key = CONFIG_KEYS[name]
            value = config[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} must be a whole number (int), not {value!r}")
            return value

        zone = config[CONFIG_KEYS["timezone"]]
        if not isinstance(zone, str):
            raise ValueError("PROCUREMENT_TIMEZONE must be a time zone name such as 'Asia/Jakarta'")
        try:
            return cls(
                ppn_rate_percent=rate("ppn_rate_percent"),
                ppn_dpp_fraction=rate("ppn_dpp_fraction"),
                ppn_collection_threshold=whole("ppn_collection_threshold"),
                pph22_threshold=whole("pph22_threshold"),
                pph22_rate_percent=rate("pph22_rate_percent"),
                pph22_pp55_rate_percent=rate("pph22_pp55_rate_percent"),
                stamp_duty_threshold=whole("stamp_duty_threshold"),
                stamp_duty_amount=whole("stamp_duty_amount"),
                proof_of_purchase_max=whole("proof_of_purchase_max"),
                kuitansi_max=whole("kuitansi_max"),
                spk_max=whole("spk_max"),
                card_limit_per_payee=whole("card_limit_per_payee"),
                splitting_window_days=whole("splitting_window_days"),
                quotation_lapse_working_days=whole("quotation_lapse_working_days"),
                order_acceptance_working_days=whole("order_acceptance_working_days"),
                timezone=zone,
                holidays=parse_holidays(config[CONFIG_KEYS["holidays"]], CONFIG_KEYS["holidays"]),
            )
        except ValueError as error:
            raise ValueError(f"invalid procurement settings: {error}") from error


def exact_number(value: object, key: str = "value") -> Fraction:
    """An exact rate from an int, a decimal or fraction string, a Decimal or a Fraction."""
    if isinstance(value, bool | float):
        raise ValueError(
            f"{key} must be an int or a string such as '1.5', never a float ({value!r})"
        )
    if isinstance(value, Fraction | int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError) as error:
            raise ValueError(f"{key} is not a number: {value!r}") from error
    raise ValueError(f"{key} must be an int or a string such as '1.5', not {value!r}")


def parse_holidays(value: object, key: str = "holidays") -> frozenset[date]:
    """Dates from ISO strings (``"2026-08-17"``) or ``date`` objects."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of dates such as '2026-08-17'")
    days: set[date] = set()
    for item in value:
        if isinstance(item, datetime):
            raise ValueError(f"{key} holds a datetime, not a date: {item!r}")
        if isinstance(item, date):
            days.add(item)
        elif isinstance(item, str):
            try:
                days.add(date.fromisoformat(item.strip()))
            except ValueError as error:
                raise ValueError(f"{key} holds {item!r}, not a date (YYYY-MM-DD)") from error
        else:
            raise ValueError(f"{key} holds {item!r}, not a date (YYYY-MM-DD)")
    return frozenset(days)
