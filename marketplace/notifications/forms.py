"""The forms of the notification pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from marketplace.notifications.models import NotificationKind


class ActionForm(FlaskForm):
    """A button with no fields (the CSRF token only)."""


class KindsField(SelectMultipleField):
    """Checkboxes of kinds; an unknown value gets a localized message (WTForms' is English)."""

    def pre_validate(self, form: Any) -> None:
        offered = {str(choice.value) for choice in self.choices or []}
        if any(str(value) not in offered for value in self.data or []):
            raise StopValidation(str(_l("Pilih dari daftar yang tersedia.")))


class EmailChoicesForm(FlaskForm):
    """The kinds of notice the person also wants by email (the others come in the app only),
    and, when WhatsApp is set up (``with_whatsapp``), by WhatsApp."""

    email_kinds = KindsField(_l("Kirim juga lewat email"))
    whatsapp_kinds = KindsField(_l("Kirim juga lewat WhatsApp"))

    def __init__(self, *args: Any, with_whatsapp: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the reader's language, read when the form is made.
        choices = [SelectChoice(kind.value, kind.label) for kind in NotificationKind]
        self.email_kinds.choices = choices
        if with_whatsapp:
            self.whatsapp_kinds.choices = list(choices)
        else:
            del self.whatsapp_kinds

    def chosen(self) -> dict[NotificationKind, bool]:
        wanted = set(self.email_kinds.data or ())
        return {kind: kind.value in wanted for kind in NotificationKind}

    def chosen_whatsapp(self) -> dict[NotificationKind, bool] | None:
        """The WhatsApp choices; None when the form does not offer WhatsApp."""
        if "whatsapp_kinds" not in self:
            return None
        wanted = set(self.whatsapp_kinds.data or ())
        return {kind: kind.value in wanted for kind in NotificationKind}
