"""Absolute links: every address that leaves the site starts with SERVER_BASE_URL.

Emails, PDFs, the sitemap, JSON-LD, the API, canonical links and Stripe's return pages carry
absolute addresses. Built from the request (``url_for`` with ``_external``) they would take
the host from the ``Host`` header, which whoever sends the request chooses: a password reset
asked for with ``Host: evil.example`` would mail the victim a link to the attacker's site, with
the token in it. So they are built here, from the configuration, and nowhere else
(tests/core/test_links.py fails when ``_external`` or the request's host comes back).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for
from flask.ctx import RequestContext


def absolute_url(endpoint: str, **values: Any) -> str:
    """The public address of ``url_for(endpoint, **values)``: its path on SERVER_BASE_URL."""
    path = url_for(endpoint, **values)
    if has_request_context():
        # The path starts with where the WSGI server mounted the app (SCRIPT_NAME); the base
        # URL names that prefix already, when there is one.
        path = path.removeprefix(request.script_root)
    base: str = current_app.config["SERVER_BASE_URL"]
    return base.rstrip("/") + path


def site_request_context(path: str = "/") -> RequestContext:
    """A request context on the site's public address, for work done outside a request (cron,
    the job worker) that renders templates or builds links."""
    return current_app.test_request_context(path, base_url=current_app.config["SERVER_BASE_URL"])
