"""The cooperative workspace's bulk import and export (the rules: `inventory.bulk`)."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace import exports
from marketplace.cooperatives.access import (
    ACTIVE_COOPERATIVE_MEMBER,
)
from marketplace.http import Page, form_status
from marketplace.inventory.bulk import export as bulk_export
from marketplace.inventory.bulk import imports as bulk_imports
from marketplace.inventory.bulk import read as bulk_read
from marketplace.policy import allow
from marketplace.vendors import bp
from marketplace.vendors.common import (
    current_cooperative_id,
)
from marketplace.vendors.forms import (
    ImportForm,
)

# ---------------------------------------------------------------------------------------------
# Bulk import and export
# ---------------------------------------------------------------------------------------------


def _imports_page(form: ImportForm) -> Page:
    return render_template(
        "vendors/imports.html", form=form, jobs=bulk_imports.list_jobs(current_cooperative_id())
    ), form_status(form)


@bp.route("/imports")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def imports() -> Page:
    return _imports_page(ImportForm())


@bp.route("/imports", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def upload_import() -> Page:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        job = bulk_imports.start_import(
            current_cooperative_id(), current_user.id, upload.filename or "", data
        )
        return redirect(url_for("vendors.import_job", job_id=job.id))
    return _imports_page(form)


@bp.route("/imports/<int:job_id>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def import_job(job_id: int) -> Page:
    job = bulk_imports.owned_job(current_cooperative_id(), job_id)
    return render_template(
        "vendors/import_job.html",
        job=job,
        error_text=bulk_read.error_text,
        column_labels=bulk_read.COLUMN_LABELS,
        actions=bulk_read.ACTIONS,
    )


@bp.route("/imports/<int:job_id>/progress")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def import_progress(job_id: int) -> Response:
    job = bulk_imports.owned_job(current_cooperative_id(), job_id)
    return jsonify(
        status=job.status,
        processed=job.processed_rows,
        total=job.total_rows,
        percent=job.percent,
        running=job.is_running,
    )


@bp.route("/imports/<int:job_id>/confirm", methods=["POST"])
@allow(ACTIVE_COOPERATIVE_MEMBER)
def confirm_import(job_id: int) -> Page:
    job = bulk_imports.owned_job(current_cooperative_id(), job_id)
    job = bulk_imports.confirm_import(current_cooperative_id(), job.id, current_user.id)
    if job.status == "applied":
        flash(_("Impor selesai: semua baris sudah diterapkan."), "success")
    return redirect(url_for("vendors.import_job", job_id=job.id))


@bp.route("/export/<any(csv, xlsx):fmt>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def export(fmt: str) -> Response:
    return exports.download(*bulk_export.export_file(current_cooperative_id(), fmt))


@bp.route("/template/<any(csv, xlsx):fmt>")
@allow(ACTIVE_COOPERATIVE_MEMBER)
def template(fmt: str) -> Response:
    content = bulk_export.write_file(bulk_export.template_rows(), fmt)
    return exports.download(content, f"templat-produk-pasar-opop.{fmt}")
