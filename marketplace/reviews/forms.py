"""The forms of reviews: the shopper's review, a report, the cooperative's answer and the city's
decisions (the workspaces render these; the rules are in `reviews.services`)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired

from marketplace.reviews.services import ANSWER_MAX, BODY_MAX, MAX_PHOTOS
from marketplace.uploads import megabytes
from marketplace.validators import length, required, strip

STARS = [SelectChoice(n, _l("%(n)s bintang", n=n)) for n in range(5, 0, -1)]


def photo_id(value: Any) -> int:
    """A photo's id as posted; anything else is no photo (-1), which no review has."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 12 else -1


class ReviewForm(FlaskForm):
    stars = RadioField(
        _l("Penilaian"),
        choices=STARS,
        coerce=int,
        validators=[InputRequired(_l("Pilih 1 sampai 5 bintang."))],
    )
    body = TextAreaField(
        _l("Ulasan (boleh kosong)"), filters=[strip], validators=[length(BODY_MAX)]
    )
    photos = MultipleFileField(
        _l("Foto (boleh kosong)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "data-resize-image": "1600"},
    )
    remove_photos = SelectMultipleField(_l("Hapus foto"), coerce=photo_id, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos.description = _(
            "Paling banyak %(n)s foto (JPEG, PNG, WebP), masing-masing paling besar %(mb)s MB.",
            n=MAX_PHOTOS,
            mb=megabytes(current_app.config["PAYMENT_PROOF_MAX_BYTES"]),
        )


def review_form(line_id: int, **kwargs: Any) -> ReviewForm:
    """The form of one line (several on a page: each with its own prefix and ids)."""
    return ReviewForm(prefix=f"line{line_id}", **kwargs)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Mengapa ulasan ini tidak pantas?"), filters=[strip], validators=[length(500)]
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Jawaban koperasi"),
        filters=[strip],
        validators=[required(), length(ANSWER_MAX)],
        description=_l("Tampil di bawah ulasan untuk semua orang. Hanya bisa dikirim sekali."),
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan menyembunyikan"),
        filters=[strip],
        validators=[required(), length(1000)],
        description=_l("Ditampilkan kepada penulis ulasan."),
    )


class ReviewModerationForm(FlaskForm):
    enabled = BooleanField(_l("Ulasan baru diperiksa admin kota sebelum tampil"))
