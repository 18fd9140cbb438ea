"""Taxes on an invoice to a city agency: PPN, who collects it, PPh 22, stamp duty, the net amount.

The rules (docs/procurement.md, from DOMAIN.md), with every number from ``ProcurementSettings``:

- PPN only when the cooperative is PKP: 12% of a DPP of 11/12 of the price, i.e.
  ``PPN = round_half_up(price × 11/100)``. The DPP is shown rounded and never used to compute.
- The treasurer collects the PPN (pays the cooperative without it and remits it) when the order's
  total including PPN is more than Rp2.000.000.
- PPh 22 is withheld when the order's price excluding PPN is more than Rp2.000.000: 1.5% of the
  invoice's price excluding PPN, or 0.5% (final) with a PP 55/2022 certificate valid on the invoice
  date.
- The thresholds judge the Surat Pesanan's total, never the invoice's part: a Rp10.000.000 order
  delivered in five parts has PPh 22 withheld on each part.
- The stamp duty (meterai) is noted when the document's own value (its total including PPN) is
  more than Rp5.000.000. It is a note: it changes no amount.

All amounts are whole rupiah (int). Each tax is computed exactly (``Fraction``) from the invoice's
subtotal and rounded once, half up, so the parts always add up: ``payable == subtotal + ppn −
ppn_collected − pph22``. Pure: no Flask, no database, no float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from marketplace.procurement.settings import ProcurementSettings
from marketplace.procurement.terbilang import terbilang_rupiah


def _check_whole(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int), not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}")


@dataclass(frozen=True)
class InvoiceLine:
    """An accepted quantity at a unit price in whole rupiah, excluding PPN."""

    quantity: int
    unit_price: int

    def __post_init__(self) -> None:
        _check_whole(self.quantity, "quantity")
        _check_whole(self.unit_price, "unit_price")

    @property
    def amount(self) -> int:
        """The line's price excluding PPN."""
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class InvoiceBreakdown:
    """Every line an invoice shows, in whole rupiah."""

    lines: tuple[InvoiceLine, ...]
    #: The invoice's price excluding PPN (the sum of its lines).
    subtotal: int
    #: True when the cooperative is PKP, so PPN applies.
    ppn_applies: bool
    #: DPP (11/12 of the subtotal), rounded for display only; 0 when PPN does not apply.
    dpp: int
    ppn: int
    #: True when the treasurer collects the PPN instead of the cooperative.
    ppn_collected_by_treasurer: bool
    #: The PPN the treasurer keeps back and remits (0 when the cooperative receives it).
    ppn_collected: int
    pph22_withheld: bool
    #: True when the 0.5% final rate of PP 55/2022 applies.
    pph22_final: bool
    #: The rate applied, in percent (0 when nothing is withheld).
    pph22_rate_percent: Fraction
    #: The rate as Indonesian documents print it: ``"1,5%"``, ``"0,5% (final, PP 55/2022)"``.
    pph22_rate_label: str
    pph22: int
    #: The invoice's total including PPN.
    total: int
    #: What the cooperative receives: total − PPN collected by the treasurer − PPh 22.
    payable: int
    stamp_duty_required: bool
    #: The stamp duty to affix when required (a note; it is in no other amount).
    stamp_duty_amount: int
    #: The total in words: ``"satu juta seratus sepuluh ribu rupiah"``.
    total_in_words: str
    #: The Surat Pesanan's totals the thresholds were judged on.
    order_total_excluding_ppn: int
    order_total_including_ppn: int


def round_half_up(value: Fraction) -> int:
    """The nearest whole number, halves rounded up (2.5 → 3, never to even). Not for negatives."""
    if value < 0:
        raise ValueError(f"round_half_up is for amounts of at least 0, not {value}")
    return math.floor(value + Fraction(1, 2))


def ppn_for(price: int, settings: ProcurementSettings) -> int:
    """The PPN on a price excluding PPN: round_half_up(price × 12% × 11/12)."""
    _check_whole(price, "price")
    return round_half_up(price * settings.ppn_effective_rate)


def dpp_for(price: int, settings: ProcurementSettings) -> int:
    """The DPP (tax base, 11/12 of the price) rounded for display; never compute with it."""
    _check_whole(price, "price")
    return round_half_up(price * settings.ppn_dpp_fraction)


def total_including_ppn(price: int, *, is_pkp: bool, settings: ProcurementSettings) -> int:
    """A price excluding PPN plus its PPN (none when the cooperative is not PKP)."""
    return price + (ppn_for(price, settings) if is_pkp else 0)


def treasurer_collects_ppn(
    order_total_excluding_ppn: int, *, is_pkp: bool, settings: ProcurementSettings
) -> bool:
    """Whether the treasurer collects the PPN: the order's total including PPN is over the
    threshold (judged on that total as a document shows it, in whole rupiah)."""
    total = total_including_ppn(order_total_excluding_ppn, is_pkp=is_pkp, settings=settings)
    return is_pkp and total > settings.ppn_collection_threshold


def pph22_applies(order_total_excluding_ppn: int, settings: ProcurementSettings) -> bool:
    """Whether PPh 22 is withheld: the order's price excluding PPN is more than the threshold."""
    _check_whole(order_total_excluding_ppn, "order_total_excluding_ppn")
    return order_total_excluding_ppn > settings.pph22_threshold


