"""The agency's budget lines (DPA accounts per year): every member of the agency sees them with
their budget, committed, realised and remaining; its PPK enters them and records revisions
(pergeseran). Another agency's line answers 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from marketplace.http import Page
from marketplace.paging import page_from, paginate
from marketplace.policy import allow
from marketplace.procurement import bp, budget_forms, budget_lines, reports
from marketplace.procurement.access import AGENCY_MEMBER
from marketplace.procurement.common import agency_ids, today
from marketplace.procurement.listing import PER_PAGE
from marketplace.procurement.models import ProcurementRole, PurchaseOrder
from marketplace.procurement.screens import PPK, REFUSALS, holds, invalid, refused


def _year() -> int:
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today().year


def _line_form() -> budget_forms.BudgetLineForm:
    form = budget_forms.BudgetLineForm()
    ppk_of = agency_ids(current_user, ProcurementRole.PPK)
    form.set_choices(a for a in reports.visible_agencies(current_user) if a.id in ppk_of)
    return form


def _lines_page(
    year: int, form: budget_forms.BudgetLineForm | None = None, error: str | None = None
) -> str:
    if form is None:
        form = _line_form()
        form.year.data = year
    return render_template(
        "procurement/budget_lines.html",
        year=year,
        rows=budget_lines.agency_lines(current_user, year),
        form=form,
        may_enter=bool(form.agency_id.choices),
        error=error,
    )


@bp.route("/budget-lines")
@allow(AGENCY_MEMBER)
def budget_lines_page() -> Page:
    return _lines_page(_year())


@bp.route("/budget-lines", methods=["POST"])
@allow(PPK)
def create_budget_line() -> Page:
    form = _line_form()
    year = _year()
    if not form.validate_on_submit():
        return invalid(_lines_page, year, form)
    try:
        line = budget_lines.create_line(
            current_user,
            budget_lines.LineDetails(
                agency_id=int(form.agency_id.data or 0),
                year=int(form.year.data or 0),
                account_code=form.account_code.data or "",
                account_name=form.account_name.data or "",
                sub_activity_code=form.sub_activity_code.data or "",
                sub_activity_name=form.sub_activity_name.data or "",
                amount=int(form.amount.data or 0),
            ),
        )
    except REFUSALS as error:
        return refused(error, _lines_page, year, form)
    flash(_("Rekening %(code)s disimpan.", code=line.account_code), "success")
    return redirect(url_for("procurement.budget_lines_page", year=line.year))


def _line_page(
    budget_line_id: int,
    form: budget_forms.RevisionForm | None = None,
    error: str | None = None,
) -> str:
    line = budget_lines.agency_line(current_user, budget_line_id)
    if form is None:
        form = budget_forms.RevisionForm(formdata=None, revised_on=today())
    orders = paginate(
        select(PurchaseOrder)
        .where(PurchaseOrder.budget_line_id == line.id)
        .order_by(PurchaseOrder.id.desc()),
        page_from(request.args.get("page")),
        PER_PAGE,
    )
    return render_template(
        "procurement/budget_line.html",
        figures=budget_lines.figures(line),
        line=line,
        orders=orders,
        form=form,
        may_revise=holds(ProcurementRole.PPK, line.agency_id),
        error=error,
    )


@bp.route("/budget-lines/<int:budget_line_id>")
@allow(AGENCY_MEMBER)
def budget_line(budget_line_id: int) -> Page:
    return _line_page(budget_line_id)


@bp.route("/budget-lines/<int:budget_line_id>/revisions", methods=["POST"])
@allow(PPK)
def revise_budget_line(budget_line_id: int) -> Page:
    budget_lines.agency_line(current_user, budget_line_id, ProcurementRole.PPK)
    form = budget_forms.RevisionForm()
    if not form.validate_on_submit():
        return invalid(_line_page, budget_line_id, form)
    try:
        budget_lines.revise_line(
            current_user,
            budget_line_id,
            form.revised_on.data,
            form.signed_change,
            form.reason.data or "",
        )
    except REFUSALS as error:
        return refused(error, _line_page, budget_line_id, form)
    flash(_("Pergeseran anggaran dicatat."), "success")
    return redirect(url_for("procurement.budget_line", budget_line_id=budget_line_id))
