from flask import Blueprint

from marketplace.jobs import periodic

bp = Blueprint("accounts", __name__, url_prefix="/account")
periodic("accounts.purge_sign_ins", "marketplace.accounts.sessions:purge_expired_sign_ins", 86400)

from marketplace.accounts import routes  # noqa: E402,F401
