"""The procurement screens under /procurement/, shared by the agency and the cooperative: the
worklist (the notifications are everyone's: `marketplace.notifications`).

The other screens are split by who uses them: the agency's (`agency_routes`), the cooperative's
(`cooperative_routes`), the documents and the reports (`document_routes`). Each view parses the
request, calls one service and redirects; a refused step shows the page again with the reason
(status 400 or 409, nothing changed); the request commits once, after the view
(`finish_unit_of_work`).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from marketplace.cooperatives.access import membership_of
from marketplace.http import Page
from marketplace.paging import page_from
from marketplace.policy import allow
from marketplace.procurement import bp, worklist
from marketplace.procurement.access import PROCUREMENT_PARTICIPANT
from marketplace.procurement.common import agency_ids

# ------------------------------------------------------------------------------------------
# The worklist
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


@bp.route("/worklist/<any(agency, cooperative):side>/<key>")
@allow(PROCUREMENT_PARTICIPANT)
def worklist_section(side: str, key: str) -> Page:
    """All that waits in one section, page by page (the worklist shows its oldest first)."""
    return render_template(
        "procurement/worklist_section.html",
        result=worklist.section_page(current_user, side, key, page_from(request.args.get("page"))),
    )
