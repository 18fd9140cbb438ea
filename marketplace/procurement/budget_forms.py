"""The forms of the budgets: the city's yearly goods budget per agency, and the agency PPK's
budget lines (DPA accounts) and their revisions (pergeseran)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField

from marketplace.fields import DayField, RupiahField, WholeNumberField, one_of_the_choices
from marketplace.procurement.common import MAX_AMOUNT
from marketplace.procurement.forms import amount_in_range, needed, not_in_future
from marketplace.validators import length, strip

#: A code is typed with its dots; a full keyboard (a numeric keypad has no dot on some phones).
CODE_KEYBOARD = {"inputmode": "text", "autocomplete": "off", "spellcheck": "false"}


class BudgetForm(FlaskForm):
    agency_id = SelectField(
        _l("OPD"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih OPD dari daftar."))],
    )
    year = WholeNumberField(
        _l("Tahun anggaran"),
        invalid_message=_l("Isi tahun dengan 4 angka, misalnya 2026."),
        validators=[needed(_l("Isi tahun anggaran."))],
    )
    goods_budget = RupiahField(
        _l("Anggaran belanja barang"),
        description=_l("Pagu belanja barang dan jasa OPD untuk tahun itu."),
        validators=[
            needed(_l("Isi anggarannya.")),
            amount_in_range(minimum=0, maximum=MAX_AMOUNT * 100),
        ],
    )

    def set_choices(self, agencies: Iterable[Any]) -> None:
        self.agency_id.choices = [SelectChoice(str(a.id), a.name) for a in agencies]


class BudgetLineForm(FlaskForm):
    agency_id = SelectField(
        _l("OPD"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih OPD Anda."))],
    )
    year = WholeNumberField(
        _l("Tahun anggaran"),
        invalid_message=_l("Isi tahun dengan 4 angka, misalnya 2026."),
        validators=[needed(_l("Isi tahun anggaran."))],
    )
    sub_activity_code = StringField(
        _l("Kode sub kegiatan"),
        description=_l("Seperti di DPA, misalnya 4.01.01.2.01.0001."),
        filters=[strip],
        validators=[needed(_l("Isi kode sub kegiatan.")), length(30)],
        render_kw=CODE_KEYBOARD,
    )
    sub_activity_name = StringField(
        _l("Nama sub kegiatan"),
        filters=[strip],
        validators=[needed(_l("Isi nama sub kegiatan.")), length(255)],
    )
    account_code = StringField(
        _l("Kode rekening belanja"),
        description=_l("Format Permendagri 90, misalnya 5.1.02.01.01.0024."),
        filters=[strip],
        validators=[needed(_l("Isi kode rekening belanja.")), length(30)],
        render_kw=CODE_KEYBOARD,
    )
    account_name = StringField(
        _l("Nama rekening"),
        filters=[strip],
        validators=[needed(_l("Isi nama rekening.")), length(255)],
    )
    amount = RupiahField(
        _l("Pagu di DPA"),
        validators=[needed(_l("Isi pagu rekening.")), amount_in_range(minimum=0)],
    )

    def set_choices(self, agencies: Iterable[Any]) -> None:
        self.agency_id.choices = [SelectChoice(str(a.id), a.name) for a in agencies]


class RevisionForm(FlaskForm):
    revised_on = DayField(
        _l("Tanggal pergeseran"),
        validators=[needed(_l("Isi tanggal pergeseran.")), not_in_future],
    )
    direction = RadioField(
        _l("Pagu"),
        choices=[SelectChoice("add", _l("Ditambah")), SelectChoice("subtract", _l("Dikurangi"))],
        default="add",
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih ditambah atau dikurangi."))],
    )
    change = RupiahField(
        _l("Sebesar"),
        validators=[needed(_l("Isi besar perubahan pagu.")), amount_in_range(maximum=MAX_AMOUNT)],
    )
    reason = TextAreaField(
        _l("Alasan pergeseran"),
        description=_l("Misalnya nomor dan tanggal keputusan pergeseran anggaran."),
        filters=[strip],
        validators=[needed(_l("Tulis alasan pergeseran.")), length(2000)],
    )

    @property
    def signed_change(self) -> int:
        amount = int(self.change.data or 0)
        return -amount if self.direction.data == "subtract" else amount
