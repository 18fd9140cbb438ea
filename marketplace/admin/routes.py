"""The city workspace's views: thin, each asks one query module or one domain service.

The screens are split by subject: cooperatives (`cooperative_routes`), catalogue care
(`catalogue_routes`), people and agencies (`people_routes`), operations (`operations_routes`); the
dashboard and the audit log are here."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from marketplace import clock, exports
from marketplace.admin import bp, queries
from marketplace.admin.common import page_number
from marketplace.admin.dashboard import TABLE_KEYS, build_dashboard, build_table, write_table
from marketplace.admin.forms import AuditFilterForm
from marketplace.http import Page, form_status
from marketplace.policy import CITY_ADMIN, allow


@bp.route("/")
@allow(CITY_ADMIN)
def dashboard() -> Page:
    return render_template("admin/dashboard.html", dashboard=build_dashboard(clock.today()))


@bp.route(f"/dashboard/<any({', '.join(repr(k) for k in TABLE_KEYS)}):key>.<any(csv, xlsx):fmt>")
@allow(CITY_ADMIN)
def export_table(key: str, fmt: str) -> Response:
    table = build_table(key, clock.today())
    period = clock.today().strftime("%Y%m%d")
    return exports.download(write_table(table, fmt), f"opop-{key}-{period}.{fmt}")


@bp.route("/audit")
@allow(CITY_ADMIN)
def audit_log() -> Page:
    form = AuditFilterForm(request.args)
    form.cooperative.choices = [
        SelectChoice(0, _("Semua koperasi")),
        *(SelectChoice(cid, name) for cid, name in queries.cooperative_choices()),
    ]
    form.action.choices = [
        SelectChoice("", _("Semua tindakan")),
        *(SelectChoice(kind, kind) for kind in queries.action_kinds()),
    ]
    valid = form.validate()
    filters = (
        queries.AuditFilters(
            user=form.user.data or "",
            cooperative_id=form.cooperative.data or None,
            action=form.action.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        if valid
        else queries.AuditFilters()
    )
    result = queries.audit_entries(filters, page_number())
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/audit.html", form=form, result=result, args=args), form_status(
        form
    )


from marketplace.admin import (  # noqa: E402,F401
    catalogue_routes,
    complaint_routes,
    cooperative_routes,
    operations_routes,
    people_routes,
    review_routes,
)
