"""The forms of the documents and reports screens: the packages export's period and format,
a signed document's scan, and the copy of a document checked on its verification page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, Form, SelectChoice, SelectField
from wtforms.validators import Optional, StopValidation, ValidationError

from marketplace.fields import DayField, one_of_the_choices
from marketplace.validators import end_not_before_start


class PackageExportForm(Form):
    """The period and format of the packages export for the national systems (a GET form)."""

    date_from = DayField(_l("Surat Pesanan dari tanggal"), validators=[Optional()])
    date_to = DayField(_l("sampai tanggal"), validators=[Optional()])
    fmt = SelectField(
        _l("Format"),
        choices=[SelectChoice("xlsx", "XLSX"), SelectChoice("csv", "CSV")],
        default="xlsx",
        validate_choice=False,
    )

    def validate_fmt(self, field: Field) -> None:
        if field.data not in ("xlsx", "csv"):
            raise ValidationError(str(_l("Pilih XLSX atau CSV.")))

    def validate_date_to(self, field: Field) -> None:
        end_not_before_start(self, field)


def _scan_chosen(form: Any, field: Any) -> None:
    if field.data is None or not getattr(field.data, "filename", ""):
        raise StopValidation(str(_l("Pilih berkas pindaian (PDF atau foto).")))


class SignedScanForm(FlaskForm):
    """A signed document's scan sent back: which document, and the file."""

    document = SelectField(
        _l("Dokumen"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Pilih dokumen yang dipindai dari daftar."))],
    )
    scan = FileField(
        _l("Pindaian bertanda tangan (PDF atau foto)"),
        validators=[_scan_chosen],
        description=_l("Dengan e-meterai bila dokumennya memerlukan."),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"},
    )

    def set_choices(self, signables: Iterable[Any]) -> None:
        self.document.choices = [SelectChoice(s.key, s.label) for s in signables]


def _copy_chosen(form: Any, field: Any) -> None:
    if field.data is None or not getattr(field.data, "filename", ""):
        raise StopValidation(str(_l("Pilih berkas PDF salinan dokumen.")))


class VerifyCopyForm(FlaskForm):
    """A copy of a document, compared with the version its verification code names (the file
    is read, hashed and forgotten: never stored)."""

    copy = FileField(
        _l("Salinan PDF yang diperiksa"),
        validators=[_copy_chosen],
        description=_l("Berkas hanya dibandingkan, tidak disimpan."),
        render_kw={"accept": "application/pdf"},
    )
