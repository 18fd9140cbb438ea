from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from marketplace.accounts.services import set_locale
from marketplace.extensions import db, redis_client
from marketplace.http import is_local_url
from marketplace.observability import metrics_response
from marketplace.policy import PUBLIC, allow
from marketplace.site import bp, pwa
from marketplace.storage import is_public, storage


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language() -> Response:
    """The language switch: saved in a cookie, and in the profile when signed in."""
    lang = request.form.get("lang", "")
    target = request.form.get("next", "")
    response = redirect(target if is_local_url(target) else url_for("catalogue.home"))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE_NAME"],
            lang,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated:
            set_locale(current_user, lang)
    return response


@bp.route("/terms")
@allow(PUBLIC)
def terms() -> str:
    return render_template("site/terms.html")


@bp.route("/privacy")
@allow(PUBLIC)
def privacy() -> str:
    return render_template("site/privacy.html")


@bp.route("/healthz")
@allow(PUBLIC)
def healthz() -> Response:
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.route("/readyz")
@allow(PUBLIC)
def readyz() -> tuple[Response, int]:
    """Ready to serve: the database answers, and Redis when one is configured."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        current_app.logger.warning("readyz: database check failed: %s", error)
        checks["database"] = "error"
    if current_app.config.get("REDIS_URL"):
        try:
            redis_client().ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            current_app.logger.warning("readyz: redis check failed: %s", error)
            checks["redis"] = "error"
    ok = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), (200 if ok else 503)


@bp.route("/metrics")
@allow(PUBLIC)
def metrics() -> Response:
    """Prometheus metrics (off unless METRICS_ENABLED; guarded by METRICS_TOKEN when set)."""
    return metrics_response()


@bp.route("/media/<path:key>")
@allow(PUBLIC)
def media(key: str) -> Response:
    """Public files (product photos). A malformed key (``..``, ``//``, a backslash...) or one
    outside the public folders is not found: private files are served by their domain only."""
    if not is_public(key):
        abort(404)
    return storage().serve(key)


@bp.route("/manifest.webmanifest")
@allow(PUBLIC)
def web_manifest() -> Response:
    """What a phone needs to install the site as an app (name, colours, icons)."""
    response = jsonify(pwa.manifest())
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 60 * 60 * 24
    return response


@bp.route("/sw.js")
@allow(PUBLIC)
def service_worker() -> Response:
    """The service worker, served from the root so that it may answer for every page."""
    response = Response(pwa.service_worker(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for("catalogue.home")
    # Browsers check for a new worker on navigation; each check asks the server (304 when the
    # script has not changed), so a new version reaches every phone on its next visit.
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/offline")
@allow(PUBLIC)
def offline() -> str:
    """Shown by the service worker when a page cannot be loaded for want of a connection."""
    return pwa.offline_page()
