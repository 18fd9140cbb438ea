"""The treasurer's tax records: the SPP, SPM and remittance of a paid invoice's taxes, and the
agency's monthly tax recap (a page and an XLSX)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import exports
from marketplace.http import Page
from marketplace.paging import page_from
from marketplace.policy import allow
from marketplace.procurement import bp, forms, tax_records
from marketplace.procurement.common import today
from marketplace.procurement.fulfilment import agency_invoice
from marketplace.procurement.invoice_routes import invoice_page
from marketplace.procurement.models import ProcurementRole
from marketplace.procurement.screens import BENDAHARA, REFUSALS, invalid, refused


@bp.route("/invoices/<int:invoice_id>/tax-records", methods=["POST"])
@allow(BENDAHARA)
def record_tax_records(invoice_id: int) -> Page:
    agency_invoice(current_user, invoice_id, ProcurementRole.BENDAHARA)
    form = forms.TaxRecordsForm()
    if not form.validate_on_submit():
        return invalid(invoice_page, invoice_id, tax_form=form)
    details = tax_records.TaxRecordDetails(
        spp_number=form.spp_number.data or "",
        spm_number=form.spm_number.data or "",
        ppn=tax_records.Remittance(
            form.ppn_billing_code.data or "", form.ppn_ntpn.data or "", form.ppn_remitted_on.data
        ),
        pph22=tax_records.Remittance(
            form.pph22_billing_code.data or "",
            form.pph22_ntpn.data or "",
            form.pph22_remitted_on.data,
        ),
    )
    try:
        tax_records.record_tax_records(current_user, invoice_id, details)
    except REFUSALS as error:
        return refused(error, invoice_page, invoice_id, tax_form=form)
    flash(_("Catatan pajak disimpan."), "success")
    return redirect(url_for("procurement.invoice", invoice_id=invoice_id))


def _month() -> tuple[date, str | None]:
    """The month asked for (``?month=YYYY-MM``), else this month; with the reason when the
    value asked for cannot be used."""
    raw = request.args.get("month")
    if raw is None or not raw.strip():
        return today().replace(day=1), None
    month = tax_records.parse_month(raw)
    if month is None:
        return today().replace(day=1), _("Pilih bulan dengan format 2026-12.")
    return month, None


@bp.route("/agencies/<int:agency_id>/tax-recap")
@allow(BENDAHARA)
def tax_recap(agency_id: int) -> Page:
    month, error = _month()
    recap = tax_records.tax_recap(
        current_user, agency_id, month, page_from(request.args.get("page"))
    )
    page = render_template("procurement/tax_recap.html", recap=recap, month=month, error=error)
    return (page, 400) if error else page


@bp.route("/agencies/<int:agency_id>/tax-recap.xlsx")
@allow(BENDAHARA)
def tax_recap_xlsx(agency_id: int) -> Page:
    month, error = _month()
    if error:
        abort(400)
    filename, content = tax_records.recap_xlsx(current_user, agency_id, month)
    return exports.download(content, filename)
