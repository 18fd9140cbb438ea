"""Domain errors and the one place that turns errors into HTTP responses."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, SecurityError

from marketplace.database import is_lock_timeout
from marketplace.extensions import csrf, db
from marketplace.http import keeps_input, referrer_path

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set (raised while
    the app is built, so it stops the start instead of becoming a response)."""


class DomainError(Exception):
    """A business rule refused an action. Its message is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(self.default_message))
        self.message = message or str(self.default_message)

    default_message = _l("Permintaan tidak dapat diproses.")


class TransitionRefused(DomainError):
    """A status change that a status machine does not allow. With both states known, the
    message names them in the subclass's words (`describe`)."""

    status_code = 409

    def __init__(self, source: object = None, target: object = None) -> None:
        self.source = source
        self.target = target
        message = None
        if source is not None and target is not None:
            message = self.describe(
                str(getattr(source, "label", source)), str(getattr(target, "label", target))
            )
        super().__init__(message)

    def describe(self, source: str, target: str) -> str:
        return str(self.default_message)


class NotFound(DomainError):
    """The object does not exist, or belongs to someone else (both look the same from outside)."""

    status_code = 404
    default_message = _l("Halaman atau data tidak ditemukan.")


class PermissionDenied(DomainError):
    status_code = 403
    default_message = _l("Anda tidak memiliki akses ke halaman ini.")


class Conflict(DomainError):
    status_code = 409
    default_message = _l("Data telah berubah; muat ulang halaman dan coba lagi.")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _error_page(status: int, message: str | None = None) -> tuple[str | Response, int]:
    """The localized error page; a bare one if even that fails.

    An error page is rendered after something already went wrong (a lost database connection,
    a lock not had, objects expired by the rollback): the base template's navigation may load
    from the database again. The handler must still answer, so any failure while rendering falls
    back to a page built without templates or the database.
    """
    try:
        if _wants_json():
            from flask import jsonify

            return jsonify(error=message or str(status)), status
        template = (
            f"errors/{status}.html"
            if status in (400, 403, 404, 429, 500, 503)
            else "errors/generic.html"
        )
        return render_template(template, status=status, message=message), status
    except Exception:  # the last resort must not raise
        log.exception("The error page for %s could not be rendered", status)
        return _bare_error_page(status, message), status


def _bare_error_page(status: int, message: str | None) -> Response:
    text = escape(message or _BARE_MESSAGES.get(status, _BARE_MESSAGES[500]))
    body = (
        '<!doctype html><html lang="id"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status}</title><h1>{status}</h1><p>{text}</p>"
        '<p><a href="/">Beranda</a></p></html>'
    )
    return Response(body, status=status, mimetype="text/html")


_EXPIRED = _l(
    "Halaman ini sudah kedaluwarsa karena terlalu lama terbuka atau sesi Anda berakhir. "
    "Tidak ada yang berubah. Muat ulang halaman, lalu kirim lagi."
)


#: Without templates there is no locale selection either: the bare page speaks Indonesian.
_BARE_MESSAGES = {
    503: "Layanan sedang sibuk. Coba lagi dalam beberapa saat.",
    500: "Terjadi kesalahan. Coba lagi dalam beberapa saat.",
}


class NulCharacter(DomainError):
    """Text with a NUL character: no one types it, and PostgreSQL cannot store it."""

    default_message = _l("Isian berisi karakter yang tidak diizinkan.")


def refuse_nul_characters() -> None:
    """Refuse a form or query with a NUL character in any name or value, before any view: on
    PostgreSQL it would fail the first query that used it with a server error (found by
    tests/fuzz). The catalogue and the open-data API clean their own query parameters (their
    fuzz tests hold them to a page for any parameters)."""
    sources: list[MultiDict[str, str]] = [request.form]
    if request.blueprint not in ("catalogue", "api"):
        sources.append(request.args)
    for values in sources:
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise NulCharacter()


