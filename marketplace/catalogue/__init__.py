from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from marketplace.catalogue import cache, listing, routes  # noqa: E402,F401
from marketplace.catalogue.services import whatsapp_link  # noqa: E402

bp.add_app_template_global(whatsapp_link, "whatsapp_link")
