"""Procurement rules that need no database: value bands and their documents, working days and
time limits, the government card limit and the no-splitting check.

Pure helpers: they take values and ``ProcurementSettings`` and return values (or raise a domain
error); they never read the database, the request or the clock, so the workflow passes in what
it knows (totals, dates, earlier orders) and the tests need no app. The taxes are in tax.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from marketplace.i18n import rupiah
from marketplace.labels import LabelledEnum
from marketplace.procurement import tax
from marketplace.procurement.exceptions import (
    CardLimitExceeded,
    CeilingAboveLimit,
    OrderValueAboveLimit,
)
from marketplace.procurement.settings import ProcurementSettings

__all__ = [
    "DocumentType",
    "PriorOrder",
    "ProcurementSettings",
    "SplittingWarning",
    "add_working_days",
    "band_limit",
    "card_payment_allowed",
    "check_card_payment",
    "check_request_ceiling",
    "document_type_for",
    "has_lapsed",
    "is_working_day",
    "lapses_at",
    "order_acceptance_lapses_at",
    "pp55_certificate_valid",
    "quotation_lapses_at",
    "splitting_warning",
    "value_band",
    "working_days_between",
]


# --- Value bands ---------------------------------------------------------------------------


class DocumentType(LabelledEnum):
    """The document an order needs, by its total including PPN, from the lowest band up."""

    #: Up to Rp10.000.000.
    PROOF_OF_PURCHASE = "bukti_pembelian", _l("Bukti pembelian")
    #: Up to Rp50.000.000.
    KUITANSI = "kuitansi", _l("Kuitansi")
    #: Surat Perintah Kerja, up to Rp200.000.000.
    SPK = "spk", _l("SPK (Surat Perintah Kerja)")
    #: Surat perjanjian: above the SPK band, not handled by this channel.
    CONTRACT = "kontrak", _l("Surat perjanjian (kontrak)")


#: The bands from the lowest up; a band's position is its rank.
_BANDS = tuple(DocumentType)


def _check_amount(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} is whole rupiah (int), not {value!r}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")


def band_limit(band: DocumentType, settings: ProcurementSettings) -> int | None:
    """The highest total including PPN a band holds (None for the contract band: no limit)."""
    return {
        DocumentType.PROOF_OF_PURCHASE: settings.proof_of_purchase_max,
        DocumentType.KUITANSI: settings.kuitansi_max,
        DocumentType.SPK: settings.spk_max,
        DocumentType.CONTRACT: None,
    }[band]


def value_band(total_including_ppn: int, settings: ProcurementSettings) -> DocumentType:
    """The band of an order's total including PPN; each bound is inclusive ("up to")."""
    _check_amount(total_including_ppn, "total_including_ppn")
    for band in _BANDS:
        limit = band_limit(band, settings)
        if limit is None or total_including_ppn <= limit:
            return band
    raise AssertionError("unreachable: the contract band has no limit")


def document_type_for(total_including_ppn: int, settings: ProcurementSettings) -> DocumentType:
    """The document a Surat Pesanan of this total needs; above the SPK band it is refused.

    Raises OrderValueAboveLimit, whose message explains that a full contract is needed.
    """
    band = value_band(total_including_ppn, settings)
    if band is DocumentType.CONTRACT:
        raise OrderValueAboveLimit(total_including_ppn, settings.spk_max)
    return band


def check_request_ceiling(ceiling: int, settings: ProcurementSettings) -> DocumentType:
    """The band of a request's HPS/pagu (a total including PPN); above the SPK band the request
    is refused at once, since no offer within it could be ordered through this channel.

    Raises CeilingAboveLimit, whose message explains that a full contract is needed.
    """
    band = value_band(ceiling, settings)
    if band is DocumentType.CONTRACT:
        raise CeilingAboveLimit(ceiling, settings.spk_max)
    return band


# --- Working days and time limits ----------------------------------------------------------


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts; 0 → start).

    Friday + 1 is Monday; Saturday + 1 is Monday too.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"days must be a whole number of at least 0, not {days!r}")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, holidays):
            count += 1
        day += timedelta(days=1)
    return count


def _aware(moment: datetime) -> datetime:
    # Timestamps are stored in UTC and SQLite returns them naive (see database.as_utc).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lapses_at(sent_at: datetime, working_days: int, settings: ProcurementSettings) -> datetime:
    """When something sent at ``sent_at`` and left unanswered lapses, in UTC.

    The day it was sent does not count; the addressee has the whole of the following
    ``working_days`` working days (on the calendar of ``settings.timezone``) and it lapses at
    midnight after the last one. Sent on Monday 30 Nov 2026 at 10:00 WIB with 3 working days,
    it lapses at the start of Friday 4 Dec 2026 (WIB). A naive ``sent_at`` is taken as UTC.
    """
    zone = settings.zone
    sent_on = _aware(sent_at).astimezone(zone).date()
    last_day = add_working_days(sent_on, working_days, settings.holidays)
    return datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def has_lapsed(
    sent_at: datetime, now: datetime, working_days: int, settings: ProcurementSettings
) -> bool:
    """Whether, at ``now``, something sent at ``sent_at`` has lapsed (see lapses_at)."""
    return _aware(now) >= lapses_at(sent_at, working_days, settings)


