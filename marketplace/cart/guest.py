"""The guest cart's cookie: a random token, signed, so only this browser finds its cart.

Routes and the login signal say what should happen to the cookie (`remember`, `forget`); the
response gets it in `write_cookie`, and only when the request succeeded (a failed request rolled
the new cart back, so there is nothing to remember).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

_SALT = "cart.guest-token"
_UNSET = object()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def guest_token() -> str | None:
    """The token of this browser's guest cart, if its cookie is present and genuine."""
    cached = g.get("guest_cart_token", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, str) else None
    raw = request.cookies.get(current_app.config["CART_COOKIE_NAME"])
    token = None
    if raw:
        try:
            loaded = _serializer().loads(raw)
        except BadSignature:
            loaded = None
        token = loaded if isinstance(loaded, str) else None
    g.guest_cart_token = token
    return token


def remember(token: str) -> None:
    g.guest_cart_token = token
    g.guest_cart_cookie = "set"


def forget() -> None:
    g.guest_cart_token = None
    g.guest_cart_cookie = "delete"


def write_cookie(response: Response) -> Response:
    action = g.pop("guest_cart_cookie", None)
    name = current_app.config["CART_COOKIE_NAME"]
    if action == "set" and response.status_code < 400:
        response.set_cookie(
            name,
            _serializer().dumps(g.guest_cart_token),
            max_age=current_app.config["CART_COOKIE_MAX_AGE"],
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    elif action == "delete":
        response.delete_cookie(
            name, httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"]
        )
    return response


def merge_at_login(sender: Any, user: Any, **extra: Any) -> None:
    """Flask-Login's ``user_logged_in`` signal: the guest's cart joins the user's cart."""
    from marketplace.cart.services import merge_guest_cart

    token = guest_token()
    if token is None:
        return
    result = merge_guest_cart(token, user)
    forget()
    if result.reduced:
        flash(
            _("Isi keranjang Anda sudah digabung. Beberapa jumlah disesuaikan dengan stok."),
            "info",
        )
