"""Value bands, working days and time limits, the government card limit and the splitting check."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.errors import DomainError
from marketplace.procurement.exceptions import (
    CardLimitExceeded,
    CeilingAboveLimit,
    OrderValueAboveLimit,
)
from marketplace.procurement.rules import (
    DocumentType,
    PriorOrder,
    add_working_days,
    band_limit,
    card_payment_allowed,
    check_card_payment,
    check_request_ceiling,
    document_type_for,
    has_lapsed,
    is_working_day,
    lapses_at,
    order_acceptance_lapses_at,
    pp55_certificate_valid,
    quotation_lapses_at,
    splitting_warning,
    value_band,
    working_days_between,
)
from marketplace.procurement.tax import total_including_ppn
from tests.procurement.defaults import DEFAULTS

WIB = ZoneInfo("Asia/Jakarta")
HOLIDAYS = DEFAULTS.holidays

# --- Value bands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, DocumentType.PROOF_OF_PURCHASE),
        (1, DocumentType.PROOF_OF_PURCHASE),
        (9_999_999, DocumentType.PROOF_OF_PURCHASE),
        (10_000_000, DocumentType.PROOF_OF_PURCHASE),
        (10_000_001, DocumentType.KUITANSI),
        (50_000_000, DocumentType.KUITANSI),
        (50_000_001, DocumentType.SPK),
        (200_000_000, DocumentType.SPK),
        (200_000_001, DocumentType.CONTRACT),
    ],
)
def test_the_band_of_a_total_including_ppn(total: int, band: DocumentType) -> None:
    assert value_band(total, DEFAULTS) is band


@pytest.mark.parametrize(
    ("total", "document"),
    [
        (10_000_000, DocumentType.PROOF_OF_PURCHASE),
        (10_000_001, DocumentType.KUITANSI),
        (50_000_000, DocumentType.KUITANSI),
        (50_000_001, DocumentType.SPK),
        (200_000_000, DocumentType.SPK),
    ],
)
def test_the_document_a_purchase_order_needs(total: int, document: DocumentType) -> None:
    assert document_type_for(total, DEFAULTS) is document


def test_an_order_above_the_spk_band_is_refused_with_an_explanation() -> None:
    with pytest.raises(OrderValueAboveLimit) as caught:
        document_type_for(200_000_001, DEFAULTS)
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.status_code == 400
    assert (error.total, error.limit) == (200_000_001, 200_000_000)
    assert "Rp200.000.001" in error.message
    assert "Rp200.000.000" in error.message
    assert "kontrak" in error.message
    assert "dipecah" in error.message  # splitting is no way out


def test_a_request_ceiling_above_the_spk_band_is_refused_with_the_same_rule() -> None:
    assert check_request_ceiling(200_000_000, DEFAULTS) is DocumentType.SPK
    assert check_request_ceiling(10_000_000, DEFAULTS) is DocumentType.PROOF_OF_PURCHASE
    with pytest.raises(CeilingAboveLimit) as caught:
        check_request_ceiling(300_000_000, DEFAULTS)
    error = caught.value
    assert (error.status_code, error.ceiling, error.limit) == (400, 300_000_000, 200_000_000)
    assert "HPS/pagu Rp300.000.000" in error.message and "kontrak" in error.message


def test_bands_compare_the_total_including_ppn() -> None:
    # Rp9.500.000 excluding PPN is Rp10.545.000 including it: a kuitansi, not a proof of purchase.
    total = total_including_ppn(9_500_000, is_pkp=True, settings=DEFAULTS)
    assert document_type_for(total, DEFAULTS) is DocumentType.KUITANSI


def test_the_bands_come_from_the_settings() -> None:
    settings = replace(DEFAULTS, proof_of_purchase_max=15_000_000)
    assert value_band(12_000_000, settings) is DocumentType.PROOF_OF_PURCHASE
    assert band_limit(DocumentType.PROOF_OF_PURCHASE, settings) == 15_000_000
    assert band_limit(DocumentType.CONTRACT, settings) is None


def test_each_document_type_has_a_label() -> None:
    assert DocumentType.PROOF_OF_PURCHASE.label == "Bukti pembelian"
    assert DocumentType.SPK.label == "SPK (Surat Perintah Kerja)"
    assert {t.value for t in DocumentType} == {"bukti_pembelian", "kuitansi", "spk", "kontrak"}


@pytest.mark.parametrize("total", [-1, 1.5, True])
def test_a_band_needs_a_whole_non_negative_total(total: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        value_band(total, DEFAULTS)  # type: ignore[arg-type]


# --- Working days --------------------------------------------------------------------------


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2026, 12, 4), HOLIDAYS)  # Friday
    assert not is_working_day(date(2026, 12, 5), HOLIDAYS)  # Saturday
    assert not is_working_day(date(2026, 12, 6), HOLIDAYS)  # Sunday
    assert not is_working_day(date(2026, 12, 25), HOLIDAYS)  # Christmas, a Friday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
        (date(2026, 12, 1), 1, date(2026, 12, 2)),  # Tuesday → Wednesday
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Saturday → Monday
        (date(2026, 12, 6), 3, date(2026, 12, 9)),  # Sunday → Wednesday
        (date(2026, 12, 2), 3, date(2026, 12, 7)),  # Wednesday → Monday, over a weekend
        # Christmas (Friday 25 Dec 2026) and New Year (Friday 1 Jan 2027).
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 24), 5, date(2027, 1, 4)),
        # Good Friday, 3 Apr 2026.
        (date(2026, 4, 2), 1, date(2026, 4, 6)),
        (date(2026, 4, 1), 3, date(2026, 4, 7)),
        # Nyepi (Thursday 19 Mar 2026); 20 March is cuti bersama, not a holiday in the list.
        (date(2026, 3, 18), 1, date(2026, 3, 20)),
        (date(2026, 3, 18), 2, date(2026, 3, 23)),
    ],
)
def test_adding_working_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days, HOLIDAYS) == expected


def test_the_holiday_list_is_configurable() -> None:
    with_cuti_bersama = HOLIDAYS | {date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)}
    assert add_working_days(date(2026, 3, 18), 1, with_cuti_bersama) == date(2026, 3, 25)
    assert add_working_days(date(2026, 3, 18), 1, frozenset()) == date(2026, 3, 19)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 1), -1, HOLIDAYS)


def test_counting_working_days_between_two_dates() -> None:
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 7), HOLIDAYS) == 1
    assert working_days_between(date(2026, 12, 21), date(2026, 12, 31), HOLIDAYS) == 7
    assert working_days_between(date(2026, 12, 7), date(2026, 12, 7), HOLIDAYS) == 0
    assert working_days_between(date(2026, 12, 7), date(2026, 12, 1), HOLIDAYS) == 0


@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
)
def test_the_nth_working_day_is_a_working_day_n_working_days_later(start: date, days: int) -> None:
    end = add_working_days(start, days, HOLIDAYS)
    assert is_working_day(end, HOLIDAYS)
    assert working_days_between(start, end, HOLIDAYS) == days
    assert working_days_between(start, end - timedelta(days=1), HOLIDAYS) == days - 1


# --- Time limits ---------------------------------------------------------------------------


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the clock in Mojokerto."""
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def test_an_offer_lapses_at_midnight_after_the_third_working_day() -> None:
    sent = wib(2026, 11, 30, 10, 0)  # Monday
    assert quotation_lapses_at(sent, DEFAULTS) == wib(2026, 12, 4, 0, 0)  # start of Friday
    assert quotation_lapses_at(sent, DEFAULTS).tzinfo is UTC


