"""Complaints and returns (komplain): a shopper's complaint about a delivered part, the
cooperative's answer, goods sent back, the city's final decision (issue 21)."""

from flask import Blueprint

from marketplace.jobs import periodic

bp = Blueprint("complaints", __name__)

# An open complaint the cooperative did not answer in time goes to the city (jobs.py).
periodic("complaints.escalate", "marketplace.complaints.escalation:escalate_lapsed", 900)

from marketplace.complaints import queries, routes  # noqa: E402,F401
from marketplace.payments.settlement import register_hold  # noqa: E402

# A part's money is not paid out while a complaint about it is open.
register_hold(queries.open_complaint_parts)
