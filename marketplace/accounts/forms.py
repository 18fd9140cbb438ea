from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Optional, ValidationError

from marketplace.accounts.passwords import is_common
from marketplace.fields import PhoneField
from marketplace.validators import (
    email,
    indonesian_phone,
    length,
    postal_code,
    required,
    strip,
    strong_password,
)


def not_common(form: FlaskForm, field: Field) -> None:
    """Refuse the passwords attackers try first (a list shipped with the project)."""
    if field.data and is_common(field.data):
        raise ValidationError(
            str(_l("Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain."))
        )


class NewAccountForm(FlaskForm):
    """What every new account must satisfy: registration's fields, and what ``flask
    create-admin`` checks its arguments with (one set of rules for shoppers and administrators)."""

    full_name = StringField(
        _l("Nama lengkap"), filters=[strip], validators=[required(), length(120)]
    )
    email = EmailField(_l("Email"), filters=[strip], validators=[required(), email(), length(254)])
    password = PasswordField(_l("Kata sandi"), validators=[required(), strong_password, not_common])


class RegistrationForm(NewAccountForm):
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[required(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )
    accept_terms = BooleanField(
        _l("Saya menyetujui syarat penjualan dan pemberitahuan privasi."),
        validators=[required()],
    )
    #: Where the guest was going (checkout): the emails' links lead back there.
    next = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.password.description = _l(
            "Minimal %(n)d karakter.", n=current_app.config["PASSWORD_MIN_LENGTH"]
        )


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: confirming what a link opened."""


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[required(), length(254)])
    password = PasswordField(_l("Kata sandi"), validators=[required(), length(200)])
    remember = BooleanField(_l("Ingat saya"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[required(), email(), length(254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Kata sandi baru"), validators=[required(), strong_password, not_common]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[required()])
    password = PasswordField(
        _l("Kata sandi baru"), validators=[required(), strong_password, not_common]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class ProfileForm(FlaskForm):
    full_name = StringField(
        _l("Nama lengkap"), filters=[strip], validators=[required(), length(120)]
    )
    phone = PhoneField(
        _l("Nomor HP"), filters=[strip], validators=[Optional(), length(20), indonesian_phone]
    )
    locale = SelectField(
        _l("Bahasa"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
        validators=[required()],
    )


class AddressForm(FlaskForm):
    label = StringField(
        _l("Label alamat"),
        filters=[strip],
        validators=[required(), length(40)],
        description=_l("Misalnya Rumah atau Kantor."),
    )
    recipient_name = StringField(
        _l("Nama penerima"), filters=[strip], validators=[required(), length(120)]
    )
    phone = PhoneField(
        _l("Nomor HP"), filters=[strip], validators=[required(), length(20), indonesian_phone]
    )
    street = StringField(
        _l("Alamat (jalan, nomor, RT/RW)"), filters=[strip], validators=[required(), length(255)]
    )
    # The region lists: choices are set by the view from the region table (each the children
    # of the one above); the service checks the village really lies under the others.
    province_code = SelectField(_l("Provinsi"), validate_choice=False)
    regency_code = SelectField(_l("Kota/Kabupaten"), validate_choice=False)
    district_code = SelectField(_l("Kecamatan"), validate_choice=False)
    village_code = SelectField(
        _l("Kelurahan/Desa"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Pilih kelurahan/desa dari daftar."))],
    )
    postal_code = StringField(
        _l("Kode pos"),
        filters=[strip],
        validators=[required(), postal_code],
        description=_l("Terisi dari kelurahan/desa yang dipilih; ubah bila perlu."),
    )
    is_default = BooleanField(_l("Jadikan alamat utama"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Kata sandi Anda"),
        validators=[required(), length(200)],
        description=_l("Ketik kata sandi untuk memastikan memang Anda yang menghapus akun."),
    )
    confirm = BooleanField(
        _l("Saya mengerti bahwa akun saya dihapus dan tidak dapat dipulihkan."),
        validators=[required()],
    )