def test_the_day_of_sending_never_counts() -> None:
    # Sent one minute before midnight on Monday or at dawn: the same Tuesday–Thursday to answer.
    assert quotation_lapses_at(wib(2026, 11, 30, 23, 59), DEFAULTS) == wib(2026, 12, 4)
    assert quotation_lapses_at(wib(2026, 11, 30, 0, 1), DEFAULTS) == wib(2026, 12, 4)


def test_the_local_day_decides_not_the_utc_day() -> None:
    # Friday 4 Dec 2026 at 18:00 UTC is Saturday 01:00 in Mojokerto: Monday–Wednesday count.
    sent = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    assert quotation_lapses_at(sent, DEFAULTS) == wib(2026, 12, 10)


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    # SQLite returns stored UTC timestamps without their zone.
    naive = datetime(2026, 11, 30, 3, 0)
    assert quotation_lapses_at(naive, DEFAULTS) == quotation_lapses_at(
        naive.replace(tzinfo=UTC), DEFAULTS
    )


def test_time_limits_skip_holidays() -> None:
    # Sent Wednesday 1 Apr 2026: Thursday, (Good Friday), Monday, Tuesday.
    assert quotation_lapses_at(wib(2026, 4, 1, 9), DEFAULTS) == wib(2026, 4, 8)
    # A Surat Pesanan issued on Wednesday 23 Dec 2026: Thursday, (Christmas), Monday, Tuesday.
    assert order_acceptance_lapses_at(wib(2026, 12, 23, 14), DEFAULTS) == wib(2026, 12, 30)


