"""Language choice and the formats of money, numbers, weights, dates and times.

Precedence: ``?lang=`` > the saved choice (this device's cookie, else the profile when signed
in, so a new device follows the account) > ``Accept-Language`` > Indonesian. At login the
device's choice is copied to the profile, so what the user just picked is never undone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal, get_args

from babel.dates import format_date, format_datetime, format_skeleton, get_datetime_format
from babel.numbers import format_decimal
from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user


def supported() -> tuple[str, ...]:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    return languages


def select_locale() -> str:
    requested = request.args.get("lang")
    if requested in supported():
        g.requested_locale = requested
        return requested
    cookie = chosen_on_this_device()
    if cookie:
        return cookie
    if current_user and current_user.is_authenticated and current_user.locale in supported():
        return str(current_user.locale)
    best = request.accept_languages.best_match(supported())
    return best or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def chosen_on_this_device() -> str | None:
    """The language saved in this browser's cookie, if it is one we support."""
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE_NAME"])
    return str(cookie) if cookie in supported() else None


def remember_requested_locale(response: Response) -> Response:
    """A ``?lang=`` link also becomes the saved choice for the next pages."""
    requested = g.get("requested_locale")
    if requested:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE_NAME"],
            requested,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def rupiah(amount: int | None) -> str:
    """Whole rupiah as ``Rp15.000`` in every language (dots between thousands, no decimals)."""
    if amount is None:
        return "–"
    if isinstance(amount, float) or not isinstance(amount, int):
        raise TypeError("Money is whole rupiah (int), never float.")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def weight(grams: int | None) -> str:
    """A weight in grams shown in kilograms, with the user's decimal mark: ``0,4 kg`` in
    Indonesian, ``0.4 kg`` in English (thousands grouped: ``1.250 kg`` / ``1,250 kg``)."""
    if grams is None:
        return "–"
    kilograms = Decimal(grams) / 1000
    return f"{format_decimal(kilograms, format='#,##0.##', locale=str(get_locale()))} kg"


DateStyle = Literal["short", "medium", "long", "full"]
#: The date styles `format_day` knows; anything else is a Babel pattern, used as given.
DATE_STYLES: tuple[DateStyle, ...] = get_args(DateStyle)


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the user's language: ``29 Nov 2026`` / ``Nov 29, 2026``. A moment (datetime)
    adds the time on the 24-hour clock in Mojokerto's zone, named as Indonesians name it in
    every language: ``29 Nov 2026 14.05 WIB`` / ``Nov 29, 2026, 14:05 WIB`` (Babel would show
    seconds, a 12-hour clock in English and ``+0700`` for the zone)."""
    if value is None:
        return ""
    locale = str(get_locale())
    if not isinstance(value, datetime):
        return format_date(value, style, locale=locale)
    zone = get_timezone()
    if style not in DATE_STYLES:
        return format_datetime(value, style, tzinfo=zone, locale=locale)
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # naive means UTC (SQLite)
    day = format_date(moment.astimezone(zone).date(), style, locale=locale)
    pattern = str(get_datetime_format(style, locale=locale))
    return pattern.replace("'", "").replace("{0}", time_of_day(value)).replace("{1}", day)


def time_of_day(value: datetime) -> str:
    """The time of a moment in Mojokerto: ``14.05 WIB`` in Indonesian, ``14:05 WIB`` in English.

    The zone's abbreviation comes from the Indonesian names (WIB, WITA, WIT) whatever the
    language, as the zones are known by them; Babel's English name would be ``+0700``."""
    zone = get_timezone()
    clock = format_skeleton("Hm", value, tzinfo=zone, locale=str(get_locale()))
    return f"{clock} {format_datetime(value, 'z', tzinfo=zone, locale='id')}"


def register_i18n(app: Flask) -> None:
    app.after_request(remember_requested_locale)
    app.add_template_filter(rupiah, "rupiah")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(weight, "weight")

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_locale": str(get_locale()), "languages": supported()}
