"""The city workspace's forms. Formats are checked here; business rules live in the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Optional

from marketplace.fields import ChoiceField, DayField
from marketplace.procurement.agencies import InvalidNip, clean_nip
from marketplace.procurement.models import ProcurementRole
from marketplace.validators import digits_only, email, length, required, strip

REASON_MAX = 2000


class IdChoiceField(ChoiceField):
    """A choice of a row by its id; anything else is refused in the user's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, coerce=int, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            value = str(valuelist[0]).strip()
            self.data = int(value) if value.isdigit() else -1


class ReasonForm(FlaskForm):
    """A decision with a reason for the cooperative (required or not: the service decides)."""

    reason = TextAreaField(
        _l("Alasan atau pesan untuk koperasi"),
        filters=[strip],
        validators=[length(REASON_MAX)],
        description=_l("Dikirim ke pemilik koperasi lewat email dan tampil di ruang kerjanya."),
    )


class ProductReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan untuk koperasi"),
        filters=[strip],
        validators=[length(REASON_MAX)],
        description=_l("Dikirim ke pemilik koperasi lewat email dan tampil di halaman produknya."),
    )


class PilotForm(FlaskForm):
    is_pilot = BooleanField(_l("Koperasi percontohan OPOP"))


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Nama (Bahasa Indonesia)"), filters=[strip], validators=[required(), length(80)]
    )
    name_en = StringField(
        _l("Nama (English)"), filters=[strip], validators=[required(), length(80)]
    )
    parent_id = IdChoiceField(_l("Induk kategori"), default=0)

    def set_parents(self, parents: list[tuple[int, str]]) -> None:
        self.parent_id.choices = [
            SelectChoice(0, _l("— Kategori utama —")),
            *(SelectChoice(value, label) for value, label in parents),
        ]


class RenameCategoryForm(FlaskForm):
    name = StringField(
        _l("Nama (Bahasa Indonesia)"), filters=[strip], validators=[required(), length(80)]
    )
    name_en = StringField(
        _l("Nama (English)"), filters=[strip], validators=[required(), length(80)]
    )


class MergeCategoryForm(FlaskForm):
    target_id = IdChoiceField(_l("Gabungkan ke kategori"))


class ModerationSettingForm(FlaskForm):
    enabled = BooleanField(_l("Produk baru diperiksa admin kota sebelum terbit"))


class SynonymsForm(FlaskForm):
    groups = TextAreaField(
        _l("Kata yang sama artinya"),
        validators=[length(20_000)],
        render_kw={"rows": 12},
        description=_l(
            "Satu baris satu kelompok, kata dipisah koma. Mencari satu kata juga menemukan "
            "produk dengan kata lain di barisnya."
        ),
    )


class AgencyForm(FlaskForm):
    name = StringField(
        _l("Nama instansi (OPD)"), filters=[strip], validators=[required(), length(200)]
    )
    address = StringField(_l("Alamat"), filters=[strip], validators=[length(255)])
    npwp = StringField(
        _l("NPWP instansi"),
        filters=[strip, digits_only],
        validators=[Optional(), length(16, min=15)],
        description=_l("15 atau 16 angka; boleh dikosongkan."),
    )

    def validate_npwp(self, field: Any) -> None:
        if field.data and not field.data.isdigit():
            raise ValidationError(str(_l("NPWP hanya berisi angka.")))


def _check_nip(form: Any, field: Any) -> None:
    """The service's own rule (`agencies.clean_nip`), so the form and the service never differ."""
    try:
        field.data = clean_nip(field.data)
    except InvalidNip as error:
        raise ValidationError(error.message) from error


def nip_field() -> StringField:
    return StringField(
        _l("NIP"),
        filters=[strip],
        validators=[_check_nip],
        description=_l(
            "18 angka (Nomor Induk Pegawai), dicetak di bawah nama pada tanda tangan dokumen; "
            "boleh dikosongkan."
        ),
    )


class AgencyMemberForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[required(), length(254), email()])
    role = ChoiceField(
        _l("Peran pengadaan"),
        # A callable: the labels are read when the form is used, in the reader's language.
        choices=lambda: [SelectChoice(role.value, role.label) for role in ProcurementRole],
        validators=[required()],
    )
    nip = nip_field()


class MemberNipForm(FlaskForm):
    nip = nip_field()


class AuditFilterForm(Form):
    """The audit log's filters (a GET form: no CSRF token, nothing changes)."""

    user = StringField(_l("Pengguna (email)"), filters=[strip], validators=[length(254)])
    cooperative = IdChoiceField(_l("Koperasi"), default=0)
    action = ChoiceField(_l("Jenis tindakan"), default="")
    date_from = DayField(_l("Dari tanggal"), validators=[Optional()], render_kw={"type": "date"})
    date_to = DayField(_l("Sampai tanggal"), validators=[Optional()], render_kw={"type": "date"})

    def validate_date_to(self, field: Any) -> None:
        start: date | None = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError(str(_l("Tanggal akhir tidak boleh sebelum tanggal awal.")))
