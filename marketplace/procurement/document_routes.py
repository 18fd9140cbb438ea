"""The procurement's documents (each as a page and a PDF), the spending reports and the budgets."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import exports
from marketplace.http import FORM_ERROR, Page, private_download
from marketplace.policy import CITY_ADMIN, allow
from marketplace.procurement import (
    bp,
    budget_forms,
    document_forms,
    documents,
    freezing,
    national_export,
    reports,
    signed_scans,
)
from marketplace.procurement.access import PROCUREMENT_PARTICIPANT, REPORT_READER
from marketplace.procurement.common import today
from marketplace.procurement.screens import REFUSALS, invalid, refused

# ------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------


def _pdf_name(number: str) -> str:
    return f"{number.replace('/', '-')}.pdf"


@bp.route("/documents/<kind>/<int:object_id>")
@allow(PROCUREMENT_PARTICIPANT)
def document(kind: str, object_id: int) -> Page:
    """The printable page, with the verification block of the latest frozen version and the
    list of every version issued (their PDFs are the official copies)."""
    found = documents.load_document(current_user, kind, object_id)
    issued = freezing.versions(*found.frozen_as) if found.frozen_as else []
    verification = freezing.verification_of(issued[-1]) if issued else None
    return documents.render_html(found, verification=verification, versions=issued)


@bp.route("/documents/<kind>/<int:object_id>.pdf")
@allow(PROCUREMENT_PARTICIPANT)
def document_pdf(kind: str, object_id: int) -> Page:
    """The latest frozen version's bytes, exactly as issued (rendered, not stored, for a
    document issued before freezing existed)."""
    found = documents.load_document(current_user, kind, object_id)
    pdf, frozen = freezing.pdf_of(found)
    name = frozen.number if frozen is not None else found.number or found.kind
    return private_download(pdf, "application/pdf", _pdf_name(name))


@bp.route("/documents/<kind>/<int:object_id>/v<int:version>.pdf")
@allow(PROCUREMENT_PARTICIPANT)
def document_version(kind: str, object_id: int, version: int) -> Page:
    """An earlier (or the latest) frozen version, for the same parties as the document."""
    found = documents.load_document(current_user, kind, object_id)
    issued = freezing.versions(*found.frozen_as) if found.frozen_as else []
    frozen = next((v for v in issued if v.version == version), None)
    if frozen is None:
        abort(404)
    return private_download(freezing.read(frozen), "application/pdf", _pdf_name(frozen.number))


@bp.route("/orders/<int:order_id>/signed", methods=["POST"])
@allow(PROCUREMENT_PARTICIPANT)
def upload_signed_scan(order_id: int) -> Page:
    """A party sends back a signed document's scan; the order page shows it (or the reason it
    was not kept, with nothing kept)."""
    order, side = signed_scans.party_order(current_user, order_id)
    form = document_forms.SignedScanForm()
    form.set_choices(signed_scans.signables(order))
    back = (
        url_for("procurement.order", order_id=order_id)
        if side == "agency"
        else url_for("procurement.coop_order", order_id=order_id)
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(back + "#signed")
    try:
        scan = signed_scans.upload(
            current_user, order_id, str(form.document.data), form.scan.data.read()
        )
    except REFUSALS as error:
        flash(str(error), "error")
        return redirect(back + "#signed")
    flash(_("Pindaian %(document)s disimpan.", document=scan.document_number), "success")
    return redirect(back + "#signed")


@bp.route("/orders/<int:order_id>/signed/<int:scan_id>")
@allow(PROCUREMENT_PARTICIPANT)
def signed_scan(order_id: int, scan_id: int) -> Page:
    data, content_type, name = signed_scans.scan_file(current_user, order_id, scan_id)
    return private_download(data, content_type, name, inline=True)


# ------------------------------------------------------------------------------------------
# Reports and budgets
# ------------------------------------------------------------------------------------------


def _report_year() -> int:
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today().year


def _report_page(export_form: document_forms.PackageExportForm | None = None) -> str:
    year = _report_year()
    if export_form is None:
        export_form = document_forms.PackageExportForm(
            date_from=date(year, 1, 1), date_to=min(today(), date(year, 12, 31))
        )
    return render_template(
        "procurement/reports.html",
        report=reports.spend_report(current_user, year),
        year=year,
        export_form=export_form,
    )


@bp.route("/reports")
@allow(REPORT_READER)
def report() -> Page:
    return _report_page()


@bp.route("/reports/packages")
@allow(REPORT_READER)
def package_export() -> Page:
    """The packages of a period for SiRUP and the e-purchasing reports, as CSV or XLSX; a
    period or format it cannot use shows the report page with the reason."""
    form = document_forms.PackageExportForm(request.args)
    if not form.validate():
        return _report_page(form), FORM_ERROR
    start, end, fmt = form.date_from.data, form.date_to.data, str(form.fmt.data)
    body = national_export.export(current_user, start, end, fmt)
    return exports.download(body, national_export.filename(start, end, fmt))


@bp.route("/reports/<table>.csv")
@allow(REPORT_READER)
def report_csv(table: str) -> Page:
    if table not in reports.TABLES:
        abort(404)
    year = _report_year()
    body = reports.to_csv(reports.spend_report(current_user, year), table)
    return exports.download(body, f"belanja-{table}-{year}.csv")


@bp.route("/reports.xlsx")
@allow(REPORT_READER)
def report_xlsx() -> Page:
    year = _report_year()
    body = reports.to_xlsx(reports.spend_report(current_user, year))
    return exports.download(body, f"belanja-opop-{year}.xlsx")


def _budgets_page(year: int, form: budget_forms.BudgetForm, error: str | None = None) -> str:
    return render_template(
        "procurement/budgets.html",
        year=year,
        rows=reports.budgets_for(year),
        form=form,
        error=error,
    )


@bp.route("/budgets", methods=["GET", "POST"])
@allow(CITY_ADMIN)
def budgets() -> Page:
    form = budget_forms.BudgetForm()
    form.set_choices(reports.visible_agencies(current_user))
    year = _report_year()
    if request.method == "GET":
        form.year.data = year
        return _budgets_page(year, form)
    if not form.validate_on_submit():
        return invalid(_budgets_page, year, form)
    try:
        reports.save_budget(
            current_user,
            int(form.agency_id.data or 0),
            int(form.year.data or 0),
            int(form.goods_budget.data or 0),
        )
    except REFUSALS as error:
        return refused(error, _budgets_page, year, form)
    flash(_("Anggaran disimpan."), "success")
    return redirect(url_for("procurement.budgets", year=form.year.data))
