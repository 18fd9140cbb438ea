"""The city's workspace (DiskopUkmperindag) under /admin/: cooperatives, catalogue care, people
and agencies, the programme dashboard, the audit log and operations (queues, outbox, health).

Screens only: every change is made by a domain service (cooperatives, catalogue, accounts,
procurement), which also writes the audit entry with the administrator as the actor. Every route
is for city administrators (`CITY_ADMIN`); a test walks the URL map to keep it so.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
#: The link in an agency invitation is opened by someone who is not an administrator.
agency_invitations_bp = Blueprint("agency_invitations", __name__)

from marketplace.admin import routes  # noqa: E402,F401
