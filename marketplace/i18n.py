"""Language choice and the money format.

Precedence: ``?lang=`` > the saved choice (this device's cookie, else the profile when signed
in, so a new device follows the account) > ``Accept-Language`` > Indonesian. At login the
device's choice is copied to the profile, so what the user just picked is never undone.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
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


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the user's language: ``29 Nov 2026`` / ``Nov 29, 2026``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style, tzinfo=get_timezone(), locale=str(get_locale()))
    return format_date(value, style, locale=str(get_locale()))


def register_i18n(app: Flask) -> None:
    app.after_request(remember_requested_locale)
    app.add_template_filter(rupiah, "rupiah")
    app.add_template_filter(format_day, "day")

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_locale": str(get_locale()), "languages": supported()}