def stamp_duty_required(document_value: int, settings: ProcurementSettings) -> bool:
    """Whether a document of this value carries the stamp duty (meterai): more than Rp5.000.000."""
    _check_whole(document_value, "document_value")
    return document_value > settings.stamp_duty_threshold


def format_percent(rate: Fraction) -> str:
    """A percentage the Indonesian way: ``1,5%``, ``12%`` (two decimals at most, half up)."""
    hundredths = round_half_up(abs(rate) * 100)
    whole, fraction = divmod(hundredths, 100)
    sign = "-" if rate < 0 else ""
    text = f"{whole},{fraction:02d}".rstrip("0").rstrip(",")
    return f"{sign}{text}%"


def calculate_invoice(
    lines: Iterable[InvoiceLine],
    *,
    is_pkp: bool,
    pp55_certificate_valid: bool,
    order_total_excluding_ppn: int,
    settings: ProcurementSettings,
) -> InvoiceBreakdown:
    """The tax breakdown of one invoice (the goods accepted in one BAST).

    ``order_total_excluding_ppn`` is the Surat Pesanan's total: the thresholds judge it, never
    the invoice. ``pp55_certificate_valid`` says whether the cooperative's PP 55/2022 certificate
    is valid on the invoice date. Raises ValueError when the invoice is worth more than its order.
    """
    invoice_lines = tuple(lines)
    if not all(isinstance(line, InvoiceLine) for line in invoice_lines):
        raise TypeError("lines must be InvoiceLine objects")
    _check_whole(order_total_excluding_ppn, "order_total_excluding_ppn")
    subtotal = sum(line.amount for line in invoice_lines)
    if subtotal > order_total_excluding_ppn:
        raise ValueError(
            f"the invoice ({subtotal}) is worth more than its order ({order_total_excluding_ppn})"
        )

    ppn = ppn_for(subtotal, settings) if is_pkp else 0
    dpp = dpp_for(subtotal, settings) if is_pkp else 0
    collected_by_treasurer = treasurer_collects_ppn(
        order_total_excluding_ppn, is_pkp=is_pkp, settings=settings
    )
    ppn_collected = ppn if collected_by_treasurer else 0

    withheld = pph22_applies(order_total_excluding_ppn, settings)
    final = withheld and pp55_certificate_valid
    if not withheld:
        rate = Fraction(0)
    elif final:
        rate = settings.pph22_pp55_rate_percent
    else:
        rate = settings.pph22_rate_percent
    pph22 = round_half_up(subtotal * rate / 100)
    label = format_percent(rate) + (" (final, PP 55/2022)" if final else "")

    total = subtotal + ppn
    payable = total - ppn_collected - pph22
    stamp = stamp_duty_required(total, settings)
    return InvoiceBreakdown(
        lines=invoice_lines,
        subtotal=subtotal,
        ppn_applies=is_pkp,
        dpp=dpp,
        ppn=ppn,
        ppn_collected_by_treasurer=collected_by_treasurer,
        ppn_collected=ppn_collected,
        pph22_withheld=withheld,
        pph22_final=final,
        pph22_rate_percent=rate,
        pph22_rate_label=label,
        pph22=pph22,
        total=total,
        payable=payable,
        stamp_duty_required=stamp,
        stamp_duty_amount=settings.stamp_duty_amount if stamp else 0,
        total_in_words=terbilang_rupiah(total),
        order_total_excluding_ppn=order_total_excluding_ppn,
        order_total_including_ppn=total_including_ppn(
            order_total_excluding_ppn, is_pkp=is_pkp, settings=settings
        ),
    )


# --- the faktur pajak's number ----------------------------------------------------------------

#: Kode dan Nomor Seri Faktur Pajak: 17 digits in Coretax (PER-11/PJ/2025: 2 transaction code,
#: 2 status, 13 serial), 16 on a faktur made with e-Faktur desktop (000.000-00.00000000).
FAKTUR_PAJAK_LENGTHS = (16, 17)
_FAKTUR_SEPARATORS = str.maketrans("", "", ".- ")


def faktur_pajak_digits(value: str) -> str | None:
    """The faktur pajak number's digits, its dots, dashes and spaces dropped; None unless that
    leaves 16 or 17 digits."""
    digits = value.strip().translate(_FAKTUR_SEPARATORS)
    if digits.isascii() and digits.isdigit() and len(digits) in FAKTUR_PAJAK_LENGTHS:
        return digits
    return None


#: A billing code (kode billing) is the 15-digit code a tax is paid on at the bank or post office.
BILLING_CODE_LENGTH = 15
#: The NTPN the state's treasury gives back for a tax paid: 16 letters and digits.
NTPN_LENGTH = 16


def billing_code_digits(value: str) -> str | None:
    """A billing code's 15 digits, its dots, dashes and spaces dropped; None otherwise."""
    digits = value.strip().translate(_FAKTUR_SEPARATORS)
    if digits.isascii() and digits.isdigit() and len(digits) == BILLING_CODE_LENGTH:
        return digits
    return None


def ntpn_of(value: str) -> str | None:
    """An NTPN's 16 letters and digits in capitals, its dashes and spaces dropped; None
    otherwise."""
    text = value.strip().translate(_FAKTUR_SEPARATORS).upper()
    if text.isascii() and text.isalnum() and len(text) == NTPN_LENGTH:
        return text
    return None
