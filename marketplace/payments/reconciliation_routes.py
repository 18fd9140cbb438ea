"""The city's reconciliation page on the payment desk: each day compared with Xendit (money
received, Xendit's fees, differences) and the differences still open, each resolved with a
note."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.http import FORM_ERROR, Page
from marketplace.payments import bp, forms, reconciliation
from marketplace.policy import CITY_ADMIN, allow


def _page(form: forms.ResolveForm | None = None, failed_id: int | None = None) -> str:
    return render_template(
        "payments/reconciliation.html",
        page=reconciliation.reconciliation_page(),
        form=form or forms.ResolveForm(),
        failed_id=failed_id,
    )


@bp.route("/admin/payments/reconciliation")
@allow(CITY_ADMIN)
def reconciliation_desk() -> Page:
    return _page()


@bp.route("/admin/payments/reconciliation/<int:difference_id>", methods=["POST"])
@allow(CITY_ADMIN)
def resolve_difference(difference_id: int) -> Page | Response:
    form = forms.ResolveForm()
    if not form.validate_on_submit():
        return _page(form, difference_id), FORM_ERROR
    reconciliation.resolve_difference(current_user, difference_id, form.note.data or "")
    flash(_("Catatan disimpan; selisih tidak lagi terbuka."), "success")
    return redirect(url_for("payments.reconciliation_desk"))
