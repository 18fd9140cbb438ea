"""The forms of complaints: the shopper's complaint and its steps, the cooperative's answer and
the city's decision (the workspaces render the last two; the rules are in `services`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from marketplace.complaints.models import ComplaintLine, ComplaintReason
from marketplace.complaints.queries import MAX_PHOTOS, TEXT_MAX
from marketplace.fields import RupiahField, WholeNumberField
from marketplace.orders.models import OrderLine
from marketplace.uploads import megabytes
from marketplace.validators import length, required, strip


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ComplaintForm(FlaskForm):
    reason = RadioField(
        _l("Apa masalahnya?"),
        choices=[SelectChoice(reason.value, reason.label) for reason in ComplaintReason],
        validators=[InputRequired(_l("Pilih alasan komplain."))],
    )
    message = TextAreaField(
        _l("Ceritakan masalahnya"),
        filters=[strip],
        validators=[required(), length(TEXT_MAX)],
    )
    photos = MultipleFileField(
        _l("Foto (boleh kosong)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos.description = _(
            "Paling banyak %(n)s foto, masing-masing paling besar %(mb)s MB.",
            n=MAX_PHOTOS,
            mb=megabytes(current_app.config["PAYMENT_PROOF_MAX_BYTES"]),
        )

    def line_fields(self) -> list[tuple[OrderLine, Field]]:
        return [
            (line, getattr(self, f"qty_{line.id}")) for line in getattr(self, "_order_lines", [])
        ]

    def quantities(self) -> dict[int, int]:
        return {line.id: int(field.data or 0) for line, field in self.line_fields()}


def complaint_form(lines: Iterable[OrderLine], **kwargs: Any) -> ComplaintForm:
    """The complaint form with a quantity field per line of the part."""
    lines = list(lines)

    class Form(ComplaintForm):
        pass

    for line in lines:
        setattr(
            Form,
            f"qty_{line.id}",
            WholeNumberField(
                _l("Jumlah %(name)s yang dikomplain", name=line.product_name),
                validators=[Optional(), NumberRange(min=0, max=line.quantity)],
                description=_l("0 sampai %(n)s", n=line.quantity),
            ),
        )
    form = Form(**kwargs)
    form._order_lines = lines
    return form


ANSWERS = [
    SelectChoice("refund", _l("Setujui: kembalikan dana")),
    SelectChoice("replacement", _l("Setujui: kirim barang pengganti")),
    SelectChoice("return", _l("Minta barang dikembalikan dulu, lalu kembalikan dana")),
    SelectChoice("reject", _l("Tolak dengan alasan")),
]


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Jawaban koperasi"),
        choices=ANSWERS,
        validators=[InputRequired(_l("Pilih jawaban."))],
    )
    note = TextAreaField(
        _l("Pesan untuk pembeli (wajib bila menolak)"),
        filters=[strip],
        validators=[length(TEXT_MAX)],
    )

    def line_fields(self) -> list[tuple[ComplaintLine, Field]]:
        return [
            (line, getattr(self, f"amount_{line.order_line_id}"))
            for line in getattr(self, "_complaint_lines", [])
        ]

    def amounts(self) -> dict[int, int]:
        return {line.order_line_id: int(field.data or 0) for line, field in self.line_fields()}


def answer_form(lines: Iterable[ComplaintLine], **kwargs: Any) -> AnswerForm:
    """The answer form with a refund field per complained line (full amount by default)."""
    lines = list(lines)

    class Form(AnswerForm):
        pass

    for line in lines:
        setattr(
            Form,
            f"amount_{line.order_line_id}",
            RupiahField(
                _l("Dana kembali untuk %(name)s (Rp)", name=line.order_line.product_name),
                validators=[Optional()],
                default=line.paid,
            ),
        )
    form = Form(**kwargs)
    form._complaint_lines = lines
    return form


class ReturnShipmentForm(FlaskForm):
    courier = StringField(_l("Kurir"), filters=[strip], validators=[required(), length(60)])
    tracking_number = StringField(
        _l("Nomor resi"), filters=[strip], validators=[required(), length(80)]
    )


class EscalateForm(FlaskForm):
    note = TextAreaField(
        _l("Mengapa Admin Kota perlu memutuskan?"),
        filters=[strip],
        validators=[required(), length(TEXT_MAX)],
    )


class ReceivedForm(FlaskForm):
    sellable = RadioField(
        _l("Barang yang kembali"),
        choices=[
            SelectChoice("yes", _l("Dapat dijual lagi (kembali ke stok)")),
            SelectChoice("no", _l("Tidak dapat dijual lagi")),
        ],
        validators=[InputRequired(_l("Pilih keadaan barang."))],
    )


class RefundProofForm(FlaskForm):
    proof = FileField(
        _l("Bukti transfer pengembalian dana"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )


class DecisionForm(FlaskForm):
    refund_amount = RupiahField(
        _l("Dana dikembalikan ke pembeli (Rp; 0 = komplain ditolak)"),
        validators=[InputRequired(_l("Isi jumlahnya (0 bila ditolak)."))],
    )
    reason = TextAreaField(
        _l("Alasan keputusan"), filters=[strip], validators=[required(), length(TEXT_MAX)]
    )