def test_has_lapsed_at_the_boundary() -> None:
    sent = wib(2026, 11, 30, 10)
    deadline = wib(2026, 12, 4)
    assert not has_lapsed(sent, deadline - timedelta(microseconds=1), 3, DEFAULTS)
    assert has_lapsed(sent, deadline, 3, DEFAULTS)


def test_the_time_limits_are_configurable() -> None:
    settings = replace(DEFAULTS, quotation_lapse_working_days=5, order_acceptance_working_days=1)
    sent = wib(2026, 11, 30, 10)
    assert quotation_lapses_at(sent, settings) == wib(2026, 12, 8)
    assert order_acceptance_lapses_at(sent, settings) == wib(2026, 12, 2)
    assert lapses_at(sent, 0, settings) == wib(2026, 12, 1)


@given(
    sent=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
)
def test_the_lapse_leaves_at_least_the_working_days_to_answer(sent: datetime, days: int) -> None:
    deadline = lapses_at(sent, days, DEFAULTS)
    assert deadline > sent.replace(tzinfo=UTC)
    last_day = (deadline - timedelta(microseconds=1)).astimezone(WIB).date()
    sent_on = sent.replace(tzinfo=UTC).astimezone(WIB).date()
    assert working_days_between(sent_on, last_day, HOLIDAYS) == days
    assert is_working_day(last_day, HOLIDAYS)


# --- PP 55 certificate ---------------------------------------------------------------------


def test_a_pp55_certificate_is_valid_on_both_ends_of_its_period() -> None:
    start, end = date(2024, 1, 1), date(2027, 12, 31)
    assert pp55_certificate_valid(start, end, start)
    assert pp55_certificate_valid(start, end, end)
    assert not pp55_certificate_valid(start, end, end + timedelta(days=1))
    assert not pp55_certificate_valid(start, end, start - timedelta(days=1))


# --- Government card -----------------------------------------------------------------------


def test_a_card_payment_up_to_the_limit_is_allowed() -> None:
    assert card_payment_allowed(200_000_000, DEFAULTS)
    check_card_payment(200_000_000, DEFAULTS)


def test_a_card_payment_over_the_limit_is_refused() -> None:
    assert not card_payment_allowed(200_000_001, DEFAULTS)
    with pytest.raises(CardLimitExceeded) as caught:
        check_card_payment(200_000_001, DEFAULTS)
    assert "Rp200.000.000" in caught.value.message
    assert "SP2D" in caught.value.message


def test_earlier_card_payments_to_the_same_payee_count() -> None:
    assert card_payment_allowed(50_000_000, DEFAULTS, already_charged_to_payee=150_000_000)
    with pytest.raises(CardLimitExceeded) as caught:
        check_card_payment(60_000_000, DEFAULTS, already_charged_to_payee=150_000_000)
    assert caught.value.already_charged == 150_000_000


