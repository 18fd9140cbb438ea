"""Checkout, orders, vendor orders and their status machine."""

from flask import Blueprint

from marketplace.jobs import periodic

bp = Blueprint("orders", __name__)

# Cancelling unpaid orders and completing delivered ones run on their own (jobs.py).
periodic("orders.expire", "marketplace.orders.cli:expire_overdue", 60)
periodic("orders.complete", "marketplace.orders.cli:complete_delivered", 3600)

from marketplace.orders import routes  # noqa: E402,F401
