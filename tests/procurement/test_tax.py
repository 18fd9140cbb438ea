"""The taxes on an invoice to a city agency (DOMAIN.md, "Taxes on a government purchase")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.procurement.tax import (
    InvoiceBreakdown,
    InvoiceLine,
    calculate_invoice,
    dpp_for,
    format_percent,
    pph22_applies,
    ppn_for,
    round_half_up,
    stamp_duty_required,
    total_including_ppn,
)
from marketplace.procurement.terbilang import terbilang_rupiah
from tests.procurement.defaults import DEFAULTS


def message(text: str) -> str:
    """A pattern matching exactly ``text``, for ``pytest.raises(match=...)``."""
    return f"^{re.escape(text)}$"


def invoice(
    price: int,
    *,
    is_pkp: bool = True,
    pp55: bool = False,
    order_total: int | None = None,
) -> InvoiceBreakdown:
    """One line worth ``price``, for an order of ``order_total`` (by default the same)."""
    return calculate_invoice(
        [InvoiceLine(quantity=1, unit_price=price)],
        is_pkp=is_pkp,
        pp55_certificate_valid=pp55,
        order_total_excluding_ppn=price if order_total is None else order_total,
        settings=DEFAULTS,
    )


# --- The worked examples of DOMAIN.md -------------------------------------------------------


def test_a_price_of_one_million_has_dpp_916667_and_ppn_110000() -> None:
    result = invoice(1_000_000)
    assert result.subtotal == 1_000_000
    # A PKP cooperative's documents show the DPP and PPN lines (templates read ppn_applies).
    assert result.ppn_applies is True
    assert result.dpp == 916_667
    assert result.ppn == 110_000
    assert result.total == 1_110_000
    assert result.total_in_words == "satu juta seratus sepuluh ribu rupiah"
    # Rp1.110.000 including PPN is not more than Rp2.000.000: the cooperative gets the PPN.
    assert not result.ppn_collected_by_treasurer
    assert result.ppn_collected == 0
    assert not result.pph22_withheld
    assert result.payable == 1_110_000


def test_ten_million_has_pph22_of_150000() -> None:
    result = invoice(10_000_000, is_pkp=False)
    assert result.pph22_withheld and not result.pph22_final
    assert result.pph22_rate_percent == Fraction(3, 2)
    assert result.pph22_rate_label == "1,5%"
    assert result.pph22 == 150_000
    assert result.payable == 9_850_000


def test_ten_million_with_a_valid_pp55_certificate_has_pph22_of_50000() -> None:
    result = invoice(10_000_000, is_pkp=False, pp55=True)
    assert result.pph22_final
    assert result.pph22_rate_percent == Fraction(1, 2)
    assert result.pph22_rate_label == "0,5% (final, PP 55/2022)"
    assert result.pph22 == 50_000
    assert result.payable == 9_950_000


def test_an_expired_pp55_certificate_means_the_full_rate() -> None:
    # The caller passes whether the certificate is valid on the invoice date.
    assert invoice(10_000_000, is_pkp=False, pp55=False).pph22 == 150_000


def test_a_pkp_cooperative_over_the_thresholds_is_paid_without_the_ppn_and_the_pph22() -> None:
    result = invoice(10_000_000, is_pkp=True)
    assert (result.dpp, result.ppn, result.total) == (9_166_667, 1_100_000, 11_100_000)
    assert result.ppn_collected_by_treasurer
    assert result.ppn_collected == 1_100_000
    assert result.pph22 == 150_000
    assert result.payable == 11_100_000 - 1_100_000 - 150_000 == 9_850_000
    assert result.stamp_duty_required
    assert result.stamp_duty_amount == 10_000
    assert result.total_in_words == "sebelas juta seratus ribu rupiah"


def test_a_cooperative_that_is_not_pkp_charges_no_ppn() -> None:
    result = invoice(10_000_000, is_pkp=False)
    assert result.ppn_applies is False
    assert (result.dpp, result.ppn, result.ppn_collected) == (0, 0, 0)
    assert not result.ppn_collected_by_treasurer
    assert result.total == 10_000_000
    assert result.order_total_including_ppn == 10_000_000


# --- The Rp2.000.000 boundaries -------------------------------------------------------------


def test_exactly_two_million_excluding_ppn_is_not_withheld() -> None:
    result = invoice(2_000_000, is_pkp=False)
    assert not result.pph22_withheld
    assert result.pph22 == 0
    assert result.pph22_rate_label == "0%"
    assert result.payable == 2_000_000


def test_two_million_and_one_rupiah_is_withheld() -> None:
    result = invoice(2_000_001, is_pkp=False)
    assert result.pph22_withheld
    assert result.pph22 == 30_000  # 30.000,015 rounded
    assert result.payable == 1_970_001


def test_the_pph22_threshold_ignores_ppn() -> None:
    # Rp2.000.000 + PPN is Rp2.220.000, but PPh 22 looks at the price excluding PPN.
    result = invoice(2_000_000, is_pkp=True)
    assert not result.pph22_withheld
    # The collection threshold looks at the payment including PPN: the treasurer collects it.
    assert result.ppn_collected_by_treasurer
    assert result.payable == 2_000_000


def test_ppn_is_collected_only_when_the_total_including_ppn_is_more_than_two_million() -> None:
    # Rp1.801.802 + PPN Rp198.198 (198.198,22 rounded) is exactly Rp2.000.000.
    at = invoice(1_801_802)
    assert at.total == 2_000_000
    assert not at.ppn_collected_by_treasurer
    assert at.payable == 2_000_000
    # One rupiah more: Rp2.000.001 including PPN.
    above = invoice(1_801_803)
    assert above.total == 2_000_001
    assert above.ppn_collected_by_treasurer
    assert above.payable == 1_801_803


# --- The order decides, never the invoice's part --------------------------------------------


def test_a_part_of_a_large_order_is_taxed_as_the_order() -> None:
    # One delivery of Rp1.000.000 from a Rp10.000.000 Surat Pesanan.
    result = invoice(1_000_000, order_total=10_000_000)
    assert result.ppn_collected_by_treasurer
    assert result.ppn_collected == 110_000
    assert result.pph22_withheld
    assert result.pph22 == 15_000
    assert result.payable == 1_110_000 - 110_000 - 15_000
    # The invoice names the order totals its taxes were judged on, with and without PPN.
    assert result.order_total_excluding_ppn == 10_000_000
    assert result.order_total_including_ppn == 11_100_000


def test_the_stamp_duty_follows_the_invoices_own_value() -> None:
    assert not invoice(1_000_000, order_total=10_000_000).stamp_duty_required
    assert invoice(10_000_000, order_total=10_000_000).stamp_duty_required


def test_stamp_duty_above_five_million() -> None:
    assert not stamp_duty_required(5_000_000, DEFAULTS)
    assert stamp_duty_required(5_000_001, DEFAULTS)
    # The invoice's own value is its total including PPN; the duty changes no amount.
    result = invoice(4_600_000)  # Rp5.106.000 including PPN
    assert result.stamp_duty_required
    assert result.payable == result.total - result.ppn_collected - result.pph22
    assert not invoice(4_500_000, is_pkp=False).stamp_duty_required


def test_no_stamp_duty_amount_on_a_document_at_or_below_five_million() -> None:
    # A stored invoice counts as carrying a meterai when its stamp duty amount is more than 0
    # (models.Invoice.stamp_duty_required), so below the threshold the amount must be 0.
    for result in (
        invoice(1_000_000, order_total=10_000_000),
        invoice(5_000_000, is_pkp=False),  # exactly Rp5.000.000: not more than the threshold
        invoice(0, order_total=0),
    ):
        assert not result.stamp_duty_required
        assert result.stamp_duty_amount == 0
    above = invoice(5_000_001, is_pkp=False)
    assert above.stamp_duty_required
    assert above.stamp_duty_amount == DEFAULTS.stamp_duty_amount == 10_000


def test_an_invoice_worth_more_than_its_order_is_refused() -> None:
    with pytest.raises(
        ValueError, match=message("the invoice (2000001) is worth more than its order (2000000)")
    ):
        invoice(2_000_001, order_total=2_000_000)


# --- Rounding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),  # half to even would give 2
        (Fraction(4_999, 2_000), 2),
        (Fraction(0), 0),
        (Fraction(220_033, 2), 110_017),
    ],
)
def test_round_half_up(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_round_half_up_refuses_negative_amounts() -> None:
    with pytest.raises(
        ValueError, match=message("round_half_up is for amounts of at least 0, not -1/2")
    ):
        round_half_up(Fraction(-1, 2))


def test_ppn_ending_in_half_a_rupiah_rounds_up() -> None:
    # 1.000.150 × 11/100 = 110.016,5: half up gives 110.017 (half to even would give 110.016).
    assert ppn_for(1_000_150, DEFAULTS) == 110_017
    assert invoice(1_000_150).ppn == 110_017


def test_pph22_ending_in_half_a_rupiah_rounds_up() -> None:
    # 2.000.300 × 1,5% = 30.004,5 and 2.000.100 × 0,5% = 10.000,5.
    assert invoice(2_000_300, is_pkp=False).pph22 == 30_005
    assert invoice(2_000_100, is_pkp=False, pp55=True).pph22 == 10_001


def test_the_dpp_is_shown_rounded_half_up() -> None:
    assert dpp_for(18, DEFAULTS) == 17  # 16,5
    assert dpp_for(1_000_000, DEFAULTS) == 916_667


def test_ppn_is_computed_from_the_price_never_from_the_rounded_dpp() -> None:
    # DPP 91.704,25 is shown as 91.704; 12% of 91.704 would be 11.004 (11.004,48), but the PPN
    # is 11% of the price: 11.004,51, so 11.005.
    assert dpp_for(100_041, DEFAULTS) == 91_704
    assert ppn_for(100_041, DEFAULTS) == 11_005


def test_taxes_are_rounded_once_per_invoice_not_per_line() -> None:
    # Each line alone would carry PPN 5,5 → 6; together Rp100 carries exactly Rp11.
    result = calculate_invoice(
        [InvoiceLine(1, 50), InvoiceLine(1, 50)],
        is_pkp=True,
        pp55_certificate_valid=False,
        order_total_excluding_ppn=100,
        settings=DEFAULTS,
    )
    assert result.ppn == 11


def test_lines_are_quantity_times_unit_price() -> None:
    result = calculate_invoice(
        [InvoiceLine(24, 32_000), InvoiceLine(10, 25_000), InvoiceLine(0, 99_000)],
        is_pkp=False,
        pp55_certificate_valid=False,
        order_total_excluding_ppn=2_000_000,
        settings=DEFAULTS,
    )
    assert result.subtotal == 24 * 32_000 + 10 * 25_000 == 1_018_000
    assert [line.amount for line in result.lines] == [768_000, 250_000, 0]


@pytest.mark.parametrize(
    ("quantity", "unit_price", "error", "text"),
    [
        (-1, 1_000, ValueError, "quantity must not be negative, not -1"),
        (1, -1_000, ValueError, "unit_price must not be negative, not -1000"),
        (1, 1_000.0, TypeError, "unit_price must be a whole number (int), not 1000.0"),
        (True, 1, TypeError, "quantity must be a whole number (int), not True"),
        ("2", 1, TypeError, "quantity must be a whole number (int), not '2'"),
    ],
)
def test_bad_lines_are_refused_naming_the_field_and_the_value(
    quantity: object, unit_price: object, error: type, text: str
) -> None:
    with pytest.raises(error, match=message(text)):
        InvoiceLine(quantity, unit_price)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("compute", "argument"),
    [
        (lambda value: ppn_for(value, DEFAULTS), "price"),
        (lambda value: dpp_for(value, DEFAULTS), "price"),
        (lambda value: pph22_applies(value, DEFAULTS), "order_total_excluding_ppn"),
        (lambda value: stamp_duty_required(value, DEFAULTS), "document_value"),
        (
            lambda value: calculate_invoice(
                [],
                is_pkp=True,
                pp55_certificate_valid=False,
                order_total_excluding_ppn=value,
                settings=DEFAULTS,
            ),
            "order_total_excluding_ppn",
        ),
    ],
    ids=["ppn_for", "dpp_for", "pph22_applies", "stamp_duty_required", "calculate_invoice"],
)
def test_each_rule_refuses_an_amount_that_is_not_whole_rupiah(
    compute: Callable[[object], object], argument: str
) -> None:
    """Every rule names the amount it refuses, and the value it was given."""
    with pytest.raises(ValueError, match=message(f"{argument} must not be negative, not -1")):
        compute(-1)
    with pytest.raises(
        TypeError, match=message(f"{argument} must be a whole number (int), not 1500.5")
    ):
        compute(1_500.5)
    with pytest.raises(
        TypeError, match=message(f"{argument} must be a whole number (int), not Fraction(3, 2)")
    ):
        compute(Fraction(3, 2))


def test_an_invoice_is_made_of_invoice_lines_only() -> None:
    with pytest.raises(TypeError, match=message("lines must be InvoiceLine objects")):
        calculate_invoice(
            [InvoiceLine(1, 1_000), (1, 1_000)],  # type: ignore[list-item]
            is_pkp=False,
            pp55_certificate_valid=False,
            order_total_excluding_ppn=2_000,
            settings=DEFAULTS,
        )


def test_the_rates_come_from_the_settings() -> None:
    settings = replace(DEFAULTS, pph22_rate_percent=Fraction(2), pph22_threshold=1_000_000)
    result = calculate_invoice(
        [InvoiceLine(1, 1_500_000)],
        is_pkp=False,
        pp55_certificate_valid=False,
        order_total_excluding_ppn=1_500_000,
        settings=settings,
    )
    assert result.pph22 == 30_000
    assert result.pph22_rate_label == "2%"


def test_total_including_ppn() -> None:
    assert total_including_ppn(1_000_000, is_pkp=True, settings=DEFAULTS) == 1_110_000
    assert total_including_ppn(1_000_000, is_pkp=False, settings=DEFAULTS) == 1_000_000


@pytest.mark.parametrize(
    ("rate", "label"),
    [
        (Fraction(3, 2), "1,5%"),
        (Fraction(1, 2), "0,5%"),
        (Fraction(12), "12%"),
        (Fraction(0), "0%"),
        (Fraction(1, 3), "0,33%"),
        (Fraction(5, 4), "1,25%"),
        (Fraction(1, 200), "0,01%"),  # half a hundredth, rounded up
        # A figure below zero keeps its sign: never printed as the positive rate.
        (Fraction(-3, 2), "-1,5%"),
        (Fraction(-12), "-12%"),
        (Fraction(-1, 3), "-0,33%"),
    ],
)
def test_percentages_are_written_the_indonesian_way(rate: Fraction, label: str) -> None:
    assert format_percent(rate) == label


# --- Properties: for any lines and quantities ----------------------------------------------

lines_strategy = st.lists(
    st.builds(
        InvoiceLine,
        quantity=st.integers(min_value=0, max_value=10_000),
        unit_price=st.integers(min_value=0, max_value=50_000_000),
    ),
    max_size=8,
)


@given(
    lines=lines_strategy,
    rest_of_order=st.integers(min_value=0, max_value=10**10),
    is_pkp=st.booleans(),
    pp55=st.booleans(),
)
def test_the_parts_of_any_invoice_add_up_exactly(
    lines: list[InvoiceLine], rest_of_order: int, is_pkp: bool, pp55: bool
) -> None:
    subtotal = sum(line.quantity * line.unit_price for line in lines)
    result = calculate_invoice(
        lines,
        is_pkp=is_pkp,
        pp55_certificate_valid=pp55,
        order_total_excluding_ppn=subtotal + rest_of_order,
        settings=DEFAULTS,
    )
    assert result.subtotal == subtotal
    assert result.total == result.subtotal + result.ppn
    assert result.payable == result.subtotal + result.ppn - result.ppn_collected - result.pph22
    assert result.ppn_collected in (0, result.ppn)
    assert result.total_in_words == terbilang_rupiah(result.total)

    amounts = (
        result.subtotal,
        result.dpp,
        result.ppn,
        result.ppn_collected,
        result.pph22,
        result.total,
        result.payable,
        result.stamp_duty_amount,
    )
    assert all(isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in amounts)

    # No tax exceeds its rate by more than the half rupiah of rounding, nor falls short of it.
    exact_ppn = subtotal * Fraction(11, 100) if is_pkp else Fraction(0)
    assert abs(result.ppn - exact_ppn) <= Fraction(1, 2)
    top_pph22_rate = max(DEFAULTS.pph22_rate_percent, DEFAULTS.pph22_pp55_rate_percent) / 100
    assert result.pph22 <= subtotal * top_pph22_rate + Fraction(1, 2)
    assert abs(result.pph22 - subtotal * result.pph22_rate_percent / 100) <= Fraction(1, 2)
    assert result.payable <= result.total


@given(
    lines=st.lists(
        st.builds(
            InvoiceLine,
            quantity=st.integers(min_value=1, max_value=500),
            unit_price=st.integers(min_value=1_000, max_value=5_000_000),
        ),
        min_size=2,
        max_size=8,
    ),
    cut=st.integers(min_value=1, max_value=7),
    is_pkp=st.booleans(),
    pp55=st.booleans(),
)
def test_an_order_invoiced_in_parts_is_judged_as_one_order(
    lines: list[InvoiceLine], cut: int, is_pkp: bool, pp55: bool
) -> None:
    """Two deliveries of one Surat Pesanan: each invoice has the order's collection and
    withholding, and together they differ from one whole invoice by rounding only."""
    cut = min(cut, len(lines) - 1)
    order_total = sum(line.amount for line in lines)

    def bill(part: list[InvoiceLine]) -> InvoiceBreakdown:
        return calculate_invoice(
            part,
            is_pkp=is_pkp,
            pp55_certificate_valid=pp55,
            order_total_excluding_ppn=order_total,
            settings=DEFAULTS,
        )

    whole, first, second = bill(lines), bill(lines[:cut]), bill(lines[cut:])
    for part in (first, second):
        assert part.ppn_collected_by_treasurer == whole.ppn_collected_by_treasurer
        assert part.pph22_withheld == whole.pph22_withheld
        assert part.pph22_rate_percent == whole.pph22_rate_percent
    assert first.subtotal + second.subtotal == whole.subtotal
    assert abs(first.ppn + second.ppn - whole.ppn) <= 1
    assert abs(first.pph22 + second.pph22 - whole.pph22) <= 1
