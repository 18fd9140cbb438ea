from __future__ import annotations

from flask import Response, jsonify, request

from marketplace.errors import NotFound
from marketplace.policy import PUBLIC, allow
from marketplace.regions import bp, services


@bp.route("/search")
@allow(PUBLIC)
def search() -> Response:
    """Regions under ``parent`` (the provinces without it) whose name starts with ``q``, for
    the address form's lists as the shopper types (`region-picker.js`). Public data, so shared
    caches may keep it a day."""
    parent = request.args.get("parent", "").strip() or None
    if parent is not None and services.get(parent) is None:
        raise NotFound()
    found = services.search(parent, request.args.get("q", "")[:80])
    response = jsonify(
        regions=[{"code": r.code, "name": r.name, "postal_code": r.postal_code} for r in found]
    )
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
