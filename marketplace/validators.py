"""Form validators shared by every domain, with messages in the user's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError
from wtforms.validators import DataRequired, Length

PHONE_RE = re.compile(r"^(\+62|62|0)8[0-9]{7,12}$")
POSTAL_CODE_RE = re.compile(r"^[1-9][0-9]{4}$")


def required() -> DataRequired:
    return DataRequired(message=_l("Wajib diisi."))


def length(max: int, min: int = -1) -> Length:
    if min > 0:
        return Length(
            min=min,
            max=max,
            message=_l("Panjang harus %(min)d–%(max)d karakter.", min=min, max=max),
        )
    return Length(max=max, message=_l("Paling banyak %(max)d karakter.", max=max))


def email() -> Callable[[Form, Field], None]:
    """A syntactically valid address (no DNS lookups: the app works offline).

    ``EMAIL_ALLOW_TEST_DOMAINS`` lets tests and demos use the reserved ``.test`` domain.
    """

    def check(form: Form, field: Field) -> None:
        try:
            validate_email(
                field.data or "",
                check_deliverability=False,
                test_environment=current_app.config.get("EMAIL_ALLOW_TEST_DOMAINS", False),
            )
        except EmailNotValidError as error:
            raise ValidationError(str(_l("Alamat email tidak valid."))) from error

    return check


def indonesian_phone(form: Form, field: Field) -> None:
    value = re.sub(r"[\s-]", "", field.data or "")
    if value and not PHONE_RE.match(value):
        raise ValidationError(str(_l("Nomor HP tidak valid. Contoh: 081234567890.")))
    field.data = value


def postal_code(form: Form, field: Field) -> None:
    if not POSTAL_CODE_RE.match((field.data or "").strip()):
        raise ValidationError(str(_l("Kode pos terdiri dari 5 angka.")))


def strong_password(form: Form, field: Field) -> None:
    value: str = field.data or ""
    min_length: int = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(value) < min_length:
        raise ValidationError(str(_l("Kata sandi minimal %(n)d karakter.", n=min_length)))
    if len(value) > 200:
        raise ValidationError(str(_l("Kata sandi terlalu panjang.")))
    email_field: Any = getattr(form, "email", None)
    if email_field is not None and email_field.data and value.lower() == email_field.data.lower():
        raise ValidationError(str(_l("Kata sandi tidak boleh sama dengan email.")))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


WHATSAPP_RE = re.compile(r"^628[0-9]{7,12}$")


def normalize_whatsapp(value: str) -> str:
    """``0812-3456-7890`` or ``+62 812…`` → ``62812…`` (the form wa.me links need)."""
    digits = re.sub(r"[\s().+-]", "", value or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


def whatsapp_number(form: Form, field: Field) -> None:
    value = normalize_whatsapp(field.data or "")
    if not WHATSAPP_RE.match(value):
        raise ValidationError(str(_l("Nomor WhatsApp tidak valid. Contoh: 081234567890.")))
    field.data = value


def digits_only(value: Any) -> Any:
    """Drop the dots, dashes and spaces people type inside registration numbers."""
    return re.sub(r"[\s.\-/]", "", value) if isinstance(value, str) else value


def exact_digits(*counts: int, message: Any) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        value = field.data or ""
        if not (value.isdigit() and len(value) in counts):
            raise ValidationError(str(message))

    return check


_RUPIAH_RE = re.compile(r"^(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)$")


def parse_rupiah(value: Any) -> int | None:
    """``15000``, ``15.000`` or ``Rp 15.000`` → 15000; None when it is not whole rupiah.

    Dots are thousands separators (as written in Indonesia); cents are refused, not rounded.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = re.sub(r"\s", "", str(value or ""))
    text = re.sub(r"^(?i:rp)\.?", "", text)
    if not _RUPIAH_RE.match(text):
        return None
    return int(text.replace(".", ""))


def end_not_before_start(form: Any, field: Field) -> None:
    """A period's last day (``date_to``) is not before its first (``date_from``, when usable)."""
    start = form.date_from.data if not form.date_from.errors else None
    if field.data and start and field.data < start:
        raise ValidationError(str(_l("Tanggal akhir tidak boleh sebelum tanggal awal.")))
