"""The message form (text and up to three photos) and the form that marks a thread read (both
sides use them)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField

from marketplace.messages.services import BODY_MAX, MAX_PHOTOS, MessageProblem
from marketplace.uploads import megabytes, read_limited
from marketplace.validators import length, required, strip


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Pesan"),
        filters=[strip],
        validators=[required(), length(BODY_MAX)],
        description=_l("Paling panjang %(n)s huruf.", n=BODY_MAX),
    )
    photos = MultipleFileField(
        _l("Foto (boleh kosong)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "data-resize-image": "1600"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos.description = _(
            "Paling banyak %(n)s foto (JPEG, PNG, WebP), masing-masing paling besar %(mb)s MB.",
            n=MAX_PHOTOS,
            mb=megabytes(current_app.config["PAYMENT_PROOF_MAX_BYTES"]),
        )

    def photo_data(self) -> list[bytes]:
        """The chosen files' bytes, each read up to the limit (a larger one is refused)."""
        limit = current_app.config["PAYMENT_PROOF_MAX_BYTES"]
        uploads = [
            upload
            for upload in self.photos.data or []
            if getattr(upload, "filename", "") and getattr(upload, "stream", None) is not None
        ]
        if len(uploads) > MAX_PHOTOS:  # refused before any is read
            raise MessageProblem(_("Paling banyak %(n)s foto per pesan.", n=MAX_PHOTOS))
        return [read_limited(upload.stream, limit) for upload in uploads]


class ReadForm(FlaskForm):
    """Marks the thread read: an empty POST with its CSRF token."""
