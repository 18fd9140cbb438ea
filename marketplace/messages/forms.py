"""The message form and the form that marks a thread read (both sides use them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.messages.services import BODY_MAX
from marketplace.validators import length, required, strip


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Pesan"),
        filters=[strip],
        validators=[required(), length(BODY_MAX)],
        description=_l("Paling panjang %(n)s huruf.", n=BODY_MAX),
    )


class ReadForm(FlaskForm):
    """Marks the thread read: an empty POST with its CSRF token."""
