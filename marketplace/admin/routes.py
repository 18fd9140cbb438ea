"""The city workspace's views: thin, each asks one query module or one domain service.

The screens are split by subject: cooperatives (`cooperative_routes`), catalogue care
(`catalogue_routes`), people and agencies (`people_routes`); the dashboard and the audit log are
here."""

from __future__ import annotations

from flask import render_template

from marketplace.admin import bp
from marketplace.admin.common import Page
from marketplace.policy import CITY_ADMIN, allow


@bp.route("/")
@allow(CITY_ADMIN)
def dashboard() -> Page:
    return render_template("admin/dashboard.html")


from marketplace.admin import (  # noqa: E402,F401
    catalogue_routes,
    cooperative_routes,
    people_routes,
)