def quotation_lapses_at(sent_at: datetime, settings: ProcurementSettings) -> datetime:
    """When an offer or counter-offer left unanswered lapses."""
    return lapses_at(sent_at, settings.quotation_lapse_working_days, settings)


def order_acceptance_lapses_at(issued_at: datetime, settings: ProcurementSettings) -> datetime:
    """When a Surat Pesanan the cooperative has not accepted lapses."""
    return lapses_at(issued_at, settings.order_acceptance_working_days, settings)


def pp55_certificate_valid(valid_from: date, valid_until: date, on: date) -> bool:
    """Whether a PP 55/2022 certificate is valid on ``on`` (both ends of its period included)."""
    return valid_from <= on <= valid_until


# --- Government card -----------------------------------------------------------------------


def card_payment_allowed(
    amount: int, settings: ProcurementSettings, *, already_charged_to_payee: int = 0
) -> bool:
    """Whether a government card (KKP) may pay ``amount`` to a payee who has already been
    charged ``already_charged_to_payee`` by card (for the same order), within the limit."""
    _check_amount(amount, "amount")
    _check_amount(already_charged_to_payee, "already_charged_to_payee")
    return amount + already_charged_to_payee <= settings.card_limit_per_payee


def check_card_payment(
    amount: int, settings: ProcurementSettings, *, already_charged_to_payee: int = 0
) -> None:
    """Raise CardLimitExceeded unless card_payment_allowed."""
    if not card_payment_allowed(
        amount, settings, already_charged_to_payee=already_charged_to_payee
    ):
        raise CardLimitExceeded(amount, settings.card_limit_per_payee, already_charged_to_payee)


# --- No splitting --------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorOrder:
    """An earlier order of the same agency for the same kind of goods from the same cooperative."""

    reference: str
    ordered_on: date
    total_including_ppn: int

    def __post_init__(self) -> None:
        _check_amount(self.total_including_ppn, "total_including_ppn")


@dataclass(frozen=True)
class SplittingWarning:
    """Orders that together pass a band the new order alone stays under. The PPK must
    acknowledge it with a reason before approving."""

    #: The band the orders reach together.
    band: DocumentType
    #: The band of the new order alone.
    own_band: DocumentType
    order_total: int
    combined_total: int
    #: The earlier orders counted (within the window).
    related: tuple[PriorOrder, ...]
    window_days: int
    #: The highest total of ``own_band``: the limit that the orders pass together.
    passed_limit: int

    @property
    def message(self) -> str:
        """The warning for the PPK, in the user's language."""
        return str(
            _l(
                "Bersama %(count)d pesanan lain dari OPD ini untuk barang sejenis dari koperasi "
                "yang sama dalam %(days)d hari, nilainya %(combined)s: melewati batas %(limit)s "
                "untuk %(own)s dan masuk golongan %(band)s. Pesanan tidak boleh dipecah untuk "
                "menghindari batas nilai; setujui hanya dengan alasan yang dicatat.",
                count=len(self.related),
                days=self.window_days,
                combined=rupiah(self.combined_total),
                limit=rupiah(self.passed_limit),
                own=self.own_band.label,
                band=self.band.label,
            )
        )


def splitting_warning(
    order_total_including_ppn: int,
    ordered_on: date,
    earlier_orders: Iterable[PriorOrder],
    settings: ProcurementSettings,
) -> SplittingWarning | None:
    """A warning when this order and the earlier ones within the window together pass a band
    that this order alone does not; None otherwise.

    The caller passes the orders of the same agency, for the same kind of goods, from the same
    cooperative; this keeps those within ``settings.splitting_window_days`` calendar days of
    ``ordered_on`` (either side, both ends included) and compares the bands of the totals
    including PPN.
    """
    window = settings.splitting_window_days
    related = tuple(
        prior for prior in earlier_orders if abs((ordered_on - prior.ordered_on).days) <= window
    )
    combined = order_total_including_ppn + sum(prior.total_including_ppn for prior in related)
    own_band = value_band(order_total_including_ppn, settings)
    band = value_band(combined, settings)
    if _BANDS.index(band) <= _BANDS.index(own_band):
        return None
    passed_limit = band_limit(own_band, settings)
    assert passed_limit is not None  # a band above own_band exists, so own_band has a limit
    return SplittingWarning(
        band=band,
        own_band=own_band,
        order_total=order_total_including_ppn,
        combined_total=combined,
        related=related,
        window_days=window,
        passed_limit=passed_limit,
    )


# --- totals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A price excluding PPN, and its PPN (0 when the cooperative is not PKP)."""

    subtotal: int
    ppn: int

    @property
    def total(self) -> int:
        return self.subtotal + self.ppn


def totals(subtotal: int, is_pkp: bool, settings: ProcurementSettings) -> Totals:
    """The subtotal with its PPN when the cooperative is PKP (`tax.ppn_for`)."""
    return Totals(subtotal, tax.ppn_for(subtotal, settings) if is_pkp else 0)
