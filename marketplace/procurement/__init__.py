"""Government procurement: agencies (OPD) buy from the cooperatives with requests, quotations
and negotiation, approval, the Surat Pesanan, deliveries, BAST, invoices with PPN and PPh 22,
and payment (docs/procurement.md)."""

from typing import Any

from flask import Blueprint, has_request_context
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from marketplace.jobs import periodic
from marketplace.procurement.access import agency_roles_of

bp = Blueprint("procurement", __name__, url_prefix="/procurement")
#: The public verification page of frozen documents: a short address, printed on paper.
verify_bp = Blueprint("verify", __name__, url_prefix="/v")

# Unanswered offers and unaccepted Surat Pesanan lapse on their own (jobs.py): the task writes the
# lapse; until it runs, a page computes it and shows it (deadlines.py).
periodic("procurement.lapse", "marketplace.procurement.deadlines:lapse_due", 300)


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    # A wrong PROCUREMENT_* value stops the app at start-up instead of producing a wrong invoice.
    from marketplace.procurement.settings import ProcurementSettings

    ProcurementSettings.from_mapping(state.app.config)


@bp.app_template_filter("wib_date")
def _wib_date(moment: Any) -> Any:
    """A stored UTC timestamp as its calendar day in Mojokerto (documents print days)."""
    from marketplace.procurement.common import local_day

    return local_day(moment) if moment is not None else None


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    """The header's procurement links, on every page: the agency roles the user holds (none
    outside a request)."""
    if not has_request_context():
        return {"nav_agency_roles": set(), "nav_treasurer_agency": None}
    roles = agency_roles_of(current_user)
    treasurer_of = sorted(agency for agency, role in roles if role == "bendahara")
    return {
        "nav_agency_roles": roles,
        # The agency whose monthly tax recap the header links to (a treasurer's first).
        "nav_treasurer_agency": treasurer_of[0] if treasurer_of else None,
    }


from marketplace.procurement import (  # noqa: E402,F401
    agency_routes,
    budget_routes,
    cooperative_routes,
    document_routes,
    invoice_routes,
    routes,
    tax_routes,
    verify_routes,
)
