"""The cooperative workspace: screens over the cooperatives, catalogue and inventory domains."""

from flask import Blueprint
from flask_login import current_user

from marketplace.cooperatives.access import membership_of

bp = Blueprint("vendors", __name__, url_prefix="/vendor")
#: Invitation links live outside /vendor/: they are opened by people who are not members yet.
invitations_bp = Blueprint("invitations", __name__)


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    """The header's link to the cooperative workspace, on every page."""
    membership = membership_of(current_user)
    return {
        "nav_cooperative": membership.cooperative if membership else None,
        "nav_is_owner": bool(membership and membership.is_owner),
    }


from marketplace.vendors import (  # noqa: E402,F401
    complaint_routes,
    import_routes,
    listing_routes,
    message_routes,
    order_routes,
    review_routes,
    routes,
    shipping_routes,
)
