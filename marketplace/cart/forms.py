from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, HiddenField, ValidationError
from wtforms.validators import StopValidation

from marketplace.fields import WholeNumberField


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
