"""The shared form fields (marketplace/fields.py): one parser and one message for each kind of
value, whichever form uses it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from marketplace.fields import ChoiceField, DayField, RupiahField, WholeNumberField


class Probe(FlaskForm):
    count = WholeNumberField("Jumlah")
    price = RupiahField("Harga")
    day = DayField("Tanggal")
    kind = ChoiceField("Jenis", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])


def submitted(**data: str) -> Probe:
    form = Probe(formdata=MultiDict({"kind": "a", **data}), meta={"csrf": False})
    form.validate()
    return form


@pytest.mark.parametrize(
    ("typed", "value"), [("12", 12), (" 1.000 ", 1000), ("-3", -3), ("", None)]
)
def test_a_whole_number_reads_thousands_dots(app_ctx: Flask, typed: str, value: Any) -> None:
    form = submitted(count=typed)
    assert form.count.data == value and form.count.errors == []


@pytest.mark.parametrize("typed", ["dua", "1.5", "1,000", "9999999999"])
def test_anything_else_is_not_a_whole_number(app_ctx: Flask, typed: str) -> None:
    assert submitted(count=typed).count.errors == ["Isi dengan angka bulat, misalnya 2."]


@pytest.mark.parametrize(
    ("typed", "value"), [("15000", 15000), ("Rp 1.500.000", 1_500_000), ("rp.15.000", 15000)]
)
def test_rupiah_is_read_with_or_without_dots(app_ctx: Flask, typed: str, value: int) -> None:
    form = submitted(price=typed)
    assert form.price.data == value and form.price.errors == []
    assert form.price._value() == f"{value:,}".replace(",", ".")


def test_cents_and_absurd_amounts_are_refused(app_ctx: Flask) -> None:
    message = "Isi dalam rupiah bulat tanpa sen, misalnya 1.500.000."
    assert submitted(price="15000,50").price.errors == [message]
    assert submitted(price="-5").price.errors == [message]
    assert submitted(price="1" + "0" * 15).price.errors == ["Nilai terlalu besar."]


def test_a_day_is_read_from_the_date_picker_and_refused_otherwise(app_ctx: Flask) -> None:
    assert submitted(day="2026-12-31").day.data == date(2026, 12, 31)
    assert submitted(day="").day.data is None
    assert submitted(day="31/12/2026").day.errors == [
        "Tanggal tidak valid. Gunakan format 2026-12-31."
    ]


def test_a_choice_off_the_list_is_refused(app_ctx: Flask) -> None:
    assert submitted(kind="c").kind.errors == ["Pilih salah satu dari daftar."]
    assert submitted(kind="b").kind.errors == []
