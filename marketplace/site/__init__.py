"""Pages that belong to no domain: language switch, terms, privacy, health checks, media."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from marketplace.site import routes  # noqa: E402,F401
