"""The forms of corrections: the cooperative's reason for cancelling its invoice, and the
treasurer's for reversing a payment (the checks are the service's: `corrections`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.procurement.corrections import REASON_MAX, REASON_MIN
from marketplace.procurement.forms import needed
from marketplace.validators import length, strip


class CancelInvoiceForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan membatalkan invoice"),
        description=_l(
            "Apa yang salah pada invoice ini. Nomornya tetap tercatat sebagai dibatalkan; "
            "bendahara membacanya."
        ),
        filters=[strip],
        validators=[needed(_l("Tulis alasan pembatalan.")), length(REASON_MAX, REASON_MIN)],
    )


class ReversePaymentForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan membatalkan pembayaran"),
        description=_l(
            "Apa yang salah dicatat. Catatan pembayaran tetap tersimpan sebagai dibatalkan; "
            "koperasi membacanya."
        ),
        filters=[strip],
        validators=[needed(_l("Tulis alasan pembatalan.")), length(REASON_MAX, REASON_MIN)],
    )