def check_csrf() -> None:
    """Flask-WTF's CSRF check (``WTF_CSRF_CHECK_DEFAULT`` is off so that it runs here), as the
    last of the request hooks: when a token has expired, the route's policy has been applied
    already, so the form can be shown again (`handle_expired_page`) only to whom may use it."""
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


#: Never put back in a form shown again: the token that failed, and passwords.
_NEVER_KEPT = re.compile(r"csrf_token$|password|^confirm$")


def _form_again() -> Response | None:
    """The form the expired POST came from, with what was typed, or None when its view does not
    keep input (`http.keeps_input_when_expired`) or did not show the form again."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method != "POST" or not keeps_input(view) or _wants_json():
        return None
    # Werkzeug caches the parsed form on the request: this replaces it for the view.
    request.form = ImmutableMultiDict(
        [(k, v) for k, v in request.form.items(multi=True) if not _NEVER_KEPT.search(k)]
    )
    try:
        response = current_app.make_response(
            current_app.ensure_sync(view)(**(request.view_args or {}))  # type: ignore[arg-type]
        )
    except Exception:  # not found, moved meanwhile...: the plain page says enough
        log.info("The form of %s could not be shown again", request.path, exc_info=True)
        response = None
    if response is None or response.status_code != 400:
        # It did not show its form again (a redirect: signed out, nothing left to order):
        # nothing it did is kept, and the plain page says what happened.
        db.session.rollback()
        return None
    return response


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to localized pages (JSON under /api/)."""
    app.before_request(refuse_nul_characters)
    app.before_request(check_csrf)

    @app.errorhandler(CSRFError)
    def handle_expired_page(error: CSRFError) -> tuple[str | Response, int] | Response:
        # A form sent from a page open too long (the token expired) or after the session ended
        # (on a shared phone, a new browser session): the form is shown again with what was
        # typed where its view allows it, else a page that says what happened. Nothing changed.
        db.session.rollback()
        log.info("Refused %s %s: %s", request.method, request.path, error.description)
        page = _form_again()
        if page is not None:
            return page
        if _wants_json():
            return _error_page(400, str(_EXPIRED))
        try:
            return render_template("errors/expired.html", back_url=referrer_path()), 400
        except Exception:  # the last resort must not raise
            log.exception("The expired page could not be rendered")
            return _bare_error_page(400, str(_EXPIRED)), 400

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> tuple[str | Response, int]:
        db.session.rollback()
        return _error_page(error.status_code, error.message)

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(error: OperationalError) -> tuple[str | Response, int]:
        # The database went away (restart, failover, network), or SQLite's write lock was not
        # had within the busy timeout: say so kindly and change nothing. The pool's pre-ping
        # replaces a dead connection, so the next request works again.
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone; remove() resets it
            log.debug("rollback after a database failure failed too", exc_info=True)
            db.session.remove()
        busy = is_lock_timeout(error)
        log.error(
            "%s on %s %s: %s",
            "Database busy" if busy else "Database unavailable",
            request.method,
            request.path,
            error,
        )
        message = (
            str(_l("Banyak permintaan mengubah data yang sama. Tidak ada yang diubah; coba lagi."))
            if busy
            else None
        )
        body, status = _error_page(503, message)
        if isinstance(body, Response):
            body.headers["Retry-After"] = "5"
            return body, status
        response = Response(body, status=status, mimetype="text/html")
        response.headers["Retry-After"] = "5"
        return response, status

    @app.errorhandler(SecurityError)
    def refuse_untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host that is not in TRUSTED_HOSTS: Flask could not route the request, so no page
        # (whose links need the route map) can be rendered for it; a plain answer is enough.
        log.info("Refused %s %s: %s", request.method, request.path, error.description)
        return "Bad Request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[str | Response, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            # Unhandled exceptions arrive here as InternalServerError (outside testing, where
            # they propagate so tests see them).
            db.session.rollback()
            if error.code == 500:
                log.error(
                    "Unhandled error on %s %s",
                    request.method,
                    request.path,
                    exc_info=getattr(error, "original_exception", None),
                )
        return _error_page(error.code, None)
