"""Amounts in Indonesian words, as invoices and kuitansi print them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.procurement.terbilang import MAX_AMOUNT, terbilang, terbilang_rupiah


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (9, "sembilan"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (110, "seratus sepuluh"),
        (111, "seratus sebelas"),
        (115, "seratus lima belas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1_000, "seribu"),
        (1_001, "seribu satu"),
        (1_100, "seribu seratus"),
        (2_000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (12_500, "dua belas ribu lima ratus"),
        (100_000, "seratus ribu"),
        (101_000, "seratus satu ribu"),
        (111_111, "seratus sebelas ribu seratus sebelas"),
        (1_000_000, "satu juta"),
        (1_001_000, "satu juta seribu"),
        (1_200_000, "satu juta dua ratus ribu"),
        (916_667, "sembilan ratus enam belas ribu enam ratus enam puluh tujuh"),
        (2_000_000_000, "dua miliar"),
        (1_000_000_000_000, "satu triliun"),
        (1_000_001_000_000, "satu triliun satu juta"),
        (
            MAX_AMOUNT,
            "sembilan ratus sembilan puluh sembilan triliun sembilan ratus sembilan puluh "
            "sembilan miliar sembilan ratus sembilan puluh sembilan juta sembilan ratus "
            "sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan",
        ),
    ],
)
def test_numbers_in_words(number: int, words: str) -> None:
    assert terbilang(number) == words


def test_rupiah_amounts_end_in_rupiah() -> None:
    assert terbilang_rupiah(1_200_000) == "satu juta dua ratus ribu rupiah"
    assert terbilang_rupiah(0) == "nol rupiah"
    assert terbilang_rupiah(1_110_000) == "satu juta seratus sepuluh ribu rupiah"


@pytest.mark.parametrize("number", [-1, MAX_AMOUNT + 1])
def test_amounts_out_of_range_are_refused(number: int) -> None:
    # The message gives the range that can be spelt and the amount that was refused.
    text = f"terbilang spells 0 to 999999999999999, not {number}"
    with pytest.raises(ValueError, match=f"^{re.escape(text)}$"):
        terbilang(number)


@pytest.mark.parametrize(("number", "shown"), [(1.0, "1.0"), (True, "True"), ("1000", "'1000'")])
def test_only_whole_numbers_are_spelt(number: object, shown: str) -> None:
    text = f"terbilang takes a whole number (int), not {shown}"
    with pytest.raises(TypeError, match=f"^{re.escape(text)}$"):
        terbilang(number)  # type: ignore[arg-type]


_DIGITS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def _read(words: str) -> int:
    """Words back to a number: an independent reader, so the property below checks the writer."""
    total = group = last_digit = 0
    for word in words.split(" "):
        if word == "nol":
            return 0
        if word in _DIGITS:
            last_digit = _DIGITS[word]
            group += last_digit
        elif word == "sepuluh":
            group += 10
        elif word == "sebelas":
            group += 11
        elif word == "belas":
            group += 10
        elif word == "puluh":
            group += last_digit * 9
        elif word == "seratus":
            group += 100
        elif word == "ratus":
            group += last_digit * 99
        elif word == "seribu":
            total += 1_000
        elif word in _SCALES:
            total += group * _SCALES[word]
            group = 0
        else:
            raise AssertionError(f"unexpected word {word!r}")
    return total + group


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_any_amount_reads_back_as_itself(number: int) -> None:
    words = terbilang(number)
    assert _read(words) == number
    assert "  " not in words and words == words.strip()
    # One hundred, ten, a teen and a thousand of one are written "se-" (seratus, sepuluh,
    # sebelas, seribu); "satu ribu" is right only after tens or hundreds (dua puluh satu ribu).
    for wrong in ("satu ratus", "satu puluh", "satu belas"):
        assert wrong not in words
    assert not re.search(r"(^|juta |miliar |triliun )satu ribu", words)


@pytest.mark.parametrize("scale", [1, 10**3, 10**6, 10**9, 10**12])
def test_every_group_in_every_position_reads_back_as_itself(scale: int) -> None:
    for group in range(1_000):
        for number in (group * scale, group * scale + 1, group * scale + 111):
            if number <= MAX_AMOUNT:
                assert _read(terbilang(number)) == number


@pytest.mark.parametrize("number", [21_000, 101_000, 1_021_000, 1_000_021_000, 1_000_000_021_000])
def test_satu_ribu_after_tens_or_hundreds(number: int) -> None:
    assert "satu ribu" in terbilang(number)
