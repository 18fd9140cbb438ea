"""Form fields shared by every domain's forms.

The keyboard a phone shows for a field is chosen here, once, not in each template: money and
quantities bring up the number pad (``inputmode="numeric"``; whole rupiah and whole units, so
never "decimal"), phone numbers the phone pad (``type="tel"``). A form or a template may still
pass its own attributes; those win.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TelField


def keyboard(kwargs: dict[str, Any], **attributes: str) -> dict[str, Any]:
    """A field's keyword arguments with ``attributes`` as defaults of its ``render_kw``."""
    kwargs["render_kw"] = {**attributes, **(kwargs.get("render_kw") or {})}
    return kwargs


class WholeNumberField(IntegerField):
    """A whole number (a quantity, a year, an amount in rupiah) on the number pad, whose parse
    error is in the user's language (WTForms' is English)."""

    def __init__(self, *args: Any, invalid_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **keyboard(kwargs, inputmode="numeric"))
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


class PhoneField(TelField):
    """A phone number: ``type="tel"`` brings up the phone pad, and the browser may offer the
    user's own number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **keyboard(kwargs, autocomplete="tel"))
