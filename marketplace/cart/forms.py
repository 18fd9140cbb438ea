from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, HiddenField, IntegerField, ValidationError
from wtforms.validators import StopValidation


class WholeNumberField(IntegerField):
    """An integer field whose parse error is in the user's language (WTForms' is English)."""

    def __init__(self, *args: Any, invalid_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Isi dengan angka bulat, misalnya 2.")

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        if not raw.lstrip("-").isdigit() or len(raw) > 9:
            self.data = None
            raise ValueError(str(self.invalid_message))
        self.data = int(raw)


def quantity_in_range(form: Form, field: Field) -> None:
    """At least 1 and at most ``CART_MAX_LINE_QUANTITY``."""
    if field.data is None:
        if not field.errors:
            raise StopValidation(str(_l("Isi jumlahnya.")))
        raise StopValidation()
    if field.data < 1:
        raise ValidationError(str(_l("Jumlah minimal 1.")))
    limit = current_app.config["CART_MAX_LINE_QUANTITY"]
    if field.data > limit:
        raise ValidationError(str(_l("Jumlah paling banyak %(n)d.", n=limit)))


def chosen(form: Form, field: Field) -> None:
    if field.data is None and not field.errors:
        raise StopValidation(str(_l("Pilih salah satu pilihan produk.")))


class AddToCartForm(FlaskForm):
    """Posted from the product page (a variant choice) and from product cards (one variant).
    ``product`` (the slug) only says which page to show again when something is wrong."""

    product = HiddenField()
    variant_id = WholeNumberField(
        _l("Pilihan"), validators=[chosen], invalid_message=_l("Pilih salah satu pilihan produk.")
    )
    quantity = WholeNumberField(_l("Jumlah"), validators=[quantity_in_range])
    next = HiddenField()

    def chosen(self) -> tuple[int, int]:
        """(variant id, quantity) once the form validated."""
        return int(self.variant_id.data or 0), int(self.quantity.data or 0)


class QuantityForm(FlaskForm):
    quantity = WholeNumberField(_l("Jumlah"), validators=[quantity_in_range])

    def chosen(self) -> int:
        """The quantity once the form validated."""
        return int(self.quantity.data or 0)
