"""The procurement screens under /procurement/, shared by the agency and the cooperative: the
worklist and the notifications.

The other screens are split by who uses them: the agency's (`agency_routes`), the cooperative's
(`cooperative_routes`), the documents and the reports (`document_routes`). Each view parses the
request, calls one service and redirects; a refused step shows the page again with the reason
(status 400 or 409, nothing changed); the request commits once, after the view
(`finish_unit_of_work`).
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from marketplace.cooperatives.access import membership_of
from marketplace.http import Page, is_local_url
from marketplace.policy import allow
from marketplace.procurement import bp, forms, notifications, worklist
from marketplace.procurement.access import PROCUREMENT_PARTICIPANT
from marketplace.procurement.common import agency_ids

# ------------------------------------------------------------------------------------------
# The worklist and notifications
# ------------------------------------------------------------------------------------------


@bp.route("/")
@allow(PROCUREMENT_PARTICIPANT)
def index() -> Page:
    return render_template(
        "procurement/worklist.html",
        agency_sections=worklist.agency_worklist(current_user),
        cooperative_sections=worklist.cooperative_worklist(current_user),
        is_agency=bool(agency_ids(current_user)),
        cooperative=membership_of(current_user),
    )


@bp.route("/notifications")
@allow(PROCUREMENT_PARTICIPANT)
def notification_list() -> Page:
    return render_template(
        "procurement/notifications.html",
        items=notifications.list_notifications(current_user),
        form=forms.ConfirmForm(),
    )


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@allow(PROCUREMENT_PARTICIPANT)
def open_notification(notification_id: int) -> Page:
    link = notifications.open_notification(current_user, notification_id)
    return redirect(link if is_local_url(link) else url_for("procurement.index"))


@bp.route("/notifications/read", methods=["POST"])
@allow(PROCUREMENT_PARTICIPANT)
def read_notifications() -> Page:
    notifications.mark_all_read(current_user)
    return redirect(url_for("procurement.notification_list"))
