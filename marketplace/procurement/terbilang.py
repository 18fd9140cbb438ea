"""Whole numbers in Indonesian words (*terbilang*), as invoices and kuitansi print them.

``terbilang_rupiah(1_200_000)`` is ``"satu juta dua ratus ribu rupiah"``. The forms follow
standard Indonesian: *se-* for one ten, hundred and thousand (``sepuluh``, ``seratus``,
``seribu``), ``sebelas`` and ``dua belas`` for the teens, but ``satu juta``, ``satu miliar`` and
``satu triliun``. Pure: no Flask, no database. Words are lower case; a document capitalises them
as its layout needs.
"""

from __future__ import annotations

#: The largest amount spelt out: 999 triliun and the rest (there is no larger unit in use).
MAX_AMOUNT = 10**15 - 1

_DIGITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))


def _below_thousand(number: int) -> list[str]:
    """The words for 1–999 (nothing for 0)."""
    words: list[str] = []
    hundreds, rest = divmod(number, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_DIGITS[hundreds], "ratus"]
    tens, ones = divmod(rest, 10)
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif tens == 1:
        words += [_DIGITS[ones], "belas"]
    else:
        if tens > 1:
            words += [_DIGITS[tens], "puluh"]
        if ones:
            words.append(_DIGITS[ones])
    return words


def terbilang(number: int) -> str:
    """``number`` (0 to ``MAX_AMOUNT``) in Indonesian words: 111 is ``"seratus sebelas"``."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"terbilang takes a whole number (int), not {number!r}")
    if not 0 <= number <= MAX_AMOUNT:
        raise ValueError(f"terbilang spells 0 to {MAX_AMOUNT}, not {number}")
    if number == 0:
        return "nol"
    words: list[str] = []
    rest = number
    for scale, name in _SCALES:
        group, rest = divmod(rest, scale)
        if group == 1 and name == "ribu":
            words.append("seribu")
        elif group:
            words += [*_below_thousand(group), name]
    words += _below_thousand(rest)
    return " ".join(words)


def terbilang_rupiah(amount: int) -> str:
    """An amount in words: ``"satu juta dua ratus ribu rupiah"``; 0 is ``"nol rupiah"``."""
    return f"{terbilang(amount)} rupiah"