@pytest.mark.parametrize(("amount", "already"), [(-1, 0), (1, -1), (1.5, 0), (1, True)])
def test_card_amounts_must_be_whole_and_not_negative(amount: object, already: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        card_payment_allowed(amount, DEFAULTS, already_charged_to_payee=already)  # type: ignore[arg-type]


def test_the_card_limit_is_configurable() -> None:
    assert not card_payment_allowed(60_000_000, replace(DEFAULTS, card_limit_per_payee=50_000_000))


# --- No splitting --------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


def prior(days_ago: int, total: int, reference: str = "SP-1") -> PriorOrder:
    return PriorOrder(reference, TODAY - timedelta(days=days_ago), total)


def test_orders_that_together_pass_a_band_are_warned_about() -> None:
    earlier = prior(10, 8_000_000, "SP-2026-0007")
    warning = splitting_warning(5_000_000, TODAY, [earlier], DEFAULTS)
    assert warning is not None
    assert warning.own_band is DocumentType.PROOF_OF_PURCHASE
    assert warning.band is DocumentType.KUITANSI
    assert warning.combined_total == 13_000_000
    assert warning.passed_limit == 10_000_000
    assert warning.related == (earlier,)
    assert "Rp13.000.000" in warning.message
    assert "Rp10.000.000" in warning.message
    assert "Kuitansi" in warning.message
    assert "Bukti pembelian" in warning.message


def test_a_prior_order_needs_a_whole_non_negative_total() -> None:
    with pytest.raises(ValueError):
        PriorOrder("SP-1", TODAY, -1)


def test_orders_that_stay_in_the_same_band_are_not_warned_about() -> None:
    assert splitting_warning(3_000_000, TODAY, [prior(5, 2_000_000)], DEFAULTS) is None
    assert splitting_warning(5_000_000, TODAY, [prior(5, 5_000_000)], DEFAULTS) is None  # 10M


def test_an_order_alone_in_a_band_is_warned_only_when_together_they_pass_the_next() -> None:
    assert splitting_warning(45_000_000, TODAY, [prior(3, 4_000_000)], DEFAULTS) is None
    warning = splitting_warning(45_000_000, TODAY, [prior(3, 6_000_000)], DEFAULTS)
    assert warning is not None
    assert (warning.own_band, warning.band) == (DocumentType.KUITANSI, DocumentType.SPK)


def test_orders_together_above_the_top_band_are_warned_about() -> None:
    warning = splitting_warning(
        150_000_000, TODAY, [prior(1, 30_000_000), prior(2, 30_000_000)], DEFAULTS
    )
    assert warning is not None
    assert warning.band is DocumentType.CONTRACT
    assert warning.combined_total == 210_000_000


def test_only_orders_within_the_window_count() -> None:
    window = DEFAULTS.splitting_window_days
    assert splitting_warning(5_000_000, TODAY, [prior(window + 1, 8_000_000)], DEFAULTS) is None
    assert splitting_warning(5_000_000, TODAY, [prior(window, 8_000_000)], DEFAULTS) is not None
    assert splitting_warning(5_000_000, TODAY, [], DEFAULTS) is None
    wider = replace(DEFAULTS, splitting_window_days=90)
    assert splitting_warning(5_000_000, TODAY, [prior(60, 8_000_000)], wider) is not None


def test_the_warning_lists_only_the_orders_it_counted() -> None:
    counted = prior(2, 6_000_000, "SP-A")
    warning = splitting_warning(
        5_000_000, TODAY, [counted, prior(400, 90_000_000, "SP-old")], DEFAULTS
    )
    assert warning is not None
    assert warning.related == (counted,)
    assert warning.combined_total == 11_000_000


@given(
    total=st.integers(min_value=0, max_value=300_000_000),
    earlier=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=100_000_000)
        ),
        max_size=5,
    ),
)
def test_a_warning_means_the_orders_together_reach_a_higher_band(
    total: int, earlier: list[tuple[int, int]]
) -> None:
    orders = [prior(days_ago, amount) for days_ago, amount in earlier]
    warning = splitting_warning(total, TODAY, orders, DEFAULTS)
    counted = sum(
        amount for days_ago, amount in earlier if days_ago <= DEFAULTS.splitting_window_days
    )
    bands = list(DocumentType)
    rises = bands.index(value_band(total + counted, DEFAULTS)) > bands.index(
        value_band(total, DEFAULTS)
    )
    assert (warning is not None) == rises
    if warning is not None:
        assert warning.combined_total == total + counted
        assert warning.combined_total > warning.passed_limit >= warning.order_total
