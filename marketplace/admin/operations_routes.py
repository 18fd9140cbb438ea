"""Operations: the job queue and its dead letters, the mail outbox, the periodic tasks and the
health of the database, file storage and Redis, for the city's IT officer."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from marketplace import jobs, mail
from marketplace.admin import bp
from marketplace.admin.common import actor
from marketplace.admin.operations import build_operations
from marketplace.http import Page
from marketplace.policy import CITY_ADMIN, allow


@bp.route("/operations")
@allow(CITY_ADMIN)
def operations() -> Page:
    return render_template("admin/operations.html", ops=build_operations())


@bp.route("/operations/failed-jobs/<int:failed_job_id>/retry", methods=["POST"])
@allow(CITY_ADMIN)
def retry_failed_job(failed_job_id: int) -> Page:
    job = jobs.retry_dead_letter(failed_job_id, actor().id)
    flash(_("Pekerjaan %(name)s dijalankan ulang.", name=job.function), "success")
    return redirect(url_for("admin.operations"))


@bp.route("/operations/failed-jobs/<int:failed_job_id>/discard", methods=["POST"])
@allow(CITY_ADMIN)
def discard_failed_job(failed_job_id: int) -> Page:
    job = jobs.discard_dead_letter(failed_job_id, actor().id)
    flash(_("Pekerjaan %(name)s dibuang.", name=job.function), "info")
    return redirect(url_for("admin.operations"))


@bp.route("/operations/emails/<int:email_id>/resend", methods=["POST"])
@allow(CITY_ADMIN)
def resend_email(email_id: int) -> Page:
    mail.resend(email_id, actor().id)
    flash(_("Email dikirim ulang."), "success")
    return redirect(url_for("admin.operations"))
