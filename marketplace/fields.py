"""Form fields shared by every domain's forms.

The keyboard a phone shows for a field is chosen here, once, not in each template: money and
quantities bring up the number pad (``inputmode="numeric"``; whole rupiah and whole units, so
never "decimal"), phone numbers the phone pad (``type="tel"``). A form or a template may still
pass its own attributes; those win.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, Form, IntegerField, SelectField, TelField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from marketplace.validators import parse_rupiah

#: Digits, or digits in groups of three with dots ("1.000": a thousand, as written in Indonesia).
_WHOLE = re.compile(r"^-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)$")


def keyboard(kwargs: dict[str, Any], **attributes: str) -> dict[str, Any]:
    """A field's keyword arguments with ``attributes`` as defaults of its ``render_kw``."""
    kwargs["render_kw"] = {**attributes, **(kwargs.get("render_kw") or {})}
    return kwargs


class WholeNumberField(IntegerField):
    """A whole number (a quantity, a year, an id) on the number pad, whose parse error is in the
    user's language (WTForms' is English). ``1.000`` is a thousand. A text input: browsers'
    number inputs mangle "1.000"."""

    widget = TextInput()

    def __init__(self, *args: Any, invalid_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **keyboard(kwargs, inputmode="numeric"))
        self.invalid_message = invalid_message or _l("Isi dengan angka bulat, misalnya 2.")

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        digits = raw.replace(".", "")
        if not _WHOLE.match(raw) or len(digits) > 9:
            self.data = None
            raise ValueError(str(self.invalid_message))
        self.data = int(digits)


class RupiahField(IntegerField):
    """Whole rupiah typed as ``1500000``, ``1.500.000`` or ``Rp1.500.000`` (cents are refused,
    not rounded); shown with its thousands dots."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **keyboard(kwargs, inputmode="numeric", autocomplete="off"))

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        amount = parse_rupiah(str(valuelist[0]))
        if amount is None:
            self.data = None
            raise ValueError(str(_l("Isi dalam rupiah bulat tanpa sen, misalnya 1.500.000.")))
        if amount >= 10**15:
            self.data = None
            raise ValueError(str(_l("Nilai terlalu besar.")))
        self.data = amount

    def _value(self) -> str:
        if isinstance(self.data, int):
            return f"{self.data:,}".replace(",", ".")
        return str(self.raw_data[0]) if self.raw_data else ""


class DayField(DateField):
    """A calendar day, ``YYYY-MM-DD`` as the browser's date picker sends it, whose parse error
    is in the user's language (WTForms' is English). Empty is no day (``None``)."""

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(str(valuelist[0]).strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Tanggal tidak valid. Gunakan format 2026-12-31."))) from None


class ChoiceField(SelectField):
    """A choice from a list; anything else is refused in the user's language."""

    def pre_validate(self, form: Form) -> None:
        values = [str(choice.value) for choice in self.iter_choices()]
        if str(self.data) not in values:
            raise ValidationError(str(_l("Pilih salah satu dari daftar.")))


def one_of_the_choices(message: Any) -> Callable[[Form, Field], None]:
    """The value must be one the page offered (WTForms' own message is English only)."""

    def check(form: Form, field: Field) -> None:
        if field.data not in {str(choice.value) for choice in field.choices or []}:
            raise StopValidation(str(message))

    return check


class PhoneField(TelField):
    """A phone number: ``type="tel"`` brings up the phone pad, and the browser may offer the
    user's own number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **keyboard(kwargs, autocomplete="tel"))
