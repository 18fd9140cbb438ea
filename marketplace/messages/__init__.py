"""Messages: one thread per vendor-order part between its shopper and the cooperative, shown on
both sides' order pages with what each side has not read (issue 21)."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from marketplace.messages import routes  # noqa: E402,F401
