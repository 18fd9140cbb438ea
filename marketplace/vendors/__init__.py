"""The cooperative workspace: screens over the cooperatives, catalogue and inventory domains."""

from flask import Blueprint

bp = Blueprint("vendors", __name__, url_prefix="/vendor")
#: Invitation links live outside /vendor/: they are opened by people who are not members yet.
invitations_bp = Blueprint("invitations", __name__)

from marketplace.vendors import (  # noqa: E402,F401
    import_routes,
    listing_routes,
    order_routes,
    routes,
)
