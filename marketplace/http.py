"""Small request helpers shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import Form


def is_local_url(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_next(target: str | None = None) -> str | None:
    """Where to go after the current step: ``target``, else the request's ``next`` (form, then
    query), when it is a path on this site; None otherwise. For links and forms that carry it on
    (registering at checkout, then verifying the email, then signing in)."""
    if target is None:
        target = request.form.get("next") or request.args.get("next")
    return target if is_local_url(target) else None


def referrer_path() -> str | None:
    """The page the request came from (a form's page), as a path and query, when it is on this
    site (SERVER_BASE_URL's host; never the request's own Host header); None otherwise."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != urlsplit(current_app.config["SERVER_BASE_URL"]).netloc:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return path if is_local_url(path) else None


def user_or_address() -> str:
    """A rate limit's key for signed-in actions: the account, so that a government office or a
    pesantren sharing one address is not limited as one person; else the client's address.
    The account's id, not the sign-in's: logging in again must not buy a fresh allowance."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{get_remote_address()}"


def redirect_next(default_endpoint: str, **values: Any) -> Response:
    """Redirect to ``next`` when it is a local path, else to a default page."""
    target = local_next()
    if target:
        return redirect(target)
    return redirect(url_for(default_endpoint, **values))


#: What a view returns: a page, a response (a redirect, a file), or a page with its status.
Page = str | Response | tuple[str, int]

#: The status for a form re-rendered with errors: the request changed nothing.
FORM_ERROR = 400


def form_status(*forms: Form) -> int:
    """The status of a page showing forms: `FORM_ERROR` when any of them has errors, else 200."""
    return FORM_ERROR if any(form.errors for form in forms) else 200


_KEEPS_INPUT = "_keeps_input_when_expired"
F = TypeVar("F", bound=Callable[..., Any])


def keeps_input_when_expired(view: F) -> F:
    """Mark a form view that may be run again when its page expired (the CSRF token too old, or
    the session gone), to show the form again with what was typed (`errors.handle_expired_page`).

    Only for views that act after ``form.validate_on_submit()`` and nothing before, and that
    re-render the form (status 400) when it fails: run again without the token, the validation
    fails on the token, so the view changes nothing.
    """
    setattr(view, _KEEPS_INPUT, True)
    return view


def keeps_input(view: Callable[..., Any] | None) -> bool:
    return bool(getattr(view, _KEEPS_INPUT, False))


def private_download(
    body: bytes | str, mimetype: str, filename: str, *, inline: bool = False
) -> Response:
    """A file meant only for the person who asked (a transfer proof, a procurement document, a
    report): no browser or proxy keeps a copy for the next user of a shared computer or
    connection, and no browser sniffs it into another type. ``filename`` is ASCII, made here."""
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
