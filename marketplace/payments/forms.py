from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, StopValidation

from marketplace import clock
from marketplace.fields import DayField, PhoneField, WholeNumberField
from marketplace.payments.gateway_refunds import PAYOUT_BANKS
from marketplace.uploads import megabytes
from marketplace.validators import length, required, strip


def file_chosen(form: Any, field: Any) -> None:
    data = field.data
    if data is None or not getattr(data, "filename", ""):
        raise StopValidation(str(_l("Pilih berkas bukti transfer.")))


class ProofForm(FlaskForm):
    """The shopper's transfer proof."""

    proof = FileField(
        _l("Bukti transfer"),
        validators=[file_chosen],
        # static/js/app.js shrinks a larger photo to the size it is stored at
        # (transfers.PROOF_MAX_SIDE) before it is sent; a screenshot is sent as it is.
        render_kw={
            "accept": "image/jpeg,image/png,image/webp,application/pdf",
            "data-resize-image": "2400",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proof.description = _(
            "Foto atau tangkapan layar (JPEG, PNG, WebP) atau PDF, paling besar %(mb)s MB. "
            "Pastikan jumlah, tanggal dan rekening tujuan terbaca.",
            mb=megabytes(current_app.config["PAYMENT_PROOF_MAX_BYTES"]),
        )


def proof_form(box_key: int | None, **kwargs: Any) -> ProofForm:
    """The proof form of one transfer (several on a page: each with its own prefix and ids)."""
    return ProofForm(prefix=f"transfer{box_key or 0}", **kwargs)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan"),
        filters=[strip],
        validators=[required(), length(500)],
        description=_l("Dikirim kepada pembeli."),
    )


class ReturnedForm(FlaskForm):
    bank_reference = StringField(
        _l("Referensi transfer bank"),
        filters=[strip],
        validators=[required(), length(80)],
        description=_l("Nomor referensi dari bank untuk transfer pengembalian."),
    )


class ResolveForm(FlaskForm):
    note = TextAreaField(
        _l("Tindakan yang sudah dilakukan"), filters=[strip], validators=[required(), length(1000)]
    )


def positive(form: Any, field: Any) -> None:
    if field.data is None:
        if not field.errors:
            raise StopValidation(str(_l("Wajib diisi.")))
        raise StopValidation()
    if field.data <= 0:
        raise StopValidation(str(_l("Jumlah harus lebih dari nol.")))


class PayoutForm(FlaskForm):
    cooperative_id = SelectField(
        _l("Koperasi"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Pilih koperasi."))],
    )
    amount = WholeNumberField(
        _l("Jumlah (Rp)"),
        invalid_message=_l("Isi dengan angka rupiah tanpa titik, misalnya 150000."),
        validators=[positive],
    )
    paid_on = DayField(
        _l("Tanggal transfer"),
        validators=[InputRequired(message=_l("Isi tanggal transfer."))],
        default=clock.today,
    )
    bank_reference = StringField(
        _l("Referensi transfer bank"), filters=[strip], validators=[required(), length(80)]
    )
    note = TextAreaField(
        _l("Catatan (boleh dikosongkan)"), filters=[strip], validators=[Optional(), length(500)]
    )

    def set_cooperatives(self, choices: Sequence[tuple[int, str]]) -> None:
        self.cooperative_id.choices = [(0, str(_l("Pilih koperasi"))), *list(choices)]

    def validate_cooperative_id(self, field: Any) -> None:
        valid = {value for value, _label in (field.choices or [])}
        if not field.data or field.data not in valid:
            raise StopValidation(str(_l("Pilih koperasi.")))


class ChannelForm(FlaskForm):
    """The bank or e-wallet picked on the online payment page (its button's value), and the
    OVO account's phone number. Which channels exist is the service's to check."""

    channel = StringField(filters=[strip], validators=[Optional(), length(20)])
    mobile_number = PhoneField(
        _l("Nomor HP akun OVO"), filters=[strip], validators=[Optional(), length(20)]
    )


class RefundAccountForm(FlaskForm):
    """The bank account a refund is paid out to. The service checks the number and the name
    (`gateway_refunds.give_account`)."""

    bank = SelectField(_l("Bank tujuan"), validate_choice=False)
    account_number = StringField(
        _l("Nomor rekening"),
        filters=[strip],
        validators=[required(), length(30)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    holder = StringField(
        _l("Nama pemilik rekening"),
        filters=[strip],
        validators=[required(), length(120)],
        description=_l("Seperti tertulis di buku tabungan."),
    )

    def set_banks(self, banks: Sequence[tuple[str, str]]) -> None:
        self.bank.choices = [("", str(_l("Pilih bank"))), *list(banks)]


def refund_account_form(refund_id: int, **kwargs: Any) -> RefundAccountForm:
    """The account form of one refund (several on a page: each with its own prefix)."""
    form = RefundAccountForm(prefix=f"refund{refund_id}", **kwargs)
    form.set_banks(list(PAYOUT_BANKS.items()))
    return form


class GatewayPayoutForm(FlaskForm):
    """Pay a cooperative through the gateway: the amount (at most its available balance)."""

    amount = WholeNumberField(
        _l("Jumlah (Rp)"),
        invalid_message=_l("Isi dengan angka rupiah tanpa titik, misalnya 150000."),
        validators=[InputRequired(message=_l("Isi jumlah.")), positive],
    )


class PayoutScheduleForm(FlaskForm):
    enabled = BooleanField(_l("Bayar saldo tersedia setiap koperasi lewat Xendit setiap hari"))
