"""The city's workspace (DiskopUkmperindag) under /admin/: cooperatives, catalogue care, people
and agencies, the programme dashboard, the audit log and operations (queues, outbox, health).

Screens only: every change is made by a domain service (cooperatives, catalogue, accounts,
procurement), which also writes the audit entry with the administrator as the actor. Every route
is for city administrators (`CITY_ADMIN`); a test walks the URL map to keep it so.
"""

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
#: The link in an agency invitation is opened by someone who is not an administrator.
agency_invitations_bp = Blueprint("agency_invitations", __name__)


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    """The header's link to the city's workspace, on every page."""
    return {"nav_is_admin": bool(current_user.is_authenticated and current_user.is_city_admin)}


from marketplace.admin import routes  # noqa: E402,F401
